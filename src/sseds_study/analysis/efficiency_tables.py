"""The tables chapter 06 shows, for reading (``analysis.tables``), built from its frames of numbers
(``analysis.efficiency``): methods as columns, dataset and model as rows, no index."""

from __future__ import annotations

import pandas as pd

from ..study.methods import METHODS
from .tables import BookTable, compact_table, plain_table

ROWS = ["dataset", "model"]
SELECTION_COLUMNS = {"threshold_init": "threshold init", "threshold_lr": "threshold lr",
                     "threshold_weight_decay": "threshold decay", "weight_decay": "weight decay",
                     "reached_all": "reached all", "search_epochs": "epochs", "final_kept": "kept at the end"}
THRESHOLD_COLUMN = "threshold init, lr, decay"


def cost_tables(costs: pd.DataFrame, orders) -> tuple[BookTable, BookTable]:
    """The search cost per method in pretraining epochs: in time (mean ± 95% half-width over seeds) and
    in forward-and-backward passes (the same on every machine)."""
    order = list(METHODS)
    time = compact_table(costs, index=ROWS, columns="method", value="epoch_fraction_mean",
                         half="epoch_fraction_ci95", order=order, orders=orders, best=None,
                         note="Search time as a fraction of one pretraining epoch of the same model, mean over seeds "
                              "± its 95% half-width.")
    passes = compact_table(costs, index=ROWS, columns="method", value="pass_fraction_mean", order=order,
                           orders=orders, best=None, digits=3,
                           note="Forward-and-backward passes of the search over the batches of one epoch.")
    return time, passes


def deployed_table(sizes: pd.DataFrame, orders) -> BookTable:
    """Deployed embedding bytes as a fraction of the full model's, per method (columns), the smallest
    of each row in bold."""
    return compact_table(sizes, index=[*ROWS, "budget"], columns="method", value="vs_full", order=list(METHODS),
                         orders=orders, best="min", digits=3,
                         note="Bytes of the embedding storage a server holds (dense tables, or PEP's compressed "
                              "sparse rows with their indices) over the full model's; mean over seeds, the smallest "
                              "in bold.")


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
                         note="Test AUC of the rewind retrain minus the fresh one (same seed, same mask), mean over "
                              "seeds ± its 95% half-width; ▲ rewind better, ▼ worse, · indistinguishable (paired t "
                              "test, Holm-corrected across the table, 5% level).")


def selection_table(selection: pd.DataFrame) -> BookTable:
    """The PEP candidates of ``scripts/choose_pep_settings.py``: their settings as given (small decays
    keep every digit), whether they reached every budget, and their validation scores."""
    if selection.empty:
        return plain_table(selection)
    def exact(v) -> str:
        return "–" if pd.isna(v) else f"{v:g}"

    # The threshold's three settings in one cell ('-10, 0.02, 0.01'): the table then fits the page.
    parts = ["threshold_init", "threshold_lr", "threshold_weight_decay"]
    threshold = [", ".join(exact(v) for v in row) for row in selection[parts].itertuples(index=False)]
    shown = selection.drop(columns=["models", *parts[1:]]).assign(threshold_init=threshold)
    shown = shown.rename(columns={**SELECTION_COLUMNS, "threshold_init": THRESHOLD_COLUMN})
    shown = shown.rename(columns=lambda c: c.replace("valid_auc@", "AUC @ "))
    return plain_table(shown, keys=["stage"], formats={"weight decay": exact}, digits={"epochs": 1},
                       note="Validation AUC of the rewind retrains at each budget, mean over the base models; score: "
                            "their mean, for the candidates that reached every budget.")
