"""The clean stage's shortcuts give what the plain way gives.

Each test holds the plain way as its reference: trafilatura's options as bare_extraction
builds them from keyword arguments, and the rules' matches as a test of every element."""

import re

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html
from trafilatura import bare_extraction
from trafilatura.settings import DEFAULT_CONFIG, Extractor

from rasd.benchgen import generate_article, render_generated
from rasd.clean import (
    BOILERPLATE_FILE,
    PruneRules,
    _first_body,
    clean_paragraphs,
    default_rules,
    extraction_options,
    page_title,
)
from tests.test_clean_templates import URL, page

PAGE_URLS = [
    URL,
    "https://news.example/2015/06/28/shelling.html",
    "https://أخبار.example/محلي/قصف-الحي.html",
    "https://news.example/\ud800broken",  # a lone surrogate: the source replaces it
    "",
]


def options_as_bare_extraction_builds(url: str, fast: bool) -> Extractor:
    """bare_extraction's own options for the arguments the clean stage passed it."""
    return Extractor(
        config=DEFAULT_CONFIG,
        output_format="python",
        fast=fast,
        precision=True,
        recall=False,
        comments=False,
        formatting=None,
        links=False,
        images=False,
        tables=False,
        dedup=False,
        lang=None,
        url=url,
        with_metadata=False,
        only_with_metadata=False,
        author_blacklist=None,
        url_blacklist=None,
        date_params=None,
    )


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("url", PAGE_URLS)
def test_extraction_options_are_bare_extractions_own(url: str, fast: bool) -> None:
    expected = options_as_bare_extraction_builds(url, fast)
    got = extraction_options(url, fast)
    for name in Extractor.__slots__:
        want, have = getattr(expected, name), getattr(got, name)
        if name == "date_params":  # the day the options were made, read only for metadata
            want, have = {**want, "max_date": None}, {**have, "max_date": None}
        assert have == want, name


def test_each_page_gets_its_own_options() -> None:
    first = extraction_options("https://news.example/a.html", fast=True)
    second = extraction_options("https://news.example/b.html", fast=True)
    assert first is not second
    assert (first.url, first.source) == ("https://news.example/a.html",) * 2
    assert second.url == "https://news.example/b.html"


@pytest.mark.parametrize("fast", [True, False])
def test_extraction_with_the_options_gives_the_same_document(fast: bool) -> None:
    markup = page(
        body="<p>قالت مصادر محلية إن قصفا مدفعيا استهدف حيا سكنيا في المدينة صباح اليوم،"
        " وأسفر عن سقوط ثلاثة قتلى وعدد من الجرحى بين المدنيين.</p>"
        "<p>وأضافت المصادر أن فرق الإسعاف نقلت المصابين إلى المستشفى الرئيسي.</p>"
    )
    url = "https://news.example/2015/06/28/shelling.html"
    plain = bare_extraction(
        markup,
        url=url,
        fast=fast,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=False,
    )
    shortcut = bare_extraction(markup, url=url, options=extraction_options(url, fast))
    assert plain is not None and shortcut is not None
    assert "ثلاثة قتلى" in shortcut.text
    assert shortcut.text == plain.text


TOKEN_TESTS = {"token": str.__eq__, "starts": str.startswith, "ends": str.endswith}


def doomed_by_every_rule(rules: dict, tree: lxml_html.HtmlElement) -> list:
    """The elements `rules` (a `prune` section) remove, each element tested on its own
    against each rule, with the attribute split into its class tokens."""
    found = []
    for element in tree.iter(etree.Element):
        if element.tag in rules.get("tags", []) or element.get("id") in rules.get("ids", []):
            found.append(element)
            continue
        tokens = [t for t in re.split(r"[ \t\n\r]+", element.get("class") or "") if t]
        for rule in rules.get("classes", []):
            [(kind, word)] = [(k, v) for k, v in rule.items() if k in TOKEN_TESTS]
            spared = element.tag in rule.get("except_on", [])
            if not spared and any(TOKEN_TESTS[kind](t, word) for t in tokens):
                found.append(element)
                break
    return found


# Rules whose spared tags differ: "section" is spared by one rule, "aside" by all.
SPARING_RULES = {
    "tags": ["figcaption"],
    "ids": ["comments"],
    "classes": [
        {"token": "share-bar", "except_on": ["section", "aside"]},
        {"starts": "comment", "except_on": ["aside"]},
        {"ends": "ad", "except_on": ["aside", "main"]},
    ],
}
CLASSES = [
    "share-bar",
    "x share-bar\ty",
    "share-bar-wide",
    "comments-open",
    "user-comment",
    "commentary box",
    "top-ad",
    "adbox",
    "read\u00a0ad",
    "  ",
    "post",
]


def variety_page() -> lxml_html.HtmlElement:
    blocks = "".join(
        f'<{tag} class="{cls}"><span class="comment-x">{tag}</span></{tag}>tail'
        for tag in ("div", "section", "aside", "main", "p")
        for cls in CLASSES
    )
    return lxml_html.document_fromstring(
        f'<html><body class="comment-page"><figcaption>x</figcaption>'
        f'<div id="comments"><!-- a comment --><p class="share-bar">y</p></div>{blocks}'
        "</body></html>"
    )


def test_prune_rules_find_what_every_rule_finds_alone() -> None:
    tree = variety_page()
    found = PruneRules.from_data(SPARING_RULES, []).doomed(tree)
    assert found == doomed_by_every_rule(SPARING_RULES, tree)
    assert {e.tag for e in found} >= {"figcaption", "div", "section", "main", "p", "span"}
    assert "aside" not in {e.tag for e in found}


def test_the_data_files_prune_rules_find_what_every_rule_finds_alone() -> None:
    rules = yaml.safe_load(BOILERPLATE_FILE.read_text(encoding="utf-8"))["prune"]
    pages = [variety_page()]
    pages += [
        lxml_html.document_fromstring(render_generated(generate_article(i), i)) for i in range(40)
    ]
    for tree in pages:
        assert default_rules().prune.doomed(tree) == doomed_by_every_rule(rules, tree)
    assert sum(len(default_rules().prune.doomed(tree)) for tree in pages[1:]) > 40


BODY_PAGES = {
    "page": "<html><head><title>t</title><meta name='a' content='b'></head>"
    "<body><div><p>نص</p></div></body></html>",
    "no-head": "<html><body class='x'><p>نص</p></body></html>",
}


@pytest.mark.parametrize("name", sorted(BODY_PAGES))
def test_first_body_is_the_first_body_in_document_order(name: str) -> None:
    tree = lxml_html.document_fromstring(BODY_PAGES[name])
    assert _first_body(tree) is next(tree.iter("body")) is tree[-1]


def test_first_body_falls_back_to_the_tree_itself() -> None:
    fragment = lxml_html.fragment_fromstring("<div><p>نص</p></div>")
    assert _first_body(fragment) is fragment
    page = lxml_html.document_fromstring(BODY_PAGES["page"])
    page.remove(page[-1])  # the body pruned away
    assert _first_body(page) is page
    body = lxml_html.document_fromstring(BODY_PAGES["no-head"])[-1]
    assert _first_body(body) is body


HEADLINE_LD = '<script type="application/ld+json">{"headline": %s}</script>'
# page_title's candidates, each page leaving the ones before the expected one empty
TITLE_PAGES = {
    "og:title": ('<meta property="og:title" content="عنوان الوسم">', "<h1>العنوان</h1>"),
    "blank og:title": ('<meta property="og:title" content=" ">', "<h1>عنوان الصفحة</h1>"),
    "json-ld": (HEADLINE_LD % '"عنوان البيانات"', "<h1>العنوان</h1>"),
    "json-ld not text": (HEADLINE_LD % "7", "<h1>عنوان الصفحة</h1>"),
    "blank h1": ("", "<h1> </h1><h1>عنوان ثان</h1>"),
}
EXPECTED_TITLES = {
    "og:title": "عنوان الوسم",
    "blank og:title": "عنوان الصفحة",
    "json-ld": "عنوان البيانات",
    "json-ld not text": "عنوان الصفحة",
    "blank h1": "خبر القصف في المدينة",  # only the first <h1> is asked, then <title> less the site
}


@pytest.mark.parametrize("name", sorted(TITLE_PAGES))
def test_page_title_takes_the_first_candidate_with_text(name: str) -> None:
    head, body = TITLE_PAGES[name]
    title = "<title>خبر القصف في المدينة | الموقع</title>"
    tree = lxml_html.document_fromstring(
        f"<html><head>{title}{head}</head><body>{body}</body></html>"
    )
    assert page_title(tree) == EXPECTED_TITLES[name]


def test_paragraph_spaces_are_collapsed_around_a_cut_shortcode() -> None:
    text = (
        "قال\u00a0المصدر  إن\tالقصف استمر [covid19-ultimate-card region=”EG”] حتى الصباح\n"
        "\u200fخبر  آخر\u00a0 عن المدينة \n"
        "[covid19-ultimate-card region=”EG”]"
    )
    assert clean_paragraphs(text) == [
        "قال المصدر إن القصف استمر حتى الصباح",
        "خبر آخر عن المدينة",
    ]
