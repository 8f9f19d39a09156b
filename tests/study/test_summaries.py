"""Summaries over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sseds_study import study as st
from sseds_study.config import SearchConfig


def test_aggregate_groups_over_seeds():
    rows = []
    for seed, auc in enumerate([0.7, 0.72, 0.74]):
        for method in ("sseds", "uniform"):
            rows.append({
                "dataset": "d", "model": "FM", "method": method, "budget": 0.1, "seed": seed,
                "status": "ok", "test_auc": auc + (0.01 if method == "sseds" else 0), "test_logloss": 0.5,
                **{f"search_{k}": v for k, v in vars(SearchConfig()).items()},
            })
    rows.append({**rows[0], "status": "failed", "test_auc": np.nan})
    agg = st.aggregate(pd.DataFrame(rows)).set_index("method")
    assert agg.loc["sseds", "seeds"] == 3
    assert agg.loc["sseds", "test_auc_mean"] == pytest.approx(0.73)
    assert agg.loc["uniform", "test_auc_mean"] == pytest.approx(0.72)
    assert agg.loc["sseds", "variant"] == "default"


