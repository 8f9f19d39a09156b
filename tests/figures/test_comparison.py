"""Figures that compare methods or settings: panels, series, colours and reference lines."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from figurehelpers import budget_table, change_table, factor_effects  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from sseds_study.figures import comparison  # noqa: E402
from sseds_study.figures.style import description, method_palette  # noqa: E402


def _series_colors(ax) -> set[str]:
    """Colours of the mean lines of a panel (seaborn draws one Line2D per series, plus reference lines)."""
    return {to_hex(line.get_color()) for line in ax.get_lines() if len(line.get_xdata()) > 1
            and line.get_linestyle() != "--"}


def test_method_rows_put_the_gated_method_apart_and_the_focus_in_every_row():
    rows = comparison.method_rows(["full", "sseds", "prune_only", "uniform", "random", "magnitude", "frequency"])
    assert rows == {"uniform · random": ["sseds", "uniform", "random"],
                    "magnitude · frequency": ["sseds", "magnitude", "frequency"],
                    comparison.NOT_RETRAINED: ["sseds", "prune_only"]}
    assert comparison.method_rows(["sseds", "uniform"]) == {"uniform": ["sseds", "uniform"]}


def test_budget_change_panels_series_and_colours():
    fig = comparison.plot_budget_change(change_table(), "d", rows=500, profile="smoke", models=["FM", "DCN"])
    axes = np.asarray(fig.axes).reshape(2, 2)  # rows: (uniform · frequency), not retrained; columns: FM, DCN
    assert axes[0][0].get_title().startswith("FM (full: 0.81")  # the full model's mean AUC over seeds
    palette = method_palette()
    assert _series_colors(axes[0][1]) == {palette[m] for m in ("sseds", "uniform", "frequency")}
    assert _series_colors(axes[1][0]) == {palette[m] for m in ("sseds", "prune_only")}
    assert all(ax.get_xscale() == "log" for ax in fig.axes)
    # zero (the full model) is drawn in every panel
    assert all(any(line.get_linestyle() == "--" and set(line.get_ydata()) == {0} for line in ax.get_lines())
               for ax in fig.axes)
    # the gated method's fall does not stretch the retrained rows
    assert axes[0][0].get_ylim()[0] > -0.05 and axes[1][0].get_ylim()[0] < -0.15
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["full (zero)", "sseds", "prune_only", "uniform",
                                                                  "frequency"]


def test_factor_effects_a_panel_per_factor_a_row_per_model_and_budget():
    fig = comparison.plot_factor_effects(factor_effects(), rows={"d": 500}, profile="smoke")
    assert [ax.get_title() for ax in fig.axes] == ["estimator", "init: inherit − scratch"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["DeepFM, b = 0.2", "DeepFM, b = 0.1",
                                                                     "FM, b = 0.2", "FM, b = 0.1"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [  # one contrast: named in its panel's title
        "estimator: fisher − mean_abs", "estimator: taylor − mean_abs", "estimator: exact − mean_abs"]
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim()  # one scale: effects compare across panels
    assert all(any(line.get_linestyle() == "--" and set(line.get_xdata()) == {0} for line in ax.get_lines())
               for ax in fig.axes)
    assert "validation AUC" in " ".join(description(fig).values()) and "d, 500 rows, profile smoke" in " ".join(description(fig).values())


def test_pareto_front_keeps_the_points_nothing_beats():
    x = [10, 20, 20, 5, 40, 30]
    y = [0.70, 0.75, 0.72, 0.60, 0.74, 0.80]
    assert comparison.pareto_front(x, y).tolist() == [3, 0, 1, 5]
    assert comparison.pareto_front([1, 2], [np.nan, 0.5]).tolist() == [1]


def test_bytes_pareto_has_a_panel_per_model_a_front_and_the_full_star():
    agg = budget_table()
    agg["emb_bytes_mean"] = [4000.0] + [400.0, 2000.0, 420.0, 2100.0]
    agg = pd.concat([agg, agg.iloc[[1]].assign(method="prune_only", test_auc_mean=0.5)], ignore_index=True)
    fig = comparison.plot_bytes_pareto(agg, "d", rows=500, profile="smoke")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["Pareto front", "full", "sseds", "uniform"]  # not retrained: left out
    assert "d, 500 rows, profile smoke" in " ".join(description(fig).values()) and "bytes" in " ".join(description(fig).values())


def test_metric_label():
    assert comparison.metric_label("test_auc") == "test AUC"
    assert comparison.metric_label("valid_logloss") == "validation logloss"
