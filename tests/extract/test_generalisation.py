"""Rules that must hold beyond the articles they were first written for: figurative war
words, history, arrests, handovers, pluperfect incidents, metonyms, figures per incident."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from rasd.models import Event
from tests.extract.articles import article_events, only

# 2021-03-10 was a Wednesday: أمس = 9 March, الخميس = 4 March.
PUBLISHED = datetime(2021, 3, 10, 8, 0)
TODAY, YESTERDAY, THURSDAY = date(2021, 3, 10), date(2021, 3, 9), date(2021, 3, 4)


events_of = partial(article_events, published=PUBLISHED)


def summary(events: list[Event]) -> list[tuple]:
    return [(e.event_type, e.sub_event_type, e.location, e.event_date) for e in events]


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


# --- 2. history -------------------------------------------------------------------------------


def test_old_year_makes_the_paragraph_history() -> None:
    assert (
        events_of(
            "في ربيع عام 1915 وصلت القوات البريطانية إلى مدينة الكوت. "
            "وحوصرت القوات هناك طويلا، وقتل الآلاف في المعارك."
        )
        == []
    )


def test_anniversary_of_a_battle_is_no_event() -> None:
    assert events_of("أحيا أهالي مدينة درعا أمس ذكرى معركة قتل فيها العشرات من المقاتلين.") == []


def test_recent_day_after_a_history_paragraph_is_an_event() -> None:
    events = events_of(
        "شهدت مدينة الكوت معارك طاحنة عام 1916.",
        "وقتل ثلاثة جنود أمس في اشتباكات مع مسلحين في مدينة الكوت.",
    )
    assert [(e.location, e.event_date, e.fatalities) for e in events] == [("Al-Kut", YESTERDAY, 3)]


# --- 5. pluperfect earlier incidents ----------------------------------------------------------


def test_pluperfect_incident_on_its_own_day_is_an_event() -> None:
    event = only(
        events_of(
            "أصدرت منظمة حقوقية بيانا اليوم في مدينة تعز. "
            "وكان مسلحون قد اختطفوا الناشط الحقوقي مساء الخميس في المدينة."
        )
    )
    assert (event.sub_event_type, event.event_date) == (
        "Abduction/forced disappearance",
        THURSDAY,
    )


def test_pluperfect_toll_of_a_vague_period_is_no_event() -> None:
    events = events_of(
        "انفجرت عبوة ناسفة في مدينة الحسكة اليوم وأصيب شخصان. "
        "وكان خمسة أشخاص قد قتلوا الشهر الماضي في المدينة."
    )
    assert [(e.event_date, e.fatalities) for e in events] == [(TODAY, 0)]


# --- 7f. live page: each day keeps its figures ------------------------------------------------


def test_update_header_weekday_dates_its_block() -> None:
    events = events_of(
        "تحديث - 10:15 تغ الثلاثاء",
        "قتل أربعة أشخاص في قصف على مدينة حماة.",
        "تحديث - 09:00 تغ الأربعاء",
        "أصيب سبعة أشخاص في قصف جديد على مدينة حماة.",
    )
    assert [(e.event_date, e.fatalities, e.injuries) for e in events] == [
        (YESTERDAY, 4, 0),
        (TODAY, 0, 7),
    ]


# --- 3. arrests ------------------------------------------------------------------------------


def test_arrests_by_security_forces_are_events() -> None:
    for text in (
        "اعتقلت الأجهزة الأمنية أمس ثلاثة أشخاص في مدينة الرمادي.",
        "ألقت قوات الشرطة القبض على خمسة مطلوبين في مدينة البصرة أمس.",
        "أوقفت دورية أمنية أمس شابين في مدينة القامشلي.",
    ):
        event = only(events_of(text))
        assert (event.sub_event_type, event.event_date) == ("Arrests", YESTERDAY), text


def test_arrest_dated_and_placed_by_the_sentence_before() -> None:
    event = only(
        events_of("شهدت مدينة القامشلي حملة أمنية أمس. واعتقلت الأجهزة الأمنية ثلاثة أشخاص خلالها.")
    )
    assert (event.location, event.event_date) == ("Al Qamishli", YESTERDAY)


def test_definite_air_strikes_are_air_strikes() -> None:
    event = only(events_of("أسفرت الضربات الجوية على مدينة البوكمال أمس عن مقتل أربعة أشخاص."))
    assert (event.sub_event_type, event.fatalities) == ("Air/drone strike", 4)
