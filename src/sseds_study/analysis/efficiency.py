"""Chapter 06: what each search costs, what the slim models weigh deployed, and how fast they score.

* Search cost: every sweep row records the wall time and the forward-and-backward passes of its
  search stage, and the group's mean pretraining epoch (``study.execute.search_cost_columns``); here
  they become one table per method, as seconds and as fractions of one pretraining epoch.
* Deployed size: every row records the bytes of the embedding storage a server would hold
  (``emb_bytes``: dense tables of the allocated widths, or PEP's compressed sparse rows with their
  index overhead); plotted against test AUC with the Pareto front.
* Latency: slim models rebuilt from the rows (widths) and from PEP's search checkpoints (masks),
  timed on the test rows in one process against the full model (``deploy.scoring_latency``).
* PEP: its settings, how they were chosen (``pep_selection``), and rewind against a fresh
  initialisation as paired differences over seeds (``study.compare``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..config import ConfigError, to_dict
from ..data import load_dataset_from_config
from ..data.paths import repo_root
from ..deploy import scoring_latency, to_sparse_tables
from ..figures.comparison import plot_bytes_pareto
from ..models.pep import attach_fixed_mask
from ..models.registry import build_model
from ..study import (
    METHODS,
    aggregate,
    default_results_dir,
    expand_runs,
    get_method,
    load_search,
    search_path,
    seed_data,
    sweep,
    worker_threads,
)
from ..study.compare import paired_comparisons
from ..study.methods import book_methods
from ..study.profile import StudyConfig, companion
from .chapter import Chapter
from .common import chapter_study, check_efficiency_columns, search_costs, small_budgets
from .efficiency_others import others_absent, others_efficiency_parts
from .efficiency_tables import cost_tables, deployed_table, latency_table, rewind_table, selection_table
from .efficiency_text import cost_text, latency_text, pep_text, selection_text, size_text
from .tables import plain_table

# The slim models timed against the full one are the registry's latency list
# (``study.methods.book_methods("latency")``, those of the profile), at the chapter's small budgets.
LATENCY_SEED_INDEX = 0  # latency is measured on the first seed's models (it depends on shape, not weights)


def deployed_sizes(agg: pd.DataFrame, budgets: Sequence[float]) -> pd.DataFrame:
    """Deployed embedding bytes and test AUC per method at some budgets, beside the full model's bytes."""
    full = agg[agg["method"] == "full"].set_index(["dataset", "model"])["emb_bytes_mean"]
    sub = agg[(agg["variant"] == "default") & agg["budget"].isin(budgets) & (agg["method"] != "full")].copy()
    sub["vs_full"] = sub["emb_bytes_mean"].to_numpy() / full.reindex(
        list(zip(sub["dataset"], sub["model"], strict=True))).to_numpy()
    order = {m: i for i, m in enumerate(METHODS)}
    sub["_order"] = sub["method"].map(order)
    sub = sub.sort_values(["dataset", "model", "budget", "_order"], ascending=[True, True, False, True])
    return sub[["dataset", "model", "budget", "method", "emb_bytes_mean", "vs_full", "achieved_budget_mean",
                "test_auc_mean", "test_auc_ci95"]].reset_index(drop=True)


def rewind_against_fresh(results: pd.DataFrame, budgets: Sequence[float], reference=None) -> pd.DataFrame:
    """PEP retrained from the search run's initial weights (``pep``) against a fresh initialisation
    (``pep_fresh``), same seed and same mask: paired differences in test AUC per dataset, model and
    budget, with Holm-adjusted p-values and verdicts (``study.compare``)."""
    table = paired_comparisons(results, "pep", ["pep_fresh"], budgets=budgets, reference=reference)
    cols = {"dataset": "dataset", "model": "model", "budget": "budget", "n": "seeds",
            "difference": "rewind − fresh", "ci95": "±95%", "p_holm": "p (Holm)", "verdict": "rewind is"}
    if table.empty:
        return pd.DataFrame(columns=list(cols.values()))
    return table[list(cols)].rename(columns=cols)


def latency_ratios(study: StudyConfig, results: pd.DataFrame, results_dir, budgets: Sequence[float],
                   methods: Sequence[str] | None = None, rows_at_batch_one: int = 300,
                   batch_sizes: Sequence[int] = (1, 4096)) -> pd.DataFrame:
    """Scoring time per 1,000 test rows of the slim models against the full model, per dataset and base
    model, measured in one process on one thread (``deploy.scoring_latency``).

    The models are rebuilt from the first seed's runs: mixed widths from the rows' ``emb_dims``,
    PEP's masks from its search checkpoint (deployed as CSR tables). Latency depends on shapes and
    sparsity, not on trained values, so the weights are those of a fresh model.
    """
    methods = [m for m in (book_methods("latency") if methods is None else methods) if m in study.methods]
    seed = study.seeds[LATENCY_SEED_INDEX]
    specs = {(s.data.name, s.model.name, s.method, s.budget): s for s in expand_runs(study) if s.seed == seed}
    ok = results[(results["status"] == "ok") & (results["seed"] == seed)]
    out = []
    with worker_threads():
        for data in study.datasets:
            ds = load_dataset_from_config(seed_data(study, data, seed), progress=False)
            ids = ds.subset("test")[0]
            for model_name in study.models:
                base = dataclasses.replace(study.model, name=model_name, emb_dims=None)
                models = {"full": build_model(ds.fields, base)}
                for budget in budgets:
                    for method in methods:
                        spec = specs.get((data.name, model_name, method, float(budget)))
                        if spec is None:
                            continue
                        models[f"{method}@{budget:g}"] = _deployed_model(ds, base, spec, ok, results_dir)
                table = scoring_latency(models, ids, reference="full", batch_sizes=batch_sizes,
                                        rows_at_batch_one=rows_at_batch_one)
                table.insert(0, "model_name", model_name)
                table.insert(0, "dataset", data.name)
                out.append(table)
    table = pd.concat(out, ignore_index=True)
    split = table["model"].str.split("@", expand=True)
    table["method"] = split[0]
    table["budget"] = pd.to_numeric(split[1], errors="coerce").fillna(1.0) if split.shape[1] > 1 else 1.0
    return table.drop(columns="model").rename(columns={"model_name": "model"})


def pep_selection(folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The summary of ``scripts/choose_pep_settings.py``'s output (``configs/pep_selection/*.csv``): per
    stage and candidate, whether its search reached every budget for every base model, its mean
    search epochs and kept fraction at the end of its search, the mean validation AUC of its rewind
    retrains at each budget and their mean (the score; none for a candidate that did not reach every
    budget). Empty when the folder has no files."""
    folder = Path(folder) if folder is not None else repo_root() / "configs" / "pep_selection"
    keys = ["granularity", "threshold_init", "threshold_lr", "threshold_weight_decay", "weight_decay"]
    out = []
    for path in sorted(folder.glob("*.csv")):
        df = pd.read_csv(path)
        aucs = [c for c in df.columns if c.startswith("valid_auc@")]
        summary = df.groupby(keys, dropna=False).agg(
            models=("model", "nunique"), reached_all=("reached_all", "all"), search_epochs=("search_epochs", "mean"),
            final_kept=("final_kept", "mean"), **{c: (c, "mean") for c in aucs}).reset_index()
        summary["score"] = summary[aucs].mean(axis=1).where(summary["reached_all"])
        summary.insert(0, "stage", path.stem)
        out.append(summary.sort_values(["score", "search_epochs"], ascending=[False, True], na_position="last"))
    if not out:
        return pd.DataFrame()
    return pd.concat(out, ignore_index=True)


def _deployed_model(ds, base, spec, ok: pd.DataFrame, results_dir):
    method = get_method(spec.method)
    if method.evaluation == "masked":
        path = search_path(results_dir, spec)
        if not path.exists():
            raise ConfigError(f"{path}: PEP search checkpoint not found; sweep the profile first")
        masks = load_search(path).snapshot(spec.budget).masks
        model = build_model(ds.fields, base)
        attach_fixed_mask(model, masks)
        return to_sparse_tables(model)
    row = ok[(ok["dataset"] == spec.data.name) & (ok["model"] == spec.model.name) & (ok["method"] == spec.method)
             & (ok["budget"] == spec.budget) & (ok["key"] == spec.key)]
    if row.empty:
        raise ConfigError(f"no finished run {spec.data.name}/{spec.model.name}/{spec.method}/b={spec.budget}")
    emb_dims = tuple(int(d) for d in json.loads(row["emb_dims"].iloc[0]))
    return build_model(ds.fields, dataclasses.replace(base, emb_dims=emb_dims))


def efficiency_chapter(profile: str | os.PathLike | StudyConfig, results_dir: str | os.PathLike | None = None) -> Chapter:
    """Search cost per method, deployed bytes against test AUC, latency ratios and PEP's retraining
    rules. Resumes the profile's sweep first (finished runs are read, not recomputed). ``profile``: a
    profile name in ``configs/``, a YAML file or a StudyConfig (``common.chapter_study``)."""
    study = chapter_study(profile)
    profile = study.name
    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    report = sweep(study, results_dir, progress=False)
    results, study = report.table, report.study  # the study as run: its tuned settings, if any
    check_efficiency_columns(results, str(results_dir))
    agg = aggregate(results, reference=study.search)
    rows = results.groupby("dataset")["rows"].first().to_dict()
    budgets = small_budgets(study.budgets)
    chapter = Chapter(
        header=f"profile {profile}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"datasets {[d.name for d in study.datasets]}, models {list(study.models)}, seeds {list(study.seeds)}")

    orders = {"model": list(study.models), "budget": sorted(study.budgets, reverse=True)}
    costs = search_costs(results, study.search)
    chapter.tables["cost"], chapter.tables["cost_passes"] = cost_tables(costs, orders)
    chapter.text.update(cost_text(costs, study))

    for name in agg["dataset"].unique():
        chapter.figures[f"fig_pareto_{name}"] = plot_bytes_pareto(agg, name, rows=rows[name], profile=profile,
                                                                  models=study.models)
    sizes = deployed_sizes(agg, budgets)
    chapter.tables["deployed"] = deployed_table(sizes, orders)
    chapter.text.update(size_text(sizes, results))

    latency = latency_ratios(study, results, results_dir, budgets)
    chapter.tables["latency"] = latency_table(latency, orders)
    chapter.text.update(latency_text(latency, results))

    # The field's other methods (chapter 4's comparison): cost, bytes and latency at b = 0.1.
    others = companion(study, "others")
    if others is not study:
        others_report = sweep(others, progress=False)  # its study as run: with its tuned settings
        budget = 0.1 if 0.1 in others.budgets else min(others.budgets)
        others_efficiency_parts(chapter, others_report.study, others_report.table, budget)
    else:
        others_absent(chapter)

    chapter.tables["pep_settings"] = plain_table(pd.DataFrame(
        [{"setting": k, "value": v} for k, v in to_dict(study.pep).items() if k != "budgets"]),
        formats={"value": lambda v: f"{v:g}" if isinstance(v, float) else str(v)})
    selection = pep_selection()
    chapter.tables["pep_selection"] = selection_table(selection)
    chapter.text.update(selection_text(selection))
    rewind = rewind_against_fresh(results, [b for b in study.budgets if b < 1], study.search)
    chapter.tables["rewind"] = rewind_table(rewind, orders)
    chapter.text.update(pep_text(study, costs, rewind))
    return chapter


# -- glued sentences -------------------------------------------------------------------------------------
