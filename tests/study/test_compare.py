"""Paired comparisons of methods across a results table."""

import pandas as pd
import pytest

from sseds_study.config import SearchConfig
from sseds_study.study.compare import change_verdicts, paired_changes, paired_comparisons, verdict_counts

SEARCH = {f"search_{k}": v for k, v in vars(SearchConfig()).items()}


def _rows(method, aucs, budget=0.1, dataset="d", model="FM"):
    return [{"dataset": dataset, "model": model, "method": method, "budget": budget, "seed": s, "status": "ok",
             "test_auc": a, **SEARCH} for s, a in enumerate(aucs)]


def test_paired_verdicts_and_holm_across_cells():
    base = [0.70, 0.75, 0.72, 0.78, 0.71, 0.74]  # large seed-to-seed spread, shared by both methods
    df = pd.DataFrame(
        _rows("sseds", [b + 0.01 for b in base]) + _rows("uniform", base)          # always +0.01: better
        + _rows("random", [b + 0.01 + (0.002 if i % 2 else -0.002) for i, b in enumerate(base)])  # ~ same
        + _rows("magnitude", [b + 0.02 + 0.001 * i for i, b in enumerate(base)])  # always higher: sseds worse
        + _rows("frequency", base, budget=0.5)                                    # no sseds cell at 0.5
    )
    table = paired_comparisons(df, "sseds", ["uniform", "random", "magnitude", "frequency"], budgets=[0.1, 0.5])
    got = table.set_index("baseline")
    assert list(got.index) == ["magnitude", "random", "uniform"]
    assert got.loc["uniform", "difference"] == pytest.approx(0.01) and got.loc["uniform", "verdict"] == "better"
    assert got.loc["random", "verdict"] == "indistinguishable"
    assert got.loc["magnitude", "verdict"] == "worse" and got.loc["magnitude", "n"] == 6
    assert (got["p_holm"] >= got["p_t"]).all()
    assert verdict_counts(table) == {"better": 1, "worse": 1, "indistinguishable": 1}


def test_pairs_only_shared_seeds():
    df = pd.DataFrame(_rows("sseds", [0.8, 0.81, 0.82]) + _rows("uniform", [0.7, 0.71]))
    table = paired_comparisons(df, "sseds", ["uniform"], budgets=[0.1])
    assert table.loc[0, "n"] == 2 and table.loc[0, "difference"] == pytest.approx(0.1)


def test_paired_changes_against_the_full_model_by_hand():
    df = pd.DataFrame([
        {"dataset": "d", "model": "FM", "method": "full", "budget": 1.0, "seed": 0, "test_auc": 0.80},
        {"dataset": "d", "model": "FM", "method": "full", "budget": 1.0, "seed": 1, "test_auc": 0.70},
        {"dataset": "d", "model": "DCN", "method": "full", "budget": 1.0, "seed": 0, "test_auc": 0.60},
        {"dataset": "d", "model": "FM", "method": "sseds", "budget": 0.1, "seed": 0, "test_auc": 0.78},
        {"dataset": "d", "model": "FM", "method": "sseds", "budget": 0.1, "seed": 1, "test_auc": 0.71},
        {"dataset": "d", "model": "DCN", "method": "sseds", "budget": 0.1, "seed": 0, "test_auc": 0.65},
        {"dataset": "d", "model": "DCN", "method": "sseds", "budget": 0.1, "seed": 1, "test_auc": 0.66},  # no full
    ])
    got = paired_changes(df, {"method": "full"}, ["dataset", "model"])
    assert got[["model", "seed"]].values.tolist() == [["FM", 0], ["FM", 1], ["DCN", 0]]
    assert got["reference"].tolist() == pytest.approx([0.80, 0.70, 0.60])
    assert got["change"].tolist() == pytest.approx([0.78 - 0.80, 0.71 - 0.70, 0.65 - 0.60])
    with pytest.raises(ValueError, match="more than one reference"):
        paired_changes(pd.concat([df, df.iloc[[0]]]), {"method": "full"}, ["dataset", "model"])


def test_change_verdicts_per_cell_with_holm():
    rows = [{"variant": v, "seed": s, "test_auc": 0.7 + b + d, "reference": 0.7 + b}
            for v, d in (("up", 0.01), ("same", 0.0)) for s, b in enumerate([0.0, 0.05, -0.03, 0.02, 0.01, 0.04])]
    changes = pd.DataFrame(rows).assign(change=lambda f: f["test_auc"] - f["reference"])
    changes.loc[(changes["variant"] == "same") & (changes["seed"] % 2 == 1), "test_auc"] += 0.002
    table = change_verdicts(changes, ["variant"]).set_index("variant")
    assert table.loc["up", "change"] == pytest.approx(0.01) and table.loc["up", "verdict"] == "better"
    assert table.loc["same", "verdict"] == "indistinguishable" and table.loc["same", "n"] == 6
    assert (table["p_holm"] >= table["p_t"]).all()
