"""Chapter 02's settings table and the facts of its tuning, read from the profile's configuration
objects and results (never typed), so that the table is the configuration the runs used."""

from __future__ import annotations

import pandas as pd

from ..config import ModelConfig
from ..data.encode import SPLIT_FRACTIONS
from ..study.profile import StudyConfig
from .tables import BookTable, plain_table


def architecture(model: str, cfg: ModelConfig) -> str:
    """One line for a base model's layers above the embeddings, from the model configuration."""
    mlp = " → ".join(str(h) for h in cfg.hidden_dims) + " → 1"
    return {"FM": "first-order weights plus the pairwise inner products of the embeddings; no hidden layer",
            "DeepFM": f"FM beside an MLP {mlp}",
            "WideDeep": f"a linear part beside an MLP {mlp}",
            "DCN": f"{cfg.cross_layers} cross layers beside an MLP {' → '.join(map(str, cfg.hidden_dims))}, "
                   "then one output unit; no first-order term",
            "IPNN": f"pairwise inner products and embeddings into an MLP {mlp}"}.get(model, model)


def settings_table(study: StudyConfig, chosen: pd.DataFrame | None) -> BookTable:
    """The settings every full model of the profile was trained with: a (setting, value) row each,
    with the tuning grid and, per dataset and base model, the point the tuning chose."""
    train, model = study.train, study.model
    rows = [("base width D", f"{model.emb_dim}"), ("batch size", f"{train.batch_size:,}"),
            ("max epochs", f"{train.max_epochs}"),
            ("early stopping", f"after {train.patience} epochs without a better validation AUC"),
            ("optimizer", train.optimizer.capitalize() if train.optimizer == "adam" else train.optimizer),
            ("split (train / validation / test)", " / ".join(f"{f:.0%}" for f in SPLIT_FRACTIONS) + ", per seed"
             if study.split_per_seed else " / ".join(f"{f:.0%}" for f in SPLIT_FRACTIONS)),
            ("seeds", f"{len(study.seeds)}"),
            ("saliency: scoring batches K", f"{study.search.num_batches}")]
    rows += [(f"layers: {m}", architecture(m, model)) for m in study.models]
    if study.tune is not None:
        rows += [("tuning grid: learning rate", ", ".join(f"{v:g}" for v in study.tune.lr)),
                 ("tuning grid: embedding weight decay", ", ".join(f"{v:g}" for v in study.tune.emb_weight_decay))]
        datasets = chosen["dataset"].nunique() if chosen is not None else 0
        for r in (chosen.itertuples() if chosen is not None else ()):
            where = f"{r.model}, {r.dataset}" if datasets > 1 else r.model
            rows.append((f"chosen: {where}", f"learning rate {r.lr:g}, embedding weight decay {r.emb_weight_decay:g}"))
    else:
        rows += [("learning rate", f"{train.lr:g}"), ("embedding weight decay", f"{train.emb_weight_decay:g}")]
    seed = study.tune.seed if study.tune is not None and study.tune.seed is not None else study.seeds[0]
    note = ("The settings of every full model of this chapter, read from the profile's configuration. "
            + (f"Tuning used one seed (seed {seed}) and the full model's validation AUC; every method's runs then "
               "use the chosen point." if study.tune is not None else "The profile tunes nothing."))
    return plain_table(pd.DataFrame(rows, columns=["setting", "value"]), keys=["setting"], note=note)


def tuning_facts(study: StudyConfig, grid: pd.DataFrame, summary: pd.DataFrame) -> dict[str, int | float | str]:
    """The numbers the prose quotes about the tuning and the stopping: how many learning rates the grid
    has, how many chosen points lie at the grid's upper learning rate or at an edge of its weight
    decays, the gain of the chosen point over no weight decay at the same learning rate, and how many
    full models stopped at the epoch cap, and the longest run (its epochs, its base model)."""
    chosen = grid[grid["chosen"]]
    lrs, decays = study.tune.lr, study.tune.emb_weight_decay
    gains = []
    for _, cell in grid.groupby(["dataset", "model"], sort=False):
        best = cell[cell["chosen"]].iloc[0]
        plain = cell[(cell["lr"] == best["lr"]) & (cell["emb_weight_decay"] == 0)]
        if not plain.empty:
            gains.append(float(best["valid_auc"] - plain["valid_auc"].iloc[0]))
    capped = summary[summary["epochs"] >= study.train.max_epochs]
    longest = summary.loc[summary["epochs"].idxmax()]
    return {"tune_lr_count": len(lrs), "tune_lr_top": f"{max(lrs):g}",
            "tune_lr_at_top": int((chosen["lr"] == max(lrs)).sum()), "tune_chosen": len(chosen),
            "tune_decay_at_edge": int(chosen["emb_weight_decay"].isin([min(decays), max(decays)]).sum()),
            "tune_gain_min": min(gains, default=float("nan")), "tune_gain_max": max(gains, default=float("nan")),
            "max_epochs": study.train.max_epochs, "patience": study.train.patience,
            "capped_runs": len(capped), "full_runs": len(summary),
            "longest_run": int(longest["epochs"]), "longest_model": str(longest["model"])}
