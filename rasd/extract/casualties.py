"""Casualty figures of one stretch of text: how many killed and how many wounded.

Counts are tied to the words that report a death or a wound (data/lexicon/casualties.yaml):
"قتل خمسة أشخاص وأصيب 17 آخرون" (5, 17), "مقتل جندي وإصابة 3" (a singular person noun is
one), "أربعة من أفرادها وعشرة من المتشددين قتلوا" (the sides of one sentence are added: 14),
"قتيلين" (a dual is two), "عشرات الجرحى" (tens = 10), "49 شخصا على الأقل" (49). A figure
that mixes killed and wounded ("مقتل وإصابة 21") belongs to neither. Bodies found count
once: added to the killed of the same text only when they are a different figure.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from rasd.extract.normalize import TermMatcher, normalize
from rasd.extract.numbers import dual_count, find_numbers, people_noun
from rasd.extract.triggers import LEXICON_DIR, TriggerLexiconError, load_lexicon

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[,.;:!?()\"\-]")
_PUNCT = set(',.;:!?()"-')
_VERB_SUBJECT_WINDOW = 6
_TOLL_WORDS = 6  # words after "القتلى" where "إلى 16" still gives the toll
_TOLL_CLAUSE_WORDS = 25  # the same after "عدد القتلى"/"حصيلة": up to the end of the clause
_SOURCE_REACH = 3  # words after a side joiner where a speaker makes it another source
_NUMBER_AFTER_NOUN_MAX = 10  # "جنود ثلاثة": only small numbers follow their noun
_DOER_CLAUSE_WORDS = 12  # words describing the doers before a comma ("يستقلان دراجة")
_ASIDE_WORDS = 5  # a phrase set off by commas between the doers and the victims
_SENTENCE_END = frozenset({".", ";", ":", "!", "?"})


@dataclass(frozen=True)
class Casualties:
    killed: int = 0
    injured: int = 0
    # the figure was only "about" or "more than" (نحو، أكثر من) or tens/hundreds
    killed_approximate: bool = False
    injured_approximate: bool = False


@dataclass(frozen=True)
class _Anchor:
    start: int  # token index
    end: int  # token index (inclusive)
    kind: str  # "killed" | "injured"
    roles: frozenset[str]
    dual: int | None
    bodies: bool
    has_conjunction: bool
    one: bool  # a singular report of one death (لقي حتفه، فارق الحياة)


@dataclass(frozen=True)
class _Words:
    anchors: TermMatcher[tuple[str, str, int | None]]
    combined: TermMatcher[str]
    singular: frozenset[str]
    duals: frozenset[str]
    not_people: frozenset[str]
    bodies: frozenset[str]
    before_figure: frozenset[str]
    about: frozenset[str]
    tens_hundreds: dict[str, int]
    two: frozenset[str]
    one: frozenset[str]
    others: frozenset[str]
    toll_verbs: frozenset[str]
    toll_nouns: frozenset[str]
    one_before: frozenset[str]
    singular_counted: frozenset[str]
    object_stops: frozenset[str]
    doers: frozenset[str]
    side_joiners: TermMatcher[str]
    not_side_after: frozenset[str]
    source_words: TermMatcher[str]
    toll_restatement: TermMatcher[str]


def _normalised(words: list[str]) -> frozenset[str]:
    return frozenset(normalize(w) for w in words)


def _forms(word: str) -> set[str]:
    """A singular noun's forms that still name one person: indefinite, accusative, definite,
    and with "his" or "her" (سائقه; a feminine ة turns to ت: زوجته)."""
    norm = normalize(word)
    stem = norm[:-1] + "ت" if norm.endswith("ه") else norm
    return {norm, norm + "ا", "ال" + norm, stem + "ه", stem + "ها"}


@lru_cache(maxsize=1)
def _words() -> _Words:
    data = load_lexicon("casualties.yaml")
    pairs: list[tuple[str, tuple[str, str, int | None]]] = []
    try:
        for kind in ("killed", "injured"):
            for role in ("event", "post", "counted", "one"):
                pairs += [(w, (kind, role, None)) for w in data[kind].get(role, [])]
            pairs += [(w, (kind, "dual", int(n))) for w, n in data[kind]["dual"].items()]
        singular = {f for w in data["singular_people"] for f in _forms(w)}
        words = _Words(
            anchors=TermMatcher(pairs),
            combined=TermMatcher({w: w for w in data["combined"]}),
            singular=frozenset(singular),
            duals=frozenset(normalize(w) for w in data["people_duals"] if " " not in w),
            not_people=frozenset(normalize(w) for w in data["not_people"]),
            bodies=frozenset(normalize(w) for w in data["bodies"]),
            before_figure=_normalised(data["before_figure"]),
            about=_normalised(data["about"]),
            tens_hundreds={normalize(w): int(n) for w, n in data["tens_hundreds"].items()},
            two=_normalised(data["two"]),
            one=_normalised(data["one"]),
            others=_normalised(data["others"]),
            toll_verbs=_normalised(data["toll_verbs"]),
            toll_nouns=_normalised(data["toll_nouns"]),
            one_before=_normalised(data["one_before"]),
            singular_counted=_normalised(data["singular_counted"]),
            object_stops=_normalised(data["object_stops"]),
            doers=_normalised(data["doers"]),
            side_joiners=TermMatcher({w: w for w in data["side_joiners"]}),
            not_side_after=_normalised(data["not_side_after"]),
            source_words=TermMatcher({w: w for w in data["source_words"]}),
            toll_restatement=TermMatcher({w: w for w in data["toll_restatement"]}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        path = LEXICON_DIR / "casualties.yaml"
        raise TriggerLexiconError(f"{path} is malformed: {exc!r}") from exc
    return words


class _Text:
    """Tokens of a normalised text, with the counts that start at each token."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        self._starts = [start for start, _end, _word in self.tokens]
        self.numbers: dict[int, tuple[int, int]] = {}
        self.about: set[int] = set()  # token indices of figures given only roughly
        self.used_about = False  # set when a group just read was rough
        self.read_toll = False  # set when a figure was read as a whole toll ("عدد القتلى إلى 6")
        self.bare_numbers: set[int] = set()  # number words with no و glued to them (واحد)
        for mention in find_numbers(text):
            first = self.token_index(mention.start)
            last = self.token_index(max(mention.start, mention.end - 1))
            if first is None or last is None:
                continue
            self.numbers[first] = (mention.value or 0, last)
            if mention.start == self.tokens[first][0]:
                self.bare_numbers.add(first)
            before = {self.tokens[i][2] for i in range(max(0, first - 3), first)}
            if mention.vague or (mention.approximate and before & _words().about):
                self.about.add(first)
            elif (
                mention.approximate
                and not mention.text[:1].isdigit()
                and mention.value
                in (
                    10,
                    100,
                    1000,
                )
            ):
                self.about.add(first)  # عشرات، مئات

    def token_index(self, char: int) -> int | None:
        """The token that holds character ``char``, None if none does."""
        index = bisect_right(self._starts, char) - 1
        if index >= 0 and char < self.tokens[index][1]:
            return index
        return None

    def word(self, index: int) -> str:
        return self.tokens[index][2] if 0 <= index < len(self.tokens) else ""

    def is_punct(self, index: int) -> bool:
        return self.word(index) in _PUNCT


def _bare(word: str) -> str:
    for prefix in ("و", "ف"):
        if word.startswith(prefix) and len(word) > 3:
            return word[len(prefix) :]
    return word


def _group_at(text: _Text, index: int) -> tuple[int, int] | None:
    """(count, index after the group) for a counted group of people starting at ``index``."""
    words = _words()
    word = text.word(index)
    if not word or word in _PUNCT:
        return None
    if index in text.numbers:
        value, last = text.numbers[index]
        text.used_about = text.used_about or index in text.about
        after = last + 1
        following = _bare(text.word(after))
        if following in words.not_people or text.word(after) in words.not_people:
            return None
        if people_noun(text.word(after)) or following in words.singular:
            after += 1
        if text.word(after) == "من" and not text.is_punct(after + 1):
            after += 2
        return value, after
    if text.word(index + 1) in words.two and word.endswith(("ين", "ان")):
        return 2, index + 2  # "مجندين اثنين"
    if index + 1 in text.bare_numbers and people_noun(word):
        value, last = text.numbers[index + 1]  # "جنود ثلاثة": the number after its noun
        if value and value <= _NUMBER_AFTER_NOUN_MAX:
            return value, last + 1
    bare = _bare(word)
    for candidate in (word, bare):
        if candidate in words.tens_hundreds:
            text.used_about = True
            return words.tens_hundreds[candidate], index + 1
        if dual_count(candidate) == 2 or candidate in words.duals:
            after = index + 1
            if text.word(after) in words.two:
                after += 1
            return 2, after
        if candidate in words.singular:
            after = index + 1
            if text.word(after) == "من" and not text.is_punct(after + 1):
                after += 2
            return 1, after
    return None


def _group_list(text: _Text, index: int) -> tuple[int, int] | None:
    """Counted groups joined by و (أربعة من أفرادها وعشرة من المتشددين): their sum."""
    first = _group_at(text, index)
    if first is None:
        return None
    total, after = first
    while True:
        after = _skip_qualifiers(text, after)
        if text.word(after) == "و" and after + 1 in text.numbers:
            after += 1  # "و17": the digits are a token of their own
        elif not text.word(after).startswith("و") or after in text.bare_numbers:
            break
        nxt = _group_at(text, after)
        if nxt is None:
            break
        total += nxt[0]
        after = nxt[1]
    return total, after


def _skip_qualifiers(text: _Text, index: int) -> int:
    """Skip "على الأقل" and a short "من ..." phrase after a group (23 عنصرا على الأقل من القوات
    الحكومية و17 ...), when a further group joined by و follows."""
    probe = index
    for _ in range(6):
        word = text.word(probe)
        if not word or text.is_punct(probe) or word.startswith("و"):
            break
        probe += 1
    joined = text.word(probe) == "و" and probe + 1 in text.numbers
    if probe != index and (joined or (text.word(probe).startswith("و") and probe in text.numbers)):
        return probe
    return index


def _skip_approximators(text: _Text, index: int) -> int:
    for _ in range(5):
        if text.word(index) in _words().before_figure:
            index += 1
        else:
            break
    return index


def _forward(text: _Text, anchor: _Anchor) -> int | None:
    start = _skip_approximators(text, anchor.end + 1)
    found = _group_list(text, start)
    if found is not None:
        if _doers(text, start, found[1]):
            # "اغتال مسلحان مجهولان مدير مدرسة": the doers, then the victims
            return _object_past_doers(text, _skip_doers(text, found[1])) or found[0]
        return found[0]
    if "post" not in anchor.roles:
        return None
    # "قتل لغم أرضي قبل أربعة أيام ثلاثة أطفال": a verb whose subject is not a person
    for index in range(anchor.end + 1, anchor.end + 1 + _VERB_SUBJECT_WINDOW):
        if text.is_punct(index):
            return None
        word = _bare(text.word(index))
        if index in text.numbers:
            value, last = text.numbers[index]
            following = text.word(last + 1)
            if people_noun(following) or following in ("منهم", "منها", "من"):
                return value
        elif word in _words().one or dual_count(word) == 2:
            found = _group_at(text, index)
            return found[0] if found else None
    return None


def _doers(text: _Text, start: int, end: int) -> bool:
    """Whether a counted group names the doers of a killing (مسلحان، ثلاثة مسلحين)."""
    return any(_bare(text.word(i)) in _words().doers for i in range(start, end))


def _skip_doers(text: _Text, index: int) -> int:
    while _bare(text.word(index)) in _words().doers:
        index += 1
    return index


def _object_after_doer(text: _Text, anchor: _Anchor) -> int | None:
    """ "أعدم التنظيم مدنيين اثنين"، "اغتال مسلحون مجهولون مدير مدرسة": the victims counted
    after the doer of a killing verb."""
    first = anchor.end + 1
    if _bare(text.word(first)) in _words().doers:
        return _object_past_doers(text, _skip_doers(text, first))
    return _object_from(text, first)


def _object_past_doers(text: _Text, first: int) -> int | None:
    """The victims after the doers: right after them, or past what describes the doers and a
    short phrase set off by commas ("أعدم مسلحون ينتمون إلى التنظيم، منذ ثلاثة أيام، مدنيين
    اثنين"، "اغتال مسلحان يستقلان دراجة نارية، مساء أمس، مدير مدرسة")."""
    found = _object_from(text, first, joined=False)
    if found is not None:
        return found
    comma = next((i for i in range(first, first + _DOER_CLAUSE_WORDS) if text.word(i) == ","), None)
    if comma is None or any(text.word(i) in _SENTENCE_END for i in range(first, comma)):
        return None
    after = comma + 1
    for index in range(after, after + _ASIDE_WORDS + 1):
        if text.word(index) in _SENTENCE_END or not text.word(index):
            return None
        if text.word(index) == ",":
            return _object_from(text, index + 1, joined=False)
    return None


def _object_from(text: _Text, first: int, joined: bool = True) -> int | None:
    """The first counted group from ``first``; the search stops where the object cannot be
    ("على يد مسلح", "في الهجوم"), and, unless ``joined``, at a word joined by و (after the
    doers, "وإصابة 12" is another report, not the object)."""
    for index in range(first, first + _VERB_SUBJECT_WINDOW):
        if text.is_punct(index) or text.word(index) in _words().object_stops:
            return None
        if not joined and text.word(index).startswith("و") and text.word(index) != "واحد":
            return None
        found = _group_at(text, index)
        if found is not None:
            return found[0]
    return None


def _backward(text: _Text, anchor: _Anchor, taken: set[int]) -> int | None:
    lowest = anchor.start
    while (
        lowest > 0
        and anchor.start - lowest < 8
        and not text.is_punct(lowest - 1)
        and lowest - 1 not in taken
    ):
        lowest -= 1
    for index in range(lowest, anchor.start):
        if index - 1 in taken:
            continue  # the figure right after another anchor is that anchor's
        found = _group_list(text, index)
        if found is not None and anchor.start - 5 <= found[1] <= anchor.start:
            return found[0]
    return None


def _counted(text: _Text, anchor: _Anchor) -> int | None:
    if anchor.has_conjunction:
        return None  # "قتل 4 وإصابة 10": the 4 belongs to the killed
    for _first, (value, last) in text.numbers.items():
        if last == anchor.start - 1:
            return value
    # "حصيلة القتلى إلى 16", "عدد قتلى الاشتباكات ارتفع إلى 14", "عدد الجرحى تجاوز 15";
    # after "عدد"/"حصيلة" the toll may come at the end of a long clause ("ارتفع عدد قتلى الهجوم
    # الذي استهدف ... إلى ثمانية")
    toll_noun = text.word(anchor.start - 1) in _words().toll_nouns
    reach = _TOLL_CLAUSE_WORDS if toll_noun else _TOLL_WORDS
    for index in range(anchor.end + 1, anchor.end + reach):
        if text.is_punct(index):
            break
        if text.word(index) in _words().toll_verbs:
            found = _group_at(text, _skip_approximators(text, index + 1))
            if found is not None:
                text.read_toll = True
                return found[0]
    words = _words()
    if text.word(anchor.start - 1) in words.one_before and (
        text.word(anchor.start) in words.singular_counted
    ):
        return 1  # "أسفر عن سقوط قتيل": a bare singular is one
    return None


def _anchor_value(text: _Text, anchor: _Anchor, taken: set[int]) -> int | None:
    if anchor.dual is not None:
        return anchor.dual
    if anchor.one:
        # "لقي حتفه"، "فارق الحياة": a singular report of death, unless a count comes with it
        return _plain_value(text, anchor, taken) or 1
    return _plain_value(text, anchor, taken)


def _plain_value(text: _Text, anchor: _Anchor, taken: set[int]) -> int | None:
    value = None
    if "counted" in anchor.roles:
        value = _counted(text, anchor)
    if value is None and "event" in anchor.roles:
        if text.word(_skip_approximators(text, anchor.end + 1)) in _words().others:
            return None
        value = _forward(text, anchor)
    if value is None and "post" in anchor.roles:
        value = _backward(text, anchor, taken)
    if value is None and "post" in anchor.roles and "event" in anchor.roles:
        value = _object_after_doer(text, anchor)
    return value


def _anchors(text: _Text) -> list[_Anchor]:
    words = _words()
    blocked = set()
    for match in words.combined.find(text.text):
        blocked.update(range(match.start, match.end))
    grouped: dict[tuple[int, int], dict] = {}
    for match in words.anchors.find(text.text, overlapping=True):
        if match.start in blocked:
            continue
        kind, role, dual = match.payload
        key = (match.start, match.end)
        entry = grouped.setdefault(key, {"kind": kind, "roles": set(), "dual": None})
        if entry["kind"] != kind:
            continue
        entry["roles"].add(role)
        if dual is not None:
            entry["dual"] = dual
    anchors = []
    for (start, end), entry in sorted(grouped.items()):
        first, last = text.token_index(start), text.token_index(end - 1)
        if first is None or last is None:
            continue
        term = text.text[start:end]
        token = text.word(first)
        anchors.append(
            _Anchor(
                start=first,
                end=last,
                kind=entry["kind"],
                roles=frozenset(entry["roles"]),
                dual=entry["dual"],
                bodies=term in words.bodies,
                has_conjunction=token.startswith("و") and not term.startswith("و"),
                one="one" in entry["roles"],
            )
        )
    return _drop_nested(anchors)


def _drop_nested(anchors: list[_Anchor]) -> list[_Anchor]:
    """Keep the longest anchor where anchors overlap ("لقوا مصرعهم" over "مصرعهم")."""
    kept: list[_Anchor] = []
    for anchor in sorted(anchors, key=lambda a: (a.start, -(a.end - a.start))):
        if kept and anchor.start <= kept[-1].end and anchor.kind == kept[-1].kind:
            continue
        kept.append(anchor)
    return kept


def count_casualties(normalised_text: str) -> Casualties:
    """Killed and wounded reported in a normalised stretch of text (one incident).

    Parts joined by فيما، في حين، بينما are the sides of the incident and are added up
    ("مقتل عشرات من المسلحين، فيما قتل ثلاثة من الجنود": 13), unless the later part is
    another source or restates the toll ("في حين أكد متحدث أن عدد القتلى بلغ 19"): then
    the lowest figure of each kind stands.
    """
    if not tells_casualties(normalised_text):
        return Casualties()  # no word of death or wounds: no need to read the numbers
    parts = _side_parts(normalised_text)
    total = _count_part(parts[0][0])
    for part, other_source in parts[1:]:
        found = _count_part(part)
        total = _lowest(total, found) if other_source else _added(total, found)
    return total


def tells_casualties(normalised_text: str) -> bool:
    """Whether the text holds a word of death or wounds: without one, ``count_casualties``
    finds nobody killed or wounded."""
    return bool(_words().anchors.find(normalised_text))


def _side_parts(text: str) -> list[tuple[str, bool]]:
    """The text cut before each side joiner: (part, does it open with another source?)."""
    words = _words()
    cuts = [
        m.start
        for m in words.side_joiners.find(text)
        if m.start > 0 and _next_word(text, m.end) not in words.not_side_after
    ]
    parts, start = [], 0
    for cut in [*cuts, len(text)]:
        part = text[start:cut]
        if part.strip():
            parts.append((part, bool(parts) and _other_source(part)))
        start = cut
    return parts or [(text, False)]


def _next_word(text: str, end: int) -> str:
    rest = text[end:].split(maxsplit=1)
    return rest[0] if rest else ""


def people_counted_after(normalised_text: str, position: int) -> int | None:
    """The size of a counted group of people right after ``position`` ("اعتقلت شخصين"،
    "اعتقلت 6 مطلوبين"), or None."""
    text = _Text(normalised_text)
    first = next((i for i, (start, _e, _w) in enumerate(text.tokens) if start >= position), None)
    if first is None:
        return None
    found = _group_list(text, _skip_approximators(text, first))
    return found[0] if found else None


def restates_toll(normalised_text: str) -> bool:
    """A speaker giving the toll as a whole ("أفاد المرصد بأن عدد القتلى بلغ 10")."""
    words = _words()
    return bool(
        words.source_words.find(normalised_text) and words.toll_restatement.find(normalised_text)
    )


def _other_source(part: str) -> bool:
    """A part that names a speaker near its opening, or restates the whole toll."""
    words = _words()
    opening = " ".join(part.split()[: _SOURCE_REACH + 1])
    return bool(words.source_words.find(opening) or words.toll_restatement.find(part))


def _added(first: Casualties, second: Casualties) -> Casualties:
    return Casualties(
        first.killed + second.killed,
        first.injured + second.injured,
        first.killed_approximate or second.killed_approximate,
        first.injured_approximate or second.injured_approximate,
    )


def _lowest(first: Casualties, second: Casualties) -> Casualties:
    def pick(kind: str) -> tuple[int, bool]:
        values = [
            (getattr(f, kind), getattr(f, kind + "_approximate"))
            for f in (first, second)
            if getattr(f, kind)
        ]
        return min(values) if values else (0, False)

    killed, killed_rough = pick("killed")
    injured, injured_rough = pick("injured")
    return Casualties(killed, injured, killed_rough, injured_rough)


def _count_part(normalised_text: str) -> Casualties:
    """Killed and wounded of one side or one source."""
    text = _Text(normalised_text)
    killed = bodies = injured = 0
    rough = {"killed": set(), "injured": set(), "bodies": set()}
    anchors = _anchors(text)
    # a backward look stops at another anchor: "قتل 15 جنديا وأصيب أربعة"
    spans = {
        kind: {i for a in anchors if a.kind == kind for i in range(a.start, a.end + 1)}
        for kind in ("killed", "injured")
    }
    for anchor in anchors:
        other = "injured" if anchor.kind == "killed" else "killed"
        text.used_about = False
        value = _anchor_value(text, anchor, spans[other])
        if not value:
            continue
        kind = "bodies" if anchor.kind == "killed" and anchor.bodies else anchor.kind
        if text.used_about:
            rough[kind].add(value)
        if kind == "injured":
            injured = max(injured, value)
        elif kind == "bodies":
            bodies = max(bodies, value)
        else:
            killed = max(killed, value)
    killed_rough = killed in rough["killed"]
    if text.read_toll and killed:
        # "ارتفع عدد القتلى إلى ستة بعد العثور على جثتين": the bodies are in the new toll
        bodies = 0
    if killed and bodies and bodies != killed:
        killed += bodies
    elif bodies > killed:
        killed, killed_rough = bodies, bodies in rough["bodies"]
    return Casualties(killed, injured, killed_rough, injured in rough["injured"])
