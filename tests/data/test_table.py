"""User tables: csv / tsv / parquet, declared columns, YAML spec, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datahelpers import encoded_entries

from sseds_study.data.table import load_table
from sseds_study.errors import ConfigError, DataFormatError, OptionError


def frame(n=40):
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "clicked": rng.integers(0, 2, n),
        "user": [f"u{i % 5}" for i in range(n)],
        "price": rng.integers(0, 50, n),
        "tags": ["a|b", "b", "c|a|b", ""] * (n // 4),
        "ignored": ["z"] * n,
    })


def test_csv_with_kwargs(tmp_path, cache):
    frame().to_csv(tmp_path / "t.csv", index=False)
    ds = load_table(path=tmp_path / "t.csv", label="clicked", categorical=["user"], numeric=["price"],
                    multi=["tags"], cache_dir=cache, progress=False)
    assert ds.field_names == ["user", "price", "tags"] and len(ds) == 40
    assert [f.kind for f in ds.fields] == ["categorical", "numeric", "multi"] and ds.fields[2].width == 3
    assert ds.manifest["missing_rates"]["tags"] == 0.25  # empty cell = missing


def test_tsv_parquet_and_yaml_spec_agree(tmp_path, cache):
    df = frame()
    df.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    df.to_parquet(tmp_path / "t.parquet", index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text("label: clicked\ncategorical: [user]\nnumeric: [price]\nmulti: [tags]\nmulti_sep: '|'\n")
    a = load_table(path=tmp_path / "t.tsv", spec=spec, cache_dir=cache, progress=False)
    b = load_table(path=tmp_path / "t.parquet", spec=spec, cache_dir=cache, progress=False)
    assert np.array_equal(a.labels, b.labels)
    assert np.array_equal(a.ids[:, :2], b.ids[:, :2])  # the empty tags cell is null only in the csv


def test_true_false_labels(tmp_path, cache):
    (tmp_path / "t.csv").write_text("y,x\nTrue,a\nfalse,b\nTRUE,a\n0,b\n1,a\n")
    ds = load_table(path=tmp_path / "t.csv", label="y", categorical="x", cache_dir=cache, progress=False)
    assert ds.labels.tolist() == [1, 0, 1, 0, 1]


def test_unknown_label_value(tmp_path, cache):
    (tmp_path / "t.csv").write_text("y,x\n1,a\n0,b\nmaybe,a\n")
    with pytest.raises(DataFormatError) as err:
        load_table(path=tmp_path / "t.csv", label="y", categorical="x", cache_dir=cache, progress=False)
    msg = str(err.value)
    assert "t.csv" in msg and "line 4" in msg and "'maybe'" in msg and "0 or 1" in msg
    assert encoded_entries(cache) == []


def test_unknown_label_value_in_parquet(tmp_path, cache):
    pd.DataFrame({"y": [0, 1, 2], "x": ["a", "b", "c"]}).to_parquet(tmp_path / "t.parquet")
    with pytest.raises(DataFormatError, match=r"t.parquet, line 3: label column 'y': expected 0 or 1, got 2"):
        load_table(path=tmp_path / "t.parquet", label="y", categorical="x", cache_dir=cache, progress=False)


def test_non_numeric_value(tmp_path, cache):
    (tmp_path / "t.csv").write_text("y,p\n1,3.5\n0,abc\n")
    with pytest.raises(DataFormatError, match=r"t.csv, line 3: column 'p': expected a number, got 'abc'"):
        load_table(path=tmp_path / "t.csv", label="y", numeric="p", cache_dir=cache, progress=False)


def test_declaration_errors(tmp_path, cache):
    (tmp_path / "t.csv").write_text("y,x\n1,a\n")
    with pytest.raises(DataFormatError, match="missing column.*'nope'"):
        load_table(path=tmp_path / "t.csv", label="y", categorical=["nope"], cache_dir=cache, progress=False)
    with pytest.raises(ConfigError, match="at least one feature"):
        load_table(path=tmp_path / "t.csv", label="y", cache_dir=cache, progress=False)
    (tmp_path / "s.yaml").write_text("lable: y\n")
    with pytest.raises(ConfigError, match="unknown key"):
        load_table(path=tmp_path / "t.csv", spec=tmp_path / "s.yaml", cache_dir=cache, progress=False)


# -- hostile tables: each fails in one line naming the file, line and column, or reads right ------------
def test_duplicate_declared_column_in_the_header(tmp_path, cache):
    (tmp_path / "t.csv").write_text("y,a,b,a\n1,x,1,p\n0,y,2,q\n")
    with pytest.raises(DataFormatError, match=r"t.csv, line 1: column 'a' appears 2 times in the header "
                                              r"\(columns 2, 4\)"):
        load_table(path=tmp_path / "t.csv", label="y", categorical="a", cache_dir=cache, progress=False)
    assert encoded_entries(cache) == []
    # a duplicate nobody reads is harmless
    ds = load_table(path=tmp_path / "t.csv", label="y", categorical="b", cache_dir=cache, progress=False)
    assert ds.vocabularies["b"][1:] == ["1", "2"]


def test_duplicate_declared_column_in_parquet(tmp_path, cache):
    pq.write_table(pa.table([pa.array([0, 1]), pa.array(["x", "y"]), pa.array(["p", "q"])], names=["y", "a", "a"]),
                   tmp_path / "t.parquet")
    with pytest.raises(DataFormatError, match=r"t.parquet: column 'a' appears 2 times"):
        load_table(path=tmp_path / "t.parquet", label="y", categorical="a", cache_dir=cache, progress=False)


@pytest.mark.parametrize("tab", ["\t", "\\t", "tab"])
def test_tab_delimiter_spellings(tmp_path, cache, tab):
    (tmp_path / "t.txt").write_text("y\ta\n1\tx\n0\ty\n1\tx\n")
    ds = load_table(path=tmp_path / "t.txt", label="y", categorical="a", delimiter=tab, cache_dir=cache, progress=False)
    assert ds.labels.tolist() == [1, 0, 1] and ds.manifest["options"]["delimiter"] == "\t"


def test_bad_delimiter_and_separator_name_the_option_or_the_spec(tmp_path, cache):
    (tmp_path / "t.csv").write_text("y,a\n1,x\n")
    with pytest.raises(OptionError, match=r"table: option delimiter: expected one character.*got ';;'"):
        load_table(path=tmp_path / "t.csv", label="y", categorical="a", delimiter=";;", cache_dir=cache)
    spec = tmp_path / "s.yaml"
    spec.write_text("label: y\ncategorical: a\ndelimiter: '||'\n")
    with pytest.raises(OptionError, match=r"s.yaml: delimiter: expected one character"):
        load_table(path=tmp_path / "t.csv", spec=spec, cache_dir=cache)
    with pytest.raises(OptionError, match=r"table: option multi_sep: expected a separator string"):
        load_table(path=tmp_path / "t.csv", label="y", multi="a", multi_sep=["", ""], cache_dir=cache)
    spec.write_text("label: y\nnumeric: {a: 1}\n")
    with pytest.raises(OptionError, match=r"s.yaml: numeric: expected a column name or a list of column names"):
        load_table(path=tmp_path / "t.csv", spec=spec, cache_dir=cache)
    spec.write_text("label: y\nnumeric: 5\n")  # a number is a column name, which this header lacks
    with pytest.raises(DataFormatError, match=r"t.csv, line 1: missing column\(s\) '5'"):
        load_table(path=tmp_path / "t.csv", spec=spec, cache_dir=cache)


def test_no_path_is_one_clear_error(cache):
    with pytest.raises(OptionError, match=r"table: no data given; expected path= \(--path"):
        load_table(label="y", categorical="a", cache_dir=cache)


def test_spaces_around_numbers_read_as_the_numbers(tmp_path, cache):
    (tmp_path / "plain.csv").write_text("y,p\n1,3\n0,12.5\n1,-4\n0,\n")
    (tmp_path / "spaced.csv").write_text("y,p\n1, 3 \n0,12.5 \n1,\t-4\n0,\n")
    plain, spaced = (load_table(path=tmp_path / n, label="y", numeric="p", cache_dir=cache, progress=False)
                     for n in ("plain.csv", "spaced.csv"))
    assert np.array_equal(plain.ids, spaced.ids) and plain.vocabularies == spaced.vocabularies
    (tmp_path / "bad.csv").write_text("y,p\n1, 3 \n0,1_000\n")
    with pytest.raises(DataFormatError, match=r"bad.csv, line 3: column 'p': expected a number, got '1_000'"):
        load_table(path=tmp_path / "bad.csv", label="y", numeric="p", cache_dir=cache, progress=False)


def test_byte_order_mark_is_not_part_of_the_first_column(tmp_path, cache):
    text = "y,a\n1,x\n0,y\n1,x\n"
    (tmp_path / "plain.csv").write_text(text)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    plain, bom = (load_table(path=tmp_path / n, label="y", categorical="a", cache_dir=cache, progress=False)
                  for n in ("plain.csv", "bom.csv"))
    assert np.array_equal(plain.ids, bom.ids) and np.array_equal(plain.labels, bom.labels)


@pytest.mark.parametrize("block_bytes", [None, 16])  # the bad line in the first block, or in a later one
def test_non_utf8_names_the_file_line(tmp_path, cache, block_bytes):
    lines = [b"y,a,b", b"1,x,p", b"0,y,q", b"1,z,q", b"0,w,\xff\xfe", b"1,x,p"]
    (tmp_path / "t.csv").write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(DataFormatError) as err:
        load_table(path=tmp_path / "t.csv", label="y", categorical="a", cache_dir=cache, progress=False,
                   block_bytes=block_bytes)
    assert "t.csv, line 5: not UTF-8 text (byte 0xff at position 5, column 3 ('b')); save the file as UTF-8" \
        in str(err.value)
    (tmp_path / "h.csv").write_bytes(b"y,\xe9t\xe9\n1,x\n")
    with pytest.raises(DataFormatError, match=r"h.csv, line 1: not UTF-8 text"):
        load_table(path=tmp_path / "h.csv", label="y", categorical="a", cache_dir=cache, progress=False)
