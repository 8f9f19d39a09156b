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
    rows = [{"dataset": "d", "model": "FM", "method": "full", "budget": 1.0, "variant": "default",
             "test_auc_mean": 0.8, "test_auc_ci95": 0.01}]
    rows += [{"dataset": "d", "model": "FM", "method": m, "budget": b, "variant": "default",
              "test_auc_mean": 0.7 + b / 10, "test_auc_ci95": np.nan}
             for m in ("sseds", "uniform") for b in (0.1, 0.5)]
    return pd.DataFrame(rows)


def planted_table() -> pd.DataFrame:
    return pd.DataFrame({"setting": ["x"] * 3 + ["y"] * 3, "true_rank": [2, 1, 0] * 2, "width": [3, 1, 0, 2, 2, 0]})


def exact_agreement_table() -> pd.DataFrame:
    return pd.DataFrame([{"dataset": d, "model": m, "estimator": e, "score_split": s,
                          "spearman": 0.9 if e == "exact" else 0.4, "kendall": 0.3}
                         for d in ("a", "b") for m in ("FM", "DCN") for e in ("mean_abs", "exact")
                         for s in ("train", "valid")])


def ablation_table() -> pd.DataFrame:
    return pd.DataFrame([{"dataset": "d", "model": "FM", "budget": b, "variant": v, "test_auc_mean": 0.7,
                          "test_auc_ci95": 0.01}
                         for b in (0.1, 0.2) for v in ("estimator=fisher", "default", "init=inherit")])
