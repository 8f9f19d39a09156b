"""The claims chapter's figures: drawn for every claim (a panel saying why when there is nothing to
show), at the column's width, with no text under 10 points."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from sseds_study.figures.claims import plot_cost_claim, plot_interval_claim, plot_planted_claim  # noqa: E402
from sseds_study.figures.style import BOOK_WIDTH, description  # noqa: E402

INTERVALS = pd.DataFrame({"dataset": ["a", "a", "b"], "model": ["FM", "FM", "DCN"], "baseline": ["uniform", "random", "uniform"],
                          "difference": [0.002, -0.003, 0.0], "ci95": [0.001, 0.002, float("nan")],
                          "verdict": ["better", "worse", "indistinguishable"]})
COSTS = pd.DataFrame({"dataset": ["a"], "model": ["FM"], "pass_fraction": [0.8], "pep_pass_fraction": [20.0],
                      "epoch_fraction": [0.3], "pep_epoch_fraction": [12.0]})
PLANTED = pd.DataFrame({"dataset": ["a"] * 3, "seed": [0] * 3, "model": ["FM"] * 3, "field": ["f0", "f1", "f2"],
                        "true_rank": [4, 2, 0], "width": [5, 2, 1]})

DRAWS = {
    "intervals by verdict": lambda empty: plot_interval_claim(
        INTERVALS.iloc[:0] if empty else INTERVALS, labels=["dataset", "model"], headline="h", label="a, 6 rows",
        margin=0.001, reason="no runs"),
    "intervals by method": lambda empty: plot_interval_claim(
        INTERVALS.iloc[:0] if empty else INTERVALS, labels=["dataset", "model"], headline="h", label="a, 6 rows",
        color_by="baseline", reason="no runs"),
    "cost": lambda empty: plot_cost_claim(COSTS.iloc[:0] if empty else COSTS, headline="h", label="a, 6 rows",
                                          reason="no runs"),
    "planted": lambda empty: plot_planted_claim(PLANTED.iloc[:0] if empty else PLANTED, headline="h",
                                                label="a, 6 rows", reason="no runs"),
}


@pytest.mark.parametrize("empty", [False, True])
@pytest.mark.parametrize("name", list(DRAWS))
def test_claim_figures_fit_the_column(name, empty):
    fig = DRAWS[name](empty)
    fig.canvas.draw()
    assert fig.get_size_inches()[0] <= BOOK_WIDTH + 1e-6
    assert "a, 6 rows" in " ".join(description(fig).values()) and not fig.get_suptitle()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= 10
    assert empty == any(t.get_text() == "no runs" for t in texts)


def test_interval_lines_follow_the_labels():
    fig = DRAWS["intervals by method"](False)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["a · FM", "b · DCN"]  # two methods on one line, the first line on top
