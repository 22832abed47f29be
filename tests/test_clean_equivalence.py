"""The clean stage's shortcuts give what the plain way gives.

Each test holds the plain way as its reference: trafilatura's options as bare_extraction
builds them from keyword arguments, and the rules' matches as a test of every element."""

import pytest
from trafilatura import bare_extraction
from trafilatura.settings import DEFAULT_CONFIG, Extractor

from rasd.clean import extraction_options
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
