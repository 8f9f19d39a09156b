"""The tuning stage: a grid of full-model fits, the choice on validation AUC, and the runs it sets."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from sseds_study import study as st
from sseds_study.config import ConfigError, TuneConfig, config_hash
from sseds_study.study.tune import TUNING_DIR, choose, tuning_runs
from studyhelpers import TINY, tiny

TUNE = {"lr": [0.01, 0.03], "emb_weight_decay": [0.0, 0.001]}


def tuned_tiny(**changes):
    return tiny(**({"methods": ["full", "sseds", "uniform"], "tune": TUNE} | changes))


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("tuned")
    return out, st.sweep(tuned_tiny(), out, progress=False)


def test_tune_config_validates_its_grid():
    assert TuneConfig(lr=[0.1, 0.2], emb_weight_decay=[0, 1e-3]).grid()[1] == {"lr": 0.1, "emb_weight_decay": 1e-3}
    with pytest.raises(ConfigError, match="tune.lr: expected at least one value"):
        TuneConfig(lr=[])
    with pytest.raises(ConfigError, match="tune.emb_weight_decay: expected distinct values"):
        TuneConfig(lr=[0.1], emb_weight_decay=[0.0, 0.0])
    with pytest.raises(ConfigError, match="tune.lr: expected a positive value"):
        TuneConfig(lr=[0.0])
    with pytest.raises(ConfigError, match="tune: unknown setting"):
        tiny(tune={"lr": [0.1], "momentum": [0.9]})


def test_a_tuned_study_has_no_runs_before_its_tuning():
    with pytest.raises(ConfigError, match="synthetic x FM has not been tuned yet"):
        st.expand_runs(tuned_tiny())
    grid = tuning_runs(tuned_tiny())
    assert [(s.train.lr, s.train.emb_weight_decay) for s in grid] == [(0.01, 0.0), (0.01, 0.001), (0.03, 0.0),
                                                                       (0.03, 0.001)]
    assert {s.method for s in grid} == {"full"} and {s.seed for s in grid} == {0}


def test_the_sweep_tunes_first_and_runs_everything_at_the_best_validation_point(finished):
    out, report = finished
    assert report.failed == 0
    grid = pd.read_csv(out / "tuning.csv")
    assert len(grid) == 4 and grid["chosen"].sum() == 1
    best = grid.loc[grid["valid_auc"].idxmax()]
    assert bool(best["chosen"])
    # every run (pretraining, scoring, retraining) uses the chosen point
    for spec in st.expand_runs(report.study):
        assert (spec.train.lr, spec.train.emb_weight_decay) == (best["lr"], best["emb_weight_decay"])
    assert len(report.table) == len(st.expand_runs(report.study))
    # the study saved beside the results carries the choice, so readers expand the same runs
    saved = st.saved_study(out)
    assert saved.tuned == report.study.tuned
    assert st.resolve_tuned(tuned_tiny(), out) == saved
    assert len(st.load_results(out)) == len(report.table)
    assert st.load_tuning(out).equals(grid)


def test_a_second_sweep_redoes_nothing(finished):
    out, _ = finished
    again = st.sweep(tuned_tiny(), out, progress=False)
    assert again.executed == 0 and again.skipped == len(again.table) + 4


def test_the_choice_ignores_test_metrics_and_breaks_ties_in_grid_order():
    study = tuned_tiny()
    specs = tuning_runs(study)
    rows = {s.key: {"status": "ok", "valid_auc": 0.7, "valid_logloss": 0.5, "epochs": 2, "test_auc": 0.6 + i / 10}
            for i, s in enumerate(specs)}
    tuned, frame = choose(study, rows)
    assert tuned == ({"dataset": config_hash(study.datasets[0]), "model": "FM", "lr": 0.01, "emb_weight_decay": 0.0},)
    assert frame["chosen"].tolist() == [True, False, False, False]
    rows[specs[2].key]["valid_auc"] = 0.71
    assert choose(study, rows)[0][0]["lr"] == 0.03


def test_a_failed_grid_point_is_named():
    study = tuned_tiny()
    specs = tuning_runs(study)
    rows = {s.key: {"status": "ok", "valid_auc": 0.7, "valid_logloss": 0.5, "epochs": 2} for s in specs}
    rows[specs[1].key] = {"status": "failed", "error": "RuntimeError: boom"}
    with pytest.raises(ConfigError, match=r"tuning synthetic x FM at lr=0.01, emb_weight_decay=0.001: failed: "
                                          r"RuntimeError: boom"):
        choose(study, rows)


def test_resolve_tuned_refuses_a_folder_tuned_for_other_settings(finished, tmp_path):
    out, _ = finished
    with pytest.raises(ConfigError, match="has not been tuned there yet"):
        st.resolve_tuned(tuned_tiny(), tmp_path)
    other = tuned_tiny(tune={"lr": [0.01], "emb_weight_decay": [0.0]})
    with pytest.raises(ConfigError, match="settings\nchanged|changed since"):
        st.resolve_tuned(other, out)
    assert (out / TUNING_DIR / "runs").is_dir()


def test_split_per_seed_gives_each_seed_its_own_split():
    study = tiny(seeds=[0, 1], split_per_seed=True)
    splits = {(s.seed, s.data.split_seed) for s in st.expand_runs(study)}
    assert splits == {(0, 2022), (1, 2023)}
    assert {s.data.split_seed for s in st.expand_runs(tiny(seeds=[0, 1]))} == {2022}
    with pytest.raises(ConfigError, match="split_per_seed: expected true or false"):
        tiny(split_per_seed="yes")
    assert dataclasses.replace(study, split_per_seed=False) == tiny(seeds=[0, 1])
    assert TINY["train"]["lr"] == 0.01


def test_tune_study_runs_only_the_tuning_stage_and_the_sweep_reuses_it(tmp_path):
    study = tuned_tiny()
    tuned = st.tune_study(study, tmp_path, progress=False)
    assert len(tuned.tuned) == 1 and (tmp_path / "tuning.csv").is_file()
    assert not (tmp_path / "runs").exists()  # no run of the study yet
    assert st.tune_study(tuned, tmp_path) is tuned  # already tuned: nothing to do
    report = st.sweep(study, tmp_path, progress=False)
    assert report.study.tuned == tuned.tuned and report.skipped == 4  # the grid's four runs
