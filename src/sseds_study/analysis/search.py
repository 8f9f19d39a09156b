"""Chapter 03: the saliency and widths of one pretrained model, agreement with the planted truth of
the synthetic data, and agreement of every estimator with the exact drop-column importance.

Everything here reads or computes through ``study``, so pretrained models are shared with the sweeps.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import ESTIMATORS, SCORE_SPLITS, ConfigError, SearchConfig
from ..data import has_planted_truth, load_dataset_from_config
from ..figures.results import plot_exact_agreement, plot_planted_truth, plot_saliency, plot_widths
from ..search.agreement import planted_rank_agreement
from ..statistics import paired_difference
from ..study import (
    seed_data,
    sweep,
    tune_study,
)
from ..study.methods import book_methods, get_method, ranked_allocation
from ..study.profile import StudyConfig, companion
from .chapter import Chapter
from .common import AGREEMENT_BUDGET, chapter_study, exact_agreement, load_pretrained, saliency_scores
from .tables import compact_table, plain_table

PLANTED_BUDGET = 0.2
# Below this mean Spearman correlation among the relevant fields, widths are not ordered by rank.
ORDERED_RHO = 0.3

# ----------------------------------------------------------------------------------------------
# Search analysis (the saliency chapter and the planted-truth check)
# ----------------------------------------------------------------------------------------------
def widths_by_budget(ds, scores, budgets: Sequence[float], search: SearchConfig) -> pd.DataFrame:
    """Per-field widths (rows: fields) chosen at each budget (columns)."""
    out = {}
    for b in budgets:
        alloc = ranked_allocation(scores, ds.vocab_sizes, b, search)  # the study's allocation rules
        out[b] = list(alloc.emb_dims)
    return pd.DataFrame(out, index=ds.field_names)


def planted_dataset(study: StudyConfig) -> str:
    """The name of the study's dataset with a planted truth (``synthetic``, ``synthetic2``)."""
    for d in study.datasets:
        if has_planted_truth(d.name):
            return d.name
    raise ConfigError(f"study {study.name!r} has no dataset with planted truth")


def planted_truth(study: StudyConfig, budget: float = PLANTED_BUDGET, model: str | None = None,
                  settings: Sequence[dict] | None = None, seeds: Sequence[int] | None = None,
                  dataset: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How close SSEDS's widths come to the planted ranks of the synthetic data.

    For every search setting (default: each estimator x scoring split) and seed: score the pretrained
    model, allocate at ``budget``, and compare the width of each field with its planted rank.
    Returns (per_field, summary): summary has per setting and seed the Spearman correlation between
    planted rank and width, and the share of kept dimensions that went to relevant fields.
    """
    if settings is None:
        settings = [{"estimator": e, "score_split": s} for e in ESTIMATORS for s in SCORE_SPLITS]
    per_field, summary = [], []
    dataset = dataset or planted_dataset(study)
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


def oracle_text(ref: pd.DataFrame) -> dict[str, str]:
    """The numbers the planted-truth section quotes: how far the full model and the oracle stay from
    the Bayes AUC, and how far SSEDS stays from the oracle at each budget (paired over seeds)."""
    def gap(method: str) -> str:
        g = ref.loc[ref["method"] == method, "gap"]
        return f"{g.mean():.4f} (seeds {g.min():.4f} to {g.max():.4f})" if len(g) else "not measured"

    text = {"bayes_auc": f"{ref['bayes_auc'].mean():.4f}" if len(ref) else "not measured",
            "full_gap": gap("full"), "oracle_gap": gap("oracle"),
            "oracle_budget": f"{ref.loc[ref['method'] == 'oracle', 'achieved_budget'].mean():.3f}"
            if (ref["method"] == "oracle").any() else "not measured"}
    parts = []
    rivals = [m for m in book_methods("planted") if get_method(m).role != "reference"]  # not full, oracle
    for (method, budget), g in ref[ref["method"].isin(rivals)].groupby(
            ["method", "budget"], sort=False):
        d = paired_difference(g["test_auc"].to_numpy(), (g["test_auc"] - g["vs_oracle"]).to_numpy())
        if np.isfinite(d.mean):
            parts.append((method, budget, f"{method} at {budget:g}: {d.mean:+.4f} ± {d.ci95:.4f}"))
    text["vs_oracle"] = "; ".join(p for _, _, p in sorted(parts, key=lambda t: (-t[1], t[0]))) or "not measured"
    return text


def exact_text(agreement: pd.DataFrame, negative: pd.DataFrame, default: SearchConfig) -> dict[str, str]:
    """The numbers and the verdict the exact-agreement section quotes (means over datasets and models)."""
    rho = agreement.groupby(["estimator", "score_split"], sort=False)["spearman"].mean()
    gradient = rho.drop("exact", level="estimator", errors="ignore").dropna()
    best = gradient[gradient == gradient.max()].index
    default_rho = rho.get((default.estimator, default.score_split), float("nan"))
    worst = negative.loc[negative["negative_share"].idxmax()]
    per_model = negative.groupby(["dataset", "model"])["negative_share"].mean()
    text = {
        "exact_best_setting": "; ".join(f"{e} on {s} batches" for e, s in best),
        "exact_best_spearman": f"{gradient.max():.2f}",
        "exact_default_setting": f"{default.estimator} on {default.score_split} batches",
        "exact_default_spearman": f"{default_rho:.2f}",
        "exact_negative_share": f"{negative['negative_share'].mean():.0%}",
        "exact_negative_range": f"{per_model.min():.0%} to {per_model.max():.0%}",
        "exact_negative_worst": f"{worst['field']} ({worst['dataset']}, {worst['model']}: "
                                f"{worst['negative_share']:.0%} of its columns)",
        # A verdict that follows the measurement: is the study's default among the best?
        "exact_default_verdict": "the default is the best-agreeing gradient setting"
        if (default.estimator, default.score_split) in best
        else "the default is not the best-agreeing gradient setting",
    }
    for split in SCORE_SPLITS:
        text[f"exact_k_{split}"] = f"{rho.get(('exact', split), float('nan')):.2f}"
    return text


def saliency_and_widths(study: StudyConfig, dataset: str, model: str, seed: int | None = None):
    """(dataset, widths, figures) of one pretrained model of a study: its saliency heatmap
    (``figures["saliency"]``) and the width of every field at each of the study's budgets, drawn
    (``figures["widths"]``) and as a table (fields as rows, the vocabulary size ``V_f`` and a column
    ``b = ...`` per budget)."""
    ds, pre, spec = load_pretrained(study, dataset, model, seed)
    scores = saliency_scores(ds, pre, spec)
    where = {"dataset": dataset, "rows": len(ds), "profile": study.name}
    figures = {"saliency": plot_saliency(scores, ds.field_names, **where, title=f"Saliency of each dimension, {model}")}
    widths = widths_by_budget(ds, scores, sorted(study.budgets, reverse=True), study.search)
    figures["widths"] = plot_widths(widths, **where, title=f"Width $d_f$ per field and budget, {model}")
    widths = widths.rename(columns=lambda b: f"b = {b:g}")
    widths.insert(0, "V_f", ds.vocab_sizes)
    return ds, widths, figures


def widths_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The saliency and widths of the profile's own (first) dataset (a report on one's own table,
    ``sseds report``): the heatmap and the widths of the first model's first seed (``fig_saliency_main``,
    ``fig_widths_main``), as ``search_chapter`` draws them, and a table of every base model's widths at
    every budget (first seed), with the fields widest and narrowest at the smallest budget."""
    study = tune_study(chapter_study(profile), progress=False)  # its tuned settings (tuned first if need be)
    name, seed, model = study.datasets[0].name, study.seeds[0], study.models[0]
    chapter = Chapter(header=f"profile {study.name}; dataset {name}; models {', '.join(study.models)}; estimator "
                             f"{study.search.estimator}, split {study.search.score_split}, K = "
                             f"{study.search.num_batches} batches; seed {seed}")
    tables = {}
    for m in study.models:
        ds, widths, figures = saliency_and_widths(study, name, m, seed)
        if m == model:
            chapter.figures |= {f"fig_{kind}_main": fig for kind, fig in figures.items()}
        tables[m] = widths
    widths = pd.concat(tables, names=["model", "field"])
    counts = {c: (lambda v: "–" if pd.isna(v) else f"{int(v):,}") for c in widths.columns}
    chapter.tables["widths"] = plain_table(
        widths, formats=counts, keys=["model", "field"],
        note=f"Seed {seed}. V_f: the field's vocabulary size; b = …: its width d_f at that budget (of D = "
             f"{study.model.emb_dim}).")
    low = f"b = {min(study.budgets):g}"
    first = tables[model][low]
    chapter.text |= {"profile": study.name, "widths_model": model, "widths_seed": f"{seed}",
                     "widths_budget": f"{min(study.budgets):g}", "widths_dim": f"{study.model.emb_dim}",
                     "widths_widest": ", ".join(f"{f} ({int(d)})" for f, d in first.sort_values(
                         ascending=False, kind="stable").head(3).items()),
                     "widths_narrowest": ", ".join(f for f, d in first.items() if d == first.min())}
    return chapter


def search_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Saliency heatmaps and widths per budget for every dataset (first model, first seed), the
    planted-truth comparison on the profile's planted-truth companion (``synthetic2`` in the book) with
    its Bayes and oracle references, and every estimator against the exact drop-column importance."""
    study = tune_study(chapter_study(profile), progress=False)  # its tuned settings (tuned first if need be)
    profile = study.name
    planted = companion(study, "planted")
    planted = study if planted is study else tune_study(planted, progress=False)
    planted_name = planted_dataset(planted)
    model_name, seed = study.models[0], study.seeds[0]
    chapter = Chapter(header=f"profile {profile}; planted truth from profile {planted.name} ({planted_name}); "
                             f"model {model_name}; estimator {study.search.estimator}, split "
                             f"{study.search.score_split}, K = {study.search.num_batches} batches; seed {seed}")
    widths_tables, loaded = {}, []
    shown = [(study, d.name) for d in study.datasets if d.name != planted_name or planted is study]
    shown += [(planted, planted_name)] if planted is not study else []
    for owner, name in shown:
        model = model_name if model_name in owner.models else owner.models[0]
        role = "planted" if name == planted_name else "main"
        ds, widths, figures = saliency_and_widths(owner, name, model)
        loaded.append(ds)
        chapter.figures |= {f"fig_{kind}_{role}": fig for kind, fig in figures.items()}
        if name == planted_name:
            truth = ds.manifest["truth"]["ranks"]
            widths.insert(1, "planted", [int(truth[f]) for f in ds.field_names])
        widths_tables[name] = widths
    widths = pd.concat(widths_tables, names=["dataset", "field"])
    counts = {c: (lambda v: "–" if pd.isna(v) else f"{int(v):,}") for c in widths.columns}  # widths, ranks: whole
    chapter.tables["widths"] = plain_table(
        widths, formats=counts, keys=["dataset", "field"],
        note="V_f: the field's vocabulary size; planted: its planted rank (synthetic data); b = …: its width d_f "
             "at that budget.")
    planted_model = model_name if model_name in planted.models else planted.models[0]
    per_field, agreement = planted_truth(planted, model=planted_model)
    planted_rows = next(len(d) for d in loaded if d.name == planted_name)
    chapter.tables["planted"] = plain_table(agreement.groupby("setting", sort=False)[
        ["spearman", "spearman_relevant", "relevant_share", "irrelevant_max_width"]].mean(), digits=3,
        keys=["setting"], note="Means over seeds; the setting is the estimator, then the scoring split.")
    chapter.figures["fig_planted"] = plot_planted_truth(
        per_field[per_field["seed"] == seed], dataset=planted_name, rows=planted_rows, profile=planted.name,
        title=f"{planted_model}: width at budget {PLANTED_BUDGET:g} against planted rank (seed {seed})")
    chapter.text.update(planted_text(agreement))
    ref = oracle_reference(planted, sweep(planted, progress=False).table)
    ref_mean = ref.groupby(["model", "method", "budget"], sort=False)[
        ["test_auc", "bayes_auc", "gap", "vs_oracle", "achieved_budget"]].mean().reset_index()
    chapter.tables["oracle"] = plain_table(ref_mean, keys=["model", "method", "budget"], digits=4, note=(
        f"Profile {planted.name}, {planted_name} ({planted_rows:,} rows), means over {ref['seed'].nunique()} seeds: "
        "test AUC, the Bayes AUC of the same seed's test split, gap = Bayes − test AUC, vs_oracle = test AUC − "
        "the oracle's (retrained at the planted widths), and the embedding-parameter fraction kept."))
    chapter.text.update(oracle_text(ref))
    chapter.text["planted_budget"] = f"{PLANTED_BUDGET:g}"
    exact, negative = exact_agreement(study)
    chapter.tables["exact"] = plain_table(exact.groupby(["estimator", "score_split"], sort=False)[
        ["spearman", "kendall", "top_k_overlap"]].mean(), digits=3, keys=["estimator", "score_split"],
        note="Means over datasets and models.")
    chapter.tables["exact_negative"] = compact_table(
        negative, index=["dataset", "field"], columns="model", value="negative_share", best=None, digits=3,
        order=list(dict.fromkeys(negative["model"])))
    chapter.figures["fig_exact_agreement"] = plot_exact_agreement(
        exact, rows={d.name: len(d) for d in loaded if d.name in {x.name for x in study.datasets}}, profile=profile,
        title="Rank correlation of each setting with the exact importance (validation)")
    chapter.text.update(exact_text(exact, negative, study.search))
    chapter.text["exact_budget"] = f"{AGREEMENT_BUDGET:g}"
    return chapter
