"""The tables chapter 06 shows, for reading (``analysis.tables``), built from its frames of numbers
(``analysis.efficiency``): methods as columns, dataset and model as rows, no index."""

from __future__ import annotations

import pandas as pd

from ..study.methods import METHODS
from .tables import BookTable, compact_table, plain_table

ROWS = ["dataset", "model"]
SELECTION_COLUMNS = {"threshold_init": "threshold s₀", "threshold_lr": "learning rate of s",
                     "threshold_weight_decay": "decay of s", "weight_decay": "weight decay",
                     "search_epochs": "search epochs"}
# A method whose search another method's run already is: its cost and bytes are that method's
# (prune_only deploys SSEDS's widths after SSEDS's search; pep_fresh retrains PEP's mask), so the cost
# and size tables leave it out rather than repeat a column.
SAME_SEARCH = {"prune_only": "sseds", "pep_fresh": "pep"}


SAME_SEARCH_NOTE = ("SSEDS without retraining and PEP from a fresh initialisation are not shown: their search is "
                    "SSEDS's and PEP's.")


def cost_tables(costs: pd.DataFrame, orders) -> tuple[BookTable, BookTable]:
    """The search cost per method in pretraining epochs: in time (mean ± 95% half-width over seeds) and
    in forward-and-backward passes (the same on every machine)."""
    order = [m for m in METHODS if m not in SAME_SEARCH]
    time = compact_table(costs, index=ROWS, columns="method", value="epoch_fraction_mean",
                         half="epoch_fraction_ci95", order=order, orders=orders, best=None,
                         note="Search time as a fraction of one pretraining epoch of the same model, mean over seeds "
                              "± its 95% half-width. " + SAME_SEARCH_NOTE)
    passes = compact_table(costs, index=ROWS, columns="method", value="pass_fraction_mean", order=order,
                           orders=orders, best=None, digits=3,
                           note="Forward-and-backward passes of the search over the batches of one epoch. "
                                + SAME_SEARCH_NOTE)
    return time, passes


def deployed_table(sizes: pd.DataFrame, orders) -> BookTable:
    """Deployed embedding bytes as a fraction of the full model's, per method (columns), the smallest
    of each row in bold."""
    return compact_table(sizes, index=[*ROWS, "budget"], columns="method", value="vs_full",
                         order=[m for m in METHODS if m not in SAME_SEARCH], orders=orders, best="min", digits=3,
                         note="Bytes of the embedding storage a server holds (dense tables, or PEP's compressed "
                              "sparse rows with their indices) over the full model's; mean over seeds, the smallest "
                              "in bold. SSEDS without retraining deploys SSEDS's widths, and PEP from a fresh "
                              "initialisation PEP's mask: the same bytes.")


def latency_table(latency: pd.DataFrame, orders) -> BookTable:
    """Scoring time per row batch size: the full model's in milliseconds per 1,000 rows, then every slim
    model's as a ratio to it (one column per method and budget)."""
    full = latency[latency["method"] == "full"].assign(column="full, ms / 1k rows",
                                                       value=lambda d: d["seconds_per_1k_rows"] * 1000.0)
    slim = latency[latency["method"] != "full"].sort_values("budget", ascending=False, kind="stable")
    slim = slim.assign(column=slim["method"] + " @ " + slim["budget"].map(lambda b: f"{b:g}"), value=slim["ratio"])
    rank = {m: i for i, m in enumerate(METHODS)}
    columns = ["full, ms / 1k rows", *dict.fromkeys(slim.sort_values(
        ["budget", "method"], ascending=[False, True], key=lambda c: c.map(rank) if c.name == "method" else c)["column"])]
    long = pd.concat([full, slim], ignore_index=True).rename(columns={"batch_size": "batch"})
    return compact_table(long, index=[*ROWS, "batch"], columns="column", value="value", order=columns,
                         orders=orders, best=None, digits=2,
                         note="First column: the full model's scoring time; the others: each slim model's time over "
                              "the full model's, measured in the same run (first seed's models, one thread).")


def rewind_table(rewind: pd.DataFrame, orders) -> BookTable:
    """PEP's rewind against a fresh initialisation: a row per dataset and model, a column per budget."""
    long = rewind.assign(cell=rewind["budget"].map(lambda b: f"b = {b:g}"))
    cells = list(dict.fromkeys(long.sort_values("budget", ascending=False)["cell"])) if len(long) else []
    return compact_table(long, index=ROWS, columns="cell", value="rewind − fresh", half="±95%", verdict="rewind is",
                         order=cells, orders=orders, best=None, signed=True,
                         note="Rewind minus fresh retrain, test AUC (same seed and mask): mean ± 95% half-width; "
                              "▲ rewind better, ▼ worse, · indistinguishable (paired t, Holm across the table).")


def selection_table(selection: pd.DataFrame) -> BookTable:
    """The PEP candidates of ``scripts/choose_pep_settings.py``: a column per setting as given (small
    decays keep every digit), the search epochs and the score (the mean validation AUC of the rewind
    retrains over the budgets). Eight columns: whether a candidate reached every budget is its score's
    dash, and the per-budget AUCs and kept fractions stay in ``configs/pep_selection/``."""
    if selection.empty:
        return plain_table(selection, note="No PEP selection files.")

    def exact(v) -> str:
        return "–" if pd.isna(v) else f"{v:g}"

    aucs = [c.removeprefix("valid_auc@") for c in selection.columns if c.startswith("valid_auc@")]
    settings = [*SELECTION_COLUMNS.values()][:4]
    shown = selection[["stage", "granularity", *SELECTION_COLUMNS, "score"]].rename(columns=SELECTION_COLUMNS)
    return plain_table(shown, keys=["stage"], formats=dict.fromkeys(settings, exact), digits={"search epochs": 1},
                       note="The candidates of PEP's settings, chosen in two stages on validation data (first seed, "
                            "mean over the base models). Score: the mean validation AUC of the rewind retrains at "
                            f"budgets {', '.join(aucs)}; a dash where the search did not reach every budget within "
                            "the epoch cap. s₀: the thresholds' initial value; the learning rate of s blank: the "
                            "model's. The per-budget AUCs and kept fractions are in configs/pep_selection/.")
