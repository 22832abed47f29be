"""Run the event extractor over the articles of a gold file and print the score report.

    .venv/bin/python scripts/score_dev.py ../shared/gold/dev.jsonl
    .venv/bin/python scripts/score_dev.py ../shared/gold/seeds.jsonl --seeds ../shared/seeds

Gold lines with paragraphs are used as they are (title + paragraphs + published); for a gold
file without paragraphs (the seeds) the text is read from <seeds dir>/<id>.txt.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from rasd.extract.events import extract_events
from rasd.extract.scoring import GoldArticle, GoldFormatError, load_gold, score
from rasd.models import Article
from rasd.samplesite import parse_seed_text


def article_from_gold(gold: GoldArticle, seeds_dir: Path | None) -> Article:
    """An Article for a gold line: its own paragraphs, or the seed text file."""
    title, paragraphs = gold.title, list(gold.paragraphs)
    if not paragraphs:
        if seeds_dir is None:
            raise GoldFormatError(f"{gold.id}: no paragraphs in the gold file and no --seeds")
        path = seeds_dir / f"{gold.id}.txt"
        if not path.is_file():
            raise GoldFormatError(f"{gold.id}: seed text not found: {path}")
        title, blocks = parse_seed_text(path.read_text(encoding="utf-8"))
        paragraphs = [b for b in blocks if isinstance(b, str)]  # captions are not body text
    published = datetime.combine(gold.published, datetime.min.time()) if gold.published else None
    return Article(
        article_id=gold.id,
        url=f"gold://{gold.id}",
        source="gold",
        site="gold",
        title=title,
        published_at=published,
        language="ar",
        text="\n\n".join(paragraphs),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path, help="gold file (JSON lines)")
    parser.add_argument("--seeds", type=Path, default=None, help="folder of seed .txt files")
    args = parser.parse_args(argv)
    seeds_dir = args.seeds
    if seeds_dir is None and (args.gold.parent.parent / "seeds").is_dir():
        seeds_dir = args.gold.parent.parent / "seeds"
    try:
        gold = load_gold(args.gold)
        articles = [article_from_gold(g, seeds_dir) for g in gold]
    except GoldFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    predicted = {a.article_id: extract_events(a) for a in articles}
    elapsed = time.perf_counter() - started
    print(score(predicted, gold).report())
    each = 1000 * elapsed / max(1, len(articles))
    print(f"{len(articles)} articles in {elapsed:.2f} s ({each:.1f} ms each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
