"""Rules for victims counted past a description of the doers, toll updates told later,
a new act told with an earlier one, arrests with a counted object, towns listed together,
live blocks dated by their header, general undated sentences and dates in the sentence."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from tests.extract.articles import article_events, only

# 2021-03-10 was a Wednesday: أمس = 9 March, الثلاثاء = 9 March, الاثنين = 8 March.
PUBLISHED = datetime(2021, 3, 10, 8, 0)
TODAY, YESTERDAY, MONDAY = date(2021, 3, 10), date(2021, 3, 9), date(2021, 3, 8)


events_of = partial(article_events, published=PUBLISHED)


# --- victims after doers described at length ------------------------------------------------


def test_victim_counted_past_doers_riding_and_a_time_phrase() -> None:
    event = only(
        events_of(
            "اغتال مسلحان ملثمان يستقلان سيارة بيضاء، صباح أمس الثلاثاء، قاضيا أمام منزله "
            "في مدينة تعز ثم لاذا بالفرار."
        )
    )
    assert (event.location, event.fatalities, event.event_date) == ("Taiz", 1, YESTERDAY)


def test_victims_counted_past_doers_belonging_to_a_group_and_a_time_phrase() -> None:
    event = only(
        events_of(
            "أعدم مسلحون يعتقد أنهم ينتمون إلى جماعة متشددة، فجر أمس، ثلاثة مزارعين "
            "رميا بالرصاص قرب مدينة الموصل."
        )
    )
    assert (event.location, event.fatalities) == ("Mosul", 3)


def test_dual_victims_after_a_period_phrase_following_the_doers() -> None:
    event = only(
        events_of("أعدم مسلحون مجهولون، منذ يومين، راعيين اثنين في منطقة جبلية قرب مدينة تعز.")
    )
    assert event.fatalities == 2


# --- a toll update told later ---------------------------------------------------------------


def test_toll_update_three_sentences_later_gives_killed_and_wounded() -> None:
    event = only(
        events_of(
            "قتل 9 أشخاص على الأقل، اليوم الأربعاء، في تفجير انتحاري استهدف سوقا شعبيا في "
            "مدينة الموصل، بحسب مصدر في الشرطة.",
            "وقال المصدر إن الانتحاري دخل السوق سيرا على الأقدام. وأضاف أن بين القتلى طفلين.",
            "وتبنى تنظيم داعش الهجوم في بيان نشره على حساباته.",
            "وفي وقت لاحق من مساء اليوم، أفاد مدير مستشفى الموصل بأن الحصيلة ارتفعت إلى 12 "
            "قتيلا و30 جريحا.",
        )
    )
    assert (event.event_type, event.fatalities, event.injuries) == (
        "Explosions/Remote violence",
        12,
        30,
    )


def test_update_naming_the_attack_is_the_act_told_before_not_a_new_clash() -> None:
    event = only(
        events_of(
            "قتل جنديان وأصيب ثلاثة آخرون، أمس الثلاثاء، بانفجار عبوة ناسفة استهدفت دورية "
            "عسكرية في مدينة كركوك.",
            "وفي وقت لاحق، قال مصدر طبي إن حصيلة ضحايا الهجوم ارتفعت إلى ثلاثة قتلى وستة جرحى.",
        )
    )
    assert (event.sub_event_type, event.event_date, event.fatalities, event.injuries) == (
        "Remote explosive/landmine/IED",
        YESTERDAY,
        3,
        6,
    )


# --- a new act linked to one told before ----------------------------------------------------


def test_clash_that_followed_strikes_takes_its_own_figures() -> None:
    events = events_of(
        "شنت طائرات حربية، أمس الثلاثاء، غارات على مواقع للمسلحين في مدينة درعا.",
        "وأعقبت الغارات اشتباكات عنيفة بين الجيش والمسلحين في محيط المدينة، أسفرت عن مقتل "
        "4 مسلحين وإصابة 6 جنود.",
    )
    figures = {e.event_type: (e.event_date, e.fatalities, e.injuries) for e in events}
    assert figures == {
        "Explosions/Remote violence": (YESTERDAY, 0, 0),
        "Battles": (YESTERDAY, 4, 6),
    }
    assert len({e.location for e in events}) == 1


# --- arrests with who was arrested counted --------------------------------------------------


def test_announced_arrest_of_counted_people_is_an_event() -> None:
    event = only(
        events_of(
            "كركوك - أعلنت خلية أمنية، اليوم الأربعاء، أن وحدة خاصة اعتقلت ثلاثة مطلوبين "
            "في حي الواسطي بمدينة كركوك."
        )
    )
    assert (event.sub_event_type, event.location, event.event_date) == (
        "Arrests",
        "Kirkuk",
        TODAY,
    )


def test_caught_two_people_is_an_arrest() -> None:
    event = only(
        events_of("وأفاد بيان أن المفرزة ألقت القبض على شخصين، أمس الثلاثاء، في مدينة تعز.")
    )
    assert (event.sub_event_type, event.location, event.event_date) == (
        "Arrests",
        "Taiz",
        YESTERDAY,
    )


def test_arrest_word_without_anyone_counted_or_any_force_is_no_event() -> None:
    assert events_of("وتحدث الكاتب عن الاعتقال في روايته الجديدة عن مدينة تعز.") == []


# --- a live page over two days --------------------------------------------------------------


def test_today_in_a_block_headed_by_a_weekday_is_that_weekday() -> None:
    events = events_of(
        "تحديث - 17:05 تغ\nالاثنين: اندلعت اشتباكات عنيفة بين الجيش والحوثيين غرب مدينة مأرب، "
        "وأفادت مصادر ميدانية بمقتل ستة من المقاتلين.",
        "تحديث - 21:30 تغ\nالاثنين: مصادر طبية في مأرب تقول إن عدد قتلى معارك اليوم ارتفع إلى "
        "9 قتلى، إضافة إلى 12 جريحا.",
        "تحديث - 07:40 تغ\nالثلاثاء: تجددت الاشتباكات فجر اليوم غرب مأرب، وقال الجيش إن ثلاثة "
        "من جنوده قتلوا وأصيب خمسة آخرون.",
    )
    by_day = {e.event_date: (e.event_type, e.fatalities, e.injuries) for e in events}
    assert by_day == {MONDAY: ("Battles", 9, 12), YESTERDAY: ("Battles", 3, 5)}
