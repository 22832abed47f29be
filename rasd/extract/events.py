"""Conflict events from one cleaned Arabic article (the coding standard: spec/events.md).

The article is read as update blocks → paragraphs → sentences → clauses. In each clause
the highest-priority trigger that no cue blocks is the act (data/lexicon/triggers.yaml,
cues.yaml); it gets a town (the clause's own, else one carried over from the same story),
a day (the nearest day reference, else the last one of the block, else the publication
day), casualty figures (casualties.py) and actors (actors.py). Mentions of one
(day, town, event type) are then merged into one event. Figures are never added up across
mentions: the highest exact figure of the main report stands (tolls rise as reports come
in), lowered where another source gives less; an earlier toll only fills a gap.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Generic, TypeVar

from rasd.extract.actors import ActorMention, assign_actors, find_actors, has_armed_actor
from rasd.extract.casualties import (
    Casualties,
    count_casualties,
    people_counted_after,
    restates_toll,
    tells_casualties,
)
from rasd.extract.dates import DateRef, find_date_refs, is_update_header
from rasd.extract.normalize import (
    SENTENCE_END_CHARS,
    TermMatch,
    TermMatcher,
    normalize,
    normalize_with_offsets,
    split_sentences,
    word_start,
)
from rasd.extract.numbers import find_numbers
from rasd.extract.places import Gazetteer, Place, PlaceMention
from rasd.extract.scoring import haversine_km
from rasd.extract.triggers import (
    CueHit,
    Lexicon,
    TriggerFamily,
    TriggerHit,
    default_lexicon,
    load_lexicon,
    word_list,
)
from rasd.models import Article, Event, stable_id

T = TypeVar("T")

_DATELINE = re.compile(
    r"^\s*(?P<name>[^\s,.:()-]+(?:\s+[^\s,.:()-]+){0,2})\s*(?:\([^)]{0,40}\))?\s*[-:]\s"
)
_OPENING_IN = re.compile(r"^(?:و|ف)?في\s+(?P<name>[^\s,]+(?:\s+[^\s,]+)?)\s*,")
_NO_PUBLICATION = date(9999, 12, 31)  # resolves nothing but dates written in full
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_AGENT_MARK = "agent:"  # an air strike read from "who struck", not from an act noun
_NEAR_KM = 25  # "10 km from Gao" is Gao; "1250 km east of Tripoli" is not Tripoli
_SMALL_TOWN = 50_000
_NEAR_WINDOW_WORDS = 6
_OLDEST_DAYS = 120  # an act dated further back than this is background
_REFERENCE_WORDS = 4
# "تصفية 5 إرهابيين": the killing of fighters is a battle, not an attack on civilians
_FIGHTER_KILLING = frozenset({"civilian_attack_weak"})
_TODAY = re.compile(r"(?<!\w)اليوم(?!\w)")
_HEADER_DAY_REACH = 80  # a block's day stands right after its header ("تحديث - 19:44 تغ الأحد:")
_HEADER_PREFIX = 60  # an update header ("تحديث - 19:44 تغ") opens its paragraph
_SAME_PLACE_KM = 15  # a district named when an act is told again is still its town
_FIGURES_REACH = 2  # sentences after an act that may still give its figures
_UPDATE_REACH = 6  # sentences after an act that may still update its toll
_HIGH_FIGURE = 10_000  # a "casualty" figure above this is a misreading (years, money)
# a short quoted phrase ("هجوم" متعمد، «قصف» الأسواق) marks a war word used as a figure
_SHORT_QUOTE = re.compile(r'[«"“„]([^«»"“”„\n]{1,40})[»"”“]')


@dataclass(frozen=True)
class _Patterns:
    """Sentence-shape patterns built from data/lexicon/structure.yaml."""

    clause_break: re.Pattern[str]
    topic_shift: re.Pattern[str]
    distance_before: re.Pattern[str]
    speaker_before: re.Pattern[str]
    street_before: re.Pattern[str]
    leading_cue: re.Pattern[str]
    district_cue: re.Pattern[str]
    not_place_after_fi: re.Pattern[str]
    location_before: re.Pattern[str]
    until_before: re.Pattern[str]
    anaphora: re.Pattern[str]
    later: re.Pattern[str]
    pair_lead: re.Pattern[str]
    locating_before: re.Pattern[str]
    backer_before: re.Pattern[str]
    capital_place_before: re.Pattern[str]
    concurrent_link: re.Pattern[str]


def _alternation(words: list[str]) -> str:
    norms = sorted({normalize(w) for w in words} - {""}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in norms)


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    data = load_lexicon("structure.yaml")

    def words(key: str) -> str:
        return _alternation(word_list(data, key, "structure.yaml"))

    clitic = r"(?:و|ب|ف|ل)?(?:ال)?"
    return _Patterns(
        clause_break=re.compile(
            rf"\s*;\s*|\s*,\s*(?=(?:و|ف)?(?:{words('clause_openers')})(?!\w))"
            rf"|\s+(?=(?:{words('contrast_openers')})\s)"
        ),
        topic_shift=re.compile(rf"^(?:و|ف)?(?:{words('topic_shift')})"),
        distance_before=re.compile(
            rf"(?:{words('distance_leads')})?\s*(?:{words('distance_approximators')})?\s*"
            rf"(?P<count>\S+)?\s*(?:{words('distance_units')})\s+(?:\S+\s+){{0,3}}$"
        ),
        speaker_before=re.compile(rf"(?:{words('speaker_words')})\s+(?:\S+\s+){{0,2}}$"),
        street_before=re.compile(rf"(?<!\w){clitic}(?:{words('street_words')})\s+$"),
        leading_cue=re.compile(rf"^(?:{words('leading_cues')})\s+"),
        district_cue=re.compile(rf"(?:{words('district_cues')})$"),
        not_place_after_fi=re.compile(rf"^(?:{words('not_places_after_fi')})(?!\w)"),
        location_before=re.compile(
            rf"(?:(?<!\w)(?:و|ف)?(?:ب|ل)?(?:{words('location_prepositions')})\w*\s+"
            rf"(?:(?:{words('location_nouns')})\s+)?|(?<!\w)(?:و|ف)?ب(?:{words('location_nouns')}\s+)?)$"
        ),
        until_before=re.compile(rf"(?<!\w)(?:{words('until')})\s+$"),
        anaphora=re.compile(rf"(?<!\w){clitic}(?:{words('anaphora')})(?!\w)"),
        later=re.compile(words("later_same_day")),
        pair_lead=re.compile(rf"(?:{words('pair_leads')})\s+(?:\S+\s+)?$"),
        locating_before=re.compile(rf"(?<!\w)(?:{words('locating_words')})\s+(?:\S+\s+){{0,3}}$"),
        backer_before=re.compile(rf"(?<!\w)(?:و)?(?:{words('backer_words')})\s*$"),
        capital_place_before=re.compile(
            rf"(?:(?<!\w)(?:و|ف)?(?:{words('capital_place_words')})\s+|(?<!\w)(?:و|ف)?ب)$"
        ),
        concurrent_link=re.compile(rf"(?<!\w)(?:و|ف)?(?:{words('concurrent_links')})(?!\w)"),
    )


@dataclass
class _Mention:
    """One coded act in one clause, before merging."""

    family: TriggerFamily
    event_type: str
    sub_event_type: str
    place: Place
    place_written: str
    day: date | None
    explicit: bool
    casualties: Casualties
    actors: list[ActorMention]
    evidence: str
    confidence: float
    paragraph: int = 0
    firm: bool = True  # a strong act word, or figures, stood in the clause
    # how this mention's figures stand to an earlier mention of the same act ("same" |
    # "update" | "other source" | "earlier"), read from its sentence
    report: str = "same"
    # figures given by sentences after it: ("same" | "other source" | "earlier", figures)
    later_figures: list[tuple[str, Casualties]] = field(default_factory=list)


@dataclass
class _Clause:
    start: int
    end: int
    triggers: list[TriggerHit] = field(default_factory=list)


@dataclass
class _PlaceAt:
    start: int
    end: int
    place: Place
    written: str
    speaker: bool
    dateline: bool = False


@dataclass
class _Context:
    """What the reading carries from sentence to sentence."""

    published: date | None
    hint: str | None
    block_is_update: bool = False
    day: date | None = None  # last day named in the block
    block_towns: dict[str, Place] = field(default_factory=dict)
    paragraph_place: _PlaceAt | None = None
    title_town: Place | None = None  # the one town the headline names, if any
    last_by_type: dict[str, _Mention] = field(default_factory=dict)  # in the block
    last_mention: _Mention | None = None
    sentences_since: int = 0  # sentences read since the last coded act
    previous_towns: dict[str, Place] = field(default_factory=dict)  # the block before
    # the paragraph named a past year with no recent day: what follows undated is history
    history: bool = False
    # the block has told history (a past year) and no act of its own yet: "المعركة" points there
    told_history: bool = False
    # the day an update block's header names ("تحديث - 22:45 تغ السبت:"): its اليوم
    block_day: date | None = None


# --- sentence level -----------------------------------------------------------------------


def _clauses(norm: str) -> list[_Clause]:
    clauses, start = [], 0
    for match in _patterns().clause_break.finditer(norm):
        if match.start() > start:
            clauses.append(_Clause(start, match.start()))
        start = match.end()
    if start < len(norm):
        clauses.append(_Clause(start, len(norm)))
    return clauses or [_Clause(0, len(norm))]


def _resolve(gazetteer: Gazetteer, mention: PlaceMention, hint: str | None):
    """Resolve a mention; a name that swallowed its cue ("مدينه زنجبار") is retried without."""
    place = gazetteer.resolve(mention, hint)
    cue = _patterns().leading_cue.match(mention.surface)
    if cue is None or (place is not None and (not hint or place.country_code == hint)):
        return mention, place
    rest = mention.surface[cue.end() :]
    shorter = PlaceMention(
        start=mention.start + cue.end(),
        end=mention.end,
        surface=rest,
        candidates=gazetteer.lookup(rest),
        cue=cue.group().strip(),
        key=rest,
    )
    retried = gazetteer.resolve(shorter, hint)
    return (shorter, retried) if retried is not None else (mention, place)


def _far_reference(before: str) -> bool:
    """A town named as a distance reference ("1250 كلم شرق طرابلس"), unless it is near."""
    match = _patterns().distance_before.search(before)
    if match is None:
        return False
    numbers = find_numbers(match.group("count") or "")
    return not (numbers and numbers[0].value is not None and numbers[0].value <= _NEAR_KM)


def _opening_cue(gazetteer: Gazetteer, norm: str, raw: PlaceMention, hint: str | None):
    """ "وفي الرمادي، قتل ...": a sentence that opens with "في X," names a place."""
    opening = _OPENING_IN.match(norm)
    if opening is None or raw.start != opening.start("name"):
        return None
    if _patterns().not_place_after_fi.match(opening.group("name")):
        return None
    return gazetteer.resolve(replace(raw, cue="في"), hint)


def _listed_with_town(gazetteer: Gazetteer, norm: str, raw: PlaceMention, hint, raws) -> bool:
    """ "في البيضاء وشحات والمرج": a doubtful name joined by و to a known town is a town too."""
    following = [r for r in raws if r.start > raw.end]
    if not following or not re.fullmatch(r"[\s,]*و", norm[raw.end : following[0].start]):
        return False
    return gazetteer.resolve(following[0], hint) is not None


def _places(gazetteer: Gazetteer, norm: str, offsets: list[int], original: str, hint, names=None):
    found = []
    dateline = _DATELINE.match(norm)
    raws = gazetteer.find_places(norm, names)
    for raw in raws:
        mention, place = _resolve(gazetteer, raw, hint)
        if place is None:
            place = _opening_cue(gazetteer, norm, raw, hint)
        if place is None and _listed_with_town(gazetteer, norm, raw, hint, raws):
            place = gazetteer.resolve(replace(raw, cue="و"), hint)
        if place is None:
            continue
        before = norm[max(0, mention.start - 40) : mention.start]
        if _far_reference(before) or _patterns().street_before.search(before):
            continue
        if _minor_district(mention, place):
            continue
        if _government_metonym(gazetteer, mention, place, before, hint):
            continue
        start, end = offsets[mention.start], offsets[mention.end - 1] + 1
        speaker = bool(_patterns().speaker_before.search(before))
        at = _PlaceAt(mention.start, mention.end, place, original[start:end], speaker)
        at.dateline = dateline is not None and mention.end <= dateline.end("name")
        found.append(at)
    return found


def _government_metonym(gazetteer, mention: PlaceMention, place: Place, before: str, hint) -> bool:
    """ "المدعومة من أنقرة"، "وصفتها واشنطن": a capital that stands for its government. It is a
    place only after a location word, and a foreign one only then."""
    if mention.surface not in gazetteer.capitals_as_governments:
        return False
    if _patterns().backer_before.search(before):
        return True
    if _patterns().capital_place_before.search(before):
        return False
    return place.country_code != hint


def _minor_district(mention: PlaceMention, place: Place) -> bool:
    """ "حي الحميدية" names a district of the town in the story, not the village elsewhere
    called the same; a district cue before a big city's name ("حي درعا البلد") is kept."""
    if place.feature == "landmark" or not mention.cue:
        return False
    return bool(_patterns().district_cue.search(mention.cue)) and place.population < _SMALL_TOWN


def _words_between(norm: str, start: int, end: int) -> int:
    return len(norm[start:end].split()) if end > start else 0


def _past_years(norm: str, published: date | None, refs: list[DateRef]) -> list[int]:
    """Where years before the publication year stand ("في 2018"), outside dated days: they
    mark background, like "منذ"."""
    if published is None:
        return []
    dated = [(r.start, r.end) for r in refs if r.day is not None]
    return [
        m.start()
        for m in _YEAR.finditer(norm)
        if int(m.group()) < published.year and not any(s <= m.start() < e for s, e in dated)
    ]


def _blocked(
    hit: TriggerHit, clause: _Clause, cues: list[CueHit], norm: str, years: list[int]
) -> bool:
    for start in years:
        near = start <= hit.start or _words_between(norm, hit.end, start) <= _NEAR_WINDOW_WORDS
        if clause.start <= start < clause.end and near:
            return True
    for cue in cues:
        if not cue.family.blocks_family(hit.family):
            continue
        scope = cue.family.scope
        if scope == "after" and cue.start < hit.start:
            return True
        near_after = _words_between(norm, cue.end, hit.start) <= cue.family.window
        if (
            scope == "next"
            and cue.start < hit.start
            and near_after
            and _word_before(norm, hit.start) not in cue.family.spared_after
        ):
            return True
        if scope == "near" and clause.start <= cue.start < clause.end:
            if cue.start <= hit.start:
                return True
            if (
                cue.start >= hit.end
                and _words_between(norm, hit.end, cue.start) <= _NEAR_WINDOW_WORDS
            ):
                return True
    return False


def _word_before(norm: str, index: int) -> str:
    """The whole word before the one at ``index``."""
    words = norm[: word_start(norm, index)].split()
    return words[-1] if words else ""


def _sentence_blocks(
    cues: list[CueHit], lexicon: Lexicon, norm: str, refs: list[DateRef]
) -> list[CueHit]:
    """Sentence-wide cues that apply (a toll needs a period; a campaign needs no day)."""
    has_day = any(r.day is not None for r in refs)
    latest_named = bool(lexicon.habitual_exceptions.find(norm))
    applying = []
    for cue in cues:
        if cue.family.scope != "sentence":
            continue
        if cue.family.name == "habitual" and latest_named:
            continue
        if cue.family.needs == "period" and not lexicon.period.find(norm):
            continue
        if cue.family.needs_no_date and has_day:
            continue
        applying.append(cue)
    return applying


def _supported(
    hit: TriggerHit, others: list[TriggerHit], figures, actors, crowd: bool, norm: str
) -> bool:
    if hit.family.strong:
        return True
    if hit.family.event_type == "Protests":
        return crowd
    if figures.killed or figures.injured or has_armed_actor(actors):
        return True
    if hit.family.sub_event_type == "Arrests" and people_counted_after(norm, hit.end):
        return True  # "اعتقلت شخصين": who was arrested, counted
    return any(o.family.strong and o is not hit for o in others)


def _air_hit(lexicon: Lexicon, text: str, offset: int, hits: list[TriggerHit]):
    """An air agent next to a strike word makes an air strike ("سلاح الجو يقصف")."""
    agents = lexicon.air_agents.find(text)
    if not agents:
        return None
    strikes = lexicon.strike_verbs.find(text)
    shelling = [h for h in hits if h.family.name in ("shelling", "shelling_weak")]
    if not strikes and not shelling:
        return None
    air = next(f for f, _ in lexicon.families if f.name == "air")
    first = agents[0]
    return TriggerHit(air, offset + first.start, offset + first.end, _AGENT_MARK + first.term)


def _main_trigger(hits: list[TriggerHit]) -> TriggerHit | None:
    if not hits:
        return None
    main = max(hits, key=lambda h: (h.family.priority, -h.start))
    if main.family.victim_sensitive:
        # shots fired at a demonstration are the intervention, the protest is the event
        protest = next((h for h in hits if h.family.event_type == "Protests"), None)
        if protest is not None:
            return protest
    return main


def _new_act(main: TriggerHit | None, hits: list[TriggerHit], norm: str, ctx: _Context):
    """ "وتزامنت الغارات مع اشتباكات عنيفة ... أسفرت عن": where the act word that leads names
    an act already told and is linked to another ("تزامن"، "أعقب"), the clause reports the
    new act (and its figures)."""
    if main is None or main.family.event_type not in ctx.last_by_type:
        return main
    if not _refers_back(main, norm):
        return main
    new = [
        h
        for h in hits
        if h.start > main.end
        and _patterns().concurrent_link.search(norm, max(0, main.start - 12), h.start)
        and h.family.strong
        and h.family.event_type != main.family.event_type
        and not _refers_back(h, norm)
    ]
    return max(new, key=lambda h: (h.family.priority, -h.start)) if new else main


def _day_for(hit: TriggerHit, clause: _Clause, refs: list[DateRef], ctx: _Context):
    """(day, explicit, background?) for a trigger from the sentence's day references."""
    if not refs:
        return (ctx.day or ctx.published), False, False
    nearest = min(refs, key=lambda r: min(abs(r.start - hit.start), abs(r.end - hit.end)))
    in_clause = clause.start <= nearest.start < clause.end
    if nearest.day is None:
        if in_clause:
            return None, False, True
        dated = [r for r in refs if r.day is not None]
        if not dated:
            return (ctx.day or ctx.published), False, False
        nearest = min(dated, key=lambda r: abs(r.start - hit.start))
    return nearest.day, True, False


def _too_old(day: date | None, published: date | None) -> bool:
    return bool(day and published and (published - day).days > _OLDEST_DAYS)


def _pick_places(hit: TriggerHit, clause: _Clause, places: list[_PlaceAt], norm: str):
    """The town(s) of a trigger: the first after it in the clause, else the last before it.
    A list of towns right after (في داعل وانخل ونوى) gives one place each."""
    inside = [
        p
        for p in places
        if clause.start <= p.start < clause.end and not p.speaker and not p.dateline
    ]
    located = [p for p in inside if not _patterns().locating_before.search(norm[: p.start])]
    if located:
        inside = located  # "X التي تقع جنوب Y": the act is at X
    after = [p for p in inside if p.start >= hit.start]
    before = [p for p in inside if p.start < hit.start]
    if after:
        chosen = [after[0]]
        if not _patterns().pair_lead.search(norm[: after[0].start]):
            for nxt in after[1:]:
                gap = norm[chosen[-1].end : nxt.start]
                if re.fullmatch(r"[\s,]*و?", gap) or re.fullmatch(r"\s*(?:,\s*)?و\s*", gap):
                    chosen.append(nxt)
                else:
                    break
        return chosen
    if before:
        return [before[-1]]
    return []


def _inherited_place(
    clause: _Clause, norm: str, places: list[_PlaceAt], ctx: _Context
) -> _PlaceAt | None:
    clause_text = norm[clause.start : clause.end]
    opening = _OPENING_IN.match(clause_text)
    if _patterns().topic_shift.match(clause_text) or (
        opening and not _patterns().not_place_after_fi.match(opening.group("name"))
    ):
        return None  # a new topic, or a place this gazetteer does not know
    earlier = [p for p in places if p.end <= clause.start and not p.speaker]
    if earlier:
        return earlier[-1]  # the same sentence named it a clause before
    if ctx.paragraph_place is not None:
        return ctx.paragraph_place
    towns = list((ctx.block_towns or ctx.previous_towns).values())
    if len(towns) == 1:
        return _PlaceAt(0, 0, towns[0], "", False)  # the story is about one town
    anaphoric = bool(_patterns().anaphora.search(clause_text))
    if anaphoric and ctx.title_town is not None and ctx.title_town.name in ctx.block_towns:
        # "the city" in an article about several towns is the town of the headline
        return _PlaceAt(0, 0, ctx.title_town, "", False)
    return None


def _sub_event(family: TriggerFamily, hits, lexicon, text, actors, figures) -> tuple[str, str]:
    event_type, sub = family.event_type, family.sub_event_type
    if family.territory:
        doer = next((a for a in actors if a.armed), None)
        if doer is not None and doer.kind not in ("state", "foreign"):
            sub = "Non-state actor overtakes territory"
    killed_fighters = lexicon.militant_victims.find(text) and family.name in _FIGHTER_KILLING
    if (family.victim_sensitive and lexicon.combatant_victims.find(text)) or killed_fighters:
        event_type, sub = "Battles", "Armed clash"
    if event_type == "Protests":
        if figures.killed:
            sub = "Excessive force against protesters"
        elif lexicon.protest_intervention.find(text):
            sub = "Protest with intervention"
    return event_type, sub


def _confidence(family: TriggerFamily, own_place: bool, explicit: bool, figures, actors) -> float:
    score = 0.55 if family.strong else 0.4
    score += 0.15 if own_place else 0.0
    score += 0.1 if explicit else 0.0
    score += 0.1 if (figures.killed or figures.injured) else 0.0
    score += 0.05 if has_armed_actor(actors) else 0.0
    return round(min(score, 0.95), 2)


def _day_refs(norm: str, published: date | None) -> list[DateRef]:
    """Day references; without a publication date only dates written with their year."""
    if published is not None:
        return find_date_refs(norm, published)
    return [
        r
        for r in find_date_refs(norm, _NO_PUBLICATION)
        if r.kind == "explicit" and _YEAR.search(r.text)
    ]


def _read_sentence(
    sentence: _Sentence,
    ctx: _Context,
    gazetteer: Gazetteer,
    lexicon: Lexicon,
    names: _Found[str],
) -> list[_Mention]:
    """The acts of one sentence: ``sentence.norm`` is its normalised text,
    ``sentence.offsets`` map each normalised character to its index in ``sentence.text``."""
    norm, offsets = sentence.norm, sentence.offsets
    if not norm:
        return []
    refs = _day_refs(norm, ctx.published)
    # "استمرت حتى فجر اليوم": the day an act lasted until is not the day it happened
    refs = [
        r for r in refs if not _patterns().until_before.search(norm[max(0, r.start - 8) : r.start])
    ]
    if ctx.block_day is not None:
        # in a block headed "السبت:", "معارك اليوم" are that Saturday's
        refs = [
            replace(r, day=ctx.block_day) if _TODAY.search(r.text) and r.kind == "relative" else r
            for r in refs
        ]
    own_names = names.within(sentence.at, sentence.at + len(norm))
    places = _places(gazetteer, norm, offsets, sentence.text, ctx.hint, own_names)
    mentions = []
    if sentence.act:
        mentions = _read_acts(sentence, refs, places, ctx, lexicon)
    else:
        # no clause can code an act: the sentence only carries context, and may give
        # figures of the last act
        may_give_figures = _may_give_figures(ctx, norm)
        ctx.sentences_since += 1
        if may_give_figures:
            within_day = lexicon.mask_within_day_since(norm)
            cues = _cues(within_day, refs, lexicon)
            sentence_cues = _sentence_blocks(cues, lexicon, within_day, refs)
            _figures_after(
                within_day, sentence.text, refs, places, cues, sentence_cues, ctx, lexicon
            )
    _carry_context(norm, refs, places, ctx)
    if _past_years(norm, ctx.published, refs):
        ctx.history = not any(
            r.day is not None and not _too_old(r.day, ctx.published) for r in refs
        )
        ctx.told_history = ctx.told_history or ctx.history
    elif any(r.day is not None for r in refs):
        ctx.history = False
    return mentions


def _cues(within_day: str, refs: list[DateRef], lexicon: Lexicon) -> list[CueHit]:
    """The sentence's cues, less those inside a dated day ("منذ الفجر" is no period)."""
    dated_spans = [(r.start, r.end) for r in refs if r.day is not None]
    return [
        c
        for c in lexicon.find_cues(within_day)
        if not any(s <= c.start < e for s, e in dated_spans)
    ]


def _figures_after(within_day, sentence, refs, places, cues, sentence_cues, ctx, lexicon) -> None:
    """A sentence that codes no act may give figures of the last one, unless it recalls,
    reacts to or dates back."""
    told_otherwise = any(c.family.scope != "sentence" and c.family.name != "subset" for c in cues)
    if not sentence_cues and not told_otherwise:
        _update_figures(within_day, sentence, refs, places, ctx, lexicon)


def _read_acts(
    sentence: _Sentence, refs: list[DateRef], places: list[_PlaceAt], ctx: _Context, lexicon
) -> list[_Mention]:
    """The clauses of a sentence that holds an act word (or an air agent)."""
    norm, offsets = sentence.norm, sentence.offsets
    within_day = lexicon.mask_within_day_since(norm)  # "منذ الفجر" is no period
    cues = _cues(within_day, refs, lexicon)
    sentence_cues = _sentence_blocks(cues, lexicon, within_day, refs)
    clauses = _clauses(norm)
    for hit in sentence.triggers:
        for clause in clauses:
            if clause.start <= hit.start < clause.end:
                clause.triggers.append(hit)
    quoted = _quoted_spans(sentence.text, offsets)
    mentions = []
    if _restated_toll_update(norm, clauses, ctx, lexicon):
        # "ارتفعت حصيلة ضحايا الهجوم إلى ...": the act told before, with its new toll
        _update_figures(within_day, sentence.text, refs, places, ctx, lexicon)
        clauses = []
    for index in range(len(clauses)):
        mentions += _read_clause(
            index,
            clauses,
            norm,
            sentence.text,
            refs,
            places,
            cues,
            sentence_cues,
            ctx,
            lexicon,
            quoted,
        )
    if mentions:
        ctx.sentences_since = 0
    else:
        ctx.sentences_since += 1
        _figures_after(within_day, sentence.text, refs, places, cues, sentence_cues, ctx, lexicon)
    return mentions


def _restated_toll_update(norm: str, clauses: list[_Clause], ctx: _Context, lexicon) -> bool:
    """A toll update whose act words all name an act told before ("حصيلة ضحايا الهجوم
    ارتفعت"، "ارتفع عدد قتلى التفجير") gives the figures of that act, not a new one."""
    hits = [h for c in clauses for h in c.triggers]
    if ctx.last_mention is None or not hits or not lexicon.is_toll_update(norm):
        return False
    return all(_refers_back(h, norm) for h in hits)


def _update_figures(norm, sentence, refs, places, ctx: _Context, lexicon: Lexicon) -> None:
    """ "وأكد المستشفى استقبال 20 جثة و32 مصابا": a sentence that only gives figures, right
    after an act in the same town and on the same day, updates that act's figures. An
    explicit update of the toll ("ارتفعت الحصيلة إلى 15") may come some sentences later."""
    last = ctx.last_mention
    update = bool(lexicon.is_toll_update(norm))
    reach = _UPDATE_REACH if update else _FIGURES_REACH
    if last is None or ctx.sentences_since > reach:
        return
    if lexicon.period.find(norm) or lexicon.no_casualties.find(norm):
        return
    if any(p.place.name != last.place.name for p in places if not p.speaker):
        return
    if any(r.day is None or not _same_or_later(r.day, last.day, update) for r in refs):
        return  # another day, or a period
    figures = count_casualties(norm)
    if max(figures.killed, figures.injured) > _HIGH_FIGURE or not (
        figures.killed or figures.injured
    ):
        return
    source = _figures_source(norm, lexicon)
    last.later_figures.append((source, figures))
    if sentence.strip() not in last.evidence:
        last.evidence = f"{last.evidence} ... {sentence.strip()}"


def _same_or_later(day: date, act_day: date | None, update: bool) -> bool:
    """A figures sentence on the act's day; an update of its toll may be dated by the day it
    was announced ("أعلن المستشفى اليوم ارتفاع عدد القتلى إلى ستة")."""
    if update and act_day is not None:
        return day >= act_day
    return day == act_day


def _figures_source(norm: str, lexicon: Lexicon) -> str:
    """How a figures-only sentence stands to the act before it: an earlier toll, an update
    ("ارتفعت الحصيلة إلى 15"), another source ("في المقابل"، "أفاد المرصد بأن عدد القتلى
    بلغ 10": a speaker restating the toll), or the same report going on."""
    if lexicon.earlier_report.find(norm):
        return "earlier"
    if lexicon.is_toll_update(norm):
        return "update"
    if lexicon.other_source.find(norm) or restates_toll(norm):
        return "other source"
    return "same"


def _mask_references(norm: str, cues: list[CueHit]) -> str:
    """Blank out what a reference cue points at ("انتقاما لمقتل مسلح أمس") and what a
    statement names: those dead belong to another act."""
    masked = norm
    for cue in cues:
        if cue.family.name == "statement":
            # "منددين باغتيال المحامي واثنين من الضباط": what a statement names is another act
            end = len(norm)
            masked = masked[: cue.start] + " " * (end - cue.start) + masked[end:]
            continue
        if cue.family.name not in ("reference", "recap"):
            continue
        end = cue.end
        for _ in range(_REFERENCE_WORDS):
            nxt = norm.find(" ", end + 1)
            end = len(norm) if nxt < 0 else nxt
        end = min([end] + [i for i in (norm.find(",", cue.end),) if i >= 0])
        masked = masked[: cue.start] + " " * (end - cue.start) + masked[end:]
    return masked


def _figures_span(index: int, clauses: list[_Clause]) -> tuple[int, int]:
    """A clause and the clauses after it that report no act of their own."""
    end = clauses[index].end
    for nxt in clauses[index + 1 :]:
        if nxt.triggers:
            break
        end = nxt.end
    return clauses[index].start, end


def _historical(refs: list[DateRef], years: list[int], ctx: _Context) -> bool:
    """ "في ربيع عام 1915 ..." : a past year makes its sentence, and the undated sentences after
    it in the paragraph, history, unless a recent day is named."""
    recent = any(r.day is not None and not _too_old(r.day, ctx.published) for r in refs)
    return not recent and (bool(years) or ctx.history)


def _quoted_spans(sentence: str, offsets: list[int]) -> list[tuple[int, int]]:
    """Spans of the normalised sentence that stand in short quotation marks."""
    spans = []
    for match in _SHORT_QUOTE.finditer(sentence):
        inside = [i for i, o in enumerate(offsets) if match.start(1) <= o < match.end(1)]
        if inside:
            spans.append((inside[0], inside[-1] + 1))
    return spans


def _figurative(main: TriggerHit, quoted: list[tuple[int, int]], figures, actors) -> bool:
    """A war word in quotation marks, with nobody hurt and no armed side, is a figure of speech."""
    if figures.killed or figures.injured or has_armed_actor(actors):
        return False
    return any(s <= main.start and main.end <= e for s, e in quoted)


def _read_clause(
    index, clauses, norm, sentence, refs, places, cues, sentence_cues, ctx, lexicon, quoted=()
):
    clause = clauses[index]
    text = norm[clause.start : clause.end]
    years = _past_years(norm, ctx.published, refs)
    if _historical(refs, years, ctx):
        return []
    air = _air_hit(lexicon, text, clause.start, clause.triggers)
    candidates = clause.triggers + ([air] if air is not None else [])
    hits = [
        h
        for h in candidates
        if not _blocked(h, clause, cues, norm, years)
        and not any(c.family.blocks_family(h.family) for c in sentence_cues)
    ]
    if not hits:
        return []
    span_start, span_end = _figures_span(index, clauses)
    span = _mask_references(norm, cues)[span_start:span_end]
    figures = _lowest_across_sources(span, lexicon)
    if lexicon.no_casualties.find(span) or max(figures.killed, figures.injured) > _HIGH_FIGURE:
        figures = Casualties()
    actors = find_actors(text)
    crowd = bool(lexicon.crowd.find(text))
    hits = [h for h in hits if _supported(h, hits, figures, actors, crowd, norm)]
    main = _new_act(_main_trigger(hits), hits, norm, ctx)
    if main is None or _figurative(main, list(quoted), figures, actors):
        return []
    if _recalls_history(main, norm, refs, ctx):
        return []
    day, explicit, background = _day_for(main, clause, refs, ctx)
    if background or _too_old(day, ctx.published):
        return []
    event_type, sub = _sub_event(main.family, hits, lexicon, text, actors, figures)
    if event_type == "Strategic developments" and crowd and not has_armed_actor(actors):
        event_type, sub = "Riots", "Mob violence"  # a crowd burning or wrecking
    if _killing_of_civilians(main, figures, actors, text, lexicon):
        event_type, sub = "Violence against civilians", "Attack"
    chosen = _pick_places(main, clause, places, norm)
    earlier = ctx.last_by_type.get(event_type)
    if earlier is not None and _refers_back(main, norm):
        # "الغارة دمرت ..." speaks of the strike already told: its town, unless named here
        chosen = [
            p
            for p in chosen
            if _patterns().location_before.search(norm[: p.start])
            and haversine_km(
                p.place.latitude,
                p.place.longitude,
                earlier.place.latitude,
                earlier.place.longitude,
            )
            > _SAME_PLACE_KM
        ]
        if not chosen:
            chosen = [_PlaceAt(0, 0, earlier.place, earlier.place_written, False)]
            if not explicit:
                day = earlier.day
    chosen = list({p.place.name: p for p in reversed(chosen)}.values())[::-1]
    own_place = bool(chosen)
    if not chosen:
        inherited = _inherited_place(clause, norm, places, ctx)
        chosen = [inherited] if inherited else []
    confidence = _confidence(main.family, own_place, explicit, figures, actors)
    mentions = [
        _Mention(
            family=main.family,
            event_type=event_type,
            sub_event_type=sub,
            place=at.place,
            place_written=at.written or at.place.name,
            day=day,
            explicit=explicit,
            casualties=figures if len(chosen) == 1 else Casualties(),
            actors=actors,
            evidence=sentence.strip(),
            confidence=confidence,
            firm=any(h.family.strong for h in hits) or bool(figures.killed or figures.injured),
            report=_figures_source(norm, lexicon),
        )
        for at in chosen
    ]
    for mention in mentions:
        ctx.last_by_type[mention.event_type] = mention
        ctx.last_mention = mention
    return mentions


def _recalls_history(main: TriggerHit, norm: str, refs: list[DateRef], ctx: _Context) -> bool:
    """ "قتل ... خلال المعركة"، "في المجزرة": an undated definite act noun, when the block has
    told only history so far, names that past act, not a new one."""
    if not ctx.told_history or ctx.last_mention is not None:
        return False
    return _refers_back(main, norm) and not any(r.day is not None for r in refs)


def _lowest_across_sources(span: str, lexicon: Lexicon) -> Casualties:
    """ "مصادر طبية: 9 قتلى، بينما أفاد ناشطون بمقتل 11": where sources differ in one
    sentence, the lowest figure of each kind stands."""
    figures = count_casualties(span)
    turns = [m.start for m in lexicon.differing_source.find(span)]
    if not turns or not (figures.killed or figures.injured):
        return figures
    first, second = count_casualties(span[: turns[0]]), count_casualties(span[turns[0] :])

    def lowest(kind: str) -> int:
        values = [getattr(f, kind) for f in (first, second) if getattr(f, kind)]
        return min(values) if len(values) == 2 else getattr(figures, kind)

    return replace(figures, killed=lowest("killed"), injured=lowest("injured"))


def _killing_of_civilians(main: TriggerHit, figures, actors, text: str, lexicon) -> bool:
    """Armed men who "stormed" or "burnt" and killed civilians attacked civilians."""
    if main.family.strong or main.family.event_type not in ("Battles", "Strategic developments"):
        return False
    if not figures.killed or lexicon.combatant_victims.find(text):
        return False
    return any(a.kind == "civilian" for a in actors) and has_armed_actor(actors)


def _refers_back(hit: TriggerHit, norm: str) -> bool:
    """A definite act noun ("الغارة", "الانفجار") names an act told before."""
    if hit.term.startswith(_AGENT_MARK):
        return False
    word = norm[word_start(norm, hit.start) : hit.end]
    return hit.term.startswith("ال") or "ال" in word[:4]


def _carry_context(norm: str, refs: list[DateRef], places: list[_PlaceAt], ctx: _Context) -> None:
    dated = [r for r in refs if r.day is not None and not _too_old(r.day, ctx.published)]
    if dated:
        ctx.day = dated[-1].day  # an old date told as background does not date what follows
    own = [p for p in places if not p.speaker]
    if own:
        ctx.paragraph_place = own[-1]
        for p in own:
            ctx.block_towns[p.place.name] = p.place


# --- article level ------------------------------------------------------------------------


def _published_day(article: Article) -> date | None:
    value = article.published_at
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


@dataclass
class _Sentence:
    """A sentence to read: normalised, the original, and the trigger words it holds;
    ``act`` if a clause of it can code an act at all."""

    norm: str
    text: str
    triggers: list[TriggerHit]
    act: bool
    at: int  # where the sentence starts in the article's whole text
    # its paragraph's offsets, from where the sentence starts there
    paragraph_offsets: list[int]
    start: int

    @cached_property
    def offsets(self) -> list[int]:
        """For each normalised character, its index in ``text``: made only for a sentence
        that is read (most after an article's last act word are not)."""
        first = self.paragraph_offsets[self.start]
        end = self.start + len(self.norm)
        return [o - first for o in self.paragraph_offsets[self.start : end]]


def _sentences(paragraph: str, norm: str, offsets: list[int], lexicon: Lexicon, whole: _Whole):
    """The sentences of a paragraph (which starts at ``whole.at``), each with the trigger
    words it holds."""
    cursor = 0
    for piece in split_sentences(norm):
        start = norm.find(piece, cursor)
        if start < 0:
            continue
        end = start + len(piece)
        cursor = end
        first, last = offsets[start], offsets[end - 1] + 1
        at = whole.at + start
        found = whole.triggers.within(at, at + len(piece))
        if found is None:
            triggers = lexicon.find_triggers(piece)
        else:
            triggers = [TriggerHit(m.payload, m.start, m.end, m.term) for m in found]
        # an air agent makes an act without a trigger word (``_air_hit``)
        agents = whole.air_agents.within(at, at + len(piece))
        act = bool(triggers) or bool(lexicon.air_agents.find(piece) if agents is None else agents)
        yield _Sentence(piece, paragraph[first:last], triggers, act, at, offsets, start)


class _Found(Generic[T]):
    """A matcher's matches in an article's whole text, found once and handed out span by
    span (the title, each sentence) in the coordinates of that span. A term never runs
    across a sentence end unless it holds a character a sentence ends at: for a matcher
    with such a term (``usable`` false), each span is searched on its own."""

    def __init__(self, matches: list[TermMatch[T]], usable: bool) -> None:
        self.matches = matches
        self._starts = [m.start for m in matches]
        self._usable = usable

    @classmethod
    def of(cls, matcher: TermMatcher[T], whole: str) -> _Found[T]:
        return cls(matcher.find(whole), not matcher.keys_hold(SENTENCE_END_CHARS))

    def within(self, start: int, end: int) -> list[TermMatch[T]] | None:
        """The matches in ``whole[start:end]``, or None: search the span itself."""
        if not self._usable:
            return None
        low, high = bisect_left(self._starts, start), bisect_left(self._starts, end)
        return [
            TermMatch(m.start - start, m.end - start, m.term, m.payload)
            for m in self.matches[low:high]
            if m.end <= end
        ]


@dataclass
class _Whole:
    """What the article's whole text (title and paragraphs, one per line) was searched for
    once: trigger words, air agents and place names; ``at`` is where the paragraph being
    read starts in it."""

    triggers: _Found[TriggerFamily]
    air_agents: _Found[str]
    names: _Found[str]
    at: int = 0


def _blocks(headed: list[bool]) -> list[list[int]]:
    """Update blocks of a live page, as paragraph indexes, from whether each paragraph
    opens with an update header (see ``dates.split_update_blocks``)."""
    blocks: list[list[int]] = []
    for index, header in enumerate(headed):
        if not blocks or header:
            blocks.append([])
        blocks[-1].append(index)
    return blocks


def _mentions(article: Article, gazetteer: Gazetteer, lexicon: Lexicon) -> list[_Mention]:
    paragraphs = [(p, *normalize_with_offsets(p)) for p in article.paragraphs]
    title_norm, title_offsets = normalize_with_offsets(article.title or "")
    text = "\n".join([title_norm] + [norm for _, norm, _ in paragraphs])
    triggers, air_agents = (
        _Found.of(lexicon.trigger_matcher, text),
        _Found.of(lexicon.air_agents, text),
    )
    if not (triggers.matches or air_agents.matches):
        # no clause can code an act: one needs a trigger word or an air agent (``_air_hit``),
        # and a term a sentence holds is found in the whole text too. Most pages of a news
        # site tell no act; reading them sentence by sentence would code nothing.
        return []
    # place names are searched for once: for the country hint, the title and each sentence
    names = _Found(gazetteer.name_matches(text), gazetteer.names_within_sentences)
    whole = _Whole(triggers, air_agents, names)
    hint = gazetteer.country_hint(text, whole.names.matches)
    ctx = _Context(published=_published_day(article), hint=hint)
    title = whole.names.within(0, len(title_norm))
    title_towns = {
        p.place.name: p.place
        for p in _places(gazetteer, title_norm, title_offsets, article.title or "", hint, title)
    }
    if len(title_towns) == 1:
        ctx.title_town = next(iter(title_towns.values()))
    # sentences of every paragraph but a header line, and where the last act word stands:
    # what is told after it can neither code an act nor, once out of reach, update one
    sentences: dict[int, list[_Sentence]] = {}
    last_act = (-1, -1)
    whole.at = len(title_norm) + 1
    # a header stands at the start of a paragraph, so only the paragraph's opening is tested;
    # a paragraph shorter than that opening that is a header is only a header line
    headed = [is_update_header(p[:_HEADER_PREFIX]) for p, _, _ in paragraphs]
    for index, (paragraph, norm, offsets) in enumerate(paragraphs):
        if not (len(paragraph) < _HEADER_PREFIX and headed[index]):
            sentences[index] = list(_sentences(paragraph, norm, offsets, lexicon, whole))
        whole.at += len(norm) + 1
        acts = [k for k, sentence in enumerate(sentences.get(index, [])) if sentence.act]
        if acts:
            last_act = (index, acts[-1])
    mentions: list[_Mention] = []
    number = 0
    for block in _blocks(headed):
        ctx.block_is_update = headed[block[0]]
        ctx.block_day = None
        if ctx.block_is_update:
            _read_header_day(paragraphs[block[0]][1][:_HEADER_DAY_REACH], ctx)
        # a live page's blocks continue one story: its last day and towns carry over
        # until a block names its own
        ctx.last_by_type, ctx.last_mention, ctx.told_history = {}, None, False
        if ctx.block_towns:
            ctx.previous_towns = ctx.block_towns
        ctx.block_towns = {}
        for index in block:
            number += 1
            if index not in sentences:
                _read_header_day(paragraphs[index][1], ctx)
                continue
            ctx.paragraph_place = None
            ctx.history = False
            for k, sentence in enumerate(sentences[index]):
                if (index, k) > last_act and not _may_give_figures(ctx, sentence.norm):
                    # after the last act word a sentence only matters for the figures it
                    # may give; what else it tells is carried to no act
                    ctx.sentences_since += 1
                    continue
                for mention in _read_sentence(sentence, ctx, gazetteer, lexicon, whole.names):
                    mention.paragraph = number
                    mentions.append(mention)
    _adopt_explicit_days(mentions)
    return mentions


def _may_give_figures(ctx: _Context, norm: str) -> bool:
    """Whether a sentence that codes no act may still give figures of the last act
    (``_update_figures``: a toll update reaches furthest, and figures need a word of death
    or wounds); ``ctx.sentences_since`` does not count the sentence yet."""
    return (
        ctx.last_mention is not None
        and ctx.sentences_since < _UPDATE_REACH
        and tells_casualties(norm)
    )


def _read_header_day(norm: str, ctx: _Context) -> None:
    """ "تحديث - 10:15 تغ الثلاثاء": the weekday of an update header dates its block."""
    dated = [r for r in _day_refs(norm, ctx.published) if r.day is not None]
    if dated and not _too_old(dated[-1].day, ctx.published):
        ctx.day = dated[-1].day
    named = [r for r in dated if r.kind != "relative" and not _too_old(r.day, ctx.published)]
    if named:
        ctx.block_day = named[0].day


def _adopt_explicit_days(mentions: list[_Mention]) -> None:
    """A mention without its own day takes the day of a dated mention of the same act
    (same town and type) in the same paragraph: the report names the day once."""
    for index, mention in enumerate(mentions):
        if mention.explicit:
            continue
        dated = [
            (other_index > index, abs(other_index - index), other)
            for other_index, other in enumerate(mentions)
            if other.explicit
            and other.paragraph == mention.paragraph
            and other.event_type == mention.event_type
            and other.place.name == mention.place.name
        ]
        if dated:
            mention.day = min(dated, key=lambda item: item[:2])[2].day


def _unit_key(m: _Mention) -> tuple:
    return (m.day, m.place.geonameid or m.place.name, m.event_type)


def _merge(article: Article, mentions: list[_Mention]) -> list[Event]:
    groups: dict[tuple, list[_Mention]] = {}
    for mention in mentions:
        groups.setdefault(_unit_key(mention), []).append(mention)
    _fold_into_riots(groups)
    _fold_weak_attacks(groups)
    _fold_same_figures(groups)
    return [_event(article, key[2], group) for key, group in groups.items()]


def _fold_into_riots(groups: dict[tuple, list[_Mention]]) -> None:
    """A demonstration that turned violent (and what its crowd destroyed) on one day in one
    town is one riot."""
    for key in [k for k in groups if k[2] in ("Protests", "Strategic developments")]:
        riot_key = (key[0], key[1], "Riots")
        if key[2] == "Protests" and any(
            m.sub_event_type != "Peaceful protest" for m in groups[key]
        ):
            continue  # a protest broken up by force is an act of its own
        if riot_key in groups and not any(
            _patterns().later.search(normalize(m.evidence)) for m in groups[riot_key]
        ):
            groups[riot_key] += groups.pop(key)


def _fold_weak_attacks(groups: dict[tuple, list[_Mention]]) -> None:
    """An "attack" or "storming" told with no clash word and no casualty, on the day and in
    the town of another act, is part of that act (the building burnt, the farm raided)."""
    order = ("Riots", "Strategic developments", "Violence against civilians")
    for key in [k for k in groups if k[2] == "Battles"]:
        group = groups[key]
        weak = not any(m.firm for m in group) and _figures(group) == (0, 0)
        if not weak:
            continue
        targets = [k for k in groups if k != key and k[:2] == key[:2]]
        targets.sort(key=lambda k: order.index(k[2]) if k[2] in order else len(order))
        if targets:
            groups[targets[0]] += groups.pop(key)


def _figures(group: list[_Mention]) -> tuple[int, int]:
    """Killed and wounded of one act told several times: figures are not added up; an exact
    figure beats a rough one ("أكثر من ثلاثين" < "32"); among them the highest (the latest
    toll) stands."""
    # the first telling is the main report; a later one that names the town again may be
    # another source or an update of it ("أفاد المرصد بأن عدد القتلى في تفجير X بلغ 10")
    reports = [("same" if i == 0 else m.report, m.casualties) for i, m in enumerate(group)]
    reports += [r for m in group for r in m.later_figures]
    killed = [(s, f.killed, f.killed_approximate) for s, f in reports if f.killed]
    injured = [(s, f.injured, f.injured_approximate) for s, f in reports if f.injured]
    return _best_figure(killed), _best_figure(injured)


def _best_figure(values: list[tuple[str, int, bool]]) -> int:
    """The reports' figure: the latest explicit update where it is no lower than the main
    report; else the highest exact one of the main report (tolls rise), lowered where
    another source gives less; an earlier toll only fills a gap."""

    def pick(source: str) -> list[int]:
        chosen = [(v, rough) for s, v, rough in values if s == source]
        exact = [v for v, rough in chosen if not rough]
        return exact or [v for v, _ in chosen]

    figure = max(pick("same"), default=0)
    updates = [v for s, v, _rough in values if s == "update"]
    if updates and updates[-1] >= figure:
        # "ارتفعت الحصيلة إلى 15": the latest update stands over every source; one that
        # would lower the main report is a part of the toll ("بينهم امرأة أصيبت")
        return updates[-1]
    others = pick("other source")
    if others:
        figure = min([figure, *others]) if figure else min(others)
    if not figure:
        figure = max(pick("earlier"), default=0)
    return figure


def _fold_same_figures(groups: dict[tuple, list[_Mention]]) -> None:
    """Two readings of one town with the same casualty figures are one incident told twice
    ("15 killed and 18 wounded in clashes ... by shelling"): the first reading stays."""
    keys = list(groups)
    for index, key in enumerate(keys):
        if key not in groups:
            continue
        killed, injured = _figures(groups[key])
        if killed == 0 or injured == 0:
            continue
        for other in keys[index + 1 :]:
            if (
                other in groups
                and other[1] == key[1]
                and _figures(groups[other]) == (killed, injured)
            ):
                groups[key] += groups.pop(other)


def _event(article: Article, event_type: str, group: list[_Mention]) -> Event:
    """One event from the mentions of one act; its type is the one it was grouped under
    (what was folded into it keeps only its figures and evidence)."""
    own = [m for m in group if m.event_type == event_type] or group
    main = max(own, key=lambda m: (m.family.priority, m.confidence))
    place = main.place
    day = group[0].day
    actor_source = [a for m in group for a in m.actors]
    actor1, actor2 = assign_actors(actor_source, main.event_type, place.country)
    evidence = list(dict.fromkeys(m.evidence for m in group))
    return Event(
        event_id=stable_id(
            "event", article.article_id, day, place.geonameid or place.name, main.event_type
        ),
        article_id=article.article_id,
        url=article.url,
        event_date=day,
        date_explicit=any(m.explicit for m in group),
        event_type=main.event_type,
        sub_event_type=main.sub_event_type,
        actor1=actor1,
        actor2=actor2,
        location=place.name,
        location_as_written=group[0].place_written,
        admin1=place.admin1,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
        fatalities=_figures(group)[0],
        injuries=_figures(group)[1],
        notes=" ... ".join(evidence),
        confidence=max(m.confidence for m in group),
        geonameid=place.geonameid,
        extra={"mentions": len(group), "country_code": place.country_code},
    )


def extract_events(article: Article) -> list[Event]:
    """All conflict events the article reports, one per (day, town, event type)."""
    gazetteer = Gazetteer.default()
    lexicon = default_lexicon()
    events = _merge(article, _mentions(article, gazetteer, lexicon))
    return sorted(events, key=lambda e: (str(e.event_date), e.location, e.event_type))
