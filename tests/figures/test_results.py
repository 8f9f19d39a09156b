"""Result figures: each takes a small result table and returns a figure with the expected panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from figurehelpers import (  # noqa: E402
    ablation_table,
    budget_table,
    exact_agreement_table,
    learning_history,
    planted_table,
)

from sseds_study.figures import results  # noqa: E402
from sseds_study.figures.style import method_style  # noqa: E402


def test_learning_curves_one_row_per_dataset():
    fig = results.plot_learning_curves(learning_history(), profile="smoke")
    assert len(fig.axes) == 4
    assert len(fig.axes[1].get_lines()) == 2  # one line per model
    assert "a, 1,000 rows; b, 2,000 rows, profile smoke" in fig.get_suptitle()


def test_budget_curves_have_full_reference_and_methods():
    fig = results.plot_budget_curves(budget_table(), "d", rows=500, profile="smoke")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(labels) == {"full", "sseds", "uniform"}


def test_budget_curves_draw_methods_in_their_style():
    fig = results.plot_budget_curves(budget_table(), "d", rows=500, profile="smoke")
    ax = fig.axes[0]
    handles = dict(zip(*reversed(ax.get_legend_handles_labels()), strict=True))  # label -> errorbar container
    data_line = handles["sseds"].lines[0]
    assert data_line.get_marker() == method_style("sseds")["marker"]
    assert data_line.get_color() == method_style("sseds")["color"]
    assert method_style("no-such-method") == {}


def test_saliency_widths_and_planted_truth_figures():
    fig = results.plot_saliency(np.random.default_rng(0).random((3, 4)), ["a", "b", "c"], dataset="d", rows=500,
                                profile="smoke")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b", "c"]
    widths = pd.DataFrame({0.5: [4, 2, 0], 0.1: [1, 0, 0]}, index=["a", "b", "c"])
    fig = results.plot_widths(widths, dataset="d", rows=500, profile="smoke")
    assert len(fig.axes[0].texts) == 6  # every cell is annotated with its width
    fig = results.plot_planted_truth(planted_table(), dataset="d", rows=500, profile="smoke")
    assert sum(ax.get_visible() for ax in fig.axes) == 2


def test_ablation_panels_and_default_first():
    fig = results.plot_ablation(ablation_table(), rows={"d": 500}, profile="smoke")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_yticklabels()[0].get_text() == "default"


def test_title_replaces_only_the_headline():
    fig = results.plot_widths(pd.DataFrame({0.5: [1]}, index=["a"]), dataset="d", rows=500, profile="smoke",
                              title="FM widths")
    assert fig.get_suptitle() == "FM widths\nd, 500 rows, profile smoke"


def test_pareto_front_keeps_the_points_nothing_beats():
    x = [10, 20, 20, 5, 40, 30]
    y = [0.70, 0.75, 0.72, 0.60, 0.74, 0.80]
    assert results.pareto_front(x, y).tolist() == [3, 0, 1, 5]
    assert results.pareto_front([1, 2], [np.nan, 0.5]).tolist() == [1]


def test_bytes_pareto_has_a_panel_per_model_a_front_and_the_full_star():
    agg = budget_table()
    agg["emb_bytes_mean"] = [4000.0] + [400.0, 2000.0, 420.0, 2100.0]
    fig = results.plot_bytes_pareto(agg, "d", rows=500, profile="smoke")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(labels) == {"Pareto front", "full", "sseds", "uniform"}
    assert "d, 500 rows, profile smoke" in fig.get_suptitle() and "bytes" in fig.get_suptitle()


def test_exact_agreement_heatmap_has_a_row_per_setting_and_a_column_per_model():
    fig = results.plot_exact_agreement(exact_agreement_table(), rows={"a": 10, "b": 20}, profile="smoke")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "mean_abs, train", "mean_abs, valid", "exact, train", "exact, valid"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a / FM", "a / DCN", "b / FM", "b / DCN"]
    assert ax.images[0].get_array()[2, 0] == 0.9
    assert "a, 10 rows; b, 20 rows, profile smoke" in fig.get_suptitle()
