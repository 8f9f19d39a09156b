"""The journal and the results table."""

from __future__ import annotations

import pandas as pd

from sseds_study import study as st


def test_table_keeps_only_the_current_profile_runs(tmp_path):
    rows = {"a": {"key": "a", "dataset": "d", "model": "FM", "method": "sseds", "budget": 0.1, "seed": 0},
            "old": {"key": "old", "dataset": "d", "model": "FM", "method": "uniform", "budget": 0.05, "seed": 0}}
    df = st.write_table(tmp_path, rows, keep={"a"})
    assert list(df["key"]) == ["a"]
    assert list(pd.read_csv(tmp_path / st.RESULTS_FILE)["key"]) == ["a"]


