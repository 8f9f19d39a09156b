"""analysis/data_fields.py on a dataset built here, every statistic computed by hand.

Sixteen training rows, eight of them clicks (p = 0.5), and one validation row. Four fields:

- ``signal``: value 1 on every click, value 2 on every other row (8 rows each): rates 1 and 0;
- ``noise``: values 1 and 2 each on 4 clicks and 4 other rows: both rates 0.5;
- ``skew``: value 1 on 4 rows (3 clicks), value 2 on 12 (5 clicks): rates 0.75 and 5/12, a spread
  that binomial noise alone explains;
- ``rare``: value 1 on 15 rows (8 clicks), value 2 once (no click).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sseds_study.analysis.data_fields import (
    noise_fields_lowest,
    signal_table,
    summary_table,
    truth_table,
    width_search_facts,
)
from sseds_study.data.spec import EncodedDataset, make_field_specs

NAMES = ["signal", "noise", "skew", "rare"]
VOCAB = [3, 5, 4, 10]  # embedding rows: 22 in all, 19 in the three largest (rare, noise, skew)


@pytest.fixture
def ds() -> EncodedDataset:
    labels = np.array([1] * 8 + [0] * 8 + [1], dtype=np.float32)  # the last row is the validation row
    signal = [1] * 8 + [2] * 8 + [0]  # the validation row's value is the unseen (out-of-vocabulary) id
    noise = [1, 1, 1, 1, 2, 2, 2, 2] * 2 + [1]
    skew = [1, 1, 1, 2, 2, 2, 2, 2] + [1] + [2] * 7 + [1]  # clicks: 3 on value 1, 5 on value 2
    rare = [1] * 15 + [2] + [1]
    ids = np.array([signal, noise, skew, rare], dtype=np.int64).T
    split = np.array([0] * 16 + [1], dtype=np.int8)
    manifest = {"missing_rates": dict.fromkeys(NAMES, 0.0),
                "truth": {"ranks": {"signal": 2, "skew": 1}}}  # noise and rare: no planted rank (noise)
    fields = make_field_specs(NAMES, ["categorical"] * 4, VOCAB, [1] * 4)
    return EncodedDataset("handmade", fields, ids, labels, split, manifest)


def test_the_spread_beyond_noise_subtracts_the_binomial_variance(ds):
    table = signal_table(ds, rare=2)
    # signal: var(1, 0) = 0.25, each value's noise p(1 - p) / n = 0.25 / 8
    assert table.at["signal", "excess_spread"] == pytest.approx(math.sqrt(0.25 - 0.25 / 8))
    # noise: both rates equal the overall one: nothing is left, and the negative excess is cut at 0
    assert table.at["noise", "excess_spread"] == 0.0
    # skew: a raw spread of 1/6 (rates 0.75 and 5/12), less than the noise (0.25/4 + 0.25/12) / 2 explains
    rates = np.array([0.75, 5 / 12])
    assert rates.std() == pytest.approx(1 / 6) and rates.var() < (0.25 / 4 + 0.25 / 12) / 2
    assert table.at["skew", "excess_spread"] == 0.0
    # rare: only value 1 is seen twice or more; one rate has no spread
    assert math.isnan(table.at["rare", "excess_spread"])


def test_the_share_outside_the_two_standard_error_band(ds):
    table = signal_table(ds, rare=2)
    # signal: |1 - 0.5| = |0 - 0.5| = 0.5 > 2 sqrt(0.25 / 8) = 0.354 for both values
    assert table.at["signal", "outside_band"] == 1.0
    assert table.at["noise", "outside_band"] == 0.0
    # skew: 0.25 < 2 sqrt(0.25 / 4) = 0.5 and 1/12 < 2 sqrt(0.25 / 12) = 0.289
    assert table.at["skew", "outside_band"] == 0.0
    # rare: 8/15 - 0.5 = 0.033 < 2 sqrt(0.25 / 15) = 0.258
    assert table.at["rare", "outside_band"] == 0.0


def test_use_of_the_values_on_the_training_split_only(ds):
    table = signal_table(ds, rare=2)
    assert table["values_seen"].to_dict() == {"signal": 2, "noise": 2, "skew": 2, "rare": 2}  # id 0 only in valid
    assert table.at["skew", "top_value_share"] == pytest.approx(12 / 16)
    assert table.at["rare", "top_value_share"] == pytest.approx(15 / 16)
    assert table.at["rare", "rare_value_share"] == pytest.approx(1 / 16)  # one row holds a value seen once
    assert table.at["signal", "rare_value_share"] == 0.0
    # with rare = 10, skew's value 1 (4 rows) is rare: one rate left, no spread
    assert math.isnan(signal_table(ds, rare=10).at["skew", "excess_spread"])


def test_the_summary_drops_the_columns_zero_for_every_field(ds):
    table, dropped = summary_table(ds)
    # No missing value anywhere and no test rows; the validation row is unseen in the signal field only.
    assert "missing_rate" in dropped and "missing_rate" not in table.columns
    assert "oov_rate_valid" in table.columns
    assert table.set_index("name")["oov_rate_valid"].to_dict() == {"signal": 1.0, "noise": 0.0, "skew": 0.0,
                                                                   "rare": 0.0}


def test_the_truth_table_puts_the_planted_ranks_beside_the_statistics(ds):
    truth = truth_table(ds)
    assert list(truth.columns) == ["planted_rank", "vocab_size", "values_seen", "excess_spread", "outside_band"]
    assert truth["planted_rank"].to_dict() == {"signal": 2, "noise": 0, "skew": 1, "rare": 0}
    assert truth["vocab_size"].tolist() == VOCAB
    # The statistics are signal_table's at its default threshold (values seen at least 10 times): the
    # signal field's values are seen 8 times each, so none counts there.
    columns = ["values_seen", "excess_spread", "outside_band"]
    pd.testing.assert_frame_equal(truth[columns], signal_table(ds)[columns])
    assert math.isnan(truth.at["signal", "outside_band"]) and truth.at["skew", "outside_band"] == 0.0


def test_noise_fields_lowest_compares_the_worst_noise_with_the_weakest_relevant_field():
    truth = pd.DataFrame({"planted_rank": [0, 0, 2, 1], "s": [0.01, 0.03, 0.05, 0.04]}, index=list("abcd"))
    assert noise_fields_lowest(truth, "s")
    assert not noise_fields_lowest(truth.assign(s=[0.01, 0.045, 0.05, 0.04]), "s")  # b above d
    assert not noise_fields_lowest(truth.assign(planted_rank=[0, 0, 0, 0]), "s")  # nothing relevant to compare


def test_width_search_facts_by_hand(ds):
    facts = width_search_facts(ds, emb_dim=16, budgets=[0.1, 0.2])
    assert facts["large_fields"] == "rare, noise, skew"
    assert facts["large_share"] == pytest.approx(19 / 22)
    assert facts["emb_dim"] == 16
    # one dimension per field is 1 / (b D) of the budget: 1 / 1.6 at b = 0.1, 1 / 3.2 at 0.2
    assert facts["floor_01"] == pytest.approx(0.625) and facts["floor_02"] == pytest.approx(0.3125)
    assert facts["left_01"] == pytest.approx(0.6) and facts["left_02"] == pytest.approx(2.2)
