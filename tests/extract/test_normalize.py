import re

from rasd.extract.normalize import (
    CLITIC_PREFIXES,
    TermMatcher,
    _normalize_with_offsets_by_char,
    normalize,
    normalize_with_offsets,
    original_span,
    split_sentences,
    strip_clitics,
    word_pattern,
)


def test_hamza_forms_fold_to_bare_letters():
    assert normalize("أحمد إبراهيم آمن ٱلله") == "احمد ابراهيم امن الله"
    assert normalize("مؤتمر") == "موتمر"
    assert normalize("رئيس") == "رييس"


def test_ta_marbuta_alef_maqsura_tatweel_and_diacritics():
    assert normalize("مدينة") == "مدينه"
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("الـ60") == "ال60"
    assert normalize("قُتِلَ شَخْصٌ") == "قتل شخص"
    assert normalize("جنديًّا") == "جنديا"


def test_digits_punctuation_quotes_and_whitespace():
    assert normalize("قتل ٢٤ شخصا، وأصيب ۱۵؟") == "قتل 24 شخصا, واصيب 15?"
    assert normalize("تنظيم «داعش»  الإرهابي") == "تنظيم داعش الارهابي"
    assert normalize("  سطر أول\n\n  سطر ثان  ") == "سطر اول\nسطر ثان"


def test_persian_letters_and_presentation_forms_fold():
    assert normalize("کرکوک") == "كركوك"
    assert normalize("ﻻ") == "لا"  # lam-alef ligature from old encodings


def test_offsets_map_back_to_the_original_text():
    original = "اشتباكات في «أجدابيـا» أمسِ"
    norm, offsets = normalize_with_offsets(original)
    assert len(offsets) == len(norm)
    start = norm.index("اجدابيا")
    a, b = original_span(offsets, start, start + len("اجدابيا"))
    assert original[a:b] == "أجدابيـا"
    start = norm.index("امس")
    a, b = original_span(offsets, start, start + 3)
    assert original[a:b] == "أمس"


def test_split_sentences_keeps_decimals_and_abbreviations():
    text = "قال د. محمد إن 3.5 طن سقطت. وأصيب خمسة! هل انتهى؟ نعم\nسطر جديد"
    assert split_sentences(text) == [
        "قال د. محمد إن 3.5 طن سقطت.",
        "وأصيب خمسة!",
        "هل انتهى؟",
        "نعم",
        "سطر جديد",
    ]


def test_split_sentences_keeps_site_names_whole():
    assert split_sentences('قال مصدر لـ"العربية. نت" إن الهجوم وقع. وأضاف') == [
        'قال مصدر لـ"العربية. نت" إن الهجوم وقع.',
        "وأضاف",
    ]


def test_word_pattern_allows_clitics_but_not_longer_words():
    pattern = re.compile(word_pattern("سرت"))
    assert pattern.search("اشتباكات بسرت امس")["term"] == "سرت"
    assert pattern.search("وفي سرت")["term"] == "سرت"
    assert pattern.search("سرتها") is None
    assert pattern.search("مسرت") is None
    raqqa = re.compile(word_pattern("الرقه"))
    assert raqqa.search("وصل للرقه امس")


def test_term_matcher_respects_clitics_and_boundaries():
    matcher = TermMatcher({"سرت": "Sirte", "الرقة": "Raqqa", "شيخ زويد": "SZ", "زويد": "Z"})
    text = normalize("قتال بسرت ووصل للرقة ثم إلى شيخ زويد، لا في المسرت ولا سرتنا")
    found = [(text[m.start : m.end], m.payload) for m in matcher.find(text)]
    assert found == [("سرت", "Sirte"), ("للرقه", "Raqqa"), ("شيخ زويد", "SZ")]


def test_term_matcher_suffixes_only_when_asked():
    plain = TermMatcher({"اشتباكات": 1, "مدينة": 2})
    with_suffixes = TermMatcher({"اشتباكات": 1, "مدينة": 2}, allow_suffixes=True)
    text = normalize("اشتباكاتها في مدينتهم")
    assert plain.find(text) == []
    assert [m.payload for m in with_suffixes.find(text)] == [1, 2]


def test_term_matcher_accepts_pairs_and_overlapping_mode():
    matcher = TermMatcher([("بئر العبد", "BA"), ("العبد", "A")])
    text = normalize("في بئر العبد")
    assert [m.payload for m in matcher.find(text)] == ["BA"]
    assert [m.payload for m in matcher.find(text, overlapping=True)] == ["BA", "A"]


def test_clitic_prefixes_and_strip_clitics():
    assert {"و", "ب", "ال", "لل", "وال", "بال"} <= set(CLITIC_PREFIXES)
    assert "الرقه" in strip_clitics("للرقه")
    assert "بنغازي" in strip_clitics("وبنغازي")


def test_whitespace_and_dropped_marks_keep_their_offsets():
    # a dropped mark inside a run of spaces, at either end, and between two letters
    text = "\u200f  قُتِلَ \u200b\n  جندي\u0640ان ،  في\tسرت\u200e "
    norm, offsets = normalize_with_offsets(text)
    assert norm == "قتل\nجنديان , في سرت"
    assert [text[o] for o in offsets] == list("قتل جنديان ، في\tسرت")
    assert offsets[3] == text.index(" \u200b\n")  # a run's first space stands for it


def test_ligatures_and_the_dropped_marker_character_take_the_slow_road():
    for text in ("ﻻ  بد", "سرت\x00 ﷲ", "\x00", "", "   ", "a\u200b", "ﷺ  ب"):
        assert normalize_with_offsets(text) == _normalize_with_offsets_by_char(text)
    assert normalize_with_offsets("ﻻ  بد") == ("لا بد", [0, 0, 1, 3, 4])
