"""The analyst subcommands through the real `rasd` entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rasd.cli import main


def test_sql_view_as_json(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sql", "--warehouse", str(warehouse), "--view", "hotspots_7d", "--format", "json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["location"] for r in rows] == ["Aden", "Sirte", "Tripoli"]


def test_sql_query_as_table(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sql", "--warehouse", str(warehouse), "SELECT count(*) AS n FROM events"])
    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["n", "--", "10", "(1 row)"]


def test_warehouse_from_the_environment(
    warehouse: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASD_WAREHOUSE", str(warehouse))
    assert main(["sql", "SELECT 1 AS one", "--format", "csv"]) == 0
    assert capsys.readouterr().out == "one\n1\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sql", "--view", "nope"], "available views: actor_pairs"),
        (["sql", "SELECT * FROM nowhere"], "SQL error: Catalog Error"),
        (["sql"], "give either a SQL query or --view NAME"),
        (["report", "--out", "r.html", "--run", "nope"], "no run 'nope'"),
        (["export", "--out", "x", "--since", "2016-07-01", "--until", "2016-06-01"], "after"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv, message
) -> None:
    argv = [a if a not in ("r.html", "x") else str(tmp_path / a) for a in argv]
    code = main([*argv, "--warehouse", str(warehouse)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and err.startswith("rasd: ")


def test_missing_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--view", "events", "--warehouse", str(tmp_path / "no.duckdb")]) == 2
    assert "no warehouse at" in capsys.readouterr().err


def test_export_and_report(warehouse: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "export"
    argv = ["export", "--format", "csv", "--out", str(out), "--since", "2016-06-01"]
    assert main([*argv, "--warehouse", str(warehouse)]) == 0
    assert "events: 8 rows" in capsys.readouterr().out
    assert (out / "events" / "month=2016-06" / "part-0.csv").is_file()
    report = tmp_path / "report.html"
    argv = ["report", "--out", str(report), "--warehouse", str(warehouse)]
    assert main(argv) == 0
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_bad_date_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--out", "x", "--since", "June"])
    assert exit_.value.code == 2
    assert "'June' is not a date; use YYYY-MM-DD" in capsys.readouterr().err
