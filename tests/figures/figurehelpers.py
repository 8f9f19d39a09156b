"""Small result tables shared by the figures tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def learning_history() -> pd.DataFrame:
    return pd.DataFrame([{"dataset": d, "rows": n, "model": m, "seed": s, "epoch": e, "train_loss": 0.6 - 0.01 * e,
                          "valid_auc": 0.7 + 0.01 * e}
                         for d, n in (("a", 1000), ("b", 2000)) for m in ("FM", "DCN") for s in (0, 1)
                         for e in (1, 2, 3)])


def budget_table() -> pd.DataFrame:
    """Means over seeds, as ``study.aggregate`` gives them."""
    rows = [{"dataset": "d", "model": "FM", "method": "full", "budget": 1.0, "variant": "default",
             "test_auc_mean": 0.8, "test_auc_ci95": 0.01}]
    rows += [{"dataset": "d", "model": "FM", "method": m, "budget": b, "variant": "default",
              "test_auc_mean": 0.7 + b / 10, "test_auc_ci95": np.nan}
             for m in ("sseds", "uniform") for b in (0.1, 0.5)]
    return pd.DataFrame(rows)


def change_table(dataset: str = "d") -> pd.DataFrame:
    """Per-seed changes against the full model, as ``study.compare.paired_changes`` gives them: two
    models, the focus method, two retrained baselines and the gated one, two budgets, three seeds."""
    offsets = {"sseds": -0.01, "uniform": -0.02, "frequency": -0.015, "prune_only": -0.2}
    return pd.DataFrame([{"dataset": dataset, "model": model, "method": m, "budget": b, "seed": s,
                          "reference": 0.8 + s / 100, "change": off * (1 - b) + s / 1000}
                         for model in ("FM", "DCN") for m, off in offsets.items() for b in (0.1, 0.5)
                         for s in (0, 1, 2)])


def planted_table() -> pd.DataFrame:
    return pd.DataFrame({"setting": ["x"] * 3 + ["y"] * 3, "true_rank": [2, 1, 0] * 2, "width": [3, 1, 0, 2, 2, 0]})


def factor_effects(dataset: str = "d") -> pd.DataFrame:
    """Per-seed main effects, as ``analysis.ablation.main_effects`` gives them: a factor with three
    contrasts and one with one, two models, two budgets, three seeds."""
    contrasts = [("estimator", "fisher − mean_abs"), ("estimator", "taylor − mean_abs"),
                 ("estimator", "exact − mean_abs"), ("init", "inherit − scratch")]
    return pd.DataFrame([{"dataset": dataset, "model": m, "budget": b, "seed": s, "factor": f, "contrast": c,
                          "change": 0.002 * i - 0.001 * s}
                         for i, (f, c) in enumerate(contrasts) for m in ("FM", "DeepFM") for b in (0.2, 0.1)
                         for s in (0, 1, 2)])


def main_effect_lines() -> pd.DataFrame:
    """A summary of main effects as ``analysis.ablation_main_effects`` draws them: two factors, two cells
    and the pooled line, one effect of each verdict."""
    verdicts = ["better", "worse", "indistinguishable"]
    return pd.DataFrame([{"factor": f, "contrast": c, "line": line, "change": 0.002 * (i - 1) + 0.001 * k,
                          "ci95": 0.0015, "verdict": verdicts[(i + k) % 3]}
                         for i, (f, c) in enumerate([("init", "inherit − scratch"), ("min_dim", "0 − 1")])
                         for k, line in enumerate(["FM, b = 0.2", "FM, b = 0.1", "pooled"])])


def exact_agreement_table() -> pd.DataFrame:
    return pd.DataFrame([{"dataset": d, "model": m, "estimator": e, "score_split": s,
                          "spearman": 0.9 if e == "exact" else 0.4, "kendall": 0.3}
                         for d in ("a", "b") for m in ("FM", "DCN") for e in ("mean_abs", "exact")
                         for s in ("train", "valid")])


def tuning_grid() -> pd.DataFrame:
    """The tuning stage's grid: two datasets, two models, two learning rates, three weight decays, the
    best point of each dataset and model chosen."""
    rows = [{"dataset": d, "model": m, "lr": lr, "emb_weight_decay": wd, "valid_logloss": 0.5, "epochs": 3,
             "valid_auc": 0.7 + lr + (wd == 1e-4) * 0.01 + (m == "DCN") * 0.002, "chosen": False}
            for d in ("a", "b") for m in ("FM", "DCN") for lr in (0.002, 0.005) for wd in (0.0, 1e-4, 1e-3)]
    df = pd.DataFrame(rows)
    df.loc[df.groupby(["dataset", "model"])["valid_auc"].idxmax(), "chosen"] = True
    return df
