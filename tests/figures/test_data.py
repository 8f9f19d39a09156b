"""figures/data.py and figures/style.py on the tiny hand-built dataset (tests/conftest.py)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sseds_study.figures import data as data_figures  # noqa: E402
from sseds_study.figures import style  # noqa: E402


def test_dataset_label(tiny):
    assert style.dataset_label(tiny) == "tiny, 6 rows"
    assert style.dataset_label(tiny, "smoke", "train") == "tiny, 6 rows (train split: 5), profile smoke"


@pytest.mark.parametrize(
    "draw",
    [
        data_figures.plot_field_cardinality,
        data_figures.plot_feature_popularity,
        data_figures.plot_value_positive_rates,
        data_figures.plot_missing_rates,
    ],
)
@pytest.mark.parametrize("with_missing", [True, False])
def test_figures_are_drawn_and_labelled(tiny, draw, with_missing):
    ds = tiny if with_missing else tiny.replace(manifest={})
    fig = draw(ds, profile="smoke")
    assert isinstance(fig, Figure)
    title = " ".join(style.description(fig).values())  # the figure's metadata: no drawn title
    assert "tiny, 6 rows" in title and "profile smoke" in title
    fig.canvas.draw()  # renders without error (log scales with zeros, empty panels)
