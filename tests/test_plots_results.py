"""Result figures: each takes a small result table and returns a figure with the expected panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sseds_study import plots  # noqa: E402


def test_learning_curves_one_row_per_dataset():
    h = pd.DataFrame([{"dataset": d, "model": m, "seed": s, "epoch": e, "train_loss": 0.6 - 0.01 * e,
                       "valid_auc": 0.7 + 0.01 * e}
                      for d in ("a", "b") for m in ("FM", "DCN") for s in (0, 1) for e in (1, 2, 3)])
    fig = plots.plot_learning_curves(h)
    assert len(fig.axes) == 4
    assert len(fig.axes[1].get_lines()) == 2  # one line per model


def test_budget_curves_have_full_reference_and_methods():
    rows = [{"dataset": "d", "model": "FM", "method": "full", "budget": 1.0, "variant": "default",
             "test_auc_mean": 0.8, "test_auc_ci95": 0.01}]
    rows += [{"dataset": "d", "model": "FM", "method": m, "budget": b, "variant": "default",
              "test_auc_mean": 0.7 + b / 10, "test_auc_ci95": np.nan}
             for m in ("sseds", "uniform") for b in (0.1, 0.5)]
    fig = plots.plot_budget_curves(pd.DataFrame(rows), "d")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert set(labels) == {"full", "sseds", "uniform"}


def test_saliency_widths_and_planted_truth_figures():
    fig = plots.plot_saliency(np.random.default_rng(0).random((3, 4)), ["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b", "c"]
    widths = pd.DataFrame({0.5: [4, 2, 0], 0.1: [1, 0, 0]}, index=["a", "b", "c"])
    fig = plots.plot_widths(widths)
    assert len(fig.axes[0].texts) == 6  # every cell is annotated with its width
    table = pd.DataFrame({"setting": ["x"] * 3 + ["y"] * 3, "true_rank": [2, 1, 0] * 2, "width": [3, 1, 0, 2, 2, 0]})
    fig = plots.plot_planted_truth(table)
    assert sum(ax.get_visible() for ax in fig.axes) == 2


def test_ablation_panels_and_default_first():
    rows = [{"dataset": "d", "model": "FM", "budget": b, "variant": v, "test_auc_mean": 0.7, "test_auc_ci95": 0.01}
            for b in (0.1, 0.2) for v in ("estimator=fisher", "default", "init=inherit")]
    fig = plots.plot_ablation(pd.DataFrame(rows))
    assert len(fig.axes) == 2
    assert fig.axes[0].get_yticklabels()[0].get_text() == "default"
