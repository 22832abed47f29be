"""Score extracted events against a gold file (the shared gold format, one article a line).

A predicted event matches a gold event when both come from the same article, the event type
agrees (the gold ``alt_types`` are accepted too) and the two places lie within 25 km.
Matching is one-to-one and greedy, closest pairs first. Optional gold events neither help
recall nor count as false positives when matched. Precision, recall and F1 are computed on
the required events; on matched required events the fatalities, injuries and (for gold events
whose date is explicit) the dates are compared exactly.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rasd.models import Article

MATCH_RADIUS_KM = 25.0
_EARTH_RADIUS_KM = 6371.0088


class GoldFormatError(ValueError):
    """A gold file line that does not follow the shared gold format."""


@dataclass(frozen=True)
class GoldEvent:
    event_type: str
    sub_event_type: str
    event_date: date | None
    date_explicit: bool
    location: str
    latitude: float | None
    longitude: float | None
    fatalities: int
    injuries: int
    optional: bool = False
    alt_types: tuple[str, ...] = ()
    actor1: str = ""
    actor2: str = ""
    notes: str = ""

    def accepts_type(self, event_type: str) -> bool:
        return event_type == self.event_type or event_type in self.alt_types


@dataclass(frozen=True)
class GoldArticle:
    id: str
    published: date | None
    events: tuple[GoldEvent, ...]
    title: str = ""
    paragraphs: tuple[str, ...] = ()

    @property
    def is_negative(self) -> bool:
        return not self.events


@dataclass(frozen=True)
class Predicted:
    """The fields of a predicted event that scoring looks at."""

    event_type: str
    event_date: date | None
    location: str
    latitude: float | None
    longitude: float | None
    fatalities: int
    injuries: int


@dataclass(frozen=True)
class Row:
    """One line of a miss/extra/match listing."""

    article_id: str
    event_type: str
    location: str
    event_date: date | None
    fatalities: int
    injuries: int

    def describe(self) -> str:
        day = self.event_date.isoformat() if self.event_date else "no date"
        return (
            f"{self.article_id}  {self.event_type:<27} {self.location:<18} {day:<10} "
            f"k={self.fatalities} w={self.injuries}"
        )


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    optional_matched: int = 0
    fatalities_exact: int = 0
    injuries_exact: int = 0
    dates_compared: int = 0
    dates_exact: int = 0
    negative_articles: int = 0
    negative_events: int = 0
    misses: list[Row] = field(default_factory=list)
    extras: list[Row] = field(default_factory=list)
    wrong_figures: list[tuple[Row, Row]] = field(default_factory=list)
    wrong_dates: list[tuple[Row, Row]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def fatalities_rate(self) -> float:
        return self.fatalities_exact / self.true_positives if self.true_positives else 1.0

    @property
    def injuries_rate(self) -> float:
        return self.injuries_exact / self.true_positives if self.true_positives else 1.0

    @property
    def dates_rate(self) -> float:
        return self.dates_exact / self.dates_compared if self.dates_compared else 1.0

    def summary(self) -> str:
        return (
            f"events P={self.precision:.2f} R={self.recall:.2f} F1={self.f1:.2f} "
            f"(tp={self.true_positives} fp={self.false_positives} fn={self.false_negatives}, "
            f"optional matched={self.optional_matched}) | fatalities exact "
            f"{self.fatalities_rate:.2f} injuries exact {self.injuries_rate:.2f} "
            f"explicit dates exact {self.dates_rate:.2f} ({self.dates_exact}/"
            f"{self.dates_compared}) | negatives: {self.negative_events} events in "
            f"{self.negative_articles} articles"
        )

    def report(self) -> str:
        lines = [self.summary()]
        sections = (
            ("missed gold events", [r.describe() for r in self.misses]),
            ("extra predicted events", [r.describe() for r in self.extras]),
            (
                "matched with wrong figures (predicted | gold)",
                [
                    f"{p.describe()}  |  k={g.fatalities} w={g.injuries}"
                    for p, g in self.wrong_figures
                ],
            ),
            (
                "matched with wrong explicit date (predicted | gold)",
                [f"{p.describe()}  |  {g.event_date}" for p, g in self.wrong_dates],
            ),
        )
        for heading, rows in sections:
            lines.append(f"{heading}: {len(rows)}")
            lines.extend(f"  {row}" for row in rows)
        return "\n".join(lines)


# --- reading gold ----------------------------------------------------------------------


def _parse_day(value: Any, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise GoldFormatError(f"{where}: not an ISO date: {value!r}") from exc


def _gold_event(raw: Mapping[str, Any], where: str) -> GoldEvent:
    missing = [k for k in ("event_type", "location") if k not in raw]
    if missing:
        raise GoldFormatError(f"{where}: missing field(s) {', '.join(missing)}")
    return GoldEvent(
        event_type=str(raw["event_type"]),
        sub_event_type=str(raw.get("sub_event_type") or ""),
        event_date=_parse_day(raw.get("event_date"), where),
        date_explicit=bool(raw.get("date_explicit", False)),
        location=str(raw["location"]),
        latitude=_float_or_none(raw.get("latitude")),
        longitude=_float_or_none(raw.get("longitude")),
        fatalities=int(raw.get("fatalities") or 0),
        injuries=int(raw.get("injuries") or 0),
        optional=bool(raw.get("optional", False)),
        alt_types=tuple(raw.get("alt_types") or ()),
        actor1=str(raw.get("actor1") or ""),
        actor2=str(raw.get("actor2") or ""),
        notes=str(raw.get("notes") or ""),
    )


def _float_or_none(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def parse_gold_line(line: str, where: str = "gold") -> GoldArticle:
    """One JSON line of a gold file as a GoldArticle."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise GoldFormatError(f"{where}: invalid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict) or "id" not in raw:
        raise GoldFormatError(f"{where}: expected an object with an 'id'")
    events = raw.get("events") or []
    if not isinstance(events, list):
        raise GoldFormatError(f"{where}: 'events' must be a list")
    return GoldArticle(
        id=str(raw["id"]),
        published=_parse_day(raw.get("published"), where),
        events=tuple(_gold_event(e, f"{where} event {i}") for i, e in enumerate(events)),
        title=str(raw.get("title") or ""),
        paragraphs=tuple(raw.get("paragraphs") or ()),
    )


def load_gold(path: str | Path) -> list[GoldArticle]:
    """All articles of a gold file (JSON lines)."""
    path = Path(path)
    if not path.is_file():
        raise GoldFormatError(f"gold file not found: {path}")
    articles = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                articles.append(parse_gold_line(line, f"{path.name}:{number}"))
    return articles


def article_from_gold(gold: GoldArticle, seeds_dir: Path | None = None) -> Article:
    """An Article for a gold line: its own title and paragraphs, or, for a gold file without
    paragraphs (the seeds), the text file ``<seeds_dir>/<id>.txt`` (headline, then body)."""
    title, paragraphs = gold.title, list(gold.paragraphs)
    if not paragraphs:
        if seeds_dir is None:
            raise GoldFormatError(f"{gold.id}: no paragraphs in the gold line and no seeds folder")
        path = Path(seeds_dir) / f"{gold.id}.txt"
        if not path.is_file():
            raise GoldFormatError(f"{gold.id}: seed text not found: {path}")
        from rasd.samplesite import parse_seed_text  # only the seeds need it

        title, blocks = parse_seed_text(path.read_text(encoding="utf-8"))
        paragraphs = [b for b in blocks if isinstance(b, str)]  # captions are not body text
    published = datetime.combine(gold.published, datetime.min.time()) if gold.published else None
    return Article(
        article_id=gold.id,
        url=f"gold://{gold.id}",
        source="gold",
        site="gold",
        title=title,
        published_at=published,
        language="ar",
        text="\n\n".join(paragraphs),
    )


# --- matching ---------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def as_predicted(event: Any) -> Predicted:
    """A predicted event from an Event, any dataclass with the same fields, or a dict."""
    raw = asdict(event) if is_dataclass(event) else dict(event)
    day = raw.get("event_date")
    if isinstance(day, datetime):
        day = day.date()
    elif isinstance(day, str):
        day = _parse_day(day, "predicted event")
    return Predicted(
        event_type=str(raw.get("event_type") or ""),
        event_date=day,
        location=str(raw.get("location") or ""),
        latitude=_float_or_none(raw.get("latitude")),
        longitude=_float_or_none(raw.get("longitude")),
        fatalities=int(raw.get("fatalities") or 0),
        injuries=int(raw.get("injuries") or 0),
    )


def _distance(pred: Predicted, gold: GoldEvent) -> float | None:
    if None in (pred.latitude, pred.longitude, gold.latitude, gold.longitude):
        # without coordinates only the same name counts as the same place
        return 0.0 if pred.location and pred.location == gold.location else None
    return haversine_km(pred.latitude, pred.longitude, gold.latitude, gold.longitude)


def _candidate_pairs(preds: list[Predicted], golds: tuple[GoldEvent, ...]) -> list[tuple]:
    pairs = []
    for pi, pred in enumerate(preds):
        for gi, gold in enumerate(golds):
            if not gold.accepts_type(pred.event_type):
                continue
            km = _distance(pred, gold)
            if km is None or km > MATCH_RADIUS_KM:
                continue
            # closest first; among equals prefer same day, the main type, required events
            key = (
                round(km, 1),
                pred.event_date != gold.event_date,
                pred.event_type != gold.event_type,
                gold.optional,
            )
            pairs.append((key, pi, gi))
    pairs.sort()
    return pairs


def _row(article_id: str, ev: Predicted | GoldEvent) -> Row:
    return Row(article_id, ev.event_type, ev.location, ev.event_date, ev.fatalities, ev.injuries)


def _score_article(score: Score, article: GoldArticle, preds: list[Predicted]) -> None:
    used_pred: set[int] = set()
    used_gold: set[int] = set()
    for _key, pi, gi in _candidate_pairs(preds, article.events):
        if pi in used_pred or gi in used_gold:
            continue
        used_pred.add(pi)
        used_gold.add(gi)
        gold, pred = article.events[gi], preds[pi]
        if gold.optional:
            score.optional_matched += 1
            continue
        _count_match(score, article.id, pred, gold)
    for gi, gold in enumerate(article.events):
        if gi not in used_gold and not gold.optional:
            score.false_negatives += 1
            score.misses.append(_row(article.id, gold))
    for pi, pred in enumerate(preds):
        if pi not in used_pred:
            score.false_positives += 1
            score.extras.append(_row(article.id, pred))
    if article.is_negative:
        score.negative_articles += 1
        score.negative_events += len(preds)


def _count_match(score: Score, article_id: str, pred: Predicted, gold: GoldEvent) -> None:
    score.true_positives += 1
    figures_ok = True
    if pred.fatalities == gold.fatalities:
        score.fatalities_exact += 1
    else:
        figures_ok = False
    if pred.injuries == gold.injuries:
        score.injuries_exact += 1
    else:
        figures_ok = False
    if not figures_ok:
        score.wrong_figures.append((_row(article_id, pred), _row(article_id, gold)))
    if gold.date_explicit:
        score.dates_compared += 1
        if pred.event_date == gold.event_date:
            score.dates_exact += 1
        else:
            score.wrong_dates.append((_row(article_id, pred), _row(article_id, gold)))


def score(predicted: Mapping[str, Iterable[Any]], gold: Iterable[GoldArticle]) -> Score:
    """Compare predicted events (per article id) with the gold articles.

    Predictions for article ids that are not in the gold set are ignored.
    """
    result = Score()
    for article in gold:
        preds = [as_predicted(e) for e in predicted.get(article.id, ())]
        _score_article(result, article, preds)
    return result
