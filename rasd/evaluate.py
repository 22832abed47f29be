"""`rasd eval`: score the extractor against a gold file through the whole pipeline.

Each gold article becomes an HTML page (the sample site's templates, boilerplate and
COVID widgets included), served over real HTTP on 127.0.0.1, fetched, cleaned, extracted,
validated and loaded into a scratch warehouse; the events read back from that warehouse
are what gets scored.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from rasd.extract.scoring import GoldArticle, Score, load_gold, score
from rasd.pipeline import RunSummary, run_pipeline
from rasd.sample_server import serve_pages
from rasd.samplesite import parse_seed_text, render_eval_page
from rasd.settings import SQL_DIR, Settings


class GoldTextMissing(ValueError):
    """A gold article without paragraphs whose seed text file cannot be found."""


@dataclass
class EvalResult:
    score: Score
    run: RunSummary

    def render(self) -> str:
        return "\n".join([self.run.render(), "", self.score.report()])


def article_text(article: GoldArticle, gold_file: Path) -> tuple[str, list[str]]:
    """Title and paragraphs: from the gold line, or from the seed text beside the gold
    folder (seeds.jsonl carries ids only; the texts live in ../seeds/<id>.txt)."""
    if article.paragraphs:
        return article.title, list(article.paragraphs)
    seed = gold_file.resolve().parent.parent / "seeds" / f"{article.id}.txt"
    if not seed.is_file():
        raise GoldTextMissing(f"gold article {article.id} has no paragraphs and {seed} is missing")
    title, blocks = parse_seed_text(seed.read_text(encoding="utf-8"))
    return title, [b if isinstance(b, str) else b.caption for b in blocks]


def build_pages(gold: list[GoldArticle], gold_file: Path) -> dict[str, bytes]:
    pages: dict[str, bytes] = {}
    for index, article in enumerate(gold):
        title, paragraphs = article_text(article, gold_file)
        path = f"/eval/{article.id}.html"
        published = article.published.isoformat() if article.published else ""
        html = render_eval_page(
            title=title, paragraphs=paragraphs, published=published, index=index, url_path=path
        )
        pages[path] = html.encode("utf-8")
    return pages


def predicted_events(warehouse: Path, url_to_id: dict[str, str]) -> dict[str, list[dict]]:
    query = (SQL_DIR / "queries" / "eval_events.sql").read_text(encoding="utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(query)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    predicted: dict[str, list[dict]] = {gold_id: [] for gold_id in url_to_id.values()}
    for row in rows:
        gold_id = url_to_id.get(row["url"])
        if gold_id is not None:
            predicted[gold_id].append(row)
    return predicted


def evaluate(gold_file: Path, workdir: Path) -> EvalResult:
    gold = load_gold(gold_file)
    pages = build_pages(gold, gold_file)
    settings = Settings(warehouse=workdir / "eval.duckdb", workers=1)
    with serve_pages(pages) as server:
        urls = {f"{server.base_url}{path}": path for path in pages}
        sources = workdir / "sources.yaml"
        sources.write_text(
            yaml.safe_dump({"sources": [{"name": "eval", "kind": "urls", "urls": list(urls)}]}),
            encoding="utf-8",
        )
        run = run_pipeline(sources, settings)
    url_to_id = {url: Path(path).stem for url, path in urls.items()}
    return EvalResult(score=score(predicted_events(settings.warehouse, url_to_id), gold), run=run)


def evaluate_gold(gold_file: Path, keep: Path | None = None) -> str:
    """The printed report of `rasd eval`; the scratch warehouse is kept only if asked."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        return evaluate(gold_file, keep).render()
    with tempfile.TemporaryDirectory(prefix="rasd-eval-") as tmp:
        return evaluate(gold_file, Path(tmp)).render()
