"""Executing one group of runs (in whatever process an executor chose): pretrain once, then every
run's allocation, evaluation and result row, each journalled as soon as it is finished."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import numerics
from ..config import SearchConfig, to_dict
from ..data import load_dataset_from_config, manifest_checksum
from ..errors import NotReached, SsedsError
from ..search.pep import MaskAllocation, dense_table_bytes, sparse_table_bytes
from ..search.qr import QRAllocation, qr_table_bytes
from ..train import evaluate
from .journal import write_journal
from .methods import MethodInput, get_method
from .pretrain import GroupCache, Pretrained, load_or_pretrain
from .retrain import _fit_row, build_masked_model, build_slim_model, slim_retrain_key
from .runs import RunSpec


@contextlib.contextmanager
def worker_threads():
    """Run torch on ``SSEDS_THREADS`` threads (default 1, in every numerical mode) inside the block.

    Workers already share the cores between them, and a fixed thread count keeps float reductions,
    hence results, identical whichever executor (or notebook) trains a model.
    """
    with numerics.pinned(default=1):
        yield


def check_numerics(provenance: dict) -> None:
    """Refuse to compute in another numerical mode than the one the runs' keys were made in (a worker
    whose torch computed before the mode was set, or started with another SSEDS_NUMERICS)."""
    wanted = provenance.get("numerics")
    here = numerics.identity()
    if wanted and wanted != here:
        raise SsedsError(f"this process computes in the {here} numerical mode but the sweep's runs are keyed "
                         f"for {wanted} ({numerics.describe()}); start it with SSEDS_NUMERICS={wanted}")


def _evaluate_splits(model, ds, batch_size: int) -> dict:
    out = {}
    for split in ("valid", "test"):
        ids, labels = ds.subset(split)
        metrics = evaluate(model, ids, labels, batch_size=batch_size)
        out.update({f"{split}_auc": metrics["auc"], f"{split}_logloss": metrics["logloss"]})
    return out


def size_columns(ds, model, alloc) -> dict:
    """What the deployed model keeps, in the units every method shares.

    kept_emb_params / base_emb_params / achieved_budget: non-zero embedding parameters, those of the
    full model (sum_f V_f * D), their ratio. field_params: kept parameters per field (JSON).
    empty_fields / empty_values: fields, and values (rows), left with no parameter at all.
    emb_bytes: the embedding storage a server holds: dense tables of the allocated widths, or for an
    element mask compressed sparse rows with their index overhead (``search.pep.sparse_table_bytes``).
    model_bytes: emb_bytes plus every other parameter (alignment maps, first-order tables, MLP).
    total_params: non-zero embedding parameters plus every other parameter.
    """
    counts = model.count_params()
    value_bytes = next(model.parameters()).element_size()
    vocab = ds.vocab_sizes
    if isinstance(alloc, MaskAllocation):
        stats = alloc.stats
        field_params, emb_dims = list(stats.field_params), [model.embedding.emb_dim] * len(vocab)
        empty_fields, empty_values = stats.num_empty_fields, stats.num_zero_rows
        emb_bytes = sparse_table_bytes(alloc.masks, value_bytes).total
    elif isinstance(alloc, QRAllocation):
        emb_dims, field_params = [int(d) for d in alloc.emb_dims], [int(p) for p in alloc.field_params]
        empty_fields = empty_values = 0
        emb_bytes = qr_table_bytes(vocab, alloc.collisions, model.embedding.emb_dim, value_bytes)
    else:
        emb_dims = [int(d) for d in alloc.emb_dims]
        field_params = [int(v) * d for v, d in zip(vocab, emb_dims, strict=True)]
        empty_fields = sum(d == 0 for d in emb_dims)
        empty_values = sum(int(v) for v, d in zip(vocab, emb_dims, strict=True) if d == 0)
        emb_bytes = dense_table_bytes(vocab, emb_dims, value_bytes)
    other = counts["total"] - counts["embedding"]
    return {
        "kept_emb_params": int(alloc.kept_params),
        "base_emb_params": int(alloc.base_params),
        "achieved_budget": float(alloc.achieved_budget),
        "align_params": int(counts["alignment"]),
        "total_params": int(alloc.kept_params + other),
        "emb_dims": json.dumps(emb_dims),
        "field_params": json.dumps(field_params),
        "empty_fields": int(empty_fields),
        "empty_values": int(empty_values),
        "emb_bytes": int(emb_bytes),
        "model_bytes": int(emb_bytes + other * value_bytes),
    }


def search_cost_columns(ds, pre: Pretrained, spec: RunSpec, inputs: MethodInput, seconds: float) -> dict:
    """The cost of the run's search stage beside that of one pretraining epoch.

    search_seconds: wall time of the search (shared work such as saliency or a PEP search run is
    counted in full in every row it serves, plus the run's own allocation time). search_passes:
    forward-and-backward passes over training batches in the search (SSEDS: K scoring batches; PEP:
    the optimizer steps of its search run; the other baselines: none). search_epochs: epochs of a
    search that trains (PEP), else 0. pretrain_epoch_seconds: mean wall time of one training pass of
    the group's pretraining. epoch_passes: batches in one training epoch.
    """
    history = pre.fit.history
    return {
        "search_seconds": float(seconds),
        "search_passes": int(inputs.search_passes),
        "search_epochs": int(inputs.search_epochs),
        "pretrain_epoch_seconds": float(sum(h.seconds for h in history) / len(history)),
        "epoch_passes": int(math.ceil(len(ds.split_index("train")) / spec.train.batch_size)),
    }


def execute_run(ds, pre: Pretrained, spec: RunSpec, cache: GroupCache) -> dict:
    """Carry out one run and return its measurements (no provenance; see ``run_group``)."""
    method = get_method(spec.method)
    shared_before = cache.shared_seconds
    start = time.perf_counter()
    inputs = MethodInput(ds, pre, spec, cache)
    alloc = method.allocate(inputs)
    # the run's own allocation time, without the shared work it triggered (counted by its own seconds)
    own_seconds = max(0.0, time.perf_counter() - start - (cache.shared_seconds - shared_before))
    if method.evaluation == "masked":
        slim = build_masked_model(ds, spec, alloc)
    else:
        retrains = method.evaluation == "retrain"
        slim = build_slim_model(ds, spec, alloc, pre if retrains else None)  # the deployed model: counted, maybe trained
    row: dict[str, Any] = {
        **size_columns(ds, slim, alloc),
        **search_cost_columns(ds, pre, spec, inputs, inputs.search_seconds + own_seconds),
        **inputs.extra,  # the allocation's own columns (SSEDS: field_saliency)
    }
    if method.evaluation == "pretrained":
        row.update(pre.metrics, train_seconds=pre.fit.train_seconds, epochs=len(pre.fit.history))
    elif method.evaluation == "gated":
        with pre.model.embedding.masked(alloc.kept):
            row.update(_evaluate_splits(pre.model, ds, spec.train.batch_size), train_seconds=0.0, epochs=0)
    else:
        if method.evaluation == "masked":
            # Budgets whose masks were taken at the same step share one mask: retrained once.
            row["mask_step"] = int(alloc.step)
            retrain_key = ("masked", alloc.init, _digest(alloc.masks))
        else:
            retrain_key = slim_retrain_key(spec, alloc)
        if retrain_key not in cache.retrains:
            cache.retrains[retrain_key] = _fit_row(slim, ds, spec)
        row.update({k: v for k, v in cache.retrains[retrain_key].items() if k != "epoch_passes"})
    return row


def _digest(masks) -> str:
    h = hashlib.sha256()
    for m in masks:
        h.update(str(tuple(m.shape)).encode())
        h.update(m.numpy().tobytes())
    return h.hexdigest()


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
    check_numerics(provenance or {})
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
    cache = GroupCache(results_dir=results_dir)
    for spec in todo:
        base = row_header(spec, ds, provenance)
        start = time.perf_counter()
        try:
            if group_error is not None:
                raise group_error
            row = {**base, **execute_run(ds, pre, spec, cache), "status": "ok", "error": ""}
        except Exception as exc:
            row = {**base, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "not_reached": isinstance(exc, NotReached), "traceback": traceback.format_exc(limit=8)}
        row["run_seconds"] = time.perf_counter() - start
        # the machine's load when the run's seconds were measured: they are comparable only at equal load
        row["load_1min"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
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
        **({f"pep_{k}": json.dumps(v) if isinstance(v, list) else v for k, v in to_dict(spec.pep).items()}
           if spec.pep is not None else {}),
        "config": json.dumps(spec.to_dict(), sort_keys=True),
        "config_hash": spec.key,
        "data_manifest_sha": manifest_checksum(ds.manifest) if ds is not None else "",
        "versions": json.dumps(provenance.get("versions", {}), sort_keys=True),
        "git_commit": provenance.get("git_commit", ""),
        "cpu": provenance.get("cpu", ""),
        "numerics": provenance.get("numerics", ""),
        "numerics_detail": provenance.get("numerics_detail", ""),
        "profile": provenance.get("profile", ""),
    }
