import pytest

from rasd.extract import numbers as number_module
from rasd.extract.normalize import normalize
from rasd.extract.numbers import dual_count, find_numbers, people_noun


def numbers(text: str) -> list[tuple[int | None, bool, bool]]:
    return [(m.value, m.vague, m.approximate) for m in find_numbers(normalize(text))]


def values(text: str) -> list[int | None]:
    return [m.value for m in find_numbers(normalize(text))]


def test_digits_ascii_arabic_indic_and_thousands():
    assert values("قتل 24 شخصا") == [24]
    assert values("قتل ٢٤ شخصا و۱۵ جريحا") == [24, 15]
    assert values("نزوح 1,200 أسرة") == [1200]
    assert values("نحو 3 آلاف مقاتل") == [3000]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("قتل واحد", 1),
        ("امرأة واحدة", 1),
        ("اثنان من الجنود", 2),
        ("قتل اثنين", 2),
        ("اثنتين من النساء", 2),
        ("ثلاثة جنود", 3),
        ("ثلاث نساء", 3),
        ("أربعة من أفرادها", 4),
        ("أربع سيارات", 4),
        ("خمسة أشخاص", 5),
        ("ستة مسلحين", 6),
        ("ست نساء", 6),
        ("سبعة", 7),
        ("ثمانية", 8),
        ("ثماني سيدات", 8),
        ("ثمان", 8),
        ("تسعة شهداء", 9),
        ("عشرة من المتشددين", 10),
        ("عشر نساء", 10),
    ],
)
def test_unit_words_with_gender_and_case(text, value):
    assert values(text) == [value]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("أحد عشر جنديا", 11),
        ("إحدى عشرة امرأة", 11),
        ("اثنا عشر", 12),
        ("اثني عشر شخصا", 12),
        ("ثلاثة عشر", 13),
        ("خمس عشرة", 15),
        ("عشرون", 20),
        ("عشرين", 20),
        ("خمسة وعشرون", 25),
        ("ثلاثة وأربعين", 43),
        ("مائة", 100),
        ("مئة وخمسون", 150),
        ("مئتين", 200),
        ("ثلاثمائة", 300),
        ("ثلاث مائة", 300),
        ("ألف", 1000),
        ("ألفين", 2000),
        ("ثلاثة آلاف", 3000),
        ("عشرة آلاف", 10000),
        ("ألف وخمسمائة", 1500),
    ],
)
def test_compound_numbers(text, value):
    assert values(text) == [value]


def test_clitics_on_number_words():
    assert values("قتل جندي وعشرة مدنيين") == [10]
    assert values("نسبت لثلاثة مسلحين") == [3]
    assert values("مرت بخمسة حواجز") == [5]
    assert values("وبعشرة") == [10]


def test_weekday_names_are_not_numbers():
    assert values("يوم الاثنين والأحد") == []
    assert values("أحد الجنود") == []  # "one of", not a count by itself


def test_wa_ahad_is_and_one_of():
    assert values("قائد المجموعة واحد القيادات البارزة") == []
    assert values("قتل جندي واحد") == [1]


def test_separate_counts_are_not_joined():
    assert values("قتل أربعة من أفرادها وعشرة من المتشددين") == [4, 10]
    assert values("خمسة وعشرة") == [5, 10]


def test_vague_quantities_follow_acled():
    assert numbers("عشرات القتلى") == [(10, False, True)]
    assert numbers("ومئات الجرحى") == [(100, False, True)]
    assert numbers("عشرات الآلاف من النازحين") == [(10000, False, True)]
    assert numbers("عدة أشخاص") == [(None, True, False)]
    assert numbers("عدد من الجرحى") == [(None, True, False)]
    assert numbers("بضعة مسلحين") == [(None, True, False)]


def test_approximators_keep_the_value():
    assert numbers("مقتل نحو عشرين") == [(20, False, True)]
    assert numbers("حوالي 30 جريحا") == [(30, False, True)]
    assert numbers("ما لا يقل عن خمسة") == [(5, False, True)]
    assert numbers("قتل 49 شخصا على الأقل") == [(49, False, True)]
    assert numbers("قتل 49 شخصا") == [(49, False, False)]


def test_mention_spans_point_into_the_normalised_text():
    text = normalize("أسفر عن مقتل خمسة وعشرين شخصا")
    (mention,) = find_numbers(text)
    assert text[mention.start : mention.end] == mention.text == "خمسه وعشرين"


@pytest.mark.parametrize(
    "word", ["قتيلين", "قتيلان", "جريحين", "شخصين", "جنديين", "عنصرين", "امرأتين", "والجريحين"]
)
def test_duals_count_two(word):
    assert dual_count(normalize(word)) == 2


@pytest.mark.parametrize("word", ["مسلحين", "مدنيين", "سيارتين", "قتلى", "شخص", "الاثنين"])
def test_plurals_and_other_words_are_not_duals(word):
    assert dual_count(normalize(word)) is None


def test_nominative_dual_of_sound_plural_nouns():
    assert dual_count(normalize("مسلحان")) == 2


@pytest.mark.parametrize(
    "word", ["قتيل", "قتلى", "شخصاً", "أشخاص", "جرحى", "مدنيين", "وجنود", "للأطفال", "شهداء"]
)
def test_people_nouns(word):
    assert people_noun(normalize(word))


@pytest.mark.parametrize("word", ["شخصي", "بيت", "سيارة", "مدينة"])
def test_not_people_nouns(word):
    assert not people_noun(normalize(word))


def test_number_word_tables_answer_as_the_proclitic_walk_does():
    lexicon = number_module._lexicon()
    words = [*lexicon.words, *lexicon.vague_values, "الاثنين", "والاثنين", "سرت", "مائتان"]
    forms = {
        p + q + w
        for w in words
        for p in ("", "و", "ف")
        for q in ("", *number_module._WORD_PREFIXES)
    }
    forms |= {p + w[2:] for w in words for p in ("لل", "ولل") if w.startswith("ال")}
    assert number_module._lookup("والاثنين") is None  # Monday, not "and the two"
    assert number_module._lookup("وخمسه") == ("و", "unit", 5)
    for form in forms:
        assert number_module._lookup(form) == number_module._lookup_by_prefixes(form), form
        assert number_module._vague_value(form) == number_module._vague_value_by_prefixes(form), (
            form
        )
