"""Pretraining and search figures: each takes a small result table and returns a figure with the
expected panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from figurehelpers import exact_agreement_table, learning_history, planted_table  # noqa: E402

from sseds_study.figures import results  # noqa: E402
from sseds_study.figures.style import description, model_palette  # noqa: E402


def test_learning_curves_a_row_per_dataset_a_line_per_model():
    fig = results.plot_learning_curves(learning_history(), profile="smoke")
    assert len(fig.axes) == 4
    assert [ax.get_title() for ax in fig.axes[:2]] == ["training logloss, a", "validation AUC, a"]
    colors = {tuple(line.get_color()) for line in fig.axes[1].get_lines()}
    assert colors == {tuple(model_palette(["FM", "DCN"])[m]) for m in ("FM", "DCN")}  # one line per model
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["FM", "DCN"]
    assert "a, 1,000 rows; b, 2,000 rows, profile smoke" in " ".join(description(fig).values())


def test_model_colours_do_not_depend_on_which_models_are_drawn():
    assert model_palette(["DCN"])["DCN"] == model_palette(["FM", "DeepFM", "DCN"])["DCN"]


def test_saliency_widths_and_planted_truth_figures():
    fig = results.plot_saliency(np.random.default_rng(0).random((3, 4)), ["a", "b", "c"], dataset="d", rows=500,
                                profile="smoke")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b", "c"]
    widths = pd.DataFrame({0.5: [4, 2, 0], 0.1: [1, 0, 0]}, index=["a", "b", "c"])
    fig = results.plot_widths(widths, dataset="d", rows=500, profile="smoke")
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "0", "0", "1", "2", "4"]  # every cell annotated
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0.5", "0.1"]
    fig = results.plot_planted_truth(planted_table(), dataset="d", rows=500, profile="smoke")
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == ["x", "y"]


def test_title_replaces_only_the_headline():
    fig = results.plot_widths(pd.DataFrame({0.5: [1]}, index=["a"]), dataset="d", rows=500, profile="smoke",
                              title="FM widths")
    assert description(fig) == {"Title": "FM widths", "Description": "d, 500 rows, profile smoke"}


def test_exact_agreement_heatmap_has_a_row_per_setting_and_a_column_per_model():
    fig = results.plot_exact_agreement(exact_agreement_table(), rows={"a": 10, "b": 20}, profile="smoke")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "mean_abs, train", "mean_abs, valid", "exact, train", "exact, valid"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a / FM", "a / DCN", "b / FM", "b / DCN"]
    cells = ax.collections[0].get_array().reshape(4, 4)  # seaborn draws the grid as one mesh
    assert cells[2, 0] == 0.9
    assert [t.get_text() for t in ax.texts][:2] == ["0.40", "0.40"]
    assert "a, 10 rows; b, 20 rows, profile smoke" in " ".join(description(fig).values())
