"""The public entry points: load_dataset, load_dataset_from_config, load_dataset_from_study, DATASETS,
dataset_summary."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from sseds_study.config import DataConfig
from sseds_study.data import (
    DATASETS,
    dataset_summary,
    load_dataset,
    load_dataset_from_config,
    load_dataset_from_study,
    manifest_checksum,
)
from sseds_study.data.paths import default_cache_dir, repo_root
from sseds_study.errors import ConfigError


def test_registry_names():
    assert set(DATASETS) == {"movielens100k", "movielens1m", "synthetic", "criteo", "avazu", "frappe", "table"}


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown dataset 'imagenet'.*movielens100k.*synthetic"):
        load_dataset("imagenet")


def test_unknown_option_is_a_config_error(cache):
    with pytest.raises(ConfigError, match="synthetic"):
        load_dataset("synthetic", cache_dir=cache, progress=False, colour="red")


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "d"))
    assert default_cache_dir() == tmp_path / "d"
    monkeypatch.delenv("SSEDS_DATA_DIR")
    assert default_cache_dir() == repo_root() / "data"
    assert (repo_root() / "pyproject.toml").is_file()


def test_from_config_and_summary(cache):
    cfg = DataConfig(name="synthetic", min_count=3, split_seed=7, options={"rows": 3000, "ranks": [4, 2, 0]})
    ds = load_dataset_from_config(cfg, cache_dir=cache, progress=False)
    assert ds.manifest["options"]["min_count"] == 3 and ds.manifest["options"]["split_seed"] == 7
    assert ds.num_fields == 3
    table = dataset_summary(ds)
    assert list(table.columns) == ["name", "kind", "vocab_size", "width", "missing_rate", "oov_rate_valid",
                                   "oov_rate_test"]
    assert table["vocab_size"].tolist() == ds.vocab_sizes
    assert ((table["oov_rate_valid"] >= 0) & (table["oov_rate_valid"] <= 1)).all()
    again = load_dataset_from_config(cfg, cache_dir=cache, progress=False)
    assert again.from_cache and manifest_checksum(again.manifest) == manifest_checksum(ds.manifest)


def test_from_study_uses_the_profile_entry(cache):
    cfg = DataConfig(name="synthetic", min_count=3, split_seed=7, options={"rows": 3000, "ranks": [4, 2, 0]})
    study = SimpleNamespace(name="toy", datasets=(DataConfig(name="movielens100k"), cfg))
    ds = load_dataset_from_study(study, "synthetic", cache_dir=cache, progress=False)
    direct = load_dataset_from_config(cfg, cache_dir=cache, progress=False)
    assert direct.from_cache and ds.cache_path == direct.cache_path
    with pytest.raises(ConfigError, match="study 'toy' has no dataset 'criteo'; it has movielens100k, synthetic"):
        load_dataset_from_study(study, "criteo", cache_dir=cache)
