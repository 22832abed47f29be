import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rasd.sample_server import SAMPLE_SITE
from rasd.samplesite import (
    TEMPLATES,
    Figure,
    SampleSiteError,
    TrapContent,
    covid_shortcode,
    parse_seed_text,
    render_article,
    render_eval_page,
    template_for,
    traps_for,
)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BUILDER = REPO / "scripts" / "build_sample_site.py"
PARAGRAPHS = [
    "أعلن مجلس البلدية افتتاح سوق جديد للخضار في وسط المدينة صباح الأحد.",
    "وقال رئيس المجلس إن السوق يضم مئة وعشرين محلا ومرأبا للسيارات.",
    "وأضاف أن العمل في المرحلة الثانية يبدأ الشهر المقبل.",
]
TRAPS = TrapContent(
    ticker=("انفجار عبوة ناسفة قرب مركز للشرطة في بلدة ساحلية",),
    related=("مقتل حارسين في هجوم على مصرف",),
    most_read=("اشتباكات ليلية تخلف ثلاثة قتلى في ضاحية المدينة",),
    read_also="مسلحون يخطفون سائق شاحنة على الطريق الصحراوي",
    comments=(("قارئ", "قتلوا أخي في الهجوم على المصرف ولم يحاسب أحد"),),
    caption="صورة أرشيفية لسيارة محترقة بعد هجوم قتل فيه شخصان",
)


def _render(template: str, **extra) -> str:
    args = {
        "title": "سوق جديد في وسط المدينة",
        "paragraphs": PARAGRAPHS,
        "published": "2020-05-01T10:00:00+02:00",
        "template": template,
        "url_path": "/news/market.html",
        "site_name": "موقع تجريبي",
        "traps": TRAPS,
    }
    return render_article(**{**args, **extra})


def _body_paragraphs(page: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", page)


def test_wordpress_page_has_metadata_and_every_kind_of_boilerplate():
    page = _render("wordpress", covid_widgets=True)
    assert '<meta property="article:published_time" content="2020-05-01T10:00:00+02:00">' in page
    assert '<meta charset="utf-8">' in page
    assert 'class="breaking-news-ticker"' in page and TRAPS.ticker[0] in page
    assert 'class="related-posts"' in page and TRAPS.related[0] in page
    assert "<figcaption" in page and TRAPS.caption in page
    assert 'class="comment-list"' in page and TRAPS.comments[0][1] in page
    assert 'class="tags-links"' in page and 'class="share-bar"' in page
    assert "<footer" in page and "<nav" in page
    covid_paragraphs = [p for p in _body_paragraphs(page) if p.startswith("[covid19-ultimate-card")]
    assert len(covid_paragraphs) == 2  # the raw shortcodes sit inside the body's <p>s
    assert "region=”LY”" in covid_paragraphs[0]
    assert "[covid19-simple-counter" in _body_paragraphs(page)[0]  # and inside a real one
    assert 'class="covid19-card' in page and "اجمالي الوفيات" in page and "9,874" in page


def test_portal_page_has_json_ld_most_read_and_read_also():
    page = _render("portal")
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(found.group(1))["datePublished"] == "2020-05-01T10:00:00+02:00"
    assert "article:published_time" not in page
    assert "الأكثر قراءة" in page and TRAPS.most_read[0] in page
    body = page.split('<div class="story-body">', 1)[1].split("</div>", 1)[0]
    assert f'اقرأ أيضاً: <a href="/news/more/read.html">{TRAPS.read_also}</a>' in body
    assert body.index(PARAGRAPHS[1]) < body.index("اقرأ أيضاً") < body.index(PARAGRAPHS[2])


def test_text_is_escaped_and_charset_declared():
    page = _render("wordpress", title="<عنوان> & خبر", charset="windows-1256")
    assert "&lt;عنوان&gt; &amp; خبر" in page
    assert '<meta charset="windows-1256">' in page


def test_figures_render_between_paragraphs():
    page = _render("portal", paragraphs=[PARAGRAPHS[0], Figure("جنود عند الحاجز - أرشيف"), "نص"])
    assert page.index(PARAGRAPHS[0]) < page.index("جنود عند الحاجز") < page.index("<p>نص</p>")


def test_bad_input_is_a_clear_error():
    with pytest.raises(SampleSiteError, match="unknown page template"):
        _render("newspaper")
    with pytest.raises(SampleSiteError, match="no paragraphs"):
        _render("wordpress", paragraphs=[])


def test_traps_are_deterministic_and_violent_elsewhere():
    first, again, other = traps_for("/a.html"), traps_for("/a.html"), traps_for("/b.html")
    assert first == again
    assert first != other
    assert len(first.ticker) == 3 and len(first.comments) == 3
    assert set(first.texts()) >= set(first.ticker) | {first.caption}


def test_default_traps_come_from_the_url_path():
    page = _render("wordpress", traps=None)
    for headline in traps_for("/news/market.html").ticker:
        assert headline in page


def test_covid_shortcode_uses_curly_quotes():
    code = covid_shortcode("LY", "ليبيا")
    assert code.startswith("[covid19-ultimate-card region=”LY” region-name=”ليبيا”")
    assert code.endswith("”]") and '"' not in code


def test_parse_seed_text_shapes():
    one_line = "أعلن المجلس البلدي افتتاح سوق جديد في وسط المدينة صباح الأحد بحضور الأهالي، وقال"
    title, blocks = parse_seed_text(one_line)
    assert title == "أعلن المجلس البلدي افتتاح سوق جديد في وسط المدينة صباح الأحد بحضور"
    assert blocks == [one_line]
    title, blocks = parse_seed_text("عنوان الخبر\n\nفقرة أولى.\n\nفقرة ثانية.")
    assert (title, blocks) == ("عنوان الخبر", ["فقرة أولى.", "فقرة ثانية."])
    captioned = "جنود عند الحاجز - أرشيف\nجنود عند الحاجز - أرشيف\n\nقال الناطق إن الوضع هادئ."
    title, blocks = parse_seed_text(captioned)
    assert blocks == [Figure("جنود عند الحاجز - أرشيف"), "قال الناطق إن الوضع هادئ."]
    assert title == "قال الناطق إن الوضع هادئ"


def test_eval_pages_rotate_templates():
    assert [template_for(i) for i in range(4)] == [*TEMPLATES, *TEMPLATES]
    pages = [
        render_eval_page(
            title="عنوان", paragraphs=PARAGRAPHS, published="2020-05-01", index=i, url_path="/e"
        )
        for i in range(2)
    ]
    assert "article:published_time" in pages[0] and "[covid19-" in pages[0]
    assert "application/ld+json" in pages[1] and "[covid19-" not in pages[1]


def test_committed_windows_1256_page():
    raw = (SAMPLE_SITE / "news/2015/06/2384139308e2c92b.html").read_bytes()
    assert b'<meta charset="windows-1256">' in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "استنكرت الحكومة الليبية المؤقتة" in raw.decode("cp1256")


def test_committed_seed_004_keeps_its_shortcodes_in_the_body():
    page = (SAMPLE_SITE / "news/2016/06/92fbbfbc60ecd963.html").read_text("utf-8")
    shortcodes = [p for p in _body_paragraphs(page) if p.startswith("[covid19-ultimate-card")]
    assert [re.search(r"region-name=”([^”]+)”", p).group(1) for p in shortcodes] == [
        "مصر",
        "الإمارات العربية المتحدة",
        "فلسطين",
        "العالم",
    ]
    assert "#0c3278″" in shortcodes[0]  # exactly as the site pasted it


def test_committed_xml_is_well_formed_with_a_base_url_mark():
    for name in ("sitemap_index.xml", "sitemap-1.xml", "sitemap-2.xml", "rss.xml", "atom.xml"):
        text = (SAMPLE_SITE / name).read_text("utf-8")
        assert "{{BASE_URL}}/" in text
        ET.fromstring(text.replace("{{BASE_URL}}", "http://127.0.0.1:1"))
    rss = ET.fromstring((SAMPLE_SITE / "rss.xml").read_text("utf-8"))
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert len(rss.findall("./channel/item")) == 5


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "templates" not in p.relative_to(root).parts
    }


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared is not available")
def test_builder_reproduces_the_committed_site(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BUILDER), "--shared", str(SHARED), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    built, committed = _tree(tmp_path), _tree(SAMPLE_SITE)
    assert sorted(built) == sorted(committed)
    for name, data in built.items():
        assert data == committed[name], name


def test_builder_without_seeds_says_so(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BUILDER), "--shared", str(tmp_path), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no seeds folder" in done.stderr
