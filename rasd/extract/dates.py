"""Day references in Arabic news text, resolved against the publication date.

Rules (see the event coding standard): اليوم = publication day, أمس = the day before,
أول أمس / قبل يومين = two days before, "منذ ثلاثة أيام" = three days before, a weekday = the
latest such day on or before publication ("ليل الأحد" is Sunday, "فجر الاثنين" Monday), an
explicit date as written (a year-less one takes the latest year not after publication).
Background references (الشهر الماضي، منذ 2014، في يونيو 2015) come back as kind "vague" with
no day, so that the extractor can tell background from events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import ahocorasick

from rasd.extract.normalize import normalize
from rasd.extract.numbers import LexiconError, find_numbers, load_yaml

DateKind = Literal["relative", "weekday", "explicit", "vague"]
_KIND_RANK = {"explicit": 0, "weekday": 1, "relative": 2, "vague": 3}
_CLITIC = r"(?:و|ف)?(?:ب|ل|ك)?"
_BOUND_L = r"(?<!\w)"
_BOUND_R = r"(?!\w)"


@dataclass(frozen=True)
class DateRef:
    """A day reference in normalised text; ``day`` is None for vague references."""

    day: date | None
    start: int
    end: int
    text: str
    kind: DateKind


def _alternation(phrases: list[str] | set[str]) -> str:
    norms = {normalize(str(p)) for p in phrases}
    return "|".join(re.escape(p) for p in sorted(norms, key=len, reverse=True) if p)


@dataclass(frozen=True)
class _Patterns:
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    ordinals: dict[str, int]
    ordinal_day_month: re.Pattern[str]
    numeric_dmy: re.Pattern[str]
    numeric_ymd: re.Pattern[str]
    day_month: re.Pattern[str]
    month_only: re.Pattern[str]
    year_only: re.Pattern[str]
    weekday: re.Pattern[str]
    relative_re: re.Pattern[str]
    days_ago: re.Pattern[str]
    vague: re.Pattern[str]
    same_day: re.Pattern[str]
    last_markers: re.Pattern[str]
    night_pair: re.Pattern[str]
    words: _WordKinds


class _WordKinds:
    """Which kinds of date word a text holds: most patterns need one of their words (a month
    name, a weekday ...) written out, so a text without any is not searched with them. One
    pass of an automaton over a sentence costs less than one pattern."""

    def __init__(self, kinds: dict[str, set[str]]) -> None:
        words: dict[str, set[str]] = {}
        self.always: set[str] = set()
        for kind, phrases in kinds.items():
            norms = {normalize(str(p)) for p in phrases} - {""}
            if not norms:
                self.always.add(kind)  # an empty alternation matches anywhere
            for norm in norms:
                words.setdefault(norm, set()).add(kind)
        self._automaton = ahocorasick.Automaton()
        for word, word_kinds in words.items():
            self._automaton.add_word(word, frozenset(word_kinds))
        if words:
            self._automaton.make_automaton()
        self._empty = not words

    def in_text(self, text: str) -> set[str]:
        found = set(self.always)
        if not self._empty:
            for _end, kinds in self._automaton.iter(text):
                found.update(kinds)
        if _DIGIT.search(text):
            found.add("digit")
        return found


_DIGIT = re.compile(r"\d")  # as the patterns read digits: any script


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    try:
        months = {
            normalize(n): int(m) for m, names in load_yaml("months.yaml").items() for n in names
        }
        weekdays = {
            normalize(n): int(d) for d, names in load_yaml("weekdays.yaml").items() for n in names
        }
        phrases = load_yaml("date_phrases.yaml")
        relative = {
            normalize(p): int(days) for days, items in phrases["relative"].items() for p in items
        }
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise LexiconError(f"date lexicon is malformed: {exc!r}") from exc
    month = rf"(?:{_alternation(months)})"
    # "حزيران/يونيو", "يونيو (حزيران)", "يونيو - حزيران": two names of one month
    month_pair = rf"(?P<month>{month})(?:\s*(?:/|\\|-|\()\s*{month}\s*\)?)?"
    year = r"(?P<year>(?:19|20)\d\d)"
    year_tail = rf"(?:\s*[,-]?\s*(?:من\s+)?(?:عام|سنه|العام)?\s*{year}{_BOUND_R})?"
    day_parts = _alternation(phrases["day_parts"])
    ordinals = _ordinal_days(phrases)
    leads = _alternation(phrases["year_leads"])
    return _Patterns(
        months=months,
        ordinals=ordinals,
        ordinal_day_month=re.compile(
            rf"{_BOUND_L}{_CLITIC}(?P<ordinal>{_alternation(ordinals)})\s+(?:من\s+)?(?:شهر\s+)?"
            rf"{_CLITIC}{month_pair}{_BOUND_R}" + year_tail
        ),
        weekdays=weekdays,
        relative=relative,
        numeric_dmy=re.compile(
            r"(?<![\d/.-])(?P<d>\d{1,2})\s?[-/.]\s?(?P<m>\d{1,2})\s?[-/.]\s?(?P<y>(?:19|20)\d\d)(?!\d)"
        ),
        numeric_ymd=re.compile(
            r"(?<![\d/.-])(?P<y>(?:19|20)\d\d)\s?[-/.]\s?(?P<m>\d{1,2})\s?[-/.]\s?(?P<d>\d{1,2})(?!\d)"
        ),
        day_month=re.compile(
            rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?{_CLITIC}{month_pair}{_BOUND_R}"
            + year_tail
        ),
        month_only=re.compile(
            rf"{_BOUND_L}(?:{_CLITIC}(?:{leads})\s+){{0,2}}{_CLITIC}{month_pair}{_BOUND_R}"
            rf"(?:\s*(?:من\s+)?(?:عام|سنه|العام)?\s*{year}{_BOUND_R}|\s+(?:الماضي|المنصرم|الفائت|الجاري|الحالي|المقبل|القادم){_BOUND_R})?"
        ),
        year_only=re.compile(rf"{_BOUND_L}{_CLITIC}(?:{leads})\s+{year}{_BOUND_R}"),
        weekday=re.compile(
            rf"{_BOUND_L}(?:(?P<rel>{_CLITIC}(?:امس|اليوم|البارحه))\s+)?"
            rf"(?:{_CLITIC}(?:{day_parts})\s+)?"
            rf"{_CLITIC}(?P<weekday>{_alternation(weekdays)}){_BOUND_R}"
        ),
        relative_re=re.compile(
            rf"{_BOUND_L}{_CLITIC}(?P<phrase>{_alternation(relative)}){_BOUND_R}"
        ),
        days_ago=re.compile(
            rf"{_BOUND_L}{_CLITIC}(?:{_alternation(phrases['days_ago_lead'])})\s+"
            rf"(?P<count>[\w\s]{{1,25}}?)\s+(?:{_alternation(phrases['days_word'])}){_BOUND_R}"
        ),
        vague=re.compile(rf"{_BOUND_L}{_CLITIC}(?:{_alternation(phrases['vague'])}){_BOUND_R}"),
        same_day=re.compile(
            rf"{_BOUND_L}{_CLITIC}(?:{_alternation(phrases['same_day'])}){_BOUND_R}"
        ),
        night_pair=re.compile(rf"\s*(?:-|/|الي|على|علي)?\s*(?:{_alternation(weekdays)}){_BOUND_R}"),
        last_markers=re.compile(rf"\s+(?:{_alternation(phrases['last_markers'])}){_BOUND_R}"),
        words=_WordKinds(
            {
                "month": set(months),
                "weekday": set(weekdays),
                "relative": set(relative),
                "days_ago": set(phrases["days_ago_lead"]),
                "vague": set(phrases["vague"]),
            }
        ),
    )


def _ordinal_days(phrases: dict) -> dict[str, int]:
    """Normalised ordinal day phrases 1..31 (الأول، الحادي عشر، الخامس والعشرين ...)."""
    try:
        units = {int(v): [normalize(w) for w in ws] for v, ws in phrases["ordinal_units"].items()}
        tens = {int(v): [normalize(w) for w in ws] for v, ws in phrases["ordinal_tens"].items()}
        ten = [normalize(w) for w in phrases["ordinal_ten"]]
        teen = [normalize(w) for w in phrases["ordinal_teen_marker"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise LexiconError(f"date_phrases.yaml ordinals are malformed: {exc!r}") from exc
    days: dict[str, int] = {}
    for value, words in units.items():
        for word in words:
            days.setdefault(word, value)
            for marker in teen:
                days.setdefault(f"{word} {marker}", 10 + value)
            for tens_value, tens_words in tens.items():
                for tens_word in tens_words:
                    days.setdefault(f"{word} و{tens_word}", tens_value + value)
    for word in ten:
        days[word] = 10
    for tens_value, tens_words in tens.items():
        for tens_word in tens_words:
            days[tens_word] = tens_value
    return {phrase: day for phrase, day in days.items() if day <= 31}


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _yearless(month: int, day: int, published: date) -> date | None:
    """The latest (month, day) not after ``published``."""
    for year in (published.year, published.year - 1, published.year - 4):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= published:
            return candidate
    return None


def _explicit_refs(text: str, published: date, kinds: set[str]) -> list[DateRef]:
    pats = _patterns()
    refs: list[DateRef] = []
    digits = "digit" in kinds
    for pattern in (pats.numeric_dmy, pats.numeric_ymd) if digits else ():
        for m in pattern.finditer(text):
            day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if day is not None:
                refs.append(DateRef(day, m.start(), m.end(), m.group(), "explicit"))
    with_month = (pats.day_month,) * digits + (pats.ordinal_day_month,)
    for pattern in with_month if "month" in kinds else ():
        for m in pattern.finditer(text):
            month = pats.months[m["month"]]
            day_of_month = (
                int(m["day"]) if "day" in m.re.groupindex else pats.ordinals[m["ordinal"]]
            )
            if m["year"]:
                day = _safe_date(int(m["year"]), month, day_of_month)
            else:
                day = _yearless(month, day_of_month, published)
            if day is not None:
                refs.append(DateRef(day, m.start(), m.end(), m.group(), "explicit"))
    return refs


def _weekday_refs(text: str, published: date, kinds: set[str]) -> list[DateRef]:
    pats = _patterns()
    refs: list[DateRef] = []
    if "weekday" not in kinds:
        return refs
    for m in pats.weekday.finditer(text):
        weekday = pats.weekdays[m["weekday"]]
        back = (published.weekday() - weekday) % 7
        end = m.end()
        last = pats.last_markers.match(text, end)
        if last and back == 0:
            back = 7
        if last:
            end = last.end()
        night = pats.night_pair.match(text, end)
        if night:  # "ليل السبت الأحد" / "ليلة السبت إلى الأحد": the night starts on Saturday
            end = night.end()
            if back == 0:
                back = 7  # a night that ends after publication: the one a week before
        if m["rel"] and "اليوم" in m["rel"] and back != 0:
            continue  # "اليوم الخميس" on another day: a slip; trust neither
        day = published - timedelta(days=back)
        refs.append(DateRef(day, m.start(), end, text[m.start() : end], "weekday"))
    return refs


def _relative_refs(text: str, published: date, kinds: set[str]) -> list[DateRef]:
    pats = _patterns()
    refs: list[DateRef] = []
    for m in pats.relative_re.finditer(text) if "relative" in kinds else ():
        days = pats.relative[m["phrase"]]
        day = published - timedelta(days=days)
        refs.append(DateRef(day, m.start(), m.end(), m.group(), "relative"))
    for m in pats.days_ago.finditer(text) if "days_ago" in kinds else ():
        numbers = find_numbers(m["count"])
        if len(numbers) != 1 or numbers[0].value is None or numbers[0].approximate:
            continue
        days = numbers[0].value
        if days > 60:
            continue
        refs.append(
            DateRef(published - timedelta(days=days), m.start(), m.end(), m.group(), "relative")
        )
    return refs


def _vague_refs(text: str, kinds: set[str]) -> list[DateRef]:
    pats = _patterns()
    refs: list[DateRef] = []
    patterns = (pats.vague,) * ("vague" in kinds) + (pats.year_only,) * ("digit" in kinds)
    for pattern in patterns:
        for m in pattern.finditer(text):
            refs.append(DateRef(None, m.start(), m.end(), m.group(), "vague"))
    for m in pats.month_only.finditer(text) if "month" in kinds else ():
        # a bare month name is too ambiguous (مارس "practised", آب "father"): it needs a
        # lead word (شهر، منذ، في عام) or a year or "الماضي" after it
        lead = m.group()[: m.start("month") - m.start()].strip()
        tail = m.group()[m.end("month") - m.start() :].strip()
        if lead or m["year"] or tail:
            refs.append(DateRef(None, m.start(), m.end(), m.group(), "vague"))
    return refs


def find_date_refs(normalised_text: str, published: date) -> list[DateRef]:
    """Every day reference in normalised text, in order, overlaps resolved.

    Where references overlap, explicit dates beat weekdays, which beat relative words, which
    beat vague ones; among equals the longer wins.
    """
    text = normalised_text
    kinds = _patterns().words.in_text(text)
    candidates = (
        _explicit_refs(text, published, kinds)
        + _weekday_refs(text, published, kinds)
        + _relative_refs(text, published, kinds)
        + _vague_refs(text, kinds)
    )
    candidates = _merge_weekday_with_explicit(text, candidates)
    if "relative" in kinds:
        # "في اليوم نفسه" holds "اليوم" but means the day told before, not today
        again = [m.span() for m in _patterns().same_day.finditer(text)]
        candidates = [r for r in candidates if all(r.end <= s or r.start >= e for s, e in again)]
    ranked = sorted(candidates, key=lambda r: (_KIND_RANK[r.kind], -(r.end - r.start), r.start))
    chosen: list[DateRef] = []
    for ref in ranked:
        if all(ref.end <= c.start or ref.start >= c.end for c in chosen):
            chosen.append(ref)
    return sorted(chosen, key=lambda r: r.start)


def _merge_weekday_with_explicit(text: str, refs: list[DateRef]) -> list[DateRef]:
    """ "الأحد (28 يونيو)": a weekday right before an explicit date is part of it."""
    explicit = [r for r in refs if r.kind == "explicit"]
    merged = list(refs)
    for weekday in (r for r in refs if r.kind == "weekday"):
        for exp in explicit:
            if 0 <= exp.start - weekday.end <= 3:
                end = exp.end + 1 if text[exp.end : exp.end + 1] == ")" else exp.end
                span = text[weekday.start : end]
                merged.append(DateRef(exp.day, weekday.start, end, span, "explicit"))
    return merged


# --- live-updated pages ---------------------------------------------------------------

_UPDATE_HEADER = re.compile(
    r"^\s*(?:اخر\s+)?(?:تحديث|محدث|updated?|update)\s*[-:–]?\s*"
    r"(?:\d{1,2}\s*[:.]\s*\d{2}|\(?\s*\d{1,2}\s*[:.]\s*\d{2})",
    re.IGNORECASE,
)
_HEADER_WORD_ONLY = re.compile(r"^\s*(?:اخر\s+)?تحديث\s*[-:]?\s*$")


def is_update_header(paragraph: str) -> bool:
    """True for a live-page block header like "تحديث - 19:44 تغ" (normalised or not)."""
    norm = normalize(paragraph)
    return bool(_UPDATE_HEADER.match(norm) or _HEADER_WORD_ONLY.match(norm))


def split_update_blocks(paragraphs: list[str]) -> list[list[str]]:
    """Group paragraphs into blocks, each starting at an update header.

    Paragraphs before the first header form the first block. A page with no headers is one
    block. Each header stays as the first paragraph of its block.
    """
    blocks: list[list[str]] = []
    current: list[str] = []
    for paragraph in paragraphs:
        if is_update_header(paragraph) and current:
            blocks.append(current)
            current = []
        current.append(paragraph)
    if current:
        blocks.append(current)
    return blocks
