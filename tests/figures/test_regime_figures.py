"""Chapter 10's figures: closed, untitled, as wide as the text column, legible, and drawn when empty."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sseds_study.analysis.regime_map import KNOB_LABELS, KNOBS  # noqa: E402
from sseds_study.figures.regime import plot_predictions, plot_regime_map  # noqa: E402
from sseds_study.figures.style import BOOK_WIDTH, description  # noqa: E402


def cells() -> pd.DataFrame:
    rows = []
    for i, (model, budget, form, d, order) in enumerate([("FM", 0.2, "fm", 16, "random"), ("DeepFM", 0.1, "mlp", 64, "reverse"),
                                                          ("FM", 0.1, "fm", 64, "importance")]):
        rows.append({"setting": i, "model": model, "budget": budget, "gain": 0.01 * (i - 1), "gain_ci95": 0.005,
                     "verdict": "better" if i == 2 else "indistinguishable", "concentration": 0.3 * i,
                     "noise_share": 0.1 * i, "vocab_spread": 1 + 0.2 * i, "vocab_order": order, "zipf": 0.8 + 0.1 * i,
                     "rows_per_row": 5.0 * (i + 1), "form": form, "D": d})
    return pd.DataFrame(rows)


def points() -> pd.DataFrame:
    return pd.DataFrame({"group": ["held-out settings", "held-out settings", "MovieLens-100K"],
                         "predicted": [0.01, -0.004, -0.002], "measured": [0.012, -0.001, -0.003],
                         "ci95": [0.004, 0.003, float("nan")]})


@pytest.mark.parametrize("draw", [lambda: plot_regime_map(cells(), KNOBS, KNOB_LABELS, "regime, 3 settings"),
                                  lambda: plot_predictions(points(), "regime, 3 settings"),
                                  lambda: plot_regime_map(cells().iloc[0:0], KNOBS, KNOB_LABELS, "none"),
                                  lambda: plot_predictions(points().iloc[0:0], "none")])
def test_closed_untitled_column_wide_and_legible(draw):
    before = plt.get_fignums()
    fig = draw()
    assert plt.get_fignums() == before and not fig.get_suptitle()
    assert description(fig)["Description"]
    fig.canvas.draw()
    assert fig.get_size_inches()[0] <= BOOK_WIDTH + 1e-6
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert sizes and min(sizes) >= 10


def test_map_has_one_panel_per_knob_with_categorical_levels():
    fig = plot_regime_map(cells(), KNOBS, KNOB_LABELS, "x")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_xlabel() for ax in axes] == [KNOB_LABELS[k] for k in KNOBS]
    d_axis = axes[list(KNOBS).index("D")]
    assert [t.get_text() for t in d_axis.get_xticklabels()] == ["16", "64"]
