"""Event extraction rules, each on sentences written for the test."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from rasd.extract import extract_events
from rasd.extract.scoring import article_from_gold, haversine_km, load_gold, score
from rasd.models import Article, Event

# 2020-05-20 was a Wednesday: الثلاثاء = 19 May, الاثنين = 18 May.
PUBLISHED = datetime(2020, 5, 20, 9, 30)
WEDNESDAY, TUESDAY = date(2020, 5, 20), date(2020, 5, 19)
PROJECT = Path(__file__).resolve().parents[2]


def article(*paragraphs: str, title: str = "", published: datetime | None = PUBLISHED) -> Article:
    return Article(
        article_id="test-article",
        url="http://127.0.0.1/test",
        source="test",
        site="test",
        title=title,
        published_at=published,
        language="ar",
        text="\n\n".join(paragraphs),
    )


def events_of(*paragraphs: str, **kwargs) -> list[Event]:
    return extract_events(article(*paragraphs, **kwargs))


def only(events: list[Event]) -> Event:
    assert len(events) == 1, [(e.event_type, e.location, e.event_date) for e in events]
    return events[0]


# --- trigger families -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "event_type", "sub_event_type", "town"),
    [
        (
            "فجر انتحاري حزاما ناسفا في سوق مدينة مصراتة اليوم، ما أدى إلى مقتل ثلاثة أشخاص.",
            "Explosions/Remote violence",
            "Suicide bomb",
            "Misrata",
        ),
        (
            "انفجرت عبوة ناسفة بسيارة مدنية في مدينة الموصل صباح اليوم وأصيب شخصان بجروح.",
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
            "Mosul",
        ),
        (
            "شنت طائرات حربية غارات جوية على مواقع للمسلحين في مدينة إدلب اليوم.",
            "Explosions/Remote violence",
            "Air/drone strike",
            "Idlib",
        ),
        (
            "قتل أربعة مسلحين في ضربة لطائرة مسيرة قرب مدينة مأرب اليوم الأربعاء.",
            "Explosions/Remote violence",
            "Air/drone strike",
            "Ma'rib",
        ),
        (
            "سقطت قذائف هاون على حي سكني في مدينة درنة اليوم، ما أسفر عن إصابة سبعة مدنيين.",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
            "Derna",
        ),
        (
            "اندلعت اشتباكات مسلحة بين قوات الجيش ومسلحين في مدينة سبها مساء اليوم.",
            "Battles",
            "Armed clash",
            "Sabha",
        ),
        (
            "استعادت القوات الحكومية السيطرة على بلدة بن جواد اليوم بعد معارك مع مسلحي التنظيم.",
            "Battles",
            "Government regains territory",
            "Bin Jawad",
        ),
        (
            "اختطف مسلحون مجهولون صحفيا من منزله في مدينة طرابلس اليوم واقتادوه إلى جهة مجهولة.",
            "Violence against civilians",
            "Abduction/forced disappearance",
            "Tripoli",
        ),
        (
            "اغتال مسلحون مجهولون ناشطا حقوقيا أمام منزله في مدينة البصرة اليوم الثلاثاء.",
            "Violence against civilians",
            "Attack",
            "Basrah",
        ),
        (
            "نظم مئات المواطنين وقفة احتجاجية أمام مقر المحافظة في مدينة البصرة اليوم.",
            "Protests",
            "Peaceful protest",
            "Basrah",
        ),
        (
            "فرقت الشرطة بالغاز المسيل للدموع مظاهرة لمئات الطلاب في مدينة الخرطوم اليوم.",
            "Protests",
            "Protest with intervention",
            "Khartoum",
        ),
        (
            "تظاهر العشرات أمام مقر البلدية في مدينة عدن اليوم قبل أن تفرقهم قوات الأمن بإطلاق"
            " الرصاص في الهواء.",
            "Protests",
            "Protest with intervention",
            "Aden",
        ),
        (
            "استهدفت مسيرة حوثية مستودعا للوقود في مدينة أبها اليوم دون أن تسجل إصابات.",
            "Explosions/Remote violence",
            "Air/drone strike",
            "Abha",
        ),
        (
            "اندلعت أعمال شغب في مدينة الزاوية اليوم بعد أن أحرق محتجون غاضبون إطارات السيارات.",
            "Riots",
            "Violent demonstration",
            "Zawiya",
        ),
        (
            "اعتقلت قوات الأمن خمسة مطلوبين في مدينة بعقوبة اليوم خلال حملة تفتيش.",
            "Strategic developments",
            "Arrests",
            "Baqubah",
        ),
    ],
)
def test_trigger_family_gives_type_and_town(sentence, event_type, sub_event_type, town):
    event = only(events_of(sentence))
    assert (event.event_type, event.sub_event_type) == (event_type, sub_event_type)
    assert event.location == town
    assert event.latitude is not None and event.longitude is not None


def test_main_act_wins_when_several_fit():
    event = only(
        events_of("قتل جنديان في هجوم انتحاري بسيارة مفخخة على نقطة تفتيش في مدينة أجدابيا اليوم.")
    )
    assert event.sub_event_type == "Suicide bomb"
    assert event.fatalities == 2


def test_shooting_of_soldiers_is_a_clash_of_civilians_an_attack():
    soldiers = only(events_of("قتل شرطيان برصاص مسلحين مجهولين في مدينة تكريت اليوم."))
    civilians = only(events_of("قتل مزارع برصاص مسلحين مجهولين في مدينة تكريت اليوم."))
    assert soldiers.event_type == "Battles"
    assert civilians.event_type == "Violence against civilians"


# --- what is not an event --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # statement about an incident
        "أدانت وزارة الخارجية الهجوم الذي استهدف مدينة بنغازي، وطالبت بمحاسبة المسؤولين عنه.",
        # threat
        "توعد التنظيم في بيان بشن هجمات انتحارية على مدينة سرت.",
        # plan
        "تستعد القوات الحكومية لشن هجوم واسع على مدينة سرت خلال الأيام المقبلة.",
        # background without a day
        "وكان التنظيم قد سيطر على مدينة سرت في يونيو 2015 بعد معارك مع الكتائب.",
        "وتشهد مدينة سبها منذ سنوات اشتباكات متقطعة بين القبائل.",
        "وشهدت مدينة درنة معارك عنيفة في 2018 بين الجيش والمسلحين.",
        "وقبل عامين، قتل عشرون شخصا في تفجير انتحاري بمدينة زليتن.",
        "ويذكر أن مدينة سبها شهدت اشتباكات عنيفة بين مجموعتين مسلحتين.",
        # cumulative toll
        "ارتفعت حصيلة قتلى المعارك في مدينة سرت منذ بدء العملية العسكرية إلى 120 قتيلا.",
        # road accident
        "لقي ستة أشخاص حتفهم وأصيب عشرة آخرون في حادث سير على الطريق الساحلي قرب مدينة زليتن.",
        # natural disaster
        "لقي خمسة أشخاص مصرعهم جراء السيول التي اجتاحت مدينة كسلا اليوم.",
        # epidemic figures
        "سجلت وزارة الصحة 300 إصابة جديدة بفيروس كورونا و12 حالة وفاة في مدينة طرابلس اليوم.",
        # sport
        "فاز فريق الأهلي في المباراة التي أقيمت في ملعب بنغازي بعد هجوم قوي في الشوط الثاني.",
        # defused device
        "تمكنت فرق الهندسة من تفكيك عبوة ناسفة زرعت قرب مدرسة في مدينة الرمادي اليوم.",
        # court sentence
        "أصدرت محكمة في مدينة بغداد حكما بالإعدام بحق مدان بالتخطيط لتفجير سيارة مفخخة.",
        # an act with no town at all
        "قتل ثلاثة جنود في اشتباكات مع مسلحين اليوم.",
        # a ceasefire on the fronts of the fighting
        "أعلن الطرفان التوصل إلى وقف لإطلاق النار على جميع جبهات القتال في مدينة طرابلس اليوم.",
    ],
)
def test_blocking_cues_give_no_event(text):
    assert events_of(text) == []


def test_an_act_told_after_the_victims_it_counted_is_coded():
    # "بينهم أطفال" counts some of the dead; the act that killed them follows
    event = only(events_of("قتل عشرون شخصا بينهم أطفال في قصف مدفعي على مدينة حلب اليوم."))
    assert (event.sub_event_type, event.location, event.fatalities) == (
        "Shelling/artillery/missile attack",
        "Aleppo",
        20,
    )


def test_how_one_of_the_counted_died_is_no_act_of_its_own():
    events = events_of(
        "اندلعت اشتباكات بين مجموعتين مسلحتين في مدينة الزاوية اليوم.",
        "وارتفع عدد القتلى إلى أربعة، بينهم امرأة أصيبت برصاصة طائشة داخل منزلها.",
    )
    assert [(e.event_type, e.fatalities) for e in events] == [("Battles", 4)]


def test_habit_with_its_latest_instance_is_coded():
    event = only(
        events_of(
            "وتشهد مدن المنطقة بين الحين والآخر اشتباكات مسلحة، كان آخرها قبل يومين في مدينة غريان."
        )
    )
    assert event.location == "Gharyan"
    assert event.event_date == date(2020, 5, 18)


# --- unit rule -------------------------------------------------------------------------------


def test_two_mentions_of_one_incident_are_one_event_with_the_latest_figure():
    event = only(
        events_of(
            "قتل ثلاثة جنود في اشتباكات مع مسلحين في مدينة سبها اليوم.",
            "وقال مصدر عسكري إن الاشتباكات أسفرت عن مقتل خمسة جنود وإصابة ثمانية آخرين.",
        )
    )
    assert (event.fatalities, event.injuries) == (5, 8)
    assert "خمسة جنود" in event.notes and "ثلاثة جنود" in event.notes


def test_a_later_toll_raises_the_figure():
    event = only(
        events_of(
            "قتل ثلاثة أشخاص في اشتباكات بين مجموعتين مسلحتين في مدينة سبها اليوم.",
            "وأعلن المستشفى لاحقا ارتفاع عدد القتلى إلى خمسة.",
        )
    )
    assert event.fatalities == 5


def test_where_sources_differ_the_lowest_figure_stands():
    event = only(
        events_of(
            "قتل خمسة أشخاص في انفجار سيارة مفخخة في مدينة الحلة اليوم.",
            "غير أن مصدرا طبيا قال إن المستشفى استقبل ثلاث جثث فقط.",
        )
    )
    assert event.fatalities == 3


def test_an_exact_figure_beats_a_rough_one():
    event = only(
        events_of(
            "أصيب أكثر من عشرين شخصا في قصف على حي سكني في مدينة حمص اليوم.",
            "وأكد مصدر طبي أن المستشفى استقبل 23 جريحا.",
        )
    )
    assert event.injuries == 23


def test_a_cumulative_toll_after_an_act_is_not_its_figure():
    event = only(
        events_of(
            "قتل شخصان في قصف على حي سكني في مدينة حمص اليوم.",
            "وقتل أكثر من 200 شخص في المدينة منذ بداية العام.",
        )
    )
    assert event.fatalities == 2


def test_several_strikes_on_one_town_on_one_day_are_one_event():
    event = only(
        events_of(
            "شن الطيران الحربي غارات على حي الصابري في مدينة بنغازي اليوم.",
            "كما استهدفت غارة أخرى منطقة القوارشة غرب بنغازي اليوم.",
        )
    )
    assert event.location == "Benghazi"
    assert event.sub_event_type == "Air/drone strike"


def test_two_days_are_two_events():
    events = events_of(
        "اندلعت اشتباكات في مدينة الزاوية أمس الثلاثاء بين مجموعتين مسلحتين.",
        "وتجددت الاشتباكات في مدينة الزاوية اليوم الأربعاء.",
    )
    assert sorted(e.event_date for e in events) == [TUESDAY, WEDNESDAY]
    assert {e.location for e in events} == {"Zawiya"}


def test_two_towns_are_two_events():
    events = events_of(
        "قصفت طائرات حربية مواقع للمسلحين في مدينة سرت اليوم.",
        "وفي مدينة مصراتة، قصفت طائرات حربية مخازن للذخيرة اليوم.",
    )
    assert sorted(e.location for e in events) == ["Misrata", "Sirte"]


def test_a_list_of_towns_gives_one_event_each():
    events = events_of("شنت طائرات حربية غارات على بلدات داعل وإنخل وتسيل في ريف درعا اليوم.")
    assert len(events) == 3
    assert {e.event_type for e in events} == {"Explosions/Remote violence"}


def test_a_distance_reference_is_not_the_place():
    event = only(
        events_of("قتل شخصان في قصف على مدينة درنة الواقعة على بعد 1250 كلم شرق طرابلس اليوم.")
    )
    assert event.location == "Derna"


# --- places --------------------------------------------------------------------------------


def test_dateline_town_is_not_the_place():
    event = only(events_of("القاهرة – قتل ثلاثة جنود في انفجار عبوة ناسفة في مدينة العريش اليوم."))
    assert event.location == "Arish"


def test_a_near_distance_gives_the_town():
    event = only(events_of("قتل شخصان في انفجار لغم على بعد 8 كيلومترات من مدينة سبها اليوم."))
    assert event.location == "Sabha"


def test_a_locating_town_is_a_reference():
    event = only(events_of("في بلدة العجيلات الواقعة غرب طرابلس، اندلعت اشتباكات عنيفة اليوم."))
    assert event.location != "Tripoli"


def test_an_act_told_again_keeps_its_town():
    event = only(
        events_of(
            "قصفت طائرة مسيرة مخزنا للذخيرة في مدينة سرت اليوم.",
            "وقال مصدر إن الغارة أدت إلى تعليق الرحلات القادمة من طرابلس وبنغازي.",
        )
    )
    assert event.location == "Sirte"


def test_a_story_about_one_town_lends_it_to_later_acts():
    events = events_of(
        "اندلعت اشتباكات عنيفة في مدينة غريان صباح اليوم.",
        "وفي المساء، سقطت قذائف هاون على حي سكني وأصيب طفلان.",
    )
    assert {(e.event_type, e.location) for e in events} == {
        ("Battles", "Gharyan"),
        ("Explosions/Remote violence", "Gharyan"),
    }


def test_a_sentence_of_figures_updates_the_act_before_it():
    event = only(
        events_of(
            "اندلعت اشتباكات بين مجموعتين مسلحتين في مدينة الزاوية اليوم.",
            "وأكد مستشفى المدينة استقبال ثلاث جثث وسبعة جرحى.",
        )
    )
    assert (event.fatalities, event.injuries) == (3, 7)


def test_a_dispersed_protest_and_a_later_riot_are_two_acts():
    events = events_of(
        "فرقت الشرطة بالغاز المسيل للدموع مئات المتظاهرين في مدينة البصرة اليوم.",
        "وفي وقت لاحق، أحرق شبان غاضبون إطارات ورشقوا قوات الأمن بالحجارة في المدينة.",
    )
    assert sorted(e.event_type for e in events) == ["Protests", "Riots"]


# --- dates -----------------------------------------------------------------------------------


def test_day_inherited_from_the_block_is_not_explicit():
    events = events_of(
        "اندلعت اشتباكات عنيفة في مدينة غريان أمس الثلاثاء.",
        "وقال مصدر إن قذائف هاون سقطت على حي سكني في المدينة، ما أدى إلى إصابة أربعة مدنيين.",
    )
    by_type = {e.event_type: e for e in events}
    shelling = by_type["Explosions/Remote violence"]
    assert shelling.event_date == TUESDAY and not shelling.date_explicit
    assert shelling.injuries == 4
    assert by_type["Battles"].date_explicit


def test_the_same_day_named_again_is_the_day_told_before():
    events = events_of(
        "اندلعت اشتباكات عنيفة في مدينة غريان أمس الثلاثاء.",
        "وفي اليوم نفسه سقطت قذائف هاون على مدينة ترهونة، ما أدى إلى إصابة أربعة مدنيين.",
    )
    assert {(e.location, e.event_date) for e in events} == {
        ("Gharyan", TUESDAY),
        ("Tarhuna", TUESDAY),
    }


def test_an_explicit_date_of_last_year_is_kept():
    event = only(
        events_of(
            "قتل ثلاثة أشخاص في اشتباكات بمدينة سبها يوم 28 ديسمبر 2019.",
            published=datetime(2020, 1, 3),
        )
    )
    assert event.event_date == date(2019, 12, 28) and event.date_explicit


def test_no_day_reference_takes_the_publication_day():
    event = only(events_of("اندلعت اشتباكات بين قوات الجيش ومسلحين في مدينة سبها."))
    assert event.event_date == WEDNESDAY and not event.date_explicit


def test_without_publication_date_there_is_no_date():
    event = only(events_of("اندلعت اشتباكات في مدينة سبها أمس.", published=None))
    assert event.event_date is None


def test_without_publication_date_a_full_date_is_still_read():
    event = only(events_of("اندلعت اشتباكات في مدينة سبها يوم 12 مايو 2020.", published=None))
    assert event.event_date == date(2020, 5, 12) and event.date_explicit


def test_update_blocks_give_one_event_per_day():
    events = events_of(
        "تحديث - 10:15 تغ",
        "اندلعت اشتباكات عنيفة في مدينة سرت اليوم الأربعاء.",
        "تحديث - 08:00 تغ",
        "دارت معارك بين الطرفين في مدينة سرت أمس الثلاثاء.",
    )
    assert sorted(e.event_date for e in events) == [TUESDAY, WEDNESDAY]


# --- records ---------------------------------------------------------------------------------


def test_event_ids_are_deterministic_and_evidence_is_the_original_text():
    text = "قُتِلَ ثلاثةُ جنودٍ في اشتباكاتٍ مع مسلحين في مدينة سبها اليوم."
    first, second = events_of(text), events_of(text)
    assert [e.event_id for e in first] == [e.event_id for e in second]
    event = only(first)
    assert event.notes == text
    assert event.location_as_written == "سبها"
    assert 0 < event.confidence <= 1
    assert event.country == "Libya"


def test_title_alone_is_no_event_source():
    assert events_of("عاد الهدوء إلى الشوارع صباح اليوم.", title="اشتباكات عنيفة في سبها") == []


# --- gold files --------------------------------------------------------------------------------


def test_every_required_seed_event_is_found(shared_dir):
    gold = load_gold(shared_dir / "gold" / "seeds.jsonl")
    predicted = {g.id: extract_events(article_from_gold(g, shared_dir / "seeds")) for g in gold}
    for article_gold in gold:
        for wanted in (e for e in article_gold.events if not e.optional):
            found = [
                e
                for e in predicted[article_gold.id]
                if wanted.accepts_type(e.event_type)
                and haversine_km(e.latitude, e.longitude, wanted.latitude, wanted.longitude) <= 25
            ]
            assert found, f"{article_gold.id}: {wanted.event_type} in {wanted.location} not found"
            if article_gold.id[:3] in ("001", "002"):
                assert any(
                    e.event_date == wanted.event_date and e.fatalities == wanted.fatalities
                    for e in found
                ), f"{article_gold.id}: {wanted.event_type} date/fatalities differ"
    result = score(predicted, gold)
    assert result.f1 == 1.0, result.report()


def test_dev_negatives_give_no_events(shared_dir):
    gold = load_gold(shared_dir / "gold" / "dev.jsonl")
    negatives = [g for g in gold if g.is_negative]
    assert negatives
    for article_gold in negatives:
        assert extract_events(article_from_gold(article_gold)) == [], article_gold.id


def test_synthetic_gold_set_if_present():
    path = PROJECT / "tests" / "gold" / "synthetic.jsonl"
    if not path.is_file():
        pytest.skip("no synthetic gold set")
    gold = load_gold(path)
    predicted = {g.id: extract_events(article_from_gold(g)) for g in gold}
    result = score(predicted, gold)
    # a floor that guards against regressions, not the target
    assert result.f1 >= 0.8, result.report()
    assert result.precision >= 0.8, result.report()
