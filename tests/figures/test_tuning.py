"""The tuning grid figure: one panel per dataset, a line per model and learning rate, the choice circled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from figurehelpers import tuning_grid  # noqa: E402

from sseds_study.figures.style import description  # noqa: E402
from sseds_study.figures.tuning import plot_tuning_grid  # noqa: E402

grid = tuning_grid


def test_one_panel_per_dataset_and_a_line_per_model_and_lr():
    fig = plot_tuning_grid(grid(), rows={"a": 1000, "b": 2000}, profile="smoke")
    assert len(fig.axes) == 2
    assert len(fig.axes[0].get_lines()) == 4  # 2 models x 2 learning rates
    assert [c.get_offsets().shape[0] for c in fig.axes[0].collections] == [1, 1]  # one chosen point per model
    assert "a, 1,000 rows; b, 2,000 rows, profile smoke" in " ".join(description(fig).values())
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "0.0001", "0.001"]


@pytest.mark.parametrize("dataset", ["a", "b"])
def test_the_chosen_point_is_the_best_validation_auc(dataset):
    g = grid()
    chosen = g[g["chosen"] & (g["dataset"] == dataset)]
    assert (chosen["emb_weight_decay"] == 1e-4).all() and (chosen["lr"] == 0.005).all()
