"""Chapter 03's side-by-side widths: SSEDS's and uniform's swept widths per field (mean over seeds),
the exact-importance rank of each field, and the share of a budget the one-dimension floor takes."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sseds_study.analysis import search_widths as sw
from sseds_study.analysis.common import swept_widths
from sseds_study.study import study_from_dict

FIELDS = ["user", "gender", "zip"]


def _results():
    rows = []
    for method, dims in (("sseds", {0: [1, 8, 1], 1: [2, 9, 1]}), ("uniform", {0: [2, 2, 2], 1: [2, 2, 2]})):
        for seed, d in dims.items():
            rows.append({"dataset": "d", "model": "FM", "method": method, "budget": 0.1, "seed": seed, "status": "ok",
                         "emb_dims": json.dumps(d), "search_estimator": "mean_abs", "search_score_split": "train",
                         "search_num_batches": 32, "search_budget_unit": "params", "search_rank_by": "saliency",
                         "search_min_dim": 1, "search_init": "scratch"})
    return pd.DataFrame(rows)


def test_the_table_sets_sseds_beside_uniform_with_the_exact_rank():
    study = study_from_dict({"name": "w", "datasets": [{"name": "synthetic", "options": {"rows": 100}}],
                             "models": ["FM"], "methods": ["sseds", "uniform"], "budgets": [0.1], "seeds": [0, 1]})
    widths = swept_widths(_results(), study, "d", FIELDS, [0.1])
    negative = pd.DataFrame({"model": "FM", "field": FIELDS * 2, "seed": [0, 0, 0, 1, 1, 1],
                             "importance": [3.0, -1.0, 2.0, 3.0, -1.0, 2.0]})
    ranks = sw.importance_ranks(negative)
    assert ranks.loc[("FM", "user")] == 1 and ranks.loc[("FM", "gender")] == 3
    table = sw.width_comparison(widths, [900, 2, 700], FIELDS, ranks, [0.1]).set_index("field")
    assert table.loc["gender", "SSEDS, b = 0.1"] == "8.5" and table.loc["gender", "uniform, b = 0.1"] == "2"
    assert table.loc["user", "vocabulary size"] == "900" and table.loc["zip", "exact rank"] == "2"
    text = sw.width_text(widths, study)
    assert text["floor_share"] == "62.5% at b = 0.1" and text["width_models"] == "FM"


def test_the_floor_share_is_one_over_b_d():
    assert sw.floor_share(0.1, 16) == pytest.approx(0.625)
    assert sw.floor_share(0.2, 16) == pytest.approx(0.3125)
