"""The claims' verdict table (one row per claim) and the short phrases the pages glue, from the
``claims_verdicts.Evidence`` computed once. Phrases here are numbers and short scope strings; the
sentences around them are written in the notebooks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..data import display_name, has_planted_truth
from ..study.profile import StudyConfig
from .claims_checks import untestable_text
from .claims_rules import NOT_TESTABLE, VERDICTS, all_hold, interval_text
from .common import listing
from .tables import count_text

if TYPE_CHECKING:
    from .claims_verdicts import Evidence

STATEMENTS = {
    "(a)": "about 90% fewer embedding parameters at the same AUC",
    "(b)": "model-agnostic",
    "(c)": "SSEDS's widths beat simpler allocations",
    "(d)": "the single-shot search is cheap",
    "(e)": "saliency finds the important dimensions",
    "(f)": "Criteo and Avazu at full size; the online A/B test",
}


def dataset_name(name: str) -> str:
    """A dataset as the prose writes it: the planted-truth data by that name."""
    return "the planted-truth data" if has_planted_truth(name) else display_name(name)


def seeds_text(ns: Sequence[int]) -> str:
    """'10 seeds', '3-10 seeds', '1 seed'."""
    ns = sorted({int(n) for n in ns})
    if not ns:
        return "no seeds"
    return count_text(ns[0], "seed") if len(ns) == 1 else f"{ns[0]}-{ns[-1]} seeds"


def span(values: Sequence[float], fmt=lambda v: f"{v:+.4f}") -> str:
    values = [v for v in values if v == v]
    if not values:
        return "–"
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo} to {hi}"


def cell_scope(cells: pd.DataFrame) -> str:
    """'MovieLens-100K: FM, DeepFM (10 seeds); MovieLens-1M: FM (3 seeds)'."""
    if cells.empty:
        return "no cells"
    parts = []
    for dataset, g in cells.groupby("dataset", sort=False):
        parts.append(f"{dataset_name(dataset)}: {', '.join(dict.fromkeys(g['model']))} ({seeds_text(g['n'])})")
    return "; ".join(parts)


def outcome_counts(cells: pd.DataFrame, column: str = "outcome") -> str:
    """'inferior in 3 of 3 cells'."""
    counts = cells[column].value_counts()
    parts = [f"{k} in {int(v)}" for k, v in counts.items()]
    return f"{', '.join(parts)} of {count_text(len(cells), 'cell')}"


def claim_a(ev: Evidence) -> dict:
    a = ev.a
    budgets = " and ".join(f"{b:g}" for b in ev.budgets_a)
    dims = " and ".join(f"{d}" for d in ev.emb_dims)
    judged = a[a["lower"].notna()] if not a.empty else a
    return {"verdict": all_hold(list(a["verdict"]) if not a.empty else [NOT_TESTABLE]),
            "scope": f"{cell_scope(judged)}; D = {dims}; budget {budgets}; not tested at the paper's scale",
            "cells": len(a),
            "family": "none: a one-sided non-inferiority test per cell at margin "
                      f"{ev.margin:g}, and every cell must pass",
            "finding": (f"SSEDS − full at budget {budgets}: {outcome_counts(judged)}, from "
                        f"{span(judged['difference'])} AUC" if not judged.empty else
                        "no cell could be judged")}


def claim_b(ev: Evidence) -> dict:
    b, per_model = ev.b, ev.b_models
    scope = []
    for model, g in b.groupby("model", sort=False) if not b.empty else []:
        judged = g[g["n"] >= 2]
        where = ", ".join(f"{dataset_name(r.dataset)} {count_text(int(r.n), 'seed')}" for r in judged.itertuples())
        note = f", from profile {g['profile'].iloc[0]}" if (g["evidence"] == "fallback").all() else ""
        scope.append(f"{model}: {where or 'no runs'}{note}")
    finding = "per model: " + "; ".join(f"{r.model} {r.verdict}" for r in per_model.itertuples())
    con = ev.b_consistency
    full = con[con["against"] == "full"] if not con.empty else con
    if not full.empty:
        r = full.iloc[0]
        finding += (f"; {r.model}'s gap to the full model minus {r.first}'s: "
                    f"{interval_text(r.difference, r.ci95)}, {r.verdict}")
    return {"verdict": all_hold(list(per_model["verdict"]) or [NOT_TESTABLE]), "scope": "; ".join(scope),
            "cells": len(b), "family": "none for the verdicts (as (a), per model); the model-against-model "
                                       f"gaps Holm-corrected across their {count_text(len(con), 'comparison')}",
            "finding": finding}


def claim_c(ev: Evidence) -> dict:
    summary, paired = ev.c_summary, ev.c_paired
    counts = {v: int(summary[v].sum()) if v in summary else 0 for v in ("better", "worse", "indistinguishable")}
    n = len(paired)
    order = list(dict.fromkeys(m for item, _ in ev.real for m in item.study.models))
    scope = "; ".join(f"{dataset_name(d)}: {', '.join(m for m in order if m in set(g['model']))} "
                      f"({seeds_text(g['n'])})" for d, g in paired.groupby("dataset", sort=False)) if n else "no cells"
    budgets = " and ".join(f"{b:g}" for b in ev.budgets_c)
    per_dataset = "; ".join(f"{dataset_name(r.dataset)} {r.verdict}" for r in summary.itertuples())
    return {"verdict": all_hold(list(summary["verdict"]) or [NOT_TESTABLE]),
            "scope": f"{scope}; budgets {budgets}; against {listing(list(dict.fromkeys(paired['baseline'])))}"
            if n else scope,
            "cells": n, "family": f"all {n} cells of chapter 4's verdict table (every dataset, base model, budget "
                                  "and baseline): one family for the one claim",
            "finding": (f"better in {counts['better']}, worse in {counts['worse']}, indistinguishable in "
                        f"{counts['indistinguishable']} of {n}; {per_dataset}"), **counts}


def claim_d(ev: Evidence) -> dict:
    costs, end = ev.d_costs, ev.d_end
    book = ev.loaded["book"]
    scope = (f"{listing([dataset_name(d.name) for d in book.study.datasets])}: "
             f"{', '.join(book.study.models)} ({count_text(len(book.study.seeds), 'seed')})")
    finding = "no search costs recorded"
    if not costs.empty:
        finding = f"search: {span(costs['pass_fraction'], lambda v: f'{v:.0%}')} of one pretraining epoch's passes"
        if costs["pep_over_sseds_passes"].notna().any():
            finding += f", PEP's {span(costs['pep_over_sseds_passes'], lambda v: f'{v:.0f}')} times as many"
    whole = [f"{name} {span(rows['ratio'], lambda v: f'{v:.1f}')}" for method, name in (("sseds", "SSEDS"), ("pep", "PEP"))
             for rows in [end[end["method"] == method] if not end.empty else end] if not rows.empty]
    if whole:
        finding += f"; end to end, {' and '.join(whole)} times one uniform training"
    return {"verdict": ev.d_verdict, "scope": scope, "cells": len(costs),
            "family": "none: counts of passes, not a test", "finding": finding}


def claim_e(ev: Evidence) -> dict:
    rows = ev.e_rows
    main = rows[rows["budget"] == ev.budget_e]
    others = rows[rows["budget"] != ev.budget_e]
    planted = ev.loaded["planted"]
    oracle = main["oracle_budget"].mean() if "oracle_budget" in main and not main.empty else float("nan")
    ratio = f" = {ev.budget_e / oracle:.1f} times the oracle's {oracle:.3f}" if oracle == oracle and oracle else ""
    seeds = seeds_text(main["runs"]) if not main.empty else "no seeds"
    scope = (f"{listing([dataset_name(d.name) for d in planted.study.datasets])} (an FM-form logit: the "
             f"well-specified case for an FM); {', '.join(planted.study.models)}; {seeds}; budget "
             f"{ev.budget_e:g}{ratio}")
    verdict = all_hold(list(main["verdict"]) or [NOT_TESTABLE])
    finding = "; ".join(f"at budget {r.budget:g}: Spearman {interval_text(r.spearman, r.spearman_ci95, 2, (-1.0, 1.0))}"
                        f", SSEDS − oracle {interval_text(r.oracle_difference, r.oracle_ci95)} ({r.verdict})"
                        for r in pd.concat([main, others]).itertuples())
    weaker = [r for r in others.itertuples() if r.verdict != verdict]
    qualifier = "; ".join(f"{r.verdict} at budget {r.budget:g}" for r in weaker)
    return {"verdict": verdict, "qualifier": f"at budget {ev.budget_e:g}; {qualifier}" if qualifier else "",
            "scope": scope, "cells": len(main), "family": "none: both tests must pass", "finding": finding or "–"}


def claim_f(paper: StudyConfig | None) -> dict:
    text = untestable_text(paper)
    return {"verdict": NOT_TESTABLE, "scope": text["claim_f_scope"], "cells": 0, "family": "–",
            "finding": "full-size data needs hours per fit here; the online test needs live traffic"}


def verdict_rows(ev: Evidence, paper: StudyConfig | None = None) -> pd.DataFrame:
    """One row per claim: claim, statement, verdict (one of ``VERDICTS``), qualifier (a scope the
    verdict holds only in, or ''), scope, cells, family (the Holm family, or why none), finding, and for
    (c) the counts better / worse / indistinguishable."""
    parts = {"(a)": claim_a(ev), "(b)": claim_b(ev), "(c)": claim_c(ev), "(d)": claim_d(ev), "(e)": claim_e(ev),
             "(f)": claim_f(paper)}
    rows = [{"claim": k, "statement": STATEMENTS[k], "qualifier": "", **v} for k, v in parts.items()]
    table = pd.DataFrame(rows)
    for col in ("better", "worse", "indistinguishable"):
        table[col] = table[col].astype("Int64")
    assert set(table["verdict"]) <= set(VERDICTS), table["verdict"]
    return table[["claim", "statement", "verdict", "qualifier", "scope", "cells", "family", "finding", "better",
                  "worse", "indistinguishable"]]
