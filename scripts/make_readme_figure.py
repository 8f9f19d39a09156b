"""Draw the SSEDS pipeline schematic shown in the README (docs/sseds_pipeline.png).

The picture is illustrative, not a result: the saliency map and widths are drawn from a fixed random
seed to show the shapes involved (F fields x D dimensions -> one width per field).

    python scripts/make_readme_figure.py [output.png]
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

F, D = 8, 16
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "docs" / "sseds_pipeline.png"


def main() -> None:
    rng = np.random.default_rng(2022)
    field_strength = np.sort(rng.gamma(1.2, 1.0, size=F))[::-1]
    saliency = field_strength[:, None] * rng.gamma(2.0, 0.5, size=(F, D)) * np.linspace(1.0, 0.4, D)[None, :]
    saliency = np.sort(saliency, axis=1)[:, ::-1]
    vocab = rng.integers(20, 2000, size=F)
    # keep the top pairs under a 30% parameter budget, skipping pairs that no longer fit
    order = np.dstack(np.unravel_index(np.argsort(-saliency, axis=None), saliency.shape))[0]
    budget, used, widths = 0.3 * vocab.sum() * D, 0, np.zeros(F, dtype=int)
    for f, _ in order:
        if used + vocab[f] <= budget:
            used += vocab[f]
            widths[f] += 1

    fig = plt.figure(figsize=(12, 3.4))
    titles = [
        "1. Pretrain",
        "2. Gate-gradient saliency",
        "3. Allocate under a budget",
        "4. Retrain slim model",
    ]
    notes = [
        "every field: width D",
        r"$s_{f,j}=\frac{1}{K}\sum_k|\partial\mathcal{L}_k/\partial\alpha_{f,j}|$",
        r"$\sum_f V_f d_f \leq b\,\sum_f V_f D$",
        r"field $f$: a $V_f \times d_f$ table",
    ]
    lefts = [0.02, 0.27, 0.52, 0.77]
    # boxes and arrows live on a background axes, below the four panels
    back = fig.add_axes([0, 0, 1, 1], zorder=-1)
    back.set_axis_off()
    width = 0.2
    for i, (left, title, note) in enumerate(zip(lefts, titles, notes, strict=True)):
        frame = FancyBboxPatch((left - 0.005, 0.04), width + 0.01, 0.9, boxstyle="round,pad=0.005,rounding_size=0.02",
                               transform=back.transAxes, facecolor="#f4f6fa", edgecolor="#8a96aa", lw=1.0)
        back.add_patch(frame)
        fig.text(left + width / 2, 0.87, title, ha="center", va="center", fontsize=11, weight="bold")
        fig.text(left + width / 2, 0.1, note, ha="center", va="center", fontsize=9.5)
        ax = fig.add_axes([left + 0.02, 0.25, width - 0.04, 0.53])
        if i == 0:
            ax.imshow(np.ones((F, D)), cmap="Blues", vmin=0, vmax=1.3, aspect="auto")
        elif i == 1:
            ax.imshow(saliency, cmap="viridis", aspect="auto")
        elif i == 2:
            ax.barh(np.arange(F), widths, color="#3b6ea8")
            ax.set_xlim(0, D)
            ax.invert_yaxis()
            ax.set_xticks([0, D // 2, D])
            ax.set_xticklabels(["0", "D/2", "D"], fontsize=7)
        else:
            kept = (np.arange(D)[None, :] < widths[:, None]).astype(float)
            ax.imshow(kept, cmap="Blues", vmin=0, vmax=1.3, aspect="auto")
        ax.set_yticks(range(F))
        ax.set_yticklabels([f"f{f + 1}" for f in range(F)], fontsize=7)
        if i != 2:
            ax.set_xticks([0, D - 1])
            ax.set_xticklabels(["1", "D"], fontsize=7)
        ax.tick_params(length=0)
    for left in lefts[:-1]:
        arrow = FancyArrowPatch((left + width + 0.007, 0.5), (left + 0.25 - 0.007, 0.5), transform=back.transAxes,
                                arrowstyle="-|>", mutation_scale=14, color="#444444")
        back.add_patch(arrow)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110, metadata={"Software": None})
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
