"""The one convention every figure follows, and the colours and markers of the methods.

A figure carries no title: the caption in the chapter says what it shows, and a title repeating it
(or naming the study profile) only takes room. ``finish`` records the headline and the data label
(every dataset with its number of rows, and the profile) on the figure instead, and they travel in
the PNG's metadata (``figure_png``), so that a figure copied out of the book still says what it
shows. The figure is closed before it is returned, so that pyplot does not show it a second time at
the end of a notebook cell; it can still be glued, displayed or saved.

Result figures are drawn inside ``book_style()``: exactly as wide as the book's text column at the
reader's 1280-pixel window (``CONTENT_PX``, measured in the built book), so that the page shows them at
their natural size, and with no text under 10 points (about 14 pixels; the body text is 16).
``figure_png`` saves a figure at that size and writes the size of its smallest text into the PNG
(``SMALLEST_TEXT_KEY``): the browser check reads it back to tell how small that text is on screen.
A method has one colour and marker across the book, from the method registry: ``method_style`` for
a matplotlib call, ``method_palette``/``method_markers``/``method_dashes`` for seaborn's ``palette=``,
``markers=`` and ``dashes=``.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator, Mapping

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..data.spec import EncodedDataset
from ..models.registry import MODEL_NAMES
from ..statistics import t_interval
from ..study.methods import METHODS

# The text column of a chapter page in a 1280-pixel window (the browser check's width): 672 CSS pixels
# for an image (the article's 752, less its padding and the output cell's). A figure saved this wide
# at DPI is shown at its natural size, so its text is as large on screen as it was drawn.
CONTENT_PX = 672
DPI = 100
BOOK_WIDTH = CONTENT_PX / DPI  # inches: the width of a full-column figure
# Font sizes in points; at 100 dpi a point is 100/72 pixels: 11 pt is 15 px, near the 16-pixel body
# text, and 10 pt (tick labels, legends) is 14 px.
BOOK_RC = {"figure.dpi": DPI, "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11,
           "xtick.labelsize": 10, "ytick.labelsize": 10, "legend.fontsize": 10, "legend.title_fontsize": 10,
           "figure.titlesize": 11}
# The PNG text chunk that holds the height in pixels of the figure's smallest text at natural size.
SMALLEST_TEXT_KEY = "smallest text px"
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


# The base models the study runs first, so that they take the three most distinct colours of the
# colour-blind palette (blue, orange, green): in registry order DCN came fourth, a vermilion hard to
# tell from DeepFM's orange.
_MODEL_ORDER = ("FM", "DeepFM", "DCN")


def model_palette(models: Iterable[str]) -> dict[str, tuple]:
    """{base model: colour}, colour-blind safe; a registered model keeps its colour in every figure
    (FM, DeepFM and DCN first, then the registry's order), others come after."""
    names = list(dict.fromkeys([*_MODEL_ORDER, *MODEL_NAMES, *models]))
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
    """'movielens100k, 100,000 rows; synthetic, 50,000 rows, profile default' from {dataset: rows}: the
    data a figure shows, kept in its metadata (not drawn)."""
    text = "; ".join(f"{name}, {n:,} rows" for name, n in rows.items())
    if profile is not None:
        text += f", profile {profile}"
    return text


def dataset_label(ds: EncodedDataset, profile: str | None = None, split: str | None = None) -> str:
    """'movielens100k, 100,000 rows (train split: 80,000), profile default': the data of a figure."""
    text = f"{ds.name}, {len(ds):,} rows"
    if split is not None:
        text += f" ({split} split: {len(ds.split_index(split)):,})"
    if profile is not None:
        text += f", profile {profile}"
    return text


def finish(fig: Figure, headline: str, label: str) -> Figure:
    """Record what the figure shows (headline and data label, for its PNG's metadata: the caption in
    the book says it to the reader), close it and return it. No title is drawn."""
    fig.book_description = {"Title": headline, "Description": label}
    plt.close(fig)
    return fig


def description(fig: Figure) -> dict[str, str]:
    """{"Title": headline, "Description": data label} that ``finish`` recorded; {} for another figure."""
    return dict(getattr(fig, "book_description", {}))


def smallest_text_px(fig: Figure) -> float:
    """The size in pixels, at the figure's own dpi, of its smallest drawn text (tick labels, legends,
    annotations, titles); 0 when it has no text. Call after the figure has been drawn (``figure_png``
    draws it), when the tick labels exist."""
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_figure() is not None]
    return min(sizes) * fig.dpi / 72 if sizes else 0.0


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at its own size and dpi (no tight bounding box: a figure drawn
    ``BOOK_WIDTH`` wide stays ``CONTENT_PX`` pixels wide), with its description and the pixel size of
    its smallest text (``SMALLEST_TEXT_KEY``) in the file's text chunks."""
    fig.draw_without_rendering()  # lays the figure out: every tick label exists before it is measured
    metadata = {**description(fig), SMALLEST_TEXT_KEY: f"{smallest_text_px(fig):.2f}"}
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, metadata=metadata)
    return buffer.getvalue()


def book_image(fig: Figure):
    """The figure as the image a chapter glues (``analysis.chapter.Chapter.glue``): ``figure_png``'s
    bytes, so that the book shows exactly that file, metadata included."""
    from IPython.display import Image  # imported here: the figures package does not need IPython otherwise

    return Image(data=figure_png(fig), format="png")


def legend_below(fig: Figure, handles: list, labels: list[str], ncol: int):
    """One legend under the panels, in at most ``ncol`` columns and fewer when it would be wider than
    the figure: the PNG is cut at the figure's edge (``figure_png`` keeps its width), so a legend must
    fit inside it."""
    for n in range(max(1, min(ncol, len(labels))), 0, -1):
        legend = fig.legend(handles, labels, loc="outside lower center", ncol=n, frameon=False)
        fig.draw_without_rendering()
        if n == 1 or legend.get_window_extent().width <= fig.bbox.width:
            return legend
        legend.remove()
    return None
