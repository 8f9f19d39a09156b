"""The one convention every figure follows, and the colours and markers of the methods.

A figure's title is its headline over one line that names the data: every dataset with its number
of rows, then the study profile (``finish``). The figure is closed before it is returned, so that
pyplot does not show it a second time at the end of a notebook cell; it can still be glued,
displayed or saved.

Result figures are drawn inside ``book_style()``: sized for the book's column (``BOOK_WIDTH`` inches
at 100 dpi, about 850 pixels, which the page scales down to its column) with no text under 10 points. A
method has one colour and marker across the book, from the method registry: ``method_style`` for a
matplotlib call, ``method_palette``/``method_markers``/``method_dashes`` for seaborn's ``palette=``,
``markers=`` and ``dashes=``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.figure import Figure

from ..data.spec import EncodedDataset
from ..models.registry import MODEL_NAMES
from ..statistics import t_interval
from ..study.methods import METHODS

BOOK_WIDTH = 8.5  # inches: the width of a full-column figure
# Font sizes in points. The page shows an 850-pixel figure about 700 pixels wide: 11 pt is then
# about 12 screen pixels, the smallest that reads comfortably.
BOOK_RC = {"figure.dpi": 100, "font.size": 12, "axes.titlesize": 12, "axes.labelsize": 12,
           "xtick.labelsize": 11, "ytick.labelsize": 11, "legend.fontsize": 11, "legend.title_fontsize": 11}
# Line style -> seaborn dash pattern ("" is solid).
_DASHES = {"-": "", "--": (4, 1.5), ":": (1, 1.5), "-.": (3, 1.25, 1.5, 1.25)}


@contextlib.contextmanager
def book_style() -> Iterator[None]:
    """Seaborn's white grid with the book's font sizes, for the figures drawn inside the block."""
    with plt.rc_context({**sns.axes_style("whitegrid"), **BOOK_RC}):
        yield


def _methods(names: Iterable[str] | None) -> list:
    return [METHODS[n] for n in (METHODS if names is None else names) if n in METHODS]


def method_palette(names: Iterable[str] | None = None) -> dict[str, str]:
    """{method: its registry colour} for seaborn's ``palette=``; every registered method by default."""
    return {m.name: m.color for m in _methods(names)}


def method_markers(names: Iterable[str] | None = None) -> dict[str, str]:
    """{method: its registry marker} for seaborn's ``markers=``; methods drawn without a marker (the full
    model, a reference line) are left out."""
    return {m.name: m.marker for m in _methods(names) if m.marker}


def method_dashes(names: Iterable[str] | None = None) -> dict[str, str | tuple]:
    """{method: its registry line style as a seaborn dash pattern} for seaborn's ``dashes=``."""
    return {m.name: _DASHES.get(m.linestyle, "") for m in _methods(names)}


def model_palette(models: Iterable[str]) -> dict[str, tuple]:
    """{base model: colour}, colour-blind safe; a registered model keeps its colour in every figure
    (colours go by the model registry's order), others come after."""
    names = list(dict.fromkeys([*MODEL_NAMES, *models]))
    colors = dict(zip(names, sns.color_palette("colorblind", len(names)), strict=True))
    return {m: colors[m] for m in models}


def column_figure(grid) -> Figure:
    """A seaborn FacetGrid's figure, made to fit the column: BOOK_WIDTH wide whatever seaborn chose
    (it widens a grid for legends and category padding), laid out by matplotlib's constrained layout
    from here on (which also makes room for the two-line title and a legend below the panels)."""
    fig = grid.figure
    fig.set_size_inches(BOOK_WIDTH, fig.get_size_inches()[1])
    fig.set_layout_engine("constrained")
    return fig


def t_errorbar(values) -> tuple[float, float]:
    """Seaborn's ``errorbar=``: the Student-t 95% interval of the mean, the one the tables give (seaborn's
    own bootstrap interval is degenerate with three seeds); a single value has none."""
    mean, half = t_interval(list(values))
    return (mean, mean) if half != half else (mean - half, mean + half)


def method_style(name: str) -> dict:
    """Keyword arguments (colour, marker, line style) for plotting method ``name``, from the method
    registry, so a method has one colour across the book; {} for a name the registry does not know."""
    method = METHODS.get(name)
    return method.style if method is not None else {}


def field_colors(n: int) -> list:
    """n distinct colours, one per field (tab10, or tab20 beyond ten fields)."""
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def data_label(rows: Mapping[str, int], profile: str | None = None) -> str:
    """'movielens100k, 100,000 rows; synthetic, 50,000 rows, profile default' from {dataset: rows}."""
    text = "; ".join(f"{name}, {n:,} rows" for name, n in rows.items())
    if profile is not None:
        text += f", profile {profile}"
    return text


def dataset_label(ds: EncodedDataset, profile: str | None = None, split: str | None = None) -> str:
    """'movielens100k, 100,000 rows (train split: 80,000), profile default': the caption of a result."""
    text = f"{ds.name}, {len(ds):,} rows"
    if split is not None:
        text += f" ({split} split: {len(ds.split_index(split)):,})"
    if profile is not None:
        text += f", profile {profile}"
    return text


def finish(fig: Figure, headline: str, label: str) -> Figure:
    """Title the figure (headline over the data label), close it and return it."""
    fig.suptitle(f"{headline}\n{label}", fontsize=13)
    plt.close(fig)
    return fig
