"""Casualty figures of events: follow-up sentences, sides and sources, updates, single
victims, numbers after their noun, vague quantities. Sentences written for the test."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

import pytest

from rasd.extract.casualties import count_casualties
from rasd.extract.normalize import normalize
from rasd.models import Event
from tests.extract.articles import article_events

# 2021-03-10 was a Wednesday: الثلاثاء = 9 March, الاثنين = 8 March.
PUBLISHED = datetime(2021, 3, 10, 8, 0)
WEDNESDAY, TUESDAY, MONDAY = date(2021, 3, 10), date(2021, 3, 9), date(2021, 3, 8)


events_of = partial(article_events, published=PUBLISHED)


def figures(events: list[Event]) -> list[tuple]:
    return sorted(
        (e.event_type, e.location, e.event_date, e.fatalities, e.injuries) for e in events
    )


def only(events: list[Event]) -> Event:
    assert len(events) == 1, figures(events)
    return events[0]


def counted(sentence: str) -> tuple[int, int]:
    found = count_casualties(normalize(sentence))
    return found.killed, found.injured


# --- 1. figures in a follow-up paragraph about the same incident ------------------------------


def test_follow_up_paragraph_gives_the_battle_its_figures() -> None:
    event = only(
        events_of(
            "اندلعت اشتباكات عنيفة أمس الثلاثاء بين قوات الجيش ومسلحين من تنظيم الدولة "
            "في مدينة سرت.",
            "وقال المتحدث العسكري إن المعارك التي استمرت حتى المساء أسفرت عن مقتل عشرات من "
            "مسلحي التنظيم، فيما قتل ثلاثة من مقاتلي القوات وأصيب تسعة آخرون.",
        )
    )
    assert (event.location, event.event_date) == ("Sirte", TUESDAY)
    assert (event.fatalities, event.injuries) == (13, 9)


def test_follow_up_with_a_definite_act_noun_after_other_sentences() -> None:
    event = only(
        events_of(
            "انفجرت سيارة مفخخة صباح الاثنين قرب سوق شعبي في مدينة الموصل.",
            "وتصاعد الدخان في سماء المنطقة لساعات. وهرعت سيارات الإسعاف إلى المكان.",
            "وأوضح مسؤول أمني أن الانفجار أدى إلى مقتل سبعة مدنيين وإصابة 22 آخرين.",
        )
    )
    assert (event.location, event.event_date) == ("Mosul", MONDAY)
    assert (event.fatalities, event.injuries) == (7, 22)


def test_cumulative_toll_in_a_follow_up_is_not_the_incident() -> None:
    event = only(
        events_of(
            "اندلعت اشتباكات أمس الثلاثاء بين الجيش ومسلحين في مدينة سرت قتل فيها جنديان.",
            "وقال المتحدث إن المعارك أسفرت منذ بدء العملية عن مقتل 140 مسلحا.",
        )
    )
    assert (event.fatalities, event.injuries) == (2, 0)


def test_follow_up_about_another_town_is_not_the_incident() -> None:
    found = figures(
        events_of(
            "اندلعت اشتباكات أمس الثلاثاء بين الجيش ومسلحين في مدينة سرت.",
            "وفي مدينة بنغازي، قتل أربعة جنود في الاشتباكات.",
        )
    )
    assert ("Battles", "Sirte", TUESDAY, 0, 0) in found


# --- 2. sides joined in one sentence: a sum, or differing sources ---------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("أسفرت المعارك عن مقتل عشرات من المسلحين، فيما قتل ثلاثة من الجنود.", (13, 0)),
        ("قتل خمسة من عناصر الشرطة بينما لقي أربعة مسلحين حتفهم.", (9, 0)),
        ("قالت الشرطة إن 12 شخصا قتلوا، في حين أكد متحدث آخر أن عدد القتلى بلغ 19.", (12, 0)),
        ("أفاد مصدر طبي بمقتل 6 أشخاص، بينما ذكرت وكالة محلية أن عدد القتلى وصل إلى 9.", (6, 0)),
    ],
)
def test_sides_add_up_but_sources_give_the_lowest(sentence: str, expected) -> None:
    event = only(events_of("اندلعت اشتباكات أمس الثلاثاء في مدينة سرت. " + sentence))
    assert (event.fatalities, event.injuries) == expected


# --- 3. other sources and updated tolls across sentences ------------------------------------


def test_another_source_later_gives_the_lowest() -> None:
    event = only(
        events_of(
            "قتل 8 أشخاص على الأقل في انفجار سيارة مفخخة في مدينة الموصل أمس الثلاثاء.",
            "في المقابل، أفاد مرصد محلي بأن عدد القتلى بلغ 10.",
        )
    )
    assert event.fatalities == 8


@pytest.mark.parametrize(
    "update",
    [
        "وفي وقت لاحق ارتفعت الحصيلة إلى 15 قتيلا و27 جريحا.",
        "وفي وقت لاحق ارتفع عدد القتلى إلى 15 وعدد الجرحى إلى 27.",
        "وبلغت الحصيلة النهائية 15 قتيلا و27 جريحا.",
    ],
)
def test_updated_toll_replaces_the_first(update: str) -> None:
    event = only(
        events_of(
            "انفجرت سيارة مفخخة أمس الثلاثاء في سوق بمدينة الموصل، ما أدى إلى مقتل 9 أشخاص "
            "وإصابة 20 آخرين.",
            update,
        )
    )
    assert (event.fatalities, event.injuries) == (15, 27)


def test_rise_over_a_named_period_is_cumulative() -> None:
    event = only(
        events_of(
            "انفجرت سيارة مفخخة أمس الثلاثاء في سوق بمدينة الموصل، ما أدى إلى مقتل 9 أشخاص.",
            "وارتفع عدد القتلى في المدينة منذ مطلع الشهر إلى 60.",
        )
    )
    assert event.fatalities == 9


# --- 4. one victim implied ------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "اغتال مسلحون مجهولون مدير مدرسة في مدينة درنة أمس الثلاثاء.",
        "أعدم التنظيم شابا في مدينة سرت أمس الثلاثاء.",
        "قتل شرطي برصاص مسلحين في مدينة بنغازي أمس الثلاثاء.",
    ],
)
def test_a_single_victim_is_one_fatality(sentence: str) -> None:
    assert only(events_of(sentence)).fatalities == 1


def test_his_wounding_and_his_drivers_death_are_one_each() -> None:
    # the doers between verb and object ("أطلق مسلحون النار"), victims named by a pronoun
    event = only(
        events_of(
            "أطلق مسلحون النار على سيارة مدير مدرسة في مدينة سبها أمس الثلاثاء، ما أدى إلى"
            " إصابته بجروح خطيرة ومقتل سائقه.",
        )
    )
    assert (event.event_type, event.location, event.fatalities, event.injuries) == (
        "Violence against civilians",
        "Sabha",
        1,
        1,
    )


def test_the_victim_dying_later_is_counted_once() -> None:
    event = only(
        events_of(
            "تعرض ضابط لإطلاق النار من مسلحين في مدينة بنغازي أمس الثلاثاء، وقد فارق "
            "الحياة بعد نقله إلى المستشفى.",
        )
    )
    assert event.fatalities == 1


def test_the_wounded_who_died_is_not_added() -> None:
    event = only(
        events_of(
            "اغتال مسلحون قاضيا في مدينة درنة أمس الثلاثاء.",
            "وقال مصدر طبي إن القاضي توفي متأثرا بجراحه.",
        )
    )
    assert event.fatalities == 1


# --- 5. a number after its noun -------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "killed"),
    [
        ("قتل مدنيين اثنين في القصف.", 2),
        ("قتل مدنيَّين اثنين في القصف.", 2),
        ("قتل جنديين اثنين في الهجوم.", 2),
        ("قتل ثلاثة جنود في الهجوم.", 3),
        ("قتل جنود ثلاثة في الهجوم.", 3),
        ("أعدم التنظيم مدنيين اثنين رميا بالرصاص.", 2),
    ],
)
def test_number_after_its_noun(sentence: str, killed: int) -> None:
    assert counted(sentence)[0] == killed


def test_execution_of_two_civilians_is_two() -> None:
    event = only(events_of("أعدم التنظيم مدنيَّين اثنين رميا بالرصاص في مدينة سرت أمس الثلاثاء."))
    assert event.fatalities == 2


# --- 6. injuries stay with their own act ----------------------------------------------------


def test_injuries_of_a_later_shelling_stay_with_it() -> None:
    found = figures(
        events_of(
            "اندلعت اشتباكات عنيفة يوم الاثنين بين الجيش ومسلحين في مدينة سرت قتل فيها أربعة جنود.",
            "وفي يوم الثلاثاء سقطت قذائف هاون على حي سكني في مدينة سرت.",
            "وأسفر القصف عن إصابة 11 مدنيا.",
        )
    )
    assert ("Battles", "Sirte", MONDAY, 4, 0) in found
    assert ("Explosions/Remote violence", "Sirte", TUESDAY, 0, 11) in found


# --- 7. perpetrators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "killed"),
    [
        ("قتل 12 شخصا إضافة إلى الانتحاري في التفجير.", 12),
        ("قتل 12 شخصا بالإضافة إلى الانتحاريين في التفجير.", 12),
        ("قتل 12 شخصا بينهم الانتحاري في التفجير.", 12),
    ],
)
def test_bombers_are_not_added(sentence: str, killed: int) -> None:
    assert counted(sentence)[0] == killed


# --- 8. vague quantities --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("قتل عدد من المهاجمين.", (0, 0)),
        ("قتل عدة مسلحين وأصيب 3 جنود.", (0, 3)),
        ("أسفر الهجوم عن مقتل عشرات المسلحين.", (10, 0)),
        ("سقط العشرات بين قتيل وجريح.", (0, 0)),
        ("قتل العشرات من المسلحين.", (10, 0)),
        ("أصيب مئات المتظاهرين.", (0, 100)),
        ("قتل أكثر من 20 شخصا.", (20, 0)),
        ("قتل نحو 30 مسلحا.", (30, 0)),
    ],
)
def test_vague_quantities(sentence: str, expected) -> None:
    assert counted(sentence) == expected


def test_update_stands_over_a_lower_source() -> None:
    event = only(
        events_of(
            "قتل 8 أشخاص على الأقل في انفجار سيارة مفخخة في مدينة الموصل أمس الثلاثاء.",
            "في المقابل، أفاد مرصد محلي بأن عدد القتلى بلغ 10.",
            "وفي وقت لاحق ارتفعت الحصيلة إلى 15 قتيلا.",
        )
    )
    assert event.fatalities == 15
