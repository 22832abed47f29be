from __future__ import annotations

from pathlib import Path

import pytest

from tests.analyst.warehouse_rows import create_warehouse, fill_warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse file with the known rows of warehouse_rows, closed and ready to read."""
    path = tmp_path / "warehouse.duckdb"
    create_warehouse(path)
    fill_warehouse(path)
    return path


@pytest.fixture
def empty_warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "empty.duckdb"
    create_warehouse(path)
    return path
