"""Check that the event extractor's output stays the same, and time it.

    .venv/bin/python scripts/extract_equivalence.py --out /tmp/events_before.json
    .venv/bin/python scripts/extract_equivalence.py --compare /tmp/events_before.json
    .venv/bin/python scripts/extract_equivalence.py --time

The corpus: every article of ../shared/gold/dev.jsonl and ../shared/gold/seeds.jsonl (texts
from ../shared/seeds; skipped when absent), tests/gold/synthetic*.jsonl, plus generated
bench articles (rasd.benchgen). Every field of every event is written as canonical JSON
(confidence rounded to 3 places); ``--compare`` exits 1 and prints the articles whose events differ.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from rasd.benchgen import generate_article
from rasd.extract import extract_events
from rasd.extract.scoring import article_from_gold, load_gold
from rasd.models import Article

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLD_FILES = (
    SHARED / "gold" / "dev.jsonl",
    SHARED / "gold" / "seeds.jsonl",
    ROOT / "tests" / "gold" / "synthetic.jsonl",
    ROOT / "tests" / "gold" / "synthetic2.jsonl",
    ROOT / "tests" / "gold" / "synthetic3.jsonl",
)
SEEDS_DIR = SHARED / "seeds"


def gold_articles() -> Iterator[Article]:
    for path in GOLD_FILES:
        if not path.is_file():
            print(f"skipped (absent): {path}", file=sys.stderr)
            continue
        for gold in load_gold(path):
            article = article_from_gold(gold, SEEDS_DIR)
            article.article_id = f"{path.stem}:{article.article_id}"
            yield article


def generated_articles(count: int) -> Iterator[Article]:
    for index in range(count):
        generated = generate_article(index, seed=7)
        yield Article(
            article_id=f"bench:{index}",
            url=f"bench://{generated.path}",
            source="bench",
            site="bench",
            title=generated.title,
            published_at=datetime.fromisoformat(generated.published),
            language="ar",
            text="\n\n".join(generated.paragraphs),
        )


def corpus(generated: int) -> list[Article]:
    return [*gold_articles(), *generated_articles(generated)]


def canonical_events(article: Article) -> list[dict[str, Any]]:
    rows = []
    for event in extract_events(article):
        row = event.as_row()
        row["confidence"] = round(row["confidence"], 3)
        rows.append(row)
    return rows


def run_all(articles: list[Article]) -> dict[str, list[dict[str, Any]]]:
    return {a.article_id: canonical_events(a) for a in articles}


def as_json(events: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(events, ensure_ascii=False, sort_keys=True, indent=1, default=str)


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for article_id in sorted(set(before) | set(after)):
        old, new = before.get(article_id), after.get(article_id)
        if old != new:
            lines.append(f"--- {article_id}\n  before: {old}\n  after:  {new}")
    return lines


def timing(articles: list[Article], repeats: int) -> None:
    extract_events(articles[0])  # gazetteer and lexicons load outside the timing
    best: list[float] = [float("inf")] * len(articles)
    for _ in range(repeats):
        for index, article in enumerate(articles):
            started = time.perf_counter()
            extract_events(article)
            best[index] = min(best[index], time.perf_counter() - started)
    gold = [t for a, t in zip(articles, best, strict=True) if not a.article_id.startswith("bench")]
    for label, times in (("gold", gold), ("all", best)):
        print(
            f"{label}: {len(times)} articles, median {1000 * statistics.median(times):.3f} ms,"
            f" mean {1000 * statistics.mean(times):.3f} ms, total {sum(times):.3f} s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the canonical events here")
    parser.add_argument("--compare", type=Path, help="compare with a file written by --out")
    parser.add_argument("--time", action="store_true", help="time extraction per article")
    parser.add_argument("--generated", type=int, default=1000, help="bench articles to add")
    parser.add_argument("--repeats", type=int, default=3, help="timing: best of this many")
    args = parser.parse_args(argv)
    articles = corpus(args.generated)
    if args.time:
        timing(articles, args.repeats)
    if not (args.out or args.compare):
        return 0
    events = json.loads(as_json(run_all(articles)))
    if args.out:
        args.out.write_text(as_json(events), encoding="utf-8")
        n_events = sum(len(v) for v in events.values())
        print(f"{len(events)} articles, {n_events} events written to {args.out}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        diff = differences(before, events)
        print("\n".join(diff) if diff else f"identical: {len(events)} articles")
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
