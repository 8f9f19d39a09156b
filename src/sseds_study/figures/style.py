"""The one convention every figure follows, and the colours and markers of the methods.

A figure's title is its headline over one line that names the data: every dataset with its number
of rows, then the study profile (``finish``). The figure is closed before it is returned, so that
pyplot does not show it a second time at the end of a notebook cell; it can still be glued,
displayed or saved.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..data.spec import EncodedDataset
from ..study.methods import METHODS


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
    fig.suptitle(f"{headline}\n{label}", fontsize=11)
    plt.close(fig)
    return fig
