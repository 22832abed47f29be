from datetime import date

import pytest

from rasd.extract.dates import find_date_refs, is_update_header, split_update_blocks
from rasd.extract.normalize import normalize

SATURDAY = date(2016, 6, 25)


def refs(text: str, published: date = SATURDAY) -> list[tuple[date | None, str]]:
    return [(r.day, r.kind) for r in find_date_refs(normalize(text), published)]


@pytest.mark.parametrize(
    ("text", "days_back"),
    [
        ("وقع الانفجار اليوم", 0),
        ("صباح اليوم", 0),
        ("قتل أمس", 1),
        ("وقعت يوم أمس", 1),
        ("وبالأمس", 1),
        ("البارحة", 1),
        ("مساء أمس", 1),
        ("الليلة الماضية", 1),
        ("أول أمس", 2),
        ("أول من أمس", 2),
        ("قبل يومين", 2),
        ("منذ ثلاثة أيام", 3),
        ("قبل 4 أيام", 4),
        ("قبل خمسة أيام", 5),
    ],
)
def test_relative_days(text, days_back):
    ((day, kind),) = refs(text)
    assert kind == "relative"
    assert (SATURDAY - day).days == days_back


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قتل الخميس", date(2016, 6, 23)),
        ("يوم الأربعاء", date(2016, 6, 22)),
        ("أمس الجمعة", date(2016, 6, 24)),
        ("اليوم السبت", date(2016, 6, 25)),
        ("السبت", date(2016, 6, 25)),
        ("السبت الماضي", date(2016, 6, 18)),
        ("الخميس الماضي", date(2016, 6, 23)),
        ("ليل الأحد", date(2016, 6, 19)),
        ("فجر الاثنين", date(2016, 6, 20)),
        ("مساء الثلاثاء", date(2016, 6, 21)),
        ("وفي صباح يوم الإثنين", date(2016, 6, 20)),
    ],
)
def test_weekdays_are_the_latest_such_day(text, expected):
    assert refs(text) == [(expected, "weekday")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("في 28 يونيو 2015", date(2015, 6, 28)),
        ("28 حزيران/يونيو 2015", date(2015, 6, 28)),
        ("3 أيار (مايو) 2016", date(2016, 5, 3)),
        ("في 12 نيسان/أبريل 2016", date(2016, 4, 12)),
        ("1 ابريل 2016", date(2016, 4, 1)),
        ("تموز 14 2016", None),
        ("28-6-2015", date(2015, 6, 28)),
        ("2015/06/28", date(2015, 6, 28)),
        ("الأحد (28 يونيو 2015)", date(2015, 6, 28)),
        ("7 كانون الثاني 2016", date(2016, 1, 7)),
        ("9 جويلية 2015", date(2015, 7, 9)),
    ],
)
def test_explicit_dates(text, expected):
    found = [r for r in refs(text) if r[1] == "explicit"]
    if expected is None:
        assert found == []
    else:
        assert found == [(expected, "explicit")]


def test_a_night_spanning_two_days_is_its_first_day():
    assert refs("ليل السبت الأحد") == [(date(2016, 6, 18), "weekday")]
    assert refs("ليلة الجمعة إلى السبت") == [(date(2016, 6, 24), "weekday")]


def test_ordinal_day_numbers():
    assert refs("في الأول من يونيو") == [(date(2016, 6, 1), "explicit")]
    assert refs("في الثامن والعشرين من حزيران 2015") == [(date(2015, 6, 28), "explicit")]
    assert refs("الحادي عشر من سبتمبر 2001") == [(date(2001, 9, 11), "explicit")]
    assert refs("العاشر من مايو") == [(date(2016, 5, 10), "explicit")]


def test_yearless_dates_take_the_latest_year_not_after_publication():
    assert refs("في 20 يونيو") == [(date(2016, 6, 20), "explicit")]
    assert refs("في 30 ديسمبر") == [(date(2015, 12, 30), "explicit")]
    assert refs("الأحد (28 يونيو)") == [(date(2015, 6, 28), "explicit")]


@pytest.mark.parametrize(
    "text",
    [
        "الشهر الماضي",
        "العام الماضي",
        "الأسبوع الماضي",
        "منذ 2014",
        "منذ عام 2014",
        "سيطر التنظيم على المدينة في يونيو 2015",
        "أواخر شهر أغسطس/آب الماضي",
        "خلال الأيام الماضية",
    ],
)
def test_background_references_are_vague(text):
    assert refs(text) == [(None, "vague")]


@pytest.mark.parametrize("text", ["وفي اليوم نفسه", "في اليوم ذاته", "وفي نفس اليوم", "ذات اليوم"])
def test_the_same_day_named_again_is_no_reference_of_its_own(text):
    assert refs(text) == []


def test_month_name_homographs_alone_are_not_dates():
    assert refs("مارس الضغط على أب الضحية") == []


def test_spans_and_several_references_in_order():
    text = normalize("قصفت الطائرات المدينة أمس الجمعة بعد معارك الخميس الماضي")
    found = find_date_refs(text, SATURDAY)
    assert [text[r.start : r.end] for r in found] == ["امس الجمعه", "الخميس الماضي"]
    assert [r.day for r in found] == [date(2016, 6, 24), date(2016, 6, 23)]


def test_update_headers_split_live_pages():
    paragraphs = [
        "مقدمة التقرير",
        "تحديث - 19:44 تغ",
        "الأحد: اشتباكات",
        "تحديث 12:30 بتوقيت غرينتش",
        "السبت: غارات",
        "تفاصيل",
    ]
    blocks = split_update_blocks(paragraphs)
    assert blocks == [
        ["مقدمة التقرير"],
        ["تحديث - 19:44 تغ", "الأحد: اشتباكات"],
        ["تحديث 12:30 بتوقيت غرينتش", "السبت: غارات", "تفاصيل"],
    ]
    assert split_update_blocks(["فقرة", "أخرى"]) == [["فقرة", "أخرى"]]
    assert not is_update_header("تحديث البيانات الانتخابية يتواصل")


def test_date_patterns_run_only_where_their_words_are_yet_read_every_digit():
    # digits of a script normalisation leaves alone are still digits to the patterns
    assert refs("وقع الهجوم في \u0967\u0968 يونيو") == [(date(2016, 6, 12), "explicit")]
    assert refs("اجتماع عادي للمجلس البلدي") == []
    assert refs("في 12 يونيو") == [(date(2016, 6, 12), "explicit")]
