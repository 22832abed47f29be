from __future__ import annotations

import io
import threading

import pytest

from rasd.progress import Progress, UnknownStage


class Clock:
    """A clock the test moves by hand, so intervals are exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_come_at_the_interval_and_when_a_stage_completes() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(
        ["fetch", "clean"], total={"fetch": 10}, stream=out, interval=30, clock=clock
    )
    progress.advance("fetch", 4)
    assert out.getvalue() == ""  # too soon for a line
    clock.now = 31
    progress.advance("clean", 2)
    assert out.getvalue() == "progress: fetch 4/10 (40%) | clean 2\n"
    progress.advance("fetch", 6)  # fetch is done: worth a line at once
    assert out.getvalue().splitlines()[-1] == "progress: fetch 10/10 (100%) | clean 2"
    progress.advance("fetch", 1)  # past the total: no line for every extra item
    assert len(out.getvalue().splitlines()) == 2
    progress.close()
    progress.close()
    assert len(out.getvalue().splitlines()) == 3


def test_totals_can_come_later_and_counts_are_thread_safe() -> None:
    out = io.StringIO()
    with Progress(["fetch"], stream=out, interval=3600) as progress:
        progress.set_total("fetch", 4000)

        def work() -> None:
            for _ in range(1000):
                progress.advance("fetch")

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert progress.done["fetch"] == 4000
    assert out.getvalue().splitlines()[-1] == "progress: fetch 4000/4000 (100%)"


def test_unknown_stage_is_a_clear_error() -> None:
    progress = Progress(["fetch", "load"], stream=io.StringIO())
    with pytest.raises(UnknownStage, match="stages are fetch, load"):
        progress.advance("fecth")


def test_terminal_gets_bars() -> None:
    pytest.importorskip("rich")
    out = io.StringIO()
    with Progress(["fetch", "extract"], total=5, stream=out, tty=True) as progress:
        progress.advance("fetch", 5)
        progress.advance("extract", 2)
    shown = out.getvalue()
    assert "fetch" in shown and "extract" in shown
    assert "5/5" in shown and "2/5" in shown
    assert "progress:" not in shown  # bars, not log lines
