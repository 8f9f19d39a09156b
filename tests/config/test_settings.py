"""Config dataclasses: YAML-shaped dicts in, validated, hashable; clear errors naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from sseds_study.config import (
    ConfigError,
    DataConfig,
    ModelConfig,
    SearchConfig,
    TrainConfig,
    config_hash,
    from_dict,
    load_yaml,
    to_dict,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_from_dict_coerces_lists_and_ints():
    m = from_dict(ModelConfig, {"name": "FM", "emb_dims": [4, 0, 2], "hidden_dims": [8], "emb_dim": 4})
    assert m.emb_dims == (4, 0, 2) and m.hidden_dims == (8,)
    t = from_dict(TrainConfig, {"lr": 1})
    assert isinstance(t.lr, float)


@pytest.mark.parametrize(
    "cls, data, message",
    [
        (TrainConfig, {"batch_sise": 3}, "unknown setting(s) batch_sise"),
        (TrainConfig, {"lr": "fast"}, "train.lr: expected float"),
        (TrainConfig, {"patience": 0}, "train.patience"),
        (ModelConfig, {"emb_dim": 4, "emb_dims": [5]}, "model.emb_dims"),
        (ModelConfig, {"dropout": 1.0}, "model.dropout"),
        (SearchConfig, {"estimator": "vibes"}, "search.estimator"),
        (SearchConfig, {"budget_unit": "bytes"}, "search.budget_unit"),
        (DataConfig, {"min_count": 0}, "data.min_count"),
        (DataConfig, {"options": 5}, "data.options: expected a mapping"),
        (ModelConfig, {"hidden_dims": [-4]}, "model.hidden_dims: expected positive integers; got -4"),
        (ModelConfig, {"hidden_dims": [0]}, "model.hidden_dims: expected positive integers; got 0"),
        (ModelConfig, {"hidden_dims": ["a"]}, "model.hidden_dims: expected positive integers; got 'a'"),
    ],
)
def test_bad_values_name_the_setting(cls, data, message):
    with pytest.raises(ConfigError) as err:
        from_dict(cls, data)
    assert message in str(err.value)


@pytest.mark.parametrize("data", [5, [1], "fast"])
def test_a_section_that_is_not_a_mapping(data):
    with pytest.raises(ConfigError, match=r"train: expected a mapping of settings; got"):
        from_dict(TrainConfig, data)


def test_hash_is_stable_and_sensitive():
    a = SearchConfig()
    assert config_hash(a) == config_hash(SearchConfig())
    assert config_hash(a) != config_hash(SearchConfig(estimator="fisher"))
    # option order does not matter
    assert config_hash(DataConfig(options={"a": 1, "b": 2})) == config_hash(DataConfig(options={"b": 2, "a": 1}))
    assert to_dict(ModelConfig(emb_dims=(1, 2)))["emb_dims"] == [1, 2]


def test_yaml_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as err:
        load_yaml(bad)
    assert len(str(err.value).splitlines()) == 1  # yaml's own message spans lines; the error is one
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping at the top level"):
        load_yaml(listy)


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent")
def test_dataset_protocol_default_min_count_is_kept(tmp_path):
    from sseds_study.data import load_dataset_from_config

    path = SHARED / "criteo_dac_8k" / "criteo_kaggle_8k_train.tsv"
    ds = load_dataset_from_config(DataConfig(name="criteo", options={"path": str(path)}), cache_dir=tmp_path,
                                  progress=False)
    # Criteo's protocol (docs/design.md, "Datasets"), not the generic default
    assert ds.manifest["options"]["min_count"] == 10
    ds1 = load_dataset_from_config(DataConfig(name="criteo", min_count=1, options={"path": str(path)}),
                                   cache_dir=tmp_path, progress=False)
    assert sum(ds1.vocab_sizes) > sum(ds.vocab_sizes)
