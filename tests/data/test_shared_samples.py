"""Conformance on the real raw samples in ../shared/data (skipped cleanly when absent).

The files are read in place, never copied. Expected counts and rates are those of the README.
"""

from __future__ import annotations

import pytest

from sseds_study.data import dataset_summary, load_dataset

pytestmark = pytest.mark.shared


def test_criteo_dac_8k(shared, cache):
    d = shared / "criteo_dac_8k"
    ds = load_dataset("criteo", cache_dir=cache, progress=False, train=d / "criteo_kaggle_8k_train.tsv",
                      valid=d / "criteo_kaggle_8k_valid.tsv", test=d / "criteo_kaggle_8k_test.tsv")
    assert ds.manifest["rows"] == {"train": 7200, "valid": 409, "test": 391}
    assert ds.num_fields == 39 and ds.ids.shape == (8000, 39)
    assert ds.labels.mean() == pytest.approx(0.216, abs=0.01)
    assert all(f["format"] == "dac" for f in ds.manifest["source"]["files"])
    summary = dataset_summary(ds)
    assert (summary["vocab_size"] >= 2).all()  # every field keeps at least one value besides OOV
    assert ds.manifest["missing_rates"]["I12"] > 0.5  # I12 is mostly empty in DAC


def test_criteo_directory_is_split_by_file_names(shared, cache):
    ds = load_dataset("criteo", cache_dir=cache, progress=False, path=shared / "criteo_dac_8k")
    assert ds.manifest["rows"] == {"train": 7200, "valid": 409, "test": 391}


def test_criteo_kaggle_csv_2k(shared, cache):
    ds = load_dataset("criteo", cache_dir=cache, progress=False, min_count=2,
                      path=shared / "criteo_dac_kaggle_csv_2k" / "criteo_train.tiny.csv")
    assert len(ds) == 1999 and ds.num_fields == 39
    assert ds.manifest["source"]["files"][0]["format"] == "kaggle"
    assert sum(ds.manifest["rows"].values()) == 1999 and ds.manifest["rows"]["train"] > 1500
    assert 0.15 < ds.labels.mean() < 0.3


def test_avazu_9k(shared, cache):
    d = shared / "avazu_9k"
    ds = load_dataset("avazu", cache_dir=cache, progress=False, train=d / "avazu_9k_train.csv",
                      valid=d / "avazu_9k_valid_noheader.csv", test=d / "avazu_9k_test_noheader.csv")
    assert len(ds) == 8999 and ds.num_fields == 23
    assert ds.labels.mean() == pytest.approx(0.174, abs=0.01)
    assert ds.vocabularies["hour_of_day"][1:] == ["00"] and ds.vocabularies["weekday"][1:] == ["1"]


def test_frappe_partial_as_train_and_valid(shared, cache):
    d = shared / "frappe_x1_partial"
    ds = load_dataset("frappe", cache_dir=cache, progress=False, train=d / "frappe_x1_valid.libsvm",
                      valid=d / "frappe_x1_test.libsvm")
    assert ds.manifest["rows"] == {"train": 57722, "valid": 28860, "test": 0}
    assert ds.num_fields == 10 and ds.labels.mean() == pytest.approx(0.33, abs=0.01)
    # global ids 0..5381 become small per-field vocabularies whose sizes sum to about the id range
    assert sum(ds.vocab_sizes) - 10 <= 5382


def test_frappe_one_file_random_split(shared, cache):
    ds = load_dataset("frappe", cache_dir=cache, progress=False, path=shared / "frappe_x1_partial" /
                      "frappe_x1_test.libsvm")
    rows = ds.manifest["rows"]
    assert sum(rows.values()) == 28860 and rows["train"] / 28860 == pytest.approx(0.8, abs=0.02)
