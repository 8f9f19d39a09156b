"""Chapter 04's tables of every method: what each method is, and its results a row per method.

A table with a column per method runs to eleven columns once the full model and the keys stand
beside nine methods, too wide for the book's text column (``tables.MAX_COLUMNS``). Here the methods
are the rows and the cells (base model × budget) the columns, so the width grows with the design the
profile runs (three models at two budgets: six columns), not with the registry; a design with more
cells than fit moves the budget into the rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from ..study.methods import get_method
from .tables import MAX_COLUMNS, BookTable, compact_table, key_text, plain_table

# The column a cell of a base model at a budget is shown in (``by_method_table``).
CELL = "cell"


def method_definitions(methods: Sequence[str]) -> BookTable:
    """A row per method of ``methods`` (registry ids, in the order given): what it does (its registry
    description), whether it needs the pretrained full model and whether it runs a search of its own
    (``Method.reads_pretrained``, ``Method.role``): the chapter's definitions, read from the registry
    so that a new method is described where it is registered."""
    rows = []
    for name in methods:
        method = get_method(name)
        pretrained = ("it is the pretrained model" if method.evaluation == "pretrained"
                      else "yes" if method.reads_pretrained else "no")
        text = f"{method.description} [{method.reference}]" if method.reference else method.description
        rows.append({"method": name, "description": text, "reads_pretrained": pretrained,
                     "searches": "yes" if method.role == "search" else "no"})
    table = plain_table(pd.DataFrame(rows, columns=["method", "description", "reads_pretrained", "searches"]),
                        keys=["method"],
                        note="The methods of this chapter, with SSEDS's default settings (each slim model trained "
                             "from a new initialisation). Pretraining: the method reads the full model trained on the "
                             "same seed. Search: the method chooses by a search (scoring passes over the pretrained "
                             "model, or a training run with learned thresholds or gates) rather than by a fixed rule. "
                             "In brackets: where a method of the field's comparison comes from.")
    table.left = ("description",)
    return table


def cell_name(model: str, budget: float) -> str:
    """A column of a base model at a budget: 'FM, b = 0.2'."""
    return f"{model}, b = {budget:g}"


def by_method_table(long: pd.DataFrame, *, value: str, methods: Sequence[str], orders: Mapping[str, Sequence],
                    half: str | None = None, best: str | None = "max", best_among: Sequence[str] | None = None,
                    digits: int = 4, note: str = "") -> BookTable:
    """A row per dataset and method, a column per base model and budget (``cell_name``); with more
    cells than fit beside the keys (``MAX_COLUMNS``), a row per dataset, budget and method and a column
    per base model. long: one row per dataset, model, budget and method with ``value`` (and ``half``,
    its 95% half-width); orders: {'model': ..., 'budget': ...} in column order; best: 'max' or 'min'
    to set the best entry of each column (within a dataset) in bold among ``best_among`` (default: all
    of ``methods``)."""
    if long.empty:
        return compact_table(long, index=["dataset", "method"], columns=CELL, value=value, note=note)
    models = [m for m in orders.get("model", []) if m in set(long["model"])]
    models += [m for m in dict.fromkeys(long["model"]) if m not in models]
    budgets = [b for b in orders.get("budget", []) if b in set(long["budget"])]
    budgets += [b for b in dict.fromkeys(long["budget"]) if b not in budgets]
    wide = len(models) * len(budgets) <= MAX_COLUMNS - 2  # dataset and method beside them
    if wide:
        index = ["dataset", "method"]
        long = long.assign(**{CELL: [cell_name(m, b) for m, b in zip(long["model"], long["budget"], strict=True)]})
        columns = [cell_name(m, b) for m in models for b in budgets]
    else:
        index = ["dataset", "budget", "method"]
        long = long.assign(**{CELL: long["model"]})
        columns = models
    table = compact_table(long, index=index, columns=CELL, value=value, half=half, order=columns,
                          orders={**orders, "method": list(methods)}, best=None, digits=digits, note=note)
    if best in ("max", "min"):
        table.bold = column_best(table, long, index, value, best, list(best_among or methods), digits)
    return table


def column_best(table: BookTable, long: pd.DataFrame, index: Sequence[str], value: str, best: str,
                among: Sequence[str], digits: int) -> pd.DataFrame:
    """Which cells of a ``by_method_table`` hold the best value of their column within a group of rows
    (the keys before the method), as shown (rounded); none where the competitors are all equal."""
    groups = index[:-1]
    # The grouping keys as they are, not blanked where they repeat (``tables._sparse``).
    keys = pd.DataFrame({k: table.cells[k].replace("", math.nan).ffill() for k in groups})
    bold = pd.DataFrame(False, index=table.cells.index, columns=table.cells.columns)
    source = long.assign(**{k: long[k].map(key_text) for k in groups})
    for column in table.cells.columns[len(index):]:
        for group, rows in keys.groupby(list(groups), sort=False):
            group = group if isinstance(group, tuple) else (group,)
            match = source[(source[CELL] == column) & source["method"].isin(among)]
            for k, g in zip(groups, group, strict=True):
                match = match[match[k] == g]
            shown = match.set_index("method")[value].dropna().round(digits)
            if shown.nunique() < 2:
                continue
            winners = set(shown[shown == (shown.max() if best == "max" else shown.min())].index)
            for i in rows.index:
                bold.at[i, column] = table.cells.at[i, "method"] in winners
    return bold

