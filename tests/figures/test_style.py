"""figures/style.py: one colour, marker and line style per method across the book, from the registry,
for matplotlib and for seaborn; the book's sizes; the interval seaborn draws."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.markers import MarkerStyle  # noqa: E402

from sseds_study.figures import style  # noqa: E402
from sseds_study.statistics import t_interval  # noqa: E402
from sseds_study.study.methods import METHODS  # noqa: E402


def test_palette_covers_every_registered_method_with_its_registry_colour():
    palette = style.method_palette()
    assert list(palette) == list(METHODS)
    assert all(palette[name] == m.color == style.method_style(name)["color"] for name, m in METHODS.items())
    assert style.method_palette(["uniform", "no-such-method", "sseds"]) == {"uniform": METHODS["uniform"].color,
                                                                              "sseds": METHODS["sseds"].color}


def test_markers_and_dashes_for_seaborn():
    markers = style.method_markers()
    assert set(markers) == {n for n, m in METHODS.items() if m.marker}  # the full model is a line, no marker
    assert all(markers[n] == METHODS[n].marker for n in markers)
    # seaborn refuses to mix line-art and filled markers in one plot: every registry marker is filled
    assert all(MarkerStyle(m).is_filled() for m in markers.values())
    dashes = style.method_dashes()
    assert dashes["sseds"] == "" and dashes["prune_only"] != "" and set(dashes) == set(METHODS)


def test_t_errorbar_is_the_tables_interval():
    lo, hi = style.t_errorbar([0.70, 0.72, 0.77])
    mean, half = t_interval([0.70, 0.72, 0.77])
    assert (lo, hi) == pytest.approx((mean - half, mean + half))
    assert style.t_errorbar([0.7]) == (0.7, 0.7)  # one seed: no interval


def test_book_style_sets_legible_sizes_only_inside_the_block():
    before = plt.rcParams["xtick.labelsize"]
    with style.book_style():
        assert plt.rcParams["font.size"] >= 10 and plt.rcParams["xtick.labelsize"] >= 10
        assert plt.rcParams["figure.dpi"] == 100
    assert plt.rcParams["xtick.labelsize"] == before
