"""Chapter 4's figure of the field's other methods: each method minus SSEDS, seed by seed, by budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from ..statistics import t_interval
from ..study.methods import get_method
from .style import BOOK_WIDTH, book_style, data_label, finish, legend_below, method_style

# Rows of panels: methods that rank columns by a search, those that keep other things than columns,
# and the rules without a search. A method of none of them goes to the last row.
GROUPS = {"searches": ("autodim", "dimgrow"),
          "single weights and shared rows": ("magnitude_weights", "magnitude_weights_fresh", "qr"),
          "rules": ("uniform", "frequency", "frequency_tuned", "magnitude")}


def plot_others_change(changes: pd.DataFrame, *, rows: Mapping[str, int], profiles: Mapping[str, str],
                       datasets: Sequence[str]) -> Figure:
    """Test AUC of each method minus SSEDS's with the same seed, by budget (log scale): a column of
    panels per dataset, a row per group of methods (``GROUPS``), the mean with its Student-t 95%
    interval; zero is SSEDS.

    changes: columns dataset, method, budget, seed, change (method minus SSEDS).
    """
    methods = list(dict.fromkeys(changes["method"]))
    groups = {name: [m for m in ms if m in methods] for name, ms in GROUPS.items()}
    rest = [m for m in methods if not any(m in ms for ms in groups.values())]
    groups["rules"] = groups.get("rules", []) + rest
    groups = {k: v for k, v in groups.items() if v}
    datasets = [d for d in datasets if d in set(changes["dataset"])]
    with book_style():
        fig, axes = plt.subplots(len(groups), len(datasets), figsize=(BOOK_WIDTH, 2.4 * len(groups) + 0.8),
                                 squeeze=False, sharex="col", layout="constrained")
        for j, dataset in enumerate(datasets):
            sub = changes[changes["dataset"] == dataset]
            budgets = sorted(set(sub["budget"]))
            for i, (name, ms) in enumerate(groups.items()):
                ax = axes[i][j]
                for k, method in enumerate(ms):
                    m = sub[sub["method"] == method]
                    if m.empty:
                        continue
                    stats = m.groupby("budget")["change"].apply(lambda v: t_interval(list(v)))
                    xs = [b * (1 + 0.04 * (k - (len(ms) - 1) / 2)) for b in stats.index]  # dodge
                    means = [s[0] for s in stats]
                    halves = [0.0 if s[1] != s[1] else s[1] for s in stats]
                    style = method_style(method)
                    ax.errorbar(xs, means, yerr=halves, color=style.get("color"), marker=style.get("marker"),
                                ls=style.get("ls", "-"), capsize=3, elinewidth=1.1, markersize=5)
                ax.axhline(0, color=method_style("sseds").get("color", "black"), ls="--", lw=1.2)
                ax.set_xscale("log")
                ax.xaxis.set_major_locator(FixedLocator(budgets))
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
                ax.xaxis.set_minor_locator(NullLocator())
                ax.set_title(f"{dataset}\n{name}", fontsize=10)
            axes[-1][j].set_xlabel("budget (log scale)")
        fig.supylabel("test AUC minus SSEDS's (same seed)", fontsize=11)
        drawn = [m for ms in groups.values() for m in ms]
        handles = [Line2D([], [], **{k: v for k, v in method_style(m).items()}) for m in drawn]
        handles.append(Line2D([], [], color=method_style("sseds").get("color", "black"), ls="--"))
        legend_below(fig, handles, [get_method(m).label for m in drawn] + ["SSEDS (zero)"], ncol=4)
    label = "; ".join(data_label({d: rows[d]}, profiles.get(d)) for d in datasets)
    return finish(fig, "Test AUC: each method against SSEDS, seed by seed", label)
