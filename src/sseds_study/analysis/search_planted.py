"""Chapter 03's planted-truth section: the numbers it quotes and its tables, from the agreement of the
widths with the planted ranks (``search.planted_truth``) and from each method's test AUC against the
Bayes AUC and the oracle (``oracle_reference``). ``search`` builds the chapter around these.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import ConfigError, SearchConfig
from ..data import has_planted_truth, load_dataset_from_config
from ..statistics import paired_difference
from ..study import seed_data
from ..study.methods import book_methods
from ..study.profile import StudyConfig
from .variants import split_name, variant_name

PLANTED_BUDGET = 0.2
# Below this mean Spearman correlation among the relevant fields, widths are not ordered by rank.
ORDERED_RHO = 0.3


def planted_dataset(study: StudyConfig) -> str:
    """The name of the study's dataset with a planted truth (``synthetic``, ``synthetic2``)."""
    for d in study.datasets:
        if has_planted_truth(d.name):
            return d.name
    raise ConfigError(f"study {study.name!r} has no dataset with planted truth")


def planted_text(agreement: pd.DataFrame, default: SearchConfig | None = None) -> dict[str, str]:
    """The numbers and the verdict the planted-truth section quotes, from the agreement table: the
    default setting's own row, and the shares averaged over the estimators per scoring split."""
    default = default or SearchConfig()
    by_setting = agreement.groupby("setting")["spearman"].mean().round(3)
    by_split = agreement.groupby("score_split")[["relevant_share", "irrelevant_max_width"]].mean()
    mine = agreement[(agreement["estimator"] == default.estimator) & (agreement["score_split"] == default.score_split)]
    rho = mine["spearman_relevant"].mean()
    text = {
        "best_setting": "; ".join(by_setting[by_setting == by_setting.max()].index),
        "best_spearman": f"{by_setting.max():.2f}",
        "default_setting": variant_name(default),
        "share_default": f"{mine['relevant_share'].mean():.0%}",
        "noise_default": f"{mine['irrelevant_max_width'].mean():.1f}",
        "rho_default": f"{mine['spearman'].mean():.2f}",
        "rho_relevant": f"{rho:+.2f}",
        # The verdict follows the measured correlation, not our expectation of it.
        "relevant_verdict": "it finds which fields matter much better than how much width each needs"
        if rho < ORDERED_RHO else "it also orders the relevant fields' widths roughly by their planted rank",
    }
    for split in by_split.index:  # averaged over the estimators
        text[f"share_{split}"] = f"{by_split.loc[split, 'relevant_share']:.0%}"
        text[f"noise_{split}"] = f"{by_split.loc[split, 'irrelevant_max_width']:.1f}"
    return text


def collapsed_fields(per_field: pd.DataFrame) -> str:
    """The relevant fields whose mean width over seeds falls below their planted rank, widest shortfall
    first: 'f2 (planted 6, width 2)'."""
    mean = per_field[per_field["true_rank"] > 0].groupby(["field", "true_rank"], sort=False)["width"].mean()
    short = mean[mean < mean.index.get_level_values("true_rank")].reset_index()
    if short.empty:
        return "none"
    short = short.assign(gap=short["true_rank"] - short["width"]).sort_values("gap", ascending=False, kind="stable")
    return ", ".join(f"{r['field']} (planted {int(r['true_rank'])}, width {r['width']:g})"
                     for r in short.to_dict("records"))


def oracle_reference(study: StudyConfig, results: pd.DataFrame,
                     methods: Sequence[str] | None = None) -> pd.DataFrame:
    """Test AUC of each method (default: the registry's planted list) on the planted-truth data against
    the Bayes AUC of the same seed's test split (the ceiling no model passes), one row per model,
    method, budget and seed, with ``gap`` = Bayes − test AUC and ``vs_oracle`` = test AUC − the
    oracle's of the same model and seed."""
    methods = book_methods("planted") if methods is None else methods
    name = planted_dataset(study)
    data = next(d for d in study.datasets if d.name == name)
    bayes = {}
    for seed in study.seeds:
        truth = load_dataset_from_config(seed_data(study, data, seed), progress=False).manifest["truth"]
        bayes[seed] = float(truth["bayes_auc"])
    ok = results[(results["status"] == "ok") & (results["dataset"] == name) & results["method"].isin(methods)]
    out = ok[["model", "method", "budget", "seed", "test_auc", "achieved_budget"]].copy()
    out["bayes_auc"] = out["seed"].map(bayes)
    out["gap"] = out["bayes_auc"] - out["test_auc"]
    oracle = out[out["method"] == "oracle"].set_index(["model", "seed"])["test_auc"]
    out["vs_oracle"] = out["test_auc"] - oracle.reindex(list(zip(out["model"], out["seed"], strict=True))).to_numpy()
    return out.reset_index(drop=True)


def oracle_differences(ref: pd.DataFrame) -> pd.DataFrame:
    """Per model, method and budget: the test AUC minus the oracle's, paired by seed (mean, 95%
    half-width, pairs); the oracle's own row is 0."""
    rows = []
    for (model, method, budget), g in ref.groupby(["model", "method", "budget"], sort=False):
        d = paired_difference(g["test_auc"].to_numpy(), (g["test_auc"] - g["vs_oracle"]).to_numpy())
        rows.append({"model": model, "method": method, "budget": budget, "n": d.n, "mean": d.mean, "ci95": d.ci95})
    return pd.DataFrame(rows, columns=["model", "method", "budget", "n", "mean", "ci95"])


def oracle_text(ref: pd.DataFrame, high: float = PLANTED_BUDGET) -> dict[str, str]:
    """The numbers the planted-truth section quotes: how far the full model and the oracle stay from
    the Bayes AUC, the oracle's budget and how far below ``high`` it lies, and how far SSEDS and
    uniform stay from the oracle at ``high`` and at the smallest budget (paired over seeds)."""
    def gap(method: str) -> str:
        g = ref.loc[ref["method"] == method, "gap"]
        return f"{g.mean():.4f} (seeds {g.min():.4f} to {g.max():.4f})" if len(g) else "not measured"

    oracle = ref.loc[ref["method"] == "oracle", "achieved_budget"].mean() if (ref["method"] == "oracle").any() \
        else float("nan")
    text = {"bayes_auc": f"{ref['bayes_auc'].mean():.4f}" if len(ref) else "not measured",
            "full_gap": gap("full"), "oracle_gap": gap("oracle"),
            "oracle_budget": "not measured" if oracle != oracle else f"{oracle:.3f}",
            "oracle_budget_ratio": "not measured" if oracle != oracle else f"{high / oracle:.1f}"}
    diffs = oracle_differences(ref)
    swept = sorted(b for b in diffs["budget"].unique() if b < 1)
    for method in ("sseds", "uniform"):
        for name, budget in (("high", high), ("low", swept[0] if swept else None)):
            row = diffs[(diffs["method"] == method) & (diffs["budget"] == budget)]
            text[f"{method}_vs_oracle_{name}"] = (
                "not measured" if row.empty or row.iloc[0]["mean"] != row.iloc[0]["mean"]
                else f"{row.iloc[0]['mean']:+.4f} ± {row.iloc[0]['ci95']:.4f}")
    text["low_budget"] = f"{swept[0]:g}" if swept else "not measured"
    return text


def oracle_frame(ref: pd.DataFrame) -> pd.DataFrame:
    """The oracle table in readable columns: per model (when several), method and budget, the test
    AUC, its gap to the Bayes AUC and its paired difference from the oracle, and the budget kept."""
    means = ref.groupby(["model", "method", "budget"], sort=False)[["test_auc", "gap", "achieved_budget"]].mean()
    diffs = oracle_differences(ref).set_index(["model", "method", "budget"])
    out = means.join(diffs).reset_index()
    frame = pd.DataFrame({
        "model": out["model"], "method": out["method"], "budget b": out["budget"].map(lambda b: f"{b:g}"),
        "test AUC": out["test_auc"].map(lambda v: f"{v:.4f}"),
        "Bayes AUC − test AUC": out["gap"].map(lambda v: f"{v:.4f}"),
        "test AUC − oracle's": [("0" if m == "oracle" else f"{d:+.4f}" + ("" if h != h else f" ± {h:.4f}"))
                                for m, d, h in zip(out["method"], out["mean"], out["ci95"], strict=True)],
        "budget kept": out["achieved_budget"].map(lambda v: f"{v:.3f}"),
    })
    return frame if frame["model"].nunique() > 1 else frame.drop(columns="model")


def planted_frame(agreement: pd.DataFrame, default: SearchConfig) -> pd.DataFrame:
    """The planted-truth agreement per estimator and scoring split (means over seeds), readable; the
    default setting's row marked."""
    mean = agreement.groupby(["estimator", "score_split"], sort=False)[
        ["spearman", "spearman_relevant", "relevant_share", "irrelevant_max_width"]].mean().reset_index()
    mark = (mean["estimator"] == default.estimator) & (mean["score_split"] == default.score_split)
    return pd.DataFrame({
        "estimator": mean["estimator"] + np.where(mark, " (default)", ""),
        "scoring split": mean["score_split"].map(split_name),
        "Spearman ρ, all fields": mean["spearman"].map(lambda v: f"{v:+.3f}"),
        "Spearman ρ, relevant fields": mean["spearman_relevant"].map(lambda v: f"{v:+.3f}"),
        "share of kept dims on relevant fields": mean["relevant_share"].map(lambda v: f"{v:.0%}"),
        "widest noise field (dims)": mean["irrelevant_max_width"].map(lambda v: f"{v:.1f}"),
    })
