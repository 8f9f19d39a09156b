"""Chapter 06's analysis on a tiny profile with PEP: every table, figure and glued value the notebook
uses, and search costs in passes (the error for rows swept before the columns existed: test_common.py)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sseds_study.analysis import efficiency  # noqa: E402
from sseds_study.data.paths import repo_root  # noqa: E402
from sseds_study.figures.style import description  # noqa: E402
from studyhelpers import tiny  # noqa: E402

PEP = {"granularity": "dim", "threshold_init": -6.0, "threshold_lr": 0.1, "threshold_weight_decay": 0.01,
       "weight_decay": 0.01, "max_epochs": 30}
NOTEBOOK = repo_root() / "notebooks" / "06_efficiency.py"


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    out = tmp_path_factory.mktemp("efficiency")
    study = tiny(methods=["full", "sseds", "prune_only", "uniform", "frequency", "pep", "pep_fresh"],
                 budgets=[1.0, 0.5, 0.25], seeds=[0, 1], pep=PEP)  # 0.25: one dimension a field at D = 4
    return study, out, efficiency.efficiency_chapter(study, out)


def test_the_chapter_has_everything_its_notebook_glues_and_shows(chapter):
    study, _, ch = chapter
    source = NOTEBOOK.read_text()
    for name in set(re.findall(r"\{glue:text\}`([a-z_0-9A-Z]+)`", source)):
        assert name in ch.text and ch.text[name], name
    for name in set(re.findall(r'chapter\.tables\["([a-z_]+)"\]', source)):
        assert name in ch.tables, name
    assert set(ch.figures) == {"fig_pareto_synthetic"}  # one per dataset; the notebook names the book's
    fig = ch.figures["fig_pareto_synthetic"]
    assert "synthetic, 3,000 rows, profile tiny" in " ".join(description(fig).values())
    assert f"profile tiny: {34} runs, 0 failed" in ch.header


def test_search_cost_table(chapter):
    study, _, ch = chapter
    methods = ["sseds", "prune_only", "uniform", "frequency", "pep", "pep_fresh"]
    # methods as columns; a method whose search is another's (prune_only: SSEDS's, pep_fresh: PEP's) is not repeated
    shown = ["sseds", "uniform", "frequency", "pep"]
    assert list(ch.tables["cost"].cells.columns) == ["dataset", "model", *shown]
    assert list(ch.tables["cost_passes"].cells.columns) == ["dataset", "model", *shown]
    cost = ch.tables["cost"].source.set_index("method")
    assert list(cost.index) == methods
    epoch_passes = study.search.num_batches / cost.loc["sseds", "pass_fraction_mean"]
    assert epoch_passes == pytest.approx(5)  # 2,400 training rows at batch 512
    assert cost.loc["uniform", "search_passes_mean"] == 0 and cost.loc["frequency", "pass_fraction_mean"] == 0
    assert cost.loc["pep", "search_passes_mean"] > cost.loc["sseds", "search_passes_mean"]
    assert (cost["seeds"] == 2).all()


def test_deployed_and_latency_tables(chapter):
    _, _, ch = chapter
    deployed = ch.tables["deployed"].source
    assert set(deployed["method"]) == {"sseds", "prune_only", "uniform", "frequency", "pep", "pep_fresh"}
    assert (deployed["vs_full"] > 0).all() and (deployed["vs_full"] <= 1).all()
    assert "prune_only" not in ch.tables["deployed"].cells.columns  # the same bytes as SSEDS
    latency = ch.tables["latency"]
    slim = [f"{m} @ {b}" for b in ("0.5", "0.25") for m in ("sseds", "uniform", "frequency", "pep")]
    assert list(latency.cells.columns) == ["dataset", "model", "batch", "full, ms / 1k rows", *slim]
    assert latency.cells["batch"].tolist() == ["1", "4096"]
    full = latency.source[latency.source["method"] == "full"]
    assert (full["ratio"] == 1.0).all() and len(full) == 2  # one timing per batch size
    assert set(latency.source["method"]) == {"full", "sseds", "uniform", "frequency", "pep"}
    assert "rewind" in ch.text["rewind_verdict"]
    assert list(ch.tables["rewind"].cells.columns) == ["dataset", "model", "b = 0.5", "b = 0.25"]


def test_pep_selection_summary(tmp_path):
    rows = [{"model": m, "granularity": "dim", "threshold_init": i, "threshold_lr": 0.02,
             "threshold_weight_decay": 0.01, "weight_decay": 1e-4, "search_epochs": 10, "reached_all": reached,
             "final_kept": 0.05 if reached else 0.99,
             "valid_auc@0.2": auc, "valid_auc@0.1": auc - 0.01}
            for m in ("FM", "DCN") for i, reached, auc in ((-8.0, True, 0.78), (-6.0, True, 0.79), (-15.0, False, 0.8))]
    pd.DataFrame(rows).to_csv(tmp_path / "schedule.csv", index=False)
    summary = efficiency.pep_selection(tmp_path)
    assert summary["threshold_init"].tolist() == [-6.0, -8.0, -15.0]  # best score first, unreached last
    assert summary["score"].iloc[0] == pytest.approx(0.785) and pd.isna(summary["score"].iloc[2])
    assert (summary["stage"] == "schedule").all() and (summary["models"] == 2).all()
    assert efficiency.pep_selection(Path(tmp_path) / "none").empty
