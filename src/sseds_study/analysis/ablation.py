"""Chapter 05: the SSEDS options crossed in a factorial, compared at equal embedding parameters.

The ablation profile (``companion(profile, "ablation")``) runs every combination of the levels in its
``factorial:`` mapping (plus a few one-factor variants). The chapter

1. chooses the variant to report on validation AUC alone: per dataset and base model, the variant with
   the highest mean validation AUC over budgets and seeds (ties go to the default setting, then to the
   variant that changes fewest settings), and only then reads the test split, once, for that variant
   against the default setting: the paired per-seed difference with its interval and a
   Holm-corrected verdict (``study.compare``);
2. estimates each factor's main effect and every two-factor interaction on validation AUC, per model
   and budget, as paired changes over seeds (a seed shares the pretrained model and the split;
   ``factorial``);
3. checks that every variant kept the same fraction of the embedding parameters, and how many fields
   each left at width 0;
4. sets each estimator's ranking against the exact drop-column ranking (``exact_agreement``, chapter 3).

Everything the chapter says about one variant against another is generated here, with its interval.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import ESTIMATORS, ConfigError, StudyConfig, companion, load_profile
from ..figures.comparison import plot_factor_effects
from ..figures.results import plot_exact_agreement
from ..statistics import paired_difference
from ..study import sweep, with_variant
from ..study.compare import change_verdicts, paired_changes
from .chapter import Chapter
from .factorial import (
    CELL,
    CHOICE_METRIC,
    POOLED,
    cell_label,
    effects_table,
    effects_text,
    factorial_rows,
    interactions,
    main_effects,
    pooled_effects,
    pooled_text,
)
from .search import exact_agreement
from .tables import MARKS, MISSING, BookTable, count_text, plain_table, plus_minus

GROUP = ["dataset", "model"]
DEFAULT = "default"
TEST_METRIC = "test_auc"
KEPT_TOLERANCE = 0.01  # equal parameters: a variant's kept fraction within 1% of the budget of the default's
TOP = 5  # variants shown per model in the validation ranking (the default's row is added below them)
# How a setting is written in a short variant name: "fisher · valid split · min_dim 0 · inherit".
SHORT = {"estimator": "{}", "score_split": "{} split", "num_batches": "K = {}", "budget_unit": "{} unit",
         "rank_by": "by {}", "min_dim": "min_dim {}", "init": "{}"}


def ablation_study(profile: str) -> StudyConfig:
    """The ablation profile the book profile ``profile`` names as its companion (``ablation`` for
    ``default``, ``smoke_ablation`` for ``smoke``; the profile itself when it names none)."""
    return companion(load_profile(profile), "ablation")


def short_name(variant: str) -> str:
    """A variant label (``variant_label``: 'estimator=fisher,min_dim=0') as the tables write it:
    'fisher · min_dim 0'; 'default' stays."""
    if variant == DEFAULT:
        return DEFAULT
    parts = []
    for item in variant.split(","):
        key, _, value = item.partition("=")
        parts.append(SHORT.get(key, f"{key} {{}}").format(value))
    return " · ".join(parts)


def changed_settings(variant: str) -> int:
    """How many search settings a variant label changes from the default (0 for the default)."""
    return 0 if variant == DEFAULT else variant.count("=")


# ----------------------------------------------------------------------------------------------
# 1. The choice on validation, and the one read of test
# ----------------------------------------------------------------------------------------------
def validation_ranking(rows: pd.DataFrame, metric: str = CHOICE_METRIC, by: Sequence[str] = GROUP,
                       default: str = DEFAULT) -> pd.DataFrame:
    """Rank the variants of each ``by`` group by their mean ``metric`` over budgets and seeds.

    rows: one row per run (columns ``by``, variant, budget, seed, ``metric``). A variant that lacks a
    (budget, seed) some other variant of its group has is incomplete: it is listed, unranked (rank
    NaN), since its mean would not cover the same runs. Ties in the mean (identical runs: a setting
    that changed nothing) go to the default, then to the variant changing fewest settings, then by
    name. Returns by, variant, runs, mean, complete, rank, chosen, and gap, gap_ci95: the variant's
    difference from the default, paired by seed (each seed's mean over budgets), with its 95%
    half-width over seeds (an interval on the selection, not a test: the choice made here is the one
    that looks best).
    """
    out = []
    for key, g in rows.groupby(list(by), sort=True):
        g = g.dropna(subset=[metric])
        cells = set(zip(g["budget"], g["seed"], strict=True))
        per = g.groupby("variant")
        stats = pd.DataFrame({"runs": per.size(), "mean": per[metric].mean(),
                              "cells": per.apply(lambda d: len(set(zip(d["budget"], d["seed"], strict=True))))})
        stats["complete"] = (stats["cells"] == len(cells)) & stats["mean"].notna()
        stats = stats.reset_index().drop(columns="cells")
        stats["_tie"] = stats["mean"].round(12)
        stats["_default"] = stats["variant"] != default
        stats["_changed"] = stats["variant"].map(changed_settings)
        stats = stats.sort_values(["complete", "_tie", "_default", "_changed", "variant"],
                                  ascending=[False, False, True, True, True], kind="stable")
        stats["rank"] = np.where(stats["complete"], np.arange(1, len(stats) + 1), np.nan)
        stats["chosen"] = stats["rank"] == 1
        by_seed = g.pivot_table(index="seed", columns="variant", values=metric, aggfunc="mean")
        gaps = [paired_difference(by_seed[v].to_numpy(), by_seed[default].to_numpy())
                if default in by_seed else None for v in stats["variant"]]
        stats["gap"] = [d.mean if d is not None else np.nan for d in gaps]
        stats["gap_ci95"] = [d.ci95 if d is not None and v != default else np.nan
                             for d, v in zip(gaps, stats["variant"], strict=True)]
        for k, v in zip(by, key if isinstance(key, tuple) else (key,), strict=True):
            stats[k] = v
        out.append(stats)
    cols = [*by, "variant", "runs", "mean", "gap", "gap_ci95", "complete", "rank", "chosen"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def chosen_variants(ranking: pd.DataFrame, by: Sequence[str] = GROUP) -> dict[tuple, str]:
    """{(dataset, model): the variant chosen on validation}."""
    chosen = ranking[ranking["chosen"]]
    return {tuple(r[k] for k in by): r["variant"] for r in chosen.to_dict("records")}


def read_test(rows: pd.DataFrame, choice: Mapping[tuple, str], metric: str = TEST_METRIC,
              default: str = DEFAULT) -> pd.DataFrame:
    """The chosen variant of each (dataset, model) against the default setting on ``metric``, per budget:
    the paired per-seed difference (same seed: same pretrained model and split), its 95% half-width and
    the verdict, Holm-corrected across every cell of the table. A group whose choice is the default
    itself gets a row with no difference (verdict 'default chosen')."""
    picked, same = [], []
    for (dataset, model), variant in choice.items():
        g = rows[(rows["dataset"] == dataset) & (rows["model"] == model)]
        if variant == default:
            same.append(g[g["variant"] == default])
        else:
            picked.append(g[g["variant"].isin([variant, default])])
    parts = []
    if picked:
        changes = paired_changes(pd.concat(picked), {"variant": default}, CELL, metric=metric)
        verdicts = change_verdicts(changes, [*CELL, "variant"], metric=metric)
        if not verdicts.empty:
            parts.append(verdicts)
    for g in same:
        for (dataset, model, budget), c in g.groupby(CELL, sort=True):
            parts.append(pd.DataFrame([{"dataset": dataset, "model": model, "budget": budget, "variant": default,
                                        "n": c["seed"].nunique(), "change": np.nan, "ci95": np.nan, "p_t": np.nan,
                                        "p_holm": np.nan, "verdict": "default chosen"}]))
    cols = [*CELL, "variant", "n", "change", "ci95", "p_t", "p_holm", "verdict"]
    if not parts:
        return pd.DataFrame(columns=[*cols, "default_mean", "chosen_mean"])
    table = pd.concat(parts, ignore_index=True)[cols]
    means = rows.groupby([*CELL, "variant"])[metric].mean()
    table["default_mean"] = [means.get((d, m, b, default), np.nan)
                             for d, m, b in zip(table["dataset"], table["model"], table["budget"], strict=True)]
    table["chosen_mean"] = [means.get((d, m, b, v), np.nan) for d, m, b, v in
                            zip(table["dataset"], table["model"], table["budget"], table["variant"], strict=True)]
    return table.sort_values(["dataset", "model", "budget"], ascending=[True, True, False]).reset_index(drop=True)


def ranking_table(ranking: pd.DataFrame, top: int = TOP, default: str = DEFAULT) -> BookTable:
    """The top ``top`` variants of each model on validation, and the default's row when it is not
    among them; variants with missing runs are left out (the note counts them)."""
    shown = []
    for _, g in ranking.groupby(GROUP, sort=True):
        ranked = g[g["complete"]].sort_values("rank")
        keep = ranked[(ranked["rank"] <= top) | (ranked["variant"] == default)]
        shown.append(keep)
    frame = pd.concat(shown, ignore_index=True) if shown else ranking.iloc[0:0]
    datasets = frame["dataset"].nunique() if len(frame) else 1
    table = pd.DataFrame({
        **({"dataset": frame["dataset"]} if datasets > 1 else {}),
        "model": frame["model"],
        "rank": [f"{int(r)}" for r in frame["rank"]],
        "variant": frame["variant"].map(short_name) + np.where(frame["chosen"], " (chosen)", ""),
        "validation AUC": frame["mean"],
        "gap to default": [MISSING if v == DEFAULT else plus_minus(m, h)
                           for v, m, h in zip(frame["variant"], frame["gap"], frame["gap_ci95"], strict=True)],
    })
    incomplete = int((~ranking["complete"]).sum())
    ranked = ranking[ranking["complete"]].groupby(GROUP).size()
    note = (f"Mean validation AUC over budgets and seeds; the top {top} of the {ranked.max() if len(ranked) else 0} "
            "ranked variants per model, and the default setting's row. Gap: the variant minus the default, "
            "paired by seed (each seed's mean over budgets) ± its 95% half-width; a selection, not a test: the "
            "test split is read once, below.")
    if incomplete:
        note += f" {incomplete} variant(s) with missing runs are not ranked."
    return plain_table(table, keys=["dataset", "model"] if datasets > 1 else ["model"], note=note)


def read_table(read: pd.DataFrame) -> BookTable:
    """The test read: per model and budget, the chosen variant, the default's test AUC and the chosen
    one's paired change against it with its interval and verdict mark."""
    datasets = read["dataset"].nunique() if len(read) else 1
    change = [MISSING if c != c else plus_minus(c, h) + (f" {MARKS[v]}" if v in MARKS else "")
              for c, h, v in zip(read["change"], read["ci95"], read["verdict"], strict=True)]
    table = pd.DataFrame({
        **({"dataset": read["dataset"]} if datasets > 1 else {}),
        "model": read["model"], "budget": read["budget"].map(lambda b: f"{b:g}"),
        "chosen on validation": read["variant"].map(short_name),
        "default: test AUC": read["default_mean"], "chosen − default": change, "pairs": read["n"],
    })
    keys = ["dataset", "model"] if datasets > 1 else ["model"]
    return plain_table(table, keys=keys, note="Test AUC, read once for the variant chosen on validation: the default's "
                                              "mean over the paired seeds, and the chosen variant's change against "
                                              "it, paired by seed, ± its 95% half-width; ▲ better, ▼ worse, "
                                              "· indistinguishable (paired t test, Holm-corrected across the "
                                              "table, 5% level).")


def seeds_note(seeds: int) -> str:
    """What the number of seeds means for the intervals of this chapter."""
    if seeds < 2:
        return "With a single seed there is no interval at all: every comparison below is a single pair of runs."
    return (f"Every interval in this chapter rests on {count_text(seeds, 'seed')}, a Student-t interval with "
            f"{count_text(seeds - 1, 'degree')} of freedom: only a large change, consistent from seed to seed, can be "
            "told from zero.")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def choice_text(ranking: pd.DataFrame, read: pd.DataFrame, default: str = DEFAULT) -> dict[str, str]:
    """Per model, one sentence: the variant chosen on validation, where the default ranks, and what the
    one test read says against the default at each budget, with its interval."""
    sentences, defaults = [], []
    datasets = ranking["dataset"].nunique()
    for (dataset, model), g in ranking.groupby(GROUP, sort=True):
        name = f"{model} on {dataset}" if datasets > 1 else model
        ranked = g[g["complete"]]
        chosen = ranked[ranked["chosen"]]
        if chosen.empty:
            sentences.append(f"For {name} no variant has all its runs yet, so none is chosen.")
            continue
        chosen = chosen.iloc[0]
        base = g[g["variant"] == default]
        if base.empty or not base.iloc[0]["complete"]:
            defaults.append(f"nowhere for {name} (it has missing runs)")
            sentences.append(f"For {name} the validation choice is {short_name(chosen['variant'])} "
                             f"(mean validation AUC {chosen['mean']:.4f}); the default setting lacks runs, so "
                             "there is nothing to read it against.")
            continue
        base = base.iloc[0]
        defaults.append(f"{_ordinal(int(base['rank']))} of {len(ranked)} for {name}")
        if chosen["variant"] == default:
            sentences.append(f"For {name} the default setting itself has the highest mean validation AUC "
                             f"({base['mean']:.4f}, first of {len(ranked)}), so there is no other variant to "
                             "read on test.")
            continue
        cells = read[(read["dataset"] == dataset) & (read["model"] == model)]
        reads = " and ".join(f"{r['verdict']} at budget {r['budget']:g} ({plus_minus(r['change'], r['ci95'])} test AUC, "
                          f"{int(r['n'])} seeds)" for r in cells.to_dict("records"))
        sentences.append(f"For {name} the validation choice is {short_name(chosen['variant'])}, "
                         f"{plus_minus(chosen['gap'], chosen['gap_ci95'])} validation AUC against the default setting "
                         f"(paired by seed, mean over budgets; the default ranks {_ordinal(int(base['rank']))} of "
                         f"{len(ranked)}); read once on test against the default "
                         f"setting it is {reads or 'not measurable (no paired seeds)'}.")
    return {"choice_text": " ".join(sentences), "default_rank": "; ".join(defaults)}


# ----------------------------------------------------------------------------------------------
# 2. Main effects and interactions on validation
# ----------------------------------------------------------------------------------------------
# ----------------------------------------------------------------------------------------------
# 3. Equal parameters
# ----------------------------------------------------------------------------------------------
def empty_fields(rows: pd.DataFrame) -> pd.Series:
    """Fields left at width 0 per run: the ``empty_fields`` column, or the zeros of ``emb_dims``."""
    if "empty_fields" in rows:
        return rows["empty_fields"].astype(float)
    return rows["emb_dims"].map(lambda d: float(np.sum(np.asarray(json.loads(d)) == 0)))


def kept_table(rows: pd.DataFrame, default: str = DEFAULT) -> BookTable:
    """A row per variant, a column per (model, budget): the mean fraction of the full model's
    embedding parameters kept and the mean number of fields left at width 0."""
    rows = rows.assign(empty=empty_fields(rows))
    agg = rows.groupby([*CELL, "variant"], sort=True).agg(kept=("achieved_budget", "mean"),
                                                         empty=("empty", "mean")).reset_index()
    agg["cell"] = cell_label(agg, agg["dataset"].nunique())
    agg["text"] = [f"{k:.4f} | {e:.0f}" if e == int(e) else f"{k:.4f} | {e:.1f}"
                   for k, e in zip(agg["kept"], agg["empty"], strict=True)]
    order = list(dict.fromkeys(agg.sort_values(["dataset", "model", "budget"], ascending=[True, True, False])["cell"]))
    variants = [default, *sorted(v for v in set(agg["variant"]) if v != default)]
    wide = (agg.pivot(index="variant", columns="cell", values="text").reindex(index=variants, columns=order)
            .fillna(MISSING))
    wide.index = [short_name(v) for v in wide.index]
    return plain_table(wide.rename_axis("variant"), keys=["variant"],
                       note="Each cell: the fraction of the full model's embedding parameters kept | the number of "
                            "fields left at width 0 (both means over seeds).")


def kept_text(rows: pd.DataFrame, tolerance: float = KEPT_TOLERANCE, default: str = DEFAULT) -> dict[str, str]:
    """Whether every variant kept the same fraction of the embedding parameters as the default setting
    in the same cell (within ``tolerance`` of the budget): the range of each budget's kept fraction over
    the variants that do, the cells of those that do not, and the fields that min_dim 0 deletes;
    generated from the runs."""
    rows = rows.assign(empty=empty_fields(rows))
    cells = rows.groupby([*CELL, "variant"], sort=True).agg(kept=("achieved_budget", "mean"),
                                                            empty=("empty", "mean")).reset_index()
    # the default setting's fraction in the same cell is the target (the budget itself where it has no run):
    # a small model's widths cannot hit a budget exactly, but every variant should miss it as the default does
    target = cells[cells["variant"] == default].set_index(CELL)["kept"]
    cells["target"] = target.reindex(pd.MultiIndex.from_frame(cells[CELL])).to_numpy()
    cells["target"] = cells["target"].fillna(cells["budget"])
    cells["off"] = (cells["kept"] - cells["target"]).abs() > tolerance * cells["budget"]
    on = cells[~cells["off"]]
    ranges = "; ".join((f"{lo:.4f}–{hi:.4f}" if f"{lo:.4f}" != f"{hi:.4f}" else f"{lo:.4f}") + f" at budget {b:g}"
                       for b, g in on.groupby("budget", sort=True) for lo, hi in [(g["kept"].min(), g["kept"].max())])
    off = cells[cells["off"]]
    if off.empty:
        text = (f"Every variant keeps the default setting's fraction to within {tolerance:.0%} of the budget "
                f"(kept fraction: {ranges}).")
    else:
        where = "; ".join(f"{short_name(v)}: " + ", ".join(f"{r['kept']:.4f} at budget {r['budget']:g} ({r['model']})"
                                                         for r in g.to_dict("records"))
                          for v, g in off.groupby("variant", sort=True))
        good, bad = cells["variant"].nunique() - off["variant"].nunique(), off["variant"].nunique()
        text = (f"{count_text(good, 'variant')} {'keeps' if good == 1 else 'keep'} the default setting's fraction to "
                f"within {tolerance:.0%} of the budget in every cell (kept fraction: {ranges}); {count_text(bad, 'variant')} "
                f"{'does' if bad == 1 else 'do'} not, and {'is' if bad == 1 else 'are'} not compared at equal "
                f"parameters where {'it misses' if bad == 1 else 'they miss'}: {where}.")
    zero = rows[rows["search_min_dim"] == 0] if "search_min_dim" in rows else rows.iloc[0:0]
    rest = rows.drop(zero.index)
    if len(zero):
        fields = (f"With min_dim 0 a run leaves up to {zero['empty'].max():g} fields at width 0 "
                  f"({zero['empty'].mean():.1f} on average over its runs)")
        fields += (", with min_dim 1 none." if rest["empty"].max() == 0 else
                   f", with min_dim 1 up to {rest['empty'].max():g}.")
    else:
        fields = ("No variant lets a field lose every dimension (min_dim 0 is not in this profile)"
                  + ("; no run has a field at width 0." if rest["empty"].max() == 0 else "."))
    return {"kept_range": text, "kept_empty": fields}


# ----------------------------------------------------------------------------------------------
# 4. Agreement with the exact ranking
# ----------------------------------------------------------------------------------------------
def profile_estimators(study: StudyConfig) -> list[str]:
    """The estimators the profile's runs use (its factorial, its variants and its default), in the
    order of ``ESTIMATORS``, with ``exact`` always among them."""
    used = {study.search.estimator, "exact", *study.factorial.get("estimator", [])}
    used |= {v["estimator"] for v in study.variants if "estimator" in v}
    return [e for e in ESTIMATORS if e in used]


def agreement_text(agreement: pd.DataFrame) -> str:
    """Per model, the gradient setting that agrees best with the exact drop-column ranking, and the
    exact estimate on K batches, with their Spearman correlations."""
    parts = []
    datasets = agreement["dataset"].nunique() if len(agreement) else 0
    for (dataset, model), g in agreement.groupby(GROUP, sort=False):
        gradient = g[g["estimator"] != "exact"].dropna(subset=["spearman"])
        exact = g[g["estimator"] == "exact"].dropna(subset=["spearman"])
        text = f"{model} on {dataset}" if datasets > 1 else model
        if len(gradient):
            best = gradient.loc[gradient["spearman"].idxmax()]
            worst = gradient.loc[gradient["spearman"].idxmin()]
            text += (f": best {best['estimator']} on {best['score_split']} batches (ρ = {best['spearman']:.2f}), "
                     f"worst {worst['estimator']} on {worst['score_split']} batches (ρ = {worst['spearman']:.2f})")
        if len(exact):
            text += (", the exact change on K batches " +
                     " and ".join(f"ρ = {r['spearman']:.2f} ({r['score_split']})" for r in exact.to_dict("records")))
        parts.append(text)
    return "; ".join(parts) + "." if parts else "No pretrained model to score."


# ----------------------------------------------------------------------------------------------
# The chapter
# ----------------------------------------------------------------------------------------------
def ablation_chapter(profile: str) -> Chapter:
    """The factorial ablation of the book profile ``profile`` (its ``ablation`` companion): resumes
    the ablation profile's sweep (finished runs are read, not recomputed), scores each estimator of the
    profile against the exact ranking on its first seed's pretrained models, and hands both to
    ``factorial_chapter``."""
    study = ablation_study(profile)
    if not study.factorial:
        raise ConfigError(f"profile {study.name!r} (the ablation companion of {profile!r}) has no factorial: "
                          "chapter 5 reads the main effects of its factors")
    report = sweep(study, progress=False)
    study = report.study or study
    agreement, _ = exact_agreement(study, estimators=profile_estimators(study))
    return factorial_chapter(study, report.table, agreement)


def factorial_chapter(study: StudyConfig, results: pd.DataFrame, agreement: pd.DataFrame) -> Chapter:
    """The chapter from a factorial profile's results table and its estimators' agreement with the exact
    ranking (``exact_agreement``): the validation choice and its one test read, main effects and
    interactions on validation, the kept fraction of parameters and the fields at width 0."""
    ok = with_variant(results[(results["status"] == "ok") & (results["method"] == "sseds")], study.search)
    rows = results.groupby("dataset")["rows"].first().to_dict()
    chapter = Chapter(
        header=f"profile {study.name}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"{ok['variant'].nunique()} SSEDS variants ({_combinations(study.factorial)} in the factorial "
               f"{' x '.join(study.factorial)}); datasets {[d.name for d in study.datasets]}, models "
               f"{list(study.models)}, budgets {list(study.budgets)}, seeds {list(study.seeds)}",
        text={"seeds_note": seeds_note(len(study.seeds))})
    # 1. the choice on validation, one read of test
    ranking = validation_ranking(ok)
    read = read_test(ok, chosen_variants(ranking))
    chapter.tables["ranking"] = ranking_table(ranking)
    chapter.tables["test"] = read_table(read)
    chapter.text.update(choice_text(ranking, read))
    # 2. main effects and interactions, on validation
    design = factorial_rows(ok, study.factorial, study.search)
    per_seed, effects = main_effects(design, study.factorial, study.search)
    _, inter = interactions(design, study.factorial, study.search)
    pooled = pooled_effects(per_seed)
    note = ("Mean over seeds of the paired change in validation AUC, averaged over the other factors' levels, "
            "± its 95% half-width; ▲ raises, ▼ lowers, · indistinguishable from zero (paired t test, "
            "Holm-corrected across the table, 5% level).")
    chapter.tables["effects"] = effects_table(
        effects, note + f" {POOLED.capitalize()}: each seed's mean over the model × budget cells, Holm-corrected across "
                             "that column on its own.", pooled)
    chapter.tables["interactions"] = effects_table(
        inter, "Effect of the first contrast with the second factor at its other level minus the same effect "
               "with it at its base level; " + note[0].lower() + note[1:])
    chapter.text["effects_text"] = effects_text(effects)
    chapter.text["effects_pooled"] = pooled_text(pooled)
    chapter.text["interactions_text"] = effects_text(inter, "interaction")
    chapter.figures["fig_effects"] = plot_factor_effects(per_seed, rows=rows, profile=study.name,
                                                         metric=CHOICE_METRIC)
    # 3. equal parameters
    chapter.tables["kept"] = kept_table(ok)
    chapter.text.update(kept_text(ok))
    # 4. agreement with the exact ranking
    chapter.figures["fig_agreement"] = plot_exact_agreement(
        agreement, rows=rows, profile=study.name,
        title="Rank correlation of each estimator with the exact importance (validation)")
    chapter.text["agreement_text"] = agreement_text(agreement)
    return chapter


def _combinations(factorial: Mapping[str, Sequence]) -> int:
    return int(np.prod([len(v) for v in factorial.values()])) if factorial else 0
