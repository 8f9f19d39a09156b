"""plots.py on a tiny hand-built dataset: the statistics are counted by hand, the figures are drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sseds_study import plots  # noqa: E402
from sseds_study.data.spec import PAD, EncodedDataset, make_field_specs  # noqa: E402


@pytest.fixture
def tiny() -> EncodedDataset:
    # fields: user (categorical, V=4), hour (numeric, V=3), genres (multi, V=4, width 2)
    fields = make_field_specs(["user", "hour", "genres"], ["categorical", "numeric", "multi"], [4, 3, 4], [1, 1, 2])
    ids = np.array(
        [
            # user hour genres
            [1, 1, 1, 2],
            [1, 2, 1, PAD],
            [2, 1, 3, PAD],
            [0, 1, 2, 3],
            [3, 0, 1, PAD],
            [1, 2, 2, PAD],  # valid
        ],
        dtype=np.int64,
    )
    labels = np.array([1, 0, 1, 0, 1, 1], dtype=np.float32)
    split = np.array([0, 0, 0, 0, 0, 1], dtype=np.int8)
    manifest = {"missing_rates": {"user": 0.0, "hour": 0.2, "genres": 0.1}}
    return EncodedDataset("tiny", fields, ids, labels, split, manifest)


def test_value_statistics_counts_train_values_by_hand(tiny):
    stats = plots.value_statistics(tiny, "train").set_index(["field", "id"])
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
    stats = plots.value_statistics(tiny, None).set_index(["field", "id"])
    assert stats.loc[("user", 1), "count"] == 3


def test_field_table(tiny):
    table = plots.field_table(tiny, "train", rare=2)
    assert list(table.index) == ["user", "hour", "genres"]
    assert table.loc["user", "values_seen"] == 4  # ids 0 (OOV), 1, 2, 3
    assert table.loc["hour", "top_value_share"] == pytest.approx(0.6)  # id 1 in 3 of 5 train rows
    assert table.loc["user", "rare_value_share"] == pytest.approx(0.6)  # ids 0, 2, 3 seen once each
    # genres seen at least twice: 1 (rows 0, 1, 4: rate 2/3), 2 (rows 0, 3: 1/2), 3 (rows 2, 3: 1/2)
    assert table.loc["genres", "positive_rate_spread"] == pytest.approx(np.std([2 / 3, 1 / 2, 1 / 2]), abs=1e-4)


def test_oov_share(tiny):
    assert plots.oov_share(tiny, "train") == pytest.approx({"user": 0.2, "hour": 0.2, "genres": 0.0})
    assert plots.oov_share(tiny, "valid") == pytest.approx({"user": 0.0, "hour": 0.0, "genres": 0.0})


def test_missing_rates_absent_from_manifest(tiny):
    ds = tiny.replace(manifest={})
    assert plots.missing_rates(ds) is None
    assert plots.missing_rates(tiny) == {"user": 0.0, "hour": 0.2, "genres": 0.1}


def test_dataset_label(tiny):
    assert plots.dataset_label(tiny) == "tiny, 6 rows"
    assert plots.dataset_label(tiny, "smoke", "train") == "tiny, 6 rows (train split: 5), profile smoke"


@pytest.mark.parametrize(
    "draw",
    [
        plots.plot_field_cardinality,
        plots.plot_feature_popularity,
        plots.plot_value_positive_rates,
        plots.plot_missing_rates,
    ],
)
@pytest.mark.parametrize("with_missing", [True, False])
def test_figures_are_drawn_and_labelled(tiny, draw, with_missing):
    ds = tiny if with_missing else tiny.replace(manifest={})
    fig = draw(ds, profile="smoke")
    assert isinstance(fig, Figure)
    title = fig.get_suptitle()
    assert "tiny, 6 rows" in title and "profile smoke" in title
    fig.canvas.draw()  # renders without error (log scales with zeros, empty panels)


def test_bad_split_is_rejected(tiny):
    with pytest.raises(ValueError, match="split"):
        plots.value_statistics(tiny, "test-set")


def test_truth_table(tiny):
    ds = tiny.replace(manifest={"truth": {"ranks": {"user": 2, "hour": 0, "genres": 1},
                                          "relevant": {"user": True, "hour": False, "genres": True}}})
    table = plots.truth_table(ds)
    assert list(table["planted_rank"]) == [2, 0, 1]
    assert list(table["relevant"]) == [True, False, True]
    with pytest.raises(ValueError, match="planted truth"):
        plots.truth_table(tiny)
