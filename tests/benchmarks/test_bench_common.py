"""benchmarks/common.py: the helpers the benchmarks share."""

from __future__ import annotations

import common


def test_median_run_keeps_every_speed_and_the_largest_memory():
    runs = [{"rows_per_s": 300.0, "peak_rss_mib": 500.0, "seconds": 3.0, "wall_s": 5.0},
            {"error": "timed out after 420 s", "wall_s": 420.0},
            {"rows_per_s": 100.0, "peak_rss_mib": 700.0, "seconds": 9.0, "wall_s": 11.0},
            {"rows_per_s": 200.0, "peak_rss_mib": 600.0, "seconds": 4.5, "wall_s": 6.0}]
    row = common.median_run(runs)
    assert row["rows_per_s"] == 200.0 and row["seconds"] == 4.5  # the median run's own numbers
    assert row["runs_rows_per_s"] == [300.0, 100.0, 200.0]
    assert row["peak_rss_mib"] == 700.0 and row["wall_s"] == 442.0
    assert common.median_run(runs[:1] + runs[2:3])["rows_per_s"] == 100.0  # even count: the lower middle
    assert common.median_run(runs[1:2]) == runs[1]  # nothing finished: the error
