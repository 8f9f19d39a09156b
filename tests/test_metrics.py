"""ROC AUC and logloss against scikit-learn, at ties, extreme logits and with one class."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss as sk_log_loss
from sklearn.metrics import roc_auc_score

from sseds_study.metrics import log_loss, roc_auc


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(-3, 3)), min_size=2, max_size=60))
def test_auc_matches_sklearn_with_ties(pairs):
    y = np.array([p[0] for p in pairs])
    s = np.array([p[1] for p in pairs], dtype=float) / 2  # few distinct values: many ties
    if y.min() == y.max():
        assert math.isnan(roc_auc(y, s))
    else:
        assert roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_auc_on_large_random_scores_and_logloss_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 20000)
    z = rng.normal(size=20000) + y
    assert roc_auc(y, z) == pytest.approx(roc_auc_score(y, z), abs=1e-12)
    assert log_loss(y, z) == pytest.approx(sk_log_loss(y, 1 / (1 + np.exp(-z))), rel=1e-9)


def test_extreme_logits_keep_their_exact_loss():
    assert log_loss(np.array([1.0]), np.array([800.0])) == 0.0  # no overflow
    assert log_loss(np.array([0.0]), np.array([40.0])) == pytest.approx(40.0, rel=1e-15)  # not clipped at eps
    y = np.array([0, 1, 0, 1])
    z = np.array([-40.0, 40.0, 40.0, -40.0])
    assert roc_auc(y, z) == 0.5
    assert roc_auc(y, [-np.inf, np.inf, 1.0, 0.0]) == 0.75  # inf ranks above every finite score


@pytest.mark.parametrize("labels", [np.zeros(4), np.ones(4), np.zeros(0)])
def test_auc_is_nan_not_an_error_with_one_class(labels):
    assert math.isnan(roc_auc(labels, np.arange(len(labels), dtype=float)))


def test_auc_is_nan_when_a_score_is_nan():
    assert math.isnan(roc_auc([0, 1, 1], [0.1, float("nan"), 0.3]))
