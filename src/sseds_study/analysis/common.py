"""What more than one chapter uses, so that no chapter module imports another's.

* the profile a chapter reads (``chapter_study``: a name in ``configs/``, a YAML file, or a StudyConfig);
* the budgets a chapter's comparison tables show (``small_budgets``: chapters 4, 6 and 7);
* the search-cost columns and their summary per method (``search_costs``: chapters 6 and 7);
* the widths a sweep gave each field, mean over seeds (``swept_widths``: chapter 3's side-by-side
  table and the discussion);
* a pretrained model of a study, its saliency and its exact drop-column importance, and how well each
  estimator agrees with it (``exact_agreement``: chapters 3 and 5);
* lists of methods in the prose, generated from the method registry (``listing``, ``count_word``,
  ``methods_markdown``), so that a registered method joins the sentences that enumerate its kind.

Chapter modules (``data``, ``pretrain``, ``search``, ``budget``, ``ablation``, ``efficiency``,
``claims``, ``reproducibility``) and their helpers (``<chapter>_*.py``) import from here, from
``chapter`` and ``tables``, and from their own chapter's helpers only.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ESTIMATORS, SCORE_SPLITS, ConfigError, SearchConfig
from ..data import load_dataset_from_config
from ..search._checks import budget_limit
from ..search.agreement import negative_share, rank_agreement, top_k_overlap
from ..search.exact import drop_column_importance_on_split
from ..study import (
    METHODS,
    GroupCache,
    Pretrained,
    RunSpec,
    default_results_dir,
    load_or_pretrain,
    saliency_for_spec,
    seed_data,
    summarise_over_seeds,
    with_variant,
    worker_threads,
)
from ..study.expand import tuned_train
from ..study.methods import get_method
from ..study.profile import StudyConfig, load_profile, load_study

# The budgets the comparison tables show when the profile has them; otherwise its two smallest.
SMALL_BUDGETS = (0.2, 0.1)
# Columns a row needs for the search-cost and deployed-size tables (rows swept before they were
# measured lack them).
EFFICIENCY_COLUMNS = ("search_passes", "search_epochs", "pretrain_epoch_seconds", "epoch_passes", "emb_bytes",
                      "model_bytes")
# The top-k overlap with the exact ranking counts the k = floor(budget * F * D) best columns.
AGREEMENT_BUDGET = 0.2


# Numbers the prose writes in words ("four allocations").
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")


# -- profiles ------------------------------------------------------------------------------------------

def chapter_study(profile: str | os.PathLike | StudyConfig) -> StudyConfig:
    """The profile a chapter reads: a StudyConfig as it is, a YAML file (a path, or a name ending in
    ``.yaml``), or else a profile of ``configs/`` by name (``smoke``, ``default``). Its companions are
    still looked up by name in ``configs/``."""
    if isinstance(profile, StudyConfig):
        return profile
    if isinstance(profile, os.PathLike) or str(profile).endswith((".yaml", ".yml")):
        return load_study(profile)
    return load_profile(profile)


# -- prose ---------------------------------------------------------------------------------------------

def listing(items: Sequence[str], last: str = "and") -> str:
    """'a, b, c and d'."""
    items = list(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}" if len(items) > 1 else "".join(items)


def count_word(n: int) -> str:
    """A count as the prose writes it: 'four' (digits from 13 on)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def methods_markdown(names: Sequence[str]) -> str:
    """'`uniform` (one width for every field), ... and `magnitude` (...)': each registered method as
    code with its phrase (``Method.phrase``), as Markdown for a ``{glue:md}`` role."""
    return listing([f"`{n}` ({get_method(n).phrase})" for n in names])


# -- budgets -----------------------------------------------------------------------------------------

def small_budgets(budgets: Sequence[float]) -> list[float]:
    """The budgets of ``SMALL_BUDGETS`` the profile sweeps, in its order; else its two smallest below 1."""
    return [b for b in budgets if b in SMALL_BUDGETS] or sorted(b for b in budgets if b < 1)[:2]


# -- search costs ------------------------------------------------------------------------------------

def check_efficiency_columns(results: pd.DataFrame, where: str = "the results") -> None:
    """ConfigError naming the fix when finished rows lack the search-cost or deployed-size columns."""
    ok = results[results["status"] == "ok"]
    missing = [c for c in EFFICIENCY_COLUMNS if c not in ok]
    lacking = len(ok) if missing else int(ok[list(EFFICIENCY_COLUMNS)].isna().any(axis=1).sum())
    if lacking:
        raise ConfigError(
            f"{where}: {lacking} finished run(s) have no search-cost / deployed-size columns "
            f"({', '.join(missing or EFFICIENCY_COLUMNS)}): they were swept before these were measured; delete "
            "that results folder (or its runs/ and results.csv; pretrained/ can stay) and sweep again")


def search_costs(results: pd.DataFrame, reference=None) -> pd.DataFrame:
    """Search cost per dataset, model and method (default settings), mean and 95% interval over seeds.

    Per row: ``epoch_fraction`` = search seconds / mean pretraining-epoch seconds of its group, and
    ``pass_fraction`` = search passes / batches per epoch (machine-independent). A search is shared
    by the budgets of a seed, so rows are first averaged over budgets, then summarised over seeds.
    """
    ok = with_variant(results[results["status"] == "ok"], reference)
    ok = ok[(ok["variant"] == "default") & (ok["method"] != "full")].copy()
    ok["epoch_fraction"] = ok["search_seconds"] / ok["pretrain_epoch_seconds"]
    ok["pass_fraction"] = ok["search_passes"] / ok["epoch_passes"]
    keys = ["dataset", "model", "method", "seed"]
    metrics = ["search_seconds", "search_passes", "search_epochs", "epoch_fraction", "pass_fraction",
               "pretrain_epoch_seconds"]
    per_seed = ok.groupby(keys, sort=True)[metrics].mean().reset_index()
    table = summarise_over_seeds(per_seed, ["dataset", "model", "method"], metrics)
    order = {m: i for i, m in enumerate(METHODS)}
    return table.sort_values(["dataset", "model", "method"], key=lambda c: c.map(order) if c.name == "method" else c,
                             kind="stable").reset_index(drop=True)


# -- pretrained models, saliency and the exact importance ----------------------------------------------

def load_pretrained(study: StudyConfig, dataset: str | None = None, model: str | None = None,
                    seed: int | None = None, results_dir: str | os.PathLike | None = None):
    """(dataset, pretrained model, its RunSpec) for one dataset/model/seed of a study (cached)."""
    data = next((d for d in study.datasets if dataset in (None, d.name)), None)
    if data is None:
        raise ConfigError(f"study {study.name!r} has no dataset {dataset!r}")
    seed = study.seeds[0] if seed is None else seed
    model = model or study.models[0]
    # the run's own split and (in a study that tunes) its tuned training settings: the sweep's checkpoint
    spec = RunSpec(seed_data(study, data, seed), dataclasses.replace(study.model, name=model, emb_dims=None),
                   dataclasses.replace(tuned_train(study, data, model), seed=seed), study.search, "sseds", 1.0)
    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    with worker_threads():
        ds = load_dataset_from_config(spec.data, progress=False)
        pre = load_or_pretrain(ds, spec, results_dir)
    return ds, pre, spec


def saliency_scores(ds, pre: Pretrained, spec: RunSpec, search: SearchConfig | None = None) -> np.ndarray:
    """The (F, D) saliency of a pretrained model under some search settings."""
    spec = dataclasses.replace(spec, search=search or spec.search)
    with worker_threads():
        scores, _ = saliency_for_spec(ds, pre, spec, GroupCache())
    return scores.detach().cpu().numpy()


def exact_reference(ds, pre: Pretrained, spec: RunSpec) -> np.ndarray:
    """The (F, D) exact drop-column importance of a pretrained model over the whole validation split:
    the change in validation logloss when each column is zeroed (``search.exact``)."""
    ids, labels = ds.subset("valid")
    with worker_threads():
        return drop_column_importance_on_split(pre.model, ids, labels, spec.train.batch_size).numpy()


def exact_agreement(study: StudyConfig, models: Sequence[str] | None = None,
                    datasets: Sequence[str] | None = None, estimators: Sequence[str] = ESTIMATORS,
                    budget: float = AGREEMENT_BUDGET, seed: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """How well each estimator ranks the columns of one pretrained model (first seed) as the exact
    drop-column importance on the whole validation split ranks them.

    Every estimator is scored as the search scores it (K batches of the train or valid split,
    ``study.search.num_batches``); ``exact`` on K batches shows how much of the gap is sampling.
    Returns (agreement, negative): agreement has one row per dataset, model, estimator and score split
    with the Spearman and Kendall correlations over the F * D columns and the top-k overlap (k);
    negative has per dataset, model and field the share of columns whose removal lowers the
    validation loss (exact importance < 0), the lowest importance and the field's summed importance.
    """
    names = [d.name for d in study.datasets] if datasets is None else list(datasets)
    agreement, negative = [], []
    for name in names:
        for model in models if models is not None else study.models:
            ds, pre, spec = load_pretrained(study, name, model, seed)
            ref = exact_reference(ds, pre, spec)
            k = max(1, budget_limit(budget, ref.size))
            for estimator in estimators:
                for split in SCORE_SPLITS:
                    search = dataclasses.replace(study.search, estimator=estimator, score_split=split)
                    scores = saliency_scores(ds, pre, spec, search)
                    agreement.append({"dataset": name, "model": model, "estimator": estimator, "score_split": split,
                                      **rank_agreement(scores, ref), "top_k_overlap": top_k_overlap(scores, ref, k),
                                      "k": k})
            negative.extend({"dataset": name, "model": model, "field": field, "negative_share": float(share),
                             "min_importance": float(ref[f].min()), "importance": float(ref[f].sum())}
                            for f, (field, share) in enumerate(zip(ds.field_names, negative_share(ref), strict=True)))
    return pd.DataFrame(agreement), pd.DataFrame(negative)


def swept_widths(results: pd.DataFrame, study: StudyConfig, dataset: str, fields: Sequence[str],
                 budgets: Sequence[float], methods: Sequence[str] = ("sseds", "uniform")) -> pd.DataFrame:
    """Long frame: model, method, budget, field and its width, mean over the seeds of the finished
    runs with the default search settings."""
    ok = with_variant(results[(results["status"] == "ok") & (results["dataset"] == dataset)], study.search)
    ok = ok[(ok["variant"] == "default") & ok["method"].isin(methods) & ok["budget"].isin(budgets)]
    rows = []
    for (model, method, budget), g in ok.groupby(["model", "method", "budget"], sort=False):
        dims = np.asarray([json.loads(d) for d in g["emb_dims"]], dtype=float)
        rows.extend({"model": model, "method": method, "budget": budget, "field": f, "width": w}
                    for f, w in zip(fields, dims.mean(axis=0), strict=True))
    return pd.DataFrame(rows, columns=["model", "method", "budget", "field", "width"])
