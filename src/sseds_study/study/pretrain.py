"""The work a group of runs shares: its pretrained full-width model and that model's saliency.

The pretrained model of a group is trained once and checkpointed under
``<results>/pretrained/<group_key>.pt`` (the layout of ``train.save_checkpoint``), so every method,
budget and later sweep of the group reuses it. A checkpoint that cannot be read, or that was written
for other settings, is reported and trained again rather than trusted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ..config import to_dict
from ..errors import SsedsError, notice, one_line
from ..models.registry import build_model
from ..search.saliency import batches_from_arrays, compute_saliency
from ..train import FitResult, fit, load_checkpoint, save_checkpoint, seed_everything
from .runs import RunSpec


@dataclass
class Pretrained:
    """A pretrained full-width model (gates on) and how its training went."""

    model: Any
    fit: FitResult

    @property
    def metrics(self) -> dict:
        return metrics_of(self.fit)


@dataclass
class GroupCache:
    """Work shared by the runs of one group: saliency per search setting, PEP searches per PEP
    setting (``study.pep``), width searches (AutoDim, DimGrow) per setting, retrains per allocation.

    results_dir: where shared work is checkpointed (None: nowhere). shared_seconds: seconds spent so
    far computing or loading shared work; a run's own allocation time leaves out what it spent here
    (the shared work's own seconds are added to the rows it serves, once each).
    """

    saliency: dict[tuple, tuple[torch.Tensor, float]] = field(default_factory=dict)
    retrains: dict[tuple, dict] = field(default_factory=dict)
    pep: dict[str, Any] = field(default_factory=dict)
    searches: dict[tuple, Any] = field(default_factory=dict)  # AutoDim's and DimGrow's search runs
    results_dir: Path | None = None
    shared_seconds: float = 0.0


def metrics_of(result: FitResult) -> dict:
    """The four numbers a result row reports of a fit (best epoch's valid and test metrics)."""
    return {
        "valid_auc": float(result.valid["auc"]),
        "valid_logloss": float(result.valid["logloss"]),
        "test_auc": float(result.test["auc"]),
        "test_logloss": float(result.test["logloss"]),
    }


def checkpoint_path(results_dir, spec: RunSpec) -> Path:
    return Path(results_dir) / "pretrained" / f"{spec.group_key}.pt"


def load_or_pretrain(ds, spec: RunSpec, results_dir) -> Pretrained:
    """Train the full-width model once per group, or load it from its checkpoint."""
    path = checkpoint_path(results_dir, spec)
    seed_everything(spec.seed)
    model = build_model(ds.fields, spec.model, gates=True)
    identity = to_dict(spec.pretrained_identity())
    if path.exists():
        try:
            ckpt = load_checkpoint(path)
            if ckpt["config"] != identity:
                raise SsedsError("it was trained with other settings")
            model.load_state_dict(ckpt["state_dict"])
            return Pretrained(model, FitResult.from_dict(ckpt["fit"]))
        except (SsedsError, KeyError, TypeError, ValueError, RuntimeError) as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            notice(f"{path}: unusable pretrained checkpoint ({one_line(reason)}); training it again")
            seed_everything(spec.seed)
            model = build_model(ds.fields, spec.model, gates=True)
    result = fit(model, ds, spec.train)
    model.to(torch.device("cpu"))
    save_checkpoint(path, model, config=identity, fit_result=result)
    return Pretrained(model, result)


def saliency_for_spec(ds, pre: Pretrained, spec: RunSpec, cache: GroupCache) -> tuple[torch.Tensor, float]:
    """(F, D) saliency of the pretrained model under the run's search settings, and the seconds it
    took; computed once per group and setting."""
    s = spec.search
    key = (s.estimator, s.score_split, s.num_batches)
    if key not in cache.saliency:
        start = time.perf_counter()
        ids, labels = ds.subset(s.score_split)
        batches = batches_from_arrays(ids, labels, spec.train.batch_size, s.num_batches, spec.seed)
        scores = compute_saliency(pre.model, batches, estimator=s.estimator, num_batches=s.num_batches)
        seconds = time.perf_counter() - start
        cache.saliency[key] = (scores, seconds)
        cache.shared_seconds += seconds
    return cache.saliency[key]
