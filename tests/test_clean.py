import json
import re
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import html as lxml_html
from trafilatura import bare_extraction

from rasd.clean import (
    BoilerplateRules,
    CleanError,
    arabic_share,
    clean_html,
    clean_page,
    clean_paragraphs,
    is_boilerplate,
    prune_page,
    strip_shortcodes,
    url_date,
    visible_date,
)
from rasd.models import Article, FetchedPage
from rasd.sample_server import SAMPLE_SITE, serve_site
from rasd.samplesite import Figure, all_trap_texts, parse_seed_text, render_eval_page

SHARED = Path(__file__).resolve().parents[2] / "shared"
META_CHARSET = re.compile(rb'<meta charset="([\w-]+)">')

# Each sample page: its seed, when it was published (naive UTC) and sentences of the seed
# that must survive cleaning whole.
SAMPLE_PAGES = {
    "news/2015/06/a01e3020cb9cac3e.html": (
        "000_a01e3020cb9cac3e",
        datetime(2015, 6, 10, 8, 20),
        [
            "اختطفت مجموعة تابعة لتنظيم «داعش» الإرهابي أربعة من أفراد الهيئة الأمنية العليا",
            "الذي اغتيل على أيادي تنظيم «داعش» في وقت سابق.",
        ],
    ),
    "news/2016/06/30db8d5d047be546.html": (
        "001_30db8d5d047be546",
        datetime(2016, 6, 25, 9, 5),
        [
            "وتسببت في مقتل أربعة من القوات الليبية وإصابة 24 آخرين",
            "تمكنت من السيطرة على مصنع للمتفجرات بمدينة سرت",
        ],
    ),
    "news/2015/06/2384139308e2c92b.html": (
        "002_2384139308e2c92b",
        datetime(2015, 6, 30, 11, 40),
        [
            "كما قتل خمسة اشخاص واصيب 17 اخرون بجروح في قصف استهدف منطقة سكنية",
            "سفينتين قرب بنغازي كانتا تحملان «اسلحة ومقاتلين».",
        ],
    ),
    "news/2016/06/ddbd4a02dce20d06.html": (
        "003_ddbd4a02dce20d06",
        datetime(2016, 6, 9, 15, 30),
        [
            "تحاول الدخول إلى حيي سوق الحوت والصابري، وسط اشتداد المعارك.",
            "وأسفرت المواجهات عن مقتل ستة وإصابة 15 آخرين.",
        ],
    ),
    "news/2016/06/92fbbfbc60ecd963.html": (
        "004_92fbbfbc60ecd963",
        datetime(2016, 6, 9, 9, 0),
        [
            "إن 6 عناصر من الكتائب قد قتلوا وأصيب 30 آخرون في الاشتباكات.",
            "هي أفضل أمل لهزيمة تنظيم داعش في ليبيا.",
        ],
    ),
}
CP1256_PAGE = "news/2015/06/2384139308e2c92b.html"
WIDGET_AND_PAGE_WORDS = [
    "covid",
    "كورونا",
    "اجمالي الحالات",
    "المتعافون",
    "12,438",
    "اقرأ أيضاً",
    "الأكثر قراءة",
    "مقالات ذات صلة",
    "عاجل",
    "الوسوم",
    "شارك",
    "تعليق",
    "أرشيف",
    "[",
    "]",
    "”",
]


def _decode(body: bytes) -> str:
    """What the fetch stage does for a page served without a charset header."""
    declared = META_CHARSET.search(body[:2048])
    return body.decode(declared.group(1).decode() if declared else "utf-8")


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Article]:
    articles = {}
    with serve_site(SAMPLE_SITE) as server, httpx.Client(timeout=10) as client:
        for path in SAMPLE_PAGES:
            url = server.url(path)
            response = client.get(url)
            response.raise_for_status()
            page = FetchedPage(
                url=url,
                source="sample",
                fetched_at=datetime.now(UTC),
                status=response.status_code,
                final_url=str(response.url),
                content_type=response.headers["content-type"],
                content_hash="hash-of-" + path,
                html=_decode(response.content),
            )
            articles[path] = clean_page(page)
    return articles


@pytest.mark.parametrize("path", SAMPLE_PAGES)
def test_sample_page_keeps_the_article_sentences(cleaned, path):
    _, _, sentences = SAMPLE_PAGES[path]
    for sentence in sentences:
        assert sentence in cleaned[path].text


@pytest.mark.parametrize("path", SAMPLE_PAGES)
def test_sample_page_loses_every_trap_and_widget(cleaned, path):
    text = cleaned[path].text
    for trap in all_trap_texts():
        assert trap not in text
    for word in WIDGET_AND_PAGE_WORDS:
        assert word not in text, word


@pytest.mark.parametrize("path", SAMPLE_PAGES)
def test_sample_page_metadata(cleaned, path):
    _, published, _ = SAMPLE_PAGES[path]
    article = cleaned[path]
    assert article.published_at == published
    assert article.published_at.tzinfo is None  # naive UTC, as the warehouse stores it
    assert article.site == "127.0.0.1"
    assert article.source == "sample"
    assert article.language == "ar"
    assert article.article_id == Article.id_for(article.url)
    assert article.content_hash == "hash-of-" + path
    assert "\n\n" not in article.title and article.title


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not available")
@pytest.mark.parametrize("path", SAMPLE_PAGES)
def test_sample_page_text_is_the_seed_without_its_boilerplate(cleaned, path):
    seed_id, _, _ = SAMPLE_PAGES[path]
    _, blocks = parse_seed_text((SHARED / "seeds" / f"{seed_id}.txt").read_text("utf-8"))
    expected = [b for b in blocks if isinstance(b, str) and "[covid19-" not in b]
    assert cleaned[path].paragraphs == [" ".join(p.split()) for p in expected]
    gold = {}
    for line in (SHARED / "gold" / "seeds.jsonl").read_text("utf-8").splitlines():
        record = json.loads(line)
        gold[record["id"]] = record["published"]
    assert cleaned[path].published_at.date().isoformat() == gold[seed_id]


def test_windows_1256_bytes_are_decoded_from_the_meta_charset():
    raw = (SAMPLE_SITE / CP1256_PAGE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    article = clean_html(raw, url="http://127.0.0.1/" + CP1256_PAGE, source="sample")
    assert article.title.startswith("استنكرت الحكومة الليبية المؤقتة")
    assert "«ضرورة تسليح الجيش في أسرع وقت للوقوف في وجه تمدد الإرهاب»" in article.text
    assert article.published_at == datetime(2015, 6, 30, 11, 40)


def test_shortcodes_are_cut_out_and_the_rest_of_the_paragraph_kept():
    straight = 'قتل ثلاثة في اشتباك. [covid19-card region="LY" label="ليبيا"] وأصيب اثنان.'
    assert strip_shortcodes(straight) == "قتل ثلاثة في اشتباك. وأصيب اثنان."
    curly = "[covid19-ultimate-card region=”EG” region-name=”مصر” bg-color=”#0c3278″]"
    assert strip_shortcodes(curly) == ""
    wrapped = '[caption id="a1" align="alignright"]صورة من المكان[/caption] بدأت المحكمة'
    assert strip_shortcodes(wrapped) == "صورة من المكان بدأت المحكمة"
    cut_off = "وصلت القافلة إلى المدينة. [covid19-ultimate-card region=”LY” deaths-label=”الوفيات"
    assert strip_shortcodes(cut_off) == "وصلت القافلة إلى المدينة."
    assert strip_shortcodes("أشار التقرير [1] إلى المصدر [الوكالة]") == (
        "أشار التقرير [1] إلى المصدر [الوكالة]"
    )


@pytest.mark.parametrize(
    "line",
    [
        "اقرأ أيضاً: اشتباكات عنيفة على أطراف المدينة",
        "اقرأ ايضا انفجار في الميناء",
        "إحصائيات كورونا - ليبيا",
        "اجمالي الحالات 12,438 اجمالي الوفيات 231",
        "| المتعافون | 9,874 |",
        "تم تحديث البيانات في : 2020-05-01 10:00",
        "صورة أرشيفية لجنود عند بوابة المدينة",
        "عناصر من الشرطة عند حاجز أمني - أرشيف",
        "الوسوم: ليبيا، الأمن",
        "شارك:",
        "فيسبوك تويتر واتساب",
        "اترك تعليقاً",
        "3 تعليقات",
        "مقالات ذات صلة",
        "الأكثر قراءة",
    ],
)
def test_boilerplate_lines_are_recognised(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "ارتفع عدد الوفيات جراء القصف إلى 12 شخصا وفق مصادر طبية في المدينة.",
        "قال شهود إن المتعافين من الإصابات غادروا المستشفى صباح الأحد.",
        "شارك مئات المتظاهرين في وقفة احتجاجية أمام مقر الحكومة.",
        "أعلنت وزارة الصحة أن الإصابات بين المدنيين بلغت 40 إصابة.",
    ],
)
def test_article_sentences_are_not_boilerplate(line):
    assert not is_boilerplate(line)


def test_clean_paragraphs_drops_repeated_headline_and_duplicates():
    text = "\n".join(
        [
            "قصف على حي سكني",
            "سقطت قذائف على حي سكني في المدينة مساء الجمعة.",
            "صورة أرشيفية لمبنى متضرر",
            "سقطت قذائف على حي سكني في المدينة مساء الجمعة.",
            "المصدر: وكالات",
        ]
    )
    assert clean_paragraphs(text, title="قصف على حي سكني") == [
        "سقطت قذائف على حي سكني في المدينة مساء الجمعة.",
        "المصدر: وكالات",
    ]


PLAIN_PAGE = """<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8">
<title>{title} | موقع تجريبي</title>{head}</head><body><article>{body}</article></body></html>"""
BODY = "".join(
    f"<p>{s}</p>"
    for s in [
        "أعلن مجلس البلدية في المدينة الساحلية عن افتتاح مدرسة جديدة في الحي الشرقي يوم الأحد.",
        "وقال رئيس المجلس إن المدرسة تستوعب ستمئة تلميذ وتضم مختبرا ومكتبة وملعبا.",
        "وأضاف أن أعمال صيانة الطريق المؤدي إلى المدرسة ستنتهي قبل بداية العام الدراسي.",
    ]
)


def test_title_falls_back_to_title_tag_and_date_to_json_ld_graph():
    ld = json.dumps(
        {
            "@graph": [
                {"@type": "WebPage"},
                {"@type": "NewsArticle", "datePublished": "2021-02-03T01:15:00+03:00"},
            ]
        }
    )
    head = f'<script type="application/ld+json">{ld}</script>'
    page = PLAIN_PAGE.format(title="مدرسة جديدة في الحي الشرقي", head=head, body=BODY)
    article = clean_html(page, url="http://127.0.0.1:8080/school.html")
    assert article.title == "مدرسة جديدة في الحي الشرقي"
    assert article.published_at == datetime(2021, 2, 2, 22, 15)
    assert len(article.paragraphs) == 3


LEAD = (
    "افتتحت البلدية صباح اليوم جسرا جديدا فوق النهر يربط الحيين الشرقي والغربي للمدينة. "
    "وحضر الافتتاح عدد كبير من السكان الذين انتظروا هذا المشروع سنوات طويلة. "
    "وقطع المحافظ الشريط إيذانا بفتح الجسر أمام السيارات والمشاة منذ الساعة العاشرة صباحا. "
    "ووزعت البلدية على الحاضرين نشرة تشرح مراحل العمل في المشروع منذ وضع حجر الأساس."
)
REST = [
    "وقال رئيس البلدية إن أعمال البناء استمرت عامين وشارك فيها مئتا عامل من أبناء المدينة.",
    "وأضاف أن الجسر سيخفف الزحام عن الطريق القديم الذي كان السكان يسلكونه كل صباح.",
    "وأشار إلى أن المرحلة التالية تشمل إنارة الجسر وزراعة الأشجار على جانبيه قبل الشتاء.",
    "وعبر عدد من أصحاب المحال عن أملهم في أن يعيد الجسر الحركة إلى أسواق الحي الغربي.",
    "وقالت معلمة في مدرسة الحي الشرقي إن تلاميذها سيصلون الآن إلى المدرسة في ربع ساعة.",
    "وذكر مهندس المشروع أن الجسر صمم ليتحمل الفيضانات التي تضرب المنطقة كل بضع سنوات.",
    "وبلغت كلفة المشروع بحسب البلدية نحو ثلاثة ملايين دينار دفعت من ميزانية المحافظة.",
    "ومن المقرر أن تبدأ حافلات النقل العام المرور فوق الجسر اعتبارا من الأسبوع المقبل.",
    "ودعت البلدية السائقين إلى الالتزام بالسرعة المحددة على الجسر حفاظا على سلامة المشاة.",
    "ويأمل السكان أن تتبع المشروع مشاريع أخرى لإصلاح الطرق الفرعية في الحيين.",
]
# trafilatura's own extraction takes the lead in <article>; its readability fallback
# prefers the longer block beside it.
SPLIT_PAGE = (
    "<html><head><meta charset='utf-8'><title>جسر جديد</title></head><body>"
    f"<article><h1>جسر جديد</h1><p>{LEAD}</p></article>"
    f"<div class='more'>{''.join(f'<p>{p}</p>' for p in REST)}</div></body></html>"
)
FALLBACK_PAGES = {
    "plain": PLAIN_PAGE.format(title="مدرسة", head="", body=BODY),
    "split": SPLIT_PAGE,
    "teaser": PLAIN_PAGE.format(title="مدرسة", head="", body=BODY + "<p class='teaser'>x</p>"),
}


@pytest.mark.parametrize("name", sorted(FALLBACK_PAGES))
def test_fallback_extraction_is_kept_where_it_decides(name):
    page = FALLBACK_PAGES[name]
    full = bare_extraction(page, favor_precision=True, include_comments=False, include_tables=False)
    article = clean_html(page, url="http://127.0.0.1/bridge")
    assert article.text == "\n\n".join(clean_paragraphs(full.text, article.title))


def test_post_tagged_covid_is_not_pruned_with_the_widget():
    widget = '<div class="covid19-card">اجمالي الحالات 5</div>'
    body = f'<div class="tag-covid19 category-news">{BODY}{widget}</div>'
    page = PLAIN_PAGE.format(title="مدرسة", head="", body=body)
    article = clean_html(page, url="http://127.0.0.1/tagged")
    assert len(article.paragraphs) == 3
    assert "الحالات" not in article.text


# Elements of a page by what the prune rules of data/boilerplate.yaml make of them.
PRUNED = {
    "widget": '<div class="stats covid19-card">',
    "caption": "<figcaption>",
    "caption-class": '<p class="wp-caption-text\n">',
    "comment-id": '<div id="comments">',
    "comment-start": '<section class="\tcommentary">',
    "comment-end": '<div class="box fb-comments">',
    "comment-section-tag": '<section class="comments-area">',
    "two-tokens": '<ul class="most-read related-posts">',
}
KEPT = {
    "tagged-post": '<div class="tag-covid19 post">',
    "token-inside-another": '<div class="share-bar-wide">',
    "id-with-space": '<div id=" comments">',
    "comments-open-article": '<article class="post comments-open">',
    "article-with-comments": '<article class="post has-comments">',
    "comment-main": '<main class="comment-thread">',
    "empty-class": '<div class="  ">',
}


def test_prune_rules_match_whole_class_tokens_starts_and_ends():
    blocks = {**PRUNED, **KEPT}
    closing = {name: re.match(r"<(\w+)", tag)[1] for name, tag in blocks.items()}
    body = "".join(
        f"{tag}<b>{name}</b></{closing[name]}> tail-{name} " for name, tag in blocks.items()
    )
    tree = lxml_html.document_fromstring(f"<html><body>{body}</body></html>")
    prune_page(tree)
    words = tree.text_content().split()
    for name in PRUNED:
        assert name not in words and f"tail-{name}" in words, name
    for name in KEPT:
        assert name in words, name


def test_prune_rules_file_rejects_a_class_rule_without_a_single_word(tmp_path):
    rules_file = tmp_path / "boilerplate.yaml"
    rules_file.write_text("prune:\n  classes:\n    - starts: share bar\n", encoding="utf-8")
    with pytest.raises(CleanError, match="one word"):
        BoilerplateRules.from_file(rules_file)
    rules_file.write_text("prune:\n  classes:\n    - ends: x\n      token: y\n", "utf-8")
    with pytest.raises(CleanError, match="one of"):
        BoilerplateRules.from_file(rules_file)


def test_date_without_metadata_comes_from_the_page():
    body = BODY + '<p class="date"><time datetime="2022-07-14">14 يوليو 2022</time></p>'
    page = PLAIN_PAGE.format(title="مدرسة", head="", body=body)
    assert clean_html(page, url="http://127.0.0.1/x").published_at == datetime(2022, 7, 14)


def test_page_without_article_is_a_clean_error():
    empty = PLAIN_PAGE.format(title="لا شيء", head="", body="<p>مرحبا</p>")
    with pytest.raises(CleanError, match="no (article|main) text"):
        clean_html(empty, url="http://127.0.0.1/empty")


def test_english_page_is_rejected_as_not_arabic():
    body = "".join(
        f"<p>{s}</p>"
        for s in [
            "The town council opened a new school in the eastern district on Sunday morning.",
            "The head of the council said the school has room for six hundred pupils.",
            "Repairs of the road leading to the school will end before the school year.",
        ]
    )
    page = PLAIN_PAGE.format(title="School", head="", body=body)
    with pytest.raises(CleanError, match="not Arabic"):
        clean_html(page, url="http://127.0.0.1/en")


def test_failed_page_is_a_clean_error_with_its_reason():
    page = FetchedPage(
        url="http://127.0.0.1/x", source="s", fetched_at=datetime.now(UTC), error="HTTP 404"
    )
    with pytest.raises(CleanError, match="HTTP 404"):
        clean_page(page)


def test_arabic_share():
    assert arabic_share("قتل ثلاثة") == 1.0
    assert arabic_share("abc") == 0.0
    assert 0.4 < arabic_share("قتل ثلاثة abcdefgh") < 0.6


@pytest.mark.skipif(not (SHARED / "gold" / "dev.jsonl").is_file(), reason="no dev gold")
def test_gold_articles_survive_every_template():
    traps = all_trap_texts()
    for index, line in enumerate((SHARED / "gold" / "dev.jsonl").read_text("utf-8").splitlines()):
        gold = json.loads(line)
        page = render_eval_page(
            title=gold["title"],
            paragraphs=gold["paragraphs"],
            published=gold["published"],
            index=index,
            url_path=f"/eval/{gold['id']}.html",
        )
        article = clean_html(page, url=f"http://127.0.0.1/eval/{gold['id']}.html")
        _, blocks = parse_seed_text("\n\n".join([gold["title"], *gold["paragraphs"]]))
        for block in blocks:
            if not isinstance(block, Figure):
                assert " ".join(block.split()) in article.text, gold["id"]
        assert not [t for t in traps if t in article.text], gold["id"]
        assert article.published_at.date().isoformat() == gold["published"], gold["id"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("نشر بتاريخ: الأحد 28 يونيو 2015 - 10:45", datetime(2015, 6, 28)),
        ("الأحد، 28 حزيران 2015", datetime(2015, 6, 28)),
        ("٢٨ يونيو ٢٠١٥", datetime(2015, 6, 28)),
        ("2015/06/28", datetime(2015, 6, 28)),
        ("28-06-2015 | 10:45", datetime(2015, 6, 28)),
        ("3 جوان 2016", datetime(2016, 6, 3)),
        ("قبل ساعتين", None),
        ("31 فبراير 2015", None),
    ],
)
def test_visible_date_reads_arabic_date_lines(line, expected):
    assert visible_date(line) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2015/06/28/story.html", datetime(2015, 6, 28)),
        ("https://x.example/news/20150628-story", datetime(2015, 6, 28)),
        ("https://x.example/news/2015/06/a01e3020.html", None),
        ("https://x.example/story-2015.html", None),
    ],
)
def test_url_date(url, expected):
    assert url_date(url) == expected
