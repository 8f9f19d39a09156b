"""What a chapter's analysis hands its notebook: a header line, figures, tables and glued text.

A chapter notebook makes one call (``budget_chapter(profile)``, ...) and then only displays and
glues what comes back, so every loop, branch and verdict sentence lives here, where it is tested.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure
from myst_nb import glue

from ..figures.style import book_image
from .tables import BookTable

HEADER_WIDTH = 76


@dataclass
class Chapter:
    """header: one line naming profile, datasets and settings (printed at the top of the chapter);
    figures and text: glued by name into the chapter's prose (``{glue:text}``; a number is glued as a
    number, for the prose's format spec: ``rows:,d``); markdown: glued as Markdown, for prose with its
    own formatting (``{glue:md}``: method names as code); tables: displayed by name (a BookTable,
    built for reading, or a plain frame)."""

    header: str
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, BookTable | pd.DataFrame] = field(default_factory=dict)
    text: dict[str, str | int | float] = field(default_factory=dict)
    markdown: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The header prints in a fixed-width block of the book's text column, about 80 characters wide:
        # longer lines would be cut at its right edge, so each wraps, continued lines indented.
        self.header = "\n".join(textwrap.fill(line, HEADER_WIDTH, subsequent_indent="    ", break_long_words=False,
                                               break_on_hyphens=False) for line in self.header.splitlines())

    def glue(self) -> None:
        """Glue every figure, text and Markdown value under its name, without displaying it."""
        for name, fig in self.figures.items():
            # The PNG the figures package writes: natural size = the text column, metadata included.
            glue(name, book_image(fig), display=False)
        for name, value in self.text.items():
            glue(name, value, display=False)
        for name, value in self.markdown.items():
            glue(name, Markdown(value), display=False)
