from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rasd.analyst.errors import WarehouseNotFound
from rasd.analyst.report import UnknownRun, write_report
from tests.analyst.png import read_pixels
from tests.analyst.warehouse_rows import RUN1, RUN2

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BATTLES_RED = bytes((0xC0, 0x39, 0x2B))  # data/report/event_colors.csv
# (day, type) pairs of the fixture's dated events, merged across sources
EXPECTED_BARS = 9
EXPECTED_PLACES = 4


@pytest.fixture
def report(warehouse: Path, tmp_path: Path) -> str:
    docs = tmp_path / "validation"
    docs.mkdir()
    (docs / "index.html").write_text("<html></html>", encoding="utf-8")
    out = write_report(warehouse, tmp_path / "reports" / "report.html")
    return out.read_text(encoding="utf-8")


def test_latest_run_is_summarised(report: str) -> None:
    assert f'Run <span dir="auto">{RUN2}</span>' in report
    assert "connection refused: 1" in report
    assert "event/event_type_known: 1" in report


def test_an_older_run_can_be_asked_for(warehouse: Path, tmp_path: Path) -> None:
    html = write_report(warehouse, tmp_path / "r.html", run_id=RUN1).read_text(encoding="utf-8")
    assert RUN1 in html and "HTTP 404: 1; timeout: 1" in html


def test_unknown_run_names_the_known_ones(warehouse: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownRun, match=RUN2):
        write_report(warehouse, tmp_path / "r.html", run_id="nope")


def test_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(WarehouseNotFound):
        write_report(tmp_path / "none.duckdb", tmp_path / "r.html")


def test_charts_have_a_bar_per_day_and_type_and_a_circle_per_town(report: str) -> None:
    assert report.count('<rect class="bar"') == EXPECTED_BARS
    assert report.count('<circle class="place"') == EXPECTED_PLACES
    assert re.search(r'data-day="2016-06-01" data-type="Battles" data-count="1"', report)


def test_article_text_is_escaped_and_arabic_is_right_to_left(report: str) -> None:
    assert "<script>alert" not in report
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in report
    assert '<p class="evidence" dir="rtl" lang="ar">فجر انتحاري نفسه في عدن' in report
    assert '<p class="evidence" dir="auto">Four killed' in report


def test_self_contained_and_linked_to_the_data_docs(report: str) -> None:
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", report)
    assert 'href="../validation/index.html"' in report
    assert "not found when this report" not in report


def test_empty_warehouse_gives_a_report_without_charts(
    empty_warehouse: Path, tmp_path: Path
) -> None:
    html = write_report(empty_warehouse, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No runs recorded yet." in html and "No dated events yet." in html
    assert "<svg" not in html


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "chromium is not installed; install it with: apt-get install -y chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _run_chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    command = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_browser_renders_the_charts(warehouse: Path, tmp_path: Path) -> None:
    out = write_report(warehouse, tmp_path / "report.html")
    result = _run_chromium(["--dump-dom", out.as_uri()], tmp_path)
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert dom.count('class="bar"') == EXPECTED_BARS
    assert dom.count('class="place"') == EXPECTED_PLACES
    assert 'id="events-per-day"' in dom and 'id="places-map"' in dom


def test_browser_screenshot_shows_the_chart(warehouse: Path, tmp_path: Path) -> None:
    out = write_report(warehouse, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    result = _run_chromium(
        ["--window-size=1000,1200", f"--screenshot={shot}", out.as_uri()], tmp_path
    )
    assert shot.is_file(), result.stderr[-2000:]
    width, height, bpp, pixels = read_pixels(shot)
    assert (width, height) == (1000, 1200)
    pixel_colors = {pixels[i : i + 3] for i in range(0, len(pixels), bpp)}
    assert len(pixel_colors) > 50, "the screenshot is blank"
    assert BATTLES_RED in pixel_colors, "no Battles bar was painted"
