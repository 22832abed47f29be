"""Rules for within-day periods, restated tolls that name their town, doers counted apart
from victims, "أحد" as one, arrests as the main act, lists of towns, provinces as a country
hint, history referred to later, undated mentions of a dated act, live blocks and dates."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from tests.extract.articles import article_events, only

# 2021-03-10 was a Wednesday: أمس = 9 March, الخميس = 4 March, الثلاثاء = 9 March.
PUBLISHED = datetime(2021, 3, 10, 8, 0)
TODAY, YESTERDAY, THURSDAY = date(2021, 3, 10), date(2021, 3, 9), date(2021, 3, 4)


events_of = partial(article_events, published=PUBLISHED)


# --- 1. "منذ" within one day ----------------------------------------------------------------


def test_fighting_since_dawn_is_one_day_and_its_toll_counts() -> None:
    event = only(
        events_of(
            "أسفرت المعارك التي استمرت منذ ساعات الفجر حتى المساء في مدينة درنة أمس "
            "عن مقتل سبعة مسلحين وإصابة 12 آخرين."
        )
    )
    assert (event.location, event.event_date, event.fatalities, event.injuries) == (
        "Derna",
        YESTERDAY,
        7,
        12,
    )


def test_shelling_since_the_morning_counts_for_the_day() -> None:
    event = only(events_of("قتل خمسة مدنيين في قصف مدفعي يستهدف مدينة حلب منذ صباح اليوم."))
    assert (event.location, event.event_date, event.fatalities) == ("Aleppo", TODAY, 5)


def test_toll_since_the_battle_began_stays_cumulative() -> None:
    assert events_of("قتل 120 مسلحا في مدينة سرت منذ بدء العملية العسكرية.") == []
    assert events_of("قتل 40 شخصا في اشتباكات بمدينة درنة منذ أسبوع.") == []


# --- 2. a later sentence that names the town -------------------------------------------------


def test_another_source_naming_the_town_gives_the_lowest_toll() -> None:
    event = only(
        events_of(
            "قتل 12 شخصا على الأقل في تفجير سيارة مفخخة بمدينة الرمادي أمس.",
            "وأفاد مصدر أمني بأن عدد القتلى في تفجير الرمادي بلغ 9.",
        )
    )
    assert (event.location, event.fatalities) == ("Ramadi", 9)


def test_update_naming_the_town_replaces_both_figures() -> None:
    event = only(
        events_of(
            "قتل 8 أشخاص وأصيب 20 في تفجير سيارة مفخخة بمدينة الرمادي أمس.",
            "وأفاد مدير مستشفى الرمادي بأن الحصيلة ارتفعت إلى 15 قتيلا و27 جريحا.",
        )
    )
    assert (event.location, event.fatalities, event.injuries) == ("Ramadi", 15, 27)


# --- 3. the doers are not victims -------------------------------------------------------------


def test_dual_gunmen_killing_one_man() -> None:
    event = only(events_of("اغتال مسلحان مجهولان مدير مدرسة في مدينة بنغازي أمس."))
    assert (event.location, event.fatalities) == ("Benghazi", 1)


def test_plural_gunmen_killing_a_dual_object() -> None:
    event = only(events_of("قتل ثلاثة مسلحين شرطيين اثنين في هجوم على حاجز بمدينة الموصل أمس."))
    assert (event.location, event.fatalities) == ("Mosul", 2)


def test_gunmen_killed_with_no_object_are_the_victims() -> None:
    event = only(events_of("قتل ثلاثة مسلحين في اشتباك مع الجيش بمدينة الموصل أمس."))
    assert event.fatalities == 3


# --- 4. "أحد" is one --------------------------------------------------------------------------


def test_one_of_the_security_men_killed() -> None:
    event = only(events_of("قتل أحد عناصر الأمن في هجوم مسلح على حاجز بمدينة سرت أمس."))
    assert (event.location, event.fatalities) == ("Sirte", 1)


def test_one_passerby_wounded() -> None:
    event = only(events_of("انفجرت عبوة ناسفة في مدينة الموصل أمس وأصيب أحد المارة بجروح."))
    assert (event.location, event.injuries) == ("Mosul", 1)


# --- 5. arrests ----------------------------------------------------------------------------


def test_arrest_of_suspects_in_an_abduction_is_an_arrest() -> None:
    event = only(
        events_of("اعتقلت قوات الأمن أمس شخصين يشتبه في تورطهما بخطف ناشط في مدينة بنغازي.")
    )
    assert (event.event_type, event.sub_event_type, event.location) == (
        "Strategic developments",
        "Arrests",
        "Benghazi",
    )


def test_pluperfect_abduction_with_its_own_day_is_its_own_event() -> None:
    events = events_of(
        "اعتقلت قوات الأمن أمس شخصين يشتبه في تورطهما بخطف ناشط في مدينة بنغازي.",
        "وكان مسلحون قد اختطفوا الناشط مساء الخميس من أمام منزله في بنغازي.",
    )
    kinds = {(e.sub_event_type, e.event_date) for e in events}
    assert kinds == {("Arrests", YESTERDAY), ("Abduction/forced disappearance", THURSDAY)}


# --- 6. lists of towns -------------------------------------------------------------------------


def test_protests_in_two_named_towns() -> None:
    events = events_of("خرجت مظاهرات أمس في مدينتي البيضاء وشحات للمطالبة بتحسين الخدمات.")
    assert {e.location for e in events} == {"Al Bayda", "Shahhat"}
    assert {e.event_type for e in events} == {"Protests"}


def test_protests_in_three_towns() -> None:
    events = events_of("خرجت مظاهرات أمس في البيضاء وشحات والمرج للمطالبة برحيل الحكومة.")
    assert {e.location for e in events} == {"Al Bayda", "Shahhat", "Al Marj"}


def test_clashes_between_two_towns_stay_one_event() -> None:
    event = only(events_of("اندلعت اشتباكات أمس على الطريق بين مدينتي البيضاء وشحات."))
    assert event.location == "Al Bayda"


# --- 7. provinces as a country hint ----------------------------------------------------------


def test_province_makes_the_yemeni_town() -> None:
    event = only(
        events_of("قتل أربعة جنود في هجوم مسلح على نقطة أمنية في زنجبار عاصمة محافظة أبين أمس.")
    )
    assert event.country == "Yemen"


# --- 8. history referred to later -------------------------------------------------------------


def test_symposium_about_an_old_battle_is_no_event() -> None:
    events = events_of(
        "شهدت مدينة سرت في عام 1943 معركة كبيرة بين الجيوش المتحاربة قتل فيها المئات.",
        "ونظمت جمعية أهلية في سرت أمس ندوة عن المعركة بحضور عدد من الباحثين.",
    )
    assert events == []


def test_exhibition_about_fighting_is_no_event() -> None:
    assert events_of("افتتح في مدينة بنغازي أمس معرض صور عن الاشتباكات التي شهدتها المدينة.") == []


# --- 9. undated mentions of a dated act --------------------------------------------------------


def test_undated_mention_joins_the_dated_explosion() -> None:
    event = only(
        events_of(
            "قتل ستة أشخاص في انفجار سيارة مفخخة في مدينة بعقوبة يوم الخميس.",
            "وقال محافظ ديالى إن الأجهزة الأمنية فتحت تحقيقا في الحادث.",
            "وعادت التفجيرات لتضرب مدينة بعقوبة بعد هدوء نسبي.",
        )
    )
    assert (event.location, event.event_date, event.fatalities) == ("Baqubah", THURSDAY, 6)


# --- 10. live blocks ---------------------------------------------------------------------------


def test_live_blocks_keep_their_figures_on_their_days() -> None:
    events = events_of(
        "تحديث - 10:15 تغ",
        "قتل أربعة أشخاص الثلاثاء في قصف مدفعي على مدينة درعا.",
        "تحديث - 09:30 تغ",
        "قتل ثلاثة أشخاص اليوم الأربعاء في قصف مدفعي على مدينة درعا.",
    )
    by_day = {e.event_date: e.fatalities for e in events}
    assert by_day == {YESTERDAY: 4, TODAY: 3}


# --- 11. explicit dates -------------------------------------------------------------------------


def test_explicit_date_beats_an_inherited_weekday() -> None:
    events = events_of(
        "تواصلت الاشتباكات يوم الخميس في مدينة سرت.",
        "وفي يوم الثلاثاء 9 مارس قتل خمسة أشخاص في قصف جوي على مدينة درنة.",
    )
    derna = next(e for e in events if e.location == "Derna")
    assert (derna.event_date, derna.fatalities) == (YESTERDAY, 5)


def test_ordinal_date_is_the_event_day() -> None:
    events = events_of(
        "تواصلت الاشتباكات يوم الخميس في مدينة سرت.",
        "وفي السابع من مارس قتل خمسة أشخاص في غارة جوية على مدينة درنة.",
    )
    derna = next(e for e in events if e.location == "Derna")
    assert derna.event_date == date(2021, 3, 7)
