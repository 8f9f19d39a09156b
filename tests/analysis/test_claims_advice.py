"""Practical advice from the result tables (analysis/claims_advice.py)."""

from __future__ import annotations

import dataclasses

import pandas as pd

from sseds_study.analysis import claims_advice as c
from sseds_study.config import SearchConfig

SEARCH = {f"search_{f.name}": getattr(SearchConfig(), f.name) for f in dataclasses.fields(SearchConfig)}


def _row(method, budget, seed, auc, dataset="d", model="FM"):
    return {"dataset": dataset, "model": model, "method": method, "budget": budget, "seed": seed, "status": "ok",
            "test_auc": auc, "achieved_budget": budget, "rows": 1000, **SEARCH}


# -- the rule ----------------------------------------------------------------------------------------------

def test_practical_advice_derived_from_the_table():
    rows = []
    for s in range(3):
        # budget 0.2: SSEDS leads uniform by exactly 0.01 every seed (a distinguishable lead);
        # budget 0.1: SSEDS leads by a noisy 0.0005 (within the noise): uniform is advised.
        rows += [_row("uniform", 0.2, s, 0.78 + s / 100), _row("sseds", 0.2, s, 0.79 + s / 100),
                 _row("random", 0.2, s, 0.70 + s / 100)]
        rows += [_row("uniform", 0.1, s, 0.78 + s / 100), _row("sseds", 0.1, s, 0.78 + s / 100 + (0.003, -0.002, 0.0005)[s])]
    advice = c.practical_advice(pd.DataFrame(rows), budgets=[0.2, 0.1]).set_index("budget")
    assert advice.loc[0.2, "best"] == "sseds" and advice.loc[0.2, "runner_up"] == "uniform"
    assert advice.loc[0.2, "cheapest_verdict"] == "better" and advice.loc[0.2, "advice"] == "sseds"
    assert advice.loc[0.1, "best"] == "sseds" and advice.loc[0.1, "cheapest_verdict"] == "indistinguishable"
    assert advice.loc[0.1, "advice"] == "uniform"
    text = c.advice_text(advice.reset_index())
    assert text["advice_cheapest"] == "1 of 2" and text["advice_cells"] == "2"


def test_advise_rule():
    assert c.advise("uniform", "–") == "uniform"
    assert c.advise("sseds", "better") == "sseds"
    assert c.advise("sseds", "indistinguishable") == "uniform"
    assert c.advise("sseds", "–") == "sseds"  # no uniform run to compare with


def test_advice_table_marks_each_lead_and_fits_the_page():
    rows = []
    for s in range(3):
        rows += [_row("uniform", 0.2, s, 0.78 + s / 100), _row("sseds", 0.2, s, 0.79 + s / 100)]
        rows += [_row("uniform", 0.1, s, 0.78 + s / 100), _row("sseds", 0.1, s, 0.78 + s / 100 + (0.003, -0.002, 0.0005)[s])]
    table = c.advice_table(c.practical_advice(pd.DataFrame(rows), budgets=[0.2, 0.1]))
    cells = table.cells
    # one column per lead, its verdict as a mark, no column of verdict words
    assert list(cells.columns) == ["dataset", "budget", "model", "best", "its AUC", "runner-up", "lead on runner-up",
                                   "lead on uniform", "advice"]
    assert list(cells["lead on uniform"]) == ["+0.0005 ·", "+0.0100 ▲"]  # budgets ascending
    assert list(cells["advice"]) == ["uniform", "sseds"]
    html = table._repr_html_()
    assert "+0.0100\u00a0▲" in html  # the mark never wraps away from its number
    assert "▲ distinguishable" in table.note
