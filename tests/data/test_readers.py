"""Delimited text readers: line numbers are the file's physical lines, headers are read whole however
long, a compressed or UTF-16 file is named for what it is, and a numeric value must be finite."""

from __future__ import annotations

import gzip
import time

import numpy as np
import pytest

from sseds_study.data.encode import encode_stream
from sseds_study.data.raw import RawField
from sseds_study.data.readers import first_line, iter_delimited
from sseds_study.data.table import load_table
from sseds_study.errors import DataFormatError


def _table(tmp_path, cache, text, name="t.csv", **kwargs):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    kwargs = {"label": "y", "categorical": ["user", "note"], **kwargs}
    return load_table(path=path, cache_dir=cache, progress=False, **kwargs)


# -- line numbers count lines, not records ----------------------------------------------------------------
QUOTED = 'y,user,note\n0,u1,n1\n1,u2,n2\n0,u3,n3\n1,u4,n4\n1,u5,"two\nlines"\n0,u6,n6\n1,u7,n7\n'


@pytest.mark.parametrize("block_bytes", [None, 64])
def test_a_short_row_after_a_field_spanning_lines_is_named_by_its_line(tmp_path, cache, block_bytes):
    with pytest.raises(DataFormatError, match=r"t.csv, line 10: expected 3 columns \(as many as the header\), "
                                              r"got 2"):
        _table(tmp_path, cache, QUOTED + "0,u8\n1,u9,n9\n", block_bytes=block_bytes)


@pytest.mark.parametrize("bad, expected", [
    ("1,u9,n9\n2,u10,n10\n", 11),  # after a field spanning two lines
    ("\n\n1,u9,n9\n2,u10,n10\n", 13),  # and empty lines, which hold no row
])
def test_a_bad_label_after_a_field_spanning_lines_or_empty_lines_is_named_by_its_line(tmp_path, cache, bad,
                                                                                         expected):
    with pytest.raises(DataFormatError, match=rf"t.csv, line {expected}: label column 'y': expected 0 or 1 \(or "
                                              r"true/false\), got '2'"):
        _table(tmp_path, cache, QUOTED + bad)


def test_a_bad_number_after_empty_lines_is_named_by_its_line(tmp_path, cache):
    text = "y,user,p\n1,a,3\n\n\n0,b,4\n1,c,x5\n"
    with pytest.raises(DataFormatError, match=r"t.csv, line 6: column 'p': expected a number, got 'x5'"):
        _table(tmp_path, cache, text, categorical=["user"], numeric=["p"])


def test_a_field_spanning_lines_is_read_whole(tmp_path, cache):
    assert len(_table(tmp_path, cache, QUOTED)) == 7
    chunks = list(iter_delimited(tmp_path / "t.csv", names=["y", "user", "note"], delimiter=",", header=True,
                                 label="y"))
    assert [v for c in chunks for v in c.columns["note"].to_pylist()][4] == "two\nlines"


# -- a header longer than any buffer ---------------------------------------------------------------------
def _wide(tmp_path, columns=10_000, rows=20):
    names = ["y"] + [f"column_{i:05d}" for i in range(columns)]
    lines = [",".join(names)] + [",".join([str(r % 2)] + [f"v{(r + i) % 3}" for i in range(columns)])
                                 for r in range(rows)]
    (tmp_path / "wide.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "wide.csv", names


def test_a_header_longer_than_64_kib_is_read_whole(tmp_path, cache):
    path, names = _wide(tmp_path)
    assert len(first_line(path)) > 1 << 16 and first_line(path).split(",") == names
    ds = load_table(path=path, label="y", categorical=["column_09999", "column_00001"], cache_dir=cache,
                    progress=False)
    assert len(ds) == 20 and ds.field_names == ["column_09999", "column_00001"]


def test_a_missing_column_of_a_wide_header_is_one_short_line(tmp_path, cache):
    path, _ = _wide(tmp_path)
    with pytest.raises(DataFormatError) as exc:
        load_table(path=path, label="y", categorical=["nope"], cache_dir=cache, progress=False)
    assert str(exc.value).endswith("wide.csv, line 1: missing column(s) 'nope'; the header has 10,001 column(s): y, "
                                   "column_00000, column_00001, column_00002, column_00003, column_00004, "
                                   "column_00005, column_00006, column_00007, column_00008, column_00009, "
                                   "column_00010, ... (9,989 more)")


# -- not text --------------------------------------------------------------------------------------------
def test_a_gzipped_csv_is_called_compressed_not_bad_utf8(tmp_path, cache):
    data = gzip.compress(b"y,user,note\n1,a,b\n0,c,d\n")
    with pytest.raises(DataFormatError, match=r"t.csv: compressed \(gzip\); decompress it first \(gunzip\)"):
        _table(tmp_path, cache, data)
    (tmp_path / "noheader.csv").write_bytes(data)
    with pytest.raises(DataFormatError, match=r"noheader.csv: compressed \(gzip\)"):
        list(iter_delimited(tmp_path / "noheader.csv", names=["y", "a", "b"], delimiter=",", header=False, label="y"))


def test_a_utf16_csv_is_called_utf16(tmp_path, cache):
    with pytest.raises(DataFormatError, match=r"t.csv: UTF-16 text; save it as UTF-8"):
        _table(tmp_path, cache, "y,user,note\n1,a,b\n".encode("utf-16"))


# -- numbers must be finite ------------------------------------------------------------------------------
@pytest.mark.parametrize("value, note", [("inf", ""), ("-inf", ""), ("Infinity", ""), ("nan", ""),
                                         ("1e309", " (too large for a 64-bit float)"),
                                         ("-1e400", " (too large for a 64-bit float)")])
def test_a_numeric_value_that_is_not_finite_is_refused_naming_line_and_column(tmp_path, cache, value, note):
    text = f"y,user,p\n1,a,3\n0,b,{value}\n1,c,5\n"
    with pytest.raises(DataFormatError) as exc:
        _table(tmp_path, cache, text, categorical=["user"], numeric=["p"])
    assert str(exc.value).endswith(f"t.csv, line 3: column 'p': expected a finite number, got {value!r}{note}")


def test_a_huge_finite_number_has_a_bucket(tmp_path, cache):
    ds = _table(tmp_path, cache, "y,user,p\n1,a,1e308\n0,b,3\n1,c,1e308\n", categorical=["user"], numeric=["p"])
    assert ds.vocab_sizes[1] >= 2


def test_an_integer_beyond_64_bits_is_refused_naming_the_row():
    from sseds_study.data.readers import frame_chunks

    vals = np.array(["1", "5", "99999999999999999999", "3"], dtype=object)
    stream = lambda: frame_chunks({"n": vals}, np.zeros(4), path="f.txt")  # noqa: E731
    with pytest.raises(DataFormatError, match=r"f.txt, line 3: column 'n': expected an integer that fits in 64 bits, "
                                              r"got '99999999999999999999'"):
        encode_stream(stream, [RawField("n", "numeric", integer=True)], progress=False)


def test_a_huge_cell_is_quoted_short(tmp_path, cache):
    text = "y,user\n1,a\n" + "x" * 1_000_000 + ",b\n"
    start = time.perf_counter()
    with pytest.raises(DataFormatError) as exc:
        _table(tmp_path, cache, text, categorical=["user"])
    assert len(str(exc.value)) < 400 and time.perf_counter() - start < 5
