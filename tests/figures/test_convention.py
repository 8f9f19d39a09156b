"""The one convention of every figure function: the figure comes back closed, untitled, and its
description (the PNG's metadata) names the dataset, its number of rows and the study profile."""

from __future__ import annotations

import inspect

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figurehelpers import (  # noqa: E402
    budget_table,
    change_table,
    exact_agreement_table,
    factor_effects,
    learning_history,
    main_effect_lines,
    planted_table,
    tuning_grid,
)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sseds_study.figures import ablation, comparison, results, tuning  # noqa: E402
from sseds_study.figures import data as data_figures  # noqa: E402
from sseds_study.figures.style import BOOK_WIDTH, description  # noqa: E402

# figure function -> how to call it with profile "smoke"; every dataset here is named with its rows
CALLS = {
    data_figures.plot_field_cardinality: lambda tiny: data_figures.plot_field_cardinality(tiny, profile="smoke"),
    data_figures.plot_feature_popularity: lambda tiny: data_figures.plot_feature_popularity(tiny, profile="smoke"),
    data_figures.plot_value_positive_rates: lambda tiny: data_figures.plot_value_positive_rates(tiny, profile="smoke"),
    data_figures.plot_missing_rates: lambda tiny: data_figures.plot_missing_rates(tiny, profile="smoke"),
    results.plot_learning_curves: lambda tiny: results.plot_learning_curves(
        learning_history().assign(dataset="tiny", rows=6), profile="smoke"),
    comparison.plot_budget_change: lambda tiny: comparison.plot_budget_change(
        change_table("tiny"), "tiny", rows=6, profile="smoke"),
    results.plot_saliency: lambda tiny: results.plot_saliency(
        np.ones((tiny.num_fields, 4)), tiny.field_names, dataset="tiny", rows=6, profile="smoke"),
    results.plot_widths: lambda tiny: results.plot_widths(
        pd.DataFrame({0.5: [2, 1, 0]}, index=tiny.field_names), dataset="tiny", rows=6, profile="smoke"),
    results.plot_planted_truth: lambda tiny: results.plot_planted_truth(
        planted_table(), dataset="tiny", rows=6, profile="smoke"),
    results.plot_exact_agreement: lambda tiny: results.plot_exact_agreement(
        exact_agreement_table().query("dataset == 'a'").assign(dataset="tiny"), rows={"tiny": 6}, profile="smoke"),
    comparison.plot_factor_effects: lambda tiny: comparison.plot_factor_effects(
        factor_effects("tiny"), rows={"tiny": 6}, profile="smoke"),
    ablation.plot_main_effects: lambda tiny: ablation.plot_main_effects(
        main_effect_lines(), rows={"tiny": 6}, profile="smoke"),
    tuning.plot_tuning_grid: lambda tiny: tuning.plot_tuning_grid(
        tuning_grid().query("dataset == 'a'").assign(dataset="tiny"), rows={"tiny": 6}, profile="smoke"),
    comparison.plot_bytes_pareto: lambda tiny: comparison.plot_bytes_pareto(
        budget_table().assign(dataset="tiny", emb_bytes_mean=[4000.0, 400.0, 2000.0, 420.0, 2100.0]), "tiny",
        rows=6, profile="smoke"),
}


def figure_functions():
    """Every public plot_* function of the figures package."""
    return [f for module in (data_figures, results, comparison, tuning, ablation)
            for name, f in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("plot_") and f.__module__ == module.__name__]


def test_every_figure_function_is_checked():
    assert set(figure_functions()) == set(CALLS)


@pytest.mark.parametrize("draw", figure_functions(), ids=lambda f: f.__name__)
def test_figure_is_closed_untitled_and_described_with_dataset_rows_and_profile(tiny, draw):
    open_before = plt.get_fignums()
    fig = CALLS[draw](tiny)
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == open_before  # closed: pyplot no longer holds it
    assert not fig.get_suptitle()  # no title: the caption says what the figure shows
    assert "tiny, 6 rows" in " ".join(description(fig).values()) and "profile smoke" in " ".join(description(fig).values())
    assert "profile" in inspect.signature(draw).parameters
    assert inspect.signature(draw).parameters["profile"].default is inspect.Parameter.empty  # never optional
    fig.canvas.draw()  # a closed figure still renders (glue, display, savefig)


@pytest.mark.parametrize("draw", figure_functions(), ids=lambda f: f.__name__)
def test_figures_fit_the_column_with_legible_text(tiny, draw):
    fig = CALLS[draw](tiny)
    fig.canvas.draw()
    assert fig.get_size_inches()[0] <= BOOK_WIDTH + 1e-6
    sizes = {t.get_text(): t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()}
    assert sizes and min(sizes.values()) >= 10, {k: v for k, v in sizes.items() if v < 10}
