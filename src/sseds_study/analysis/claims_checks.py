"""The paper's claims (a) to (f) of chapter 07, each judged from a results table by a stated rule.

Each function takes the results rows (and, for (e), the planted ranks) and returns its cells with a
verdict from ``claims_rules.VERDICTS`` and, where a cell cannot be judged, the reason. ``claims``
assembles them into the chapter; here they are testable on constructed tables without a sweep.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from ..config import ConfigError, SearchConfig
from ..data import display_name
from ..search.agreement import planted_rank_agreement
from ..statistics import difference_spread, minimum_detectable_difference, paired_difference, t_interval
from ..study.compare import paired_comparisons, verdict_counts
from ..study.methods import verdict_baselines
from ..study.profile import StudyConfig
from .claims_rules import (
    INCONCLUSIVE,
    MARGIN,
    NOT_SUPPORTED,
    NOT_TESTABLE,
    OUTCOME_VERDICT,
    SUPPORTED,
    all_hold,
    by_seed,
    count_verdict,
    finished,
    margin_verdict,
    missing,
    noninferiority,
)
from .common import check_efficiency_columns, search_costs
from .tables import count_text

CLAIM_BUDGET = 0.1  # "about 90% fewer embedding parameters"
# Sizes of the paper's datasets as distributed (rows of the labelled training files), for the
# sentence saying why they are out of reach here; the code does not need them.
PAPER_ROWS = {"criteo": 45_840_617, "avazu": 40_428_967}


# -- (a) and (b): fewer parameters at the same AUC -------------------------------------------------------

def parameter_claim(results: pd.DataFrame, *, profile: str, datasets: Sequence[str], models: Sequence[str],
                    budget: float = CLAIM_BUDGET, margin: float = MARGIN, method: str = "sseds",
                    reference: SearchConfig | None = None) -> pd.DataFrame:
    """Per dataset and base model: ``method`` at ``budget`` against the full model of the same seed.

    Columns: dataset, model, profile, budget, n (paired seeds), full (mean test AUC), difference
    (method − full, mean), ci95, lower, upper, kept (achieved budget), outcome (of the non-inferiority
    test, ``noninferiority``), verdict (the claim's word for it) and reason (why, for a cell that
    cannot be judged)."""
    ok = finished(results, reference)
    out = []
    for dataset in datasets:
        for model in models:
            cell = ok[(ok["dataset"] == dataset) & (ok["model"] == model)]
            full = cell[cell["method"] == "full"]
            slim = cell[(cell["method"] == method) & (cell["budget"] == budget) & (cell["variant"] == "default")]
            row = {"dataset": dataset, "model": model, "profile": profile, "budget": budget, "n": 0,
                   "full": math.nan, "difference": math.nan, "ci95": math.nan, "lower": math.nan,
                   "upper": math.nan, "kept": math.nan, "outcome": NOT_TESTABLE, "verdict": NOT_TESTABLE,
                   "reason": ""}
            if full.empty:
                row["reason"] = missing(f"full on {dataset} / {model}", profile)
            elif slim.empty:
                row["reason"] = missing(f"{method} at budget {budget:g} on {dataset} / {model}", profile)
            else:
                a, b = by_seed(slim), by_seed(full)
                seeds = a.index.intersection(b.index)
                d = paired_difference(a.loc[seeds].to_numpy(), b.loc[seeds].to_numpy())
                row |= {"n": d.n, "full": float(b.loc[seeds].mean()), "difference": d.mean, "ci95": d.ci95,
                        "kept": float(slim["achieved_budget"].mean()) if "achieved_budget" in slim else math.nan}
                if d.n < 2:
                    row["reason"] = f"{NOT_TESTABLE}: {count_text(d.n, 'seed')} with both runs; an interval needs two"
                else:
                    outcome = noninferiority(d.mean - d.ci95, d.mean + d.ci95, margin)
                    row |= {"lower": d.mean - d.ci95, "upper": d.mean + d.ci95, "outcome": outcome,
                            "verdict": OUTCOME_VERDICT[outcome]}
            out.append(row)
    return pd.DataFrame(out)


def model_agnostic_claim(cells: pd.DataFrame, models: Sequence[str]) -> pd.DataFrame:
    """Per base model, whether claim (a) holds on every dataset (``all_hold``); a model with no cell is
    not testable."""
    out = []
    for model in models:
        verdicts = list(cells.loc[cells["model"] == model, "verdict"]) if not cells.empty else []
        out.append({"model": model, "cells": len(verdicts), "verdict": all_hold(verdicts or [NOT_TESTABLE])})
    return pd.DataFrame(out)


# -- (c): SSEDS against simpler allocations -------------------------------------------------------------

def baseline_family(results: pd.DataFrame, *, budgets: Sequence[float], baselines: Sequence[str] | None = None,
                    reference: SearchConfig | None = None) -> pd.DataFrame:
    """SSEDS against each baseline (default: the registry's verdict baselines) at ``budgets``, paired by
    seed, with Holm's correction across the whole table (``study.compare.paired_comparisons``).

    The one family of the SSEDS-against-baseline verdicts: chapter 4's verdict table and claim (c)
    are both this table, so their counts agree by construction. The family is every test that bears
    on claim (c), across datasets, base models, budgets and baselines: a family per dataset would let
    the claim's verdict depend on how the evidence happens to be split into profiles."""
    baselines = verdict_baselines() if baselines is None else list(baselines)
    if finished(results, reference).empty:
        return pd.DataFrame()
    return paired_comparisons(results, "sseds", baselines, budgets=budgets, reference=reference)


def design_detects(table: pd.DataFrame) -> float:
    """The median over a comparison table's cells of the smallest difference its paired t test
    detects with 80% power (``statistics.minimum_detectable_difference``, at each cell's observed spread
    and seeds); NaN without a cell of two seeds."""
    if table.empty:
        return math.nan
    mdd = [minimum_detectable_difference(difference_spread(h, int(n)), int(n))
           for h, n in zip(table["ci95"], table["n"], strict=True)]
    mdd = [m for m in mdd if m == m]
    return float(pd.Series(mdd).median()) if mdd else math.nan


def baseline_summary(paired: pd.DataFrame, results: pd.DataFrame, *, datasets: Sequence[str],
                     profiles: Mapping[str, str], budgets: Sequence[float], baselines: Sequence[str] | None = None,
                     margin: float = MARGIN, reference: SearchConfig | None = None) -> pd.DataFrame:
    """Per dataset, the counts of the family's verdicts (``baseline_family``), the smallest gain the
    design detects (``design_detects``) and the claim's verdict (``count_verdict``, powered when that
    gain is at most ``margin``). profiles: the profile each dataset is read from."""
    baselines = verdict_baselines() if baselines is None else tuple(baselines)
    ok = finished(results, reference)
    summary = []
    for dataset in datasets:
        table = paired[paired["dataset"] == dataset] if not paired.empty else paired
        counts = verdict_counts(table)
        detects = design_detects(table)
        row = {"dataset": dataset, "profile": profiles.get(dataset, ""), "cells": len(table), **counts,
               "detects": detects, "verdict": NOT_TESTABLE, "reason": ""}
        powered = detects == detects and detects <= margin
        if table.empty:
            absent = [m for m in ("sseds", *baselines) if ok[(ok["dataset"] == dataset) & (ok["method"] == m)
                                                            & ok["budget"].isin(budgets)].empty]
            row["reason"] = missing(f"{', '.join(absent) or 'paired seeds'} at budget "
                                    f"{' or '.join(f'{b:g}' for b in budgets)} on {dataset}",
                                    profiles.get(dataset, ""))
        else:
            row["verdict"] = count_verdict(counts["better"], counts["worse"], len(table), powered)
        row["borderline"] = int(table["borderline"].sum()) if "borderline" in table else 0
        row["stable"] = verdict_is_stable(table, row["verdict"], powered)
        summary.append(row)
    return pd.DataFrame(summary)


def baseline_claim(results: pd.DataFrame, *, profile: str, datasets: Sequence[str], budgets: Sequence[float],
                   baselines: Sequence[str] | None = None, margin: float = MARGIN,
                   reference: SearchConfig | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``baseline_family`` of one results table and its ``baseline_summary``: (paired, summary)."""
    paired = baseline_family(results, budgets=budgets, baselines=baselines, reference=reference)
    return paired, baseline_summary(paired, results, datasets=datasets, profiles=dict.fromkeys(datasets, profile),
                                    budgets=budgets, baselines=baselines, margin=margin, reference=reference)


def verdict_is_stable(table: pd.DataFrame, current: str, powered: bool = False) -> bool:
    """Whether ``count_verdict`` gives ``current`` however the borderline cells of ``table`` fall: each
    borderline cell either keeps its verdict or takes the other one near it (a better or worse cell
    becomes indistinguishable; an indistinguishable one takes the sign of its mean difference). The
    rule is monotone in the counts, so the two extreme resolutions decide."""
    if table.empty or "borderline" not in table or not table["borderline"].any():
        return True
    better, worse = (table["verdict"] == "better").sum(), (table["verdict"] == "worse").sum()
    marked = table[table["borderline"].astype(bool)]
    up_b = ((marked["verdict"] == "indistinguishable") & (marked["difference"] > 0)).sum()
    up_w = ((marked["verdict"] == "indistinguishable") & (marked["difference"] < 0)).sum()
    down_b, down_w = (marked["verdict"] == "better").sum(), (marked["verdict"] == "worse").sum()
    n = len(table)
    best = count_verdict(int(better + up_b), int(worse - down_w), n, powered)   # every borderline cell falls for SSEDS
    worst = count_verdict(int(better - down_b), int(worse + up_w), n, powered)  # every one falls against it
    return best == worst == current


# -- (d): the search is cheap ---------------------------------------------------------------------------

def cost_claim(results: pd.DataFrame, *, profile: str,
               reference: SearchConfig | None = None) -> tuple[pd.DataFrame, str, str]:
    """SSEDS's search cost in forward-and-backward passes, as a fraction of one pretraining epoch's
    passes and against PEP's search, per dataset and base model (``common.search_costs``), with the
    seconds measured beside them. Returns (table, verdict, reason).

    Rule, on counts alone (the same on every machine and at every load): supported when SSEDS's search
    takes fewer passes than one pretraining epoch in every cell and, where PEP ran, fewer passes than
    PEP's search; not supported when one cell takes an epoch's passes or more, or more than PEP's. The
    seconds (search, and its fraction of a pretraining epoch's seconds) are reported, not judged: they
    move with the machine and its load (``load_1min`` in each row)."""
    ok = finished(results, reference)
    if ok[ok["method"] == "sseds"].empty:
        return pd.DataFrame(), NOT_TESTABLE, missing("sseds", profile)
    try:
        check_efficiency_columns(results, f"profile {profile}")
    except ConfigError as exc:
        return pd.DataFrame(), NOT_TESTABLE, f"{NOT_TESTABLE}: {exc}"
    costs = search_costs(results, reference)
    sseds = costs[costs["method"] == "sseds"].set_index(["dataset", "model"])
    pep = costs[costs["method"] == "pep"].set_index(["dataset", "model"])
    table = pd.DataFrame({
        "pass_fraction": sseds["pass_fraction_mean"], "sseds_passes": sseds["search_passes_mean"],
        "pep_passes": pep["search_passes_mean"].reindex(sseds.index),
        "pep_pass_fraction": pep["pass_fraction_mean"].reindex(sseds.index),
        "epoch_fraction": sseds["epoch_fraction_mean"], "ci95": sseds["epoch_fraction_ci95"],
        "sseds_seconds": sseds["search_seconds_mean"],
        "pep_seconds": pep["search_seconds_mean"].reindex(sseds.index),
        "pep_epoch_fraction": pep["epoch_fraction_mean"].reindex(sseds.index)}).reset_index()
    table["pep_over_sseds_passes"] = table["pep_passes"] / table["sseds_passes"]
    table["pep_over_sseds"] = table["pep_seconds"] / table["sseds_seconds"]
    if (table["pass_fraction"] >= 1).any() or (table["pep_over_sseds_passes"] < 1).any():
        return table, NOT_SUPPORTED, ""
    return table, SUPPORTED, ""


# -- (e): saliency finds the planted dimensions ---------------------------------------------------------

def planted_claim(results: pd.DataFrame, truth: Mapping[str, Sequence[int]], *, profile: str,
                  datasets: Sequence[str], budget: float, margin: float = MARGIN,
                  reference: SearchConfig | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """On data with planted ranks: per seed, the Spearman correlation between SSEDS's widths at
    ``budget`` and the planted ranks, and SSEDS's test AUC minus the oracle's (a retrain at the
    planted widths), same seed. Returns (per_field, summary); summary has per dataset the mean
    correlation and the mean difference with 95% intervals, and three verdicts:

    * ``rank_verdict``: supported when the correlation's interval lies above 0, not supported when it
      lies below 0 or touches it from below, else inconclusive;
    * ``oracle_verdict``: ``margin_verdict`` of the difference from the oracle (as claim (a));
    * ``verdict``: ``all_hold`` of the two; not testable when the correlation is.
    truth: {dataset: planted rank of each field, in field order}; a dataset without one is not testable.
    """
    ok = finished(results, reference)
    per_field, summary = [], []
    for dataset in datasets:
        row = {"dataset": dataset, "profile": profile, "budget": budget, "runs": 0, "spearman": math.nan,
               "spearman_ci95": math.nan, "oracle_n": 0, "oracle_difference": math.nan, "oracle_ci95": math.nan,
               "oracle_budget": math.nan, "oracle_outcome": NOT_TESTABLE,
               "rank_verdict": NOT_TESTABLE, "oracle_verdict": NOT_TESTABLE, "reason": ""}
        reasons = []
        ranks = truth.get(dataset)
        sseds = ok[(ok["dataset"] == dataset) & (ok["method"] == "sseds") & (ok["budget"] == budget)
                   & (ok["variant"] == "default")]
        if ranks is None:
            reasons.append(f"{NOT_TESTABLE}: {dataset} has no planted ranks")
        elif sseds.empty:
            reasons.append(missing(f"sseds at budget {budget:g} on {dataset}", profile))
        else:
            rhos = []
            for (seed, model), r in sseds.groupby(["seed", "model"], sort=True):
                widths = json.loads(r["emb_dims"].iloc[0])
                if len(widths) != len(ranks):
                    raise ConfigError(f"{dataset}: {len(widths)} widths in the rows, {len(ranks)} planted ranks")
                rhos.append(planted_rank_agreement(widths, ranks))
                per_field.extend({"dataset": dataset, "seed": seed, "model": model, "field": f"f{i}",
                                  "true_rank": int(t), "width": int(w)}
                                 for i, (t, w) in enumerate(zip(ranks, widths, strict=True)))
            mean, half = t_interval(rhos)
            row |= {"runs": len(rhos), "spearman": mean, "spearman_ci95": half}
            if len(rhos) < 2 or half != half:
                defined = count_text(sum(r == r for r in rhos), "seed")
                reasons.append(f"{NOT_TESTABLE}: the correlation is defined for {defined}; an interval needs two")
            else:
                row["rank_verdict"] = (SUPPORTED if mean - half > 0 else NOT_SUPPORTED if mean + half <= 0
                                       else INCONCLUSIVE)
        oracle = ok[(ok["dataset"] == dataset) & (ok["method"] == "oracle")]
        if oracle.empty:
            reasons.append(missing(f"oracle on {dataset}", profile))
        elif not sseds.empty:
            a, b = by_seed(sseds), by_seed(oracle)
            seeds = a.index.intersection(b.index)
            d = paired_difference(a.loc[seeds].to_numpy(), b.loc[seeds].to_numpy())
            row |= {"oracle_n": d.n, "oracle_difference": d.mean, "oracle_ci95": d.ci95,
                    "oracle_budget": float(oracle["achieved_budget"].mean()) if "achieved_budget" in oracle
                    else math.nan}
            if d.n >= 2:
                row["oracle_outcome"] = noninferiority(d.mean - d.ci95, d.mean + d.ci95, margin)
                row["oracle_verdict"] = margin_verdict(d.mean - d.ci95, d.mean + d.ci95, margin)
            else:
                reasons.append(f"{NOT_TESTABLE}: {count_text(d.n, 'seed')} with SSEDS and oracle runs; an interval "
                               "needs two")
        # Without the ranks the claim has no subject, whatever the oracle comparison says.
        row["verdict"] = (NOT_TESTABLE if row["rank_verdict"] == NOT_TESTABLE
                          else all_hold([row["rank_verdict"], row["oracle_verdict"]]))
        row["reason"] = "; ".join(reasons)
        summary.append(row)
    return pd.DataFrame(per_field), pd.DataFrame(summary)


# -- (f): what cannot be tested here --------------------------------------------------------------------

def untestable_text(paper: StudyConfig | None = None) -> dict[str, str]:
    """What the paper tests and this book cannot, as short phrases (the sentences are the chapter's):
    the ``paper`` profile's datasets with the sizes of their files, the profile's name, and the scope."""
    names = [d.name for d in paper.datasets] if paper is not None else list(PAPER_ROWS)
    sizes = " and ".join(f"{display_name(n)} ({PAPER_ROWS[n]:,} rows)" if n in PAPER_ROWS else display_name(n)
                         for n in names)
    return {"claim_f_data": sizes, "claim_f_profile": paper.name if paper is not None else "paper",
            "claim_f_scope": f"{' and '.join(display_name(n) for n in names)} at full size; the online A/B test"}
