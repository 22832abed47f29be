"""The lighter scheduling path: one long-running process that runs the nightly flow on its
cron schedule (no work pool or worker needed). Stop it with SIGTERM."""

from __future__ import annotations

import os

from flows.nightly import nightly

if __name__ == "__main__":
    nightly.serve(
        name="nightly",
        cron=os.environ.get("RASD_CRON", "0 3 * * *"),
        parameters={"sources": os.environ.get("RASD_SOURCES", "data/sources.yaml")},
    )
