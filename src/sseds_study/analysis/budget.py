"""Chapter 04: every method at every budget, against the full model."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from ..config import SearchConfig, apply_variant
from ..figures.comparison import plot_budget_change
from ..study import METHODS, aggregate, reduced_methods, sweep, with_variant
from ..study.compare import (
    borderline_counts,
    holm_verdicts,
    paired_changes,
    paired_comparisons,
    verdict_counts,
)
from ..study.methods import get_method, method_names, verdict_baselines
from ..study.profile import StudyConfig, companion
from .budget_alignment import alignment_effect, alignment_text
from .budget_slim_tuning import slim_tuning_check
from .budget_tables import by_method_table, method_definitions
from .chapter import Chapter
from .claims_checks import baseline_family, baseline_summary
from .claims_power import detectable_table, noise_cells
from .claims_rules import all_hold
from .claims_verdicts import family_rows
from .common import chapter_study, count_word, methods_markdown, small_budgets
from .others import others_absent, others_figure, others_parts
from .tables import BORDERLINE_NOTE, BookTable, compact_table, label, plain_table
from .variants import variant_name

# The allocations SSEDS is tested against in the headline verdict are the registry's verdict baselines
# (``study.methods.verdict_baselines``): each spends the same parameters under the same rules; PEP
# (another search) and prune_only (no retraining) are compared in the default profile's tables.


def compare_methods(agg: pd.DataFrame, budgets: Sequence[float], methods: Sequence[str],
                    metric: str = "test_auc", variant: str = "default") -> pd.DataFrame:
    """Methods side by side at some budgets, with each one's difference from the full model."""
    full = agg[agg["method"] == "full"].set_index(["dataset", "model"])[f"{metric}_mean"]
    sub = agg[agg["method"].isin(methods) & agg["budget"].isin(budgets) & (agg["variant"] == variant)].copy()
    sub["delta_vs_full"] = sub[f"{metric}_mean"].to_numpy() - full.reindex(
        list(zip(sub["dataset"], sub["model"], strict=True))).to_numpy()
    cols = ["dataset", "model", "budget", "method", "seeds", f"{metric}_mean", f"{metric}_ci95", "delta_vs_full",
            "achieved_budget_mean"]
    order = {m: i for i, m in enumerate(methods)}
    sub["_order"] = sub["method"].map(order)
    return sub.sort_values(["dataset", "model", "budget", "_order"], ascending=[True, True, False, True])[cols] \
        .reset_index(drop=True)


def profile_results(study: StudyConfig, role: str, own: pd.DataFrame) -> tuple[StudyConfig, pd.DataFrame]:
    """The companion profile playing ``role`` beside ``study`` and its results (``own`` when the
    profile names none, as the smoke profile does); its sweep is resumed, so finished runs are read."""
    other = companion(study, role)
    return other, own if other is study else sweep(other, progress=False).table


def budget_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The headline verdict (SSEDS against the verdict baselines at equal parameters, ten seeds on
    MovieLens-100K, three on MovieLens-1M), paired change against the full model by budget (a figure per
    dataset), every method side by side at small budgets, and the embedding-parameter fraction each
    method actually kept. Resumes the profiles' sweeps first (finished runs are read, not recomputed)."""
    study = chapter_study(profile)
    results = sweep(study, progress=False).table
    head_study, head = profile_results(study, "headline", results)
    large_study, large = profile_results(study, "large", results)
    agg = aggregate(results, reference=study.search)
    budgets = small_budgets(study.budgets)
    orders = {"model": list(dict.fromkeys([*study.models, *large_study.models])),
              "budget": sorted(set(study.budgets) | set(large_study.budgets), reverse=True)}
    chapter = Chapter(header=_header([study, head_study, large_study], [results, head, large]))
    # What each method of the chapter's runs does, from the registry, in the order of the chapter's tables.
    run = {m for s in (study, head_study, large_study) for m in s.methods}
    chapter.tables["methods"] = method_definitions([m for m in METHODS if m in run])
    # The verdict: headline cells and the large dataset, every seed each profile has; the same rows and the
    # same Holm family as claim (c) of chapter 7 (``claims_verdicts.family_rows``, ``baseline_family``).
    verdict_rows = family_rows([(head, [d.name for d in head_study.datasets]),
                                (large, [d.name for d in large_study.datasets])])
    verdict_parts(chapter, verdict_rows, study.search, budgets, orders,
                  datasets={d.name: s.name for s in (large_study, head_study) for d in s.datasets})
    # The same verdict with the SSEDS variant the ablation chose on validation, per model.
    best = best_variant_verdict(study, head_study.models, budgets)
    if best is None:  # the profile names no best-variant companions (the smoke profile)
        best = pd.DataFrame(), pd.DataFrame({"model": [], "variant": []}), {
            "best_seeds": "0", "best_cells": "0", "best_better": "0", "best_worse": "0", "best_indistinguishable": "0",
            "best_verdict_best": "not measured", "best_verdict_worst": "not measured"}
    chapter.tables["best"] = paired_table(best[0], orders)
    chapter.tables["best_choice"] = plain_table(best[1], keys=["model"], note="The SSEDS variant each base model is "
                                                "rerun with, and whether it is still the ablation's validation choice.")
    chapter.text.update(best[2])
    # One cell with the embedding decay tuned for each method separately (its own small sweeps).
    slim = slim_tuning_check(head_study, budget=min(budgets))
    chapter.text.update(slim.text)
    grid = slim.grid.groupby(["method", "emb_weight_decay"], as_index=False)["valid_auc"].agg(["mean", "sem"])
    chapter.tables["slim"] = compact_table(
        grid.assign(half=1.96 * grid["sem"]), index=["emb_weight_decay"], columns="method", value="mean",
        half="half", best=None, order=list(dict.fromkeys(grid["method"])),
        note="Mean validation AUC of each method at each embedding weight decay (± 1.96 standard errors), "
             "the whole pipeline (pretraining, scoring, retraining) run at that decay.")
    # The budget curves: the book profile's data and the large dataset.
    # The main figure draws the ten-seed headline runs the verdict reads (not the book profile's three).
    for role, (st_, rows_) in {"main": (head_study, head), "large": (large_study, large)}.items():
        if role == "large" and st_ is study:
            continue
        budget_figures(chapter, role, st_, rows_)
    every_method_parts(chapter, results, agg, study.search, budgets, orders)
    # The field's other methods at budgets 0.05-0.5 (profiles others and others_ml1m).
    others = [profile_results(study, role, results) for role in ("others", "others_large")]
    others = list({s.name: (s, r) for s, r in others if s is not study}.values())
    if others:
        others_parts(chapter, others)
        chapter.figures["fig_others"] = others_figure(others)
        # the definitions table names every method the chapter shows
        shown = {m for s, _r in (*[(study, None), (head_study, None), (large_study, None)], *others) for m in s.methods}
        chapter.tables["methods"] = method_definitions([m for m in METHODS if m in shown])
    else:
        others_absent(chapter)
    chapter.text.update(alignment_text(alignment_effect(results, budgets), results))
    # What the smaller designs could detect, at the spread of the ten-seed profile's paired differences.
    noise = noise_cells(head, dataset=head_study.datasets[0].name, budgets=budgets, reference=study.search)
    chapter.text.update(detectable_text(noise, {"best_mdd": chapter.text["best_seeds"],
                                                "all_mdd": chapter.text["all_verdict_seeds"]}))
    return chapter


def detectable_text(noise: pd.DataFrame, designs: dict[str, str]) -> dict[str, str]:
    """For each glue key, the difference a design of that many seeds ('5', or a range '3-10': its
    smallest) detects with 80% power at the pooled spread of ``noise`` (``claims_power``)."""
    out = {}
    for key, seeds in designs.items():
        n = int(seeds.split("-")[0]) if seeds[:1].isdigit() else 0
        mdd = detectable_table(noise, designs=(n,)).iloc[0]["pooled"] if n >= 2 and not noise.empty else float("nan")
        out[key] = "–" if mdd != mdd else f"{mdd:.4f}"
    return out


def verdict_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Chapter 4 on the profile's own runs alone (a report on one's own table, ``sseds report``): the
    verdict (SSEDS against the verdict baselines at the small budgets, every seed the profile has), the
    methods' mean AUC, the paired change against the full model by budget (``fig_budget_main``), every
    method side by side, SSEDS against each, and the parameters kept: what ``budget_chapter`` shows of
    the book's own profile, by the same functions. Resumes the profile's sweep first."""
    study = chapter_study(profile)
    results = sweep(study, progress=False).table
    agg = aggregate(results, reference=study.search)
    budgets = small_budgets(study.budgets)
    orders = {"model": list(study.models), "budget": sorted(study.budgets, reverse=True)}
    chapter = Chapter(header=_header([study], [results]))
    chapter.text["profile"] = study.name
    verdict_parts(chapter, results, study.search, budgets, orders)
    budget_figures(chapter, "main", study, results)
    every_method_parts(chapter, results, agg, study.search, budgets, orders)
    beyond = [m for m in study.methods if m not in ("full", "sseds", *verdict_baselines())]
    chapter.text["every_scope"] = (f"Beyond the verdict's, the profile runs {', '.join(beyond)}." if beyond else
                                   "The profile runs the verdict's methods only, so the next two tables repeat "
                                   "the verdict's.")
    return chapter


def verdict_parts(chapter: Chapter, rows: pd.DataFrame, search: SearchConfig, budgets, orders,
                  datasets: dict[str, str] | None = None) -> None:
    """The verdict's table (``verdict``), its methods' means (``verdict_means``) and the sentences
    about it, from the rows of every seed there is: the one Holm family of the SSEDS-against-baseline
    comparisons (``claims_checks.baseline_family``), and claim (c)'s verdict on it (``verdict_claim``).
    datasets: {dataset: the profile it is read from} (default: the rows' datasets)."""
    baselines = verdict_baselines()
    chapter.text["verdict_baseline_count"] = count_word(len(baselines))
    chapter.markdown["verdict_baselines"] = methods_markdown(baselines)
    verdict = baseline_family(rows, budgets=budgets, reference=search)
    names = [d for d in dict.fromkeys(rows["dataset"])] if datasets is None else \
        [d for d in dict.fromkeys(rows["dataset"]) if d in datasets]
    summary = baseline_summary(verdict, rows, datasets=names, profiles=datasets or {}, budgets=budgets,
                               reference=search)
    chapter.text["verdict_claim"] = all_hold(list(summary["verdict"])) if not summary.empty else "not testable here"
    chapter.tables["verdict"] = paired_table(verdict, orders)
    verdict_agg = aggregate(rows, reference=search)
    chapter.tables["verdict_means"] = methods_table(
        compare_methods(verdict_agg, budgets=budgets, methods=("sseds", *baselines)), verdict_agg,
        ("sseds", *baselines), orders, _seed_counts(rows))
    chapter.text.update(verdict_text(verdict))
    chapter.text.update(verdict_extremes(verdict))


def budget_figures(chapter: Chapter, role: str, study: StudyConfig, rows: pd.DataFrame) -> None:
    """The paired change against the full model by budget, a figure per dataset of ``rows``
    (``fig_budget_<role>``, or ``fig_budget_<role>_<dataset>`` when there are several)."""
    ok = with_variant(rows[rows["status"] == "ok"], study.search)
    changes = paired_changes(ok[ok["variant"] == "default"], {"method": "full"}, ["dataset", "model"])
    n_rows = rows.groupby("dataset")["rows"].first().to_dict()
    for name in dict.fromkeys(changes["dataset"]):
        key = f"fig_budget_{role}" if changes["dataset"].nunique() == 1 else f"fig_budget_{role}_{name}"
        chapter.figures[key] = plot_budget_change(changes, name, rows=n_rows[name], profile=study.name,
                                                  models=study.models)


def every_method_parts(chapter: Chapter, results: pd.DataFrame, agg: pd.DataFrame, search: SearchConfig, budgets,
                       orders) -> None:
    """Every method side by side at the small budgets (``small``), the parameters each kept
    (``kept``), SSEDS against every method that retrains (``paired``, ``all_verdict_*``) and its
    largest loss against the full model (``worst_sseds_*``)."""
    small = compare_methods(agg, budgets=budgets, methods=reduced_methods())
    chapter.tables["small"] = every_method_table(small, agg, reduced_methods(), orders, _seed_counts(results))
    # Below the full model only: the full model keeps everything by definition (a row of 1s and dashes).
    default = agg[(agg["variant"] == "default") & (agg["method"] != "full") & (agg["budget"] < 1)]
    chapter.tables["kept"] = by_method_table(
        default, value="achieved_budget_mean", methods=[m for m in METHODS if m != "full"], orders=orders,
        best=None, digits=3,
        note="Fraction of the full model's embedding parameters each method kept (mean over seeds), a column per "
             "base model and budget; – where a method has no run there. The full model keeps 1 by definition.")
    paired = paired_comparisons(results, "sseds", retrained_rivals("sseds"), budgets=budgets, reference=search)
    chapter.tables["paired"] = paired_table(paired, orders)
    chapter.text.update({f"all_{k}": v for k, v in verdict_text(paired).items()})
    chapter.text.update(pep_bytes_text(results, min(budgets)))
    sseds = small[small["method"] == "sseds"]
    worst = sseds.loc[sseds["delta_vs_full"].idxmin()]
    chapter.text |= {"worst_sseds_delta": f"{worst['delta_vs_full']:+.4f}",
                    "worst_sseds_where": f"{worst['dataset']} / {worst['model']} at budget {worst['budget']:g}"}


def pep_bytes_text(results: pd.DataFrame, budget: float) -> dict[str, str]:
    """PEP's budget counts non-zero entries; what it deploys (sparse rows with their indices) is larger.
    ``pep_bytes``: PEP's embedding bytes at ``budget`` as a fraction of the full model's (range over
    datasets and models), ``pep_budget`` the budget; '–' without PEP runs or byte counts."""
    ok = results[results["status"] == "ok"]
    out = {"pep_budget": f"{budget:g}", "pep_bytes": "–"}
    if "emb_bytes" not in ok or ok[ok["method"] == "pep"].empty:
        return out
    full = ok[ok["method"] == "full"].groupby(["dataset", "model"])["emb_bytes"].mean()
    pep = ok[(ok["method"] == "pep") & (ok["budget"] == budget)].groupby(["dataset", "model"])["emb_bytes"].mean()
    ratio = (pep / full.reindex(pep.index)).dropna()
    if len(ratio):
        lo, hi = f"{ratio.min():.2f}", f"{ratio.max():.2f}"
        out["pep_bytes"] = lo if lo == hi else f"{lo} to {hi}"
    return out


def retrained_rivals(focus: str) -> list[str]:
    """The methods ``focus`` is set against in the table of every method: every search and baseline of
    the registry that trains its slim model (not a reference, not gated without retraining), in
    registry order."""
    return [m for m in method_names() if m != focus and get_method(m).role != "reference"
            and get_method(m).evaluation in ("retrain", "masked")]


def _header(studies: Sequence[StudyConfig], tables: Sequence[pd.DataFrame]) -> str:
    """One line per distinct profile: its name, runs, failures, datasets, models and seeds."""
    lines, seen = [], set()
    for st_, t in zip(studies, tables, strict=True):
        if st_.name in seen:
            continue
        seen.add(st_.name)
        lines.append(f"profile {st_.name}: {len(t)} runs, {int((t.status != 'ok').sum())} failed; datasets "
                     f"{[d.name for d in st_.datasets]}, models {list(st_.models)}, seeds {list(st_.seeds)}")
    return "\n".join(lines)


def _seed_counts(results: pd.DataFrame) -> str:
    """'10 seeds on MovieLens-100K, 3 on MovieLens-1M': how many seeds each dataset's means are over."""
    n = results[results["status"] == "ok"].groupby("dataset")["seed"].nunique()
    return ", ".join(f"{k} {'seeds ' if i == 0 else ''}on {label(d)}" for i, (d, k) in enumerate(n.items())) or "0 seeds"


def methods_table(small: pd.DataFrame, agg: pd.DataFrame, methods: Sequence[str], orders, seeds: int | str) -> BookTable:
    """Mean test AUC ± half-width per method (columns) and dataset, model and budget (rows), with the
    full model's beside them for reference and the best method of each row in bold."""
    full = agg[agg["method"] == "full"].drop(columns="budget")
    keys = small[["dataset", "model", "budget"]].drop_duplicates()
    long = pd.concat([small, keys.merge(full, on=["dataset", "model"])], ignore_index=True)
    return compact_table(long, index=["dataset", "model", "budget"], columns="method", value="test_auc_mean",
                         half="test_auc_ci95", order=["full", *methods], orders=orders, best="max",
                         best_among=list(methods),
                         note=f"Mean test AUC over {seeds}{'' if isinstance(seeds, str) else ' seeds'} ± the half-width of its 95% interval; in bold the "
                              "best method of the row (full, the full-width model, is the reference and does not "
                              "compete).")


def every_method_table(small: pd.DataFrame, agg: pd.DataFrame, methods: Sequence[str], orders,
                       seeds: int | str) -> BookTable:
    """Mean test AUC ± half-width of every method (rows, the full model's first for reference) at
    each base model and budget (columns, ``budget_tables.by_method_table``), the best method of each
    column in bold."""
    full = agg[agg["method"] == "full"].drop(columns="budget")
    keys = small[["dataset", "model", "budget"]].drop_duplicates()
    long = pd.concat([small, keys.merge(full, on=["dataset", "model"])], ignore_index=True)
    return by_method_table(long, value="test_auc_mean", half="test_auc_ci95", methods=["full", *methods],
                           orders=orders, best="max", best_among=list(methods),
                           note=f"Mean test AUC over {seeds}{'' if isinstance(seeds, str) else ' seeds'} ± the "
                                "half-width of its 95% interval, a column per base model and budget b; in bold the "
                                "best method of each column (full width, the reference, does not compete).")


def paired_table(paired: pd.DataFrame, orders=None) -> BookTable:
    """The paired comparison for reading: a row per dataset, model and budget, a column per baseline,
    each cell SSEDS − baseline with its interval and the verdict's mark."""
    return compact_table(paired, index=["dataset", "model", "budget"], columns="baseline", value="difference",
                         half="ci95", verdict="verdict", order=list(METHODS), orders=orders, best=None, signed=True,
                         note="SSEDS's test AUC minus the baseline's, mean over the paired seeds ± its 95% half-width; "
                              "▲ SSEDS better, ▼ SSEDS worse, · indistinguishable (paired t test, Holm-corrected "
                              f"across the table, 5% level); {BORDERLINE_NOTE}.")


def verdict_text(paired: pd.DataFrame) -> dict[str, str]:
    """A sentence summarising the verdicts of the paired table, generated from it."""
    counts = verdict_counts(paired)
    seeds = sorted(set(paired["n"])) if not paired.empty else [0]
    return {
        "verdict_cells": f"{len(paired)}",
        "verdict_better": f"{counts['better']}",
        "verdict_worse": f"{counts['worse']}",
        "verdict_indistinguishable": f"{counts['indistinguishable']}",
        "verdict_summary": (f"better in {counts['better']}, worse in {counts['worse']} and indistinguishable "
                            f"in {counts['indistinguishable']}"),
        "verdict_seeds": f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}",
        "verdict_stability": stability_text(paired),
    }


def stability_text(paired: pd.DataFrame) -> str:
    """Which parts of a verdict table would survive a small change (more seeds, another machine's last
    bits) and which cells are borderline (``statistics.borderline``), named with their p-values."""
    if paired.empty:
        return "no cell was compared"
    counts, marked = verdict_counts(paired), borderline_counts(paired)
    firm = {v: counts[v] - marked[v] for v in counts}
    parts = [f"{'no' if firm[v] == 0 else firm[v]} {'cell' if firm[v] == 1 else 'cells'} {v}" for v in ("better", "worse")]
    head = f"Firm (adjusted p-value at most 0.025 or above 0.10): {parts[0]}, {parts[1]}."
    cells = paired[paired["borderline"].astype(bool)] if "borderline" in paired else paired.iloc[:0]
    if cells.empty:
        return head + " No cell is borderline."
    named = "; ".join(f"{r.model} at b = {r.budget:g} against {r.baseline} ({r.dataset}): {r.verdict}, "
                      f"p (Holm) {r.p_holm:.3f}" for r in cells.itertuples())
    return head + f" Borderline (p between 0.025 and 0.10), {len(cells)} of {len(paired)}: {named}."


def verdict_extremes(paired: pd.DataFrame) -> dict[str, str]:
    """The cells where SSEDS gains most and loses most against a baseline, with their intervals."""
    if paired.empty:
        return {"verdict_best": "no paired cell", "verdict_worst": "no paired cell"}

    def cell(row) -> str:
        return (f"{row['difference']:+.4f} ± {row['ci95']:.4f} against {row['baseline']} ({row['dataset']}, "
                f"{row['model']}, budget {row['budget']:g}, {row['n']} seeds, {row['verdict']})")

    return {"verdict_best": cell(paired.loc[paired["difference"].idxmax()]),
            "verdict_worst": cell(paired.loc[paired["difference"].idxmin()])}


SEARCH_COLUMNS = ("score_split", "estimator", "min_dim", "init", "budget_unit", "rank_by")


def variant_search(study: StudyConfig) -> SearchConfig:
    """The search settings of a profile's single variant (its base search when it has none)."""
    return apply_variant(study.search, study.variants[0] if study.variants else {})


def ablation_choice(ablation: pd.DataFrame, model: str) -> dict | None:
    """The SSEDS setting with the highest mean validation AUC for ``model`` in the ablation's results
    (over budgets and seeds): what chapter 5 reports and the ``best_<model>`` profiles run."""
    ok = ablation[(ablation["status"] == "ok") & (ablation["model"] == model) & (ablation["method"] == "sseds")]
    if ok.empty:
        return None
    cols = [f"search_{c}" for c in SEARCH_COLUMNS]
    means = ok.groupby(cols)["valid_auc"].mean()
    return dict(zip(SEARCH_COLUMNS, means.idxmax(), strict=True))


def best_variant_verdict(study: StudyConfig, models, budgets) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]] | None:
    """SSEDS with each model's chosen variant against the verdict baselines under that variant's rules
    (its ``best_<model>`` companion profile), and whether the variant is still the ablation's
    validation choice. None when the profile names no such companions (the smoke profile)."""
    ablation_study = companion(study, "ablation")
    ablation = sweep(ablation_study, progress=False).table if ablation_study is not study else None
    frames, notes = [], []
    for model in models:
        other = companion(study, f"best_{model}")
        if other is study:
            continue
        search = variant_search(other)
        rows = sweep(other, progress=False).table
        # Relative to the variant's settings, the runs that follow it are its "default" variant.
        frames.append(paired_comparisons(rows[rows["model"] == model], "sseds", verdict_baselines(), budgets=budgets,
                                         reference=search))
        chosen = ablation_choice(ablation, model) if ablation is not None else None
        runs = {c: getattr(search, c) for c in SEARCH_COLUMNS}
        same = chosen is not None and all(str(chosen[c]) == str(runs[c]) for c in SEARCH_COLUMNS)
        notes.append({"model": model, "variant": variant_name(search),
                      "chosen on validation": "yes" if same else f"no (chosen: {variant_name(chosen)})"
                      if chosen is not None else "no ablation runs"})
    if not frames:
        return None
    table = pd.concat(frames, ignore_index=True)
    holm_verdicts(table, "difference")  # Holm across both models' cells, not within each
    counts = verdict_counts(table)
    seeds = sorted(set(table["n"]))
    return table, pd.DataFrame(notes), {
        "best_seeds": f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}", "best_cells": f"{len(table)}",
        **{f"best_{k}": f"{v}" for k, v in counts.items()},
        **{f"best_{k}": v for k, v in verdict_extremes(table).items()}}
