"""The landing page reads the claims' one evidence: its counts, ranges and detectable differences."""

from __future__ import annotations

import pandas as pd

from sseds_study.analysis.claims_summary import headline_counts, loss_range, mdd_list
from sseds_study.analysis.tables import number


def test_headline_counts_add_up_over_datasets():
    summary = pd.DataFrame({"better": [0, 0], "worse": [4, 0], "indistinguishable": [12, 8], "cells": [16, 8]})
    assert headline_counts(summary) == {"headline_relation": "never better than", "headline_cells": "24",
                                        "headline_counts": "worse in 4 and indistinguishable in 20"}
    assert headline_counts(summary.assign(better=[1, 0]))["headline_relation"] == "better in 1 of 24 cells than"
    assert headline_counts(pd.DataFrame())["headline_counts"] == "none"


def test_loss_range_spans_the_cells_and_skips_missing():
    cells = pd.DataFrame({"difference": [-0.0116, float("nan"), -0.005]})
    # the table's number format, whatever sign character it uses
    assert loss_range(cells) == f"{number(-0.0116, signed=True)} to {number(-0.005, signed=True)}"
    assert loss_range(cells).startswith(number(-0.0116, signed=True))
    assert loss_range(pd.DataFrame({"difference": [float("nan")]})) == "–"


def test_mdd_list_names_each_design():
    mdd = pd.DataFrame({"seeds": [2, 10], "pooled": [0.0497, 0.005]})
    assert mdd_list(mdd) == "0.0497 AUC with 2 seeds; 0.0050 AUC with 10 seeds"
