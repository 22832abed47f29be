"""Render Arabic news pages the way real sites wrap an article.

The bundled sample site and `rasd eval` both build their pages here. Each page puts
the article among the boilerplate the clean stage has to strip: menus, a breaking-news
ticker, captions, related and most-read lists, share bars, tags, reader comments and
WordPress COVID-19 widgets (raw shortcode text included). The surrounding headlines,
comments and captions report *other* violent incidents on purpose, so a cleaner that
lets them through produces false events.

Templates and trap texts are data files under data/sample_site/templates/.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from string import Template

from rasd.settings import DATA_DIR
from rasd.yamlfile import parse_yaml

TEMPLATE_DIR = DATA_DIR / "sample_site" / "templates"
TEMPLATES: tuple[str, ...] = ("wordpress", "portal")
DEFAULT_SITE_NAME = "أخبار الساحل"
CAPTION_MARK = "أرشيف"  # photo captions in the seeds end with "- أرشيف" / "_أرشيف"
HEADLINE_WORDS = 12


class SampleSiteError(ValueError):
    """A page could not be rendered (unknown template, bad input)."""


@dataclass(frozen=True)
class Figure:
    """An image with its caption, placed between paragraphs."""

    caption: str


@dataclass(frozen=True)
class TrapContent:
    """Boilerplate around the article that must never reach the article text."""

    ticker: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    most_read: tuple[str, ...] = ()
    read_also: str | None = None
    comments: tuple[tuple[str, str], ...] = ()  # (author, text)
    caption: str | None = None

    def texts(self) -> list[str]:
        """Every trap text, for tests that check none of it survives cleaning."""
        found = [*self.ticker, *self.related, *self.most_read, *(t for _, t in self.comments)]
        found += [t for t in (self.read_also, self.caption) if t]
        return found


@cache
def _trap_data() -> dict:
    return parse_yaml((TEMPLATE_DIR / "traps.yaml").read_text(encoding="utf-8"))


@cache
def _template(name: str) -> Template:
    if name not in TEMPLATES:
        raise SampleSiteError(f"unknown page template {name!r}; known: {', '.join(TEMPLATES)}")
    return Template((TEMPLATE_DIR / f"{name}.html").read_text(encoding="utf-8"))


def all_trap_texts() -> list[str]:
    """Every headline, comment and caption the trap pool can put on a page."""
    data = _trap_data()
    return [*data["headlines"], *(c["text"] for c in data["comments"]), *data["captions"]]


def _rotation(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)


def _pick(items: Sequence, start: int, count: int) -> tuple:
    return tuple(items[(start + i) % len(items)] for i in range(count))


def traps_for(key: str) -> TrapContent:
    """A deterministic choice of trap texts for one page (the same key, the same traps)."""
    data = _trap_data()
    heads, n = data["headlines"], _rotation(key)
    comments = _pick(data["comments"], n, 3)
    return TrapContent(
        ticker=_pick(heads, n, 3),
        related=_pick(heads, n + 3, 3),
        most_read=_pick(heads, n + 5, 4),
        read_also=heads[(n + 9) % len(heads)],
        comments=tuple((c["author"], c["text"]) for c in comments),
        caption=data["captions"][n % len(data["captions"])],
    )


def covid_shortcode(region_code: str | None, region_name: str) -> str:
    """The WordPress COVID-19 card shortcode as sites pasted it (curly quotes and all)."""
    q = "”"
    attrs = [f"region={q}{region_code}{q}"] if region_code else []
    attrs += [
        f"region-name={q}{region_name}{q}",
        f"confirmed-label={q}اجمالي الحالات{q}",
        f"confirmed-24h={q}true{q}",
        f"confirmed-24h-label={q}الحالات الجديدة{q}",
        f"deaths-label={q}اجمالي الوفيات{q}",
        f"deaths-24h={q}true{q}",
        f"deaths-24h-label={q}الوفيات الجديدة{q}",
        f"recovered-label={q}المتعافون{q}",
        f"active-label={q}حالات تحت العلاج{q}",
        f"bg-color={q}#0c3278{q}",
        f"rtl={q}true{q}",
        f"last-update-label={q}تم تحديث البيانات في :{q}",
    ]
    return "[covid19-ultimate-card " + " ".join(attrs) + "]"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _items(texts: Sequence[str], href_prefix: str = "/news/more/") -> str:
    return "\n".join(
        f'<li><a href="{href_prefix}{i + 1}.html">{_e(t)}</a></li>' for i, t in enumerate(texts)
    )


def _figure(caption: str, number: int) -> str:
    return (
        f'<figure class="wp-caption"><img src="/images/photo-{number}.jpg" alt="">'
        f'<figcaption class="wp-caption-text">{_e(caption)}</figcaption></figure>'
    )


def _covid_counter_table() -> str:
    covid = _trap_data()["covid"]
    rows = "\n".join(
        f"<tr><th>{_e(c['label'])}</th><td>{_e(c['value'])}</td></tr>" for c in covid["counters"]
    )
    return (
        '<div class="covid19-card covid19-ultimate-card">\n'
        f"<h4>{_e(covid['heading'])} - {_e(covid['region'])}</h4>\n"
        f'<table class="covid19-counters">\n{rows}\n</table>\n</div>'
    )


def _with_covid_shortcodes(paragraphs: list[str | Figure]) -> list[str | Figure]:
    """Add the widget's raw shortcodes, as a site shows them when the plugin is off."""
    covid = _trap_data()["covid"]
    out = list(paragraphs)
    first_text = next((i for i, p in enumerate(out) if isinstance(p, str)), None)
    if first_text is not None:
        out[first_text] = f"{out[first_text]} {covid['inline_shortcode']}"
    if not any(isinstance(p, str) and "[covid19-" in p for p in paragraphs):
        out += [covid_shortcode(r["code"], r["name"]) for r in covid["shortcode_regions"]]
    return out


def _body(blocks: Sequence[str | Figure], read_also: str | None) -> str:
    parts: list[str] = []
    figures = 0
    for block in blocks:
        if isinstance(block, Figure):
            figures += 1
            parts.append(_figure(block.caption, 100 + figures))
        else:
            parts.append(f"<p>{_e(block)}</p>")
        text_count = sum(1 for b in parts if b.startswith("<p>"))
        if read_also and text_count == 2:
            parts.append(f'<p>اقرأ أيضاً: <a href="/news/more/read.html">{_e(read_also)}</a></p>')
            read_also = None
    if read_also:  # a one-paragraph article still gets its read-also line
        parts.append(f'<p>اقرأ أيضاً: <a href="/news/more/read.html">{_e(read_also)}</a></p>')
    return "\n".join(parts)


def _comments(comments: Sequence[tuple[str, str]]) -> str:
    return "\n".join(
        f'<li class="comment"><div class="comment-author vcard"><b class="fn">{_e(author)}</b>'
        f'</div><div class="comment-content"><p>{_e(text)}</p></div></li>'
        for author, text in comments
    )


def render_article(
    *,
    title: str,
    paragraphs: Sequence[str | Figure],
    published: str,
    template: str,
    url_path: str,
    site_name: str = DEFAULT_SITE_NAME,
    traps: TrapContent | None = None,
    covid_widgets: bool = False,
    charset: str = "utf-8",
) -> str:
    """A full HTML page for one article.

    `published` is an ISO date or datetime; it goes into the page metadata
    (article:published_time for "wordpress", JSON-LD datePublished for "portal").
    `traps=None` picks trap texts deterministically from `url_path`.
    `charset` is only declared in <meta charset>; encoding the result is the caller's job.
    """
    page_template = _template(template)
    traps = traps if traps is not None else traps_for(url_path)
    blocks: list[str | Figure] = list(paragraphs)
    if not any(isinstance(b, str) and b.strip() for b in blocks):
        raise SampleSiteError(f"article {url_path!r} has no paragraphs")
    data = _trap_data()
    values = {
        "charset": charset,
        "title": _e(title),
        "title_text": _e(title),
        "site_name": _e(site_name),
        "published": _e(published),
        "date_text": f"نُشر في {_e(published[:10])}",
        "nav_items": _items(data["nav"], "/section/"),
        "nav_links": " ".join(
            f'<a href="/section/{i}.html">{_e(t)}</a>' for i, t in enumerate(data["nav"])
        ),
        "ticker_items": _items(traps.ticker, "/news/breaking/"),
        "related_items": _items(traps.related, "/news/related/"),
        "most_read_items": _items(traps.most_read, "/news/popular/"),
        "lead_figure": _figure(traps.caption, 1) if traps.caption else "",
        "tags": "، ".join(f'<a href="/tag/{i}">{_e(t)}</a>' for i, t in enumerate(data["tags"])),
        "comment_items": _comments(traps.comments),
        "comment_count": str(len(traps.comments)),
        "covid_widget": _covid_counter_table() if covid_widgets else "",
        "json_ld": _json_ld(title, published, site_name, url_path),
    }
    if covid_widgets:
        blocks = _with_covid_shortcodes(blocks)
    read_also = traps.read_also if template == "portal" else None
    values["body"] = _body(blocks, read_also)
    return page_template.substitute(values)


def _json_ld(title: str, published: str, site_name: str, url_path: str) -> str:
    doc = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published,
        "publisher": {"@type": "Organization", "name": site_name},
        "mainEntityOfPage": url_path,
    }
    return json.dumps(doc, ensure_ascii=False).replace("</", "<\\/")


def headline_from(paragraph: str) -> str:
    """A headline for a text that has none: its first clause, at most a dozen words."""
    clause = re.split(r"[،,.:؛]", paragraph, maxsplit=1)[0]
    return " ".join(clause.split()[:HEADLINE_WORDS])


def _is_caption_block(block: str) -> bool:
    return all(line.strip().endswith(CAPTION_MARK) for line in block.splitlines())


def parse_seed_text(text: str) -> tuple[str, list[str | Figure]]:
    """Headline and body blocks of a plain-text article.

    Blank lines split paragraphs; blocks of caption lines become figures; the first block
    is the headline when it is a single line followed by more. Otherwise (a text on one
    line, or one that opens with captions) the headline is made from the first paragraph.
    """
    raw = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    title = None
    if len(raw) > 1 and "\n" not in raw[0] and not _is_caption_block(raw[0]):
        title, raw = raw[0], raw[1:]
    blocks: list[str | Figure] = []
    for block in raw:
        if _is_caption_block(block):
            captions = dict.fromkeys(line.strip() for line in block.splitlines())
            blocks += [Figure(c) for c in captions]
        else:
            blocks.append(" ".join(line.strip() for line in block.splitlines()))
    if title is None:
        first_text = next((b for b in blocks if isinstance(b, str)), None)
        if first_text is None:
            raise SampleSiteError("the text has no paragraph")
        title = headline_from(first_text)
    return title, blocks


def template_for(index: int) -> str:
    """Templates rotate with the page number, so a set of pages uses all of them."""
    return TEMPLATES[index % len(TEMPLATES)]


def render_eval_page(
    *,
    title: str,
    paragraphs: Sequence[str],
    published: str,
    index: int,
    url_path: str,
    site_name: str = DEFAULT_SITE_NAME,
) -> str:
    """A page for a gold article: template and COVID widgets rotate with `index`.

    Title and paragraphs are re-read with `parse_seed_text`, so a seed whose whole text
    came as the title (one line, no blank lines) still gets a headline and a body.
    """
    title, blocks = parse_seed_text("\n\n".join([title, *paragraphs]))
    return render_article(
        title=title,
        paragraphs=blocks,
        published=published,
        template=template_for(index),
        url_path=url_path,
        site_name=site_name,
        covid_widgets=index % 3 == 0,
    )
