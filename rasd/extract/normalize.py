"""Arabic text normalisation, sentence splitting and clitic-aware term matching.

Matching works on *normalised* text. ``normalize_with_offsets`` also returns, for every
normalised character, the index of the original character it came from, so that evidence
and "place as written" can be cut from the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import chain
from typing import Generic, NamedTuple, TypeVar

import ahocorasick
from pyarabic import araby

T = TypeVar("T")

# Character-level rules. PyArabic's strip_tashkeel/normalize_hamza work on whole strings and
# lose positions, so its character sets are reused here but the mapping is done per
# character to keep an offset for each output character.
_DROP = set(araby.TASHKEEL) | {
    araby.TATWEEL,
    araby.SMALL_ALEF,  # superscript alef (dagger alef)
    "\u0653",  # maddah above
    "\u0654",  # hamza above
    "\u0655",  # hamza below
    "\u0656",
    "\u0657",
    "\u0658",
    "\u065f",
    "\u06e1",  # small high dotless head of khah (Quranic sukun)
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
}

_MAP = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ؤ": "و",
    "ئ": "ي",
    "ى": "ي",
    "ة": "ه",
    "ۀ": "ه",
    "ە": "ه",
    "ھ": "ه",
    "ہ": "ه",
    "ی": "ي",  # Persian yeh (common in text from Persian/Urdu keyboards)
    "ې": "ي",
    "ے": "ي",
    "ک": "ك",  # Persian keheh
    "ڪ": "ك",
    "گ": "ك",
    "ڤ": "ف",  # Maghrebi v
    "ڨ": "ق",  # Maghrebi g
    "پ": "ب",
    "چ": "ج",
    "ژ": "ز",
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٫": ".",  # Arabic decimal separator
    "٬": ",",  # Arabic thousands separator
    "٪": "%",
    "«": " ",
    "»": " ",
    "“": '"',
    "”": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
    "_": " ",  # hashtags: #بنغازي_الآن
    "#": " ",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "–": "-",
    "—": "-",
    "ـ": "",
}
for _i in range(10):
    _MAP[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _MAP[chr(0x06F0 + _i)] = str(_i)  # Persian digits


@lru_cache(maxsize=4096)
def _map_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _MAP:
        return _MAP[ch]
    code = ord(ch)
    # Arabic presentation forms (old encodings, PDFs): fold to base letters first.
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        folded = unicodedata.normalize("NFKC", ch)
        return "".join(_map_char(c) for c in folded)
    if ch in "\r\n\u2028\u2029":
        return "\n"
    if ch.isspace():
        return " "
    if unicodedata.category(ch) == "Mn":  # any other combining mark
        return ""
    return ch.lower()


class _OneToOne(dict):
    """Code point -> its normalised character, or ``_DROPPED`` for a character that goes;
    for ``str.translate``, filled as characters are first seen. A character that becomes
    more than one (a ligature) is entered as itself and recorded in ``expanding``."""

    def __init__(self) -> None:
        super().__init__()
        self.expanding: set[str] = set()

    def __missing__(self, code: int) -> str:
        mapped = _map_char(chr(code))
        if len(mapped) > 1:
            self.expanding.add(chr(code))
            mapped = chr(code)
        value = mapped or _DROPPED
        self[code] = value
        return value


_DROPPED = "\x00"
_ONE_TO_ONE = _OneToOne()
# A stretch of whitespace and dropped characters that does not stay as it is: at either
# end of the text, longer than one character, or a single newline or dropped character.
# A single space between two kept characters is left alone.
_IRREGULAR_GAP = re.compile(r"^[ \n\x00]+|[ \n\x00]+\Z|[ \n\x00]{2,}|[\n\x00]")


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise ``text``; return it with, for each output char, its index in ``text``.

    Whitespace runs collapse to one space (or one newline if the run held a newline);
    leading and trailing whitespace is removed.
    """
    # Character by character in C: each character becomes one (or _DROPPED); then only the
    # stretches of whitespace that change are visited in Python.
    mapped = text.translate(_ONE_TO_ONE)
    if _DROPPED in text or any(ch in text for ch in _ONE_TO_ONE.expanding):
        return _normalize_with_offsets_by_char(text)
    pieces: list[str] = []
    offsets: list[int] = []
    size = len(mapped)
    position = 0
    for gap in _IRREGULAR_GAP.finditer(mapped):
        start, end = gap.span()
        pieces.append(mapped[position:start])
        offsets.extend(range(position, start))
        if start and end < size:  # between two kept characters
            spaces = gap.group().lstrip(_DROPPED)
            if spaces:  # not only dropped characters
                pieces.append("\n" if "\n" in spaces else " ")
                offsets.append(end - len(spaces))
        position = end
    pieces.append(mapped[position:])
    offsets.extend(range(position, size))
    return "".join(pieces), offsets


def _normalize_with_offsets_by_char(text: str) -> tuple[str, list[int]]:
    """``normalize_with_offsets`` one character at a time: for text with a character that
    becomes several (ligatures) or that holds the character used to mark dropped ones."""
    out: list[str] = []
    offsets: list[int] = []
    pending_space: str | None = None
    pending_at = 0
    for index, ch in enumerate(text):
        mapped = _map_char(ch)
        if not mapped:
            continue
        for piece in mapped:
            if piece in " \n":
                if pending_space is None:
                    pending_space, pending_at = piece, index
                elif piece == "\n":
                    pending_space = "\n"
                continue
            if pending_space is not None:
                if out:
                    out.append(pending_space)
                    offsets.append(pending_at)
                pending_space = None
            out.append(piece)
            offsets.append(index)
    return "".join(out), offsets


def normalize(text: str) -> str:
    """Normalise Arabic text for matching (see ``normalize_with_offsets``)."""
    return normalize_with_offsets(text)[0]


def original_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a span ``[start, end)`` of normalised text back to a span of the original text."""
    if start >= end or not offsets:
        raise ValueError(f"empty or invalid span {start}:{end}")
    return offsets[start], offsets[end - 1] + 1


# --- sentences -------------------------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence (normalised spellings).
_ABBREVIATIONS = ("د", "م", "ص", "هـ", "ه", "ق", "ج", "ش", "mr", "dr", "st", "no", "vs")
_SENTENCE_END = re.compile(r"[.!?؟]+|\n+")
# every character at which ``split_sentences`` may cut
SENTENCE_END_CHARS = ".!?؟\n"
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
_DOMAIN_AFTER = re.compile(r"\s?(?:نت|كوم|net|com|org)(?!\w)", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Split text into sentences on . ! ? ؟ and newlines.

    A full stop between digits (3.5) or after a one-letter abbreviation (د. for doctor) is
    not a sentence end.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith(".") and not _is_sentence_stop(text, match.start(), end):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_sentence_stop(text: str, dot: int, after: int) -> bool:
    before = text[dot - 1] if dot > 0 else ""
    following = text[after] if after < len(text) else ""
    if before.isdigit() and following.isdigit():
        return False
    if following and not following.isspace() and following not in "\"'»)":
        return False  # "العربية.نت", URLs, 1.5
    if _DOMAIN_AFTER.match(text, after):
        return False  # "العربية. نت"
    word = _WORD_BEFORE.search(text[max(0, dot - 12) : dot])
    return not (word and word.group(1).lower() in _ABBREVIATIONS and dot - word.start(1) >= 0)


# --- clitic-aware matching -------------------------------------------------------------

# Proclitic sequences that may stand before a word: conjunctions, prepositions and the
# article, in their usual combinations. "لل" is ل + ال with the alef dropped.
CLITIC_PREFIXES: tuple[str, ...] = (
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
    "ال",
    "لل",
    "وال",
    "فال",
    "بال",
    "كال",
    "ولل",
    "فلل",
    "وب",
    "فب",
    "ول",
    "فل",
    "وك",
    "فك",
    "وبال",
    "فبال",
    "وكال",
    "فكال",
    "س",
    "وس",
    "فس",
)
_CLITIC_SET = frozenset(CLITIC_PREFIXES) | {""}

# A "word" character after normalisation: letters and digits of any script.
_WORD_CHAR = r"[^\W_]"
_CLITIC_ALTERNATION = "|".join(sorted(map(re.escape, CLITIC_PREFIXES), key=len, reverse=True))


def is_word_char(ch: str) -> bool:
    """True for letters and digits (any script); the boundary rule used by the matchers."""
    return ch.isalnum()


_NOT_WORD_CHAR = re.compile(r"[\W_]")  # the complement of is_word_char, code point for code point
_LONGEST_CLITIC = max(map(len, CLITIC_PREFIXES))


@lru_cache(maxsize=256)
def word_mask(text: str) -> str:
    """``text`` with every character that is not a word character replaced by a space.

    Same length as ``text``, so word boundaries are found with ``str.find``/``rfind`` on the
    mask instead of one Python call per character; cached because each sentence is searched
    by many matchers.
    """
    return _NOT_WORD_CHAR.sub(" ", text)


def word_start(text: str, index: int) -> int:
    """Start of the word run that ends at ``index`` (``index`` itself if none does)."""
    return word_mask(text).rfind(" ", 0, index) + 1


def word_pattern(normalised_term: str) -> str:
    """Regex fragment that matches a normalised term as a whole word, with optional proclitics.

    ``\\b`` cannot be used: a clitic (بسرت) glues to the word, and ``\\b`` sees no boundary.
    The term itself is captured in the named group ``term``.
    """
    term = re.escape(normalised_term)
    variants = [term]
    if normalised_term.startswith("ال") and len(normalised_term) > 2:
        # ل + الرقة is written للرقة: allow the alef-less form after ل.
        variants.append("(?<=ل)" + re.escape(normalised_term[1:]))
    body = "|".join(variants)
    return rf"(?<!{_WORD_CHAR})(?:{_CLITIC_ALTERNATION})?(?P<term>{body})(?!{_WORD_CHAR})"


class TermMatch(NamedTuple, Generic[T]):
    """A term found in normalised text: ``text[start:end]`` is the term without its clitics."""

    start: int
    end: int
    term: str
    payload: T


class TermMatcher(Generic[T]):
    """Find dictionary terms in normalised text, respecting proclitics and word boundaries.

    Built once on an Aho-Corasick automaton. A term matches only as a whole word, optionally
    preceded by one of ``CLITIC_PREFIXES`` glued to it (وبالرقة, لسرت, للرقة). Overlaps are
    resolved leftmost-longest ("شيخ زويد" over "زويد").
    With ``allow_suffixes`` a pronoun suffix may follow (اشتباكاتها, مدينتهم).
    """

    _SUFFIXES = ("ه", "ها", "هم", "هما", "هن", "ي", "نا", "كم", "كما", "كن")
    _longest_suffix = max(map(len, _SUFFIXES))

    def __init__(self, terms: Mapping[str, T] | Iterable[tuple[str, T]], *, allow_suffixes=False):
        items = terms.items() if isinstance(terms, Mapping) else terms
        self.allow_suffixes = allow_suffixes
        self._automaton = ahocorasick.Automaton()
        self._size = 0
        keys: dict[str, list[tuple[str, T, str]]] = {}
        for term, payload in items:
            norm = normalize(term)
            if not norm:
                continue
            self._size += 1
            keys.setdefault(norm, []).append((norm, payload, ""))
            if norm.startswith("ال") and len(norm) > 3:
                keys.setdefault("لل" + norm[2:], []).append((norm, payload, "lil"))
            if allow_suffixes and norm.endswith("ه") and len(norm) > 2:
                keys.setdefault(norm[:-1] + "ت", []).append((norm, payload, "t"))
        self._keys = tuple(keys)
        self._held: dict[str, bool] = {}
        for key, entries in keys.items():
            self._automaton.add_word(key, (len(key), entries))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    def __len__(self) -> int:
        return self._size

    def keys_hold(self, characters: str) -> bool:
        """Whether a key of the automaton holds any of ``characters`` (asked per article:
        the answer is kept)."""
        if characters not in self._held:
            self._held[characters] = any(ch in key for key in self._keys for ch in characters)
        return self._held[characters]

    def find(self, text: str, *, overlapping: bool = False) -> list[TermMatch[T]]:
        """All whole-word matches, leftmost-longest and non-overlapping unless asked."""
        if self._empty:
            return []
        hits = self._automaton.iter(text)
        first = next(hits, None)
        if first is None:
            return []  # most searches: no key at all, so no word mask is needed
        found: list[TermMatch[T]] = []
        mask = word_mask(text)
        size = len(text)
        allow_suffixes = self.allow_suffixes
        longest_suffix = self._longest_suffix if allow_suffixes else 0
        suffixes = self._SUFFIXES
        # most raw hits are the start of a longer word: rejected on the suffix first, cheaply
        for end_index, (length, entries) in chain((first,), hits):
            end = end_index + 1
            if end < size and mask[end] != " ":
                if not longest_suffix:
                    continue
                word_end = mask.find(" ", end, end + longest_suffix + 1)
                if word_end < 0:
                    if size - end > longest_suffix:
                        continue
                    word_end = size
                suffix = text[end:word_end]
            else:
                suffix = ""
            start = end - length
            prefix = text[mask.rfind(" ", 0, start) + 1 : start]
            if len(prefix) > _LONGEST_CLITIC:
                continue
            for term, payload, kind in entries:
                if kind:
                    if not self._accept(prefix, suffix, kind):
                        continue
                # a plain key: as _accept has it
                elif prefix not in _CLITIC_SET or (
                    suffix and not (allow_suffixes and suffix in suffixes)
                ):
                    continue
                found.append(TermMatch(start, end, term, payload))
        if not found:
            return found
        if overlapping:
            return sorted(found, key=lambda m: (m.start, -m.end))
        return _leftmost_longest(found)

    def _accept(self, prefix: str, suffix: str, kind: str) -> bool:
        """Whether a key with ``prefix`` glued before it and ``suffix`` after it, both up to
        the word's boundaries, is the term as a whole word."""
        if kind == "lil":
            # the key "للرقة" already contains ل: only و/ف may precede it.
            if prefix not in ("", "و", "ف"):
                return False
        elif prefix not in _CLITIC_SET:
            return False
        if kind == "t":
            return suffix in self._SUFFIXES
        if not suffix:
            return True
        return self.allow_suffixes and suffix in self._SUFFIXES


def _leftmost_longest(matches: list[TermMatch[T]]) -> list[TermMatch[T]]:
    chosen: list[TermMatch[T]] = []
    last_end = -1
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if match.start >= last_end:
            chosen.append(match)
            last_end = match.end
    return chosen


def strip_clitics(word: str) -> list[str]:
    """Possible stems of a normalised word after removing one proclitic sequence.

    The word itself comes first; longer prefixes are tried before shorter ones.
    """
    stems = [word]
    for prefix in sorted(CLITIC_PREFIXES, key=len, reverse=True):
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            stem = word[len(prefix) :]
            if prefix.endswith("لل"):
                stems.append("ال" + stem)
            stems.append(stem)
    return list(dict.fromkeys(stems))
