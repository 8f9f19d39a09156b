"""Chapter 07: the paper's claims one by one, each with a verdict generated from the result files.

Verdicts are one of ``VERDICTS``: *supported*, *not supported*, *inconclusive*, or *not testable
here* (with the reason: a dataset, method or budget the profile has no runs of, a column the rows
lack). The rules are stated beside each function and in the chapter's prose, so a reader can check
a verdict against the numbers shown with it.

"The same AUC" is a margin, not a test of no difference: SSEDS's paired difference from the full
model (same seed, same split) must stay above ``-MARGIN`` over its whole 95% interval. 0.001 AUC is
the size of gain the CTR literature usually calls meaningful, so a loss smaller than that is "the
same AUC"; an interval that straddles ``-MARGIN`` cannot say which side the truth is on.

``build_claims`` takes the result tables and the planted ranks, so every rule is testable without a
sweep; ``claims_chapter`` loads them (resuming the profile's sweep and its companions').
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..config import ConfigError, SearchConfig, StudyConfig, companion, load_profile
from ..data import has_planted_truth, load_dataset_from_config
from ..figures.claims import plot_cost_claim, plot_interval_claim, plot_planted_claim
from ..search.agreement import planted_rank_agreement
from ..statistics import paired_difference, t_interval
from ..study import seed_data, sweep
from ..study.compare import paired_comparisons, verdict_counts
from .advice import advice_table, advice_text, practical_advice
from .budget import small_budgets
from .chapter import Chapter
from .claim_rules import (
    INCONCLUSIVE,
    MARGIN,
    NOT_SUPPORTED,
    NOT_TESTABLE,
    SUPPORTED,
    VERDICTS,
    all_hold,
    by_seed,
    count_verdict,
    finished,
    interval_text,
    margin_verdict,
    missing,
    name_of,
)
from .efficiency import check_efficiency_columns, search_costs
from .tables import MISSING, number, plain_table

CLAIM_BUDGET = 0.1  # "about 90% fewer embedding parameters"
BASELINES = ("uniform", "frequency", "random", "magnitude")
# The roles of the profiles this chapter reads (``config.companion``); "book" is the profile itself.
ROLES = ("book", "headline", "large", "planted")
# Sizes of the paper's datasets as distributed (rows of the labelled training files), for the
# sentence saying why they are out of reach here; the code does not need them.
PAPER_ROWS = {"criteo": 45_840_617, "avazu": 40_428_967}


@dataclass
class Loaded:
    """One profile's results as the chapter reads them: the study as run and its results table."""

    study: StudyConfig
    table: pd.DataFrame


# -- (a) and (b): fewer parameters at the same AUC -------------------------------------------------------

def parameter_claim(results: pd.DataFrame, *, profile: str, datasets: Sequence[str], models: Sequence[str],
                    budget: float = CLAIM_BUDGET, margin: float = MARGIN, method: str = "sseds",
                    reference: SearchConfig | None = None) -> pd.DataFrame:
    """Per dataset and base model: ``method`` at ``budget`` against the full model of the same seed.

    Columns: dataset, model, profile, budget, n (paired seeds), full (mean test AUC), difference
    (method − full, mean), ci95, lower, upper, kept (achieved budget), verdict (``margin_verdict``) and
    reason (why, for a cell that cannot be judged)."""
    ok = finished(results, reference)
    out = []
    for dataset in datasets:
        for model in models:
            cell = ok[(ok["dataset"] == dataset) & (ok["model"] == model)]
            full = cell[cell["method"] == "full"]
            slim = cell[(cell["method"] == method) & (cell["budget"] == budget) & (cell["variant"] == "default")]
            row = {"dataset": dataset, "model": model, "profile": profile, "budget": budget, "n": 0,
                   "full": math.nan, "difference": math.nan, "ci95": math.nan, "lower": math.nan,
                   "upper": math.nan, "kept": math.nan, "verdict": NOT_TESTABLE, "reason": ""}
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
                    row["reason"] = f"{NOT_TESTABLE}: {d.n} seed(s) with both runs; an interval needs two"
                else:
                    row |= {"lower": d.mean - d.ci95, "upper": d.mean + d.ci95,
                            "verdict": margin_verdict(d.mean - d.ci95, d.mean + d.ci95, margin)}
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

def baseline_claim(results: pd.DataFrame, *, profile: str, datasets: Sequence[str], budgets: Sequence[float],
                   baselines: Sequence[str] = BASELINES,
                   reference: SearchConfig | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SSEDS against each baseline at ``budgets``: the paired comparisons (``study.compare``, Holm across
    the table) and, per dataset, the counts of verdicts and the claim's verdict (``count_verdict``)."""
    ok = finished(results, reference)
    paired = (paired_comparisons(results, "sseds", list(baselines), budgets=budgets, reference=reference)
              if not ok.empty else pd.DataFrame())
    summary = []
    for dataset in datasets:
        table = paired[paired["dataset"] == dataset] if not paired.empty else paired
        counts = verdict_counts(table)
        row = {"dataset": dataset, "profile": profile, "cells": len(table), **counts, "verdict": NOT_TESTABLE,
               "reason": ""}
        if table.empty:
            absent = [m for m in ("sseds", *baselines) if ok[(ok["dataset"] == dataset) & (ok["method"] == m)
                                                            & ok["budget"].isin(budgets)].empty]
            row["reason"] = missing(f"{', '.join(absent) or 'paired seeds'} at budget "
                                    f"{' or '.join(f'{b:g}' for b in budgets)} on {dataset}", profile)
        else:
            row["verdict"] = count_verdict(counts["better"], counts["worse"], len(table))
        summary.append(row)
    return paired, pd.DataFrame(summary)


# -- (d): the search is cheap ---------------------------------------------------------------------------

def cost_claim(results: pd.DataFrame, *, profile: str,
               reference: SearchConfig | None = None) -> tuple[pd.DataFrame, str, str]:
    """SSEDS's search time as a fraction of one pretraining epoch, and against PEP's search, per
    dataset and base model (``efficiency.search_costs``). Returns (table, verdict, reason).

    Rule: supported when SSEDS's search costs less than one pretraining epoch in every cell (upper end
    of its 95% interval below 1) and, where PEP ran, less time than PEP's search; not supported when
    one cell costs an epoch or more (lower end at 1 or above) or more than PEP's; else inconclusive."""
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
        "epoch_fraction": sseds["epoch_fraction_mean"], "ci95": sseds["epoch_fraction_ci95"],
        "sseds_seconds": sseds["search_seconds_mean"],
        "pep_seconds": pep["search_seconds_mean"].reindex(sseds.index),
        "pep_epoch_fraction": pep["epoch_fraction_mean"].reindex(sseds.index)}).reset_index()
    table["pep_over_sseds"] = table["pep_seconds"] / table["sseds_seconds"]
    half = table["ci95"].fillna(0.0)  # one seed: judged on its value
    lower, upper = table["epoch_fraction"] - half, table["epoch_fraction"] + half
    slower = (table["pep_over_sseds"] < 1).any()
    if (lower >= 1).any() or slower:
        return table, NOT_SUPPORTED, ""
    if (upper < 1).all():
        return table, SUPPORTED, ""
    return table, INCONCLUSIVE, ""


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
                reasons.append(f"{NOT_TESTABLE}: the correlation is defined for {sum(r == r for r in rhos)} "
                               "seed(s); an interval needs two")
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
            row |= {"oracle_n": d.n, "oracle_difference": d.mean, "oracle_ci95": d.ci95}
            if d.n >= 2:
                row["oracle_verdict"] = margin_verdict(d.mean - d.ci95, d.mean + d.ci95, margin)
            else:
                reasons.append(f"{NOT_TESTABLE}: {d.n} seed(s) with SSEDS and oracle runs; an interval needs two")
        # Without the ranks the claim has no subject, whatever the oracle comparison says.
        row["verdict"] = (NOT_TESTABLE if row["rank_verdict"] == NOT_TESTABLE
                          else all_hold([row["rank_verdict"], row["oracle_verdict"]]))
        row["reason"] = "; ".join(reasons)
        summary.append(row)
    return pd.DataFrame(per_field), pd.DataFrame(summary)


# -- (f): what cannot be tested here --------------------------------------------------------------------

def untestable_text(paper: StudyConfig | None = None) -> dict[str, str]:
    """Why the paper's full-size datasets and its online test are out of reach, from the ``paper``
    profile (the datasets it names) and the sizes of their files."""
    names = [d.name for d in paper.datasets] if paper is not None else list(PAPER_ROWS)
    sizes = " and ".join(f"{name_of(n)} ({PAPER_ROWS[n]:,} rows)" if n in PAPER_ROWS else name_of(n) for n in names)
    return {
        "claim_f_data": (f"{sizes}: at full size one fit takes hours on the two CPU cores this book is built "
                         f"on, and a claim needs dozens of fits (every method, budget and seed), so the profile "
                         f"{paper.name if paper is not None else 'paper'} is provided for a machine with the data "
                         "and a GPU but not run here"),
        "claim_f_online": ("the online A/B test needs a production system and its live traffic; no "
                           "reproduction outside the authors' company has access to either"),
    }


# -- the chapter -----------------------------------------------------------------------------------------

def claim_budget(budgets: Sequence[float], wanted: float = CLAIM_BUDGET) -> float:
    """``wanted`` when the profile sweeps it, else its smallest budget below 1 (the smoke profile's
    stand-in); ``wanted`` again when it has none, so the cell reads as not testable."""
    below = sorted(b for b in budgets if b < 1)
    return wanted if wanted in budgets or not below else below[0]


def _real(loaded: Mapping[str, Loaded]) -> list[tuple[Loaded, list[str]]]:
    """The profiles of the real-data claims (headline, large) with the datasets each contributes: a
    dataset is read from the first role that has it, and a profile filling two roles is read once."""
    seen, out = set(), []
    for role in ("headline", "large"):
        item = loaded.get(role)
        if item is None:
            continue
        datasets = [d.name for d in item.study.datasets if d.name not in seen]
        seen.update(datasets)
        if datasets:
            out.append((item, datasets))
    return out


def _label(parts: Sequence[tuple[Loaded, Sequence[str]]]) -> str:
    """'movielens100k, 100,000 rows (profile headline); ...' for a figure's title."""
    text = []
    for item, datasets in parts:
        rows = item.table.groupby("dataset")["rows"].first().to_dict() if "rows" in item.table else {}
        text += [f"{d}, {int(rows[d]):,} rows (profile {item.study.name})" if d in rows else
                 f"{d} (profile {item.study.name})" for d in datasets]
    return "; ".join(text)


def _counts(verdicts: Sequence[str]) -> str:
    counts = pd.Series(list(verdicts), dtype=object).value_counts()
    parts = [f"{v} in {int(counts[v])}" for v in VERDICTS if v in counts]
    return f"{', '.join(parts)} of {len(verdicts)}"


def _reasons(*tables_or_texts) -> str:
    reasons = []
    for item in tables_or_texts:
        found = list(item["reason"]) if isinstance(item, pd.DataFrame) and "reason" in item else [item]
        reasons += [r for r in found if isinstance(r, str) and r]
    return "; ".join(dict.fromkeys(reasons)) + "." if reasons else "Every cell could be judged."


def _span(values: Sequence[float], fmt) -> str:
    values = [v for v in values if v == v]
    if not values:
        return "–"
    lo, hi = fmt(min(values)), fmt(max(values))
    return lo if lo == hi else f"{lo} to {hi}"


def parameter_table(cells: pd.DataFrame, note: str):
    """One row per dataset and model: SSEDS − full as mean ± 95% half-width (the interval is the paired t
    interval, symmetric about the mean) and its lower end, which the verdict reads, beside it."""
    def interval(mean: float, half: float) -> str:
        return MISSING if mean != mean else f"{number(mean, signed=True)} ± {number(half)}"

    frame = cells.assign(dataset=cells["dataset"].map(name_of), difference=[
        interval(m, h) for m, h in zip(cells["difference"], cells["ci95"], strict=True)])
    frame = frame[["dataset", "model", "profile", "n", "kept", "full", "difference", "lower", "verdict"]] \
        .rename(columns={"n": "seeds", "kept": "kept fraction", "full": "full AUC", "difference": "SSEDS − full",
                         "lower": "95% low"})
    return plain_table(frame, keys=["dataset"], digits={"kept fraction": 3}, note=note)


def build_claims(study: StudyConfig, loaded: Mapping[str, Loaded], truth: Mapping[str, Sequence[int]],
                 paper: StudyConfig | None = None, margin: float = MARGIN) -> Chapter:
    """The chapter from the result tables of the profile (role ``book``) and its companions
    (``headline``, ``large``, ``planted``; a missing role is read as the profile itself) and the
    planted ranks of the planted profile's datasets."""
    loaded = {role: loaded.get(role, loaded["book"]) for role in ROLES}
    book, planted = loaded["book"], loaded["planted"]
    names = dict.fromkeys(item.study.name for item in loaded.values())
    header = "; ".join(f"{n}: {len(next(i for i in loaded.values() if i.study.name == n).table)} runs" for n in names)
    chapter = Chapter(header=f"profile {study.name}, reading {header}")
    text = chapter.text
    text["margin"] = f"{margin:g}"
    real = _real(loaded)

    # (a) fewer parameters at the same AUC, per real dataset and model
    cells = pd.concat([parameter_claim(item.table, profile=item.study.name, datasets=datasets,
                                       models=item.study.models, budget=claim_budget(item.study.budgets),
                                       margin=margin, reference=item.study.search)
                       for item, datasets in real], ignore_index=True) if real else pd.DataFrame()
    budgets_a = sorted({claim_budget(item.study.budgets) for item, _ in real}) or [CLAIM_BUDGET]
    text["claim_a_budget"] = " and ".join(f"{b:g}" for b in budgets_a)
    text["claim_a_saving"] = " and ".join(f"{1 - b:.0%}" for b in budgets_a)
    text["claim_a_verdict"] = all_hold(list(cells["verdict"]) if not cells.empty else [NOT_TESTABLE])
    text["claim_a_counts"] = _counts(cells["verdict"]) if not cells.empty else "none of 0"
    judged = cells[cells["lower"].notna()] if not cells.empty else cells
    if not judged.empty:
        worst = judged.loc[judged["lower"].idxmin()]
        text["claim_a_worst"] = (f"{interval_text(worst['difference'], worst['ci95'])} "
                                 f"({name_of(worst['dataset'])} / {worst['model']})")
        best = judged.loc[judged["difference"].idxmax()]
        text["claim_a_best"] = (f"{interval_text(best['difference'], best['ci95'])} "
                                f"({name_of(best['dataset'])} / {best['model']})")
    else:
        text["claim_a_worst"] = text["claim_a_best"] = "–"
    text["claim_a_reasons"] = _reasons(cells)
    chapter.tables["params"] = parameter_table(
        cells, f"SSEDS at budget {text['claim_a_budget']} minus the full model of the same seed (test AUC), mean "
               f"over the paired seeds and its 95% interval; supported: the interval's lower end is above "
               f"−{margin:g}.")
    chapter.figures["fig_claim_params"] = plot_interval_claim(
        cells.assign(dataset=cells["dataset"].map(name_of)) if not cells.empty else cells,
        labels=["dataset", "model"], headline=f"SSEDS at budget {text['claim_a_budget']} against the full model",
        label=_label(real), margin=margin, xlabel="test AUC, SSEDS − full (paired by seed)",
        reason=text["claim_a_reasons"])

    # (b) model-agnostic: (a) for every base model of the profile
    models_b = parameter_claim(book.table, profile=book.study.name, datasets=[d.name for d in book.study.datasets],
                               models=book.study.models, budget=claim_budget(book.study.budgets), margin=margin,
                               reference=book.study.search)
    per_model = model_agnostic_claim(models_b, book.study.models)
    text["claim_b_verdict"] = all_hold(list(per_model["verdict"]))
    text["claim_b_models"] = "; ".join(f"{r.model}: {r.verdict}" for r in per_model.itertuples())
    text["claim_b_profile"] = book.study.name
    text["claim_b_reasons"] = _reasons(models_b)
    chapter.tables["models"] = parameter_table(
        models_b, f"Profile {book.study.name}: every base model at budget {claim_budget(book.study.budgets):g}, "
                  "as in the table above.")
    chapter.figures["fig_claim_models"] = plot_interval_claim(
        models_b.assign(dataset=models_b["dataset"].map(name_of)), labels=["dataset", "model"],
        headline=f"Every base model of profile {book.study.name}, SSEDS against the full model",
        label=_label([(book, [d.name for d in book.study.datasets])]), margin=margin,
        xlabel="test AUC, SSEDS − full (paired by seed)", reason=text["claim_b_reasons"])

    # (c) SSEDS against simpler allocations
    parts = [baseline_claim(item.table, profile=item.study.name, datasets=datasets,
                            budgets=small_budgets(item.study.budgets), reference=item.study.search)
             for item, datasets in real]
    paired = pd.concat([p for p, _ in parts if not p.empty], ignore_index=True) if any(
        not p.empty for p, _ in parts) else pd.DataFrame()
    summary = pd.concat([s for _, s in parts], ignore_index=True) if parts else pd.DataFrame(
        columns=["dataset", "verdict", "reason"])
    text["claim_c_verdict"] = all_hold(list(summary["verdict"]) or [NOT_TESTABLE])
    text["claim_c_summary"] = "; ".join(
        f"{name_of(r.dataset)}: better in {r.better}, worse in {r.worse}, indistinguishable in "
        f"{r.indistinguishable} of {r.cells} cells ({r.verdict})" for r in summary.itertuples()) or "–"
    text["claim_c_reasons"] = _reasons(summary)
    budgets_c = sorted({b for item, _ in real for b in small_budgets(item.study.budgets)}, reverse=True)
    text["claim_c_budgets"] = " and ".join(f"{b:g}" for b in budgets_c) or "–"
    if not paired.empty:
        order = {m: i for item, _ in real for i, m in enumerate(item.study.models)}
        shown = paired.assign(_m=paired["model"].map(order), _b=-paired["budget"]) \
            .sort_values(["dataset", "_m", "_b"], kind="stable")
        shown = shown.assign(dataset=shown["dataset"].map(name_of), budget=shown["budget"].map(lambda b: f"b = {b:g}"))
        chapter.tables["baselines"] = plain_table(
            summary.assign(dataset=summary["dataset"].map(name_of))[
                ["dataset", "profile", "cells", "better", "worse", "indistinguishable", "verdict"]],
            keys=["dataset"], note="Cells: base model × budget × baseline; verdicts of the paired t test, "
                                   "Holm-corrected across each profile's table, 5% level.")
    else:
        shown = pd.DataFrame(columns=["dataset", "model", "budget", "baseline", "difference", "ci95", "verdict"])
        chapter.tables["baselines"] = plain_table(summary, note=text["claim_c_reasons"])
    chapter.figures["fig_claim_baselines"] = plot_interval_claim(
        shown, labels=["dataset", "model", "budget"], headline="SSEDS against each baseline, paired by seed",
        label=_label(real), color_by="baseline", xlabel="test AUC, SSEDS − baseline (hollow: indistinguishable)",
        reason=text["claim_c_reasons"])

    # (d) the search is cheap
    costs, verdict_d, reason_d = cost_claim(book.table, profile=book.study.name, reference=book.study.search)
    text["claim_d_verdict"] = verdict_d
    text["claim_d_reasons"] = _reasons(reason_d)
    text["claim_d_fraction"] = _span(costs["epoch_fraction"], lambda v: f"{v:.1%}") if not costs.empty else "–"
    text["claim_d_pep"] = (f"PEP's search takes {_span(costs['pep_over_sseds'], lambda v: f'{v:,.0f}')} times as long"
                           if not costs.empty and costs["pep_over_sseds"].notna().any()
                           else "PEP did not run in this profile, so there is no search to compare with")
    text["claim_d_profile"] = book.study.name
    chapter.figures["fig_claim_cost"] = plot_cost_claim(
        costs, headline="Search time against one pretraining epoch",
        label=_label([(book, [d.name for d in book.study.datasets])]), reason=text["claim_d_reasons"])

    # (e) saliency finds the planted dimensions
    budget_e = claim_budget(planted.study.budgets, 0.2)
    per_field, planted_rows = planted_claim(
        planted.table, truth, profile=planted.study.name, datasets=[d.name for d in planted.study.datasets],
        budget=budget_e, margin=margin, reference=planted.study.search)
    text["claim_e_verdict"] = all_hold(list(planted_rows["verdict"]) or [NOT_TESTABLE])
    text["claim_e_budget"] = f"{budget_e:g}"
    text["claim_e_profile"] = planted.study.name
    text["claim_e_spearman"] = "; ".join(
        f"{name_of(r.dataset)}: {interval_text(r.spearman, r.spearman_ci95, 2, (-1.0, 1.0))} over {r.runs} run(s), "
        f"{r.rank_verdict}" for r in planted_rows.itertuples())
    text["claim_e_oracle"] = "; ".join(
        f"{name_of(r.dataset)}: {interval_text(r.oracle_difference, r.oracle_ci95)} over {r.oracle_n} seed(s), "
        f"{r.oracle_verdict}" for r in planted_rows.itertuples())
    text["claim_e_reasons"] = _reasons(planted_rows)
    chapter.figures["fig_claim_planted"] = plot_planted_claim(
        per_field, headline=f"SSEDS's widths at budget {budget_e:g} against the planted ranks",
        label=_label([(planted, [d.name for d in planted.study.datasets])]), reason=text["claim_e_reasons"])

    # (f) and the overview
    text |= untestable_text(paper)
    text["claim_f_verdict"] = NOT_TESTABLE
    chapter.tables["overview"] = plain_table(pd.DataFrame([
        {"claim": "(a) about 90% fewer embedding parameters at the same AUC", "verdict": text["claim_a_verdict"]},
        {"claim": "(b) model-agnostic", "verdict": text["claim_b_verdict"]},
        {"claim": "(c) SSEDS's widths beat simpler allocations", "verdict": text["claim_c_verdict"]},
        {"claim": "(d) the single-shot search is cheap", "verdict": text["claim_d_verdict"]},
        {"claim": "(e) saliency finds the important dimensions", "verdict": text["claim_e_verdict"]},
        {"claim": "(f) Criteo and Avazu at full size; the online A/B test", "verdict": NOT_TESTABLE}]),
        keys=["claim"], note="Each verdict is generated from the result files by the rule stated in its section.")

    # practical advice, from the same tables as (a) and (c)
    advice = pd.concat([practical_advice(item.table[item.table["dataset"].isin(datasets)],
                                         budgets=small_budgets(item.study.budgets), reference=item.study.search)
                        for item, datasets in real], ignore_index=True) if real else pd.DataFrame()
    if not advice.empty:
        order = {m: i for item, _ in real for i, m in enumerate(item.study.models)}
        advice = advice.assign(_m=advice["model"].map(order), _b=-advice["budget"]) \
            .sort_values(["dataset", "_b", "_m"], kind="stable").drop(columns=["_m", "_b"]).reset_index(drop=True)
    text |= advice_text(advice)
    if not advice.empty:
        chapter.tables["advice"] = advice_table(advice)
    else:
        chapter.tables["advice"] = plain_table(pd.DataFrame({"advice": [text["advice_summary"]]}))
    return chapter


def planted_truths(item: Loaded) -> dict[str, list[int]]:
    """{dataset: planted rank of each field, in field order} from the dataset manifests of a profile's
    datasets that have a planted truth (the first seed's split: the truth is the same in every split)."""
    truth = {}
    for data in item.study.datasets:
        if not has_planted_truth(data.name):
            continue
        ds = load_dataset_from_config(seed_data(item.study, data, item.study.seeds[0]), progress=False)
        ranks = (ds.manifest.get("truth") or {}).get("ranks")
        if ranks:
            truth[data.name] = [int(ranks[name]) for name in ds.field_names]
    return truth


def load_roles(study: StudyConfig) -> dict[str, Loaded]:
    """The results of the profile and of each companion role (``config.companion``), each profile's
    sweep resumed once (finished runs are read, not recomputed)."""
    cache: dict[str, Loaded] = {}
    out = {}
    for role in ROLES:
        member = study if role == "book" else companion(study, role)
        if member.name not in cache:
            report = sweep(member, progress=False)
            cache[member.name] = Loaded(report.study or member, report.table)
        out[role] = cache[member.name]
    return out


def claims_chapter(profile: str) -> Chapter:
    """Every claim of the paper with a generated verdict, from the profile and its companion profiles."""
    study = load_profile(profile)
    loaded = load_roles(study)
    try:
        paper = load_profile("paper")
    except ConfigError:
        paper = None
    return build_claims(study, loaded, planted_truths(loaded["planted"]), paper)
