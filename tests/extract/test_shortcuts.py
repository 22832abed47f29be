"""The extractor's shortcuts skip work, never events: each test is a case a shortcut could
get wrong if it were too eager."""

from __future__ import annotations

from datetime import date, datetime

from rasd.extract.events import _Found, _sentences, _Whole
from rasd.extract.normalize import normalize, normalize_with_offsets
from rasd.extract.places import Gazetteer
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


# sentences that tell no act, each on its own: the reach of a toll update is counted in them
_QUIET = [
    "وشهدت المدينة حركة سير عادية في الصباح.",
    "وفتحت المدارس أبوابها كالمعتاد.",
    "وتحدث السكان عن ارتفاع أسعار الخبز.",
    "وعقد المجلس البلدي جلسته الأسبوعية.",
    "ووزعت جمعية خيرية مساعدات غذائية.",
    "وأعلنت البلدية عن مشروع لإصلاح الطرق.",
]


def _toll_after(quiet: int) -> list:
    return article_events(
        "قتل ثلاثة أشخاص اليوم في تفجير عبوة ناسفة في مدينة الموصل.",
        " ".join(_QUIET[:quiet]),
        "وقال مصدر طبي إن الحصيلة ارتفعت إلى 11 قتيلا.",
        "وختمت اللجنة اجتماعها بتوصيات عامة.",
        published=PUBLISHED,
    )


def test_a_toll_update_after_the_last_act_word_still_counts_within_reach():
    # five sentences between the act and the update: the update is the sixth, in reach
    assert only(_toll_after(5)).fatalities == 11


def test_a_toll_update_out_of_reach_is_not_read():
    assert only(_toll_after(6)).fatalities == 3


def test_what_the_whole_text_holds_is_what_each_sentence_holds():
    gazetteer, lexicon = Gazetteer.default(), default_lexicon()
    assert gazetteer.names_within_sentences  # else each sentence is searched on its own
    title = normalize("اشتباكات في سرت")
    paragraph = (
        "هل قصفت الطائرات بنغازي؟وفي درنة اشتباكات متقطعة.\nأما في مصراتة فقتل مسلح برصاص قناص"
    )
    norm, offsets = normalize_with_offsets(paragraph)
    text = f"{title}\n{norm}"
    whole = _Whole(
        _Found.of(lexicon.trigger_matcher, text),
        _Found.of(lexicon.air_agents, text),
        _Found(gazetteer.name_matches(text), gazetteer.names_within_sentences),
        len(title) + 1,
    )
    assert whole.names.within(0, len(title)) == gazetteer.name_matches(title)
    sentences = list(_sentences(paragraph, norm, offsets, lexicon, whole))
    assert len(sentences) == 3
    for sentence in sentences:
        names = whole.names.within(sentence.at, sentence.at + len(sentence.norm))
        assert names == gazetteer.name_matches(sentence.norm)
        assert names  # each sentence names a town ...
        assert sentence.triggers == lexicon.find_triggers(sentence.norm)
        assert sentence.triggers  # ... and an act
    assert [s.act for s in sentences] == [True, True, True]
    assert whole.air_agents.within(sentences[0].at, sentences[1].at)  # الطائرات
