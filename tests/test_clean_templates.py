"""The clean stage on page templates it was not tuned on: where dates hide, how bodies are
laid out, and how pages are encoded. Each page carries the same short incident report
inside a different template, with boilerplate that must not reach the text."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rasd.clean import clean_html, clean_page
from rasd.fetch import FetchSettings, fetch_pages
from rasd.models import Article, PageRef
from rasd.rawstore import decode_html

pytestmark = pytest.mark.timeout(60)

HEADLINE = "مقتل ثلاثة مدنيين بقصف على سوق شعبي في ريف المدينة"
INCIDENT = (
    "قتل ثلاثة مدنيين وأصيب سبعة آخرون بجروح صباح اليوم الأحد جراء قصف مدفعي استهدف "
    "سوقاً شعبياً في بلدة الزيتون بريف المدينة الشمالي، بحسب ما أفاد مصدر طبي محلي.",
    "وأوضح المصدر أن بين المصابين طفلين نقلا إلى المستشفى الميداني في حالة حرجة، فيما "
    "أغلقت المحال التجارية أبوابها وسط حالة من الهلع بين السكان بعد سقوط القذائف.",
)
DAY = date(2015, 6, 28)
SITE = "الوسط"

NAV = (
    '<nav class="menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/p">سياسة</a></li>'
    '<li><a href="/s">رياضة</a></li><li><a href="/e">اقتصاد</a></li></ul></nav>'
)
FOOTER = "<footer><p>جميع الحقوق محفوظة لموقع الوسط الإخباري 2015</p></footer>"
RELATED_TITLES = (
    "افتتاح معرض الكتاب الدولي بمشاركة مئة دار نشر عربية",
    "ارتفاع أسعار الخضار في الأسواق المحلية مع بداية الصيف",
    "المنتخب الوطني يستعد لمباراته الودية المقبلة في العاصمة",
)
COMMENTS = tuple(
    f"تعليق رقم {i}: أتمنى أن تتوقف هذه المآسي وأن يعم السلام في كل ربوع بلادنا الحبيبة "
    f"فقد تعب الناس من الحرب والدمار والتهجير منذ سنوات طويلة يا رب {i}"
    for i in range(1, 31)
)
# Text that must never reach the article.
FOREIGN = (*RELATED_TITLES, *COMMENTS, "جميع الحقوق محفوظة", "الرئيسية")


def _incident_ps() -> str:
    return "".join(f"<p>{p}</p>" for p in INCIDENT)


def _related_block(year: int = 2014) -> str:
    items = "".join(
        f'<li><a href="/news/{year}/01/0{i}/x{i}.html">{t}</a>'
        f'<span class="date">{year}-01-0{i + 1}</span></li>'
        for i, t in enumerate(RELATED_TITLES)
    )
    return f'<div class="related-news"><h3>أخبار ذات صلة</h3><ul>{items}</ul></div>'


def _comments_block() -> str:
    items = "".join(
        f'<li class="comment"><div class="comment-author">زائر {i}</div>'
        f'<time datetime="2016-02-0{i % 9 + 1}T10:00:00+02:00">2016</time>'
        f"<p>{c}</p></li>"
        for i, c in enumerate(COMMENTS)
    )
    return f'<section class="user-comments"><h3>التعليقات</h3><ol>{items}</ol></section>'


def page(
    head: str = "",
    header: str = "",
    body: str | None = None,
    inside: str = "",
    after: str = "",
    title: str = f"{HEADLINE} | {SITE}",
    h1: bool = True,
    charset: str | None = "utf-8",
) -> str:
    """A news page: the article in <article>, with site chrome around it."""
    meta = f'<meta charset="{charset}">' if charset else ""
    heading = f"<h1>{HEADLINE}</h1>" if h1 else ""
    return (
        f"<!DOCTYPE html><html lang='ar' dir='rtl'><head>{meta}<title>{title}</title>{head}"
        f"</head><body>{NAV}<main><article><header>{heading}{header}</header>"
        f"<div class='entry-content'>{body if body is not None else _incident_ps()}</div>"
        f"{inside}</article>{after}</main>{FOOTER}</body></html>"
    )


def check(article: Article, day: date = DAY, title: str = HEADLINE) -> None:
    for paragraph in INCIDENT:
        assert paragraph in article.text
    for text in FOREIGN:
        assert text not in article.text
    assert article.published_at is not None, "no publication date"
    assert article.published_at.date() == day
    assert article.title == title


URL = "https://news.example/world/article-1234.html"
GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "name": SITE, "url": "https://news.example/"},
        {"@type": "BreadcrumbList", "itemListElement": []},
        {
            "@type": "NewsArticle",
            "headline": HEADLINE,
            "datePublished": "2015-06-28T10:45:00+03:00",
            "dateModified": "2016-01-05T08:00:00+03:00",
        },
    ],
}

DATE_PAGES = {
    "time-in-header": page(
        header='<time datetime="2015-06-28T10:45:00+03:00">28 يونيو 2015</time>',
        after=_comments_block(),
    ),
    "meta-pubdate": page(head='<meta name="pubdate" content="20150628">'),
    "meta-itemprop": page(
        head='<meta itemprop="dateModified" content="2016-03-01">'
        '<meta itemprop="datePublished" content="2015-06-28">'
    ),
    "og-updated-only": page(
        head='<meta property="og:updated_time" content="2015-06-28T10:45:00+03:00">'
    ),
    "meta-date": page(head='<meta name="date" content="2015-06-28">'),
    "dublin-core": page(head='<meta name="DC.date.issued" content="2015-06-28">'),
    "json-ld-graph": page(
        head=f'<script type="application/ld+json">{json.dumps(GRAPH)}</script>',
        after=_comments_block(),
    ),
    "modified-before-published": page(
        head='<meta property="article:modified_time" content="2016-01-05T08:00:00+00:00">'
        '<meta property="article:published_time" content="2015-06-28T07:45:00+00:00">'
    ),
    "line-with-label": page(
        header='<div class="post-meta">نشر بتاريخ: الأحد 28 يونيو 2015 - 10:45</div>'
        '<div class="updated">آخر تحديث: الثلاثاء 5 يناير 2016 - 08:00</div>',
        after=_comments_block(),
        inside=_related_block(),
    ),
    "line-numeric": page(
        header='<span class="date">2015/06/28</span>', inside=_related_block(2013)
    ),
    "line-arabic-digits": page(
        header='<span class="news-date">٢٨ يونيو ٢٠١٥</span>', after=_comments_block()
    ),
    "line-levantine-month": page(
        header='<p class="date">الأحد، 28 حزيران 2015</p>', inside=_related_block()
    ),
}


@pytest.mark.parametrize("name", sorted(DATE_PAGES))
def test_publication_date_is_found_wherever_the_template_puts_it(name):
    check(clean_html(DATE_PAGES[name], url=URL))


def test_date_only_in_the_url_path():
    article = clean_html(page(), url="https://news.example/2015/06/28/market-shelling.html")
    check(article)


DATED = '<meta property="article:published_time" content="2015-06-28T10:45:00+03:00">'
GALLERY = "".join(
    f'<figure class="gallery-item"><img src="/img/{i}.jpg" alt="">'
    f"<figcaption>صورة {i}: آثار القصف على السوق الشعبي في البلدة</figcaption></figure>"
    for i in range(1, 5)
)
BR_BODY = f"<div class='text'>{INCIDENT[0]}<br><br>{INCIDENT[1]}<br><br></div>"
TABLE_PAGE = (
    "<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
    f"<title>{SITE} - {HEADLINE}</title>{DATED}</head><body>"
    "<table width='100%'><tr><td class='menu'><a href='/'>الرئيسية</a> | "
    "<a href='/s'>رياضة</a></td></tr><tr><td><table><tr>"
    f"<td class='side' width='20%'><ul>{''.join(f'<li>{t}</li>' for t in RELATED_TITLES)}</ul></td>"
    f"<td class='main'><font size='4'><b>{HEADLINE}</b></font><br>"
    f"<font size='2'>{INCIDENT[0]}<br><br>{INCIDENT[1]}</font></td>"
    "</tr></table></td></tr><tr><td class='footer'>جميع الحقوق محفوظة</td></tr></table>"
    "</body></html>"
)
AMP_PAGE = (
    "<!doctype html><html ⚡ lang='ar' dir='rtl'><head><meta charset='utf-8'>"
    f"<title>{HEADLINE} | {SITE}</title><link rel='canonical' href='{URL}'>"
    "<script async src='https://cdn.ampproject.org/v0.js'></script>"
    "<style amp-custom>body{direction:rtl}</style>"
    f'<script type="application/ld+json">{json.dumps(GRAPH)}</script></head><body>'
    f"<amp-sidebar id='sidebar' layout='nodisplay' side='right'>{NAV}</amp-sidebar>"
    f"<article class='amp-article'><header><h1>{HEADLINE}</h1></header>"
    "<amp-img src='/img/1.jpg' width='600' height='400' layout='responsive'></amp-img>"
    f"<div class='amp-article-body'>{_incident_ps()}</div></article>"
    f"<amp-social-share type='facebook'></amp-social-share>{FOOTER}</body></html>"
)
BLOGGER_PAGE = (
    f"<html><head><meta charset='utf-8'><title>{SITE}: {HEADLINE}</title>"
    f"<meta property='og:title' content='{HEADLINE}'></head><body>"
    "<div class='main-inner'><div class='date-outer'>"
    "<h2 class='date-header'><span>الأحد، 28 يونيو 2015</span></h2>"
    f"<div class='post hentry'><h3 class='post-title entry-title'>{HEADLINE}</h3>"
    f"<div class='post-body entry-content'>{INCIDENT[0]}<br><br>{INCIDENT[1]}"
    "<div style='clear: both;'></div></div>"
    "<div class='post-footer'>نشر بواسطة المحرر في 10:45 ص</div></div></div>"
    f"<div class='comments' id='comments'><h4>{len(COMMENTS)} تعليقات:</h4>"
    + "".join(f"<dl><dt>زائر</dt><dd><p>{c}</p></dd></dl>" for c in COMMENTS)
    + "</div></div></body></html>"
)
DRUPAL_BODY = (
    "<div class='field field-name-body field-type-text-with-summary'>"
    "<div class='field-items'><div class='field-item even' property='content:encoded'>"
    f"{_incident_ps()}</div></div></div>"
    "<div class='field field-name-field-tags'><div class='field-label'>الوسوم:&nbsp;</div>"
    "<div class='field-items'><div class='field-item even'><a href='/t/1'>قصف</a></div>"
    "</div></div>"
)

BODY_PAGES = {
    "br-paragraphs": page(head=DATED, body=BR_BODY, after=_comments_block()),
    "amp": AMP_PAGE,
    "blogger": BLOGGER_PAGE,
    "drupal-field-item": page(head=DATED, body=DRUPAL_BODY),
    "table-layout": TABLE_PAGE,
    "long-comments": page(head=DATED, after=_comments_block(), inside=_comments_block()),
    "related-inside-article": page(head=DATED, inside=_related_block()),
    "related-inside-body": page(head=DATED, body=_incident_ps() + _related_block()),
    "gallery-with-captions": page(head=DATED, body=GALLERY + _incident_ps()),
    "site-name-in-title-only": page(head=DATED, h1=False),
    "site-name-first-in-title": page(head=DATED, h1=False, title=f"{SITE} - {HEADLINE}"),
}


@pytest.mark.parametrize("name", sorted(BODY_PAGES))
def test_article_text_is_found_in_every_body_shape(name):
    article = clean_html(BODY_PAGES[name], url=URL)
    check(article)
    assert "آثار القصف على السوق الشعبي" not in article.text  # gallery captions
    assert "الوسوم" not in article.text


def _encoded(encoding: str, charset_meta: str | None) -> bytes:
    return page(head=DATED, charset=charset_meta).encode(encoding)


# path: (body bytes, Content-Type header)
ENCODED_PAGES = {
    "/cp1256-header-only.html": (_encoded("cp1256", None), "text/html; charset=windows-1256"),
    "/cp1256-undeclared.html": (_encoded("cp1256", None), "text/html"),
    "/iso-8859-6.html": (_encoded("iso-8859-6", "iso-8859-6"), "text/html"),
    "/utf8-bom.html": (b"\xef\xbb\xbf" + _encoded("utf-8", None), "text/html"),
    "/utf8-declared-but-cp1256.html": (
        _encoded("cp1256", "utf-8"),
        "text/html; charset=utf-8",
    ),
}


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server interface)
        found = ENCODED_PAGES.get(self.path)
        body, content_type = found or (b"not found", "text/plain")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def encoded_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", sorted(ENCODED_PAGES))
def test_every_encoding_is_decoded_to_the_arabic_article(encoded_site, path):
    settings = FetchSettings(user_agent="rasd-test/1.0", max_retries=0, threads=1)
    (fetched,) = fetch_pages([PageRef(encoded_site + path, "t")], settings, resolver=lambda h: [])
    assert fetched.error is None, fetched.error
    check(clean_page(fetched))


@pytest.mark.parametrize("path", sorted(ENCODED_PAGES))
def test_decode_html_gives_the_same_page_without_a_server(path):
    body, content_type = ENCODED_PAGES[path]
    assert HEADLINE in decode_html(body, content_type).html
