"""Methods compared by per-seed paired differences: the same seed means the same data split, the same
pretrained model and the same retraining seed, so the seed-to-seed noise they share cancels.

Each cell (dataset x model x budget x variant) pairs the focus method's runs with a baseline's by
seed, gives the mean difference (focus - baseline) with its paired 95% interval, the paired t and
Wilcoxon signed-rank p-values, the Holm-adjusted p-value across every cell of the table, and a
verdict for the focus method: better / worse / indistinguishable. The verdict uses the paired t test:
with few seeds the exact Wilcoxon test cannot reach 0.05 at all (its smallest two-sided p-value with
3 pairs is 0.25), so it is reported beside it, not used.

``paired_changes`` gives the same pairing run by run, for figures and for comparisons with one reference
(the full model, the default search settings): each run's metric minus its reference run's of the same
seed; ``change_verdicts`` summarises such changes per cell with Holm-corrected verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import SearchConfig
from ..statistics import borderline, holm, paired_difference, verdict
from .stats import with_variant

CELL = ["dataset", "model", "budget", "variant"]
LOWER_IS_BETTER = ("logloss",)


def paired_comparisons(results: pd.DataFrame, focus: str, baselines: Sequence[str], budgets: Sequence[float],
                       metric: str = "test_auc", reference: SearchConfig | None = None,
                       variant: str = "default", alpha: float = 0.05) -> pd.DataFrame:
    """One row per cell and baseline: n pairs, the focus method's mean, the baseline's mean, the mean
    paired difference with its 95% half-width, p-values (raw and Holm-adjusted) and the verdict."""
    ok = with_variant(results[results["status"] == "ok"], reference)
    ok = ok[ok["budget"].isin(budgets)]
    # Baselines that ignore the search options carry variant "default"; compare the focus method's
    # chosen variant with them.
    focus_rows = ok[(ok["method"] == focus) & (ok["variant"] == variant)]
    rows = []
    for (dataset, model, budget), f in focus_rows.groupby(["dataset", "model", "budget"], sort=True):
        f_by_seed = f.set_index("seed")[metric]
        for base in baselines:
            b = ok[(ok["method"] == base) & (ok["dataset"] == dataset) & (ok["model"] == model)
                   & (ok["budget"] == budget) & (ok["variant"] == "default")]
            if b.empty:
                continue
            b_by_seed = b.set_index("seed")[metric]
            seeds = f_by_seed.index.intersection(b_by_seed.index).sort_values()
            d = paired_difference(f_by_seed.loc[seeds].to_numpy(), b_by_seed.loc[seeds].to_numpy())
            rows.append({"dataset": dataset, "model": model, "budget": budget, "variant": variant,
                         "baseline": base, "n": d.n, "focus_mean": f_by_seed.loc[seeds].mean(),
                         "baseline_mean": b_by_seed.loc[seeds].mean(), "difference": d.mean, "ci95": d.ci95,
                         "p_t": d.p_t, "p_wilcoxon": d.p_wilcoxon})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    holm_verdicts(table, "difference", alpha, higher_is_better=not metric.endswith(LOWER_IS_BETTER))
    return table.sort_values(["dataset", "model", "budget", "baseline"], ascending=[True, True, False, True],
                             kind="stable").reset_index(drop=True)


def holm_verdicts(table: pd.DataFrame, effect: str, alpha: float = 0.05, higher_is_better: bool = True) -> pd.DataFrame:
    """Holm's adjustment of the table's ``p_t`` across all its rows (``p_holm``), each row's verdict on
    its ``effect`` column and its borderline flag (``statistics.borderline``); in place, and returned."""
    table["p_holm"] = holm(table["p_t"].to_numpy())
    table["verdict"] = [verdict(m, p, alpha, higher_is_better) for m, p in zip(table[effect], table["p_holm"],
                                                                                 strict=True)]
    table["borderline"] = [borderline(p, alpha) for p in table["p_holm"]]
    return table


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many cells of a comparison table got each verdict."""
    counts = table["verdict"].value_counts() if not table.empty else pd.Series(dtype=int)
    return {v: int(counts.get(v, 0)) for v in ("better", "worse", "indistinguishable")}


def borderline_counts(table: pd.DataFrame) -> dict[str, int]:
    """Per verdict, how many of its cells are borderline (``statistics.borderline``)."""
    if table.empty or "borderline" not in table:
        return {v: 0 for v in ("better", "worse", "indistinguishable")}
    marked = table[table["borderline"].astype(bool)]["verdict"].value_counts()
    return {v: int(marked.get(v, 0)) for v in ("better", "worse", "indistinguishable")}


def paired_changes(rows: pd.DataFrame, reference: Mapping[str, object], within: Sequence[str],
                   metric: str = "test_auc") -> pd.DataFrame:
    """Every run's change against its reference run, seed by seed: ``change`` = metric of the run minus
    metric of the reference run with the same seed and the same values in the ``within`` columns.

    reference: column -> value that selects the reference runs (``{"method": "full"}`` for the full
    model, ``{"variant": "default"}`` for the default search settings); each (within, seed) has at most
    one. The reference runs themselves are left out, and so are runs whose seed has no reference run.
    Returns the other rows with two columns added: ``reference`` (its metric) and ``change``.
    """
    is_ref = np.logical_and.reduce([rows[c] == v for c, v in reference.items()])
    keys = [*within, "seed"]
    ref = rows[is_ref].set_index(keys)[metric]
    if ref.index.has_duplicates:
        raise ValueError(f"paired_changes: more than one reference run per {keys}")
    out = rows[~is_ref].copy()
    out["reference"] = ref.reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy() if len(out) else []
    out["change"] = out[metric] - out["reference"]
    return out[out["change"].notna()].reset_index(drop=True)


def change_verdicts(changes: pd.DataFrame, by: Sequence[str], metric: str = "test_auc",
                    alpha: float = 0.05) -> pd.DataFrame:
    """Per cell of ``by``: n pairs, the mean change with its paired 95% half-width, the paired t test's
    p-value, Holm's adjustment across every cell, and the verdict for the changed runs (better / worse
    / indistinguishable than the reference), from a ``paired_changes`` table."""
    rows = []
    for key, g in changes.groupby(list(by), sort=False):
        d = paired_difference(g[metric].to_numpy(), g["reference"].to_numpy())
        rows.append({**dict(zip(by, key, strict=True)), "n": d.n, "change": d.mean, "ci95": d.ci95, "p_t": d.p_t})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return holm_verdicts(table, "change", alpha, higher_is_better=not metric.endswith(LOWER_IS_BETTER))
