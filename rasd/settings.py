"""Run settings, read from the environment so one setting switches where things go."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
SQL_DIR = REPO_ROOT / "sql"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
DEFAULT_SOURCES = DATA_DIR / "sources.yaml"
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse.duckdb"
DEFAULT_USER_AGENT = "rasd/0.1 (conflict-event monitor; set RASD_USER_AGENT to name your operator)"


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


def _float_env(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


def default_cache_dir() -> Path:
    """Where reference data built from data/ is kept between runs (rasd.kept):
    $RASD_CACHE_DIR, else rasd/ in the user's cache folder ($XDG_CACHE_HOME or ~/.cache)."""
    explicit = os.environ.get("RASD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "rasd"
    try:
        return Path.home() / ".cache" / "rasd"
    except RuntimeError:  # a service account without a home: the copy is only a shortcut
        return Path(tempfile.gettempdir()) / "rasd-cache"


@dataclass(frozen=True)
class Settings:
    """Where the warehouse and its side files live, and how hard to work."""

    warehouse: Path = DEFAULT_WAREHOUSE
    user_agent: str = DEFAULT_USER_AGENT
    batch_size: int = 500  # pages per batch: bounds memory, amortises per-task cost
    validate_rows: int = 2000  # articles validated together: GX's cost is mostly per call
    workers: int = max(1, os.cpu_count() or 1)  # processes for clean + extract
    fetch_threads: int = 16
    fetch_timeout: float = 30.0  # seconds for one whole HTTP exchange
    fetch_retries: int = 2
    trust_lastmod: bool = True  # skip pages whose sitemap lastmod predates our last fetch
    dask_address: str | None = None  # a Dask scheduler to run the CPU stages on
    cache_dir: Path = field(default_factory=default_cache_dir)

    @property
    def download_apart(self) -> bool:
        """Whether downloads run in a process of their own: beside worker processes they
        would share the run process's interpreter lock with the hand-over of pages."""
        return self.workers > 1

    @property
    def home(self) -> Path:
        """The folder beside the warehouse that holds raw pages, staging and reports."""
        return self.warehouse.parent

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    @property
    def staging_dir(self) -> Path:
        return self.home / "staging"

    @property
    def validation_dir(self) -> Path:
        return self.home / "validation"

    @classmethod
    def from_env(cls, warehouse: str | Path | None = None) -> Settings:
        return cls(
            warehouse=Path(warehouse or os.environ.get("RASD_WAREHOUSE") or DEFAULT_WAREHOUSE),
            user_agent=os.environ.get("RASD_USER_AGENT", DEFAULT_USER_AGENT),
            batch_size=_int_env("RASD_BATCH_SIZE", 500),
            validate_rows=_int_env("RASD_VALIDATE_ROWS", 2000),
            workers=_int_env("RASD_WORKERS", max(1, os.cpu_count() or 1)),
            fetch_threads=_int_env("RASD_FETCH_THREADS", 16),
            fetch_timeout=_float_env("RASD_FETCH_TIMEOUT", 30.0),
            fetch_retries=_int_env("RASD_FETCH_RETRIES", 2),
            trust_lastmod=os.environ.get("RASD_TRUST_LASTMOD", "1") != "0",
            dask_address=os.environ.get("RASD_DASK_ADDRESS") or None,
        )  # cache_dir's default reads the environment itself
