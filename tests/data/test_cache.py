"""The on-disk cache of encoded datasets: round trip, cache key, atomic save, manifest."""

from __future__ import annotations

import json

import numpy as np
import pytest
from datahelpers import column_stream, encoded_entries

from sseds_study.data import cache as cache_module
from sseds_study.data.cache import build_or_load, cache_key, load_encoded, save_encoded
from sseds_study.data.encode import OOV
from sseds_study.data.raw import RawField


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
