"""The on-disk cache of encoded datasets: round trip, cache key, atomic save, manifest; keys by content,
repair of damaged entries."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from datahelpers import column_stream, encoded_entries

from sseds_study.data import cache as cache_module
from sseds_study.data import load_dataset, manifest_checksum
from sseds_study.data.cache import build_or_load, cache_key, cached_sha256, load_encoded, save_encoded
from sseds_study.data.download import file_digest as real_digest
from sseds_study.data.encode import OOV
from sseds_study.data.raw import RawField
from sseds_study.data.table import load_table


def _build(cache, columns, labels, **kw):
    return build_or_load("toy", stream=column_stream(columns, labels), fields=[RawField(k) for k in columns],
                         cache_dir=cache, options=kw.pop("options", {}), source={"generator": "test"},
                         source_checksums=kw.pop("checksums", {}), progress=False, **kw)


def test_cache_round_trip_and_key(cache):
    cols = {"a": np.array(list("abcabcabca"), dtype=object)}
    ds = _build(cache, cols, np.arange(10) % 2)
    assert not ds.from_cache and ds.cache_path
    again = _build(cache, cols, np.arange(10) % 2)
    assert again.from_cache
    assert np.array_equal(again.ids, ds.ids) and again.manifest == json.loads(json.dumps(ds.manifest))
    assert again.vocabularies == ds.vocabularies and again.fields == ds.fields
    assert cache_key("toy", {"x": 1}, {}) != cache_key("toy", {"x": 2}, {})
    assert cache_key("toy", {"x": 1}, {"f": "aa"}) != cache_key("toy", {"x": 1}, {"f": "bb"})
    other = _build(cache, cols, np.arange(10) % 2, min_count=2)
    assert not other.from_cache and other.cache_path != ds.cache_path


def test_second_load_does_not_parse(cache, monkeypatch):
    cols = {"a": np.array(list("abcabcabca"), dtype=object)}
    _build(cache, cols, np.zeros(10))

    def boom(*a, **k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(cache_module, "encode_stream", boom)
    assert _build(cache, cols, np.zeros(10)).from_cache


def test_failed_save_leaves_no_directory(cache, monkeypatch):
    cols = {"a": np.array(list("abcabcabca"), dtype=object)}
    ds = _build(cache, cols, np.zeros(10), use_cache=False)

    def broken(path, arr):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken)
    with pytest.raises(OSError):
        save_encoded(ds, cache / "encoded" / "toy-x")
    assert encoded_entries(cache) == []
    monkeypatch.undo()
    save_encoded(ds, cache / "encoded" / "toy-x")
    assert encoded_entries(cache) == ["toy-x"]
    assert load_encoded(cache / "encoded" / "toy-x", mmap=True).ids.shape == ds.ids.shape


def test_manifest_contents(cache):
    cols = {"a": np.array(list("abcabcabca") * 5, dtype=object)}
    ds = _build(cache, cols, np.arange(50) % 2)
    m = ds.manifest
    assert m["dataset"] == "toy" and sum(m["rows"].values()) == 50
    assert set(m["positive_rate"]) == {"train", "valid", "test"}
    assert m["vocab_sizes"] == {"a": 4} and m["missing_rates"] == {"a": 0.0}
    assert m["options"]["min_count"] == 1 and m["options"]["split_seed"] == 2022
    assert ds.vocabularies["a"][0] == OOV


# -- keyed by content; damaged entries rebuilt -----------------------------------------------------------
def test_keys_of_unchanged_inputs_stay_as_they_were(tmp_path, cache):
    """Cache keys and manifest checksums (the data_manifest_sha of result rows) of these inputs, as the
    code before content-keyed checksums computed them: existing caches and results stay valid."""
    (tmp_path / "t.csv").write_text("y,user,price,tags\n1,u1,3,a|b\n0,u2,7,b\n1,u1,12,\n0,u3,1,c|a\n")
    t = load_dataset("table", cache_dir=cache, progress=False, path=tmp_path / "t.csv", label="y",
                     categorical=["user"], numeric=["price"], multi=["tags"])
    s = load_dataset("synthetic", cache_dir=cache, progress=False, rows=500, seed=1, ranks=[2, 1, 0])
    assert Path(t.cache_path).name == "table-d93f0c97aa60ec67" and manifest_checksum(t.manifest)[:16] == "b3cad56a770e7a79"
    assert Path(s.cache_path).name == "synthetic-5df61f180824772f"
    assert manifest_checksum(s.manifest)[:16] == "7a91ddd881aee1b6"


def test_a_file_changed_with_the_same_size_and_mtime_is_encoded_again(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(cache_module, "SETTLED_SECONDS", 0.0)  # remember hashes of files written just now
    path = tmp_path / "t.csv"
    path.write_text("y,a\n1,x\n0,y\n1,x\n")
    stamp = path.stat().st_mtime_ns
    time.sleep(0.05)  # the file's change time is now in the past: its hash is remembered
    first = load_table(path=path, label="y", categorical="a", cache_dir=cache, progress=False)
    hashed = []
    monkeypatch.setattr(cache_module, "file_digest", lambda p, a: hashed.append(p) or real_digest(p, a))
    assert load_table(path=path, label="y", categorical="a", cache_dir=cache, progress=False).from_cache
    assert hashed == []  # remembered, not hashed again
    path.write_text("y,a\n1,q\n0,y\n1,q\n")  # same size
    os.utime(path, ns=(stamp, stamp))  # and the same modification time
    again = load_table(path=path, label="y", categorical="a", cache_dir=cache, progress=False)
    assert hashed and not again.from_cache and again.cache_path != first.cache_path
    assert again.vocabularies["a"][1:] == ["q", "y"]


def test_a_file_written_just_now_is_hashed_again_next_time(tmp_path, cache, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    hashed = []
    monkeypatch.setattr(cache_module, "file_digest", lambda p, a: hashed.append(p) or real_digest(p, a))
    assert cached_sha256(path, cache) == cached_sha256(path, cache) == hashlib.sha256(b"abc").hexdigest()
    assert len(hashed) == 2  # too fresh to tell from a write in the same clock tick: not remembered


@pytest.mark.parametrize("damage", ["truncated", "foreign", "junk", "file", "no_manifest"])
def test_a_damaged_entry_is_reported_and_encoded_again(cache, capsys, damage):
    cols = {"a": np.array(list("abcabcabca"), dtype=object)}
    good = _build(cache, cols, np.arange(10) % 2)
    entry = Path(good.cache_path)
    if damage == "truncated":
        data = (entry / "ids.npy").read_bytes()
        (entry / "ids.npy").write_bytes(data[: len(data) - 20])
    elif damage == "foreign":  # another dataset's entry copied under this name
        other = _build(cache, cols, np.arange(10) % 2, min_count=2)
        shutil.rmtree(entry)
        shutil.copytree(other.cache_path, entry)
    elif damage == "junk":
        (entry / "manifest.json").write_text('{"dataset": "toy"')
    elif damage == "file":
        shutil.rmtree(entry)
        entry.write_text("not a folder")
    else:
        (entry / "manifest.json").unlink()
    capsys.readouterr()
    again = _build(cache, cols, np.arange(10) % 2)
    assert not again.from_cache and np.array_equal(again.ids, good.ids)
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(entry) in err and "damaged encoded cache" in err
    assert _build(cache, cols, np.arange(10) % 2).from_cache  # repaired for good
    assert not [p for p in (cache / "encoded").iterdir() if p.name.startswith(".")]  # nothing left over


def test_a_cache_that_cannot_be_written_is_skipped_with_a_notice(cache, monkeypatch, capsys):
    cols = {"a": np.array(list("abcabcabca"), dtype=object)}

    def full(path, arr):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(np, "save", full)
    ds = _build(cache, cols, np.zeros(10))
    assert len(ds) == 10 and ds.cache_path is None and encoded_entries(cache) == []
    assert "cannot write the encoded cache (No space left on device); using the data uncached" in capsys.readouterr().err
    monkeypatch.undo()
    assert not _build(cache, cols, np.zeros(10)).from_cache and encoded_entries(cache)


# -- content checked against checksums written with the entry ------------------------------------------
def _entry(cache, rows=200):
    cols = {"a": np.array([f"v{i % 7}" for i in range(rows)], dtype=object), "b": np.array(
        [f"w{i % 3}" for i in range(rows)], dtype=object)}
    labels = np.arange(rows) % 2
    good = _build(cache, cols, labels)
    return cols, labels, good, Path(good.cache_path)


def _body(path: Path) -> int:
    """Where the data of a .npy file start (after the header)."""
    with open(path, "rb") as fh:
        np.lib.format.read_magic(fh)
        np.lib.format.read_array_header_1_0(fh)
        return fh.tell()


@pytest.mark.parametrize("array", ["ids", "labels", "split"])
@pytest.mark.parametrize("damage", ["zeroed", "random"])
def test_an_array_damaged_in_place_is_found_by_its_checksum(cache, capsys, array, damage):
    """Same size, header intact: the shape check passes; the content does not."""
    cols, labels, good, entry = _entry(cache)
    path = entry / f"{array}.npy"
    data = bytearray(path.read_bytes())
    start = _body(path)
    if damage == "zeroed":
        data[start:] = bytes(len(data) - start)
    else:
        data[start + 7:start + 60] = np.random.default_rng(1).integers(0, 256, 53, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    capsys.readouterr()
    again = _build(cache, cols, labels)
    assert not again.from_cache and np.array_equal(again.ids, good.ids) and np.array_equal(again.split, good.split)
    err = capsys.readouterr().err.strip()
    assert err == (f"sseds: {entry}: damaged encoded cache ({array}.npy: its content does not match the checksum "
                   "recorded when it was written); encoding the data again")
    assert _build(cache, cols, labels).from_cache  # repaired for good


def test_the_checksums_are_in_the_file_not_in_the_dataset_manifest(cache):
    cols, labels, good, entry = _entry(cache)
    on_disk = json.loads((entry / "manifest.json").read_text())["array_checksums"]
    for name in ("ids.npy", "labels.npy", "split.npy"):
        assert on_disk[name] == {"bytes": (entry / name).stat().st_size,
                                 "sha256": hashlib.sha256((entry / name).read_bytes()).hexdigest()}
    loaded = load_encoded(entry)
    assert "array_checksums" not in loaded.manifest and loaded.manifest == json.loads(json.dumps(good.manifest))
    assert manifest_checksum(loaded.manifest) == manifest_checksum(good.manifest)


@pytest.mark.parametrize("mmap", [False, True])
def test_load_checks_the_content_with_or_without_mmap(cache, mmap):
    _, _, good, entry = _entry(cache)
    loaded = load_encoded(entry, mmap=mmap)
    assert np.array_equal(loaded.ids, good.ids) and loaded.ids.dtype == np.int64 and loaded.ids.flags.c_contiguous
    assert isinstance(loaded.ids, np.memmap) == mmap
    path = entry / "ids.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(cache_module.CacheError, match=r"ids.npy: its content does not match the checksum"):
        load_encoded(entry, mmap=mmap)


def test_an_entry_written_before_checksums_is_encoded_again_once(cache, capsys):
    cols, labels, good, entry = _entry(cache)
    manifest = json.loads((entry / "manifest.json").read_text())
    del manifest["array_checksums"]
    (entry / "manifest.json").write_text(json.dumps(manifest))
    capsys.readouterr()
    again = _build(cache, cols, labels)
    assert not again.from_cache and np.array_equal(again.ids, good.ids)
    assert capsys.readouterr().err.strip() == (f"sseds: {entry}: encoded cache written by an older version, without "
                                               "checksums of its arrays; encoding the data again")
    assert _build(cache, cols, labels).from_cache


def test_an_entry_honours_the_umask(cache):
    old = os.umask(0o022)
    try:
        _, _, _, entry = _entry(cache)
    finally:
        os.umask(old)
    assert entry.stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0700: others sharing the cache can read it
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in entry.iterdir())
