"""The raw page store: every fetched body, kept so articles can be rebuilt without refetching.

Bodies are gzip-compressed and found by their sha256. A batch of fetched pages is written as
one pack, `<root>/packs/<day>/<name>.pack`: its bodies one after another, each a complete
gzip member (so `zcat` reads a pack) whose header carries, in an extra field (RFC 1952),
the JSON metadata needed to decode the body again (content type, encoding used, URL). Beside
it, `<name>.idx` lists each body's sha256, offset and length. One pack per batch rather than
one file per page, because creating thousands of files a night cost more CPU, mostly in the
kernel, than compressing their bodies, and took four times the disk.

Packs and their indexes are written whole under a temporary name and renamed into place,
pack first: an index is only ever seen complete and pointing at a complete pack. A body
stored again (a later fetch of the same bytes) is found in its newest pack.

Stores written before packs keep each body in its own file, `<root>/ab/cd/<hash>.gz`, with
its metadata in the header or in a `<hash>.json` beside it; those are still read.

This module also owns the charset logic (`decode_html`), so fetch and reprocess decode the
same bytes the same way.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import gzip
import hashlib
import json
import os
import random
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path

import charset_normalizer

# Labels that browsers read as windows-1252, because servers use them loosely (WHATWG).
_WINDOWS_1252_ALIASES = {"ascii", "latin_1", "iso8859_1", "us_ascii"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_META_SCAN_BYTES = 4096
_LENIENT_MAX_BAD = 0.005  # a declared charset may have this share of bad characters


class UndecodableBody(ValueError):
    """The body is not text in any charset we can tell."""


class RawStoreError(Exception):
    """A stored body is missing or damaged."""


@dataclass(frozen=True)
class DecodedBody:
    html: str
    encoding: str  # the Python codec name used, e.g. "utf-8", "cp1256"


def decode_html(raw: bytes, content_type: str | None = None) -> DecodedBody:
    """Decode an HTML body: BOM, then the HTTP charset, then <meta>, then detection.

    A byte-order mark wins over the header, as in browsers: it cannot be there by accident.
    """
    declared = [enc for enc in _declared_encodings(raw, content_type) if enc]
    for encoding in declared:
        text = _try_decode(raw, encoding, strict=True)
        if text is not None:
            return _checked(text, encoding)
    for encoding in declared:
        text = _try_decode(raw, encoding, strict=False)
        if text is not None:
            return _checked(text, encoding)
    return _detect(raw)


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return _header_charset(content_type)


@functools.lru_cache(maxsize=256)
def _header_charset(content_type: str) -> str | None:
    # Cached: a site sends the same few Content-Type values for every page, and parsing one
    # with email.message costs several times what decoding a small page does.
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset.strip() if isinstance(charset, str) else None


def _declared_encodings(raw: bytes, content_type: str | None) -> list[str | None]:
    bom = next((enc for mark, enc in _BOMS if raw.startswith(mark)), None)
    meta = _META_CHARSET.search(raw[:_META_SCAN_BYTES])
    meta_label = meta.group(1).decode("ascii") if meta else None
    return [bom, _codec(header_charset(content_type)), _codec(meta_label)]


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return "cp1252" if name.replace("-", "_") in _WINDOWS_1252_ALIASES else name


def _try_decode(raw: bytes, encoding: str, strict: bool) -> str | None:
    if strict:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            return None
    text = raw.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    return text if bad <= max(1, len(text) * _LENIENT_MAX_BAD) else None


def _detect(raw: bytes) -> DecodedBody:
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise UndecodableBody("undecodable body: no charset fits these bytes")
    return _checked(str(best), codecs.lookup(best.encoding).name)


def _checked(text: str, encoding: str) -> DecodedBody:
    if "\x00" in text:
        raise UndecodableBody("binary content (NUL bytes), not an HTML page")
    return DecodedBody(html=text.removeprefix("\ufeff"), encoding=encoding)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class RawStore:
    """Compressed storage of raw page bodies under `root`, found by their sha256."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._index: dict[str, _Member] = {}
        self._indexes_read: set[str] = set()
        self._index_lock = threading.Lock()
        self._packs_seen: tuple[int, str, frozenset[str]] | None = None

    @contextlib.contextmanager
    def pack(self) -> Iterator[PackWriter]:
        """A pack to `put` a batch's bodies in (from any number of threads); written when
        the block ends, also when it ends with an exception, so no stored body is lost."""
        writer = PackWriter()
        try:
            yield writer
        finally:
            self._write(writer)

    def put(self, raw: bytes, meta: Mapping[str, str | None] | None = None) -> str:
        """Store one body with its decoding metadata, in a pack of its own; its sha256."""
        with self.pack() as writer:
            return writer.put(raw, meta)

    def has(self, digest: str) -> bool:
        return self._loose_path(digest, ".gz").is_file() or self._member(digest) is not None

    def get(self, digest: str) -> bytes:
        return self._load(digest)[0]

    def meta(self, digest: str) -> dict[str, str]:
        try:
            stored = self._load(digest)[1]
        except RawStoreError:
            return {}
        return self._meta(digest, stored)

    def get_html(self, digest: str) -> DecodedBody:
        """The stored body decoded as fetch decoded it (the recorded encoding first)."""
        raw, stored = self._load(digest)
        meta = self._meta(digest, stored)
        encoding = meta.get("encoding")
        if encoding:
            text = _try_decode(raw, encoding, strict=False)
            if text is not None:
                return _checked(text, encoding)
        return decode_html(raw, meta.get("content_type"))

    # -- writing
    def _write(self, writer: PackWriter) -> None:
        members = writer.members()
        if not members:
            return
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        name = f"{datetime.now(UTC):%H%M%S}-{os.getpid()}-{_temporary_names.getrandbits(32):08x}"
        base = f"{self.root}/packs/{day}/{name}"
        index, offset = [], 0
        for digest, data in members:
            index.append(f"{digest} {offset} {len(data)}\n")
            offset += len(data)
        _write_atomic(f"{base}.pack", b"".join(data for _, data in members))
        _write_atomic(f"{base}.idx", "".join(index).encode("ascii"))

    # -- reading
    def _load(self, digest: str) -> tuple[bytes, bytes]:
        """The body and the stored (compressed) bytes it came from."""
        stored = self._stored(digest)
        try:
            raw = gzip.decompress(stored)
        except (OSError, EOFError) as exc:
            raise RawStoreError(f"stored body {digest} is damaged: {exc}") from exc
        if content_hash(raw) != digest:
            raise RawStoreError(f"stored body {digest} is damaged: hash does not match")
        return raw, stored

    def _stored(self, digest: str) -> bytes:
        loose = self._loose_path(digest, ".gz")
        with contextlib.suppress(FileNotFoundError):
            return loose.read_bytes()
        member = self._member(digest)
        if member is None:
            raise RawStoreError(f"no stored body {digest} under {self.root}")
        try:
            with open(member.pack, "rb") as handle:
                handle.seek(member.offset)
                stored = handle.read(member.length)
        except OSError as exc:
            raise RawStoreError(f"stored body {digest} is unreadable: {exc}") from exc
        if len(stored) != member.length:
            raise RawStoreError(f"stored body {digest} is damaged: its pack is cut short")
        return stored

    def _member(self, digest: str) -> _Member | None:
        """Where in the packs `digest` is; indexes written since the last look are read
        first, so a long-lived store sees what other processes stored meanwhile."""
        with self._index_lock:
            found = self._index.get(digest)
            if found is None and self._packs_changed():
                self._read_new_indexes()
                found = self._index.get(digest)
            return found

    def _packs_changed(self) -> bool:
        """Whether indexes were written since they were last read. Packs go into the folder
        of the day they are written, so the day folders and the newest one's indexes tell;
        listing those is cheap where reading every index again for each body looked up in
        vain would not be."""
        packs = f"{self.root}/packs"
        try:
            days = os.listdir(packs)
            newest = max(days, default="")
            names = os.listdir(f"{packs}/{newest}") if newest else []
        except OSError:
            return False  # no packs yet
        seen = (len(days), newest, frozenset(n for n in names if n.endswith(".idx")))
        changed = seen != self._packs_seen
        self._packs_seen = seen
        return changed

    def _read_new_indexes(self) -> None:
        # Oldest first, so the newest copy of a body stored twice is the one kept.
        for path in sorted(self.root.glob("packs/*/*.idx")):
            key = str(path)
            if key in self._indexes_read:
                continue
            pack = key.removesuffix(".idx") + ".pack"
            for line in path.read_text(encoding="ascii").splitlines():
                digest, offset, length = line.split()
                self._index[digest] = _Member(pack, int(offset), int(length))
            self._indexes_read.add(key)

    def _meta(self, digest: str, stored: bytes) -> dict[str, str]:
        found = _header_meta(stored[:_HEADER_BYTES])
        if found is not None:
            return found
        path = self._loose_path(digest, ".json")  # the sidecar of the first loose layout
        if not path.is_file():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def _loose_path(self, digest: str, suffix: str) -> Path:
        if not _DIGEST.fullmatch(digest):
            raise RawStoreError(f"not a sha256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / f"{digest}{suffix}"


@dataclass(frozen=True)
class _Member:
    pack: str
    offset: int
    length: int


class PackWriter:
    """The bodies of one pack while it fills: compressed by the threads that put them."""

    def __init__(self) -> None:
        self._members: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, raw: bytes, meta: Mapping[str, str | None] | None = None) -> str:
        """Add `raw` (once per pack) with its decoding metadata; return its sha256."""
        digest = content_hash(raw)
        if digest in self._members:
            return digest
        record = None
        if meta is not None:
            record = _meta_record({k: v for k, v in meta.items() if v is not None})
        data = _compress(raw, record)
        with self._lock:
            self._members.setdefault(digest, data)
        return digest

    def members(self) -> list[tuple[str, bytes]]:
        with self._lock:
            return list(self._members.items())


def _meta_record(meta: dict[str, str]) -> bytes | None:
    """The metadata as JSON for the gzip header; the URL is left out when the whole would
    not fit the header field (64 KB), since decoding needs only the type and encoding."""
    record = json.dumps(meta).encode()
    if len(record) > _MAX_FIELD:
        record = json.dumps({k: v for k, v in meta.items() if k != "url"}).encode()
    return record if len(record) <= _MAX_FIELD else None


_DIGEST = re.compile(r"[0-9a-f]{64}")

# The gzip header's extra field (FEXTRA) holds subfields of an id, a length and data.
_GZIP_MAGIC = b"\x1f\x8b\x08"
_FEXTRA = 0x04
_META_ID = b"Rs"  # our subfield: the body's metadata as JSON
_MAX_FIELD = 0xFFFF - 4  # the whole extra field's length is two bytes, id and length included
_HEADER_BYTES = 12 + 0xFFFF  # fixed header, extra-field length, extra field


def _compress(raw: bytes, record: bytes | None) -> bytes:
    # Level 3: nearly the size of the default at a third of its CPU, per page, nightly.
    packed = gzip.compress(raw, compresslevel=3, mtime=0)
    if record is None:
        return packed
    # gzip.compress writes the bare 10-byte header (no flags); the extra field comes right
    # after it, before any name or comment (RFC 1952, 2.3).
    field = _META_ID + len(record).to_bytes(2, "little") + record
    flags = bytes([packed[3] | _FEXTRA])
    return b"".join(
        (packed[:3], flags, packed[4:10], len(field).to_bytes(2, "little"), field, packed[10:])
    )


def _header_meta(head: bytes) -> dict[str, str] | None:
    """The metadata in a stored file's gzip header; None when it carries none."""
    if len(head) < 12 or not head.startswith(_GZIP_MAGIC) or not head[3] & _FEXTRA:
        return None
    extra = head[12 : 12 + int.from_bytes(head[10:12], "little")]
    at = 0
    while at + 4 <= len(extra):
        size = int.from_bytes(extra[at + 2 : at + 4], "little")
        if extra[at : at + 2] == _META_ID:
            try:
                found = json.loads(extra[at + 4 : at + 4 + size])
            except ValueError:
                return None
            return found if isinstance(found, dict) else None
        at += 4 + size
    return None


_temporary_names = random.Random()
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _write_atomic(path: str, data: bytes) -> None:
    """Write `data` under a temporary name beside `path`, then rename it into place.

    The rename is atomic, so readers see all of a file or none of it, and a crash leaves
    only a `.tmp-*` file behind, never a half-written body under its final name.
    """
    fd, tmp = _create_temporary(os.path.dirname(path), os.path.splitext(path)[1])
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _create_temporary(directory: str, suffix: str) -> tuple[int, str]:
    """A new file under a fresh name in `directory`, made (with parents) if missing.

    O_EXCL means concurrent writers, threads or processes, never share a file. The
    directory is made only after an open fails: no mkdir or stat for the common case.
    """
    for attempt in range(3):
        # Names need only differ: the process id between processes, a generator between
        # threads. (os.urandom is a system call, which hands the interpreter lock to
        # another thread: once per page, for nothing.)
        tmp = f"{directory}/.tmp-{os.getpid()}-{_temporary_names.getrandbits(64):016x}{suffix}"
        try:
            return os.open(tmp, _CREATE_FLAGS, 0o600), tmp
        except FileNotFoundError:
            if attempt == 2:
                raise
            _make_directory(directory)
        except FileExistsError:  # a clash of names: draw again
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _make_directory(directory: str) -> None:
    # Usually only the last level is missing: one mkdir, where os.makedirs would stat first.
    try:
        os.mkdir(directory)
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
    except FileExistsError:
        pass  # made by another writer meanwhile
