"""Executing one group of runs (in whatever process an executor chose): pretrain once, then every
run's allocation, evaluation and result row, each journalled as soon as it is finished."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from ..config import SearchConfig, to_dict
from ..data import load_dataset_from_config, manifest_checksum
from ..models.registry import build_model
from ..train import evaluate, fit, seed_everything
from .journal import write_journal
from .methods import MethodInput, get_method
from .pretrain import GroupCache, Pretrained, load_or_pretrain, metrics_of
from .runs import RunSpec


@contextlib.contextmanager
def worker_threads():
    """Run torch on ``SSEDS_THREADS`` threads (default 1) inside the block.

    Workers already share the cores between them, and a fixed thread count keeps float reductions,
    hence results, identical whichever executor (or notebook) trains a model.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(os.environ.get("SSEDS_THREADS", "1"))))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def build_slim_model(ds, spec: RunSpec, alloc, pre: Pretrained | None):
    """The mixed-width model of an allocation (seeded), inheriting the kept columns if asked."""
    seed_everything(spec.seed)
    model = build_model(ds.fields, dataclasses.replace(spec.model, emb_dims=tuple(alloc.emb_dims)))
    if pre is not None and spec.search.init == "inherit":
        model.embedding.load_kept_columns(pre.model.embedding.field_weights(), alloc.kept)
    return model


def _evaluate_splits(model, ds, batch_size: int) -> dict:
    out = {}
    for split in ("valid", "test"):
        ids, labels = ds.subset(split)
        metrics = evaluate(model, ids, labels, batch_size=batch_size)
        out.update({f"{split}_auc": metrics["auc"], f"{split}_logloss": metrics["logloss"]})
    return out


def execute_run(ds, pre: Pretrained, spec: RunSpec, cache: GroupCache) -> dict:
    """Carry out one run and return its measurements (no provenance; see ``run_group``)."""
    method = get_method(spec.method)
    start = time.perf_counter()
    inputs = MethodInput(ds, pre, spec, cache)
    alloc = method.allocate(inputs)
    search_seconds = inputs.search_seconds + time.perf_counter() - start
    retrains = method.evaluation == "retrain"
    slim = build_slim_model(ds, spec, alloc, pre if retrains else None)  # the deployed model: counted, maybe trained
    counts = slim.count_params()
    row: dict[str, Any] = {
        "kept_emb_params": int(alloc.kept_params),
        "base_emb_params": int(alloc.base_params),
        "achieved_budget": float(alloc.achieved_budget),
        "align_params": int(counts["alignment"]),
        "total_params": int(counts["total"]),
        "emb_dims": json.dumps([int(d) for d in alloc.emb_dims]),
        "search_seconds": float(search_seconds),
    }
    if method.evaluation == "pretrained":
        row.update(pre.metrics, train_seconds=pre.fit.train_seconds, epochs=len(pre.fit.history))
    elif method.evaluation == "gated":
        with pre.model.embedding.masked(alloc.kept):
            row.update(_evaluate_splits(pre.model, ds, spec.train.batch_size), train_seconds=0.0, epochs=0)
    else:
        # Identical allocations (e.g. every method at budget 1.0) with the same seed and init give
        # identical retrains: compute once per group. From scratch only the widths matter;
        # inheriting also depends on which columns were kept.
        inherit = spec.search.init == "inherit"
        retrain_key = (tuple(alloc.emb_dims), spec.search.init, alloc.kept.numpy().tobytes() if inherit else b"")
        if retrain_key not in cache.retrains:
            result = fit(slim, ds, spec.train)
            cache.retrains[retrain_key] = {
                **metrics_of(result),
                "train_seconds": float(result.train_seconds),
                "epochs": int(len(result.history)),
            }
        row.update(cache.retrains[retrain_key])
    return row


def run_group(
    specs: Sequence[RunSpec],
    results_dir: str | os.PathLike,
    skip: Sequence[str] = (),
    provenance: dict | None = None,
    on_row: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Execute the runs of one group, writing each finished row to the journal at once.

    Every run is attempted; one that raises becomes a ``failed`` row carrying its error.
    """
    todo = [s for s in specs if s.key not in set(skip)]
    if not todo:
        return []
    with worker_threads():
        return _run_group_body(todo, Path(results_dir), provenance or {}, on_row)


def _run_group_body(todo, results_dir: Path, provenance: dict, on_row) -> list[dict]:
    rows: list[dict] = []
    ds = pre = None
    group_error = None
    try:
        ds = load_dataset_from_config(todo[0].data, progress=False)
        pre = load_or_pretrain(ds, todo[0], results_dir)
    except Exception as exc:  # the whole group fails, each run says why
        group_error = exc
    cache = GroupCache()
    for spec in todo:
        base = row_header(spec, ds, provenance)
        start = time.perf_counter()
        try:
            if group_error is not None:
                raise group_error
            row = {**base, **execute_run(ds, pre, spec, cache), "status": "ok", "error": ""}
        except Exception as exc:
            row = {**base, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc(limit=8)}
        row["run_seconds"] = time.perf_counter() - start
        write_journal(results_dir, row)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


def row_header(spec: RunSpec, ds, provenance: dict) -> dict:
    """The identifying and provenance columns of a result row."""
    return {
        "key": spec.key,
        "group": spec.group_key,
        "dataset": spec.data.name,
        "rows": int(len(ds)) if ds is not None else None,
        "model": spec.model.name,
        "method": spec.method,
        "budget": spec.budget,
        "seed": spec.seed,
        **{f"search_{f.name}": getattr(spec.search, f.name) for f in dataclasses.fields(SearchConfig)},
        "config": json.dumps(to_dict(spec), sort_keys=True),
        "config_hash": spec.key,
        "data_manifest_sha": manifest_checksum(ds.manifest) if ds is not None else "",
        "versions": json.dumps(provenance.get("versions", {}), sort_keys=True),
        "git_commit": provenance.get("git_commit", ""),
        "profile": provenance.get("profile", ""),
    }
