"""Criteo's file formats, told from the first line."""

from __future__ import annotations

import pytest
from datahelpers import write_criteo

from sseds_study.data.criteo.layout import CAT_FIELDS, INT_FIELDS, detect_format
from sseds_study.errors import DataFormatError

KAGGLE_HEADER = ",".join(["Id", "Label", *INT_FIELDS, *CAT_FIELDS])
BARS_HEADER = ",".join(["label", *INT_FIELDS, *CAT_FIELDS])


def test_detect_format(tmp_path):
    assert detect_format(write_criteo(tmp_path / "a.txt", 3)) == "dac"
    assert detect_format(write_criteo(tmp_path / "b.csv", 3, sep=",", header=KAGGLE_HEADER)) == "kaggle"
    assert detect_format(write_criteo(tmp_path / "c.csv", 3, sep=",", header=BARS_HEADER)) == "bars"
    (tmp_path / "d.csv").write_text("a;b;c\n")
    with pytest.raises(DataFormatError, match="cannot tell the Criteo format"):
        detect_format(tmp_path / "d.csv")

