"""Reference data kept pickled between runs: read while its inputs are unchanged, built
afresh when any of them changes, and never a reason for a run to fail."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from rasd.kept import inputs_digest, kept
from rasd.settings import Settings
from tests.hostile_server import HostileServer, news_site, site_sources
from tests.processes import run_fresh


class Counted:
    """A build that says how often it ran."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


# The start of a fresh interpreter's script that counts the gazetteers it builds in `builds`.
COUNTING_BUILDS = """
        from pathlib import Path
        from rasd.extract import places

        builds = []
        build = places.Gazetteer.__init__

        def counted(self, *args, **kwargs):
            builds.append(1)
            build(self, *args, **kwargs)

        places.Gazetteer.__init__ = counted
"""


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "sub").mkdir(parents=True)
    (folder / "names.tsv").write_text("طرابلس\tTripoli\n", encoding="utf-8")
    (folder / "sub" / "rules.yaml").write_text("cue: مدينة\n", encoding="utf-8")
    return folder


def test_what_is_kept_is_read_back_instead_of_built(tmp_path: Path) -> None:
    digest = inputs_digest([_inputs(tmp_path)])
    build = Counted({"طرابلس": (32.9, 13.2)})
    first = kept("places", build, digest, tmp_path / "cache")
    second = kept("places", build, digest, tmp_path / "cache")
    assert first == second == {"طرابلس": (32.9, 13.2)}
    assert build.calls == 1
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"places-{digest[:20]}.pickle"]


def test_any_change_to_an_input_builds_afresh_and_drops_the_old_copy(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    cache = tmp_path / "cache"
    before = inputs_digest([inputs])
    kept("places", Counted("old"), before, cache)
    (inputs / "sub" / "rules.yaml").write_text("cue: بلدة\n", encoding="utf-8")
    after = inputs_digest([inputs])
    assert after != before
    build = Counted("new")
    assert kept("places", build, after, cache) == "new" and build.calls == 1
    assert [p.name for p in cache.iterdir()] == [f"places-{after[:20]}.pickle"]
    (inputs / "added.csv").write_text("x\n", encoding="utf-8")
    assert inputs_digest([inputs]) != after  # a new file counts as a change too
    assert inputs_digest([inputs], ["duckdb"]) != inputs_digest([inputs])


def test_a_damaged_copy_is_built_again(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    digest = inputs_digest([_inputs(tmp_path)])
    cache = tmp_path / "cache"
    kept("places", Counted("value"), digest, cache)
    (cache / f"places-{digest[:20]}.pickle").write_bytes(b"\x80\x05not a pickle")
    build = Counted("value")
    with caplog.at_level(logging.WARNING, logger="rasd.kept"):
        assert kept("places", build, digest, cache) == "value"
    assert build.calls == 1 and "building it again" in caplog.text
    assert kept("places", Counted("other"), digest, cache) == "value"  # kept anew


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_that_cannot_be_written_costs_only_the_time(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o500)
    build = Counted("value")
    for _ in range(2):
        assert kept("places", build, "0" * 64, cache) == "value"
    assert build.calls == 2 and not list(cache.iterdir())


def test_a_cache_path_that_is_a_file_costs_only_the_time(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("not a folder", encoding="utf-8")
    build = Counted("value")
    for _ in range(2):
        assert kept("places", build, "0" * 64, cache) == "value"
    assert build.calls == 2 and cache.read_text(encoding="utf-8") == "not a folder"


def test_a_kept_gazetteer_finds_what_a_built_one_finds_without_being_built(
    tmp_path: Path,
) -> None:
    """The second process reads the gazetteer the first one kept, and resolves places as
    the built one does."""
    code = (
        COUNTING_BUILDS
        + f"""
        from rasd.extract.normalize import normalize

        places.keep_default_gazetteer_in(Path({str(tmp_path / "cache")!r}))
        gazetteer = places._default_gazetteer()
        text = normalize("قصف على بنغازي وسرت واشتباكات قرب سبها")
        print([m.candidates[0].name for m in gazetteer.find_places(text)], len(builds))
    """
    )
    built = run_fresh(code)
    read = run_fresh(code)
    assert built.endswith(" 1") and read.endswith(" 0")
    assert built.removesuffix(" 1") == read.removesuffix(" 0")
    assert "Benghazi" in read and "Sabha" in read


def test_the_cache_folder_is_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASD_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().cache_dir == Settings.from_env().cache_dir == tmp_path / "explicit"
    monkeypatch.delenv("RASD_CACHE_DIR")
    assert Settings().cache_dir == tmp_path / "xdg" / "rasd"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings().cache_dir == Path.home() / ".cache" / "rasd"
    monkeypatch.delenv("HOME")
    monkeypatch.setattr("pwd.getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    assert Settings().cache_dir == tmp_path / "tmp" / "rasd-cache"  # no home to be found


@pytest.mark.timeout(180)
def test_a_run_keeps_its_gazetteer_for_the_next_run(tmp_path: Path) -> None:
    """The first run builds the gazetteer and keeps it; the next reads it, and both load
    the same events."""
    cache = tmp_path / "cache"
    code = (
        COUNTING_BUILDS
        + """
        from rasd.pipeline import run_pipeline
        from rasd.settings import Settings

        settings = Settings(warehouse=Path({warehouse!r}), workers=2, batch_size=4)
        summary = run_pipeline(Path({sources!r}), settings)
        print(summary.status, summary.pages_fetched, summary.events, len(builds))
    """
    )
    with HostileServer(with_hostile_routes=False) as server:
        news_site(server, 10)
        sources = str(site_sources(tmp_path, server))
        env = {**os.environ, "RASD_CACHE_DIR": str(cache)}
        runs = [
            run_fresh(
                code.format(warehouse=str(tmp_path / name / "w.duckdb"), sources=sources), env
            )
            for name in ("first", "second")
        ]
    first, second = (run.split() for run in runs)
    assert first[:2] == ["completed", "10"] and first[3] == "1"
    assert second[:3] == first[:3] and second[3] == "0"
    assert [p.name.split("-")[0] for p in cache.iterdir()] == ["gazetteer"]
