"""The gold scorer on hand-built gold articles and predictions."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rasd.extract.scoring import (
    GoldFormatError,
    article_from_gold,
    haversine_km,
    load_gold,
    parse_gold_line,
    score,
)

SIRTE = (31.20892, 16.58866)
BENGHAZI = (32.11486, 20.06859)


def gold_event(event_type, where, day="2020-05-20", **extra):
    event = {
        "event_type": event_type,
        "sub_event_type": "",
        "event_date": day,
        "date_explicit": True,
        "location": "Sirte" if where == SIRTE else "Benghazi",
        "latitude": where[0],
        "longitude": where[1],
        "fatalities": 0,
        "injuries": 0,
    }
    event.update(extra)
    return event


def gold_line(article_id, *events, **extra):
    return parse_gold_line(
        json.dumps({"id": article_id, "published": "2020-05-20", "events": list(events), **extra})
    )


def predicted(event_type, where, day="2020-05-20", fatalities=0, injuries=0):
    return {
        "event_type": event_type,
        "event_date": day,
        "location": "x",
        "latitude": where[0],
        "longitude": where[1],
        "fatalities": fatalities,
        "injuries": injuries,
    }


def test_exact_match_counts_figures_and_dates():
    gold = [gold_line("a", gold_event("Battles", SIRTE, fatalities=4, injuries=2))]
    result = score({"a": [predicted("Battles", SIRTE, fatalities=4, injuries=3)]}, gold)
    assert (result.true_positives, result.false_positives, result.false_negatives) == (1, 0, 0)
    assert result.f1 == 1.0
    assert result.fatalities_rate == 1.0 and result.injuries_rate == 0.0
    assert result.dates_rate == 1.0
    assert "wrong figures" in result.report()


def test_25_km_rule():
    near = (SIRTE[0] + 0.1, SIRTE[1])  # about 11 km north
    far = (SIRTE[0] + 0.5, SIRTE[1])  # about 56 km north
    gold = [gold_line("a", gold_event("Battles", SIRTE))]
    assert score({"a": [predicted("Battles", near)]}, gold).true_positives == 1
    result = score({"a": [predicted("Battles", far)]}, gold)
    assert (result.true_positives, result.false_positives, result.false_negatives) == (0, 1, 1)
    assert 10 < haversine_km(*SIRTE, *near) < 12


def test_type_must_agree_unless_an_alternative():
    gold = [gold_line("a", gold_event("Battles", SIRTE, alt_types=["Strategic developments"]))]
    assert score({"a": [predicted("Strategic developments", SIRTE)]}, gold).true_positives == 1
    assert score({"a": [predicted("Riots", SIRTE)]}, gold).true_positives == 0


def test_optional_events_are_neutral():
    gold = [gold_line("a", gold_event("Battles", SIRTE, optional=True))]
    matched = score({"a": [predicted("Battles", SIRTE)]}, gold)
    missed = score({"a": []}, gold)
    for result in (matched, missed):
        assert (result.true_positives, result.false_positives, result.false_negatives) == (0, 0, 0)
    assert matched.optional_matched == 1


def test_one_to_one_matching_closest_first():
    gold = [
        gold_line(
            "a",
            gold_event("Battles", SIRTE, day="2020-05-19"),
            gold_event("Battles", SIRTE, day="2020-05-20"),
        )
    ]
    preds = [predicted("Battles", SIRTE, day="2020-05-20")] * 3
    result = score({"a": preds}, gold)
    assert (result.true_positives, result.false_positives) == (2, 1)
    assert result.dates_compared == 2 and result.dates_exact == 1


def test_events_in_negative_articles_are_counted():
    gold = [gold_line("neg"), gold_line("a", gold_event("Battles", BENGHAZI))]
    result = score({"neg": [predicted("Battles", SIRTE)], "a": []}, gold)
    assert result.negative_articles == 1 and result.negative_events == 1
    assert result.false_positives == 1 and result.false_negatives == 1
    assert result.precision == 0.0 and result.f1 == 0.0
    report = result.report()
    assert "neg" in report and "Benghazi" in report


def test_event_objects_and_dicts_both_score(tmp_path):
    from rasd.extract import extract_events

    line = {
        "id": "own",
        "published": "2020-05-20",
        "title": "",
        "paragraphs": ["اندلعت اشتباكات عنيفة بين الجيش ومسلحين في مدينة سرت اليوم."],
        "events": [gold_event("Battles", SIRTE)],
    }
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    gold = load_gold(path)
    events = extract_events(article_from_gold(gold[0]))
    assert score({"own": events}, gold).f1 == 1.0
    assert gold[0].published == date(2020, 5, 20)


def test_bad_gold_is_a_clear_error(tmp_path):
    with pytest.raises(GoldFormatError, match="invalid JSON"):
        parse_gold_line("{not json")
    with pytest.raises(GoldFormatError, match="missing field"):
        parse_gold_line(json.dumps({"id": "x", "events": [{"location": "Sirte"}]}))
    with pytest.raises(GoldFormatError, match="not found"):
        load_gold(tmp_path / "missing.jsonl")
    with pytest.raises(GoldFormatError, match="no paragraphs"):
        article_from_gold(gold_line("x"))
