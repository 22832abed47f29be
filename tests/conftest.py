"""Fixtures shared across the suite: the bundled sample site on a real local server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from rasd.sample_server import SiteServer, serve_site
from rasd.settings import DATA_DIR

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session", autouse=True)
def kept_reference_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Runs started by the tests keep their gazetteer in the session's temporary folder,
    not in the user's cache (subprocesses inherit the setting)."""
    before = os.environ.get("RASD_CACHE_DIR")
    os.environ["RASD_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        del os.environ["RASD_CACHE_DIR"]
    else:
        os.environ["RASD_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "gold" / "seeds.jsonl").is_file():
        pytest.skip("../shared with the gold files is not beside the project")
    return SHARED


@pytest.fixture
def sample_site() -> Iterator[SiteServer]:
    with serve_site(DATA_DIR / "sample_site") as server:
        yield server


def write_sources(path: Path, entries: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def sample_sources(tmp_path: Path, sample_site: SiteServer) -> Path:
    """A sources file pointing at the sample site's sitemap index on its random port."""
    return write_sources(
        tmp_path / "sources.yaml",
        [{"name": "sample", "kind": "sitemap", "url": sample_site.url("sitemap_index.xml")}],
    )
