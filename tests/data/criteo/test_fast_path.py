"""The polars fast path for Criteo-format files gives the general pipeline's encoding, array for array."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data.criteo import load_criteo, write_criteo_file


def _same(a, b):
    assert a.fields == b.fields
    assert a.vocabularies == b.vocabularies
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.split, b.split)
    assert a.manifest["missing_rates"] == b.manifest["missing_rates"]
    assert a.manifest["fields"] == b.manifest["fields"]


def _both(cache, **kwargs):
    return (load_criteo(cache_dir=cache / "a", progress=False, use_cache=False, engine="arrow", **kwargs),
            load_criteo(cache_dir=cache / "p", progress=False, use_cache=False, engine="polars", **kwargs))


def test_generated_file_encodes_identically(tmp_path):
    path = write_criteo_file(tmp_path / "train.txt", 3000, seed=3, cardinality_scale=0.001, chunk_rows=1000)
    a, p = _both(tmp_path, path=path, min_count=2, block_bytes=1 << 17)  # several blocks
    _same(a, p)
    assert (a.ids[:, 0] > 0).any() and (a.ids == 0).any()  # kept values and OOV both occur


def test_raw_numeric_and_per_field_min_count(tmp_path):
    path = write_criteo_file(tmp_path / "train.txt", 1500, seed=4, cardinality_scale=0.001)
    _same(*_both(tmp_path, path=path, numeric="raw", min_count={"default": 3, "C1": 1}))


def test_irregular_values_fall_back_or_match(tmp_path):
    # spaces around integers, a non-hex category, an upper-case one: exact either way
    rows = ["1\t 5\t3\t\t" + "\t".join(["7"] * 10) + "\t" + "\t".join(["ABCDEF12", "zz", ""] + ["0000abcd"] * 23),
            "0\t12\t-1\t0\t" + "\t".join(["2"] * 10) + "\t" + "\t".join(["abcdef12", "zz", "x y"] + ["0000abcd"] * 23)]
    path = tmp_path / "train.txt"
    path.write_text("\n".join(rows * 20) + "\n")
    _same(*_both(tmp_path, path=path, min_count=1))


def test_bad_input_is_reported_by_the_general_path(tmp_path):
    path = tmp_path / "train.txt"
    good = "0\t" + "\t".join(["1"] * 13) + "\t" + "\t".join(["0000abcd"] * 26)
    path.write_text(good + "\n" + good.replace("0\t", "1\tx", 1) + "\n")  # I1 = "x1"
    with pytest.raises(Exception) as fast:
        load_criteo(path=path, cache_dir=tmp_path / "p", progress=False, use_cache=False, engine="polars")
    with pytest.raises(Exception) as general:
        load_criteo(path=path, cache_dir=tmp_path / "a", progress=False, use_cache=False, engine="arrow")
    assert str(fast.value) == str(general.value) and "line 2" in str(fast.value)


@pytest.mark.shared
@pytest.mark.parametrize("sample", ["criteo_dac_8k", "criteo_dac_kaggle_csv_2k"])
def test_real_samples_encode_identically(shared, tmp_path, sample):
    d = shared / sample
    if sample == "criteo_dac_8k":
        kwargs = {"train": d / "criteo_kaggle_8k_train.tsv", "valid": d / "criteo_kaggle_8k_valid.tsv",
                  "test": d / "criteo_kaggle_8k_test.tsv"}
    else:
        kwargs = {"path": d / "criteo_train.tiny.csv"}
    _same(*_both(tmp_path, min_count=2, **kwargs))
