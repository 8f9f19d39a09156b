"""Chapter 07: the paper's claims one by one, each with a verdict generated from the result files.

Verdicts are one of ``VERDICTS``: *supported*, *not supported*, *inconclusive*, or *not testable
here* (with the reason: a dataset, method or budget the profile has no runs of, a column the rows
lack). The rules are stated beside each function and in the chapter's prose, so a reader can check
a verdict against the numbers shown with it.

"The same AUC" is a margin, not a test of no difference: SSEDS's paired difference from the full
model (same seed, same split) must stay above ``-MARGIN`` over its whole 95% interval. 0.001 AUC is
the size of gain the CTR literature usually calls meaningful, so a loss smaller than that is "the
same AUC"; an interval that straddles ``-MARGIN`` cannot say which side the truth is on.

Each claim's rule is a function of ``claims_checks``. ``build_claims`` applies them to the result
tables and the planted ranks and writes the chapter, so every rule is testable without a sweep;
``claims_chapter`` loads them (resuming the profile's sweep and its companions').
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..config import ConfigError
from ..data import display_name, has_planted_truth, load_dataset_from_config
from ..figures.claims import plot_cost_claim, plot_interval_claim, plot_planted_claim
from ..study import seed_data, sweep
from ..study.methods import verdict_baselines
from ..study.profile import StudyConfig, companion, load_profile
from .chapter import Chapter
from .claims_advice import advice_table, advice_text, practical_advice
from .claims_checks import (
    CLAIM_BUDGET,
    baseline_claim,
    cost_claim,
    model_agnostic_claim,
    parameter_claim,
    planted_claim,
    untestable_text,
)
from .claims_rules import (
    MARGIN,
    NOT_TESTABLE,
    VERDICTS,
    all_hold,
    interval_text,
)
from .common import chapter_study, small_budgets
from .tables import MISSING, number, plain_table

# The roles of the profiles this chapter reads (``config.companion``); "book" is the profile itself.
ROLES = ("book", "headline", "large", "planted")


@dataclass
class Loaded:
    """One profile's results as the chapter reads them: the study as run and its results table."""

    study: StudyConfig
    table: pd.DataFrame


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

    frame = cells.assign(dataset=cells["dataset"].map(display_name), difference=[
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
                                 f"({display_name(worst['dataset'])} / {worst['model']})")
        best = judged.loc[judged["difference"].idxmax()]
        text["claim_a_best"] = (f"{interval_text(best['difference'], best['ci95'])} "
                                f"({display_name(best['dataset'])} / {best['model']})")
    else:
        text["claim_a_worst"] = text["claim_a_best"] = "–"
    text["claim_a_reasons"] = _reasons(cells)
    chapter.tables["params"] = parameter_table(
        cells, f"SSEDS at budget {text['claim_a_budget']} minus the full model of the same seed (test AUC), mean "
               f"over the paired seeds and its 95% interval; supported: the interval's lower end is above "
               f"−{margin:g}.")
    chapter.figures["fig_claim_params"] = plot_interval_claim(
        cells.assign(dataset=cells["dataset"].map(display_name)) if not cells.empty else cells,
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
        models_b.assign(dataset=models_b["dataset"].map(display_name)), labels=["dataset", "model"],
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
        f"{display_name(r.dataset)}: better in {r.better}, worse in {r.worse}, indistinguishable in "
        f"{r.indistinguishable} of {r.cells} cells ({r.verdict}; {_stability(r)})"
        for r in summary.itertuples()) or "–"
    text["claim_c_reasons"] = _reasons(summary)
    budgets_c = sorted({b for item, _ in real for b in small_budgets(item.study.budgets)}, reverse=True)
    text["claim_c_budgets"] = " and ".join(f"{b:g}" for b in budgets_c) or "–"
    text["claim_c_baselines"] = ", ".join(verdict_baselines())
    if not paired.empty:
        order = {m: i for item, _ in real for i, m in enumerate(item.study.models)}
        shown = paired.assign(_m=paired["model"].map(order), _b=-paired["budget"]) \
            .sort_values(["dataset", "_m", "_b"], kind="stable")
        shown = shown.assign(dataset=shown["dataset"].map(display_name), budget=shown["budget"].map(lambda b: f"b = {b:g}"))
        chapter.tables["baselines"] = plain_table(
            summary.assign(dataset=summary["dataset"].map(display_name),
                           stable=summary["stable"].map({True: "yes", False: "no"}))[
                ["dataset", "profile", "cells", "better", "worse", "indistinguishable", "borderline", "verdict",
                 "stable"]],
            keys=["dataset"], note="Cells: base model × budget × baseline; verdicts of the paired t test, "
                                   "Holm-corrected across each profile's table, 5% level. Borderline: cells whose "
                                   "adjusted p-value lies between 0.025 and 0.10; stable: the verdict is the same "
                                   "however those cells fall.")
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
    text["claim_d_passes"] = (_span(costs["pass_fraction"], lambda v: f"{v:.1%}") if not costs.empty else "–")
    text["claim_d_fraction"] = _span(costs["epoch_fraction"], lambda v: f"{v:.1%}") if not costs.empty else "–"
    text["claim_d_pep"] = (f"PEP's search takes {_span(costs['pep_over_sseds_passes'], lambda v: f'{v:,.0f}')} times "
                           f"as many passes ({_span(costs['pep_over_sseds'], lambda v: f'{v:,.0f}')} times the "
                           "seconds)"
                           if not costs.empty and costs["pep_over_sseds"].notna().any()
                           else "PEP did not run in this profile, so there is no search to compare with")
    text["claim_d_profile"] = book.study.name
    chapter.figures["fig_claim_cost"] = plot_cost_claim(
        costs, headline="Search cost against one pretraining epoch: passes and seconds",
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
        f"{display_name(r.dataset)}: {interval_text(r.spearman, r.spearman_ci95, 2, (-1.0, 1.0))} over {r.runs} run(s), "
        f"{r.rank_verdict}" for r in planted_rows.itertuples())
    text["claim_e_oracle"] = "; ".join(
        f"{display_name(r.dataset)}: {interval_text(r.oracle_difference, r.oracle_ci95)} over {r.oracle_n} seed(s), "
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


def _stability(row) -> str:
    """How firm a count verdict is: whether any resolution of its borderline cells would change it."""
    if not row.borderline:
        return "no cell borderline"
    cells = f"{row.borderline} borderline {'cell' if row.borderline == 1 else 'cells'}"
    return f"{cells}, the verdict {'the same' if row.stable else 'could change'} however they fall"


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


def claims_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Every claim of the paper with a generated verdict, from the profile and its companion profiles."""
    study = chapter_study(profile)
    loaded = load_roles(study)
    try:
        paper = load_profile("paper")
    except ConfigError:
        paper = None
    return build_claims(study, loaded, planted_truths(loaded["planted"]), paper)
