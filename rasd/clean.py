"""The clean stage: from a fetched page to an article's main text, title and date.

One lxml parse per page feeds both the metadata look-up and trafilatura (with comments
and tables off, favouring precision), then rasd's own rules from data/boilerplate.yaml
drop what trafilatura keeps on Arabic news sites: WordPress shortcodes pasted as text
(the COVID-19 widgets above all), counter remnants, captions, "read also" lines, share,
tag and comment remnants.

`published_at` is a naive datetime in UTC: aware page dates are converted to UTC, and a
date without a time is midnight of that day. The warehouse column is a plain TIMESTAMP.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from rasd.models import Article, FetchedPage
from rasd.settings import DATA_DIR

BOILERPLATE_FILE = DATA_DIR / "boilerplate.yaml"
MIN_TEXT_CHARS = 80  # less than a sentence or two is not an article
MIN_ARABIC_SHARE = 0.6  # of the letters; quotes of English names do not make it foreign
ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u0671-\u06D3\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF]")
ANY_LETTER = re.compile(r"[^\W\d_]")
SPACES = re.compile(r"[ \t\u00a0\u200f\u200e\u202a-\u202e]+")
TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]+$")


class CleanError(ValueError):
    """The page holds no usable article; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BoilerplateRules:
    """The compiled rules of data/boilerplate.yaml."""

    prune_xpath: str | None
    shortcodes: tuple[re.Pattern[str], ...]
    drop: tuple[re.Pattern[str], ...]
    captions: tuple[re.Pattern[str], ...]
    caption_max_chars: int
    counter_labels: re.Pattern[str] | None
    published_meta: tuple[str, ...]

    @classmethod
    def from_file(cls, path: Path = BOILERPLATE_FILE) -> BoilerplateRules:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            groups: dict[str, list[str]] = data.get("drop_paragraphs") or {}
            labels = sorted(data.get("covid_counter_labels") or [], key=len, reverse=True)
            return cls(
                prune_xpath=" | ".join(data.get("prune_xpath") or []) or None,
                shortcodes=_compile(data.get("shortcodes") or []),
                drop=_compile(p for name, ps in groups.items() if name != "caption" for p in ps),
                captions=_compile(groups.get("caption") or []),
                caption_max_chars=int(data.get("caption_max_chars", 200)),
                counter_labels=re.compile("|".join(map(re.escape, labels))) if labels else None,
                published_meta=tuple(m.lower() for m in data.get("published_meta") or []),
            )
        except (OSError, yaml.YAMLError, re.error, AttributeError, TypeError) as exc:
            raise CleanError(f"cannot read boilerplate rules from {path}: {exc}") from exc


def _compile(patterns: Iterator[str] | list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


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
    title = page_title(tree)
    published = published_at(tree, rules)
    paragraphs = clean_paragraphs(_main_text(tree, url, rules), title, rules)
    text = "\n\n".join(paragraphs)
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


def _main_text(tree: HtmlElement, url: str, rules: BoilerplateRules) -> str:
    document = bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=False,
        prune_xpath=rules.prune_xpath,
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text:
        raise CleanError("no main text found in the page")
    return text


# --- paragraph rules -------------------------------------------------------------------


def strip_shortcodes(paragraph: str, rules: BoilerplateRules | None = None) -> str:
    """The paragraph without shortcode text; the words around a shortcode stay."""
    rules = rules or default_rules()
    for pattern in rules.shortcodes:
        paragraph = pattern.sub(" ", paragraph)
    return SPACES.sub(" ", paragraph).strip()


def is_boilerplate(paragraph: str, rules: BoilerplateRules | None = None) -> bool:
    """True for read-also, caption, share, tag, comment and COVID-counter lines."""
    rules = rules or default_rules()
    if any(p.search(paragraph) for p in rules.drop):
        return True
    if len(paragraph) <= rules.caption_max_chars and any(
        p.search(paragraph) for p in rules.captions
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
        paragraph = strip_shortcodes(SPACES.sub(" ", line).strip(), rules)
        if not paragraph or is_boilerplate(paragraph, rules):
            continue
        key = _key(paragraph)
        if key == title_key or key in seen:  # a repeated headline or caption
            continue
        seen.add(key)
        kept.append(paragraph)
    return kept


def _key(text: str) -> str:
    return " ".join(text.split())


def arabic_share(text: str) -> float:
    """The share of letters that are Arabic script (0 when there are no letters)."""
    letters = len(ANY_LETTER.findall(text))
    return len(ARABIC_LETTER.findall(text)) / letters if letters else 0.0


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


def page_title(tree: HtmlElement) -> str | None:
    """The headline: og:title, JSON-LD headline, the first <h1>, then <title>."""
    candidates = [_meta_values(tree).get("og:title")]
    candidates += [d.get("headline") for d in _json_ld(tree) if isinstance(d.get("headline"), str)]
    candidates += [_text_of(h) for h in tree.iterfind(".//h1")][:1]
    titles = tree.iterfind(".//title")
    candidates += [TITLE_SUFFIX.sub("", _text_of(t)) for t in titles][:1]
    for candidate in candidates:
        if candidate and candidate.strip():
            return _key(html.unescape(candidate))
    return None


def _text_of(element: etree._Element) -> str:
    return _key("".join(element.itertext()))


def published_at(tree: HtmlElement, rules: BoilerplateRules | None = None) -> datetime | None:
    """Publication time in naive UTC: meta tags, JSON-LD, then trafilatura's date search."""
    rules = rules or default_rules()
    meta = _meta_values(tree)
    stated = [meta.get(name) for name in rules.published_meta]
    stated += [d.get("datePublished") for d in _json_ld(tree)]
    for value in stated:
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
    return _searched_date(tree)


def _searched_date(tree: HtmlElement) -> datetime | None:
    from htmldate import find_date  # only pages without date metadata pay for the import

    try:
        found = find_date(tree, extensive_search=False, original_date=True)
    except (ValueError, TypeError):
        return None
    return parse_datetime(found) if found else None


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 or RFC 2822 text as a naive UTC datetime; None when it is neither."""
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
