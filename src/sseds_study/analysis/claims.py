"""Chapter 07: the paper's claims one by one, each with a verdict generated from the result files.

Verdicts are one of ``VERDICTS``: *supported*, *not supported*, *inconclusive*, or *not testable
here* (with the reason: a dataset, method or budget the profile has no runs of, a column the rows
lack). Every verdict, its cells and its Holm family are computed once (``claims_verdicts``); this
module lays them out as the chapter's tables, figures and glued numbers, so a reader can check a
verdict against the numbers shown with it. The sentences are the notebook's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pandas as pd

from ..figures.claims import plot_cost_claim, plot_interval_claim, plot_planted_claim
from ..study.methods import verdict_baselines
from ..study.profile import StudyConfig
from .chapter import Chapter
from .claims_advice import advice_table, advice_text, practical_advice
from .claims_checks import untestable_text
from .claims_power import power_text
from .claims_rules import MARGIN, interval_text
from .claims_text import dataset_name, span
from .claims_verdicts import (
    ROLES,
    Evidence,
    Loaded,
    book_evidence,
    claim_budget,
    claim_evidence,
    load_roles,
    planted_truths,
)
from .common import chapter_study, listing, small_budgets
from .tables import MISSING, number, plain_table

__all__ = ["ROLES", "Loaded", "build_claims", "claim_budget", "claims_chapter", "load_roles", "planted_truths"]


def _label(parts: Sequence[tuple[Loaded, Sequence[str]]]) -> str:
    """'MovieLens-100K, 100,000 rows (profile headline); ...' for a figure's title."""
    text = []
    for item, datasets in parts:
        rows = item.table.groupby("dataset")["rows"].first().to_dict() if "rows" in item.table else {}
        text += [f"{dataset_name(d)}, {int(rows[d]):,} rows (profile {item.study.name})" if d in rows else
                 f"{dataset_name(d)} (profile {item.study.name})" for d in datasets]
    return "; ".join(text)


def _reasons(*tables) -> str:
    """The reasons some cells could not be judged, or '' when every cell could."""
    found = [r for t in tables if isinstance(t, pd.DataFrame) and "reason" in t for r in t["reason"]]
    found += [t for t in tables if isinstance(t, str)]
    return "; ".join(dict.fromkeys(r for r in found if isinstance(r, str) and r))


def parameter_table(cells: pd.DataFrame, note: str):
    """One row per dataset and model: SSEDS − full as mean ± 95% half-width (the paired t interval,
    symmetric about the mean), its lower end, and the non-inferiority test's outcome."""
    def interval(mean: float, half: float) -> str:
        return MISSING if mean != mean else f"{number(mean, signed=True)} ± {number(half)}"

    frame = cells.assign(dataset=cells["dataset"].map(dataset_name), difference=[
        interval(m, h) for m, h in zip(cells["difference"], cells["ci95"], strict=True)])
    columns = ["dataset", "model", "n", "kept", "full", "difference", "lower", "outcome"]
    if "evidence" in frame:  # claim (b): name the result set of a model read from the book's own profile
        frame = frame.assign(source=["profile " + p if e == "fallback" else "as (a)"
                                     for p, e in zip(frame["profile"], frame["evidence"], strict=True)])
        columns.insert(3, "source")
    return plain_table(frame[columns].rename(columns={
        "n": "seeds", "kept": "kept fraction", "full": "full AUC", "difference": "SSEDS − full", "lower": "95% low",
        "outcome": "test outcome", "source": "runs"}), keys=["dataset"], digits={"kept fraction": 3}, note=note)


def _interval_cell(r) -> str:
    return f"{interval_text(r.difference, r.ci95)} ({dataset_name(r.dataset)}, {r.model})"


def text_a(ev: Evidence) -> dict[str, str]:
    a = ev.a
    judged = a[a["lower"].notna()] if not a.empty else a
    out = {"margin": f"{ev.margin:g}", "claim_a_budget": " and ".join(f"{b:g}" for b in ev.budgets_a),
           "claim_a_saving": " and ".join(f"{1 - b:.0%}" for b in ev.budgets_a),
           "claim_a_dim": " and ".join(f"{d}" for d in ev.emb_dims),
           "claim_a_cells": f"{len(a)}", "claim_a_worst": "–", "claim_a_best": "–"}
    for word in ("inferior", "non-inferior", "equivalent within the margin", "inconclusive"):
        out[f"claim_a_{word.split()[0].replace('-', '_')}"] = f"{int((a['outcome'] == word).sum())}" if not a.empty \
            else "0"
    if not judged.empty:
        out["claim_a_worst"] = _interval_cell(judged.loc[judged["lower"].idxmin()])
        out["claim_a_best"] = _interval_cell(judged.loc[judged["difference"].idxmax()])
    return out


def text_b(ev: Evidence) -> dict[str, str]:
    fallback = ev.b[ev.b["evidence"] == "fallback"] if not ev.b.empty else ev.b
    out = {"claim_b_fallback": listing(list(dict.fromkeys(fallback["model"]))) or "none",
           "claim_b_fallback_seeds": span(fallback["n"], lambda v: f"{v:.0f}") if not fallback.empty else "–",
           "claim_b_fallback_profile": fallback["profile"].iloc[0] if not fallback.empty else "–"}
    con = ev.b_consistency
    for against in ("full", "uniform"):
        rows = con[con["against"] == against] if not con.empty else con
        r = rows.iloc[0] if not rows.empty else None
        out[f"claim_b_gap_{against}"] = interval_text(r.difference, r.ci95) if r is not None else "–"
        out[f"claim_b_gap_{against}_verdict"] = r.verdict if r is not None else "not measured"
        out[f"claim_b_gap_{against}_seeds"] = f"{r.n}" if r is not None else "0"
    first = con.iloc[0] if not con.empty else None
    out["claim_b_gap_models"] = f"{first.model} and {first.first}" if first is not None else "two base models"
    return out


def text_d(ev: Evidence) -> dict[str, str]:
    costs, end = ev.d_costs, ev.d_end
    has = not costs.empty
    pep = has and costs["pep_over_sseds"].notna().any()
    out = {"claim_d_passes": span(costs["pass_fraction"], lambda v: f"{v:.0%}") if has else "–",
           "claim_d_fraction": span(costs["epoch_fraction"], lambda v: f"{v:.0%}") if has else "–",
           "claim_d_pep_passes": span(costs["pep_over_sseds_passes"], lambda v: f"{v:,.0f}") if pep else "–",
           "claim_d_pep_seconds": span(costs["pep_over_sseds"], lambda v: f"{v:,.0f}") if pep else "–"}
    for method in ("sseds", "pep"):
        rows = end[end["method"] == method] if not end.empty else end
        out[f"claim_d_{method}_end"] = span(rows["ratio"], lambda v: f"{v:.1f}") if not rows.empty else "–"
    out["claim_d_end_budget"] = f"{end['budget'].iloc[0]:g}" if not end.empty else "–"
    return out


def text_e(ev: Evidence) -> dict[str, str]:
    rows = ev.e_rows
    main, low = rows[rows["budget"] == ev.budget_e], rows[rows["budget"] < ev.budget_e]
    out = {"claim_e_budget": f"{ev.budget_e:g}", "claim_e_seeds": "0", "claim_e_oracle_budget": "–",
           "claim_e_ratio": "–", "claim_e_spearman": "–", "claim_e_oracle": "–", "claim_e_low_budget": "–",
           "claim_e_low_spearman": "–", "claim_e_low_oracle": "–", "claim_e_low_verdict": "not measured"}
    if not main.empty:
        r = main.iloc[0]
        out |= {"claim_e_seeds": f"{r.runs}", "claim_e_spearman": interval_text(r.spearman, r.spearman_ci95, 2,
                                                                                    (-1.0, 1.0)),
                "claim_e_oracle": interval_text(r.oracle_difference, r.oracle_ci95)}
        if r.oracle_budget == r.oracle_budget and r.oracle_budget:
            out |= {"claim_e_oracle_budget": f"{r.oracle_budget:.3f}",
                    "claim_e_ratio": f"{ev.budget_e / r.oracle_budget:.1f}"}
    if not low.empty:
        r = low.sort_values("budget").iloc[0]
        out |= {"claim_e_low_budget": f"{r.budget:g}",
                "claim_e_low_spearman": interval_text(r.spearman, r.spearman_ci95, 2, (-1.0, 1.0)),
                "claim_e_low_oracle": interval_text(r.oracle_difference, r.oracle_ci95), "claim_e_low_verdict": r.verdict}
    return out


def overview_table(verdicts: pd.DataFrame):
    shown = verdicts.assign(
        claim=[f"{c} {s}" for c, s in zip(verdicts["claim"], verdicts["statement"], strict=True)],
        verdict=[f"{v} ({q})" if q else v for v, q in zip(verdicts["verdict"], verdicts["qualifier"], strict=True)])
    table = plain_table(shown[["claim", "verdict", "scope", "finding"]], keys=["claim"],
                       note="Each verdict is generated from the result files by the rule stated in its section, with "
                            "the scope it holds in; D is the full embedding width, a budget the fraction of the full "
                            "model's embedding parameters kept.")
    # Sentences, not numbers: read from the left like the claim itself.
    table.left = ("verdict", "scope", "finding")
    return table


def build_claims(study: StudyConfig, loaded: Mapping[str, Loaded], truth: Mapping[str, Sequence[int]],
                 paper: StudyConfig | None = None, margin: float = MARGIN) -> Chapter:
    """The chapter from the result tables of the profile (role ``book``) and its companions
    (``headline``, ``large``, ``planted``; a missing role is read as the profile itself) and the
    planted ranks of the planted profile's datasets."""
    return chapter_from(study, claim_evidence(loaded, truth, paper, margin))


def chapter_from(study: StudyConfig, ev: Evidence) -> Chapter:
    loaded, verdicts = ev.loaded, ev.verdicts.set_index("claim")
    names = dict.fromkeys(item.study.name for item in loaded.values())
    header = "; ".join(f"{n}: {len(next(i for i in loaded.values() if i.study.name == n).table)} runs" for n in names)
    chapter = Chapter(header=f"profile {study.name}, reading {header}")
    text = chapter.text
    for claim in "abcdef":
        text[f"claim_{claim}_verdict"] = verdicts.loc[f"({claim})", "verdict"]
        text[f"claim_{claim}_scope"] = verdicts.loc[f"({claim})", "scope"]
    text |= text_a(ev) | text_b(ev) | text_d(ev) | text_e(ev)
    book, planted = loaded["book"], loaded["planted"]
    chapter.tables["overview"] = overview_table(ev.verdicts)
    # (a)
    chapter.tables["params"] = parameter_table(
        ev.a, f"SSEDS at budget {text['claim_a_budget']} minus the full model of the same seed (test AUC), mean "
              f"over the paired seeds and its 95% interval; non-inferior: the interval's lower end is above "
              f"−{ev.margin:g}; equivalent within the margin: the whole interval lies inside ±{ev.margin:g}.")
    real_label = _label(ev.real)
    chapter.figures["fig_claim_params"] = plot_interval_claim(
        ev.a.assign(dataset=ev.a["dataset"].map(dataset_name)) if not ev.a.empty else ev.a,
        labels=["dataset", "model"], headline=f"SSEDS at budget {text['claim_a_budget']} against the full model",
        label=real_label, margin=ev.margin, xlabel="test AUC, SSEDS − full (paired by seed)", reason=_reasons(ev.a))
    # (b)
    chapter.tables["models"] = parameter_table(
        ev.b, f"Every base model on its best evidence (the cells of claim (a); a model they lack, from profile "
              f"{book.study.name}), at budget {claim_budget(book.study.budgets):g}.")
    chapter.tables["consistency"] = consistency_table(ev.b_consistency)
    chapter.figures["fig_claim_models"] = plot_interval_claim(
        ev.b.assign(dataset=ev.b["dataset"].map(dataset_name)) if not ev.b.empty else ev.b,
        labels=["dataset", "model"], headline="Every base model on its best evidence, SSEDS against the full model",
        label=real_label, margin=ev.margin, xlabel="test AUC, SSEDS − full (paired by seed)", reason=_reasons(ev.b))
    # (c)
    c = verdicts.loc["(c)"]
    text |= {"claim_c_cells": f"{c['cells']}", "claim_c_better": f"{c['better']}", "claim_c_worse": f"{c['worse']}",
             "claim_c_indistinguishable": f"{c['indistinguishable']}",
             "claim_c_budgets": " and ".join(f"{b:g}" for b in ev.budgets_c) or "–",
             "claim_c_baselines": ", ".join(verdict_baselines())}
    summary = ev.c_summary
    chapter.tables["baselines"] = plain_table(
        summary.assign(dataset=summary["dataset"].map(dataset_name),
                       stable=summary["stable"].map({True: "yes", False: "no"}))[
            ["dataset", "cells", "better", "worse", "indistinguishable", "borderline", "detects", "verdict", "stable"]]
        .rename(columns={"detects": "detectable gain"}),
        keys=["dataset"], digits={"detectable gain": 4},
        note=f"Cells: base model × budget × baseline; verdicts of the paired t test, Holm-corrected across all "
             f"{text['claim_c_cells']} cells of both datasets (chapter 4's table), 5% level. Detectable gain: the "
             "median over the dataset's cells of the difference its paired t test detects with 80% power. "
             "Borderline: adjusted p-value between 0.025 and 0.10; stable: the verdict is the same however those "
             "cells fall.") if not summary.empty else plain_table(pd.DataFrame({"reason": [_reasons(summary) or
                                                                                         "no cells"]}))
    paired = ev.c_paired
    if not paired.empty:
        order = {m: i for item, _ in ev.real for i, m in enumerate(item.study.models)}
        shown = paired.assign(_m=paired["model"].map(order), _b=-paired["budget"]) \
            .sort_values(["dataset", "_m", "_b"], kind="stable")
        shown = shown.assign(dataset=shown["dataset"].map(dataset_name),
                             budget=shown["budget"].map(lambda b: f"b = {b:g}"))
    else:
        shown = pd.DataFrame(columns=["dataset", "model", "budget", "baseline", "difference", "ci95", "verdict"])
    chapter.figures["fig_claim_baselines"] = plot_interval_claim(
        shown, labels=["dataset", "model", "budget"], headline="SSEDS against each baseline, paired by seed",
        label=real_label, color_by="baseline", xlabel="test AUC, SSEDS − baseline",
        reason=_reasons(summary))
    # (d)
    text["claim_d_profile"] = book.study.name
    chapter.tables["end_to_end"] = end_to_end_table(ev.d_end)
    chapter.figures["fig_claim_cost"] = plot_cost_claim(
        ev.d_costs, headline="Search cost against one pretraining epoch: passes and seconds",
        label=_label([(book, [d.name for d in book.study.datasets])]), reason=_reasons(ev.d_reason))
    # (e)
    text["claim_e_profile"] = planted.study.name
    chapter.figures["fig_claim_planted"] = plot_planted_claim(
        ev.e_fields, headline=f"SSEDS's widths at budget {ev.budget_e:g} against the planted ranks",
        label=_label([(planted, [d.name for d in planted.study.datasets])]),
        reason=_reasons(ev.e_rows[ev.e_rows["budget"] == ev.budget_e]))
    # (f)
    text |= {k: v for k, v in untestable_text(ev.paper).items() if k != "claim_f_scope"}
    # what each design can detect
    text |= power_text(ev.noise, ev.mdd)
    text["mdd_dataset"] = dataset_name(ev.noise["dataset"].iloc[0]) if not ev.noise.empty else "–"
    chapter.tables["power"] = power_table(ev.mdd)
    # practical advice, from the same tables as (a) and (c)
    advice = pd.concat([practical_advice(item.table[item.table["dataset"].isin(datasets)],
                                         budgets=small_budgets(item.study.budgets), reference=item.study.search)
                        for item, datasets in ev.real], ignore_index=True) if ev.real else pd.DataFrame()
    if not advice.empty:
        order = {m: i for item, _ in ev.real for i, m in enumerate(item.study.models)}
        advice = advice.assign(_m=advice["model"].map(order), _b=-advice["budget"]) \
            .sort_values(["dataset", "_b", "_m"], kind="stable").drop(columns=["_m", "_b"]).reset_index(drop=True)
    text |= advice_text(advice)
    chapter.tables["advice"] = advice_table(advice) if not advice.empty else plain_table(
        pd.DataFrame({"advice": ["no runs at these budgets"]}))
    return chapter


def consistency_table(con: pd.DataFrame):
    if con.empty:
        return plain_table(pd.DataFrame({"consistency": ["one base model only: nothing to compare"]}))
    frame = con.assign(dataset=con["dataset"].map(dataset_name),
                       against=con["against"].map(lambda a: f"SSEDS − {a}"),
                       models=[f"{m} − {f}" for m, f in zip(con["model"], con["first"], strict=True)])
    return plain_table(
        frame[["dataset", "against", "models", "n", "gap", "first_gap", "difference", "ci95", "verdict"]].rename(
            columns={"against": "gap", "n": "seeds", "gap": "its gap", "first_gap": "other's gap",
                     "difference": "difference of gaps", "ci95": "± 95%"}),
        keys=["dataset"], digits={"its gap": 4, "other's gap": 4, "difference of gaps": 4, "± 95%": 4},
        note="Each model's gap at the claim's budget (SSEDS minus the full model, or minus uniform widths, same seed) "
             "minus the other model's, paired by seed (the same split for both); Holm-corrected across the table.")


def end_to_end_table(end: pd.DataFrame):
    if end.empty:
        return plain_table(pd.DataFrame({"end to end": ["the rows carry no pass counts, or no uniform runs"]}))
    frame = end.assign(dataset=end["dataset"].map(dataset_name),
                       method=end["method"].map({"sseds": "SSEDS", "pep": "PEP"}))
    return plain_table(
        frame[["dataset", "model", "method", "n", "passes", "uniform_passes", "ratio", "ratio_ci95"]].rename(
            columns={"n": "seeds", "passes": "pipeline passes", "uniform_passes": "uniform passes",
                     "ratio": "× uniform", "ratio_ci95": "± 95%"}),
        keys=["dataset"], digits={"pipeline passes": 0, "uniform passes": 0, "× uniform": 2, "± 95%": 2},
        note="Forward-and-backward passes over training batches of the whole pipeline at budget "
             f"{end['budget'].iloc[0]:g} (SSEDS: pretraining, scoring, retraining; PEP: its search run, retraining) "
             "and of one uniform training of the same seed; their ratio, mean over seeds with its 95% interval.")


def power_table(mdd: pd.DataFrame):
    return plain_table(mdd, keys=["seeds"], digits={c: 4 for c in mdd.columns if c != "seeds"},
                       note="The smallest true difference in test AUC that a paired t test at two-sided 5% detects "
                            "with 80% power over that many seeds, (t(0.975, n−1) + t(0.80, n−1)) × sd / √n, at the "
                            "spread sd of the book's own per-seed differences (pooled over cells); before Holm's "
                            "correction, which raises it.")


def claims_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Every claim of the paper with a generated verdict, from the profile and its companion profiles."""
    study = chapter_study(profile)
    return chapter_from(study, book_evidence(study))
