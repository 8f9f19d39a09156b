"""Chapter 04's tables of every method: a row per method, a column per base model and budget (at most
``MAX_COLUMNS`` wide), the best of each column in bold, and the methods' definitions from the registry."""

from __future__ import annotations

import pandas as pd

from sseds_study.analysis.budget import compare_methods, every_method_table
from sseds_study.analysis.budget_tables import by_method_table, cell_name, method_definitions
from sseds_study.analysis.tables import MAX_COLUMNS
from sseds_study.study.methods import METHODS

ORDERS = {"model": ["FM", "DCN"], "budget": [0.2, 0.1]}


def _agg() -> pd.DataFrame:
    """The full model at 0.80 on both models; SSEDS 0.778/0.779, uniform 0.773/0.774 at budgets
    0.2/0.1; on DCN at 0.1 uniform wins (0.790)."""
    rows = [{"dataset": "d", "model": m, "method": "full", "budget": 1.0, "variant": "default", "seeds": 3,
             "test_auc_mean": 0.80, "test_auc_ci95": 0.01, "achieved_budget_mean": 1.0} for m in ("FM", "DCN")]
    rows += [{"dataset": "d", "model": m, "method": meth, "budget": b, "variant": "default", "seeds": 3,
              "test_auc_mean": auc - b / 100, "test_auc_ci95": 0.002, "achieved_budget_mean": b * kept}
             for m in ("FM", "DCN") for meth, auc, kept in (("sseds", 0.78, 1.0), ("uniform", 0.775, 0.96))
             for b in (0.1, 0.2)]
    agg = pd.DataFrame(rows)
    agg.loc[(agg["model"] == "DCN") & (agg["method"] == "uniform") & (agg["budget"] == 0.1), "test_auc_mean"] = 0.79
    return agg


def test_every_method_is_a_row_and_every_model_and_budget_a_column():
    agg = _agg()
    small = compare_methods(agg, budgets=(0.2, 0.1), methods=("sseds", "uniform"))
    table = every_method_table(small, agg, ["sseds", "uniform"], ORDERS, 3)
    assert list(table.cells.columns) == ["dataset", "method", "FM, b = 0.2", "FM, b = 0.1", "DCN, b = 0.2",
                                         "DCN, b = 0.1"]
    assert table.cells["method"].tolist() == ["full", "sseds", "uniform"]  # the reference first
    assert table.cells["dataset"].tolist() == ["d", "", ""]  # a group per dataset
    # The full model's AUC in every column of its model; SSEDS at FM, b = 0.2: 0.78 - 0.002.
    assert table.cells.loc[0, "DCN, b = 0.1"] == "0.8000 ± 0.0100"
    assert table.cells.loc[1, "FM, b = 0.2"] == "0.7780 ± 0.0020"
    assert table.shown()["method"].tolist() == ["full width", "SSEDS", "uniform"]
    assert "3 seeds" in table.note


def test_the_best_method_of_each_column_is_bold_and_the_full_model_does_not_compete():
    agg = _agg()
    small = compare_methods(agg, budgets=(0.2, 0.1), methods=("sseds", "uniform"))
    bold = every_method_table(small, agg, ["sseds", "uniform"], ORDERS, 3).bold
    assert not bold.loc[0].any()  # full (0.80) is higher everywhere but is the reference
    assert bold.loc[1, ["FM, b = 0.2", "FM, b = 0.1", "DCN, b = 0.2"]].all()  # SSEDS beats uniform there
    assert not bold.loc[1, "DCN, b = 0.1"] and bold.loc[2, "DCN, b = 0.1"]  # uniform's 0.790 against 0.778
    assert not bold[["dataset", "method"]].any().any()


def test_the_kept_table_leaves_the_full_model_out_and_shows_three_decimals():
    agg = _agg()
    kept = agg[agg["method"] != "full"]
    table = by_method_table(kept, value="achieved_budget_mean", methods=["sseds", "uniform"], orders=ORDERS,
                            best=None, digits=3)
    assert table.cells["method"].tolist() == ["sseds", "uniform"]
    assert table.cells.loc[1, ["FM, b = 0.2", "FM, b = 0.1"]].tolist() == ["0.192", "0.096"]  # 0.96 of b
    assert not table.bold.any().any()


def test_a_design_too_wide_for_the_page_moves_the_budget_into_the_rows():
    models = ["FM", "DeepFM", "DCN", "IPNN"]
    long = pd.DataFrame([{"dataset": "d", "model": m, "budget": b, "method": meth, "v": 0.5 + i / 100}
                         for m in models for b in (0.5, 0.2) for i, meth in enumerate(("sseds", "uniform"))])
    table = by_method_table(long, value="v", methods=["sseds", "uniform"], orders={"model": models, "budget": [0.5, 0.2]})
    assert list(table.cells.columns) == ["dataset", "budget", "method", *models]
    assert len(table.cells.columns) <= MAX_COLUMNS
    assert table.cells["budget"].tolist() == ["0.5", "", "0.2", ""]
    # uniform (0.51) is best in every column of both budget groups
    assert table.bold[models].to_numpy().tolist() == [[False] * 4, [True] * 4, [False] * 4, [True] * 4]
    assert cell_name("FM", 0.2) == "FM, b = 0.2"


def test_method_definitions_come_from_the_registry():
    names = ["full", "sseds", "prune_only", "uniform", "magnitude", "pep"]
    table = method_definitions(names)
    cells = table.cells.set_index("method")
    assert list(cells.index) == names
    assert all(cells.at[n, "description"] == METHODS[n].description for n in names)
    assert cells["reads_pretrained"].to_dict() == {"full": "it is the pretrained model", "sseds": "yes",
                                                   "prune_only": "yes", "uniform": "no", "magnitude": "yes", "pep": "no"}
    assert cells["searches"].to_dict() == {"full": "no", "sseds": "yes", "prune_only": "yes", "uniform": "no",
                                           "magnitude": "no", "pep": "yes"}
    assert list(table.shown().columns) == ["method", "what it does", "needs pretraining?", "needs a search?"]
    assert table.left == ("description",) and "text-align: left" in table._repr_html_()
