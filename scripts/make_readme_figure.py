"""Draw the SSEDS pipeline schematic shown in the README (docs/sseds_pipeline.png): the four steps in
one row, from the same drawing as the book's first figure (``sseds_study.figures.pipeline``).

    python scripts/make_readme_figure.py [output.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from sseds_study.figures.pipeline import plot_pipeline  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs" / "sseds_pipeline.png"


def main() -> None:
    fig = plot_pipeline(columns=4, width=12)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110, metadata={"Software": None})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
