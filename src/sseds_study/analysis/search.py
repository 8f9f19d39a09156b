"""Chapter 03: the saliency and widths of one pretrained model, and agreement with the planted truth
of the synthetic data.

Everything here reads or computes through ``study``, so pretrained models are shared with the sweeps.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ESTIMATORS, SCORE_SPLITS, ConfigError, SearchConfig, StudyConfig, load_profile
from ..data import load_dataset_from_config
from ..figures.results import plot_planted_truth, plot_saliency, plot_widths
from ..search.agreement import planted_rank_agreement
from ..search.allocate import allocate_dims
from ..study import (
    GroupCache,
    Pretrained,
    RunSpec,
    default_results_dir,
    load_or_pretrain,
    saliency_for_spec,
    worker_threads,
)
from .chapter import Chapter
from .tables import plain_table

PLANTED_BUDGET = 0.2
PLANTED_DATASET = "synthetic"
# Below this mean Spearman correlation among the relevant fields, widths are not ordered by rank.
ORDERED_RHO = 0.3

# ----------------------------------------------------------------------------------------------
# Search analysis (the saliency chapter and the planted-truth check)
# ----------------------------------------------------------------------------------------------
def load_pretrained(study: StudyConfig, dataset: str | None = None, model: str | None = None,
                    seed: int | None = None, results_dir: str | os.PathLike | None = None):
    """(dataset, pretrained model, its RunSpec) for one dataset/model/seed of a study (cached)."""
    data = next((d for d in study.datasets if dataset in (None, d.name)), None)
    if data is None:
        raise ConfigError(f"study {study.name!r} has no dataset {dataset!r}")
    spec = RunSpec(data, dataclasses.replace(study.model, name=model or study.models[0], emb_dims=None),
                   dataclasses.replace(study.train, seed=study.seeds[0] if seed is None else seed),
                   study.search, "sseds", 1.0)
    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    with worker_threads():
        ds = load_dataset_from_config(data, progress=False)
        pre = load_or_pretrain(ds, spec, results_dir)
    return ds, pre, spec


def saliency_scores(ds, pre: Pretrained, spec: RunSpec, search: SearchConfig | None = None) -> np.ndarray:
    """The (F, D) saliency of a pretrained model under some search settings."""
    spec = dataclasses.replace(spec, search=search or spec.search)
    with worker_threads():
        scores, _ = saliency_for_spec(ds, pre, spec, GroupCache())
    return scores.detach().cpu().numpy()


def widths_by_budget(ds, scores, budgets: Sequence[float], search: SearchConfig) -> pd.DataFrame:
    """Per-field widths (rows: fields) chosen at each budget (columns)."""
    out = {}
    for b in budgets:
        alloc = allocate_dims(scores, ds.vocab_sizes, b, budget_unit=search.budget_unit, rank_by=search.rank_by,
                              min_dim=search.min_dim)
        out[b] = list(alloc.emb_dims)
    return pd.DataFrame(out, index=ds.field_names)


def planted_truth(study: StudyConfig, budget: float = PLANTED_BUDGET, model: str | None = None,
                  settings: Sequence[dict] | None = None, seeds: Sequence[int] | None = None,
                  dataset: str = PLANTED_DATASET) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How close SSEDS's widths come to the planted ranks of the synthetic data.

    For every search setting (default: each estimator x scoring split) and seed: score the pretrained
    model, allocate at ``budget``, and compare the width of each field with its planted rank.
    Returns (per_field, summary): summary has per setting and seed the Spearman correlation between
    planted rank and width, and the share of kept dimensions that went to relevant fields.
    """
    if settings is None:
        settings = [{"estimator": e, "score_split": s} for e in ESTIMATORS for s in SCORE_SPLITS]
    per_field, summary = [], []
    for seed in seeds if seeds is not None else study.seeds:
        ds, pre, spec = load_pretrained(study, dataset, model, seed)
        truth = ds.manifest.get("truth")
        if not truth:
            raise ConfigError(f"dataset {dataset!r} has no planted truth in its manifest")
        ranks = np.asarray([truth["ranks"][name] for name in ds.field_names])
        for setting in settings:
            search = dataclasses.replace(study.search, **setting)
            widths = widths_by_budget(ds, saliency_scores(ds, pre, spec, search), [budget], search)[budget]
            label = ", ".join(f"{v}" for v in setting.values())
            kept = widths.to_numpy()
            relevant = ranks > 0
            summary.append({"setting": label, **setting, "seed": seed,
                            "spearman": planted_rank_agreement(kept, ranks),
                            # Among the relevant fields only: does a higher rank get a wider embedding?
                            "spearman_relevant": planted_rank_agreement(kept[relevant], ranks[relevant]),
                            "relevant_share": float(kept[relevant].sum() / max(1, kept.sum())),
                            "irrelevant_max_width": int(kept[ranks == 0].max(initial=0))})
            per_field.extend({"setting": label, "seed": seed, "field": name, "true_rank": int(r), "width": int(w)}
                             for name, r, w in zip(ds.field_names, ranks, kept, strict=True))
    return pd.DataFrame(per_field), pd.DataFrame(summary)


def planted_text(agreement: pd.DataFrame) -> dict[str, str]:
    """The numbers and the verdict the planted-truth section quotes, from the agreement table."""
    by_setting = agreement.groupby("setting")["spearman"].mean().round(3)
    by_split = agreement.groupby("score_split")[["relevant_share", "irrelevant_max_width"]].mean()
    rho = agreement.loc[agreement.score_split == "train", "spearman_relevant"].mean()
    text = {
        "best_setting": "; ".join(by_setting[by_setting == by_setting.max()].index),
        "best_spearman": f"{by_setting.max():.2f}",
        "rho_relevant": f"{rho:+.2f}",
        # The verdict follows the measured correlation, not our expectation of it.
        "relevant_verdict": "SSEDS finds which fields matter much better than how much width each needs"
        if rho < ORDERED_RHO else "SSEDS also orders the relevant fields' widths roughly by their planted rank",
    }
    for split in by_split.index:
        text[f"share_{split}"] = f"{by_split.loc[split, 'relevant_share']:.0%}"
        text[f"noise_{split}"] = f"{by_split.loc[split, 'irrelevant_max_width']:.1f}"
    return text


def search_chapter(profile: str) -> Chapter:
    """Saliency heatmaps and widths per budget for every dataset (first model, first seed), and the
    planted-truth comparison on the synthetic data."""
    study = load_profile(profile)
    model_name, seed = study.models[0], study.seeds[0]
    budgets = sorted(study.budgets, reverse=True)
    chapter = Chapter(header=f"profile {profile}; model {model_name}; estimator {study.search.estimator}, "
                             f"split {study.search.score_split}, K = {study.search.num_batches} batches; seed {seed}")
    widths_tables, loaded = {}, []
    for data in study.datasets:
        ds, pre, spec = load_pretrained(study, data.name, model_name)
        loaded.append(ds)
        scores = saliency_scores(ds, pre, spec)
        where = {"dataset": data.name, "rows": len(ds), "profile": profile}
        chapter.figures[f"fig_saliency_{data.name}"] = plot_saliency(
            scores, ds.field_names, **where, title=f"Saliency of each dimension, {model_name}")
        widths = widths_by_budget(ds, scores, budgets, study.search)
        chapter.figures[f"fig_widths_{data.name}"] = plot_widths(
            widths, **where, title=f"Width $d_f$ per field and budget, {model_name}")
        widths = widths.rename(columns=lambda b: f"b = {b:g}")
        widths.insert(0, "V_f", ds.vocab_sizes)
        widths_tables[data.name] = widths
    chapter.tables["widths"] = plain_table(
        pd.concat(widths_tables, names=["dataset", "field"]), keys=["dataset", "field"],
        note="V_f: the field's vocabulary size; b = …: its width d_f at that budget.")
    per_field, agreement = planted_truth(study, model=model_name)
    planted_rows = next(len(d) for d in loaded if d.name == PLANTED_DATASET)
    chapter.tables["planted"] = plain_table(agreement.groupby("setting", sort=False)[
        ["spearman", "spearman_relevant", "relevant_share", "irrelevant_max_width"]].mean(), digits=3,
        keys=["setting"], note="Means over seeds; the setting is the estimator, then the scoring split.")
    chapter.figures["fig_planted"] = plot_planted_truth(
        per_field[per_field["seed"] == seed], dataset=PLANTED_DATASET, rows=planted_rows, profile=profile,
        title=f"{model_name}: width at budget {PLANTED_BUDGET:g} against planted rank (seed {seed})")
    chapter.text.update(planted_text(agreement))
    return chapter
