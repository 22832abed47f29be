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
from pathlib import Path

from rasd.extract.events import extract_events
from rasd.extract.scoring import GoldFormatError, article_from_gold, load_gold, score


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
