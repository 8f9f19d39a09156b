"""Chapter 06's section on the field's other methods (chapter 4's comparison, ``analysis.others``):
search cost, deployed bytes at every budget and scoring latency of each method."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ..study import aggregate, with_variant
from ..study.methods import get_method
from ..study.profile import StudyConfig
from .chapter import Chapter
from .others import _labelled, budget_label, field_methods
from .tables import BookTable, compact_table, plain_table


def others_costs(rows: pd.DataFrame, study: StudyConfig, budget: float) -> pd.DataFrame:
    """Per method at ``budget``: search passes and seconds (mean over seeds), as pretraining epochs,
    the deployed embedding bytes and their ratio to the full model's, the kept fraction and the
    training seconds of the slim model."""
    methods = field_methods(study)
    ok = with_variant(rows[(rows["status"] == "ok") & rows["method"].isin([*methods, "full"])], study.search)
    ok = ok[ok["variant"] == "default"]
    full_bytes = ok[ok["method"] == "full"].groupby("dataset")["emb_bytes"].mean()
    cell = ok[ok["budget"] == budget]
    out = []
    for (dataset, method), g in cell.groupby(["dataset", "method"], sort=False):
        epoch = g["pretrain_epoch_seconds"].mean()
        out.append({"dataset": dataset, "method": method, "seeds": len(g),
                    "search_passes": g["search_passes"].mean(),
                    "search_epochs": g["search_passes"].mean() / g["epoch_passes"].mean(),
                    "search_seconds": g["search_seconds"].mean(),
                    "search_in_epochs": g["search_seconds"].mean() / epoch if epoch > 0 else math.nan,
                    "emb_kb": g["emb_bytes"].mean() / 1024,
                    "bytes_vs_full": g["emb_bytes"].mean() / full_bytes.get(dataset, math.nan),
                    "achieved_budget": g["achieved_budget"].mean(),
                    "train_seconds": g["train_seconds"].mean()})
    table = pd.DataFrame(out)
    if table.empty:
        return table
    order = {m: i for i, m in enumerate(methods)}
    return table.sort_values(["dataset", "method"], key=lambda s: s.map(order) if s.name == "method" else s,
                             kind="stable").reset_index(drop=True)


def others_bytes_table(rows: pd.DataFrame, study: StudyConfig) -> BookTable:
    """Deployed embedding bytes of each method at each budget, as a fraction of the full model's (mean
    over seeds): at equal parameters an element mask holds more bytes (its indices), QR's dense
    full-width tables about the parameters' share."""
    methods = field_methods(study)
    agg = aggregate(rows[rows["method"].isin([*methods, "full"])], reference=study.search)
    agg = agg[agg["variant"] == "default"]
    full = agg[agg["method"] == "full"].set_index("dataset")["emb_bytes_mean"]
    sub = agg[agg["method"] != "full"].copy()
    sub["bytes_share"] = sub["emb_bytes_mean"].to_numpy() / full.reindex(sub["dataset"]).to_numpy()
    sub["budget_label"] = [budget_label(b) for b in sub["budget"]]
    orders = {"method": [get_method(m).label for m in methods],
              "budget": [budget_label(b) for b in sorted(study.budgets, reverse=True)]}
    return compact_table(_labelled(sub), index=["method"], columns="budget_label", value="bytes_share",
                         order=orders["budget"], orders=orders, best=None, digits=3,
                         note="Deployed embedding bytes as a fraction of the full model's, mean over seeds, "
                              f"{study.datasets[0].name}: dense tables for widths and QR, compressed sparse rows "
                              "(values, one-byte column indices, int32 row pointers) for the element masks.")


def others_cost_table(costs: pd.DataFrame, budget: float) -> BookTable:
    if costs.empty:
        return plain_table(pd.DataFrame(columns=["dataset", "method"]))
    frame = costs.assign(method=[get_method(m).label for m in costs["method"]])[
        ["dataset", "method", "search_epochs", "search_seconds", "emb_kb", "bytes_vs_full", "achieved_budget"]]
    frame = frame.rename(columns={"search_epochs": "search, epochs of passes", "search_seconds": "search, s",
                                  "emb_kb": "embedding KiB", "bytes_vs_full": "bytes / full",
                                  "achieved_budget": "kept fraction"})
    table = plain_table(frame, keys=["dataset"], digits={"search, epochs of passes": 2, "search, s": 2,
                                                        "embedding KiB": 1, "bytes / full": 3, "kept fraction": 4},
                       note=f"At b = {budget:g}, means over seeds. Search passes are forward-and-backward passes over "
                            "training (and, for AutoDim, validation) batches, in training epochs; the tuned power rule's "
                            "are its other candidates' retraining. Bytes are the deployed embedding storage: dense "
                            "tables, or for an element mask compressed sparse rows with their column indices and "
                            "row pointers.")
    table.left = ("method",)
    return table


def others_latency(study: StudyConfig, rows: pd.DataFrame, budget: float, results_dir=None,
                   rows_at_batch_one: int = 300, batch_sizes: Sequence[int] = (1, 4096)) -> pd.DataFrame:
    """Scoring time per 1,000 test rows of each method's deployed model at ``budget`` against the full
    model (``deploy.scoring_latency``), on the first seed's data of the profile's first dataset and
    model: widths from the rows, QR's tables from its rule, the element masks recomputed from the
    pretrained checkpoint and deployed as compressed sparse rows. Latency depends on shapes and
    sparsity, not on trained values, so the widths' and QR's weights are a fresh model's."""
    import dataclasses
    import json

    from ..deploy import scoring_latency, to_sparse_tables
    from ..models.pep import attach_fixed_mask
    from ..models.qr import attach_qr
    from ..models.registry import build_model
    from ..search.qr import qr_allocation
    from ..search.weight_pruning import magnitude_weight_masks
    from ..study import worker_threads
    from .common import load_pretrained

    seed, data, model_name = study.seeds[0], study.datasets[0], study.models[0]
    ds, pre, _spec = load_pretrained(study, data.name, model_name, seed, results_dir)
    base = dataclasses.replace(study.model, name=model_name, emb_dims=None)
    ok = with_variant(rows[(rows["status"] == "ok") & (rows["seed"] == seed) & (rows["budget"] == budget)
                           & (rows["dataset"] == data.name) & (rows["model"] == model_name)], study.search)
    ok = ok[ok["variant"] == "default"]
    with worker_threads():
        models = {"full": build_model(ds.fields, base)}
        for method in field_methods(study):
            m = get_method(method)
            if method == "qr":
                if method in set(ok["method"]):
                    collisions = qr_allocation(ds.vocab_sizes, base.emb_dim, budget).collisions
                    models[method] = attach_qr(build_model(ds.fields, base), collisions)
            elif m.evaluation == "masked":
                if method in set(ok["method"]):
                    masked = build_model(ds.fields, base)
                    attach_fixed_mask(masked, magnitude_weight_masks(pre.model.embedding.field_weights(), budget))
                    models[method] = to_sparse_tables(masked)
            else:
                row = ok[ok["method"] == method]
                if not row.empty:
                    dims = tuple(int(d) for d in json.loads(row["emb_dims"].iloc[0]))
                    models[method] = build_model(ds.fields, dataclasses.replace(base, emb_dims=dims))
        ids = ds.subset("test")[0]
        table = scoring_latency(models, ids, reference="full", batch_sizes=batch_sizes,
                                rows_at_batch_one=rows_at_batch_one)
    table = table.rename(columns={"model": "method"})
    table.insert(0, "budget", budget)
    table.insert(0, "dataset", data.name)
    return table


def others_efficiency_parts(chapter: Chapter, study: StudyConfig, rows: pd.DataFrame, budget: float,
                            results_dir=None) -> None:
    """Chapter 6's section on the field's methods: cost and bytes (``others_cost``) and latency
    (``others_latency``) at ``budget``, with their sentences."""
    costs = others_costs(rows, study, budget)
    chapter.tables["others_cost"] = others_cost_table(costs, budget)
    chapter.tables["others_bytes"] = others_bytes_table(rows, study)
    latency = others_latency(study, rows, budget, results_dir)
    chapter.tables["others_latency"] = _latency_book_table(latency)
    chapter.text.update({"others_cost_budget": f"{budget:g}", "others_cost_profile": study.name,
                         **_cost_sentences(costs, latency)})


def _latency_book_table(latency: pd.DataFrame) -> BookTable:
    if latency.empty:
        return plain_table(pd.DataFrame(columns=["method"]))
    frame = latency.assign(method=[get_method(m).label if m in _registered() else m for m in latency["method"]])
    return compact_table(frame.assign(batch=[f"batch {b}" for b in frame["batch_size"]]), index=["method"],
                         columns="batch", value="ratio", best=None, digits=2,
                         note="Scoring time per 1,000 test rows relative to the full model (1.00), one process on "
                              "one thread, at each batch size; the element masks as compressed sparse rows.")


def _registered() -> set[str]:
    from ..study.methods import METHODS

    return set(METHODS)


def _cost_sentences(costs: pd.DataFrame, latency: pd.DataFrame) -> dict[str, str]:
    out = {}
    if costs.empty:
        return {"others_cost_max": "not measured", "others_bytes_max": "not measured"}
    dataset = costs["dataset"].iloc[0]
    c = costs[costs["dataset"] == dataset]
    top = c.sort_values("search_epochs", ascending=False).iloc[0]
    out["others_cost_max"] = (f"{get_method(top['method']).label} ({top['search_epochs']:.2f} epochs of passes, "
                              f"{top['search_seconds']:.1f} s)")
    big = c.sort_values("bytes_vs_full", ascending=False).iloc[0]
    out["others_bytes_max"] = f"{get_method(big['method']).label} ({big['bytes_vs_full']:.3f} of the full model's bytes)"
    if not latency.empty and "ratio" in latency:
        slow = latency[latency["method"] != "full"].sort_values("ratio", ascending=False).iloc[0]
        out["others_latency_max"] = (f"{get_method(slow['method']).label} at batch {int(slow['batch_size'])} "
                                     f"({slow['ratio']:.2f}× the full model)")
    else:
        out["others_latency_max"] = "not measured"
    return out


def others_absent(chapter: Chapter) -> None:
    """What chapter 6 glues of the comparison when its profile names no ``others`` companion (a
    user's report): empty tables and sentences saying so."""
    empty = plain_table(pd.DataFrame(columns=["method"]))
    for name in ("others_cost", "others_bytes", "others_latency"):
        chapter.tables[name] = empty
    for key in ("others_cost_budget", "others_cost_profile", "others_cost_max", "others_bytes_max",
                "others_latency_max"):
        chapter.text[key] = "not measured (the profile names no `others` companion)"
