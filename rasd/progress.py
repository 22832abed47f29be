"""Progress of a run's stages: a bar per stage on a terminal, plain periodic lines otherwise
(cron mail, a Prefect worker's log), so an operator can tell a slow night from a stuck one.

    with Progress(["fetch", "clean", "extract", "load"], total={"fetch": 500}) as progress:
        progress.advance("fetch", 10)

Safe to call from several threads.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

DEFAULT_INTERVAL = 30.0  # seconds between plain progress lines


class UnknownStage(ValueError):
    """advance() or set_total() named a stage the reporter was not created with."""


class Progress:
    """Counts per stage, shown as bars (TTY with rich available) or as log lines."""

    def __init__(
        self,
        stage_names: Sequence[str],
        total: int | Mapping[str, int] | None = None,
        *,
        stream: TextIO | None = None,
        interval: float = DEFAULT_INTERVAL,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stages = list(stage_names)
        self.done = dict.fromkeys(self.stages, 0)
        self.totals: dict[str, int | None] = {
            s: (total.get(s) if isinstance(total, Mapping) else total) for s in self.stages
        }
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._clock = clock
        self._last_line = clock()
        self._lock = threading.Lock()
        self._closed = False
        use_bars = self.stream.isatty() if tty is None else tty
        self._bars = _RichBars(self.stages, self.totals, self.stream) if use_bars else None
        if use_bars and self._bars.unavailable:
            self._bars = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_total(self, stage: str, total: int | None) -> None:
        """The number of items a stage will handle, once it is known (after discovery)."""
        with self._lock:
            self._check(stage)
            self.totals[stage] = total
            if self._bars:
                self._bars.set_total(stage, total)

    def advance(self, stage: str, n: int = 1) -> None:
        with self._lock:
            self._check(stage)
            self.done[stage] += n
            if self._bars:
                self._bars.advance(stage, n)
                return
            total = self.totals[stage]
            just_finished = total is not None and self.done[stage] - n < total <= self.done[stage]
            if just_finished or self._clock() - self._last_line >= self.interval:
                self._write_line()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._bars:
                self._bars.stop()
            else:
                self._write_line()

    def line(self) -> str:
        """One readable line with every stage's count, e.g. 'fetch 120/500 (24%) | clean 80'."""
        parts = []
        for stage in self.stages:
            done, total = self.done[stage], self.totals[stage]
            if total:
                parts.append(f"{stage} {done}/{total} ({100 * done / total:.0f}%)")
            else:
                parts.append(f"{stage} {done}")
        return "progress: " + " | ".join(parts)

    def _write_line(self) -> None:
        self._last_line = self._clock()
        print(self.line(), file=self.stream, flush=True)

    def _check(self, stage: str) -> None:
        if stage not in self.done:
            raise UnknownStage(f"unknown stage {stage!r}; stages are {', '.join(self.stages)}")


class _RichBars:
    """rich's live bars; rich comes with Prefect, but the reporter works without it."""

    def __init__(self, stages: list[str], totals: dict[str, int | None], stream: TextIO) -> None:
        self.unavailable = False
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress
        except ImportError:
            self.unavailable = True
            return
        console = Console(file=stream, force_terminal=True)
        self._rich = RichProgress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, Any] = {s: self._rich.add_task(s, total=totals[s]) for s in stages}
        self._rich.start()

    def set_total(self, stage: str, total: int | None) -> None:
        self._rich.update(self._tasks[stage], total=total)

    def advance(self, stage: str, n: int) -> None:
        self._rich.advance(self._tasks[stage], n)

    def stop(self) -> None:
        self._rich.stop()
