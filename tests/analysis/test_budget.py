"""Chapter 04's tables for reading, from small aggregates: methods as columns, the full model beside
them, the best method in bold, and SSEDS's verdicts against each baseline as marks."""

from __future__ import annotations

import pandas as pd
import pytest

from sseds_study.analysis.budget import compare_methods, methods_table, paired_table
from sseds_study.analysis.tables import MARKS


def _agg() -> pd.DataFrame:
    rows = [{"dataset": "d", "model": m, "method": "full", "budget": 1.0, "variant": "default", "seeds": 3,
             "test_auc_mean": 0.80, "test_auc_ci95": 0.01, "achieved_budget_mean": 1.0} for m in ("FM", "DCN")]
    rows += [{"dataset": "d", "model": m, "method": meth, "budget": b, "variant": "default", "seeds": 3,
              "test_auc_mean": auc - b / 100, "test_auc_ci95": 0.002, "achieved_budget_mean": b}
             for m in ("FM", "DCN") for meth, auc in (("sseds", 0.78), ("uniform", 0.775)) for b in (0.1, 0.2)]
    return pd.DataFrame(rows)


def test_methods_table_full_first_best_in_bold_models_in_study_order():
    agg = _agg()
    small = compare_methods(agg, budgets=(0.2, 0.1), methods=("sseds", "uniform"))
    table = methods_table(small, agg, ["sseds", "uniform"], {"model": ["FM", "DCN"], "budget": [0.2, 0.1]}, 3)
    assert list(table.cells.columns) == ["dataset", "model", "budget", "full", "sseds", "uniform"]
    assert table.cells[["model", "budget"]].values.tolist() == [["FM", "0.2"], ["", "0.1"], ["DCN", "0.2"],
                                                               ["", "0.1"]]
    assert table.cells.loc[0, "full"] == "0.8000 ± 0.0100" and table.cells.loc[0, "sseds"] == "0.7780 ± 0.0020"
    assert table.bold["sseds"].all() and not table.bold[["full", "uniform"]].any().any()  # full does not compete
    assert "3 seeds" in table.note


def test_paired_table_marks_each_verdict():
    paired = pd.DataFrame([{"dataset": "d", "model": "FM", "budget": 0.1, "baseline": base, "n": 3, "difference": diff,
                            "ci95": 0.003, "p_holm": p, "verdict": v}
                           for base, diff, p, v in (("uniform", 0.01, 0.01, "better"), ("random", -0.02, 0.02, "worse"),
                                                    ("frequency", 0.001, 0.8, "indistinguishable"))])
    table = paired_table(paired)
    assert list(table.cells.columns) == ["dataset", "model", "budget", "uniform", "random", "frequency"]  # registry order
    assert table.cells.loc[0, ["uniform", "random", "frequency"]].tolist() == [
        f"+0.0100 ± 0.0030 {MARKS['better']}", f"-0.0200 ± 0.0030 {MARKS['worse']}",
        f"+0.0010 ± 0.0030 {MARKS['indistinguishable']}"]


def test_borderline_cells_are_marked_and_named_and_the_firm_part_is_counted():
    from sseds_study.analysis.budget import stability_text
    from sseds_study.analysis.tables import BORDERLINE_MARK
    from sseds_study.statistics import borderline

    paired = pd.DataFrame([{"dataset": "d", "model": "FM", "budget": 0.1, "baseline": base, "n": 10, "difference": diff,
                            "ci95": 0.003, "p_holm": p, "verdict": v, "borderline": borderline(p)}
                           for base, diff, p, v in (("uniform", -0.01, 0.001, "worse"), ("random", -0.02, 0.04, "worse"),
                                                    ("frequency", -0.001, 0.08, "indistinguishable"),
                                                    ("magnitude", 0.001, 0.9, "indistinguishable"))])
    assert paired["borderline"].tolist() == [False, True, True, False]
    cells = paired_table(paired).cells.loc[0]
    assert cells["random"].endswith(f"{MARKS['worse']}{BORDERLINE_MARK}")
    assert cells["frequency"].endswith(f"{MARKS['indistinguishable']}{BORDERLINE_MARK}")
    assert cells["uniform"].endswith(MARKS["worse"]) and cells["magnitude"].endswith(MARKS["indistinguishable"])
    assert stability_text(paired) == (
        "Firm (adjusted p-value at most 0.025 or above 0.10): no cells better, 1 cell worse. Borderline (p between "
        "0.025 and 0.10), 2 of 4: FM at b = 0.1 against random (d): worse, p (Holm) 0.040; FM at b = 0.1 against "
        "frequency (d): indistinguishable, p (Holm) 0.080.")
    assert stability_text(paired.assign(borderline=False)).endswith("No cell is borderline.")


def test_verdict_extremes_name_the_cells_of_largest_gain_and_loss():
    from sseds_study.analysis.budget import verdict_extremes

    paired = pd.DataFrame([{"dataset": "d", "model": "FM", "budget": b, "baseline": base, "n": 10, "difference": diff,
                            "ci95": 0.002, "verdict": v}
                           for b, base, diff, v in ((0.2, "uniform", 0.004, "better"), (0.1, "random", -0.003, "worse"),
                                                    (0.1, "frequency", 0.001, "indistinguishable"))])
    text = verdict_extremes(paired)
    assert text["verdict_best"] == "+0.0040 ± 0.0020 against uniform (d, FM, budget 0.2, 10 seeds, better)"
    assert text["verdict_worst"] == "-0.0030 ± 0.0020 against random (d, FM, budget 0.1, 10 seeds, worse)"
    assert verdict_extremes(paired.iloc[:0])["verdict_best"] == "no paired cell"


def test_seed_counts_per_dataset():
    from sseds_study.analysis.budget import _seed_counts

    rows = pd.DataFrame({"dataset": ["a"] * 10 + ["b"] * 3, "seed": [*range(10), *range(3)], "status": "ok"})
    assert _seed_counts(rows) == "10 seeds on a, 3 on b"
    assert _seed_counts(rows.assign(status="failed")) == "0 seeds"


@pytest.mark.slow
def test_the_chapter_has_everything_its_notebook_glues_and_shows(tmp_path, monkeypatch):
    import re
    from pathlib import Path

    from sseds_study.analysis.budget import budget_chapter

    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path))
    ch = budget_chapter("smoke")
    source = (Path(__file__).parents[2] / "notebooks" / "04_budget.py").read_text()
    for name in set(re.findall(r"\{glue:text\}`([a-z_0-9A-Z]+)`", source)):
        assert name in ch.text and ch.text[name], name
    for name in set(re.findall(r"\{glue:md\}`([a-z_0-9A-Z]+)`", source)):
        assert name in ch.markdown and ch.markdown[name], name
    for name in set(re.findall(r'chapter\.tables\["([a-z_]+)"\]', source)):
        assert name in ch.tables, name
    assert "fig_budget_main" in ch.figures
    assert set(ch.tables["verdict"].cells.columns) >= {"uniform", "frequency", "random", "magnitude"}


def test_ablation_choice_is_the_best_mean_validation_auc_and_ignores_test():
    from sseds_study.analysis.budget import ablation_choice

    def row(model, split, init, valid, test, seed):
        return {"model": model, "method": "sseds", "status": "ok", "seed": seed, "valid_auc": valid, "test_auc": test,
                "search_score_split": split, "search_estimator": "taylor", "search_min_dim": 0, "search_init": init,
                "search_budget_unit": "params", "search_rank_by": "saliency"}

    rows = pd.DataFrame([row("FM", "valid", "inherit", 0.79, 0.70, s) for s in (0, 1)]
                        + [row("FM", "train", "scratch", 0.78, 0.90, s) for s in (0, 1)]
                        + [row("DeepFM", "train", "scratch", 0.80, 0.80, 0)])
    assert ablation_choice(rows, "FM") == {"score_split": "valid", "estimator": "taylor", "min_dim": 0,
                                           "init": "inherit", "budget_unit": "params", "rank_by": "saliency"}
    assert ablation_choice(rows, "DCN") is None


def test_variant_search_of_the_best_profiles():
    from sseds_study.analysis.budget import variant_search
    from sseds_study.study.profile import load_profile

    s = variant_search(load_profile("headline_best_deepfm"))
    assert (s.score_split, s.estimator, s.min_dim, s.init) == ("valid", "exact", 0, "inherit")
    assert variant_search(load_profile("headline")) == load_profile("headline").search


@pytest.mark.slow
def test_the_verdict_on_a_profiles_own_runs(own_table):
    """Chapter 4 on one table with no companions: the verdict from its own seeds, nothing from the
    headline, large or best-variant profiles, and no slim-tuning sweeps of its own."""
    from sseds_study.analysis.budget import verdict_chapter

    chapter = verdict_chapter(own_table)
    assert set(chapter.tables) == {"verdict", "verdict_means", "small", "kept", "paired"}
    assert set(chapter.figures) == {"fig_budget_main"}
    verdict = chapter.tables["verdict"].cells
    assert list(verdict.columns) == ["dataset", "model", "budget", "uniform", "random", "magnitude", "frequency"]
    assert chapter.text["verdict_cells"] == "4" and chapter.text["verdict_seeds"] == "2"
    assert "verdict's methods only" in chapter.text["every_scope"]
    assert chapter.header.count("profile ") == 1 and "mytable" in chapter.header
