"""The up-front estimate of a sweep: the fits still to do, counted from the runs and the results folder,
and their time from a probe of one epoch per base model."""

from __future__ import annotations

import pytest

from sseds_study.study.estimate import TYPICAL_EPOCH_SHARE, Probe, estimate, planned_fits, probe
from sseds_study.study.profile import load_study
from sseds_study.study.sweep import sweep
from tablehelpers import table_profile


@pytest.fixture
def study(tmp_path, monkeypatch):
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    return load_study(table_profile(tmp_path / "own"))


def test_the_fits_of_a_fresh_profile(study, tmp_path):
    plan = planned_fits(study, tmp_path / "results")
    assert plan.tuning["FM"] == 2  # the tuning grid: one lr x two decays
    assert plan.pretrain["FM"] == 2 and plan.retrain["FM"] == 2 * 5  # per seed: sseds and four baselines
    assert plan.pep["FM"] == 0 and plan.fits() == 14 and plan.runs == 12 and plan.done == 0
    assert plan.seeds == 2


@pytest.mark.slow
def test_nothing_is_left_after_the_sweep_and_the_probe_times_each_model(study, tmp_path):
    sweep(study, tmp_path / "results", progress=False)
    plan = planned_fits(study, tmp_path / "results")
    assert plan.fits() == 0 and plan.done == plan.runs == 12
    measured = probe(study)
    assert set(measured.epoch_seconds) == set(measured.slim_seconds) == {"FM"}
    assert measured.epoch_seconds["FM"] > 0 and measured.slim("FM") > 0


def test_the_estimate_is_fits_times_epochs_times_seconds_over_workers(study, tmp_path):
    measured = Probe({"FM": 3.0}, encode_seconds=6.0, seconds=1.0, slim_seconds={"FM": 5.0})
    est = estimate(study, tmp_path / "results", measured)
    epochs = max(1.0, TYPICAL_EPOCH_SHARE * study.train.max_epochs)
    assert est.parallel == 1 and est.fits == 14
    # 2 tuning fits and 2 pretrained models at the full model's epoch, 10 retrains at the slim one's
    assert est.typical_minutes == pytest.approx((4 * epochs * 3.0 + 10 * epochs * 5.0 + 6.0) / 60)
    max_epochs = study.train.max_epochs
    assert est.longest_minutes == pytest.approx((4 * max_epochs * 3.0 + 10 * max_epochs * 5.0 + 6.0) / 60)
    est.load, est.cores = 0.5, 2
    text = est.describe()
    assert "busy" not in text
    est.load = 5.0
    assert est.describe().endswith("the machine is busy (load 5.0 on 2 cores): expect longer")
    assert "14 fits to do (14 FM; 0 of 12 runs already done)" in text and "one epoch took FM 3.0 s (slim 5.0 s)" in text
