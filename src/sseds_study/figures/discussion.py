"""The discussion chapter's figure: SSEDS minus uniform widths at two base widths D, per model and budget."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from .style import BOOK_WIDTH, book_style, model_palette


def plot_width_check(check: pd.DataFrame) -> Figure:
    """One row per (base width D, budget), one dot per base model with its 95% interval; hollow where the
    verdict is indistinguishable; a dotted line at zero."""
    with book_style():
        fig, ax = plt.subplots(figsize=(BOOK_WIDTH, 1.2 + 0.45 * max(len(check), 1)), layout="constrained")
        if check.empty:
            ax.text(0.5, 0.5, "no runs of the check", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            plt.close(fig)
            return fig
        models = list(dict.fromkeys(check["model"]))
        colors = model_palette(models)
        rows = check.sort_values(["D", "budget", "model"], ascending=[True, False, True]).reset_index(drop=True)
        labels = []
        for i, r in rows.iterrows():
            filled = r["verdict"] != "indistinguishable"
            ax.errorbar(r["difference"], i, xerr=r["ci95"], fmt="o", color=colors[r["model"]], capsize=3,
                        markerfacecolor=colors[r["model"]] if filled else "white", markersize=7)
            labels.append(f"D = {r['D']}, b = {r['budget']:g}, {r['model']}")
        ax.axvline(0, color="0.3", linestyle=":", linewidth=1)
        ax.set_yticks(range(len(rows)), labels)
        ax.invert_yaxis()
        ax.set_xlabel("test AUC, SSEDS − uniform (hollow: indistinguishable)")
    plt.close(fig)
    return fig
