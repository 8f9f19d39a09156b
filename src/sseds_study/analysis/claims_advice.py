"""Practical advice derived from the result tables: per dataset, base model and budget, which method
to use, and a table of it for the claims chapter. The rule (``advise``): the best method when it beats
the cheapest one (uniform widths: no pretraining, no search) distinguishably, else the cheapest."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..config import SearchConfig
from ..data import display_name
from ..statistics import holm, paired_difference, verdict
from ..study.methods import book_methods
from .claims_rules import by_seed, finished
from .tables import MARKS, MISSING, number, plain_table

# The methods a practitioner could pick from are the registry's advice list
# (``study.methods.book_methods("advice")``); uniform needs no pretraining and no search.
CHEAPEST = "uniform"
NO_LEAD = "—"  # the advice table's "lead on uniform" where uniform is the best method


# -- the advice ------------------------------------------------------------------------------------

def practical_advice(results: pd.DataFrame, *, budgets: Sequence[float], methods: Sequence[str] | None = None,
                     cheapest: str = CHEAPEST, reference: SearchConfig | None = None,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Per dataset, base model and budget: the method with the best mean test AUC among ``methods``
    (default: the registry's advice list), its lead over the runner-up and over ``cheapest`` (paired
    over seeds, Holm-corrected across every comparison of the table), and the advice: the leader when
    its lead over ``cheapest`` is a distinguishable verdict, else ``cheapest`` (as good within the
    noise, and it needs no pretraining and no search)."""
    methods = book_methods("advice") if methods is None else methods
    ok = finished(results, reference)
    ok = ok[ok["method"].isin(methods) & ok["budget"].isin(budgets) & (ok["variant"] == "default")]
    rows, tests = [], []
    for (dataset, model, budget), cell in ok.groupby(["dataset", "model", "budget"], sort=True):
        seeds = {m: by_seed(g) for m, g in cell.groupby("method")}
        ranked = sorted(seeds, key=lambda m: (-seeds[m].mean(), m))
        best = ranked[0]
        row = {"dataset": dataset, "model": model, "budget": budget, "best": best,
               "best_auc": float(seeds[best].mean()), "runner_up": ranked[1] if len(ranked) > 1 else None}
        for key, other in (("next", row["runner_up"]), ("cheapest", cheapest if cheapest in seeds else None)):
            if other is None or other == best:
                row |= {f"{key}_lead": 0.0 if other == best else math.nan, f"{key}_ci95": math.nan,
                        f"{key}_p": math.nan}
                continue
            common = seeds[best].index.intersection(seeds[other].index)
            d = paired_difference(seeds[best].loc[common].to_numpy(), seeds[other].loc[common].to_numpy())
            row |= {f"{key}_lead": d.mean, f"{key}_ci95": d.ci95, f"{key}_p": d.p_t}
            tests.append((len(rows), key))
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    adjusted = holm([table.at[i, f"{key}_p"] for i, key in tests])
    for key in ("next", "cheapest"):
        table[f"{key}_verdict"] = "–"
    for (i, key), p in zip(tests, adjusted, strict=True):
        table.at[i, f"{key}_verdict"] = verdict(table.at[i, f"{key}_lead"], p, alpha)
    table["advice"] = [advise(b, v, cheapest) for b, v in zip(table["best"], table["cheapest_verdict"], strict=True)]
    return table


def advise(best: str, against_cheapest: str, cheapest: str = CHEAPEST) -> str:
    """The leader when it beats the cheapest method distinguishably; the cheapest when it leads, or the
    leader's edge over it is within the noise. Without a run of the cheapest method ('–') the leader
    is all the data can recommend."""
    if best == cheapest or against_cheapest in ("indistinguishable", "worse"):
        return cheapest
    return best


def advice_text(advice: pd.DataFrame) -> dict[str, str]:
    """Glued numbers: in how many cells the cheapest method is the advice, and in how many the best
    method's lead over the runner-up is distinguishable (the table shows which)."""
    if advice.empty:
        return {"advice_cheapest": "0 of 0", "advice_cells": "0", "advice_distinct": "0"}
    cheap = int((advice["advice"] == CHEAPEST).sum())
    return {"advice_cheapest": f"{cheap} of {len(advice)}", "advice_cells": f"{len(advice)}",
            "advice_distinct": f"{int((advice['next_verdict'] == 'better').sum())}"}


def advice_table(advice: pd.DataFrame):
    """The advice as a book table narrow enough for the page: each lead and its verdict in one cell, the
    verdict as the mark the other tables use."""
    def marked(lead: float, verdict_: str) -> str:
        return MISSING if lead != lead else f"{number(lead, signed=True)} {MARKS.get(verdict_, '')}".rstrip()

    frame = advice.assign(
        dataset=advice["dataset"].map(display_name),
        next_lead=[marked(v, w) for v, w in zip(advice["next_lead"], advice["next_verdict"], strict=True)],
        # the cheapest method leading has no lead over itself: a dash, not +0.0000
        cheapest_lead=[NO_LEAD if b == CHEAPEST else marked(v, w) for b, v, w in
                       zip(advice["best"], advice["cheapest_lead"], advice["cheapest_verdict"], strict=True)])
    return plain_table(
        frame[["dataset", "budget", "model", "best", "best_auc", "runner_up", "next_lead", "cheapest_lead",
               "advice"]].rename(columns={"best_auc": "its AUC", "runner_up": "runner-up",
                                          "next_lead": "lead on runner-up", "cheapest_lead": f"lead on {CHEAPEST}"}),
        keys=["dataset", "budget"], formats={"budget": lambda b: f"{b:g}"},
        note=f"Best mean test AUC per cell; leads are paired differences over seeds, Holm-corrected across the "
             f"table at the 5% level: {MARKS['better']} distinguishable, {MARKS['indistinguishable']} within the "
             f"noise. Advice: {CHEAPEST} unless the best method beats it distinguishably.")
