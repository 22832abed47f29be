"""The extractor's shortcuts skip work, never events: each test is a case a shortcut could
get wrong if it were too eager."""

from __future__ import annotations

from datetime import date, datetime

from rasd.extract.normalize import normalize
from rasd.extract.triggers import default_lexicon
from tests.extract.articles import article_events, only, summary

PUBLISHED = datetime(2024, 3, 10, 12, 0)  # a Sunday


def test_an_air_strike_told_without_any_trigger_word_is_read():
    sentence = "استهدفت مروحيات الجيش مواقع المسلحين في مدينة سرت أمس."
    assert default_lexicon().find_triggers(normalize(sentence)) == []  # the case itself
    event = only(article_events(sentence, published=PUBLISHED))
    assert (event.sub_event_type, event.location, event.event_date) == (
        "Air/drone strike",
        "Sirte",
        date(2024, 3, 9),
    )


def test_a_page_without_an_act_word_codes_nothing():
    events = article_events(
        "افتتح رئيس البلدية معرضا للكتاب في مدينة بنغازي اليوم.",
        "وقال إن المعرض يستمر أسبوعا كاملا.",
        published=PUBLISHED,
    )
    assert events == [], summary(events)
