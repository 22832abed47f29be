"""Event triggers and blocking cues, read from data/lexicon/triggers.yaml and cues.yaml.

Triggers are words that report an act (اشتباكات، غارة، عبوة ناسفة، اختطاف ...), each in a
family with an ACLED event type, a priority and a strength. Cues are words that stop a
trigger from being coded: statements, plans, background, cumulative tolls, accidents,
disasters, epidemics, sport. All matching runs on normalised text with one Aho-Corasick
automaton per list, built once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rasd.extract.normalize import TermMatcher, normalize
from rasd.yamlfile import parse_yaml

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicon"
_SCOPES = ("after", "near", "next", "sentence")


class TriggerLexiconError(ValueError):
    """triggers.yaml or cues.yaml is missing or malformed."""


@dataclass(frozen=True)
class TriggerFamily:
    name: str
    event_type: str
    sub_event_type: str
    priority: int
    strong: bool
    territory: bool = False  # sub-event type depends on who took the ground
    victim_sensitive: bool = False  # a shooting of soldiers is a clash, of civilians an attack


@dataclass(frozen=True)
class TriggerHit:
    family: TriggerFamily
    start: int
    end: int
    term: str


@dataclass(frozen=True)
class CueFamily:
    name: str
    scope: str
    blocks: frozenset[str] | None = None  # trigger family names; None = all
    needs: str | None = None  # another word list that must also be in the sentence
    needs_no_date: bool = False  # only counts when the sentence names no day
    window: int = 4  # scope "next": words allowed between cue and trigger
    # scope "next": a trigger right after one of these words is spared ("بينهم أطفال في قصف")
    spared_after: frozenset[str] = frozenset()

    def blocks_family(self, family: TriggerFamily) -> bool:
        return self.blocks is None or family.name in self.blocks


@dataclass(frozen=True)
class CueHit:
    family: CueFamily
    start: int
    end: int
    term: str


def load_lexicon(name: str) -> dict[str, Any]:
    """A YAML lexicon file of data/lexicon as a mapping."""
    path = LEXICON_DIR / name
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TriggerLexiconError(f"lexicon file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise TriggerLexiconError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TriggerLexiconError(f"{path} must hold a mapping")
    return data


def word_list(data: dict[str, Any], key: str, source: str) -> list[str]:
    """``data[key]`` checked to be a list of words."""
    words = data.get(key)
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise TriggerLexiconError(f"{source}: '{key}' must be a list of words")
    return words


_SINCE = re.compile(r"(?<!\w)(?:و)?منذ\s+")
_SINCE_REACH = 30
_TO = re.compile(r"(?<!\w)(?:الي|إلى)(?!\w)")  # "إلى", normalised or not
_TOLL_RISE_WORDS = 3  # "حصيلة الهجوم ارتفعت": a toll noun and a word of rising this close


class Lexicon:
    """All trigger and cue matchers, compiled once."""

    def __init__(self, triggers: dict[str, Any], cues: dict[str, Any]) -> None:
        self.families = self._families(triggers)
        pairs = [(term, fam) for fam, terms in self.families for term in terms]
        self.trigger_matcher: TermMatcher[TriggerFamily] = TermMatcher(pairs, allow_suffixes=True)
        self.air_agents = self._matcher(triggers, "air_agents", "triggers.yaml")
        self.strike_verbs = self._matcher(triggers, "strike_verbs", "triggers.yaml")
        self.protest_intervention = self._matcher(triggers, "protest_intervention", "triggers.yaml")
        self.combatant_victims = self._matcher(triggers, "combatant_victims", "triggers.yaml")
        self.crowd = self._matcher(triggers, "crowd", "triggers.yaml")
        self.militant_victims = self._matcher(triggers, "militant_victims", "triggers.yaml")
        self.cue_families = self._cue_families(cues)
        cue_pairs = [(term, fam) for fam, terms in self.cue_families for term in terms]
        # no pronoun suffixes on cues: "السيول" + ه would read "السيولة" (liquidity) as floods
        self.cue_matcher: TermMatcher[CueFamily] = TermMatcher(cue_pairs)
        self.period = self._matcher(cues, "period", "cues.yaml")
        self.no_casualties = self._matcher(cues, "no_casualties", "cues.yaml")
        self.habitual_exceptions = self._matcher(cues, "habitual_exceptions", "cues.yaml")
        self.other_source = self._matcher(cues, "other_source", "cues.yaml")
        self.earlier_report = self._matcher(cues, "earlier_report", "cues.yaml")
        self.toll_update = self._matcher(cues, "toll_update", "cues.yaml")
        self.toll_nouns = self._matcher(cues, "toll_nouns", "cues.yaml")
        self.rise_words = self._matcher(cues, "rise_words", "cues.yaml")
        self.differing_source = self._matcher(cues, "differing_source", "cues.yaml")
        self.within_day_since = self._matcher(cues, "within_day_since", "cues.yaml")

    @staticmethod
    def _matcher(data: dict[str, Any], key: str, source: str) -> TermMatcher[str]:
        return TermMatcher({w: w for w in word_list(data, key, source)}, allow_suffixes=True)

    @staticmethod
    def _families(data: dict[str, Any]) -> list[tuple[TriggerFamily, list[str]]]:
        raw = data.get("families")
        if not isinstance(raw, dict) or not raw:
            raise TriggerLexiconError("triggers.yaml: 'families' must be a non-empty mapping")
        families = []
        for name, spec in raw.items():
            try:
                family = TriggerFamily(
                    name=name,
                    event_type=str(spec["event_type"]),
                    sub_event_type=str(spec["sub_event_type"]),
                    priority=int(spec["priority"]),
                    strong=spec.get("strength", "strong") == "strong",
                    territory=spec.get("subject") == "territory",
                    victim_sensitive=bool(spec.get("victim_sensitive", False)),
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise TriggerLexiconError(f"triggers.yaml family {name!r}: {exc!r}") from exc
            families.append((family, word_list(spec, "terms", f"triggers.yaml {name}")))
        return families

    @staticmethod
    def _cue_families(data: dict[str, Any]) -> list[tuple[CueFamily, list[str]]]:
        raw = data.get("cues")
        if not isinstance(raw, dict) or not raw:
            raise TriggerLexiconError("cues.yaml: 'cues' must be a non-empty mapping")
        families = []
        for name, spec in raw.items():
            scope = spec.get("scope")
            if scope not in _SCOPES:
                raise TriggerLexiconError(f"cues.yaml {name!r}: scope must be one of {_SCOPES}")
            blocks = spec.get("blocks")
            family = CueFamily(
                name=name,
                scope=scope,
                blocks=frozenset(blocks) if blocks else None,
                needs=spec.get("needs"),
                needs_no_date=bool(spec.get("needs_no_date", False)),
                window=int(spec.get("window", 4)),
                spared_after=frozenset(map(normalize, spec.get("spared_after", ()))),
            )
            families.append((family, word_list(spec, "terms", f"cues.yaml {name}")))
        return families

    def is_toll_update(self, normalised_text: str) -> bool:
        """An explicit update of a toll: a listed phrase, or a toll noun with a word of rising
        a few words on in either order ("حصيلة الهجوم ارتفعت لاحقا"، "ارتفع عدد قتلى الهجوم")."""
        if self.toll_update.find(normalised_text):
            return True
        nouns = self.toll_nouns.find(normalised_text)
        rises = self.rise_words.find(normalised_text)
        # the new figure must follow ("... إلى خمسة"): "مرجحا ارتفاع الحصيلة" is a guess
        return any(
            _words_apart(normalised_text, min(n.start, r.start), max(n.end, r.end))
            <= _TOLL_RISE_WORDS
            and _TO.search(normalised_text, max(n.end, r.end))
            for n in nouns
            for r in rises
        )

    def mask_within_day_since(self, normalised_text: str) -> str:
        """The text with every "منذ" blanked that opens a span within one day ("منذ ساعات
        الفجر"، "منذ صباح اليوم"): it marks no period, so no cue may read it as one."""
        masked = normalised_text
        for since in _SINCE.finditer(normalised_text):
            rest = normalised_text[since.end() :]
            first = self.within_day_since.find(rest[:_SINCE_REACH])
            if first and first[0].start == 0:
                masked = masked[: since.start()] + " " * len(since.group()) + masked[since.end() :]
        return masked

    def find_triggers(self, normalised_text: str) -> list[TriggerHit]:
        """Trigger words in normalised text, leftmost-longest."""
        return [
            TriggerHit(m.payload, m.start, m.end, m.term)
            for m in self.trigger_matcher.find(normalised_text)
        ]

    def find_cues(self, normalised_text: str) -> list[CueHit]:
        """Blocking cues in normalised text (overlaps kept: one word may be two cues)."""
        return [
            CueHit(m.payload, m.start, m.end, m.term)
            for m in self.cue_matcher.find(normalised_text, overlapping=True)
        ]


def _words_apart(text: str, start: int, end: int) -> int:
    return len(text[start:end].split()) - 1


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon from data/lexicon (loaded once per process)."""
    return Lexicon(load_lexicon("triggers.yaml"), load_lexicon("cues.yaml"))


def find_triggers(normalised_text: str) -> list[TriggerHit]:
    return default_lexicon().find_triggers(normalised_text)


def find_cues(normalised_text: str) -> list[CueHit]:
    return default_lexicon().find_cues(normalised_text)
