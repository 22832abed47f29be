"""Check that the clean stage's output stays the same, and time it.

    .venv/bin/python scripts/clean_equivalence.py --out /tmp/clean_before.json
    .venv/bin/python scripts/clean_equivalence.py --compare /tmp/clean_before.json
    .venv/bin/python scripts/clean_equivalence.py --baseline HEAD~1 --time

The corpus: the bundled sample site's article pages (data/sample_site/news), the pages
`rasd eval` renders for ../shared/gold/dev.jsonl, ../shared/gold/seeds.jsonl (texts from
../shared/seeds) and tests/gold/*.jsonl, the template pages of tests/test_clean_templates.py
and generated bench pages (rasd.benchgen). Each page's outcome (title, text, publication
time, or the CleanError's reason) is written as canonical JSON; ``--compare`` exits 1 and
prints the pages whose outcome differs.

``--baseline REV`` loads rasd/clean.py and data/boilerplate.yaml as they were at git
revision REV next to the current ones, compares both on every page in one process and,
with ``--time``, times them in alternation over the bench pages.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the template pages live in the tests package

from rasd import clean  # noqa: E402
from rasd.benchgen import generate_article, render_generated  # noqa: E402
from rasd.evaluate import build_pages  # noqa: E402
from rasd.extract.scoring import load_gold  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLD_FILES = (
    SHARED / "gold" / "dev.jsonl",
    SHARED / "gold" / "seeds.jsonl",
    *sorted((ROOT / "tests" / "gold").glob("*.jsonl")),
)
SAMPLE_NEWS = ROOT / "data" / "sample_site" / "news"
BASE_URL = "http://127.0.0.1:8000"
META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.I)

# key -> (markup, url)
Corpus = dict[str, tuple[str | bytes, str]]
Cleaner = Callable[[str | bytes, str], dict[str, Any]]


def _decode(body: bytes) -> str:
    """The body as the fetch stage gives it for a page served without a charset header."""
    declared = META_CHARSET.search(body[:2048])
    return body.decode(declared.group(1).decode() if declared else "utf-8")


def sample_pages() -> Corpus:
    pages: Corpus = {}
    for path in sorted(SAMPLE_NEWS.rglob("*.html")):
        relative = path.relative_to(SAMPLE_NEWS.parent).as_posix()
        body = path.read_bytes()
        pages[f"sample:{relative}"] = (_decode(body), f"{BASE_URL}/{relative}")
        pages[f"sample-bytes:{relative}"] = (body, f"{BASE_URL}/{relative}")
    return pages


def eval_pages() -> Corpus:
    pages: Corpus = {}
    for gold_file in GOLD_FILES:
        if not gold_file.is_file():
            print(f"skipped (absent): {gold_file}", file=sys.stderr)
            continue
        try:
            rendered = build_pages(load_gold(gold_file), gold_file)
        except ValueError as exc:  # seeds.jsonl without its seed texts
            print(f"skipped ({exc}): {gold_file}", file=sys.stderr)
            continue
        for path, body in rendered.items():
            pages[f"eval:{gold_file.stem}:{path}"] = (body.decode("utf-8"), BASE_URL + path)
    return pages


def template_pages() -> Corpus:
    from tests import test_clean_templates as t

    pages: Corpus = {}
    for group in ("DATE_PAGES", "BODY_PAGES"):
        for name, markup in getattr(t, group).items():
            pages[f"template:{name}"] = (markup, t.URL)
    pages["template:date-in-url"] = (t.page(), "https://news.example/2015/06/28/shelling.html")
    for path, (body, _) in t.ENCODED_PAGES.items():
        pages[f"template-bytes:{path}"] = (body, t.URL)
    return pages


def bench_pages(count: int) -> Corpus:
    pages: Corpus = {}
    for index in range(count):
        article = generate_article(index)
        markup = render_generated(article, index).decode("utf-8")
        pages[f"bench:{index}"] = (markup, BASE_URL + article.path)
    return pages


def corpus(generated: int) -> Corpus:
    return {**sample_pages(), **eval_pages(), **template_pages(), **bench_pages(generated)}


def cleaner(module: ModuleType, rules: Any) -> Cleaner:
    def run(markup: str | bytes, url: str) -> dict[str, Any]:
        try:
            article = module.clean_html(markup, url=url, source="check", rules=rules)
        except module.CleanError as exc:
            return {"error": exc.reason}
        published = article.published_at.isoformat() if article.published_at else None
        return {"title": article.title, "text": article.text, "published_at": published}

    return run


def baseline_cleaner(revision: str) -> Cleaner:
    """rasd/clean.py and data/boilerplate.yaml as they were at `revision`."""

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=ROOT, check=True, capture_output=True
        ).stdout.decode("utf-8")

    name = "rasd_clean_baseline"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    exec(compile(show("rasd/clean.py"), f"{revision}:rasd/clean.py", "exec"), module.__dict__)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", encoding="utf-8", delete=False) as f:
        f.write(show("data/boilerplate.yaml"))
    rules = module.BoilerplateRules.from_file(Path(f.name))
    Path(f.name).unlink()
    return cleaner(module, rules)


def run_all(pages: Corpus, clean_one: Cleaner) -> dict[str, dict[str, Any]]:
    return {key: clean_one(markup, url) for key, (markup, url) in pages.items()}


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One entry per page whose outcome changed; text changes as a diff of paragraphs."""
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None or new is None:
            lines.append(f"--- {key}: only {'after' if old is None else 'before'}")
            continue
        lines.append(f"--- {key}")
        for field in sorted(set(old) | set(new)):
            if old.get(field) == new.get(field):
                continue
            if field == "text" and "text" in old and "text" in new:
                diff = difflib.unified_diff(
                    old["text"].split("\n\n"), new["text"].split("\n\n"), lineterm="", n=0
                )
                lines.extend(f"  {line}" for line in list(diff)[2:])
            else:
                lines.append(f"  {field}: {old.get(field)!r} -> {new.get(field)!r}")
    return lines


def timing(pages: Corpus, cleaners: dict[str, Cleaner], repeats: int) -> None:
    """ms per bench page. The cleaners take turns page by page, so that both see the same
    load on a shared machine. Reported: the median over repeats of the mean per page, and
    the mean over pages of each page's best time."""
    bench = [page for key, page in pages.items() if key.startswith("bench:")]
    means: dict[str, list[float]] = {label: [] for label in cleaners}
    best: dict[str, list[float]] = {label: [float("inf")] * len(bench) for label in cleaners}
    for clean_one in cleaners.values():
        clean_one(*bench[0])  # rules, month names and lazy imports load outside the timing
    for _ in range(repeats):
        spent = dict.fromkeys(cleaners, 0.0)
        for index, (markup, url) in enumerate(bench):
            for label, clean_one in cleaners.items():
                started = time.perf_counter()
                clean_one(markup, url)
                took = time.perf_counter() - started
                spent[label] += took
                best[label][index] = min(best[label][index], took)
        for label, total in spent.items():
            means[label].append(1000 * total / len(bench))
    for label, times in means.items():
        runs = " ".join(f"{t:.3f}" for t in times)
        median, floor = statistics.median(times), 1000 * statistics.mean(best[label])
        print(f"{label}: median {median:.3f} ms/page, best-of {floor:.3f} ms/page ({runs})")
    print(f"{len(bench)} bench pages, {repeats} repeats")


def as_json(outcomes: dict[str, dict[str, Any]]) -> str:
    return json.dumps(outcomes, ensure_ascii=False, sort_keys=True, indent=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the canonical outcomes here")
    parser.add_argument("--compare", type=Path, help="compare with a file written by --out")
    parser.add_argument("--baseline", help="compare with (and time against) this git revision")
    parser.add_argument("--time", action="store_true", help="time cleaning per bench page")
    parser.add_argument("--generated", type=int, default=500, help="bench pages to add")
    parser.add_argument("--repeats", type=int, default=5, help="timing: median of this many")
    args = parser.parse_args(argv)
    pages = corpus(args.generated)
    current = cleaner(clean, clean.default_rules())
    cleaners = {"current": current}
    if args.baseline:
        cleaners = {f"baseline {args.baseline}": baseline_cleaner(args.baseline), **cleaners}
    if args.time:
        timing(pages, cleaners, args.repeats)
    if not (args.out or args.compare or args.baseline):
        return 0
    outcomes = run_all(pages, current)
    failed = False
    if args.out:
        args.out.write_text(as_json(outcomes), encoding="utf-8")
        errors = sum("error" in o for o in outcomes.values())
        print(f"{len(outcomes)} pages ({errors} clean errors) written to {args.out}")
    references = {}
    if args.compare:
        references[str(args.compare)] = json.loads(args.compare.read_text(encoding="utf-8"))
    if args.baseline:
        references[args.baseline] = run_all(pages, cleaners[f"baseline {args.baseline}"])
    for label, before in references.items():
        diff = differences(before, outcomes)
        print("\n".join(diff) if diff else f"identical to {label}: {len(outcomes)} pages")
        failed = failed or bool(diff)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
