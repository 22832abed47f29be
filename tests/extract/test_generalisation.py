"""Rules that must hold beyond the articles they were first written for: figurative war
words, history, arrests, handovers, pluperfect incidents, metonyms, figures per incident."""

from __future__ import annotations

from datetime import date, datetime

from rasd.extract import extract_events
from rasd.models import Article, Event

# 2021-03-10 was a Wednesday: أمس = 9 March, الخميس = 4 March.
PUBLISHED = datetime(2021, 3, 10, 8, 0)
TODAY, YESTERDAY, THURSDAY = date(2021, 3, 10), date(2021, 3, 9), date(2021, 3, 4)


def events_of(*paragraphs: str, title: str = "") -> list[Event]:
    return extract_events(
        Article(
            article_id="generalisation",
            url="http://127.0.0.1/generalisation",
            source="test",
            site="test",
            title=title,
            published_at=PUBLISHED,
            language="ar",
            text="\n\n".join(paragraphs),
        )
    )


def summary(events: list[Event]) -> list[tuple]:
    return [(e.event_type, e.sub_event_type, e.location, e.event_date) for e in events]


def only(events: list[Event]) -> Event:
    assert len(events) == 1, summary(events)
    return events[0]


# --- 1. war words used figuratively ---------------------------------------------------------


def test_trade_war_words_are_no_event() -> None:
    text = "تصاعدت حرب العملات بين البلدين أمس بعد أن تبادلت الحكومتان الضربات الجمركية في القاهرة."
    assert events_of(text) == []


def test_quoted_war_word_with_nobody_hurt_is_a_figure_of_speech() -> None:
    assert events_of('شنت الحكومة "قصفا" على الأسواق في دمشق أمس برفع الضرائب على السلع.') == []
    assert events_of("وصف الوزير قرار البنك في مدينة حلب أمس بأنه «هجوم» متعمد على التجار.") == []


def test_quoted_word_with_victims_is_still_an_event() -> None:
    event = only(events_of("قتل أربعة أشخاص في «قصف» على مدينة إدلب أمس."))
    assert (event.location, event.fatalities) == ("Idlib", 4)


# --- 4. territory handed over without a fight -----------------------------------------------


def test_entry_without_clashes_is_a_non_violent_transfer() -> None:
    event = only(
        events_of("دخلت وحدات من الجيش مدينة منبج أمس دون مواجهات بعد انسحاب المقاتلين منها.")
    )
    assert (event.event_type, event.sub_event_type) == (
        "Strategic developments",
        "Non-violent transfer of territory",
    )
    assert (event.location, event.event_date) == ("Manbij", YESTERDAY)


def test_taking_over_headquarters_is_a_non_violent_transfer() -> None:
    event = only(
        events_of("انتشرت قوات الشرطة أمس في مدينة الرقة بعد تسليم المقرات من قبل الفصائل المسلحة.")
    )
    assert event.sub_event_type == "Non-violent transfer of territory"


# --- 7. figures ------------------------------------------------------------------------------


def test_differing_sources_in_one_sentence_give_the_lowest() -> None:
    event = only(
        events_of(
            "قالت مصادر طبية إن تسعة أشخاص قتلوا في قصف على مدينة إدلب أمس، "
            "بينما أفاد ناشطون بمقتل 11 شخصا."
        )
    )
    assert event.fatalities == 9


def test_sides_killed_in_one_sentence_add_up() -> None:
    event = only(events_of("قتل ثلاثة جنود وخمسة مسلحين في اشتباكات في مدينة درعا أمس."))
    assert event.fatalities == 8


# --- 6. capitals standing for governments ---------------------------------------------------


def test_backing_capital_is_never_the_location() -> None:
    events = events_of(
        "هاجمت الفصائل المدعومة من أنقرة أمس مواقع القوات الكردية وقتل أربعة مقاتلين."
    )
    assert all(e.location != "Ankara" for e in events), summary(events)


def test_foreign_capital_as_speaker_is_not_the_location() -> None:
    event = only(
        events_of(
            "وصفتها واشنطن بأنها منظمة إرهابية بعد أن قتل مسلحوها خمسة جنود "
            "في هجوم على مدينة الرقة أمس."
        )
    )
    assert event.location == "Ar Raqqah"


def test_capital_after_a_location_word_is_a_place() -> None:
    event = only(events_of("انفجرت سيارة مفخخة في دمشق أمس وقتل ثلاثة أشخاص."))
    assert event.location == "Damascus"
