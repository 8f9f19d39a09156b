"""User tables: csv / tsv / parquet, declared columns, YAML spec, labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from datahelpers import encoded_entries

from sseds_study.data.table import load_table
from sseds_study.errors import ConfigError, DataFormatError


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
