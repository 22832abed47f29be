"""Rewrite the data dictionary in README.md from a freshly built warehouse.

    .venv/bin/python scripts/gen_data_dictionary.py            # rewrite README.md
    .venv/bin/python scripts/gen_data_dictionary.py --check    # exit 1 if README is stale

Only the text between <!-- data-dictionary:start --> and <!-- data-dictionary:end --> changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rasd.analyst.docs import fresh_dictionary, readme_section, replace_section
from rasd.analyst.errors import AnalystError
from rasd.settings import REPO_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", type=Path, default=REPO_ROOT / "README.md")
    parser.add_argument("--check", action="store_true", help="only report whether it is stale")
    args = parser.parse_args(argv)
    try:
        text = args.readme.read_text(encoding="utf-8")
        section = fresh_dictionary()
        updated = replace_section(text, section)
    except (AnalystError, OSError) as exc:
        print(f"gen_data_dictionary: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if readme_section(text) != section:
            print(f"{args.readme}: data dictionary is stale; run {sys.argv[0]}", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        args.readme.write_text(updated, encoding="utf-8")
        print(f"{args.readme}: data dictionary rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
