"""The validate stage against the real suites in expectations/ and the real reference data."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from rasd.models import Article, Event, stable_id
from rasd.validate import (
    ARABIC_BLOCKS,
    ARTICLE_QUARANTINED,
    QuarantineRow,
    ValidationSuiteError,
    arabic_ratio,
    build_validation_docs,
    load_country_bounds,
    load_taxonomy,
    validate_batch,
)

SPEC_PAIRS = {
    ("Battles", "Armed clash"),
    ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Violence against civilians", "Attack"),
    ("Violence against civilians", "Abduction/forced disappearance"),
    ("Protests", "Peaceful protest"),
    ("Riots", "Mob violence"),
    ("Strategic developments", "Arrests"),
    ("Strategic developments", "Other"),
}
MENA_SAHEL_HORN = {
    *("DZ", "BH", "EG", "IR", "IQ", "IL", "JO", "KW", "LB", "LY", "MA", "OM", "PS", "QA"),
    *("SA", "SY", "TN", "TR", "AE", "YE", "EH", "SD", "SS", "ER", "ET", "DJ", "SO", "KE"),
    *("ML", "NE", "TD", "BF", "MR", "NG", "SN", "CM", "CF"),
}

PUBLISHED = datetime(2015, 6, 10, 9, 30, tzinfo=UTC)
TEXT = (
    "قالت مصادر محلية إن اشتباكات عنيفة اندلعت صباح اليوم في مدينة سرت بين قوات الجيش "
    "ومسلحين، وأسفرت عن مقتل ثلاثة أشخاص وإصابة خمسة آخرين.\n\n"
    "وأضافت المصادر أن الهدوء عاد إلى المدينة بعد الظهر."
)


def make_article(url: str = "http://127.0.0.1/news/1", **changes: object) -> Article:
    article = Article(
        article_id=Article.id_for(url),
        url=url,
        source="sample",
        site="127.0.0.1",
        title="اشتباكات في سرت",
        published_at=PUBLISHED,
        language="ar",
        text=TEXT,
        content_hash=stable_id("body", url),
    )
    return replace(article, **changes)


def make_event(article: Article, n: int = 1, **changes: object) -> Event:
    event = Event(
        event_id=stable_id("event", article.article_id, n),
        article_id=article.article_id,
        url=article.url,
        event_date=date(2015, 6, 10),
        date_explicit=True,
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Military Forces of Libya",
        actor2="Unidentified armed group",
        location="Sirte",
        location_as_written="سرت",
        admin1="Surt",
        country="Libya",
        latitude=31.20892,
        longitude=16.58866,
        fatalities=3,
        injuries=5,
        notes="اندلعت اشتباكات عنيفة في مدينة سرت وأسفرت عن مقتل ثلاثة أشخاص",
        confidence=0.9,
    )
    return replace(event, **changes)


def run(articles: list[Article], events: list[Event], docs_dir: Path | None = None):
    return validate_batch(articles, events, run_id="test-run", docs_dir=docs_dir)


def reasons(batch, record_id: str) -> list[str]:
    return next(q.failed_expectations for q in batch.quarantine if q.record_id == record_id)


def test_good_rows_pass() -> None:
    article = make_article()
    events = [
        make_event(article, 1),
        make_event(
            article,
            2,
            event_type="Explosions/Remote violence",
            sub_event_type="Air/drone strike",
            location="Benghazi",
            latitude=32.11486,
            longitude=20.06859,
            event_date=date(2015, 6, 9),
            fatalities=0,
            injuries=0,
        ),
    ]
    batch = run([article], events)
    assert batch.quarantine == []
    assert batch.articles == [article]
    assert batch.events == events


def test_publication_date_unknown_allows_any_past_date() -> None:
    article = make_article(published_at=None)
    batch = run([article], [make_event(article, event_date=date(2011, 2, 17))])
    assert batch.quarantine == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"sub_event_type": "Air/drone strike"}, "sub_event_type_matches_event_type"),
        ({"event_type": "Skirmish"}, "event_type_in_taxonomy"),
        ({"event_date": date(2015, 6, 12)}, "event_date_not_after_publication"),
        ({"event_date": date(1979, 3, 1)}, "event_date_not_before_1990"),
        ({"latitude": 30.0444, "longitude": 31.2357}, "coordinates_inside_country"),
        ({"latitude": 131.2}, "latitude_in_range"),
        ({"country": "Atlantis"}, "country_in_reference"),
        ({"fatalities": -2}, "fatalities_not_negative"),
        ({"fatalities": 25000}, "fatalities_plausible"),
        ({"fatalities": 2.5}, "fatalities_whole_number"),
        ({"injuries": -1}, "injuries_not_negative"),
        ({"injuries": 9999}, "injuries_plausible"),
        ({"notes": "   "}, "notes_not_empty"),
        ({"confidence": 1.7}, "confidence_in_range"),
    ],
)
def test_each_event_expectation_catches_its_bad_row(changes: dict, reason: str) -> None:
    article = make_article()
    good = make_event(article, 1)
    bad = make_event(article, 2, **changes)
    batch = run([article], [good, bad])
    assert batch.events == [good]
    assert [q.record_id for q in batch.quarantine] == [bad.event_id]
    assert reasons(batch, bad.event_id) == [reason]


def test_event_in_the_future_without_publication_date() -> None:
    article = make_article(published_at=None)
    future = datetime.now(UTC).date() + timedelta(days=5)
    bad = make_event(article, event_date=future)
    batch = run([article], [bad])
    assert reasons(batch, bad.event_id) == ["event_date_not_in_future"]


def test_country_matched_by_iso2_code() -> None:
    article = make_article()
    batch = run([article], [make_event(article, country="LY")])
    assert batch.quarantine == []


def test_duplicate_event_ids_are_quarantined() -> None:
    article = make_article()
    first = make_event(article, 1)
    twin = replace(make_event(article, 2, location="Derna"), event_id=first.event_id)
    batch = run([article], [first, twin])
    assert batch.events == []
    assert [q.failed_expectations for q in batch.quarantine] == [["event_id_unique"]] * 2


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"text": "  \n\n "}, "text_not_empty"),
        ({"text": TEXT + '\n\n[gallery ids="12,14"] [/caption]'}, "text_free_of_shortcodes"),
        ({"text": TEXT + "\n\nإجمالي الحالات ١٢٣٤٥ حالة"}, "text_free_of_widget_counters"),
        (
            {"text": "Clashes broke out in the city this morning between the army and gunmen."},
            "text_mostly_arabic",
        ),
        ({"title": None}, "title_present"),
    ],
)
def test_each_article_expectation_catches_its_bad_row(changes: dict, reason: str) -> None:
    good = make_article("http://127.0.0.1/news/good")
    bad = make_article("http://127.0.0.1/news/bad", **changes)
    batch = run([good, bad], [])
    assert batch.articles == [good]
    assert reasons(batch, bad.article_id) == [reason]


def test_duplicate_article_ids_are_quarantined() -> None:
    first = make_article("http://127.0.0.1/news/a")
    twin = replace(make_article("http://127.0.0.1/news/b"), article_id=first.article_id)
    batch = run([first, twin], [])
    assert batch.articles == []
    assert {tuple(q.failed_expectations) for q in batch.quarantine} == {("article_id_unique",)}


def test_quarantined_article_takes_its_events() -> None:
    good_article = make_article("http://127.0.0.1/news/good")
    bad_article = make_article("http://127.0.0.1/news/bad", text="")
    kept = make_event(good_article, 1)
    clean_but_orphaned = make_event(bad_article, 1)
    also_bad = make_event(bad_article, 2, fatalities=-1)
    batch = run([good_article, bad_article], [kept, clean_but_orphaned, also_bad])
    assert batch.articles == [good_article]
    assert batch.events == [kept]
    assert reasons(batch, bad_article.article_id) == ["text_not_empty"]
    assert reasons(batch, clean_but_orphaned.event_id) == [ARTICLE_QUARANTINED]
    assert reasons(batch, also_bad.event_id) == ["fatalities_not_negative", ARTICLE_QUARANTINED]


def test_quarantine_rows_keep_the_whole_record_and_a_stable_id() -> None:
    article = make_article()
    bad = make_event(article, fatalities=-3)
    first = run([article], [bad]).quarantine[0]
    second = run([article], [bad]).quarantine[0]
    assert first.kind == "event" and first.url == article.url
    assert first.record["fatalities"] == -3
    assert first.record["event_date"] == "2015-06-10"
    assert json.loads(first.record_json)["notes"] == bad.notes
    assert first.quarantine_id == second.quarantine_id
    other = QuarantineRow("event", bad.event_id, bad.url, ["fatalities_plausible"], first.record)
    assert other.quarantine_id != first.quarantine_id


def test_data_docs_html_written(tmp_path: Path) -> None:
    article = make_article()
    run([article], [make_event(article), make_event(article, 2, fatalities=-1)], tmp_path)
    assert build_validation_docs(tmp_path) == tmp_path / "index.html"
    assert (tmp_path / "index.html").is_file()
    pages = {p.parent.parent.parent.name for p in (tmp_path / "validations").rglob("*.html")}
    assert pages == {"articles", "events"}
    events_page = next((tmp_path / "validations" / "events").rglob("*.html"))
    assert "fatalities" in events_page.read_text(encoding="utf-8")
    results = list((tmp_path / "results" / "test-run").glob("events-*.json"))
    assert results and json.loads(results[0].read_text(encoding="utf-8"))["success"] is False


def test_empty_batch() -> None:
    batch = run([], [])
    assert (batch.articles, batch.events, batch.quarantine) == ([], [], [])


def test_nothing_to_validate_does_not_load_the_suites(tmp_path: Path) -> None:
    # Even suites that could not load are not touched when a batch holds no row.
    (tmp_path / "articles.json").write_text("{not json", encoding="utf-8")
    batch = validate_batch([], [], run_id="r", docs_dir=None, expectations_dir=tmp_path)
    assert batch.quarantine == []


def test_broken_suite_raises_instead_of_losing_rows(tmp_path: Path) -> None:
    suites = Path(__file__).resolve().parent.parent / "expectations"
    (tmp_path / "articles.json").write_text(
        (suites / "articles.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    events = json.loads((suites / "events.json").read_text(encoding="utf-8"))
    events["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "no_such_column"},
            "meta": {"name": "no_such_column_present"},
        }
    )
    (tmp_path / "events.json").write_text(json.dumps(events), encoding="utf-8")
    article = make_article()
    with pytest.raises(ValidationSuiteError, match="no_such_column"):
        validate_batch(
            [article], [make_event(article)], run_id="r", docs_dir=None, expectations_dir=tmp_path
        )


def test_suite_without_names_is_refused(tmp_path: Path) -> None:
    unnamed = {
        "name": "articles",
        "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "url"}}
        ],
    }
    for kind in ("articles", "events"):
        (tmp_path / f"{kind}.json").write_text(json.dumps(unnamed), encoding="utf-8")
    with pytest.raises(ValidationSuiteError, match="meta.name"):
        validate_batch([make_article()], [], run_id="r", docs_dir=None, expectations_dir=tmp_path)


def test_reference_data_covers_the_region_and_the_taxonomy() -> None:
    bounds = load_country_bounds()
    missing = sorted(code for code in MENA_SAHEL_HORN if code.lower() not in bounds)
    assert missing == []
    assert bounds["libya"] == bounds["ly"]
    assert bounds["syria"].contains(36.2021, 37.1343)  # Aleppo
    assert not bounds["syria"].contains(30.0444, 31.2357)  # Cairo
    assert load_taxonomy() >= SPEC_PAIRS


def test_arabic_ratio() -> None:
    assert arabic_ratio("قتل ثلاثة") == 1.0
    assert arabic_ratio("abc") == 0.0
    assert arabic_ratio("قتل abc") == pytest.approx(3 / 6)
    assert arabic_ratio("  ") is None


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        "قُتِلَ ثَلاثَةٌ في الهجوم",  # short vowels are marks, not letters
        "سقط ١٢ صاروخاً و 3 قذائف",  # Arabic-Indic and ASCII digits
        "ﷲ ﻻ ﺑﺎﺏ",  # presentation forms
        "قال المتحدث: «ceasefire» ثم غادر — Ⅳ ½ ² 一 Ωμέγα",
        "ـــ ، ؟ ؛",  # tatweel (a letter) and Arabic punctuation
        "Δ 42 ½",
    ],
)
def test_arabic_ratio_counts_letters_one_by_one(text: str) -> None:
    # The definition, character by character: Arabic letters over all letters.
    letters = [c for c in text if c.isalpha()]
    arabic = [c for c in letters if any(lo <= ord(c) <= hi for lo, hi in ARABIC_BLOCKS)]
    expected = len(arabic) / len(letters) if letters else 0.0
    assert arabic_ratio(text) == expected
