"""The SSEDS pipeline schematic: the landing page's first figure and the README's picture.

Illustrative, not a result: the saliency map and widths are drawn from a fixed random seed to show
the shapes involved (F fields x D dimensions -> one width per field). ``plot_pipeline`` lays the four
steps out in a row (the README, 12 inches wide) or in two rows (the book's text column), with the
book's font sizes either way.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .style import BOOK_WIDTH, book_style

F, D = 8, 16
STEPS = (
    ("1. Pretrain", "every field: width D"),
    ("2. Gate-gradient saliency", r"$s_{f,j}=\frac{1}{K}\sum_k|\partial\mathcal{L}_k/\partial\alpha_{f,j}|$"),
    ("3. Allocate under a budget", r"$\sum_f V_f d_f \leq b\,\sum_f V_f D$"),
    ("4. Retrain a slim model", r"field $f$: a $V_f \times d_f$ table"),
)


def example_widths(seed: int = 2022, budget: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """An illustrative saliency map (F x D, each row sorted) and the widths a greedy walk over it keeps
    under ``budget`` with random vocabularies (a pair is skipped when it no longer fits)."""
    rng = np.random.default_rng(seed)
    strength = np.sort(rng.gamma(1.2, 1.0, size=F))[::-1]
    saliency = strength[:, None] * rng.gamma(2.0, 0.5, size=(F, D)) * np.linspace(1.0, 0.4, D)[None, :]
    saliency = np.sort(saliency, axis=1)[:, ::-1]
    vocab = rng.integers(20, 2000, size=F)
    order = np.dstack(np.unravel_index(np.argsort(-saliency, axis=None), saliency.shape))[0]
    limit, used, widths = budget * vocab.sum() * D, 0, np.zeros(F, dtype=int)
    for f, _ in order:
        if used + vocab[f] <= limit:
            used += vocab[f]
            widths[f] += 1
    return saliency, widths


def plot_pipeline(columns: int = 2, width: float = BOOK_WIDTH) -> Figure:
    """The four steps as panels, ``columns`` per row, ``width`` inches wide."""
    saliency, widths = example_widths()
    rows = int(np.ceil(len(STEPS) / columns))
    with book_style():
        fig, axes = plt.subplots(rows, columns, figsize=(width, 2.9 * rows), layout="constrained")
        for i, (ax, (title, note)) in enumerate(zip(np.ravel(axes), STEPS, strict=True)):
            if i == 0:
                ax.imshow(np.ones((F, D)), cmap="Blues", vmin=0, vmax=1.3, aspect="auto")
            elif i == 1:
                ax.imshow(saliency, cmap="viridis", aspect="auto")
            elif i == 2:
                ax.barh(np.arange(F), widths, color="#3b6ea8")
                ax.set_xlim(0, D)
                ax.set_ylim(F - 0.5, -0.5)
                ax.set_xticks([0, D // 2, D], ["0", "D/2", "D"])
            else:
                kept = (np.arange(D)[None, :] < widths[:, None]).astype(float)
                ax.imshow(kept, cmap="Blues", vmin=0, vmax=1.3, aspect="auto")
            ax.set_yticks(range(F), [f"f{f + 1}" for f in range(F)])
            if i != 2:
                ax.set_xticks([0, D - 1], ["1", "D"])
            ax.tick_params(length=0)
            ax.grid(False)
            ax.set_title(title, fontweight="bold")
            ax.set_xlabel(note)
    fig.book_description = {"Title": "The SSEDS pipeline", "Description": "illustrative, not a result"}
    plt.close(fig)
    return fig
