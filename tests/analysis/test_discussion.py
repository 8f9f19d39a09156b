"""The discussion chapter: the floor's share of a budget, the side-by-side widths, and the wider-base
check, each against a hand computation."""

from __future__ import annotations

import json

import matplotlib
import pandas as pd
import pytest
from claimhelpers import result_row

from sseds_study.analysis.discussion import build_discussion, floor_share, width_check, width_contrast
from sseds_study.study.profile import study_from_dict

matplotlib.use("Agg")

FIELDS = ["user", "item", "gender"]
VOCAB = [100, 200, 3]


def test_floor_share_is_min_dim_over_budget_times_width():
    assert floor_share(1, 0.1, 16) == pytest.approx(0.625)
    assert floor_share(1, 0.2, 16) == pytest.approx(0.3125)
    assert floor_share(1, 0.1, 64) == pytest.approx(0.15625)
    assert floor_share(0, 0.1, 16) == 0
    with pytest.raises(ValueError, match="budget"):
        floor_share(1, 0.0, 16)


def _widths(method, seed, dims, budget=0.1, model="FM", auc=0.8):
    return result_row(method, budget, seed, auc, "movielens100k", model, emb_dims=json.dumps(dims))


def test_width_contrast_averages_widths_over_seeds_and_prices_them_by_vocabulary():
    rows = pd.DataFrame([_widths("sseds", 0, [1, 1, 9]), _widths("sseds", 1, [1, 2, 7]),
                         _widths("uniform", 0, [2, 2, 2]), _widths("uniform", 1, [2, 2, 2])])
    study = study_from_dict({"name": "s", "datasets": [{"name": "movielens100k"}], "models": ["FM"],
                             "methods": ["sseds", "uniform"], "budgets": [0.1], "seeds": [0, 1]})
    out = width_contrast(rows, study, FIELDS, VOCAB, dataset="movielens100k", model="FM", budget=0.1)
    assert list(out["sseds"]) == [1.0, 1.5, 8.0]
    assert list(out["uniform"]) == [2.0, 2.0, 2.0]
    # SSEDS spends 1 dimension less of user (100 values), half a dimension less of item, 6 more of gender.
    assert list(out["extra"]) == [-100.0, -100.0, 18.0]


def _check_rows(dim_shift, seeds=4):
    rows = []
    for s in range(seeds):
        base = 0.78 + s / 200
        rows.append(result_row("full", 1.0, s, base + 0.01, "movielens100k", "FM"))
        rows.append(result_row("uniform", 0.1, s, base, "movielens100k", "FM"))
        rows.append(result_row("sseds", 0.1, s, base + dim_shift + (0.001 if s % 2 else -0.001),
                               "movielens100k", "FM"))
    return pd.DataFrame(rows)


def test_width_check_pairs_by_seed_per_width_and_adjusts_once():
    check = width_check({16: _check_rows(-0.02), 64: _check_rows(0.0)}, [0.1])
    assert list(check["D"]) == [16, 64]
    assert check["difference"].tolist() == pytest.approx([-0.02, 0.0])
    assert list(check["floor"]) == pytest.approx([0.625, 0.15625])
    assert list(check["verdict"]) == ["worse", "indistinguishable"]
    # SSEDS - full: -0.01 - 0.02 at D = 16
    assert check["vs_full"].iloc[0] == pytest.approx(-0.03)


def test_build_discussion_glues_the_floor_and_the_check():
    head = study_from_dict({"name": "head", "datasets": [{"name": "movielens100k"}], "models": ["FM"],
                            "methods": ["full", "sseds", "uniform"], "budgets": [0.2, 0.1], "seeds": [0, 1, 2, 3],
                            "model": {"emb_dim": 16}})
    why = study_from_dict({"name": "why", "datasets": [{"name": "movielens100k"}], "models": ["FM"],
                           "methods": ["full", "sseds", "uniform"], "budgets": [0.2, 0.1], "seeds": [0, 1, 2, 3],
                           "model": {"emb_dim": 64}})
    t16 = pd.concat([_check_rows(-0.02), _check_rows(-0.02).assign(budget=lambda f: f["budget"].where(
        f["method"] == "full", 0.2))], ignore_index=True).drop_duplicates(["method", "budget", "seed"])
    t16["emb_dims"] = json.dumps([1, 1, 9])
    t64 = _check_rows(0.01)
    chapter = build_discussion(head, t16, why, t64, FIELDS, VOCAB)
    assert chapter.text["floor_01"] == "62.5%" and chapter.text["floor_01_why"] == "15.6%"
    assert chapter.text["why_better"] == 1 and chapter.text["why_cells"] == 1
    assert chapter.text["top3_fields"] == "item, user, gender"
    assert "check" in chapter.tables and "fig_width_check" in chapter.figures
