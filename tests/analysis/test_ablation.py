"""Chapter 05's variants table: the default settings' AUC first, then each variant's paired change
with its interval and verdict mark, a column per dataset and budget."""

from __future__ import annotations

import pandas as pd

from sseds_study.analysis.ablation import DEFAULT_ROW, variants_table
from sseds_study.analysis.tables import MARKS


def test_variants_table():
    agg = pd.DataFrame([{"dataset": d, "model": "FM", "method": "sseds", "budget": b, "variant": "default",
                         "test_auc_mean": 0.75, "test_auc_ci95": 0.01} for d in ("a", "b") for b in (0.1, 0.2)])
    verdicts = pd.DataFrame([{"dataset": d, "model": "FM", "method": "sseds", "budget": b, "variant": v, "n": 3,
                              "change": c, "ci95": 0.002, "verdict": verdict}
                             for d in ("a", "b") for b in (0.1, 0.2)
                             for v, c, verdict in (("init=inherit", -0.01, "worse"),
                                                   ("estimator=fisher", 0.0, "indistinguishable"))])
    table = variants_table(verdicts, agg, seeds=3)
    cells = table.cells
    assert list(cells.columns) == ["variant", "a, b = 0.2", "a, b = 0.1", "b, b = 0.2", "b, b = 0.1"]
    assert cells["variant"].tolist() == [DEFAULT_ROW, "estimator=fisher", "init=inherit"]
    assert cells.loc[0, "a, b = 0.2"] == "0.7500 ± 0.0100"  # the default's AUC, unsigned, no mark
    assert cells.loc[2, "b, b = 0.1"] == f"-0.0100 ± 0.0020 {MARKS['worse']}"
    assert cells.loc[1, "a, b = 0.1"] == f"+0.0000 ± 0.0020 {MARKS['indistinguishable']}"
