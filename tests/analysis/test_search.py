"""Planted truth: on synthetic data where only some fields matter, SSEDS (default settings) gives
those fields most of the kept dimensions and (near) zero width to the irrelevant ones."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.analysis import compare_methods, planted_truth
from sseds_study.study import study_from_dict


@pytest.fixture(scope="module")
def agreement(tmp_path_factory):
    out = tmp_path_factory.mktemp("planted")
    import os

    os.environ["SSEDS_RESULTS_DIR"] = str(out)
    try:
        study = study_from_dict({
            "name": "planted", "datasets": [{"name": "synthetic", "options": {"rows": 20000, "seed": 7}}],
            "models": ["FM"], "methods": ["sseds"], "budgets": [0.2], "seeds": [0, 1],
            "model": {"emb_dim": 16},
            "train": {"batch_size": 1024, "max_epochs": 6, "patience": 2, "lr": 0.003, "progress": False},
            "search": {"num_batches": 16},
        })
        return planted_truth(study, budget=0.2, settings=[{"estimator": "mean_abs", "score_split": "train"},
                                                          {"estimator": "taylor", "score_split": "train"}])
    finally:
        del os.environ["SSEDS_RESULTS_DIR"]


def test_relevant_fields_get_most_dimensions(agreement):
    per_field, summary = agreement
    # Planted: four relevant fields (ranks 8, 4, 2, 1) and four pure-noise fields, D = 16.
    assert sorted(per_field["true_rank"].unique()) == [0, 1, 2, 4, 8]
    # "Most" with a margin: half the fields take at least 70% of the kept dimensions (seen: 76-84%).
    assert (summary["relevant_share"] >= 0.7).all(), summary
    # "Near zero": no noise field gets more than 3 of 16 dimensions (seen: at most 2).
    assert (summary["irrelevant_max_width"] <= 3).all(), summary
    assert (summary["spearman"] > 0.5).all(), summary


def test_noise_fields_are_much_narrower(agreement):
    per_field, _ = agreement
    mean_width = per_field.groupby(per_field["true_rank"] > 0)["width"].mean()
    assert mean_width[True] >= 4 * max(mean_width[False], 0.25)
    assert np.isfinite(per_field["width"]).all()


def test_compare_methods_deltas_against_full():
    import pandas as pd

    rows = [{"dataset": "d", "model": m, "method": "full", "budget": 1.0, "variant": "default", "seeds": 3,
             "test_auc_mean": full, "test_auc_ci95": 0.01, "achieved_budget_mean": 1.0}
            for m, full in (("FM", 0.80), ("DCN", 0.82))]
    rows += [{"dataset": "d", "model": m, "method": meth, "budget": b, "variant": "default", "seeds": 3,
              "test_auc_mean": 0.78, "test_auc_ci95": 0.01, "achieved_budget_mean": b}
             for m in ("FM", "DCN") for meth in ("uniform", "sseds") for b in (0.1, 0.2, 0.5)]
    rows.append({**rows[-1], "variant": "estimator=fisher"})  # other variants are left out
    table = compare_methods(pd.DataFrame(rows), budgets=(0.2, 0.1), methods=("sseds", "uniform"))
    assert len(table) == 2 * 2 * 2
    assert list(table["method"][:2]) == ["sseds", "uniform"]  # the order asked for
    assert list(table["budget"][:2]) == [0.2, 0.2]  # larger budget first
    fm = table[table["model"] == "FM"]["delta_vs_full"]
    assert fm.to_numpy() == pytest.approx([-0.02] * 4)
    assert table[table["model"] == "DCN"]["delta_vs_full"].to_numpy() == pytest.approx([-0.04] * 4)


def test_oracle_reference_measures_gaps_against_bayes_and_the_oracle(monkeypatch):
    import pandas as pd

    from sseds_study.analysis import search_planted

    study = study_from_dict({"name": "p", "datasets": [{"name": "synthetic2", "options": {"rows": 3000}}],
                             "models": ["FM"], "methods": ["full", "sseds", "oracle"], "budgets": [0.2],
                             "seeds": [0, 1], "split_per_seed": True})

    class Fake:
        def __init__(self, seed):
            self.manifest = {"truth": {"bayes_auc": 0.9 + seed / 100}}

    monkeypatch.setattr(search_planted, "load_dataset_from_config", lambda cfg, progress: Fake(cfg.split_seed % 2))
    rows = pd.DataFrame([{"dataset": "synthetic2", "model": "FM", "method": m, "budget": b, "seed": s, "status": "ok",
                          "test_auc": auc + s / 100, "achieved_budget": b}
                         for s in (0, 1) for m, b, auc in (("full", 1.0, 0.88), ("oracle", 1.0, 0.89),
                                                            ("sseds", 0.2, 0.885))])
    ref = search_planted.oracle_reference(study, rows)
    assert ref.loc[ref.method == "full", "gap"].round(6).tolist() == [0.02, 0.02]
    assert ref.loc[ref.method == "sseds", "vs_oracle"].round(6).tolist() == [-0.005, -0.005]
    text = search_planted.oracle_text(ref)
    assert text["full_gap"] == "0.0200 (seeds 0.0200 to 0.0200)"
    assert text["sseds_vs_oracle_high"] == "-0.0050 ± 0.0000"


@pytest.mark.slow
def test_the_widths_of_a_profiles_own_table(own_table):
    from sseds_study.analysis.search import widths_chapter

    chapter = widths_chapter(own_table)
    assert set(chapter.figures) == {"fig_saliency_main", "fig_widths_main"}
    widths = chapter.tables["widths"].cells
    assert list(widths.columns) == ["model", "field", "V_f", "b = 0.3"] and len(widths) == 7
    assert chapter.text["widths_model"] == "FM" and chapter.text["widths_budget"] == "0.3"
    assert chapter.text["widths_widest"].count("(") == 3 and chapter.text["widths_narrowest"]
