"""Counts in Arabic text: digits, number words (with gender, case and clitics), duals, vague
quantities, and the nouns that count people.

All functions take *normalised* text (see ``rasd.extract.normalize``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from rasd.extract.normalize import normalize
from rasd.yamlfile import parse_yaml

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicon"


class LexiconError(ValueError):
    """A lexicon data file is missing or malformed."""


@dataclass(frozen=True)
class NumberMention:
    """A count found in normalised text; ``text[start:end]`` is the whole expression."""

    value: int | None
    start: int
    end: int
    text: str
    vague: bool = False
    approximate: bool = False


# Word kinds, ordered by magnitude so that "و" joins only a smaller part to a larger one
# (مائة وخمسة) or a ten to a unit (خمسة وعشرون).
_UNIT, _COMPOUND_ONLY, _TEN, _HUNDRED, _THOUSAND, _MILLION = (
    "unit",
    "compound_only",
    "ten",
    "hundred",
    "thousand",
    "million",
)
_WORD_PREFIXES = (
    "وبال",
    "وال",
    "بال",
    "فال",
    "ولل",
    "لل",
    "ال",
    "وب",
    "ول",
    "فب",
    "فل",
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def load_yaml(name: str) -> Any:
    path = LEXICON_DIR / name
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_yaml(handle)
    except FileNotFoundError as exc:
        raise LexiconError(f"lexicon file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise LexiconError(f"lexicon file {path} is not valid YAML: {exc}") from exc


@dataclass(frozen=True)
class _NumberLexicon:
    words: dict[str, tuple[str, int]]
    teen_markers: frozenset[str]
    vague_values: dict[str, int]
    vague_phrases: re.Pattern[str]
    approx_before: re.Pattern[str]
    approx_after: re.Pattern[str]


def _phrase_regex(phrases: list[str], anchor: str) -> re.Pattern[str]:
    alternation = "|".join(
        re.escape(p) for p in sorted({normalize(p) for p in phrases}, key=len, reverse=True)
    )
    if anchor == "end":
        return re.compile(rf"(?<!\w)(?:و|ف|ب|ل)?(?:{alternation})\s*$")
    if anchor == "start":
        return re.compile(rf"^[\s\w]{{0,40}}?(?<!\w)(?:{alternation})(?!\w)")
    return re.compile(rf"(?<!\w)(?:و|ف|ب|ل)?(?P<phrase>{alternation})(?!\w)")


@lru_cache(maxsize=1)
def _lexicon() -> _NumberLexicon:
    data = load_yaml("number_words.yaml")
    words: dict[str, tuple[str, int]] = {}

    def add(kind: str, value: int, forms: list[str]) -> None:
        for form in forms:
            norm = normalize(form)
            if " " not in norm:  # "ثلاث مائة" is parsed as two words
                words.setdefault(norm, (kind, value))

    try:
        for value, forms in data["units"].items():
            add(_UNIT, int(value), forms)
        for value, forms in data["compound_only"].items():
            add(_COMPOUND_ONLY, int(value), forms)
        for value, forms in data["tens"].items():
            add(_TEN, int(value), forms)
        for value, forms in data["hundreds"].items():
            add(_HUNDRED, int(value), forms)
        add(_THOUSAND, 1000, data["thousand"] + data["thousands_plural"])
        add(_THOUSAND, 2000, data["thousand_dual"])
        add(_MILLION, 1_000_000, data["million"])
        add(_MILLION, 2_000_000, data["million_dual"])
        vague_values = {
            normalize(form): int(value)
            for value, forms in data["vague_with_value"].items()
            for form in forms
        }
        return _NumberLexicon(
            words=words,
            teen_markers=frozenset(normalize(w) for w in data["teen_marker"]),
            vague_values=vague_values,
            vague_phrases=_phrase_regex(data["vague_no_value"], "any"),
            approx_before=_phrase_regex(data["approximators_before"], "end"),
            approx_after=_phrase_regex(data["approximators_after"], "start"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise LexiconError(f"number_words.yaml is malformed: {exc!r}") from exc


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, str, int]], dict[str, tuple[int, int]]]:
    """``_lookup`` and ``_vague_value`` for every word they answer, computed once: both are
    asked about every token of every figures text, and each answer costs a walk through the
    proclitics. Only a lexicon word, with or without proclitics, has an answer."""
    lexicon = _lexicon()
    numbers: dict[str, tuple[str, str, int]] = {}
    for word in lexicon.words:
        forms = [word] + [prefix + word for prefix in _WORD_PREFIXES]
        if word.startswith("ال"):
            forms += [prefix + word[2:] for prefix in _WORD_PREFIXES if prefix.endswith("لل")]
        for form in forms:
            found = _lookup_by_prefixes(form)
            if found is not None:
                numbers[form] = found
    vague: dict[str, tuple[int, int]] = {}
    for word in lexicon.vague_values:
        for form in [word] + [prefix + word for prefix in _WORD_PREFIXES]:
            found_vague = _vague_value_by_prefixes(form)
            if found_vague is not None:
                vague[form] = found_vague
    return numbers, vague


def _lookup(word: str) -> tuple[str, str, int] | None:
    """(prefix, kind, value) of a number word with optional proclitics, else None."""
    return _tables()[0].get(word)


def _lookup_by_prefixes(word: str) -> tuple[str, str, int] | None:
    words = _lexicon().words
    if word in words:
        return ("", *words[word])
    for prefix in _WORD_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            stem = word[len(prefix) :]
            if prefix.endswith("لل"):
                stem = "ال" + stem
            entry = words.get(stem)
            if entry is None:
                continue
            kind, value = entry
            # الاثنين is Monday, not "the two"
            if ("ال" in prefix or prefix.endswith("لل")) and value == 2 and kind == _UNIT:
                return None
            return (prefix, kind, value)
    return None


def _parse_digits(token: str) -> int | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        return int(token.replace(",", ""))
    if re.fullmatch(r"\d+", token):
        return int(token)
    if re.fullmatch(r"\d+\.\d+", token):
        return None
    return None


class _WordNumberParser:
    """Accumulates a run of number words into one value (خمسة وعشرون, ثلاثة آلاف و...)."""

    def __init__(self, kind: str, value: int) -> None:
        self.total = 0
        self.current = 0
        self.last_kind = kind
        self.last_value = value
        self.pending_compound = kind == _COMPOUND_ONLY
        self._apply(kind, value)

    def _apply(self, kind: str, value: int) -> None:
        if kind in (_THOUSAND, _MILLION):
            self.total += value
            self.current = 0
        else:
            self.current += value

    def accept(self, prefix: str, kind: str, value: int, is_teen_marker: bool) -> bool:
        after_unit = self.last_kind in (_UNIT, _COMPOUND_ONLY) and self.last_value < 10
        if not prefix and is_teen_marker and after_unit:
            self.current += 10
            self.last_kind, self.last_value = _UNIT, 10 + self.last_value
            self.pending_compound = False
            return True
        if self.pending_compound:
            return False
        unit_before = self.last_kind == _UNIT and 3 <= self.last_value <= 9
        if not prefix and kind == _HUNDRED and value == 100 and unit_before:  # ثلاث مائة
            self.current += self.last_value * 99
            self.last_kind, self.last_value = _HUNDRED, self.last_value * 100
            return True
        multiplies = self.current and self.last_kind != kind and value in (1000, 1_000_000)
        if not prefix and kind in (_THOUSAND, _MILLION) and multiplies:  # ثلاثة آلاف
            self.total += self.current * value
            self.current = 0
            self.last_kind, self.last_value = kind, value
            return True
        if prefix == "و" and self._joins(kind):
            self._apply(kind, value)
            self.last_kind, self.last_value = kind, value
            return True
        return False

    def _joins(self, kind: str) -> bool:
        order = {_UNIT: 1, _TEN: 2, _HUNDRED: 3, _THOUSAND: 4, _MILLION: 5}
        if kind not in order:
            return False
        if self.last_kind == _UNIT and kind == _TEN:
            return self.last_value < 10
        return order[kind] < order.get(self.last_kind, 0)

    @property
    def value(self) -> int | None:
        if self.pending_compound:
            return None
        return self.total + self.current


def find_numbers(normalised_text: str) -> list[NumberMention]:
    """Find every count in normalised text, in order of appearance."""
    lexicon = _lexicon()
    text = normalised_text
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    mentions: list[NumberMention] = []
    vague_spans = [m.span("phrase") for m in lexicon.vague_phrases.finditer(text)]
    for start, end in vague_spans:
        mentions.append(NumberMention(None, start, end, text[start:end], vague=True))
    numbers, vague = _tables()
    index = 0
    while index < len(tokens):
        start, end, token = tokens[index]
        if vague_spans and any(s <= start < e for s, e in vague_spans):
            index += 1
            continue
        if not token[0].isdigit() and token not in vague and token not in numbers:
            index += 1  # most words: no count starts at them (as _mention_at finds)
            continue
        mention, index = _mention_at(text, tokens, index)
        if mention is not None:
            mentions.append(_with_approximation(text, mention))
    return sorted(mentions, key=lambda m: m.start)


def _mention_at(
    text: str, tokens: list[tuple[int, int, str]], index: int
) -> tuple[NumberMention | None, int]:
    lexicon = _lexicon()
    start, end, token = tokens[index]
    if token[0].isdigit():
        value = _parse_digits(token)
        nxt = _lookup(tokens[index + 1][2]) if index + 1 < len(tokens) else None
        if value is not None and nxt and not nxt[0] and nxt[1] in (_THOUSAND, _MILLION):
            unit = 1000 if nxt[1] == _THOUSAND else 1_000_000
            end = tokens[index + 1][1]
            return NumberMention(value * unit, start, end, text[start:end]), index + 2
        if (
            value is None
            and re.fullmatch(r"\d+\.\d+", token)
            and nxt
            and nxt[1]
            in (
                _THOUSAND,
                _MILLION,
            )
        ):
            unit = 1000 if nxt[1] == _THOUSAND else 1_000_000
            end = tokens[index + 1][1]
            value = int(float(token) * unit)
            return NumberMention(value, start, end, text[start:end]), index + 2
        return NumberMention(value, start, end, token, approximate=value is None), index + 1
    vague = _vague_value(token)
    if vague is not None:
        prefix_length, value = vague
        start += prefix_length
        used = 1
        nxt = _lookup(tokens[index + 1][2]) if index + 1 < len(tokens) else None
        if nxt and nxt[1] == _THOUSAND and tokens[index + 1][2].startswith("ال"):
            value, used = value * 1000, 2  # عشرات الآلاف
        end = tokens[index + used - 1][1]
        mention = NumberMention(value, start, end, text[start:end], approximate=True)
        return mention, index + used
    entry = _lookup(token)
    if entry is None or _is_conjunction_and_one_of(tokens, index):
        return None, index + 1
    prefix, kind, value = entry
    parser = _WordNumberParser(kind, value)
    last = index
    for j in range(index + 1, min(len(tokens), index + 8)):
        nxt_entry = _lookup(tokens[j][2])
        is_teen = tokens[j][2] in lexicon.teen_markers
        if nxt_entry is None and not is_teen:
            break
        nxt_prefix, nxt_kind, nxt_value = nxt_entry or ("", _UNIT, 10)
        if not parser.accept(nxt_prefix, nxt_kind, nxt_value, is_teen):
            break
        last = j
    if parser.value is None:
        return None, index + 1
    word_start = start + len(prefix)
    end = tokens[last][1]
    return NumberMention(parser.value, word_start, end, text[word_start:end]), last + 1


def _is_conjunction_and_one_of(tokens: list[tuple[int, int, str]], index: int) -> bool:
    """ "واحد القيادات" is و + أحد ("and one of the leaders"): a numeral واحد follows its noun
    and never stands before a definite noun."""
    if tokens[index][2] not in ("واحد", "واحده") or index + 1 >= len(tokens):
        return False
    return tokens[index + 1][2].startswith("ال")


def _vague_value(token: str) -> tuple[int, int] | None:
    """(length of the clitic prefix, ACLED value) for عشرات/مئات/آلاف, else None."""
    return _tables()[1].get(token)


def _vague_value_by_prefixes(token: str) -> tuple[int, int] | None:
    values = _lexicon().vague_values
    if token in values:
        return 0, values[token]
    for prefix in _WORD_PREFIXES:
        stem = token[len(prefix) :]
        if token.startswith(prefix) and stem in values and "ال" not in prefix:
            return len(prefix), values[stem]
    return None


def _with_approximation(text: str, mention: NumberMention) -> NumberMention:
    lexicon = _lexicon()
    before = text[max(0, mention.start - 30) : mention.start]
    after = re.split(r"[.,;:?!\n]", text[mention.end : mention.end + 40], maxsplit=1)[0]
    if lexicon.approx_before.search(before) or lexicon.approx_after.search(after):
        return NumberMention(
            mention.value, mention.start, mention.end, mention.text, mention.vague, True
        )
    return mention


# --- people nouns and duals -----------------------------------------------------------


@dataclass(frozen=True)
class _PeopleLexicon:
    singulars: dict[str, bool]  # normalised singular -> sound plural?
    forms: frozenset[str]


@lru_cache(maxsize=1)
def _people() -> _PeopleLexicon:
    data = load_yaml("people_nouns.yaml")
    singulars: dict[str, bool] = {}
    forms: set[str] = set()
    try:
        for entry in data["nouns"]:
            sound = bool(entry.get("sound_plural", False))
            for word in entry["singular"]:
                norm = normalize(word)
                singulars[norm] = singulars.get(norm, False) or sound
                forms.update({norm, norm + "ا"})  # accusative indefinite: شخصا، جريحا
                forms.update(_dual_forms(norm))
            for word in entry.get("plurals", []):
                forms.add(normalize(word))
    except (KeyError, TypeError) as exc:
        raise LexiconError(f"people_nouns.yaml is malformed: {exc!r}") from exc
    return _PeopleLexicon(singulars=singulars, forms=frozenset(forms))


def _dual_forms(singular: str) -> set[str]:
    stem = singular[:-1] + "ت" if singular.endswith("ه") else singular
    return {stem + "ان", stem + "ين"}


def _stems(word: str) -> list[str]:
    stems = [word]
    for prefix in _WORD_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            stem = word[len(prefix) :]
            stems.append("ال" + stem if prefix.endswith("لل") else stem)
    return stems


def people_noun(word: str) -> bool:
    """True if a normalised word (clitics allowed) is a noun that counts people."""
    forms = _people().forms
    return any(stem in forms or _drop_article(stem) in forms for stem in _stems(word))


def _drop_article(word: str) -> str:
    return word[2:] if word.startswith("ال") and len(word) > 4 else word


def dual_count(word: str) -> int | None:
    """2 if a normalised word is the dual of a countable noun (قتيلين، جنديين), else None.

    For nouns whose sound plural is spelled like the dual (مسلحين), only the nominative
    dual (مسلحان) counts, since -ين is ambiguous without vowel marks.
    """
    singulars = _people().singulars
    for stem in _stems(word):
        stem = _drop_article(stem)
        for ending in ("ان", "ين"):
            if not stem.endswith(ending) or len(stem) < 4:
                continue
            base = stem[: -len(ending)]
            candidates = [base]
            if base.endswith("ت"):
                candidates.append(base[:-1] + "ه")  # امرأتين -> امراه
            for singular in candidates:
                if singular in singulars and not (singulars[singular] and ending == "ين"):
                    return 2
    return None
