"""data/stats.py on the tiny hand-built dataset (tests/conftest.py): every statistic counted by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.config import ConfigError
from sseds_study.data.stats import (
    dataset_facts,
    dataset_summary,
    field_table,
    missing_rates,
    oov_share,
    planted_ranks,
    truth_table,
    value_counts,
    value_statistics,
)


def test_value_statistics_counts_train_values_by_hand(tiny):
    stats = value_statistics(tiny, "train").set_index(["field", "id"])
    assert stats.loc[("user", 1), "count"] == 2
    assert stats.loc[("user", 1), "positives"] == 1
    assert stats.loc[("user", 1), "positive_rate"] == pytest.approx(0.5)
    assert stats.loc[("user", 0), "count"] == 1  # the OOV id
    # multi-valued: genre 1 occurs in rows 0, 1 and 4 (labels 1, 0, 1); padding is not a value
    assert stats.loc[("genres", 1), "count"] == 3
    assert stats.loc[("genres", 1), "positive_rate"] == pytest.approx(2 / 3)
    assert stats.loc[("genres", 2), "count"] == 2
    assert int(stats.xs("genres", level="field")["count"].sum()) == 7
    # a value never seen in the split has no positive rate
    assert np.isnan(stats.loc[("genres", 0), "positive_rate"])
    # ranks: 1 = most frequent, ties broken by id
    assert stats.loc[("genres", 1), "rank"] == 1
    assert stats.loc[("genres", 2), "rank"] == 2


def test_value_statistics_over_all_rows(tiny):
    stats = value_statistics(tiny, None).set_index(["field", "id"])
    assert stats.loc[("user", 1), "count"] == 3


def test_field_table(tiny):
    table = field_table(tiny, "train", rare=2)
    assert list(table.index) == ["user", "hour", "genres"]
    assert table.loc["user", "values_seen"] == 4  # ids 0 (OOV), 1, 2, 3
    assert table.loc["hour", "top_value_share"] == pytest.approx(0.6)  # id 1 in 3 of 5 train rows
    assert table.loc["user", "rare_value_share"] == pytest.approx(0.6)  # ids 0, 2, 3 seen once each
    # genres seen at least twice: 1 (rows 0, 1, 4: rate 2/3), 2 (rows 0, 3: 1/2), 3 (rows 2, 3: 1/2)
    assert table.loc["genres", "positive_rate_spread"] == pytest.approx(np.std([2 / 3, 1 / 2, 1 / 2]), abs=1e-4)


def test_oov_share(tiny):
    assert oov_share(tiny, "train") == pytest.approx({"user": 0.2, "hour": 0.2, "genres": 0.0})
    assert oov_share(tiny, "valid") == pytest.approx({"user": 0.0, "hour": 0.0, "genres": 0.0})


def test_missing_rates_absent_from_manifest(tiny):
    ds = tiny.replace(manifest={})
    assert missing_rates(ds) is None
    assert missing_rates(tiny) == {"user": 0.0, "hour": 0.2, "genres": 0.1}


def test_bad_split_is_rejected(tiny):
    with pytest.raises(ValueError, match="split"):
        value_statistics(tiny, "test-set")


def test_truth_table(tiny):
    ds = tiny.replace(manifest={"truth": {"ranks": {"user": 2, "hour": 0, "genres": 1},
                                          "relevant": {"user": True, "hour": False, "genres": True}}})
    table = truth_table(ds)
    assert list(table["planted_rank"]) == [2, 0, 1]
    assert list(table["relevant"]) == [True, False, True]
    with pytest.raises(ValueError, match="planted truth"):
        truth_table(tiny)


def test_planted_ranks_in_field_order(tiny):
    ds = tiny.replace(manifest={"truth": {"ranks": {"genres": 1, "user": 2, "hour": 0}}})
    assert planted_ranks(ds) == (2, 0, 1)
    for manifest in ({}, {"truth": {"ranks": {"user": 2}}}):  # none, or not for every field
        with pytest.raises(ConfigError, match="has no planted ranks"):
            planted_ranks(tiny.replace(manifest=manifest))


def test_dataset_summary_by_hand(tiny):
    table = dataset_summary(tiny).set_index("name")
    assert table["missing_rate"].to_dict() == {"user": 0.0, "hour": 0.2, "genres": 0.1}
    assert table.loc["genres", "width"] == 2 and table.loc["hour", "kind"] == "numeric"
    assert table["oov_rate_valid"].to_dict() == {"user": 0.0, "hour": 0.0, "genres": 0.0}
    assert table["oov_rate_test"].isna().all()  # the test split is empty
    # missing rates that the manifest does not record are NaN, not zero
    assert dataset_summary(tiny.replace(manifest={}))["missing_rate"].isna().all()


def test_dataset_summary_rounds_for_display(tiny):
    ds = tiny.replace(manifest={"missing_rates": {"user": 1 / 3, "hour": 0.0, "genres": 0.0}})
    assert dataset_summary(ds)["missing_rate"][0] == 1 / 3
    assert dataset_summary(ds, decimals=2)["missing_rate"][0] == 0.33


def test_dataset_facts(tiny):
    assert dataset_facts(tiny) == {"rows": 6, "fields": 3, "positive_rate": 0.6667, "embedding_rows": 11}
    ds = tiny.replace(manifest={"truth": {"relevant": {"user": True, "hour": False, "genres": True},
                                          "bayes_auc": 0.812345}})
    facts = dataset_facts(ds)
    assert facts["relevant_fields"] == 2 and facts["bayes_auc"] == 0.8123


def test_value_counts_match_the_value_statistics(tiny):
    counts = value_counts(tiny, "train")
    table = value_statistics(tiny, "train")
    for spec, c in zip(tiny.fields, counts, strict=True):
        assert c.tolist() == table.loc[table["field"] == spec.name, "count"].tolist()
