"""Avazu: header / header-less / BARS layouts, the hour split, bad hours."""

from __future__ import annotations

import numpy as np
import pytest
from datahelpers import encoded_entries

from sseds_study.data.avazu import RAW_COLUMNS, detect_layout, load_avazu
from sseds_study.errors import DataFormatError

HEADER = ",".join(RAW_COLUMNS)


def avazu_rows(n, seed=0, hour="14102100"):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        rest = [f"v{int(rng.integers(0, 4))}" for _ in RAW_COLUMNS[3:]]
        rows.append(",".join([str(10**18 + i), str(int(rng.random() < 0.2)), hour, *rest]))
    return rows


def test_layouts(tmp_path):
    (tmp_path / "h.csv").write_text("\n".join([HEADER, *avazu_rows(3)]) + "\n")
    (tmp_path / "n.csv").write_text("\n".join(avazu_rows(3)) + "\n")
    (tmp_path / "b.csv").write_text("label,feat_1,feat_2\n1,a,b\n")
    assert detect_layout(tmp_path / "h.csv")[0] == "raw"
    assert detect_layout(tmp_path / "n.csv")[0] == "noheader"
    assert detect_layout(tmp_path / "b.csv") == ("bars", ("label", "feat_1", "feat_2"))


def test_header_and_headerless_splits(tmp_path, cache):
    (tmp_path / "train.csv").write_text("\n".join([HEADER, *avazu_rows(60)]) + "\n")
    (tmp_path / "valid.csv").write_text("\n".join(avazu_rows(10, 1, hour="14102223")) + "\n")
    (tmp_path / "test.csv").write_text("\n".join(avazu_rows(10, 2, hour="14102605")))  # no final newline
    ds = load_avazu(path=tmp_path, cache_dir=cache, progress=False)
    assert ds.manifest["rows"] == {"train": 60, "valid": 10, "test": 10}
    assert ds.num_fields == 23 and "id" not in ds.field_names and "hour" not in ds.field_names
    assert ds.manifest["options"]["min_count"] == 2
    # 2014-10-21 is a Tuesday (1); valid rows come on 2014-10-22 (2) at 23h: unseen in train -> OOV
    assert ds.vocabularies["weekday"] == ["<OOV>", "1"] and ds.vocabularies["hour_of_day"] == ["<OOV>", "00"]
    wd = ds.field_names.index("weekday")
    assert (ds.ids[ds.split == 1, wd] == 0).all()


def test_bad_hour(tmp_path, cache):
    rows = avazu_rows(6)
    rows[4] = rows[4].replace("14102100", "141021", 1)
    (tmp_path / "a.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(DataFormatError) as err:
        load_avazu(path=tmp_path / "a.csv", cache_dir=cache, progress=False)
    msg = str(err.value)
    assert "a.csv" in msg and "line 6" in msg and "YYMMDDHH" in msg and "'141021'" in msg
    assert encoded_entries(cache) == []


def test_impossible_date(tmp_path, cache):
    rows = avazu_rows(4, hour="14023100")  # 31 February
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n")
    with pytest.raises(DataFormatError, match="line 1: column 'hour'"):
        load_avazu(path=tmp_path / "a.csv", cache_dir=cache, progress=False)


def test_wrong_column_count(tmp_path, cache):
    rows = avazu_rows(5)
    rows[2] += ",extra"
    (tmp_path / "a.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(DataFormatError, match=r"a.csv, line 4: expected 24 columns.*got 25"):
        load_avazu(path=tmp_path / "a.csv", cache_dir=cache, progress=False)
