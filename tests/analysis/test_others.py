"""The field's other methods in the book: AUKC against hand computations, the paired tables, the
fields-left-empty column and the generated findings (``analysis.others``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sseds_study.analysis import others
from sseds_study.statistics import paired_difference


def test_aukc_is_the_mean_auc_on_a_log_budget_axis():
    # budgets 0.1, 0.2, 0.4: two equal steps of ln 2; AUCs 0.70, 0.74, 0.76 ->
    # (0.72 * ln2 + 0.75 * ln2) / (2 ln2) = 0.735
    assert others.aukc([0.4, 0.1, 0.2], [0.76, 0.70, 0.74]) == pytest.approx(0.735, abs=1e-12)
    # unequal steps: 0.05 -> 0.1 (ln 2) and 0.1 -> 0.5 (ln 5)
    want = ((0.6 + 0.7) / 2 * math.log(2) + (0.7 + 0.8) / 2 * math.log(5)) / math.log(10)
    assert others.aukc([0.05, 0.1, 0.5], [0.6, 0.7, 0.8]) == pytest.approx(want, abs=1e-12)
    assert others.aukc([0.1, 0.5], [0.7, 0.7]) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="two or more"):
        others.aukc([0.1], [0.7])
    with pytest.raises(ValueError, match="distinct"):
        others.aukc([0.1, 0.1], [0.7, 0.8])


def _rows(methods=("sseds", "uniform", "qr"), budgets=(0.5, 0.2, 0.1), seeds=(0, 1, 2), skip=()):
    rng = np.random.default_rng(0)
    out = []
    for m_i, m in enumerate(methods):
        for b in budgets:
            for s in seeds:
                if (m, b) in skip:
                    out.append({"dataset": "d", "model": "FM", "method": m, "budget": b, "seed": s,
                                "status": "failed", "not_reached": True, "error": "NotReached: qr: too small",
                                "test_auc": np.nan, "empty_fields": np.nan})
                    continue
                out.append({"dataset": "d", "model": "FM", "method": m, "budget": b, "seed": s, "status": "ok",
                            "not_reached": False, "error": "",
                            "test_auc": 0.7 + 0.05 * b - 0.01 * m_i + 0.001 * rng.standard_normal() + 0.002 * s,
                            "empty_fields": float(m == "sseds" and b == 0.1)})
    return pd.DataFrame(out)


def test_aukc_per_seed_leaves_out_seeds_missing_a_budget():
    rows = _rows()
    rows = rows[~((rows["method"] == "uniform") & (rows["seed"] == 2) & (rows["budget"] == 0.2))]
    per_seed = others.aukc_per_seed(rows, [0.5, 0.2, 0.1])
    assert sorted(per_seed[per_seed["method"] == "uniform"]["seed"]) == [0, 1]
    one = rows[(rows["method"] == "sseds") & (rows["seed"] == 1)].sort_values("budget")
    got = per_seed[(per_seed["method"] == "sseds") & (per_seed["seed"] == 1)]["aukc"].iloc[0]
    assert got == pytest.approx(others.aukc(one["budget"], one["test_auc"]))


def test_aukc_table_pairs_by_seed_against_sseds():
    rows = _rows()
    table = others.aukc_table(rows, {"0.1–0.5": [0.1, 0.2, 0.5]}, ["sseds", "uniform", "qr"])
    per_seed = others.aukc_per_seed(rows, [0.1, 0.2, 0.5]).pivot(index="seed", columns="method", values="aukc")
    row = table[table["method"] == "uniform"].iloc[0]
    d = paired_difference(per_seed["sseds"].to_numpy(), per_seed["uniform"].to_numpy())
    assert row["difference"] == pytest.approx(d.mean) and row["ci95"] == pytest.approx(d.ci95)
    assert row["n"] == 3 and row["verdict"] in ("better", "worse", "indistinguishable")
    assert math.isnan(table[table["method"] == "sseds"]["difference"].iloc[0])  # no pair with itself
    # uniform is 0.01 below SSEDS at every budget and seed, up to noise: SSEDS's area is larger
    assert row["difference"] == pytest.approx(0.01, abs=0.003)


def test_not_reached_cells_are_listed_with_their_reason():
    rows = _rows(skip=(("qr", 0.1),))
    gone = others.not_reached(rows)
    assert gone[["method", "budget"]].values.tolist() == [["qr", 0.1]]
    text = others._not_reached_text(gone)
    assert text.startswith("Not defined: QR embeddings on d at 0.1 (qr: too small)")
    assert others._not_reached_text(others.not_reached(_rows())) == "Every method ran at every budget of the comparison."


def test_equal_bytes_pairs_element_pruning_with_the_dense_budget_of_nearest_bytes():
    from sseds_study.study.profile import study_from_dict

    rows = []
    for s in range(3):
        rows.append({"dataset": "synthetic", "model": "FM", "method": "full", "budget": 1.0, "seed": s, "status": "ok",
                     "test_auc": 0.8, "emb_bytes": 1000})
        for b in (0.1, 0.2, 0.4):
            rows.append({"dataset": "synthetic", "model": "FM", "method": "sseds", "budget": b, "seed": s, "status": "ok",
                         "test_auc": 0.70 + b / 10 + 0.001 * s, "emb_bytes": int(1000 * b)})
        # at b = 0.1 the masks hold 0.19 of the bytes: nearest dense budget 0.2
        rows.append({"dataset": "synthetic", "model": "FM", "method": "magnitude_weights", "budget": 0.1, "seed": s,
                     "status": "ok", "test_auc": 0.70 + 0.02 / 10 - 0.01 + 0.0005 * s * s, "emb_bytes": 190})
    study = study_from_dict({"name": "t", "datasets": [{"name": "synthetic"}], "models": ["FM"],
                             "methods": ["full", "sseds", "magnitude_weights"], "budgets": [0.4, 0.2, 0.1],
                             "seeds": [0, 1, 2]})
    import dataclasses

    frame = pd.DataFrame(rows).assign(**{f"search_{f.name}": getattr(study.search, f.name)
                                         for f in dataclasses.fields(study.search)})
    text = others._equal_bytes_text(frame, study, "d (FM, 3 seeds)")
    assert "weight magnitude at b = 0.1 deploys 0.190" in text and "dense methods at b = 0.2 deploy 0.200" in text
    # paired differences -0.0280, -0.0285, -0.0280 (0.692 + 0.0005 s^2 against 0.72 + 0.001 s): mean -0.0282
    assert "behind 1 of their 1" in text and "SSEDS -0.0282" in text
