"""Chapter 03's exact drop-column reference, for every seed of the profile: how well each estimator
ranks the columns as removing them does (with 95% intervals over seeds), the share of columns whose
removal lowers the validation loss ("harmful" columns), and that share without the tuned embedding
weight decay. ``search`` builds the chapter around these.

Each seed has its own split and pretrained model, so a seed is one independent replicate of the whole
measurement: the intervals are Student-t over seeds of the per-seed mean over the models.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import SCORE_SPLITS, SearchConfig, to_dict
from ..errors import SsedsError
from ..search.agreement import negative_share
from ..statistics import t_interval
from ..study import default_results_dir
from ..study.pretrain import checkpoint_path, load_or_pretrain
from ..study.profile import StudyConfig
from ..study.tune import TUNING_DIR
from ..train import load_checkpoint
from .common import exact_agreement, exact_reference, listing, load_pretrained
from .variants import split_name, variant_name

AGREEMENT_COLUMNS = ("spearman", "kendall", "top_k_overlap")


def exact_over_seeds(study: StudyConfig, seeds: Sequence[int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``common.exact_agreement`` for every seed of the study (default: all), with a ``seed`` column."""
    agreement, negative = [], []
    for seed in study.seeds if seeds is None else seeds:
        a, n = exact_agreement(study, seed=seed)
        agreement.append(a.assign(seed=seed))
        negative.append(n.assign(seed=seed))
    return pd.concat(agreement, ignore_index=True), pd.concat(negative, ignore_index=True)


def agreement_summary(agreement: pd.DataFrame) -> pd.DataFrame:
    """Per estimator and scoring split: each measure's mean over seeds of the seed's mean over datasets
    and models, with its 95% half-width over seeds (``<measure>_ci95``) and the number of seeds."""
    per_seed = agreement.groupby(["estimator", "score_split", "seed"], sort=False)[list(AGREEMENT_COLUMNS)].mean()
    rows = []
    for (estimator, split), g in per_seed.groupby(level=["estimator", "score_split"], sort=False):
        row = {"estimator": estimator, "score_split": split, "seeds": len(g)}
        for c in AGREEMENT_COLUMNS:
            row[c], row[f"{c}_ci95"] = t_interval(list(g[c]))
        rows.append(row)
    return pd.DataFrame(rows)


def harmful_share_per_seed(negative: pd.DataFrame) -> pd.Series:
    """Per seed, the share of all columns (every field of every model, each field D columns) whose
    removal lowers the validation loss."""
    return negative.groupby("seed")["negative_share"].mean()


def exact_text(agreement: pd.DataFrame, negative: pd.DataFrame, default: SearchConfig) -> dict[str, str]:
    """The numbers and the verdict the exact-agreement section quotes: means over seeds (each seed's
    mean over datasets and models) with 95% intervals over seeds where there are two seeds or more."""
    if "seed" not in agreement:
        agreement, negative = agreement.assign(seed=0), negative.assign(seed=0)
    summary = agreement_summary(agreement).set_index(["estimator", "score_split"])
    gradient = summary.drop("exact", level="estimator", errors="ignore").dropna(subset=["spearman"])
    best = gradient[gradient["spearman"] == gradient["spearman"].max()].index
    key = (default.estimator, default.score_split)

    def rho(where) -> str:
        if where not in summary.index:
            return "nan"
        r = summary.loc[where]
        return f"{r['spearman']:.2f}" + ("" if r["spearman_ci95"] != r["spearman_ci95"] else
                                         f" ± {r['spearman_ci95']:.2f}")

    share = harmful_share_per_seed(negative)
    mean, half = t_interval(list(share))
    per_model = negative.groupby(["dataset", "model"])["negative_share"].mean()
    by_field = negative.groupby(["dataset", "model", "field"], sort=False)["negative_share"].mean()
    worst_key = by_field.idxmax()
    text = {
        "exact_seeds": f"{agreement['seed'].nunique()}",
        "exact_best_setting": "; ".join(f"{e} on {split_name(s)}" for e, s in best),
        "exact_best_spearman": rho(best[0]) if len(best) else "nan",
        "exact_default_setting": variant_name(default),
        "exact_default_spearman": rho(key),
        "exact_negative_share": f"{mean:.0%}" + ("" if half != half else f" ± {half:.0%}"),
        "exact_negative_range": f"{per_model.min():.0%} to {per_model.max():.0%}",
        "exact_negative_worst": f"{worst_key[2]} ({worst_key[1]}: {by_field.max():.0%} of its columns)",
        # A verdict that follows the measurement: is the study's default among the best?
        "exact_default_verdict": "the default is the best-agreeing gradient setting"
        if key in best else "the default is not the best-agreeing gradient setting",
    }
    for split in SCORE_SPLITS:
        text[f"exact_k_{split}"] = rho(("exact", split))
    return text


def agreement_frame(summary: pd.DataFrame) -> pd.DataFrame:
    """The agreement summary in readable columns: estimator, scoring split and each measure as
    'mean ± half-width' text."""
    out = pd.DataFrame({"estimator": summary["estimator"], "scoring split": summary["score_split"].map(split_name)})
    names = {"spearman": "Spearman ρ", "kendall": "Kendall τ", "top_k_overlap": "top-k overlap (share)"}
    for c, name in names.items():
        out[name] = [f"{m:.3f}" if h != h else f"{m:.3f} ± {h:.3f}"
                     for m, h in zip(summary[c], summary[f"{c}_ci95"], strict=True)]
    return out


def harmful_frame(negative: pd.DataFrame) -> pd.DataFrame:
    """Per field (rows) and model (columns): the share of the field's columns whose removal lowers
    the validation loss, in percent, mean over seeds."""
    mean = negative.groupby(["field", "model"], sort=False)["negative_share"].mean().unstack("model")
    mean = mean[list(dict.fromkeys(negative["model"]))].reindex(list(dict.fromkeys(negative["field"])))
    return mean.mul(100).rename_axis("field").rename_axis(None, axis=1)


def harmful_without_decay(study: StudyConfig, dataset: str | None = None) -> pd.DataFrame:
    """The share of harmful columns of each base model at the tuned embedding weight decay and with the
    same learning rate but no decay, on the tuning seed's pretrained models (the tuning stage trained
    both; nothing is trained here). One row per model: tuned decay, share at it, share at decay 0; a
    model whose decay-0 model is not on disk (or whose tuned decay is 0) is left out."""
    if study.tune is None or 0.0 not in study.tune.emb_weight_decay:
        return pd.DataFrame(columns=["model", "tuned_decay", "tuned", "no_decay"])
    seed = study.seeds[0] if study.tune.seed is None else study.tune.seed
    tuning_dir = default_results_dir(study) / TUNING_DIR
    rows = []
    for model in study.models:
        ds, pre, spec = load_pretrained(study, dataset, model, seed)
        if spec.train.emb_weight_decay == 0.0:
            continue
        bare = dataclasses.replace(spec, train=dataclasses.replace(spec.train, emb_weight_decay=0.0))
        if not _usable(checkpoint_path(tuning_dir, bare), bare):  # never train in a chapter
            continue
        tuned = float(np.mean(negative_share(exact_reference(ds, pre, spec))))
        plain = float(np.mean(negative_share(exact_reference(ds, load_or_pretrain(ds, bare, tuning_dir), bare))))
        rows.append({"model": model, "tuned_decay": spec.train.emb_weight_decay, "tuned": tuned, "no_decay": plain})
    return pd.DataFrame(rows, columns=["model", "tuned_decay", "tuned", "no_decay"])


def _usable(path, spec) -> bool:
    """Whether ``load_or_pretrain`` would load this checkpoint rather than train: it exists and was
    trained with the spec's settings."""
    if not path.exists():
        return False
    try:
        return load_checkpoint(path)["config"] == to_dict(spec.pretrained_identity())
    except (SsedsError, KeyError, TypeError, ValueError, RuntimeError):
        return False


def decay_text(decay: pd.DataFrame, seed: int) -> dict[str, str]:
    """The harmful share at the tuned decay against decay 0 (mean over the models measured), and what
    the decay does to it, as the numbers say."""
    if decay.empty:
        none = "not measured (no decay-0 model of the tuning stage)"
        return {"harmful_no_decay": none, "harmful_tuned_decay": none, "harmful_decay_models": "none",
                "harmful_decay_verdict": "could not be checked here"}
    tuned, plain = decay["tuned"].mean(), decay["no_decay"].mean()
    verdict = ("lowers the share but does not remove the harmful columns" if tuned < plain
               else "does not lower the share of harmful columns")
    return {"harmful_no_decay": f"{plain:.0%}", "harmful_tuned_decay": f"{tuned:.0%}",
            "harmful_decay_models": f"{listing(list(decay['model']))}, seed {seed}",
            "harmful_decay_verdict": verdict}
