from __future__ import annotations

import codecs
import gzip
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rasd.rawstore import RawStore, RawStoreError, UndecodableBody, _compress, decode_html

ARABIC = "قصف مدفعي على أطراف القرية صباح اليوم وأنباء عن جرحى بين السكان."


def page(meta: str = "", body: str = ARABIC) -> str:
    return f"<html><head>{meta}<title>عنوان</title></head><body><p>{body}</p></body></html>"


# ---------------------------------------------------------------------------- store


def only_pack(root: Path) -> tuple[Path, list[tuple[str, int, int]]]:
    """The single pack under `root` and its index entries."""
    (index,) = root.glob("packs/*/*.idx")
    entries = []
    for line in index.read_text(encoding="ascii").splitlines():
        digest, offset, length = line.split()
        entries.append((digest, int(offset), int(length)))
    return index.with_suffix(".pack"), entries


def test_put_get_roundtrip_packed_and_compressed(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page(body=ARABIC * 50).encode()
    digest = store.put(raw, {"content_type": "text/html", "encoding": "utf-8", "url": None})
    assert digest == hashlib.sha256(raw).hexdigest()
    pack, entries = only_pack(tmp_path)
    assert entries == [(digest, 0, pack.stat().st_size)]
    assert pack.stat().st_size < len(raw) / 5
    assert gzip.decompress(pack.read_bytes()) == raw  # any gzip reader skips the extra field
    assert store.has(digest) and store.get(digest) == raw
    assert store.meta(digest) == {"content_type": "text/html", "encoding": "utf-8"}
    assert not list(tmp_path.rglob(".tmp-*"))


def test_a_batch_from_many_threads_is_one_pack(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    bodies = [page(body=f"{ARABIC} {n}").encode() for n in range(300)]
    with store.pack() as writer, ThreadPoolExecutor(max_workers=8) as pool:
        digests = list(pool.map(lambda raw: writer.put(raw, {"encoding": "utf-8"}), bodies))
        writer.put(bodies[0], {"encoding": "utf-8"})  # the same bytes twice: stored once
    pack, entries = only_pack(tmp_path)
    assert sorted(d for d, _, _ in entries) == sorted(digests)
    # members lie end to end in index order, and the pack reads as one gzip stream
    ends = [offset + length for _, offset, length in entries]
    assert [offset for _, offset, _ in entries] == [0, *ends[:-1]]
    assert ends[-1] == pack.stat().st_size
    by_digest = dict(zip(digests, bodies, strict=True))
    assert gzip.decompress(pack.read_bytes()) == b"".join(by_digest[d] for d, _, _ in entries)
    fresh = RawStore(tmp_path)
    assert all(fresh.get(d) == raw for d, raw in by_digest.items())


def test_a_pack_is_written_when_its_batch_fails(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    with pytest.raises(RuntimeError), store.pack() as writer:
        kept = writer.put(b"<p>stored before the failure</p>")
        raise RuntimeError("the batch broke off")
    assert RawStore(tmp_path).get(kept) == b"<p>stored before the failure</p>"


def test_an_empty_pack_writes_nothing(tmp_path: Path) -> None:
    with RawStore(tmp_path).pack():
        pass
    assert not (tmp_path / "packs").exists()


def test_a_body_stored_again_is_read_from_its_newest_pack(tmp_path: Path) -> None:
    raw = page().encode("windows-1256")
    digest = RawStore(tmp_path).put(raw)
    (day,) = (tmp_path / "packs").iterdir()
    day.rename(day.with_name("2000-01-01"))  # stored on an earlier night
    assert RawStore(tmp_path).meta(digest) == {}
    RawStore(tmp_path).put(raw, {"content_type": "text/html", "encoding": "cp1256"})
    store = RawStore(tmp_path)
    assert store.meta(digest) == {"content_type": "text/html", "encoding": "cp1256"}
    assert store.get_html(digest).encoding == "cp1256"


def test_a_long_lived_store_sees_packs_written_by_others(tmp_path: Path) -> None:
    reader = RawStore(tmp_path)
    first = RawStore(tmp_path).put(b"<p>one</p>")
    assert reader.get(first) == b"<p>one</p>"
    second = RawStore(tmp_path).put(b"<p>two</p>")  # another process, meanwhile
    assert reader.has(second) and reader.get(second) == b"<p>two</p>"
    assert not reader.has("b" * 64)


def test_oversized_metadata_keeps_what_decoding_needs(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    raw = page().encode("windows-1256")
    meta = {"url": "https://example.com/" + "b" * 70_000, "encoding": "cp1256"}
    digest = store.put(raw, meta)
    assert store.meta(digest) == {"encoding": "cp1256"} and store.get(digest) == raw


def test_reads_bodies_stored_one_file_each(tmp_path: Path) -> None:
    # The two layouts written before packs: metadata in the gzip header, or beside it.
    with_header = page(body="في الرأس").encode("windows-1256")
    beside = page().encode("windows-1256")
    for raw in (with_header, beside):
        digest = hashlib.sha256(raw).hexdigest()
        shard = tmp_path / digest[:2] / digest[2:4]
        shard.mkdir(parents=True)
        if raw is with_header:
            (shard / f"{digest}.gz").write_bytes(
                _compress(raw, b'{"content_type": "text/html", "encoding": "cp1256"}')
            )
        else:
            (shard / f"{digest}.gz").write_bytes(gzip.compress(raw))
            (shard / f"{digest}.json").write_text(
                '{"content_type": "text/html", "encoding": "cp1256"}'
            )
    store = RawStore(tmp_path)
    for raw in (with_header, beside):
        digest = hashlib.sha256(raw).hexdigest()
        assert store.has(digest) and store.get(digest) == raw
        assert store.meta(digest) == {"content_type": "text/html", "encoding": "cp1256"}
        decoded = store.get_html(digest)
        assert decoded.encoding == "cp1256" and decoded.html == raw.decode("cp1256")


def test_missing_bad_and_damaged_bodies(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    absent = "a" * 64
    assert not store.has(absent)
    with pytest.raises(RawStoreError, match="no stored body"):
        store.get(absent)
    with pytest.raises(RawStoreError, match="not a sha256"):
        store.get("../../etc/passwd")
    digest = store.put(b"<p>good</p>")
    pack, [(_, _, length)] = only_pack(tmp_path)
    tampered = gzip.compress(b"<p>tamper</p>", mtime=0)
    pack.write_bytes(tampered.ljust(length, b"\0")[:length])
    with pytest.raises(RawStoreError, match="damaged"):
        RawStore(tmp_path).get(digest)
    pack.write_bytes(b"not gzip at all".ljust(length, b"!"))
    with pytest.raises(RawStoreError, match="damaged"):
        RawStore(tmp_path).get(digest)
    pack.write_bytes(b"cut")
    with pytest.raises(RawStoreError, match="cut short"):
        RawStore(tmp_path).get(digest)
    pack.unlink()
    with pytest.raises(RawStoreError, match="unreadable"):
        RawStore(tmp_path).get(digest)


def test_a_tampered_body_fails_its_hash(tmp_path: Path) -> None:
    digest = RawStore(tmp_path).put(b"<p>good</p>")
    pack, _ = only_pack(tmp_path)
    other = gzip.compress(b"<p>other</p>", mtime=0)
    pack.write_bytes(other)
    index = next(tmp_path.glob("packs/*/*.idx"))
    index.write_text(f"{digest} 0 {len(other)}\n")
    with pytest.raises(RawStoreError, match="hash does not match"):
        RawStore(tmp_path).get(digest)


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
