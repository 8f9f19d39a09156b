"""analysis/pretrain_settings.py: chapter 02's settings table is the profile's configuration, and the
facts of its tuning are counted from a small grid built here (each computed by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sseds_study.analysis.pretrain_settings import architecture, settings_table, tuning_facts
from sseds_study.config import DataConfig, ModelConfig, TrainConfig
from sseds_study.config.settings import SearchConfig, TuneConfig
from sseds_study.study.profile import StudyConfig

GRID = TuneConfig(lr=(0.002, 0.005), emb_weight_decay=(0.0, 1e-4, 1e-3))


def _study(tune: TuneConfig | None = GRID, split_per_seed: bool = True) -> StudyConfig:
    return StudyConfig(name="t", datasets=(DataConfig(name="movielens100k"),), models=("FM", "DCN"),
                       methods=("full",), budgets=(0.1,), seeds=(3, 4, 5),
                       model=ModelConfig(name="FM", emb_dim=8, hidden_dims=(32, 16), cross_layers=3),
                       train=TrainConfig(batch_size=4096, max_epochs=12, patience=3),
                       search=SearchConfig(num_batches=7), split_per_seed=split_per_seed, tune=tune)


def _chosen() -> pd.DataFrame:
    return pd.DataFrame({"dataset": ["movielens100k"] * 2, "model": ["FM", "DCN"], "lr": [0.005, 0.002],
                         "emb_weight_decay": [1e-4, 0.0]})


def test_the_settings_table_is_the_profiles_configuration():
    table = settings_table(_study(), _chosen())
    values = dict(zip(table.source["setting"], table.source["value"], strict=True))
    assert values["base width D"] == "8" and values["batch size"] == "4,096" and values["max epochs"] == "12"
    assert values["early stopping"] == "after 3 epochs without a better validation AUC"
    assert values["optimizer"] == "Adam"
    assert values["split (train / validation / test)"] == "80% / 10% / 10%, per seed"
    assert values["seeds"] == "3" and values["saliency: scoring batches K"] == "7"
    assert values["layers: DCN"] == "3 cross layers beside an MLP 32 → 16, then one output unit; no first-order term"
    assert values["tuning grid: learning rate"] == "0.002, 0.005"
    assert values["tuning grid: embedding weight decay"] == "0, 0.0001, 0.001"
    # One dataset: the chosen point is named by the model alone.
    assert values["chosen: FM"] == "learning rate 0.005, embedding weight decay 0.0001"
    assert values["chosen: DCN"] == "learning rate 0.002, embedding weight decay 0"
    assert "one seed (seed 3)" in table.note  # the study's first seed when the tuning names none


def test_without_tuning_the_table_gives_the_training_settings():
    table = settings_table(_study(tune=None, split_per_seed=False), None)
    values = dict(zip(table.source["setting"], table.source["value"], strict=True))
    assert values["learning rate"] == "0.001" and values["embedding weight decay"] == "0"
    assert values["split (train / validation / test)"] == "80% / 10% / 10%"
    assert not any(s.startswith("chosen") for s in values) and "tunes nothing" in table.note


def test_architecture_reads_the_model_configuration():
    cfg = ModelConfig(hidden_dims=(64, 32))
    assert architecture("DeepFM", cfg) == "FM beside an MLP 64 → 32 → 1"
    assert architecture("FM", cfg).endswith("no hidden layer")
    assert architecture("Unknown", cfg) == "Unknown"


def test_tuning_facts_by_hand():
    study = _study()
    # FM chose (0.005, 1e-4): 0.010 above (0.005, 0); DCN chose (0.002, 0), an edge of the decays, gain 0.
    grid = pd.DataFrame([
        {"dataset": "d", "model": "FM", "lr": 0.005, "emb_weight_decay": 0.0, "valid_auc": 0.770, "chosen": False},
        {"dataset": "d", "model": "FM", "lr": 0.005, "emb_weight_decay": 1e-4, "valid_auc": 0.780, "chosen": True},
        {"dataset": "d", "model": "FM", "lr": 0.002, "emb_weight_decay": 0.0, "valid_auc": 0.760, "chosen": False},
        {"dataset": "d", "model": "DCN", "lr": 0.002, "emb_weight_decay": 0.0, "valid_auc": 0.775, "chosen": True},
        {"dataset": "d", "model": "DCN", "lr": 0.005, "emb_weight_decay": 1e-3, "valid_auc": 0.770, "chosen": False},
    ])
    summary = pd.DataFrame({"model": ["FM", "FM", "DCN"], "epochs": [7, 12, 12]})
    facts = tuning_facts(study, grid, summary)
    assert facts["tune_lr_count"] == 2 and facts["tune_lr_top"] == "0.005"
    assert facts["tune_lr_at_top"] == 1 and facts["tune_chosen"] == 2
    assert facts["tune_decay_at_edge"] == 1  # DCN's 0 is the grid's smallest decay; FM's 1e-4 is inside
    assert facts["tune_gain_min"] == pytest.approx(0.0) and facts["tune_gain_max"] == pytest.approx(0.010)
    assert facts["capped_runs"] == 2 and facts["full_runs"] == 3  # two runs reached max_epochs 12
    assert facts["longest_run"] == 12 and facts["longest_model"] == "FM"  # the first of the longest
    assert facts["max_epochs"] == 12 and facts["patience"] == 3


def test_a_chosen_point_without_its_no_decay_twin_gives_no_gain():
    study = _study()
    grid = pd.DataFrame([{"dataset": "d", "model": "FM", "lr": 0.005, "emb_weight_decay": 1e-3, "valid_auc": 0.78,
                          "chosen": True}])
    facts = tuning_facts(study, grid, pd.DataFrame({"model": ["FM"], "epochs": [5]}))
    assert math.isnan(facts["tune_gain_min"]) and math.isnan(facts["tune_gain_max"])
    assert facts["tune_decay_at_edge"] == 1 and facts["capped_runs"] == 0
