"""What a chapter's analysis hands its notebook: a header line, figures, tables and glued text.

A chapter notebook makes one call (``budget_chapter(profile)``, ...) and then only displays and
glues what comes back, so every loop, branch and verdict sentence lives here, where it is tested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure
from myst_nb import glue

from .tables import BookTable


@dataclass
class Chapter:
    """header: one line naming profile, datasets and settings (printed at the top of the chapter);
    figures and text: glued by name into the chapter's prose; tables: displayed by name (a BookTable,
    built for reading, or a plain frame)."""

    header: str
    figures: dict[str, Figure] = field(default_factory=dict)
    tables: dict[str, BookTable | pd.DataFrame] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)

    def glue(self) -> None:
        """Glue every figure and text value under its name, without displaying it."""
        for name, fig in self.figures.items():
            glue(name, fig, display=False)
        for name, value in self.text.items():
            glue(name, value, display=False)
