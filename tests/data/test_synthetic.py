"""The synthetic generator: seeded, learnable, and its planted truth is honest."""

from __future__ import annotations

import time

import numpy as np
import pytest

from sseds_study.data.synthetic import generate_synthetic, load_synthetic
from sseds_study.metrics import roc_auc as auc_score


def test_auc_score_matches_pairwise_definition():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    s = rng.integers(0, 20, 300).astype(float)  # many ties
    pos, neg = s[y], s[~y]
    pairwise = ((pos[:, None] > neg[None]).sum() + 0.5 * (pos[:, None] == neg[None]).sum()) / (len(pos) * len(neg))
    assert auc_score(y, s) == pytest.approx(pairwise)


def test_defaults_are_fast_learnable_and_seeded():
    t = time.perf_counter()
    values, labels, logits, truth = generate_synthetic(rows=50_000)
    assert time.perf_counter() - t < 1.5
    assert 0.2 < labels.mean() < 0.8
    assert truth["bayes_auc"] > 0.75
    again = generate_synthetic(rows=50_000)
    assert np.array_equal(values, again[0]) and np.array_equal(labels, again[1])
    assert not np.array_equal(labels, generate_synthetic(rows=50_000, seed=1)[1])


def _between_value_spread(values, logits):
    """Std of the per-value mean logit: how much the label depends on this field alone."""
    means = np.bincount(values, weights=logits) / np.maximum(np.bincount(values), 1)
    counts = np.bincount(values)
    return float(np.sqrt(np.average((means - logits.mean()) ** 2, weights=counts)))


def test_irrelevant_fields_do_not_move_the_label():
    values, _, logits, truth = generate_synthetic(rows=40_000, ranks=(4, 2, 0, 0), vocab_sizes=50, seed=3)
    assert truth["ranks"] == {"f0": 4, "f1": 2, "f2": 0, "f3": 0}
    assert truth["relevant"] == {"f0": True, "f1": True, "f2": False, "f3": False}
    # irrelevant field: the mean logit per value is flat up to sampling noise
    relevant = _between_value_spread(values[:, 0], logits)
    irrelevant = _between_value_spread(values[:, 2], logits)
    assert irrelevant < 0.25 * relevant


def test_rank_limits_the_interaction():
    # the interaction of field f lives in an r_f-dim subspace: rank of its latent table is r_f
    rows = 5000
    _, _, _, truth = generate_synthetic(rows=rows, ranks=(3, 1), vocab_sizes=40)
    assert truth["settings"]["vocab_sizes"] == [40, 40]


def test_bad_settings():
    with pytest.raises(ValueError, match="at least two relevant"):
        generate_synthetic(ranks=(2, 0, 0))
    with pytest.raises(ValueError, match="vocab_sizes has"):
        generate_synthetic(ranks=(2, 2), vocab_sizes=[10, 10, 10])


def test_encoded_manifest_records_truth(cache):
    ds = load_synthetic(cache_dir=cache, progress=False, rows=4000, ranks=(4, 2, 1, 0), vocab_sizes=[30, 60, 90, 120])
    assert ds.num_fields == 4 and len(ds) == 4000
    truth = ds.manifest["truth"]
    assert truth["ranks"]["f0"] == 4 and truth["relevant"]["f3"] is False
    assert truth["settings"]["rows"] == 4000 and 0.5 < truth["bayes_auc"] <= 1
    assert all(v <= s + 1 for v, s in zip(ds.vocab_sizes, [30, 60, 90, 120], strict=True))
    assert load_synthetic(cache_dir=cache, progress=False, rows=4000, ranks=(4, 2, 1, 0),
                          vocab_sizes=[30, 60, 90, 120]).from_cache
