"""The one-cell check of separate slim-model tuning: each method's decay is chosen on validation AUC
alone, and the verdicts at the chosen and the shared decays are compared."""

from __future__ import annotations

import dataclasses

import pandas as pd

from sseds_study.analysis.budget_slim_tuning import _compare, slim_studies
from sseds_study.config import config_hash
from sseds_study.study.profile import load_profile


def _rows(valid, test):
    """valid/test: {(method, wd): [per-seed values]}."""
    return pd.DataFrame([{"method": m, "emb_weight_decay": wd, "seed": s, "valid_auc": v, "test_auc": test[(m, wd)][s]}
                         for (m, wd), vs in valid.items() for s, v in enumerate(vs)])


def test_choice_uses_validation_only_and_the_verdict_follows_the_test_split():
    valid = {("sseds", 0.0): [0.70, 0.70, 0.70], ("sseds", 0.001): [0.72, 0.72, 0.72],
             ("uniform", 0.0): [0.71, 0.71, 0.71], ("uniform", 0.001): [0.70, 0.70, 0.70]}
    # test disagrees with validation for sseds: 0.0 would look better on test; the choice must not see it
    test = {("sseds", 0.0): [0.80, 0.81, 0.82], ("sseds", 0.001): [0.750, 0.761, 0.770],
            ("uniform", 0.0): [0.700, 0.710, 0.720], ("uniform", 0.001): [0.750, 0.760, 0.771]}
    choice, text = _compare(_rows(valid, test), ["sseds", "uniform"], shared=0.001, model="FM", budget=0.1)
    assert choice == {"sseds": 0.001, "uniform": 0.0}
    assert text["slim_tuned"].startswith("+0.0503")  # sseds at 0.001 against uniform at 0.0
    assert text["slim_shared"].startswith("+0.0000")
    assert (text["slim_shared_verdict"], text["slim_tuned_verdict"]) == ("indistinguishable", "better")
    assert text["slim_shift"] == "+0.0503" and text["slim_gap"] == "changed"
    # on validation, sseds is below uniform at 0.0 only
    assert (text["slim_below"], text["slim_decays"]) == ("1", "2")


def test_ties_go_to_the_smaller_decay_and_equal_verdicts_say_so():
    same = [0.7, 0.7, 0.7]
    valid = {(m, wd): same for m in ("sseds", "uniform") for wd in (0.0, 0.001)}
    test = {(m, wd): [0.75, 0.76, 0.77] for m in ("sseds", "uniform") for wd in (0.0, 0.001)}
    choice, text = _compare(_rows(valid, test), ["sseds", "uniform"], shared=0.001, model="FM", budget=0.1)
    assert choice == {"sseds": 0.0, "uniform": 0.0}
    assert text["slim_shift"] == "+0.0000" and text["slim_tuned_verdict"] == text["slim_shared_verdict"]
    assert text["slim_focus_decay"] == "0" and text["slim_shared_decay"] == "0.001"


def test_each_decay_is_a_study_that_reuses_the_profile_runs():
    smoke = load_profile("smoke")
    entry = {"dataset": config_hash(smoke.datasets[0]), "model": "FM", "lr": 0.01, "emb_weight_decay": 0.001}
    tuned = dataclasses.replace(smoke, tuned=(entry,))
    studies = slim_studies(tuned, "FM", 0.3, ("sseds", "uniform"), [0, 1], grid=(0.0, 0.001))
    assert list(studies) == [0.0, 0.001]
    s = studies[0.001]
    assert s.name == "smoke-slim-wd0.001" and s.reuse == ("smoke",) and s.budgets == (0.3,)
    assert s.tuned[0]["lr"] == 0.01 and s.tuned[0]["emb_weight_decay"] == 0.001
