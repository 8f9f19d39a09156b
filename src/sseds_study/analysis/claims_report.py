"""The one-page summary of a report on one's own table (``sseds report``): the advice of the claims
chapter's rule (``claims_advice``) on the profile's own runs, the verdict of SSEDS against the
verdict's baselines at a glance, which tier ran (``study.tiers``) and what it can and cannot conclude.

What a tier can conclude is said as the smallest difference it can declare: with the paired
differences' spread measured in this run (the median over the verdict's cells), the paired t test
over n seeds at the first step of a Holm correction over the tier's cells declares a mean difference
of ``statistics.detectable_difference`` and more; smaller real differences mostly read as
indistinguishable. The same spread gives the figure for the other tier.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from ..statistics import detectable_difference, difference_spread
from ..study import sweep
from ..study.compare import paired_comparisons, verdict_counts
from ..study.methods import verdict_baselines
from ..study.profile import StudyConfig
from ..study.tiers import TIERS, get_tier, tier_of
from .chapter import Chapter
from .claims_advice import CHEAPEST, advice_table, practical_advice
from .common import chapter_study, listing, small_budgets
from .tables import MARKS, count_text, plain_table


def noise(verdict: pd.DataFrame) -> float:
    """The median standard deviation of the per-seed differences SSEDS − baseline over the cells."""
    spreads = [difference_spread(c, n) for c, n in zip(verdict["ci95"], verdict["n"], strict=True)] \
        if not verdict.empty else []
    spreads = [s for s in spreads if s == s]
    return float(np.median(spreads)) if spreads else math.nan


def tier_rows(study: StudyConfig, sd: float) -> pd.DataFrame:
    """This run and each tier: models, budgets, seeds, the verdict's cells and the smallest difference
    each can declare at the spread ``sd``."""
    baselines = len(verdict_baselines())
    rows = []
    budgets = small_budgets(study.budgets)
    for name, models, budgets_, seeds in [("this run", study.models, budgets, study.seeds),
                                          *[(t, get_tier(t).models, small_budgets(get_tier(t).budgets),
                                             get_tier(t).seeds) for t in TIERS]]:
        cells = len(models) * len(budgets_) * baselines
        rows.append({"run": name, "models": len(models), "budgets": ", ".join(f"{b:g}" for b in budgets_),
                     "seeds": len(seeds), "verdict cells": cells,
                     "declares from": detectable_difference(sd, len(seeds), cells)})
    return pd.DataFrame(rows)


def answer(counts: dict[str, int], cells: int, advice: pd.DataFrame) -> str:
    """The report's answer in one sentence: how SSEDS did against the baselines and what to use."""
    if cells == 0:
        return "no verdict cell has runs of both SSEDS and a baseline yet"
    better, worse = counts["better"], counts["worse"]
    if better and not worse:
        how = f"SSEDS's widths beat the baseline in {better} of the {cells} verdict cells and lose in none"
    elif worse and not better:
        how = f"SSEDS's widths lose to the baseline in {worse} of the {cells} verdict cells and win in none"
    elif better or worse:
        how = f"SSEDS's widths win in {better} and lose in {worse} of the {cells} verdict cells"
    else:
        how = f"SSEDS's widths cannot be told apart from the baselines' in any of the {cells} verdict cells"
    picks = sorted(set(advice["advice"])) if not advice.empty else []
    use = (f"the advice is {picks[0]} everywhere" if len(picks) == 1 else
           f"the advice is {', '.join(picks)} depending on the cell" if picks else "there is no advice yet")
    return f"{how}; {use}"


def summary_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The summary page: the answer, the advice table, the verdict counts, which tier ran, and what it
    can and cannot conclude. Reads the profile's finished sweep (resumed first)."""
    study = chapter_study(profile)
    results = sweep(study, progress=False).table
    budgets = small_budgets(study.budgets)
    verdict = paired_comparisons(results, "sseds", verdict_baselines(), budgets=budgets, reference=study.search)
    counts = verdict_counts(verdict)
    advice = practical_advice(results, budgets=budgets, reference=study.search)
    sd = noise(verdict)
    tiers = tier_rows(study, sd)
    tier = tier_of(study)
    mine = tiers.iloc[0]
    seeds = sorted(set(verdict["n"])) if not verdict.empty else [0]
    chapter = Chapter(header=f"profile {study.name} ({tier} tier): {len(results)} runs, "
                             f"{int((results['status'] != 'ok').sum())} failed; models {list(study.models)}, "
                             f"budgets {list(study.budgets)}, seeds {list(study.seeds)}")
    ok = results[results["status"] == "ok"]
    chapter.text |= {
        "profile": study.name, "tier": tier,
        "tier_what": get_tier(tier).what if tier in TIERS else
        f"this profile's own lists: {count_text(len(study.models), 'base model')}, {len(study.methods)} methods, "
        f"budgets {', '.join(f'{b:g}' for b in study.budgets)}, {len(study.seeds)} seeds",
        "answer": answer(counts, len(verdict), advice),
        "cells": f"{len(verdict)}", "better": f"{counts['better']}", "worse": f"{counts['worse']}",
        "indistinguishable": f"{counts['indistinguishable']}",
        "seeds": f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}",
        "runs": f"{len(ok)}", "run_minutes": f"{ok['run_seconds'].sum() / 60:.1f}" if "run_seconds" in ok else "–",
        "budgets": ("budget " if len(budgets) == 1 else "budgets ") + listing([f"{b:g}" for b in budgets]),
        "models": listing(list(study.models)),
        "noise": f"{sd:.4f}" if sd == sd else "not measured (fewer than two seeds)",
        "declares": f"{mine['declares from']:.4f}" if mine["declares from"] == mine["declares from"] else
        "nothing (fewer than two seeds)",
        "cheapest": CHEAPEST,
        "other_tiers": "; ".join(f"the {r.run} tier ({r.seeds} seeds, {r['verdict cells']} cells) from "
                                 f"{r['declares from']:.4f}" for _, r in tiers.iloc[1:].iterrows()
                                 if r["declares from"] == r["declares from"]) or "not measured",
    }
    chapter.tables["advice"] = advice_table(advice) if not advice.empty else plain_table(
        pd.DataFrame({"advice": ["no runs at these budgets yet"]}))
    chapter.tables["tiers"] = plain_table(
        tiers, keys=["run"], formats={"declares from": lambda v: "–" if v != v else f"{v:.4f}"},
        note=f"Declares from: the smallest mean difference in test AUC the paired t test declares in the first step "
             f"of the Holm correction over the verdict's cells, at the spread of the per-seed differences measured "
             f"here ({chapter.text['noise']}). Marks in the verdict: {MARKS['better']} SSEDS better, "
             f"{MARKS['worse']} worse, {MARKS['indistinguishable']} indistinguishable.")
    return chapter
