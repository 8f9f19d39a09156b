"""The pipeline schematic: the widths it illustrates respect its budget, and both layouts draw."""

from __future__ import annotations

import matplotlib
import numpy as np

from sseds_study.figures.pipeline import D, F, example_widths, plot_pipeline

matplotlib.use("Agg")


def test_example_widths_fit_the_budget_and_follow_the_saliency():
    saliency, widths = example_widths(budget=0.3)
    rng = np.random.default_rng(2022)
    rng.gamma(1.2, 1.0, size=F)
    rng.gamma(2.0, 0.5, size=(F, D))
    vocab = rng.integers(20, 2000, size=F)
    assert saliency.shape == (F, D)
    assert (vocab * widths).sum() <= 0.3 * vocab.sum() * D
    assert widths.max() <= D and widths.min() >= 0 and widths.sum() > 0


def test_both_layouts_draw_four_panels():
    assert len(plot_pipeline(columns=2).axes) == 4
    assert len(plot_pipeline(columns=4, width=12).axes) == 4
