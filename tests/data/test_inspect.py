"""What ``data.inspect`` proposes for each column of a table, with its evidence; what it flags; the
user's declarations over it; and one line naming the file, line, column or option on bad input."""

from __future__ import annotations

import pytest

from sseds_study.data.example_table import COLUMNS, example_columns, write_example_table
from sseds_study.data.inspect import (
    check_features,
    column_evidence,
    declare,
    format_report,
    inspect_table,
    propose,
)
from sseds_study.errors import DataFormatError, OptionError


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    return write_example_table(tmp_path_factory.mktemp("table") / "clicks.csv", rows=2000, seed=3)


def _kinds(report) -> dict[str, str]:
    return {c.name: c.kind for c in report.columns}


def test_the_example_table_gets_each_kind_with_its_evidence(example):
    report = inspect_table(example, "click")
    assert report.whole_file and report.rows == 2000 and report.delimiter == ","
    assert _kinds(report) == {"row_id": "ignore", "user": "categorical", "item": "categorical",
                              "site": "categorical", "device": "categorical", "price": "numeric", "age": "categorical",
                              "tags": "multi", "source": "ignore"}
    cols = {c.name: c for c in report.columns}
    assert cols["device"].integer and cols["device"].distinct == 5 and "codes" in cols["device"].reason
    assert cols["tags"].separator == "|" and cols["tags"].max_values == 4 and report.multi_separator == "|"
    assert cols["age"].missing > 0 and cols["age"].numeric_rate == 1.0 and cols["age"].integer
    # Whole numbers with many levels may be ids (kept categories: buckets would merge them) or a quantity.
    assert cols["age"].ambiguous and "ids or codes" in cols["age"].reason
    assert "one value" in cols["source"].reason and not cols["source"].ambiguous
    # An identifier is left out, but flagged: the sample cannot tell an id from a timestamp.
    assert cols["row_id"].ambiguous and "identifier" in cols["row_id"].reason
    assert [c.name for c in report.ambiguous] == ["row_id", "age"]
    assert 0 < report.positive_rate < 1


def test_the_printed_proposal_marks_what_the_sample_does_not_settle(example):
    text = format_report(inspect_table(example, "click"))
    lines = text.splitlines()
    assert "all 2,000 rows" in lines[0] and "'click'" in lines[0]
    row = next(line for line in lines if line.strip().startswith("row_id"))
    assert " ? " in row and "ignore" in row
    assert lines[-1].startswith("? 2 column(s)") and "row_id, age" in lines[-1]


def test_the_sample_is_bounded(example):
    report = inspect_table(example, "click", sample_rows=300)
    assert report.rows == 300 and not report.whole_file
    assert "the first 300 rows" in format_report(report)


@pytest.mark.parametrize("values, kind, ambiguous", [
    (["1", "2", "3"] * 50, "categorical", False),  # whole numbers, few levels: codes
    ([str(i / 100) for i in range(200)], "numeric", True),  # fractions below 2: a bucket each
    ([f"{i * 1.5:.1f}" for i in range(50)] * 3, "numeric", False),
    ([str(i) for i in range(1, 400)] * 3, "categorical", True),  # whole numbers, many levels: ids or a count
    ([str(i) for i in range(50)] * 5 + ["n/a"] * 5, "categorical", True),  # mostly numbers, some text
    (["a|b", "c", "a|c|d", "b"] * 30, "multi", False),
    (["a|b"] * 3 + ["x", "y", "z"] * 10, "multi", True),  # few cells hold the separator
    (["a|b"] + ["x", "y", "z"] * 100, "categorical", True),
    ([f"id{i}" for i in range(300)], "ignore", True),  # a value per row: an identifier or free text
    ([None] * 20, "ignore", True),
    (["same"] * 20, "ignore", False),
])
def test_each_rule(values, kind, ambiguous):
    col = propose(column_evidence("c", values, ","))
    assert (col.kind, col.ambiguous) == (kind, ambiguous), col.reason


def test_a_few_text_values_among_numbers_are_shown_and_never_rounded_away():
    col = propose(column_evidence("year", [str(1990 + i % 30) for i in range(5000)] + ["unkonwn"], ","))
    assert col.kind == "categorical" and col.ambiguous
    assert col.reason.startswith("99.98% numbers, the rest text (such as 'unkonwn')")


def test_the_file_delimiter_is_never_a_multi_separator():
    values = ["a;b", "c;d"] * 20
    assert propose(column_evidence("c", values, ",")).kind == "multi"
    assert propose(column_evidence("c", values, ";")).kind == "categorical"


def test_tsv_and_parquet(tmp_path):
    import pandas as pd

    cols = example_columns(500, seed=1)
    frame = pd.DataFrame({c: cols[c] for c in COLUMNS if c != "tags"})
    frame["tags"] = ["|".join(t) for t in cols["tags"]]
    frame.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    tsv = inspect_table(tmp_path / "t.tsv", "click")
    pq = inspect_table(tmp_path / "t.parquet", "click")
    assert tsv.delimiter == "\t" and pq.delimiter is None
    assert _kinds(tsv)["tags"] == _kinds(pq)["tags"] == "multi"
    assert _kinds(tsv)["price"] == _kinds(pq)["price"] == "numeric"
    assert _kinds(tsv)["age"] == _kinds(pq)["age"] == "categorical"


def test_declarations_replace_proposals_and_are_flagged_when_the_sample_disagrees(example):
    report = declare(inspect_table(example, "click"), {"numeric": ["row_id"], "multi": ["site"],
                                                       "ignore": ["user"]})
    cols = {c.name: c for c in report.columns}
    assert (cols["row_id"].kind, cols["row_id"].declared, cols["row_id"].ambiguous) == ("numeric", True, False)
    assert cols["site"].kind == "multi" and cols["site"].ambiguous and "no sampled value" in cols["site"].reason
    assert cols["user"].kind == "ignore" and cols["user"].declared
    assert "* declared by an option" in format_report(report)
    text_numbers = declare(report, {"numeric": ["user"]})
    assert next(c for c in text_numbers.columns if c.name == "user").ambiguous


@pytest.mark.parametrize("declared, message", [
    ({"numeric": ["nope"]}, "--numeric: no column 'nope' in"),
    ({"categorical": ["click"]}, "--categorical: 'click' is the label column"),
    ({"numeric": ["age"], "categorical": ["age"]}, "column 'age' is also given to --numeric"),
])
def test_a_bad_declaration_names_the_option_and_column(example, declared, message):
    with pytest.raises(OptionError, match=message.replace("'", ".")):
        declare(inspect_table(example, "click"), declared)


def test_every_column_ignored_is_refused(example):
    report = declare(inspect_table(example, "click"), {"ignore": [c for c in COLUMNS if c != "click"]})
    with pytest.raises(OptionError, match="every column is ignored"):
        check_features(report)


@pytest.mark.parametrize("text, label, message", [
    ("a,b\n1,0\n", "click", "no label column 'click'; the header has a, b"),
    ("a,click\nx,2\n", "click", "line 2: label column 'click': expected 0 or 1"),
    ("a,click\nx,1\ny\n", "click", "line 3: expected 2 columns"),
    ("a,a,click\nx,y,1\n", "click", "appear more than once"),
    ("a,click\n", "click", "no data rows"),
])
def test_bad_tables_name_the_file_line_or_column(tmp_path, text, label, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(DataFormatError) as err:
        inspect_table(path, label)
    assert str(path) in str(err.value) and message in str(err.value)


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,click\ncaf\xe9,1\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match="not UTF-8"):
        inspect_table(path, "click")
