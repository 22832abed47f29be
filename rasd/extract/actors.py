"""The sides of an event: state forces, named armed groups, unidentified armed men,
civilians, protesters (data/actors.yaml).

actor1 is the side that acted: the one named after "من قبل / على أيدي / على يد" if any,
else the first armed side named in the evidence. actor2 is the next side named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from rasd.extract.normalize import TermMatcher, normalize
from rasd.yamlfile import parse_yaml

ACTORS_FILE = Path(__file__).resolve().parents[2] / "data" / "actors.yaml"
ARMED_KINDS = frozenset({"state", "group", "unidentified", "foreign"})
_KINDS = ARMED_KINDS | {"civilian", "protester", "rioter"}
_QUOTES = re.compile(r"[\"'()\[\]]")


class ActorLexiconError(ValueError):
    """data/actors.yaml is missing or malformed."""


@dataclass(frozen=True)
class ActorMention:
    name: str  # may hold {country}
    kind: str
    start: int
    end: int
    agent: bool = False  # named as the doer ("على أيدي مسلحين")

    @property
    def armed(self) -> bool:
        return self.kind in ARMED_KINDS

    def label(self, country: str) -> str:
        filled = self.name.replace("{country}", country or "")
        return filled.replace(" ()", "").replace("of  ", "of ").strip()


@lru_cache(maxsize=1)
def _data() -> dict:
    try:
        data = parse_yaml(ACTORS_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ActorLexiconError(f"actor list not found: {ACTORS_FILE}") from exc
    except yaml.YAMLError as exc:
        raise ActorLexiconError(f"{ACTORS_FILE} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ActorLexiconError(f"{ACTORS_FILE} must hold a mapping")
    return data


@lru_cache(maxsize=1)
def _agent_marker() -> re.Pattern[str]:
    markers = sorted({normalize(m) for m in _data().get("agent_markers") or []}, key=len)
    if not markers:
        raise ActorLexiconError(f"{ACTORS_FILE}: 'agent_markers' must list words")
    alternation = "|".join(re.escape(m) for m in reversed(markers))
    return re.compile(rf"(?:{alternation})\s+(?:\S+\s+)?$")


@lru_cache(maxsize=1)
def _matcher() -> TermMatcher[tuple[str, str]]:
    data = _data()
    pairs = []
    for entry in data.get("actors") or []:
        name, kind = entry.get("name"), entry.get("kind")
        if not name or kind not in _KINDS or not entry.get("terms"):
            raise ActorLexiconError(f"{ACTORS_FILE}: bad actor entry {entry!r}")
        pairs += [(term, (name, kind)) for term in entry["terms"]]
    return TermMatcher(pairs, allow_suffixes=True)


def find_actors(normalised_text: str) -> list[ActorMention]:
    """Actors named in normalised text, in order (quotes around names are ignored)."""
    text = _QUOTES.sub(" ", normalised_text)
    text = re.sub(r" {2,}", " ", text)
    mentions: list[ActorMention] = []
    for match in _matcher().find(text):
        name, kind = match.payload
        agent = bool(_agent_marker().search(text[max(0, match.start - 30) : match.start]))
        mention = ActorMention(name, kind, match.start, match.end, agent)
        previous = mentions[-1] if mentions else None
        if (
            previous is not None
            and previous.kind == "unidentified"
            and kind in ("group", "state", "foreign")
            and len(text[previous.end : match.start].split()) <= 1
        ):
            # "مسلحو تنظيم داعش": the armed men are the named group's
            mentions[-1] = ActorMention(name, kind, previous.start, match.end, previous.agent)
            continue
        mentions.append(mention)
    return mentions


def has_armed_actor(mentions: list[ActorMention]) -> bool:
    return any(m.armed for m in mentions)


def assign_actors(mentions: list[ActorMention], event_type: str, country: str) -> tuple[str, str]:
    """(actor1, actor2) for an event of ``event_type`` from the actors of its evidence."""
    if event_type == "Protests":
        state = next((m for m in mentions if m.kind == "state"), None)
        return f"Protesters ({country})", state.label(country) if state else ""
    if event_type == "Riots":
        target = next((m for m in mentions if m.armed), None)
        return f"Rioters ({country})", target.label(country) if target else ""
    armed = [m for m in mentions if m.armed]
    actor1 = next((m for m in armed if m.agent), armed[0] if armed else None)
    first = actor1.label(country) if actor1 else f"Unidentified Armed Group ({country})"
    others = [m.label(country) for m in mentions if m is not actor1 and m.kind != "protester"]
    second = next((name for name in others if name != first), "")
    if not second and event_type == "Violence against civilians":
        second = f"Civilians ({country})"
    return first, second
