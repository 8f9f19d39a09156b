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
    TuneConfig,
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


# -- one check per setting: seeds, finite numbers --------------------------------------------------------
@pytest.mark.parametrize("seed", [-1, 2**63, 2**64, 18446744073709551616, True, 1.5, "3"])
def test_a_seed_outside_what_torch_and_numpy_take_is_refused(seed):
    """torch.manual_seed overflows past 2**64 - 1 and numpy's generators take no negative seed; a seed is
    0 .. 2**63 - 1 (it is also stored in int64 result columns), in every config that holds one."""
    for make, owner in ((lambda s: TrainConfig(seed=s), "train.seed"), (lambda s: DataConfig(split_seed=s),
                        "data.split_seed"), (lambda s: TuneConfig(lr=(0.1,), seed=s), "tune.seed")):
        with pytest.raises(ConfigError, match=rf"^{owner}: expected an integer seed from 0 to 2\*\*63 - 1; got "):
            make(seed)


def test_the_largest_seed_is_taken_by_torch_and_numpy():
    import numpy as np
    import torch

    from sseds_study.config.settings import SEED_LIMIT
    from sseds_study.train import seed_everything

    seed = TrainConfig(seed=SEED_LIMIT - 1).seed
    seed_everything(seed)
    torch.Generator().manual_seed(seed)
    np.random.default_rng(seed)
    assert TrainConfig(seed=0).seed == 0


@pytest.mark.parametrize("data, message", [
    ({"lr": float("inf")}, "train.lr: expected a positive value; got inf (not a finite number)"),
    ({"weight_decay": float("inf")}, "train.weight_decay: expected a non-negative value; got inf"),
    ({"lr": float("nan")}, "train.lr: expected a positive value; got nan"),
])
def test_an_infinite_rate_or_decay_is_refused(data, message):
    with pytest.raises(ConfigError) as err:
        from_dict(TrainConfig, data)
    assert message in str(err.value)


@pytest.mark.parametrize("data, message", [
    ({"emb_dims": [[1]]}, "model.emb_dims: every width must be an integer in 0..16; got [1]"),
    ({"emb_dims": [1.5]}, "model.emb_dims: every width must be an integer in 0..16; got 1.5"),
])
def test_widths_are_integers(data, message):
    with pytest.raises(ConfigError) as err:
        from_dict(ModelConfig, data)
    assert message in str(err.value)


@pytest.mark.parametrize("lr", [[[1]], ["abc"], [float("inf")]])
def test_tuning_grid_values_are_checked_before_conversion(lr):
    with pytest.raises(ConfigError, match=r"^tune.lr: expected a positive value"):
        from_dict(TuneConfig, {"lr": lr})


def test_unknown_settings_of_mixed_types_are_listed():
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) 1, colour; known"):
        from_dict(TrainConfig, {1: "a", "colour": "red"})
