"""Frappe in libsvm (global feature ids) and csv form."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data.frappe import FIELDS, detect_format, load_frappe
from sseds_study.errors import DataFormatError


def libsvm_rows(n, seed=0):
    rng = np.random.default_rng(seed)
    offsets = np.cumsum([0, 5, 7, 3, 3, 2, 2, 2, 2, 3])  # field k owns global ids offsets[k]..
    rows = []
    for _ in range(n):
        toks = [f"{int(off + rng.integers(0, 2))}:1" for off in offsets]
        rows.append(" ".join([str(int(rng.random() < 0.33)), *toks]))
    return rows


def test_libsvm_global_ids_become_per_field_ids(tmp_path, cache):
    (tmp_path / "f.libsvm").write_text("\n".join(libsvm_rows(200)) + "\n")
    ds = load_frappe(path=tmp_path / "f.libsvm", cache_dir=cache, progress=False)
    assert ds.field_names == list(FIELDS) and len(ds) == 200
    assert ds.vocab_sizes == [3] * 10  # two values per field + OOV
    assert set(ds.vocabularies["item"][1:]) == {"5", "6"}  # global ids of field 2, kept as raw values
    assert ds.ids.min() >= 0 and ds.ids.max() <= 2


def test_csv_form(tmp_path, cache):
    text = "label," + ",".join(FIELDS) + "\n" + "\n".join(
        f"{i % 2}," + ",".join(f"{f}{i % 3}" for f in FIELDS) for i in range(30)) + "\n"
    (tmp_path / "f.csv").write_text(text)
    assert detect_format(tmp_path / "f.csv") == "csv"
    ds = load_frappe(path=tmp_path / "f.csv", cache_dir=cache, progress=False)
    assert ds.num_fields == 10 and len(ds) == 30


def test_train_and_valid_only(tmp_path, cache):
    (tmp_path / "a.libsvm").write_text("\n".join(libsvm_rows(40)) + "\n")
    (tmp_path / "b.libsvm").write_text("\n".join(libsvm_rows(20, 1)) + "\n")
    ds = load_frappe(train=tmp_path / "a.libsvm", valid=tmp_path / "b.libsvm", cache_dir=cache, progress=False)
    assert ds.manifest["rows"] == {"train": 40, "valid": 20, "test": 0}


def test_bad_token(tmp_path, cache):
    rows = libsvm_rows(5)
    rows[3] = rows[3].replace(" 5:1", " five", 1).replace(" 6:1", " five", 1)
    (tmp_path / "f.libsvm").write_text("\n".join(rows) + "\n")
    with pytest.raises(DataFormatError, match=r"f.libsvm, line 4: field 'item': expected a libsvm token"):
        load_frappe(path=tmp_path / "f.libsvm", cache_dir=cache, progress=False)
