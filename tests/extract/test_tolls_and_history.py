"""Rules for toll updates in other word orders or dated by the day they were announced,
bare singular casualty nouns, territory still held, handovers without a fight, and battles of
the past named again later."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial

from rasd.extract.casualties import count_casualties
from rasd.extract.normalize import normalize
from rasd.extract.triggers import default_lexicon
from tests.extract.articles import article_events, only, summary

# 2022-04-14 was a Thursday: أمس = 13 April (Wednesday), الثلاثاء = 12 April.
PUBLISHED = datetime(2022, 4, 14, 9, 0)
TODAY, YESTERDAY = date(2022, 4, 14), date(2022, 4, 13)


events_of = partial(article_events, published=PUBLISHED)


def killed(text: str) -> int:
    return count_casualties(normalize(text)).killed


def injured(text: str) -> int:
    return count_casualties(normalize(text)).injured


# --- toll updates -------------------------------------------------------------------------


def test_toll_noun_then_rise_word_is_an_update() -> None:
    lexicon = default_lexicon()
    assert lexicon.is_toll_update(normalize("وقالت المصادر إن حصيلة التفجير ارتفعت مساء إلى تسعة"))
    assert lexicon.is_toll_update(normalize("ارتفع لاحقا عدد ضحايا القصف إلى 12"))


def test_a_guessed_rise_is_no_update() -> None:
    assert not default_lexicon().is_toll_update(normalize("مرجحا ارتفاع الحصيلة بسبب الإصابات"))


def test_toll_at_the_end_of_a_long_clause_after_its_noun() -> None:
    text = "ارتفع عدد قتلى التفجير الذي ضرب أمس سوقا شعبية في وسط مدينة حماة المزدحمة إلى 11"
    assert killed(text) == 11


def test_bodies_found_are_part_of_a_new_toll() -> None:
    text = "وأعلنت المستشفى ارتفاع عدد القتلى إلى سبعة، بعد انتشال ثلاث جثث من تحت الأنقاض"
    assert killed(text) == 7


def test_bodies_found_besides_the_killed_still_add_up() -> None:
    assert killed("قتل خمسة جنود وعثر لاحقا على ثلاث جثث لمسلحين") == 8


def test_update_sentence_in_another_word_order_updates_the_act() -> None:
    event = only(
        events_of(
            "قتل مدنيان وأصيب أربعة آخرون أمس الأربعاء جراء سقوط قذائف هاون على حي سكني في "
            "مدينة درعا.",
            "وقال مصدر طبي إن حصيلة القصف ارتفعت لاحقا إلى ستة قتلى وتسعة جرحى.",
        )
    )
    assert (event.location, event.event_date, event.fatalities, event.injuries) == (
        "Dara",
        YESTERDAY,
        6,
        9,
    )


def test_update_announced_on_a_later_day_still_updates_the_act() -> None:
    event = only(
        events_of(
            "قتل ثلاثة أشخاص وأصيب خمسة في اشتباكات مسلحة اندلعت أمس الأربعاء في مدينة "
            "الزاوية غرب طرابلس.",
            "وفي وقت لاحق من صباح اليوم الخميس، أعلن مستشفى الزاوية ارتفاع عدد القتلى إلى "
            "خمسة، بعد وفاة جريحين متأثرين بإصابتهما.",
        )
    )
    assert (event.event_date, event.fatalities) == (YESTERDAY, 5)


def test_a_rising_toll_told_first_gives_the_new_figure() -> None:
    event = only(
        events_of(
            "ارتفع عدد قتلى التفجير الانتحاري الذي استهدف أمس الأربعاء مركزا للشرطة في مدينة "
            "بنغازي إلى عشرة، بحسب مصدر أمني.",
            "وكانت الحصيلة الأولية قد أشارت إلى مقتل أربعة أشخاص.",
        )
    )
    assert (event.sub_event_type, event.fatalities) == ("Suicide bomb", 10)


# --- bare singular ------------------------------------------------------------------------


def test_bare_singular_casualty_noun_is_one() -> None:
    assert killed("أسفرت المواجهات عن سقوط قتيل وثلاثة جرحى") == 1
    assert injured("انفجرت عبوة ناسفة دون سقوط قتلى، مع سقوط جريح") == 1


def test_definite_singular_after_sussut_is_no_count() -> None:
    assert killed("ينتظر الأهالي سقوط القتيل الأول") == 0


# --- who still holds ground, handing over without a shot -----------------------------------


def test_who_still_holds_towns_is_no_act() -> None:
    events = events_of(
        "قتل جنديان أمس الأربعاء في اشتباك مع مسلحين قرب مدينة تكريت.",
        "وكان الجيش قد استعاد بيجي العام الماضي، فيما ما زال المسلحون يسيطرون على الشرقاط "
        "والحويجة، حيث تستعد القوات لإطلاق عملية لاستعادتهما.",
    )
    assert [e.location for e in events] == ["Tikrit"], summary(events)


def test_taking_ground_today_is_still_an_act() -> None:
    event = only(events_of("سيطرت قوات الجيش أمس الأربعاء على مدينة الشرقاط بعد معارك عنيفة."))
    assert (event.event_type, event.event_date) == ("Battles", YESTERDAY)


def test_handing_over_a_camp_without_a_shot_is_a_transfer() -> None:
    event = only(
        events_of(
            "سلم مسلحون محليون كانوا يسيطرون على قاعدة جوية في مدينة سبها، أمس الأربعاء، "
            "القاعدة إلى وحدات الجيش، دون أن يطلقوا رصاصة واحدة."
        )
    )
    assert (event.event_type, event.sub_event_type) == (
        "Strategic developments",
        "Non-violent transfer of territory",
    )


# --- a definite act noun after history -----------------------------------------------------


def test_the_battle_after_an_old_year_is_history() -> None:
    events = events_of(
        "يحيي أهالي بلدة تلكلخ هذه الأيام ذكرى المعركة التي دارت في ربيع عام 2012 بين "
        "الجيش وفصائل المعارضة.",
        "وقال أحد المسنين إن عشرة من أبناء عائلته قتلوا خلال المعركة، وإن البلدة لم تتعاف بعد.",
    )
    assert events == [], summary(events)


def test_the_battle_after_a_dated_act_is_still_that_act() -> None:
    event = only(
        events_of(
            "اندلعت اشتباكات عنيفة أمس الأربعاء في مدينة تلكلخ بين الجيش ومسلحين.",
            "وقال مصدر طبي إن أربعة قتلوا خلال المعركة.",
        )
    )
    assert (event.event_date, event.fatalities) == (YESTERDAY, 4)


def test_history_first_does_not_hide_a_dated_act_after_it() -> None:
    events = events_of(
        "شهدت مدينة الرستن في عام 2013 معارك طاحنة.",
        "وقتل ثلاثة مدنيين أمس الأربعاء في قصف مدفعي على المدينة.",
    )
    assert [(e.event_date, e.fatalities) for e in events] == [(YESTERDAY, 3)], summary(events)
