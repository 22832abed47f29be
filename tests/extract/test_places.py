import time

import pytest

from rasd.extract.normalize import normalize
from rasd.extract.places import Gazetteer, Place


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


def resolved(gazetteer: Gazetteer, text: str, hint: str | None = "auto") -> list[Place]:
    norm = normalize(text)
    if hint == "auto":
        hint = gazetteer.country_hint(norm)
    places = [gazetteer.resolve(m, hint) for m in gazetteer.find_places(norm)]
    return [p for p in places if p is not None]


def town(gazetteer: Gazetteer, text: str, hint: str | None = "auto") -> tuple[str, str]:
    places = resolved(gazetteer, text, hint)
    assert places, f"no place found in {text!r}"
    return places[0].name, places[0].country_code


@pytest.mark.parametrize(
    ("arabic", "name"),
    [
        ("الزاوية", "Zawiya"),
        ("غريان", "Gharyan"),
        ("أوباري", "Ubari"),
        ("الكفرة", "Kufra"),
        ("صبراتة", "Sabratha"),
        ("زليتن", "Zliten"),
        ("ترهونة", "Tarhuna"),
        ("بني وليد", "Bani Walid"),
        ("هون", "Hun"),
        ("الجفرة", "Hun"),
        ("البريقة", "Brega"),
        ("راس لانوف", "Ras Lanuf"),
        ("بن جواد", "Bin Jawad"),
        ("السدرة", "Es Sider"),
        ("سرت", "Sirte"),
        ("أجدابيا", "Ajdabiya"),
        ("درنة", "Derna"),
        ("المرج", "Al Marj"),
        ("سبها", "Sabha"),
    ],
)
def test_libyan_towns(gazetteer, arabic, name):
    assert town(gazetteer, f"اشتباكات عنيفة في {arabic} أمس", "LY") == (name, "LY")


@pytest.mark.parametrize(
    ("arabic", "country"),
    [
        ("حلب", "SY"),
        ("دير الزور", "SY"),
        ("الرقة", "SY"),
        ("الموصل", "IQ"),
        ("الفلوجة", "IQ"),
        ("تكريت", "IQ"),
        ("عدن", "YE"),
        ("تعز", "YE"),
        ("مأرب", "YE"),
        ("الحديدة", "YE"),
        ("مقديشو", "SO"),
        ("كيسمايو", "SO"),
        ("العريش", "EG"),
        ("الشيخ زويد", "EG"),
        ("الفاشر", "SD"),
        ("نيالا", "SD"),
        ("الخرطوم", "SD"),
    ],
)
def test_towns_in_other_countries_without_a_hint(gazetteer, arabic, country):
    assert town(gazetteer, f"قتل ثلاثة في {arabic}", None)[1] == country


def test_rafah_follows_the_country_hint(gazetteer):
    assert town(gazetteer, "هجوم في رفح", "EG") == ("Rafah", "EG")
    assert town(gazetteer, "غارة على رفح", "PS")[1] == "PS"


def test_clitics_and_longest_match(gazetteer):
    norm = normalize("معارك بسرت ولبنغازي وبمدينة الشيخ زويد وبئر العبد")
    surfaces = [m.surface for m in gazetteer.find_places(norm)]
    assert surfaces == ["سرت", "بنغازي", "الشيخ زويد", "بير العبد"]
    assert gazetteer.find_places(normalize("المسرتين")) == []


def test_landmarks_resolve_to_their_town(gazetteer):
    for text, expected in [
        ("اشتباكات في الصابري وسوق الحوت", "Benghazi"),
        ("قصف على القوارشة", "Benghazi"),
        ("معسكر تاقرفت", "Sirte"),
        ("قرب ميناء سرت", "Sirte"),
        ("داخل مركز واغادوغو", "Sirte"),
    ]:
        places = resolved(gazetteer, text, "LY")
        assert places and {p.name for p in places} == {expected}, text
        assert places[0].feature == "landmark"
        assert (
            places[0].latitude
            == gazetteer.lookup("بنغازي" if expected == "Benghazi" else "سرت")[0].latitude
        )


def test_tripoli_is_disambiguated_by_the_hint(gazetteer):
    assert town(gazetteer, "اشتباكات في طرابلس", "LY") == ("Tripoli", "LY")
    assert town(gazetteer, "اشتباكات في طرابلس", "LB") == ("Tripoli", "LB")
    assert town(gazetteer, "اشتباكات في طرابلس بين الجيش اللبناني ومسلحين") == ("Tripoli", "LB")
    assert town(gazetteer, "قوات الحكومة الليبية في طرابلس ومصراتة") == ("Tripoli", "LY")


def test_common_words_need_a_place_cue(gazetteer):
    assert resolved(gazetteer, "دعا إلى السلام وإنهاء الحرب", "LY") == []
    assert resolved(gazetteer, "الجيش الوطني الجديد", "LY") == []
    cued = gazetteer.find_places(normalize("في بلدة النصر"))
    assert cued and cued[-1].cue is not None


def test_country_names_are_not_towns(gazetteer):
    assert resolved(gazetteer, "قتل جنود في ليبيا والعراق", None) == []


def test_country_hint_counts_names_and_adjectives(gazetteer):
    assert gazetteer.country_hint(normalize("قال الجيش الليبي إن قواته في بنغازي")) == "LY"
    assert gazetteer.country_hint(normalize("قصف القوات السورية حلب وإدلب")) == "SY"
    assert gazetteer.country_hint(normalize("كلام عام بلا بلد")) is None


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("أصيب جنديان تونسيان في هجوم", "TN"),  # the dual of a listed adjective
        ("قال مسؤولان عراقيان إن الهجوم وقع ليلا", "IQ"),
        ("اعتقلت الشرطة ثلاث فتيات مغربيات", "MA"),
        ("قتل جنديان ماليان في شمال مالي", "ML"),
    ],
)
def test_country_hint_reads_the_other_forms_of_an_adjective(gazetteer, text, country):
    assert gazetteer.country_hint(normalize(text)) == country


def test_finance_words_do_not_name_mali(gazetteer):
    text = "قالت وزارة المالية إن الدعم المالي للبلديات سيصل، وأضاف مسؤول عراقي أن الوضع مستقر"
    assert gazetteer.country_hint(normalize(text)) == "IQ"


def test_a_mountain_named_like_a_town_abroad_is_not_that_town(gazetteer):
    text = "أصيب جنديان تونسيان بانفجار لغم في جبل السلوم بمحافظة القصرين"
    assert [p.name for p in resolved(gazetteer, text)] == ["Kasserine"]
    # at home, the town the mountain is named after stands for it
    assert town(gazetteer, "اشتباكات في جبل السلوم قرب الحدود الليبية المصرية", "EG") == (
        "Sallum",
        "EG",
    )


def test_place_record_fields(gazetteer):
    (sirte,) = [p for p in gazetteer.lookup("سرت") if p.country_code == "LY"]
    assert sirte.name == "Sirte"
    assert sirte.country == "Libya"
    assert sirte.admin1 == "Sirte"
    assert sirte.geonameid == 2210554
    assert abs(sirte.latitude - 31.2) < 0.1 and abs(sirte.longitude - 16.59) < 0.1
    assert sirte.population > 50_000


def test_default_is_built_once(gazetteer):
    started = time.perf_counter()
    again = Gazetteer.default()
    assert again is gazetteer
    assert time.perf_counter() - started < 0.5


def test_regions_named_like_towns_are_not_towns(gazetteer):
    assert resolved(gazetteer, "قصف على ريف حلب الشمالي", "SY") == []
    assert resolved(gazetteer, "حكومة إقليم برقة", "LY") == []
    assert [p.name for p in resolved(gazetteer, "مدينة العريش بشمال سيناء", "EG")] == ["Arish"]


def test_a_definite_noun_is_not_a_place_cue(gazetteer):
    mentions = gazetteer.find_places(normalize("في المنطقة التي يسيطر عليها"))
    assert all(m.cue is None for m in mentions)
    assert resolved(gazetteer, "في المنطقة التي يسيطر عليها", "LY") == []


def test_a_cue_vouches_for_a_doubtful_name_only_at_home(gazetteer):
    # "مديرية أمن" is a security directorate, not a Dutch town named Emmen
    assert resolved(gazetteer, "هاجم مسلحون مديرية أمن المدينة", "LY") == []
    assert resolved(gazetteer, "اشتباكات في حي بن عاشور", "LY") == []


def test_country_hint_from_a_dominant_town_name(gazetteer):
    assert gazetteer.country_hint(normalize("انفجار لغم في الرقة")) == "SY"
    assert gazetteer.country_hint(normalize("مباراة الديربي في الدوري")) is None


def test_trusted_towns_named_like_words_read_as_adjectives_after_a_definite_noun(gazetteer):
    assert resolved(gazetteer, "اجتماع الدول الخمس", "LY") == []
    assert [p.name for p in resolved(gazetteer, "اشتباكات في الخمس", "LY")] == ["Al Khums"]
    assert [p.name for p in resolved(gazetteer, "هجوم على مديرية أمن المرج", "LY")] == ["Al Marj"]


def test_lexicon_words_are_not_towns(gazetteer):
    assert resolved(gazetteer, "قتل المائة وحارس السبت", "LY") == []


def test_a_cue_word_inside_a_gazetteer_name_does_not_swallow_the_town(gazetteer):
    assert town(gazetteer, "غارات على مدينة زنجبار", "YE") == ("Zinjibar", "YE")
    assert town(gazetteer, "قوات في شعبية سرت", "LY") == ("Sirte", "LY")
