"""Chapter 05's choice of a variant: made on validation alone, then the test split read once.

Per dataset and base model, the variant with the highest mean validation AUC over budgets and seeds
is chosen (ties go to the default setting, then to the variant that changes fewest settings); only
then is the test split read, for that variant against the default setting: the paired per-seed
difference with its interval and a Holm-corrected verdict (``study.compare``). ``ablation`` writes
the chapter around it; a variant is named by ``variants.variant_name``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..statistics import paired_difference
from ..study.compare import change_verdicts, paired_changes
from .ablation_factorial import (
    CELL,
    CHOICE_METRIC,
)
from .tables import MARKS, MISSING, BookTable, count_text, plain_table, plus_minus
from .variants import variant_name

GROUP = ["dataset", "model"]
DEFAULT = "default"
TEST_METRIC = "test_auc"
TOP = 5  # variants shown per model in the validation ranking (the default's row is added below them)
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
        "variant": frame["variant"].map(variant_name) + np.where(frame["chosen"], " (chosen)", "")
        + np.where(frame["variant"] == default, " (default)", ""),
        "validation AUC": frame["mean"],
        "gap to default": [MISSING if v == DEFAULT else plus_minus(m, h)
                           for v, m, h in zip(frame["variant"], frame["gap"], frame["gap_ci95"], strict=True)],
    })
    incomplete = int((~ranking["complete"]).sum())
    ranked = ranking[ranking["complete"]].groupby(GROUP).size()
    note = (f"Mean validation AUC over budgets and seeds; the top {top} of the {ranked.max() if len(ranked) else 0} "
            "ranked variants per model, and the default setting's row. Gap: the variant minus the default, "
            "paired by seed (each seed's mean over budgets) ± its 95% half-width; a selection, not a test: the "
            "test split is read once, for the chosen variant only (chapter 5).")
    if incomplete:
        note += f" {count_text(incomplete, 'variant')} with missing runs {'is' if incomplete == 1 else 'are'} not ranked."
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
        "chosen on validation": read["variant"].map(variant_name),
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


def choice_text(ranking: pd.DataFrame, default: str = DEFAULT) -> dict[str, str]:
    """Where the default setting ranks on validation, and the chosen variant's validation gain over it
    (paired by seed, mean over budgets), per model: short phrases for the prose (the variants
    themselves are in the test table)."""
    ranks, gaps = [], []
    datasets = ranking["dataset"].nunique()
    for (dataset, model), g in ranking.groupby(GROUP, sort=True):
        name = f"{model} on {dataset}" if datasets > 1 else model
        ranked = g[g["complete"]]
        base, chosen = g[g["variant"] == default], ranked[ranked["chosen"]]
        if base.empty or not base.iloc[0]["complete"]:
            ranks.append(f"nowhere for {name} (it has missing runs)")
        else:
            ranks.append(f"{_ordinal(int(base.iloc[0]['rank']))} of {len(ranked)} for {name}")
        if not chosen.empty and chosen.iloc[0]["variant"] != default:
            gaps.append(f"{plus_minus(chosen.iloc[0]['gap'], chosen.iloc[0]['gap_ci95'])} for {name}")
        elif not chosen.empty:
            gaps.append(f"none for {name} (the default itself is chosen)")
    return {"default_rank": "; ".join(ranks), "chosen_gap": "; ".join(gaps) or "none"}
