"""`make run`: serve the bundled sample site on 127.0.0.1:8765 and run the nightly job on it."""

from __future__ import annotations

import sys

from rasd.cli import exit_after, main
from rasd.sample_server import serve_site
from rasd.settings import DATA_DIR

SAMPLE_PORT = 8765  # data/sources.yaml names this port


def run_sample() -> int:
    with serve_site(DATA_DIR / "sample_site", port=SAMPLE_PORT):
        return main(["run", *sys.argv[1:]])


if __name__ == "__main__":
    exit_after(run_sample)
