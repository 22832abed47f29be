"""Trigger and cue lexicons: matching on sentences written for the test."""

from __future__ import annotations

import pytest
import yaml

from rasd.extract.normalize import normalize
from rasd.extract.triggers import (
    LEXICON_DIR,
    Lexicon,
    TriggerLexiconError,
    default_lexicon,
    find_cues,
    find_triggers,
)


def families(text: str) -> list[str]:
    return [hit.family.name for hit in find_triggers(normalize(text))]


def cues(text: str) -> set[str]:
    return {hit.family.name for hit in find_cues(normalize(text))}


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("فجر انتحاري نفسه عند المدخل", "suicide"),
        ("انفجرت سيارة مفخخة قرب السوق", "explosive"),
        ("انفجار عبوة لاصقة بسيارة", "explosive"),
        ("نفذت طائرات التحالف غارات جوية", "air"),
        ("استهدفت طائرة مسيرة شاحنة", "air"),
        ("استهدفت مسيرة حوثية مستودعا", "air"),
        ("قتل اثنان في ضربة بمسيرة على الطريق", "air"),
        ("أطلق مسلحون النار على سيارة الإسعاف", "shooting"),
        ("سقطت قذائف الهاون على الحي", "shelling"),
        ("اشتبكت القوات مع المسلحين", "clash"),
        ("دارت معارك عنيفة", "clash"),
        ("اقتادوه إلى جهة مجهولة بعد أن اختطفوا سائقه", "abduction"),
        ("اغتال مجهولون قاضيا", "civilian_attack"),
        ("خرجت مظاهرة في الساحة", "protest"),
        ("اندلعت أعمال شغب", "riot"),
        ("ألقت الشرطة القبض على ثلاثة", "arrest"),
        ("استعادت القوات السيطرة على البلدة", "regain"),
        ("وبالاشتباكات التي تلت ذلك", "clash"),  # clitics
    ],
)
def test_trigger_families(text, family):
    assert family in families(text)


@pytest.mark.parametrize(
    "text",
    ["خرجت مسيرة في شوارع المدينة", "شارك المئات في مسيرة احتجاجية", "مسيرة الحزب السياسية"],
)
def test_a_march_is_not_a_drone(text):
    assert "air" not in families(text)


def test_longest_term_wins():
    assert families("هجوم انتحاري على الثكنة") == ["suicide"]
    assert families("قصف جوي على الحي") == ["air"]


def test_triggers_carry_acled_types():
    hits = find_triggers(normalize("غارة جوية"))
    assert hits[0].family.event_type == "Explosions/Remote violence"
    assert hits[0].family.sub_event_type == "Air/drone strike"


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("أدانت الحكومة الهجوم", "statement"),
        ("تعتزم القوات شن هجوم", "plan"),
        ("منذ سنوات", "background"),
        ("ارتفعت حصيلة القتلى", "cumulative"),
        ("في حادث سير مروع", "accident"),
        ("جراء الفيضانات", "disaster"),
        ("إصابات جديدة بفيروس كورونا", "covid"),
        ("في المباراة النهائية", "sports"),
        ("تفكيك عبوة ناسفة", "defuse"),
    ],
)
def test_cue_families(text, family):
    assert family in cues(text)


def test_default_lexicon_is_built_once():
    assert default_lexicon() is default_lexicon()


def test_malformed_lexicon_is_a_clear_error():
    triggers = yaml.safe_load((LEXICON_DIR / "triggers.yaml").read_text(encoding="utf-8"))
    cue_data = yaml.safe_load((LEXICON_DIR / "cues.yaml").read_text(encoding="utf-8"))
    broken = dict(cue_data, cues={"statement": {"scope": "everywhere", "terms": ["أدان"]}})
    with pytest.raises(TriggerLexiconError, match="scope"):
        Lexicon(triggers, broken)
    with pytest.raises(TriggerLexiconError, match="families"):
        Lexicon({"families": {}}, cue_data)


def test_every_family_is_in_the_acled_taxonomy():
    taxonomy_file = LEXICON_DIR.parents[0] / "reference" / "taxonomy.csv"
    rows = taxonomy_file.read_text(encoding="utf-8").splitlines()[1:]
    taxonomy = {tuple(row.split(",", 1)) for row in rows if row}
    for family, _terms in default_lexicon().families:
        assert (family.event_type, family.sub_event_type) in taxonomy, family.name


def test_grenade_family():
    assert families("ألقى مجهولون قنبلة يدوية على منزل") == ["grenade"]
