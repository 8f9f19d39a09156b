"""Chapter 05 as a screening experiment: what its few seeds can detect, a pooled sign test of each
contrast over the model × budget cells, and what the exact estimator costs beside what it changes.

With two seeds a paired Student-t interval has one degree of freedom (t = 12.7 at 95%), so only a
change far larger than the measured ones can be told from zero in a cell; the pooled sign tests look
for a direction that is consistent across cells instead, and are exploratory (chosen after seeing the
data, not corrected across contrasts). ``ablation`` builds the chapter from these.
"""

from __future__ import annotations

import json

import pandas as pd
from scipy import stats

from ..statistics import difference_spread, minimum_detectable_difference, pooled_sd
from .ablation_factorial import CELL, factor_name
from .common import listing
from .tables import plus_minus

INHERIT = ("init", "inherit − scratch")  # the contrast whose direction the chapter tests across cells
EXACT = ("estimator", "exact − mean_abs")


def screen_power(effects: pd.DataFrame) -> dict[str, str]:
    """The screen's resolution, from the per-cell main effects: the seeds, the t quantile behind each
    95% interval, the pooled spread of the per-seed changes, the smallest change a cell detects with
    80% power (before Holm's correction, which raises it), and the typical measured change."""
    if effects.empty:
        return {k: "not measured" for k in ("screen_seeds", "screen_t", "screen_mde", "screen_typical")}
    n = int(effects["n"].max())
    sds = [difference_spread(c, int(k)) for c, k in zip(effects["ci95"], effects["n"], strict=True)]
    sd = pooled_sd(sds, [int(k) for k in effects["n"]])
    return {"screen_seeds": f"{n}",
            "screen_t": f"{stats.t.ppf(0.975, n - 1):.1f}" if n > 1 else "undefined",
            "screen_mde": f"{minimum_detectable_difference(sd, n):.3f}" if sd == sd else "not measurable",
            "screen_typical": f"{effects['change'].abs().median():.4f}"}


def consistent_text(signs: pd.DataFrame) -> dict[str, str]:
    """The contrasts whose mean change has the same sign in every cell (two cells or more): those that
    raise validation AUC everywhere and those that lower it everywhere."""
    many = signs[signs["cells"] > 1]

    def names(rows: pd.DataFrame) -> str:
        return listing([f"{factor_name(r['factor'])} ({r['contrast']})" for r in rows.to_dict("records")]) or "none"

    return {"consistent_up": names(many[many["cells_up"] == many["cells"]]),
            "consistent_down": names(many[many["cells_up"] == 0])}


def sign_test(changes: pd.Series) -> tuple[int, int, float]:
    """(positive, non-zero, two-sided sign-test p-value) of a set of changes; zeros are left out."""
    x = changes.dropna().to_numpy()
    x = x[x != 0]
    if len(x) == 0:
        return 0, 0, float("nan")
    positive = int((x > 0).sum())
    return positive, len(x), float(stats.binomtest(positive, len(x)).pvalue)


def sign_tests(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Per contrast: the sign test over the model × budget cells (each cell's mean change over seeds)
    and over the cell × seed pairs (pairs of one seed share its split and pretrained model, so they are
    not independent: that p-value overstates the evidence)."""
    rows = []
    for (factor, contrast), g in per_seed.groupby(["factor", "contrast"], sort=False):
        cells = g.groupby(CELL)["change"].mean()
        pos, total, p = sign_test(cells)
        pos2, total2, p2 = sign_test(g["change"])
        rows.append({"factor": factor, "contrast": contrast, "cells_up": pos, "cells": total, "p_cells": p,
                     "pairs_up": pos2, "pairs": total2, "p_pairs": p2,
                     "low": cells.min(), "high": cells.max()})
    return pd.DataFrame(rows, columns=["factor", "contrast", "cells_up", "cells", "p_cells", "pairs_up", "pairs",
                                       "p_pairs", "low", "high"])


def screen_frame(pooled: pd.DataFrame, signs: pd.DataFrame) -> pd.DataFrame:
    """The chapter's one table: per contrast (largest pooled change first), the change pooled over the
    cells with its 95% interval, and how many cells and cell × seed pairs it raises, with the sign
    tests' p-values."""
    merged = pooled.merge(signs, on=["factor", "contrast"], how="left")

    def p(v) -> str:
        return "–" if v != v else f"{v:.3f}"

    return pd.DataFrame({
        "factor": merged["factor"].map(factor_name), "contrast": merged["contrast"],
        "pooled change": [plus_minus(c, h) for c, h in zip(merged["change"], merged["ci95"], strict=True)],
        "cells raised": [f"{int(a)} of {int(b)}" for a, b in zip(merged["cells_up"], merged["cells"], strict=True)],
        "sign test p (cells)": merged["p_cells"].map(p),
        "pairs raised": [f"{int(a)} of {int(b)}" for a, b in zip(merged["pairs_up"], merged["pairs"], strict=True)],
        "sign test p (pairs)": merged["p_pairs"].map(p),
    })


def contrast_text(signs: pd.DataFrame, pooled: pd.DataFrame, which: tuple[str, str], name: str) -> dict[str, str]:
    """The glued numbers of one contrast: its range over cells, cells and pairs raised, the sign tests'
    p-values and its pooled change."""
    row = signs[(signs["factor"] == which[0]) & (signs["contrast"] == which[1])]
    keys = ("range", "cells", "p_cells", "pairs", "p_pairs", "pooled", "floor")
    if row.empty:
        return {f"{name}_{k}": "not in this profile" for k in keys}
    r = row.iloc[0]
    pool = pooled[(pooled["factor"] == which[0]) & (pooled["contrast"] == which[1])].iloc[0]
    return {f"{name}_range": f"{r['low']:+.4f} to {r['high']:+.4f}",
            f"{name}_cells": f"{r['cells_up']} of {r['cells']}", f"{name}_p_cells": f"{r['p_cells']:.3f}",
            f"{name}_pairs": f"{r['pairs_up']} of {r['pairs']}", f"{name}_p_pairs": f"{r['p_pairs']:.4f}",
            f"{name}_pooled": plus_minus(pool["change"], pool["ci95"]),
            # the smallest two-sided p-value a sign test over these cells can reach: all of one sign
            f"{name}_floor": f"{min(1.0, 2 * 0.5 ** int(r['cells'])):.3f}"}


def exact_cost(rows: pd.DataFrame, emb_dim: int) -> dict[str, str]:
    """What the exact estimator costs per search against the default gradient estimator: forward passes
    (K batches, each F·D + 1 passes for exact, one forward and backward for a gradient estimator) and
    the measured search seconds, also in pretraining epochs (means over the runs)."""
    ex, grad = rows[rows["search_estimator"] == "exact"], rows[rows["search_estimator"] == "mean_abs"]
    if ex.empty or grad.empty:
        return {k: "not measured" for k in ("exact_passes", "gradient_passes", "exact_seconds", "gradient_seconds",
                                           "exact_epochs", "exact_ratio", "exact_columns")}
    k = int(ex["search_num_batches"].iloc[0])
    fields = len(json.loads(ex["emb_dims"].iloc[0]))
    seconds = {e: g["search_seconds"].mean() for e, g in (("exact", ex), ("grad", grad))}
    epochs = (ex["search_seconds"] / ex["pretrain_epoch_seconds"]).mean()
    return {"exact_passes": f"{k * (fields * emb_dim + 1):,}", "gradient_passes": f"{k}",
            "exact_columns": f"{fields} × {emb_dim} = {fields * emb_dim}",
            "exact_seconds": f"{seconds['exact']:.1f}", "gradient_seconds": f"{seconds['grad']:.2f}",
            "exact_ratio": f"{seconds['exact'] / seconds['grad']:.0f}", "exact_epochs": f"{epochs:.0f}"}
