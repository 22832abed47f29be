"""The raw page store: every fetched body, kept so articles can be rebuilt without refetching.

Bodies are content-addressed (sha256 of the raw bytes), gzip-compressed and sharded as
`<root>/ab/cd/<hash>.gz`. What is needed to decode a body again (content type, encoding
used, URL) travels as JSON in an extra field of its gzip header (RFC 1952), which every gzip
reader skips: one file per page, because creating files is most of the cost of storing one.
Bodies stored earlier, or without metadata at first, have it in a `<hash>.json` beside them,
which is read as before. Writes are atomic (temporary file + rename), so a crash never leaves
a half-written body under its final name.

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
from collections.abc import Mapping
from dataclasses import dataclass
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
    """Content-addressed, compressed storage of raw page bodies under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, raw: bytes, meta: Mapping[str, str | None] | None = None) -> str:
        """Store `raw` (once) with its decoding metadata; return its sha256."""
        digest = content_hash(raw)
        # Plain strings and os calls: this runs once per fetched page, and pathlib's objects
        # cost more CPU than the file system calls themselves.
        directory = f"{self.root}/{digest[:2]}/{digest[2:4]}"
        body_path = f"{directory}/{digest}.gz"
        meta_path = f"{directory}/{digest}.json"
        has_body = os.path.exists(body_path)
        if has_body and (meta is None or _has_meta(body_path, meta_path)):
            return digest  # the same bytes decode the same way: nothing new to write
        record = None
        if meta is not None:
            record = json.dumps({k: v for k, v in meta.items() if v is not None}).encode()
        if record is not None and (has_body or len(record) > _MAX_FIELD):
            # Stored before without it, or too long for a header field: beside the body.
            _write_atomic(meta_path, record)
            record = None
        if not has_body:
            _write_atomic(body_path, _compress(raw, record))
        return digest

    def has(self, digest: str) -> bool:
        return self._path(digest, ".gz").is_file()

    def get(self, digest: str) -> bytes:
        return self._load(digest)[0]

    def meta(self, digest: str) -> dict[str, str]:
        try:
            with self._path(digest, ".gz").open("rb") as handle:
                head = handle.read(_HEADER_BYTES)
        except OSError:
            head = b""
        return self._meta(digest, head)

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

    def _load(self, digest: str) -> tuple[bytes, bytes]:
        """The body and the stored (compressed) file it came from."""
        path = self._path(digest, ".gz")
        try:
            stored = path.read_bytes()
            raw = gzip.decompress(stored)
        except FileNotFoundError as exc:
            raise RawStoreError(f"no stored body {digest} under {self.root}") from exc
        except (OSError, EOFError) as exc:
            raise RawStoreError(f"stored body {digest} is damaged: {exc}") from exc
        if content_hash(raw) != digest:
            raise RawStoreError(f"stored body {digest} is damaged: hash does not match")
        return raw, stored

    def _meta(self, digest: str, head: bytes) -> dict[str, str]:
        found = _header_meta(head)
        if found is not None:
            return found
        path = self._path(digest, ".json")
        if not path.is_file():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def _path(self, digest: str, suffix: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise RawStoreError(f"not a sha256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest[2:4] / f"{digest}{suffix}"


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


def _has_meta(body_path: str, meta_path: str) -> bool:
    try:
        with open(body_path, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
    except OSError:
        return False
    return _header_meta(head) is not None or os.path.exists(meta_path)


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
