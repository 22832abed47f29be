"""Build the bundled sample site (data/sample_site) from the seed articles.

    python scripts/build_sample_site.py [--shared ../shared] [--out data/sample_site]

Reads the seeds (shared/seeds/*.txt) and their publication dates (shared/gold/seeds.jsonl)
and writes article pages in two templates, one of them encoded in windows-1256, a sitemap
index with two sitemaps (the server gzips sitemap-2.xml on request as sitemap-2.xml.gz),
an RSS and an Atom feed, robots.txt and an index page. XML files hold `{{BASE_URL}}`, which
the sample server replaces with its own address. The output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from rasd.samplesite import (  # noqa: E402
    DEFAULT_SITE_NAME,
    Figure,
    parse_seed_text,
    render_article,
)

BASE = "{{BASE_URL}}"
GENERATED_TOP_LEVEL = (
    "index.html",
    "robots.txt",
    "sitemap_index.xml",
    "sitemap-1.xml",
    "sitemap-2.xml",
    "rss.xml",
    "atom.xml",
)


@dataclass(frozen=True)
class PagePlan:
    """How one seed is published: template, encoding, widgets and time of day."""

    template: str
    charset: str
    covid_widgets: bool
    time: str  # appended to the gold date; the UTC date must stay the gold date


# One plan per seed, in seed order: both templates, one windows-1256 page, ISO forms varied.
PLANS = (
    PagePlan("wordpress", "utf-8", True, "T10:20:00+02:00"),
    PagePlan("portal", "utf-8", False, "T09:05:00Z"),
    PagePlan("wordpress", "windows-1256", False, "T13:40:00+02:00"),
    PagePlan("portal", "utf-8", False, "T18:30:00+03:00"),
    PagePlan("wordpress", "utf-8", True, "T11:00:00+02:00"),
)


@dataclass(frozen=True)
class SeedPage:
    seed_id: str
    title: str
    blocks: list[str | Figure]
    published: str
    plan: PagePlan

    @property
    def path(self) -> str:
        year, month = self.published[:4], self.published[5:7]
        return f"/news/{year}/{month}/{self.seed_id.split('_', 1)[1]}.html"


def load_seeds(shared: Path) -> list[SeedPage]:
    gold = {}
    for line in (shared / "gold" / "seeds.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            gold[record["id"]] = record["published"]
    files = sorted((shared / "seeds").glob("*.txt"))
    if len(files) != len(PLANS):
        raise SystemExit(f"expected {len(PLANS)} seeds in {shared / 'seeds'}, found {len(files)}")
    pages = []
    for path, plan in zip(files, PLANS, strict=True):
        title, blocks = parse_seed_text(path.read_text(encoding="utf-8"))
        published = gold[path.stem][:10] + plan.time
        pages.append(SeedPage(path.stem, title, blocks, published, plan))
    return pages


def render_page(page: SeedPage) -> bytes:
    html = render_article(
        title=page.title,
        paragraphs=page.blocks,
        published=page.published,
        template=page.plan.template,
        url_path=page.path,
        site_name=DEFAULT_SITE_NAME,
        covid_widgets=page.plan.covid_widgets,
        charset=page.plan.charset,
    )
    return html.encode(page.plan.charset)


def _dt(page: SeedPage) -> datetime:
    return datetime.fromisoformat(page.published.replace("Z", "+00:00"))


def sitemap(pages: list[SeedPage]) -> str:
    urls = "".join(
        f"  <url><loc>{BASE}{p.path}</loc><lastmod>{p.published}</lastmod></url>\n" for p in pages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    )


def sitemap_index(names: list[str]) -> str:
    items = "".join(f"  <sitemap><loc>{BASE}/{n}</loc></sitemap>\n" for n in names)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}</sitemapindex>\n"
    )


def rss(pages: list[SeedPage]) -> str:
    items = "".join(
        "  <item>\n"
        f"    <title>{escape(p.title)}</title>\n"
        f"    <link>{BASE}{p.path}</link>\n"
        f'    <guid isPermaLink="true">{BASE}{p.path}</guid>\n'
        f"    <pubDate>{format_datetime(_dt(p))}</pubDate>\n"
        "  </item>\n"
        for p in pages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"  <title>{escape(DEFAULT_SITE_NAME)}</title>\n  <link>{BASE}/</link>\n"
        "  <description>آخر الأخبار</description>\n  <language>ar</language>\n"
        f"{items}</channel>\n</rss>\n"
    )


def atom(pages: list[SeedPage]) -> str:
    entries = "".join(
        "  <entry>\n"
        f"    <title>{escape(p.title)}</title>\n"
        f'    <link href="{BASE}{p.path}"/>\n'
        f"    <id>{BASE}{p.path}</id>\n"
        f"    <published>{p.published}</published>\n"
        f"    <updated>{p.published}</updated>\n"
        "  </entry>\n"
        for p in pages
    )
    newest = max(pages, key=_dt).published
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <title>{escape(DEFAULT_SITE_NAME)}</title>\n  <id>{BASE}/</id>\n"
        f'  <link href="{BASE}/atom.xml" rel="self"/>\n  <updated>{newest}</updated>\n'
        f"{entries}</feed>\n"
    )


def index_page(pages: list[SeedPage]) -> str:
    links = "\n".join(f'<li><a href="{p.path}">{escape(p.title)}</a></li>' for p in pages)
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(DEFAULT_SITE_NAME)}</title>\n</head>\n<body>\n"
        f"<h1>{escape(DEFAULT_SITE_NAME)}</h1>\n<ul>\n{links}\n</ul>\n</body>\n</html>\n"
    )


def build(shared: Path, out: Path) -> list[Path]:
    """Write the site into `out` (templates/ is left alone) and return the files written."""
    pages = sorted(load_seeds(shared), key=_dt, reverse=True)
    shutil.rmtree(out / "news", ignore_errors=True)
    files: dict[str, bytes] = {p.path.lstrip("/"): render_page(p) for p in pages}
    half = (len(pages) + 1) // 2
    text_files = {
        "index.html": index_page(pages),
        "robots.txt": f"User-agent: *\nAllow: /\nSitemap: {BASE}/sitemap_index.xml\n",
        "sitemap_index.xml": sitemap_index(["sitemap-1.xml", "sitemap-2.xml.gz"]),
        "sitemap-1.xml": sitemap(pages[:half]),
        "sitemap-2.xml": sitemap(pages[half:]),
        "rss.xml": rss(pages),
        "atom.xml": atom(pages),
    }
    files.update({name: text.encode("utf-8") for name, text in text_files.items()})
    written = []
    for name, data in sorted(files.items()):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "data" / "sample_site")
    args = parser.parse_args(argv)
    if not (args.shared / "seeds").is_dir():
        print(f"no seeds folder under {args.shared}", file=sys.stderr)
        return 2
    written = build(args.shared, args.out)
    print(f"wrote {len(written)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
