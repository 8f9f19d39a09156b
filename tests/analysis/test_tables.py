"""Book tables: the compact pivot (shape, order, bold best, verdict marks), its HTML and its text."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sseds_study.analysis.tables import (
    MARKS,
    NARROW_CAPTION,
    NARROW_COLUMNS,
    WIDE_FONT,
    column_digits,
    compact_table,
    label,
    number,
    plain_table,
)


def _long() -> pd.DataFrame:
    """Two models x two budgets x three methods, one cell missing, one tie."""
    rows = []
    for model in ("FM", "DCN"):
        for budget in (0.1, 0.2):
            for method, mean in (("sseds", 0.78), ("uniform", 0.77), ("full", 0.80)):
                rows.append({"model": model, "budget": budget, "method": method, "auc": mean + budget / 10,
                             "ci95": 0.0032, "verdict": "better" if method == "uniform" else None})
    long = pd.DataFrame(rows)
    long = long[~((long["model"] == "DCN") & (long["budget"] == 0.1) & (long["method"] == "uniform"))]
    tie = (long["model"] == "FM") & (long["budget"] == 0.2) & (long["method"] == "uniform")
    long.loc[tie, "auc"] = 0.80  # equals sseds's 0.78 + 0.02 once rounded
    return long.sample(frac=1.0, random_state=0)  # the input order must not matter once orders are given


def test_compact_table_shape_order_and_cells():
    table = compact_table(_long(), index=["model", "budget"], columns="method", value="auc", half="ci95",
                          order=["full", "sseds", "uniform"], orders={"model": ["FM", "DCN"], "budget": [0.2, 0.1]},
                          best="max", best_among=["sseds", "uniform"])
    cells = table.cells
    assert list(cells.columns) == ["model", "budget", "full", "sseds", "uniform"]  # no index column
    assert cells["budget"].tolist() == ["0.2", "0.1", "0.2", "0.1"]
    assert cells["model"].tolist() == ["FM", "", "DCN", ""]  # a repeated key is blank, as in a grouped index
    assert cells.loc[0, "sseds"] == "0.8000 ± 0.0032"
    assert cells.loc[3, "uniform"] == "–"  # DCN has no uniform run at 0.1
    # bold: the best competing method per row (full does not compete); all competitors equal: none
    assert not table.bold.loc[0].any()
    assert table.bold.loc[1, ["full", "sseds", "uniform"]].tolist() == [False, True, False]
    assert not table.bold.loc[3].any()  # one competitor left: nothing to choose between
    assert not table.bold[["model", "budget"]].any().any()


def test_verdict_marks_and_signs():
    table = compact_table(_long().assign(auc=lambda d: d["auc"] - 0.79), index=["model", "budget"],
                          columns="method", value="auc", half="ci95", verdict="verdict", best=None, signed=True,
                          orders={"model": ["FM", "DCN"], "budget": [0.2, 0.1]})
    assert table.cells.loc[0, "uniform"] == f"+0.0100 ± 0.0032 {MARKS['better']}"
    assert table.cells.loc[1, "sseds"].startswith("+0.0000") or table.cells.loc[1, "sseds"].startswith("-0.0000")
    assert not table.bold.any().any()


def test_html_hides_the_index_bolds_and_is_the_same_every_time():
    table = compact_table(_long(), index=["model", "budget"], columns="method", value="auc", half="ci95",
                          order=["sseds", "uniform", "full"], best="max", note="AUC ± 95%")
    html = table._repr_html_()
    assert html == table._repr_html_()  # a content-derived uuid: nbval compares HTML too
    assert "font-weight: bold" in html and "AUC ± 95%" in html
    assert 'class="row_heading' not in html and "blank level0" not in html  # no index column
    text = repr(table)
    # The reader's names: a method id through the method registry's label (COLUMN_LABELS / VALUE_LABELS)
    assert list(table.shown().columns) == ["model", "budget", "SSEDS", "uniform", "full width"]
    assert text.splitlines()[0].split() == ["model", "budget", "SSEDS", "uniform", "full", "width"]
    assert ">SSEDS</th>" in html and ">sseds</th>" not in html
    assert text.endswith("AUC ± 95%")


def test_best_can_depend_on_the_row_and_ties_are_all_bold():
    values = {"auc": (0.7, 0.8, 0.8), "logloss": (0.5, 0.4, 0.45)}
    long = pd.DataFrame([{"metric": m, "model": x, "v": v} for m, vals in values.items()
                         for x, v in zip(("A", "B", "C"), vals, strict=True)])
    table = compact_table(long, index=["metric"], columns="model", value="v",
                          best=lambda key: "min" if key[0] == "logloss" else "max")
    assert table.bold[["A", "B", "C"]].values.tolist() == [[False, True, True], [False, True, False]]


def test_plain_table_formats_and_resets_a_named_index():
    frame = pd.DataFrame({"count": [1234, 5], "share": [0.123456, math.nan], "ok": [True, False]},
                         index=pd.Index(["a", "b"], name="field"))
    table = plain_table(frame, keys=["field"], formats={"share": lambda v: "x"})
    assert table.cells.values.tolist() == [["a", "1,234", "x", "yes"], ["b", "5", "x", "no"]]
    assert number(float("nan")) == "–" and number(-0.5, 2, signed=True) == "-0.50"


def test_empty_long_frame_gives_an_empty_table():
    table = compact_table(pd.DataFrame(), index=["model"], columns="method", value="auc")
    assert table.cells.empty and list(table.cells.columns) == ["model"]
    with pytest.raises(KeyError):
        compact_table(pd.DataFrame({"model": ["a"]}), index=["model"], columns="method", value="auc")


def test_an_empty_table_renders_its_header_and_note():
    from sseds_study.analysis.tables import compact_table

    table = compact_table(pd.DataFrame(columns=["dataset", "model", "budget", "baseline", "difference"]),
                          index=["dataset", "model", "budget"], columns="baseline", value="difference",
                          note="nothing measured here")
    html = table._repr_html_()
    assert "<table" in html and "nothing measured here" in html


def test_a_table_of_ten_columns_or_more_gets_a_smaller_font():
    narrow = plain_table(pd.DataFrame({f"c{i}": [1.0] for i in range(9)}))
    wide = plain_table(pd.DataFrame({f"c{i}": [1.0] for i in range(10)}))
    assert WIDE_FONT not in narrow._repr_html_()
    assert f"font-size: {WIDE_FONT}" in wide._repr_html_()


def test_a_narrow_table_with_a_long_caption_takes_a_reading_width():
    long_note = "x" * (NARROW_CAPTION + 1)
    narrow = plain_table(pd.DataFrame({"model": ["FM"], "b = 0.2": ["+0.0010"]}), note=long_note)
    assert "min-width" in narrow._repr_html_()  # else the caption runs down a two-column strip
    assert "min-width" not in plain_table(narrow.cells, note="short")._repr_html_()
    wide = plain_table(pd.DataFrame({f"c{i}": [1.0] for i in range(NARROW_COLUMNS + 1)}), note=long_note)
    assert "min-width" not in wide._repr_html_()


def test_left_columns_are_left_aligned_like_the_keys():
    table = plain_table(pd.DataFrame({"method": ["sseds"], "description": ["a text"], "searches": ["yes"]}),
                        keys=["method"])
    table.left = ("description",)
    html = table._repr_html_()
    assert "td.col1" in html and "td.col2" not in html  # the description (column 1), not the flag


def test_headers_and_ids_are_shown_in_words_while_the_cells_keep_the_identifiers():
    frame = pd.DataFrame({"dataset": ["movielens100k", "synthetic2"], "vocab_size": [1643, 21],
                          "oov_rate_valid": [0.0016, 0.0], "lr": [0.005, 0.001]})
    table = plain_table(frame, keys=["dataset"], note="caption")
    assert list(table.cells.columns) == list(frame.columns)  # code and tests address the identifiers
    shown = table.shown()
    assert list(shown.columns) == ["dataset", "vocabulary size", "unseen in validation (share)", "learning rate"]
    assert shown["dataset"].tolist() == ["MovieLens-100K", "planted truth"]
    html = table._repr_html_()
    for raw in ("vocab_size", "oov_rate_valid", ">lr<", "movielens100k", "synthetic2"):
        assert raw not in html
    assert label("sseds @ 0.2") == "SSEDS @ 0.2" and label("pep_fresh") == "PEP, fresh init"
    assert label("no_such_column") == "no_such_column"  # unknown names pass through unchanged


def test_every_raw_identifier_the_referee_listed_has_words():
    raw = ["vocab_size", "missing_rate", "oov_rate_valid", "oov_rate_test", "values_seen", "top_value_share",
           "rare_value_share", "positive_rate_spread", "planted_rank", "spearman_relevant", "irrelevant_max_width",
           "top_k_overlap", "vs_oracle", "achieved_budget", "emb_weight_decay", "lr", "valid_auc", "test_auc"]
    for name in raw:
        assert "_" not in label(name) and label(name) != name, name


def test_whole_numbers_show_as_integers_and_exact_decimals_as_few_digits():
    frame = pd.DataFrame({"width": [2.0, 16.0], "budget": [0.1, 0.05], "auc": [0.781234, 0.79],
                          "rate": [0.0, 0.0], "count": [1234, 5]})
    cells = plain_table(frame).cells
    assert cells["width"].tolist() == ["2", "16"]
    assert cells["budget"].tolist() == ["0.10", "0.05"]
    assert cells["auc"].tolist() == ["0.7812", "0.7900"]
    assert cells["rate"].tolist() == ["0", "0"]
    assert cells["count"].tolist() == ["1,234", "5"]
    assert plain_table(frame[["budget"]].head(1)).cells["budget"].tolist() == ["0.1"]
    # a per-column count is kept as given
    assert plain_table(frame, digits={"width": 1}).cells["width"].tolist() == ["2.0", "16.0"]
    assert column_digits(pd.Series([0.2, 0.1])) == 1 and column_digits(pd.Series(["a"])) == 4
