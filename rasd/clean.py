"""The clean stage: from a fetched page to an article's main text, title and date.

One lxml parse per page feeds both the metadata look-up and trafilatura (with comments
and tables off, favouring precision; its readability/justext fallback only on pages where
it could change the text). Around trafilatura, rasd's own rules from data/boilerplate.yaml
remove widget, caption and comment elements before extraction and drop what trafilatura
keeps on Arabic news sites: WordPress shortcodes pasted as text (the COVID-19 widgets
above all), counter remnants, captions, "read also" lines, share, tag and comment remnants.

`published_at` is a naive datetime in UTC: aware page dates are converted to UTC, and a
date without a time is midnight of that day. The warehouse column is a plain TIMESTAMP.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.external import SANITIZED_XPATH
from trafilatura.settings import DEFAULT_CONFIG, Extractor
from trafilatura.utils import load_html
from trafilatura.xml import delete_element

from rasd.models import Article, FetchedPage
from rasd.settings import DATA_DIR
from rasd.timestamps import parse_datetime
from rasd.yamlfile import parse_yaml

BOILERPLATE_FILE = DATA_DIR / "boilerplate.yaml"
MIN_TEXT_CHARS = 80  # less than a sentence or two is not an article
MIN_ARABIC_SHARE = 0.6  # of the letters; quotes of English names do not make it foreign
ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u0671-\u06D3\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF]")
ANY_LETTER = re.compile(r"[^\W\d_]")
# runs of letters: summing their lengths counts letters without a match object per letter
ARABIC_RUN = re.compile(ARABIC_LETTER.pattern + "+")
LETTER_RUN = re.compile(ANY_LETTER.pattern + "+")
SPACES = re.compile(r"[ \t\u00a0\u200f\u200e\u202a-\u202e]+")
# What SPACES changes: a run of them other than one plain space. Lines rarely hold one,
# and a substitution of every single space costs more than looking for it.
UNEVEN_SPACES = re.compile(r"[\t\u00a0\u200f\u200e\u202a-\u202e]|  ")
TITLE_PARTS = re.compile(r"\s+[|–—-]\s+|\s*[|»«]\s*")
SITE_NAME_MAX_WORDS = 3
# What XPath's normalize-space() collapses: class tokens split on these and nothing else,
# as browsers and CSS selectors split them.
CLASS_SEPARATORS = re.compile(r"[ \t\n\r]+")
TOKEN_START = r"(?:\A|(?<=[ \t\n\r]))"
TOKEN_END = r"(?=[ \t\n\r]|\Z)"
CLASS_RULE_KINDS = ("token", "starts", "ends")
# When trafilatura's readability/justext fallback can change its result (compare_extraction
# and recover_wild_text in trafilatura, with favor_precision): an own extraction shorter
# than FALLBACK_MIN_CHARS; readability finding more than twice as much text, which it can
# only do on a page holding more than that (FALLBACK_PAGE_SHARE leaves room for the spaces
# it puts between blocks); a body with unclean elements, no paragraph text or more tables
# than paragraphs; and teaser-class blocks, kept by the fast mode's text recovery.
FALLBACK_MIN_CHARS = DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE")
FALLBACK_PAGE_SHARE = 1.8
UNCLEAN_BODY = etree.XPath(SANITIZED_XPATH)
PARAGRAPH_TEXT = etree.XPath("boolean(.//p//text())")
# attributes, not elements, so that only ids and classes are tested
HAS_TEASER = etree.XPath(
    "boolean(//@id[contains(translate(., 'T', 't'), 'teaser')]"
    " | //@class[contains(translate(., 'T', 't'), 'teaser')])"
)
# A page's characters, each run of XML whitespace counted once: at least as many as any
# text readability takes from it and trims (trim collapses more kinds of space than XML)
TEXT_CHARS = etree.XPath("string-length(normalize-space(.))")


class CleanError(ValueError):
    """The page holds no usable article; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PruneRules:
    """The `prune` and `prune_xpath` sections: elements removed before extraction."""

    tags: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    # A class rule matches only where its word stands in the attribute: a search for the
    # words as plain text costs a fraction of one with the rules' lookarounds, and most
    # class attributes hold none of them.
    any_word: re.Pattern[str] | None = None
    # every class rule as one pattern, searched in the attribute of a tag no rule spares
    any_class: re.Pattern[str] | None = None
    # for each tag some rule spares, the other rules as one pattern (None: every rule)
    class_rules_on: dict[str, re.Pattern[str] | None] = field(default_factory=dict, hash=False)
    xpath: etree.XPath | None = None

    @classmethod
    def from_data(cls, prune: dict, xpaths: list[str]) -> PruneRules:
        rules = [_class_rule(item) for item in prune.get("classes") or []]
        spared_somewhere = {tag for spared, _, _ in rules for tag in spared}
        return cls(
            tags=frozenset(prune.get("tags") or []),
            ids=frozenset(prune.get("ids") or []),
            any_word=_one_of_texts([word for _, _, word in rules]),
            any_class=_one_of_texts([pattern for _, pattern, _ in rules], escape=False),
            class_rules_on={
                tag: _one_of_texts(
                    [pattern for spared, pattern, _ in rules if tag not in spared], escape=False
                )
                for tag in spared_somewhere
            },
            xpath=etree.XPath(" | ".join(xpaths)) if xpaths else None,
        )

    def doomed(self, tree: HtmlElement) -> list[etree._Element]:
        """The elements of the page these rules remove, in document order."""
        found = []
        for element in tree.iter(etree.Element):  # elements only, no comments
            tag = element.tag
            if tag in self.tags or element.get("id") in self.ids:
                found.append(element)
                continue
            classes = element.get("class")
            if not classes or self.any_word is None or not self.any_word.search(classes):
                continue
            rules = self.class_rules_on.get(tag, self.any_class)
            if rules is not None and rules.search(classes):
                found.append(element)
        return found


def _one_of_texts(texts: list[str], escape: bool = True) -> re.Pattern[str] | None:
    """One pattern finding any of `texts`, taken as plain text or (not `escape`) patterns;
    None when there are none."""
    return re.compile("|".join(map(re.escape, texts) if escape else texts)) if texts else None


def _class_rule(item: dict) -> tuple[frozenset[str], str, str]:
    """The tags a class rule spares, its pattern over the whole class attribute and its
    word."""
    kinds = [k for k in CLASS_RULE_KINDS if k in item]
    kind = kinds[0] if len(kinds) == 1 else ""
    value = item.get(kind)
    if not isinstance(value, str) or not value or CLASS_SEPARATORS.search(value):
        raise TypeError(f"a class rule needs one of {CLASS_RULE_KINDS} with one word: {item}")
    start = TOKEN_START if kind in ("token", "starts") else ""
    end = TOKEN_END if kind in ("token", "ends") else ""
    return frozenset(item.get("except_on") or []), f"{start}{re.escape(value)}{end}", value


@dataclass(frozen=True)
class BoilerplateRules:
    """The compiled rules of data/boilerplate.yaml."""

    prune: PruneRules
    shortcodes: tuple[re.Pattern[str], ...]  # cut out one after the other
    drop: re.Pattern[str] | None  # the drop_paragraphs patterns, but captions, as one
    captions: re.Pattern[str] | None
    caption_max_chars: int
    counter_labels: re.Pattern[str] | None
    published_meta: tuple[str, ...]
    modified_meta: tuple[str, ...] = ()
    date_skip_containers: re.Pattern[str] | None = None
    date_skip_labels: re.Pattern[str] | None = None
    # the shortcode patterns as one: most paragraphs hold none and skip the cutting
    any_shortcode: re.Pattern[str] | None = None

    @classmethod
    def from_file(cls, path: Path = BOILERPLATE_FILE) -> BoilerplateRules:
        try:
            data = parse_yaml(path.read_text(encoding="utf-8")) or {}
            groups: dict[str, list[str]] = data.get("drop_paragraphs") or {}
            labels = sorted(data.get("covid_counter_labels") or [], key=len, reverse=True)
            return cls(
                prune=PruneRules.from_data(data.get("prune") or {}, data.get("prune_xpath") or []),
                shortcodes=_compile(data.get("shortcodes") or []),
                drop=_one_of([p for name, ps in groups.items() if name != "caption" for p in ps]),
                captions=_one_of(groups.get("caption") or []),
                caption_max_chars=int(data.get("caption_max_chars", 200)),
                counter_labels=re.compile("|".join(map(re.escape, labels))) if labels else None,
                published_meta=tuple(m.lower() for m in data.get("published_meta") or []),
                modified_meta=tuple(m.lower() for m in data.get("modified_meta") or []),
                date_skip_containers=_any_of(data.get("date_skip_containers") or []),
                date_skip_labels=_any_of(data.get("date_skip_labels") or []),
                any_shortcode=_one_of(data.get("shortcodes") or []),
            )
        except (
            OSError,
            yaml.YAMLError,
            re.error,
            etree.XPathSyntaxError,
            AttributeError,
            TypeError,
            ValueError,
        ) as exc:
            raise CleanError(f"cannot read boilerplate rules from {path}: {exc}") from exc


def _compile(patterns: Iterator[str] | list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _one_of(patterns: list[str]) -> re.Pattern[str] | None:
    """One pattern that finds what any of `patterns` finds (each compiled alone first, so
    that an error names its pattern)."""
    _compile(patterns)
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _any_of(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None


@cache
def default_rules() -> BoilerplateRules:
    return BoilerplateRules.from_file(BOILERPLATE_FILE)


# --- page-level steps ------------------------------------------------------------------


def clean_page(page: FetchedPage, rules: BoilerplateRules | None = None) -> Article:
    """The article of a fetched page, or CleanError when it holds none."""
    if page.html is None:
        raise CleanError(page.error or "the page has no HTML (not fetched or unchanged)")
    return clean_html(
        page.html,
        url=page.final_url or page.url,
        source=page.source,
        content_hash=page.content_hash,
        rules=rules,
    )


def clean_html(
    markup: str | bytes,
    *,
    url: str,
    source: str = "",
    content_hash: str | None = None,
    rules: BoilerplateRules | None = None,
) -> Article:
    """Clean one page given as text or raw bytes (bytes are decoded from the page's
    own <meta charset> or by detection)."""
    rules = rules or default_rules()
    tree = load_html(markup)
    if tree is None:
        raise CleanError("the page is not parseable HTML")
    # title and date read the same meta tags and JSON-LD: looked up once
    meta, linked = _meta_values(tree), list(_json_ld(tree))
    title = page_title(tree, meta=meta, linked=linked)
    published = published_at(tree, rules, url, meta=meta, linked=linked)
    prune_page(tree, rules)
    paragraphs = clean_paragraphs(_main_text(tree, url), title, rules)
    if len("".join(paragraphs)) < MIN_TEXT_CHARS and _unwrap_layout_tables(tree):
        paragraphs = clean_paragraphs(_main_text(tree, url), title, rules)
    text = "\n\n".join(paragraphs)
    if not text:
        raise CleanError("no main text found in the page")
    if len(text) < MIN_TEXT_CHARS:
        raise CleanError(f"no article text (only {len(text)} characters after cleaning)")
    share = arabic_share(text)
    if share < MIN_ARABIC_SHARE:
        raise CleanError(f"not Arabic ({share:.0%} of the letters are Arabic)")
    return Article(
        article_id=Article.id_for(url),
        url=url,
        source=source,
        site=urlsplit(url).hostname or "",
        title=title or paragraphs[0][:120],
        published_at=published,
        language="ar",
        text=text,
        content_hash=content_hash,
    )


def _main_text(tree: HtmlElement, url: str) -> str:
    """trafilatura's text of the page: its own extraction alone (fast mode) where the
    readability/justext fallback would keep it anyway, the fallback's choice elsewhere.

    The fallback costs a quarter of the clean stage and on a well-formed article page
    picks the own extraction; it is still asked on every page showing one of the signs
    it acts on (see the notes above FALLBACK_MIN_CHARS)."""
    document = _extract(tree, url, fast=True)
    if document is None or _fallback_may_act(document.body, tree):
        document = _extract(tree, url, fast=False)
    if document is None:
        return ""
    return getattr(document, "text", None) or ""


def _extract(tree: HtmlElement, url: str, fast: bool) -> Any:
    return bare_extraction(tree, url=url, options=extraction_options(url, fast))


def extraction_options(url: str, fast: bool) -> Extractor:
    """trafilatura's options for the page at `url`: the ones bare_extraction builds from
    rasd's arguments (precision; no comments, tables, images or metadata).

    bare_extraction reads eight config values into new options on every call; these are
    built once per mode, and each page gets its own copy so that no two pages share one."""
    options = copy(_base_options(fast))
    # what Extractor(url=url) derives from the URL; nothing else in it depends on the page
    options.url = url
    source = url or None
    options.source = source and source.encode("utf-8", "replace").decode("utf-8")
    return options


@cache
def _base_options(fast: bool) -> Extractor:
    # date_params holds the day the options were made; trafilatura reads it only for
    # metadata, which rasd leaves off
    return Extractor(
        output_format="python",
        fast=fast,
        precision=True,
        comments=False,
        tables=False,
        images=False,
        with_metadata=False,
    )


def _fallback_may_act(body: etree._Element | None, tree: HtmlElement) -> bool:
    """True unless the fallback would keep the fast extraction `body` of the page `tree`."""
    if body is None:
        return True
    # at most the length trafilatura measured: only dropped repeats make them differ
    own = len(" ".join(body.itertext()).strip())
    if own < FALLBACK_MIN_CHARS or UNCLEAN_BODY(body):
        return True
    if TEXT_CHARS(_first_body(tree)) > FALLBACK_PAGE_SHARE * own:
        return True
    if not PARAGRAPH_TEXT(body) or len(body.findall(".//table")) > len(body.findall(".//p")):
        return True
    return bool(HAS_TEASER(tree))


def _first_body(tree: HtmlElement) -> etree._Element:
    """The first <body> in document order, or `tree` when there is none.

    A walk that stops there, a few elements in: next(tree.iter("body")) walks on through
    the whole page, as lxml's iterators find their next match before giving one."""
    for element in tree.iter():
        if element.tag == "body":
            return element
    return tree


def prune_page(tree: HtmlElement, rules: BoilerplateRules | None = None) -> None:
    """Remove the elements of the `prune` rules from the page, keeping their tail text.

    One walk over the elements checks tags, ids and class tokens in Python, where an XPath
    union of the same rules walked the page once per rule. It runs on the page's own
    markup, after title and date are read and before layout tables are unwrapped."""
    rules = rules or default_rules()
    for element in rules.prune.doomed(tree):
        delete_element(element)
    if rules.prune.xpath is not None:
        for element in rules.prune.xpath(tree):
            delete_element(element)


def _unwrap_layout_tables(tree: HtmlElement) -> bool:
    """Turn table markup into plain blocks; True when there was any.

    Old portals lay whole pages out in tables, and a table is not article text to the
    extractor (tables are off): the article cell is only found once it is a block."""
    cells = list(tree.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th"))
    for cell in cells:
        cell.tag = "div"
    return bool(cells)


# --- paragraph rules -------------------------------------------------------------------


def strip_shortcodes(paragraph: str, rules: BoilerplateRules | None = None) -> str:
    """The paragraph without shortcode text; the words around a shortcode stay."""
    rules = rules or default_rules()
    if rules.any_shortcode is not None and rules.any_shortcode.search(paragraph):
        for pattern in rules.shortcodes:
            paragraph = pattern.sub(" ", paragraph)
    return _collapse_spaces(paragraph)


def is_boilerplate(paragraph: str, rules: BoilerplateRules | None = None) -> bool:
    """True for read-also, caption, share, tag, comment and COVID-counter lines."""
    rules = rules or default_rules()
    if rules.drop is not None and rules.drop.search(paragraph):
        return True
    if (
        rules.captions is not None
        and len(paragraph) <= rules.caption_max_chars
        and rules.captions.search(paragraph)
    ):
        return True
    return _is_counter_remnant(paragraph, rules)


def _is_counter_remnant(paragraph: str, rules: BoilerplateRules) -> bool:
    if rules.counter_labels is None or not rules.counter_labels.search(paragraph):
        return False
    rest = rules.counter_labels.sub("", paragraph)
    return not ANY_LETTER.search(rest)  # nothing but labels, figures and separators


def clean_paragraphs(
    text: str, title: str | None = None, rules: BoilerplateRules | None = None
) -> list[str]:
    """The article's paragraphs from trafilatura's text (one paragraph a line)."""
    rules = rules or default_rules()
    title_key = _key(title) if title else None
    kept: list[str] = []
    seen: set[str] = set()
    for line in text.split("\n"):
        paragraph = _collapse_spaces(line)
        # strip_shortcodes collapses the spaces again, which only changes a line it cut
        if rules.any_shortcode is not None and rules.any_shortcode.search(paragraph):
            paragraph = strip_shortcodes(paragraph, rules)
        if not paragraph or is_boilerplate(paragraph, rules):
            continue
        key = _key(paragraph)
        if key == title_key or key in seen:  # a repeated headline or caption
            continue
        seen.add(key)
        kept.append(paragraph)
    return kept


def _collapse_spaces(text: str) -> str:
    """`text` with each run of SPACES made one space, stripped."""
    return (SPACES.sub(" ", text) if UNEVEN_SPACES.search(text) else text).strip()


def _key(text: str) -> str:
    return " ".join(text.split())


def arabic_share(text: str) -> float:
    """The share of letters that are Arabic script (0 when there are no letters)."""
    letters = sum(map(len, LETTER_RUN.findall(text)))
    return sum(map(len, ARABIC_RUN.findall(text))) / letters if letters else 0.0


# --- metadata --------------------------------------------------------------------------


def _meta_values(tree: HtmlElement) -> dict[str, str]:
    """Meta tags by lower-cased property / name / itemprop; the first one wins."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        content = meta.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                found.setdefault(key, content.strip())
    return found


def _json_ld(tree: HtmlElement) -> Iterator[dict]:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                stack.extend(v for v in item.values() if isinstance(v, dict | list))


def page_title(
    tree: HtmlElement,
    *,
    meta: dict[str, str] | None = None,
    linked: list[dict] | None = None,
) -> str | None:
    """The headline: og:title, JSON-LD headline, the first <h1>, then <title>; the site's
    name is taken off og:title and <title> ("الخبر | الموقع", "الموقع - الخبر").
    `meta` and `linked` are the page's meta tags and JSON-LD objects, when already read."""
    meta = _meta_values(tree) if meta is None else meta
    linked = list(_json_ld(tree)) if linked is None else linked
    site = next((meta[k] for k in ("og:site_name", "application-name") if k in meta), None)
    for candidate in _title_candidates(tree, meta, linked, site):
        if candidate and candidate.strip():
            return _key(html.unescape(candidate))
    return None


def _title_candidates(
    tree: HtmlElement, meta: dict[str, str], linked: list[dict], site: str | None
) -> Iterator[str | None]:
    """page_title's candidates in its order, each looked up only when those before it are
    empty: finding <h1> or <title> walks the whole page."""
    og_title = meta.get("og:title")
    yield _without_site_name(og_title, site, guess=False) if og_title else None
    yield from (d.get("headline") for d in linked if isinstance(d.get("headline"), str))
    yield from (_text_of(h) for h in islice(tree.iterfind(".//h1"), 1))
    titles = islice(tree.iterfind(".//title"), 1)
    yield from (_without_site_name(_text_of(t), site, guess=True) for t in titles)


def _without_site_name(title: str, site: str | None, guess: bool) -> str:
    """`title` less the site's name: the part equal to `site`, or (guessing) the shorter
    end part of at most SITE_NAME_MAX_WORDS words."""
    parts = [p for p in TITLE_PARTS.split(title) if p.strip()]
    if site:
        parts = [p for p in parts if _key(p) != _key(site)] or parts
    while guess and len(parts) > 1:
        drop_last = len(parts[-1]) <= len(parts[0])
        end = parts[-1] if drop_last else parts[0]
        if len(end.split()) > SITE_NAME_MAX_WORDS:
            break
        parts = parts[:-1] if drop_last else parts[1:]
    return " - ".join(parts) if parts else title


def _text_of(element: etree._Element) -> str:
    return _key("".join(element.itertext()))


def published_at(
    tree: HtmlElement,
    rules: BoilerplateRules | None = None,
    url: str | None = None,
    *,
    meta: dict[str, str] | None = None,
    linked: list[dict] | None = None,
) -> datetime | None:
    """Publication time in naive UTC: meta tags, JSON-LD, the URL path, the date line
    under the headline, then htmldate's search of the whole page. `meta` and `linked` as
    for page_title."""
    rules = rules or default_rules()
    meta = _meta_values(tree) if meta is None else meta
    linked = list(_json_ld(tree)) if linked is None else linked
    stated = [meta.get(name) for name in rules.published_meta]
    stated += [_published_of(d) for d in linked]
    for value in stated:
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
    return (
        (url_date(url) if url else None)
        or date_line(tree, rules)
        or _searched_date(tree, url)
        or date_line(tree, rules, anywhere=True)
        or _stated_modified(meta, rules)
    )


def _published_of(item: dict) -> object:
    if "dateModified" in item and "datePublished" not in item:
        return None  # a modified-only object (a web page node) says nothing of publication
    return item.get("datePublished") or item.get("dateCreated")


def _stated_modified(meta: dict[str, str], rules: BoilerplateRules) -> datetime | None:
    # A last-modified date is only a guess at publication, when nothing else is stated.
    for name in rules.modified_meta:
        parsed = parse_datetime(meta[name]) if name in meta else None
        if parsed is not None:
            return parsed
    return None


def _searched_date(tree: HtmlElement, url: str | None) -> datetime | None:
    from htmldate import find_date  # only pages without date metadata pay for the import

    try:
        found = find_date(tree, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError):
        return None
    return parse_datetime(found) if found else None


# --- dates written on the page ---------------------------------------------------------

MONTHS_FILE = DATA_DIR / "lexicon" / "months.yaml"
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-]?(0[1-9]|1[0-2]|[1-9](?=/))[/-]?(0[1-9]|[12]\d|3[01]|[1-9](?=/))(?:/|[-_]|$)"
)
NUMERIC_YMD = re.compile(r"(?<![\d/.-])((?:19|20)\d\d)[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-])")
NUMERIC_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})[-/.](\d{1,2})[-/.]((?:19|20)\d\d)(?![\d/.-])")
DATE_LINE_MAX_CHARS = 120
DATE_SCAN_NODES = 400  # text nodes read after the headline before giving up on a date line


@cache
def _month_names() -> tuple[dict[str, int], re.Pattern[str]]:
    """Arabic month names (all regional families) and a day-month-year pattern."""
    try:
        data = parse_yaml(MONTHS_FILE.read_text(encoding="utf-8")) or {}
        months = {str(n): int(m) for m, names in data.items() for n in names}
    except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
        raise CleanError(f"cannot read month names from {MONTHS_FILE}: {exc}") from exc
    names = "|".join(re.escape(n) for n in sorted(months, key=len, reverse=True))
    pattern = re.compile(
        rf"(?<!\d)(\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?({names})"
        rf"(?:\s*[/(-]\s*(?:{names})\s*\)?)?\s*[,،]?\s*((?:19|20)\d\d)(?!\d)"
    )
    return months, pattern


def url_date(url: str) -> datetime | None:
    """The day in a URL path such as /2015/06/28/ or /20150628-, or None."""
    match = URL_DATE.search(urlsplit(url).path)
    return _safe_datetime(*match.groups()) if match else None


def visible_date(text: str) -> datetime | None:
    """The first written date of a line: "28 يونيو 2015", "٢٨ حزيران ٢٠١٥", "2015/06/28",
    "28-06-2015" (day before month, as Arabic sites write it)."""
    text = text.translate(ARABIC_DIGITS)
    months, named = _month_names()
    found: list[tuple[int, datetime]] = []
    if (m := named.search(text)) and (day := _safe_datetime(m[3], months[m[2]], m[1])):
        found.append((m.start(), day))
    if (m := NUMERIC_YMD.search(text)) and (day := _safe_datetime(m[1], m[2], m[3])):
        found.append((m.start(), day))
    if (m := NUMERIC_DMY.search(text)) and (day := _safe_datetime(m[3], m[2], m[1])):
        found.append((m.start(), day))
    return min(found)[1] if found else None


def _safe_datetime(year: str | int, month: str | int, day: str | int) -> datetime | None:
    try:
        return datetime(int(year), int(month), int(day))
    except ValueError:
        return None


def date_line(
    tree: HtmlElement, rules: BoilerplateRules | None = None, anywhere: bool = False
) -> datetime | None:
    """The date written under the headline <h1> (its <time datetime> or its text), or
    with `anywhere` the first in the page, skipping update lines and whatever sits in
    comments, related lists, sidebars and footers."""
    rules = rules or default_rules()
    if anywhere:
        body = next(tree.iterfind(".//body"), tree)
        elements: Iterator[etree._Element] = body.iterdescendants()
    else:
        headline = next(tree.iterfind(".//h1"), None)
        if headline is None:
            return None
        elements = _after(headline)
    read = 0
    for element in elements:
        if not isinstance(element.tag, str) or _in_skipped_container(element, rules):
            continue
        found = _date_of_element(element, rules)
        if found is not None:
            return found
        read += 1
        if read > DATE_SCAN_NODES:
            break
    return None


def _after(element: etree._Element) -> Iterator[etree._Element]:
    """The elements after `element` in document order (its own descendants excluded)."""
    for following in element.itersiblings():
        yield following
        yield from following.iterdescendants()
    parent = element.getparent()
    if parent is not None:
        yield from _after(parent)


def _date_of_element(element: etree._Element, rules: BoilerplateRules) -> datetime | None:
    own_text = " ".join(t.strip() for t in (element.text, element.tail) if t and t.strip())
    if len(own_text) > DATE_LINE_MAX_CHARS:
        own_text = ""  # a dated sentence of the story, not the page's date line
    label = " ".join((element.get("class") or "", element.get("itemprop") or "", own_text))
    if rules.date_skip_labels is not None and rules.date_skip_labels.search(label):
        return None
    stamp = element.get("datetime") if element.tag == "time" else None
    parsed = parse_datetime(stamp) if stamp else None
    return parsed or (visible_date(own_text) if own_text else None)


def _in_skipped_container(element: etree._Element, rules: BoilerplateRules) -> bool:
    skip = rules.date_skip_containers
    for node in (element, *element.iterancestors()):
        if node.tag in ("footer", "aside", "nav"):
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}".strip()
        if skip is not None and marks and skip.search(marks):
            return True
    return False
