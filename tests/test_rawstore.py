from __future__ import annotations

import codecs
import gzip
import hashlib
import shutil
from pathlib import Path

import pytest

from rasd.rawstore import RawStore, RawStoreError, UndecodableBody, decode_html

ARABIC = "قصف مدفعي على أطراف القرية صباح اليوم وأنباء عن جرحى بين السكان."


def page(meta: str = "", body: str = ARABIC) -> str:
    return f"<html><head>{meta}<title>عنوان</title></head><body><p>{body}</p></body></html>"


# ---------------------------------------------------------------------------- store


def test_put_get_roundtrip_sharded_and_compressed(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page(body=ARABIC * 50).encode()
    digest = store.put(raw, {"content_type": "text/html", "encoding": "utf-8", "url": None})
    assert digest == hashlib.sha256(raw).hexdigest()
    path = tmp_path / digest[:2] / digest[2:4] / f"{digest}.gz"
    assert path.is_file()
    assert path.stat().st_size < len(raw) / 5
    assert gzip.decompress(path.read_bytes()) == raw
    assert store.has(digest) and store.get(digest) == raw
    assert store.meta(digest) == {"content_type": "text/html", "encoding": "utf-8"}
    assert not list(tmp_path.rglob(".tmp-*"))


def test_put_is_idempotent(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    assert store.put(b"<p>x</p>") == store.put(b"<p>x</p>")
    assert len(list(tmp_path.rglob("*.gz"))) == 1


def test_put_remakes_a_shard_directory_removed_in_between(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    first = store.put(b"<p>one</p>")
    shutil.rmtree(tmp_path / first[:2])
    assert store.put(b"<p>one</p>", {"content_type": "text/html"}) == first
    assert store.get(first) == b"<p>one</p>"
    assert store.meta(first) == {"content_type": "text/html"}


def test_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = b"<p>blocked</p>"
    digest = hashlib.sha256(raw).hexdigest()
    (tmp_path / digest[:2] / digest[2:4] / f"{digest}.json").mkdir(parents=True)
    long_url = "https://example.com/" + "a" * 70_000  # too long for the gzip header
    with pytest.raises(OSError):  # a directory in the way of the sidecar: the rename fails
        store.put(raw, {"url": long_url})
    assert not list(tmp_path.rglob(".tmp-*"))


def test_metadata_travels_in_the_gzip_header(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page().encode("windows-1256")
    meta = {"url": "https://example.com/a", "content_type": "text/html", "encoding": "cp1256"}
    digest = store.put(raw, meta)
    shard = tmp_path / digest[:2] / digest[2:4]
    assert [p.name for p in shard.iterdir()] == [f"{digest}.gz"]
    stored = (shard / f"{digest}.gz").read_bytes()
    assert gzip.decompress(stored) == raw  # any gzip reader skips the extra field
    with gzip.open(shard / f"{digest}.gz") as handle:
        assert handle.read() == raw
    assert store.meta(digest) == meta
    assert store.get_html(digest).encoding == "cp1256"


def test_oversized_metadata_goes_beside_the_body(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page().encode()
    meta = {"url": "https://example.com/" + "b" * 70_000, "encoding": "utf-8"}
    digest = store.put(raw, meta)
    assert (tmp_path / digest[:2] / digest[2:4] / f"{digest}.json").is_file()
    assert store.meta(digest) == meta and store.get(digest) == raw


def test_metadata_added_to_a_body_stored_without_it(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page().encode("windows-1256")
    digest = store.put(raw)
    assert store.meta(digest) == {}
    store.put(raw, {"content_type": "text/html", "encoding": "cp1256"})
    assert store.meta(digest) == {"content_type": "text/html", "encoding": "cp1256"}
    store.put(raw, {"content_type": "text/html", "encoding": "utf-8"})  # the first one stays
    assert store.meta(digest)["encoding"] == "cp1256"


def test_reads_bodies_stored_with_a_json_sidecar(tmp_path: Path) -> None:
    # The layout written before metadata moved into the gzip header.
    raw = page().encode("windows-1256")
    digest = hashlib.sha256(raw).hexdigest()
    shard = tmp_path / digest[:2] / digest[2:4]
    shard.mkdir(parents=True)
    (shard / f"{digest}.gz").write_bytes(gzip.compress(raw))
    (shard / f"{digest}.json").write_text('{"content_type": "text/html", "encoding": "cp1256"}')
    store = RawStore(tmp_path)
    assert store.get(digest) == raw
    assert store.meta(digest) == {"content_type": "text/html", "encoding": "cp1256"}
    decoded = store.get_html(digest)
    assert decoded.encoding == "cp1256" and ARABIC in decoded.html
    assert store.put(raw, {"encoding": "utf-8"}) == digest  # already complete: left alone
    assert store.meta(digest)["encoding"] == "cp1256"


def test_missing_bad_and_damaged_bodies(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    absent = "a" * 64
    assert not store.has(absent)
    with pytest.raises(RawStoreError, match="no stored body"):
        store.get(absent)
    with pytest.raises(RawStoreError, match="not a sha256"):
        store.get("../../etc/passwd")
    digest = store.put(b"<p>good</p>")
    path = tmp_path / digest[:2] / digest[2:4] / f"{digest}.gz"
    path.write_bytes(gzip.compress(b"<p>tampered</p>"))
    with pytest.raises(RawStoreError, match="hash does not match"):
        store.get(digest)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(RawStoreError, match="damaged"):
        store.get(digest)


def test_get_html_decodes_as_fetch_did(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page().encode("windows-1256")
    digest = store.put(raw, {"content_type": "text/html; charset=windows-1256"})
    decoded = store.get_html(digest)
    assert ARABIC in decoded.html and decoded.encoding == "cp1256"
    recorded = store.put(raw, {"content_type": "text/html", "encoding": "cp1256"})
    assert store.get_html(recorded).html == decoded.html


# ------------------------------------------------------------------------- charsets


def test_header_charset() -> None:
    decoded = decode_html(page().encode("windows-1256"), "text/html; charset=windows-1256")
    assert (decoded.encoding, ARABIC in decoded.html) == ("cp1256", True)


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1256">',
        "<meta charset=windows-1256>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
    ],
)
def test_meta_charset(meta: str) -> None:
    decoded = decode_html(page(meta).encode("windows-1256"), "text/html")
    assert (decoded.encoding, ARABIC in decoded.html) == ("cp1256", True)


def test_header_wins_over_meta() -> None:
    raw = page('<meta charset="windows-1256">').encode("utf-8")
    decoded = decode_html(raw, "text/html; charset=utf-8")
    assert decoded.encoding == "utf-8" and ARABIC in decoded.html


def test_wrong_declaration_falls_through_to_one_that_fits() -> None:
    raw = page('<meta charset="windows-1256">').encode("windows-1256")
    decoded = decode_html(raw, "text/html; charset=utf-8")  # the header lies
    assert decoded.encoding == "cp1256" and ARABIC in decoded.html


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16"])
def test_byte_order_mark(codec: str) -> None:
    decoded = decode_html(page().encode(codec), None)
    assert ARABIC in decoded.html
    assert not decoded.html.startswith("\ufeff")


def test_bom_wins_over_a_wrong_header() -> None:
    raw = codecs.BOM_UTF8 + page().encode("utf-8")
    decoded = decode_html(raw, "text/html; charset=windows-1256")
    assert decoded.encoding == "utf-8" and ARABIC in decoded.html


def test_undeclared_windows_1256_is_detected() -> None:
    raw = page(body=ARABIC * 4).encode("windows-1256")
    decoded = decode_html(raw, "text/html")
    assert decoded.encoding == "cp1256" and ARABIC in decoded.html


def test_latin1_label_means_windows_1252() -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body>caf\u00e9 \u201cquoted\u201d</body>'
    raw = html.encode("cp1252")
    decoded = decode_html(raw, None)
    assert decoded.encoding == "cp1252" and "\u201cquoted\u201d" in decoded.html


def test_a_few_bad_bytes_in_declared_utf8_are_replaced() -> None:
    raw = page(body=ARABIC * 20).encode("utf-8").replace(b"</p>", b"\xff</p>")
    decoded = decode_html(raw, "text/html; charset=utf-8")
    assert decoded.encoding == "utf-8" and ARABIC in decoded.html


def test_binary_is_undecodable() -> None:
    with pytest.raises(UndecodableBody):
        decode_html(b"\x00\x01\x02\x03" + bytes(range(256)) * 8, "text/html")
