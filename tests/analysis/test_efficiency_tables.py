"""The efficiency chapter's tables (analysis/efficiency_tables.py)."""

from __future__ import annotations

import pandas as pd

from sseds_study.analysis.efficiency_tables import selection_table
from sseds_study.analysis.tables import MAX_COLUMNS


def test_selection_table_has_a_column_per_setting_and_stage_names_in_words():
    selection = pd.DataFrame({
        "stage": ["1_schedule", "1_schedule"], "granularity": ["dim", "dim"], "threshold_init": [-10.0, -8.0],
        "threshold_lr": [0.02, float("nan")], "threshold_weight_decay": [0.01, 0.01], "weight_decay": [0.0003, 1e-05],
        "models": [3, 3], "reached_all": [True, False], "search_epochs": [20.0, 13.67], "final_kept": [0.0499, 0.2],
        "valid_auc@0.2": [0.7867, 0.78], "score": [0.7834, float("nan")]})
    table = selection_table(selection)
    cells = table.cells
    assert list(cells.columns) == ["stage", "granularity", "threshold s₀", "learning rate of s", "decay of s",
                                   "weight decay", "search epochs", "score"]
    assert len(cells.columns) <= MAX_COLUMNS and table.note
    assert list(cells["threshold s₀"]) == ["-10", "-8"] and list(cells["learning rate of s"]) == ["0.02", "–"]
    assert list(cells["weight decay"]) == ["0.0003", "1e-05"]  # small decays keep every digit
    assert list(cells["score"]) == ["0.7834", "–"]
    assert table.shown()["stage"].tolist() == ["1. threshold schedule", ""]


def test_selection_table_without_candidates_is_empty():
    assert selection_table(pd.DataFrame()).cells.empty
