"""The efficiency chapter's tables (analysis/efficiency_tables.py)."""

from __future__ import annotations

import pandas as pd

from sseds_study.analysis.efficiency_tables import THRESHOLD_COLUMN, selection_table


def test_selection_table_puts_the_threshold_settings_in_one_cell():
    selection = pd.DataFrame({
        "stage": ["1_schedule", "1_schedule"], "granularity": ["dim", "dim"], "threshold_init": [-10.0, -8.0],
        "threshold_lr": [0.02, 0.05], "threshold_weight_decay": [0.01, 0.01], "weight_decay": [0.0003, 1e-05],
        "models": [3, 3], "reached_all": [True, False], "search_epochs": [20.0, 13.67], "final_kept": [0.0499, 0.2],
        "valid_auc@0.2": [0.7867, 0.78], "score": [0.7834, float("nan")]})
    table = selection_table(selection)
    cells = table.cells
    assert list(cells.columns) == ["stage", "granularity", THRESHOLD_COLUMN, "weight decay", "reached all", "epochs",
                                   "kept at the end", "AUC @ 0.2", "score"]
    assert list(cells[THRESHOLD_COLUMN]) == ["-10, 0.02, 0.01", "-8, 0.05, 0.01"]
    assert list(cells["weight decay"]) == ["0.0003", "1e-05"]  # small decays keep every digit
    assert list(cells["score"]) == ["0.7834", "–"]


def test_selection_table_without_candidates_is_empty():
    assert selection_table(pd.DataFrame()).cells.empty
