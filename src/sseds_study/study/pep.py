"""PEP's search, the work its runs share: ONE soft-threshold training run per group and PEP settings
gives a mask for every budget (docs/design.md, "Baselines and PEP").

The search run (``run_pep_search``) trains the base model from the group's initialisation (the seed
that also initialises the pretrained model) with PEP's learnable thresholds on every field table
(``models.pep.attach_soft_threshold``), saves the element mask at the first step the kept fraction of
the embedding entries falls to each budget (``search.pep.PEPSnapshots``), and stops as soon as every
budget has its mask, or after ``pep.max_epochs``. It is never stopped by validation AUC, and it never
reads the test split (``fit(test=False)``).

It is computed once per group and settings (``GroupCache.pep``, by ``search_key``) and checkpointed under
``<results>/pep/<search key>.pt`` with the masks, the initial weights (for rewind retraining), its
cost and its trajectory, so a resumed sweep reuses it. A checkpoint that cannot be read, or that was
written for other settings, is reported and the search is run again.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from ..config import ModelConfig, PEPConfig, TrainConfig, config_hash, to_dict
from ..errors import ConfigError, NotReached, SsedsError, notice, one_line
from ..models.pep import attach_soft_threshold
from ..models.registry import build_model
from ..search.pep import PEPSnapshot, PEPSnapshots, mask_stats
from ..train import FitResult, fit, seed_everything
from ..train.checkpoint import load_torch, save_torch
from .pretrain import GroupCache
from .runs import RunSpec

PEP_CHECKPOINT_FORMAT = 1


class PEPBudgetNotReached(NotReached):
    """The search run ended (``pep.max_epochs``) before the kept fraction fell to a budget."""


@dataclass
class PEPSearch:
    """The result of one PEP search run.

    snapshots: budget -> the mask saved at the first step at or below it (budgets not reached are
        missing, see ``missing``). initial_state: the model's weights before the first step, with
        plain keys (rewind). seconds: wall time of the search run (training and its per-epoch
        validation). passes: optimizer steps, each one forward and one backward pass over a training
        batch. epochs: epochs started (the last may be cut short). fractions: (step, kept fraction)
        after every step until the last budget was reached. fit: the run's ``FitResult`` (validation
        metrics per epoch; its test metrics are NaN: the search never reads the test split).
    """

    snapshots: dict[float, PEPSnapshot]
    initial_state: dict[str, torch.Tensor]
    budgets: tuple[float, ...]
    seconds: float
    passes: int
    epochs: int
    fractions: list[tuple[int, float]]
    fit: FitResult
    max_epochs: int = 0

    @property
    def missing(self) -> tuple[float, ...]:
        return tuple(b for b in self.budgets if b not in self.snapshots)

    def snapshot(self, budget: float) -> PEPSnapshot:
        """The mask of ``budget``; PEPBudgetNotReached (naming the fix) when the run did not get there."""
        if budget in self.snapshots:
            return self.snapshots[budget]
        if budget not in self.budgets:
            raise SsedsError(f"PEP search: budget {budget} was not among its budgets {list(self.budgets)}")
        last = self.fractions[-1][1] if self.fractions else 1.0
        raise PEPBudgetNotReached(
            f"PEP search: the kept fraction fell only to {last:.4f} in {self.epochs} epochs ({self.passes} steps), "
            f"not to the budget {budget}; raise pep.max_epochs or pep.threshold_lr")


def resolve_pep(pep: PEPConfig, budgets) -> PEPConfig:
    """``pep`` with its budgets filled in: the given ones when the profile set none; a profile's own
    ``pep.budgets`` must include every budget PEP runs at."""
    if not pep.budgets:
        return dataclasses.replace(pep, budgets=tuple(budgets))
    missing = sorted(set(budgets) - set(pep.budgets), reverse=True)
    if missing:
        raise ConfigError(f"pep.budgets: {list(pep.budgets)} leaves out the study's budgets {missing}; "
                          "list them too, or leave pep.budgets out to use the study's")
    return pep


def search_key(spec: RunSpec) -> str:
    """What determines a PEP search: the group's pretrained identity (data, model, training settings,
    seed) and the PEP settings (budgets included: they decide where the run stops)."""
    if spec.pep is None:
        raise SsedsError(f"run {spec.key}: method {spec.method!r} has no PEP settings")
    return config_hash({"group": spec.pretrained_identity(), "pep": spec.pep})


def search_path(results_dir, spec: RunSpec) -> Path:
    return Path(results_dir) / "pep" / f"{search_key(spec)}.pt"


def run_pep_search(ds, model_cfg: ModelConfig, train_cfg: TrainConfig, pep: PEPConfig) -> PEPSearch:
    """One PEP search run: seeded like the group's pretraining (same initial weights), thresholds
    attached, trained until every budget of ``pep.budgets`` has its mask or ``pep.max_epochs``."""
    if not pep.budgets:
        raise SsedsError("PEP search: no budgets (pep.budgets is empty and was not filled from the study)")
    seed_everything(train_cfg.seed)
    model = build_model(ds.fields, dataclasses.replace(model_cfg, emb_dims=None))
    attach_soft_threshold(model, pep.granularity, init=pep.threshold_init, weight_decay=pep.threshold_weight_decay,
                          lr=pep.threshold_lr)
    steps_per_epoch = math.ceil(len(ds.split_index("train")) / train_cfg.batch_size)
    snapshots = PEPSnapshots(model, pep.budgets, steps_per_epoch=steps_per_epoch)
    cfg = dataclasses.replace(train_cfg, max_epochs=pep.max_epochs, patience=pep.max_epochs)
    if pep.weight_decay is not None:
        cfg = dataclasses.replace(cfg, weight_decay=pep.weight_decay, emb_weight_decay=pep.weight_decay)
    start = time.perf_counter()
    result = fit(model, ds, cfg, callbacks=[snapshots], test=False)
    seconds = time.perf_counter() - start
    passes = snapshots.fractions[-1][0] if snapshots.fractions else 0
    return PEPSearch(dict(snapshots.snapshots), snapshots.initial_state, snapshots.budgets, seconds, passes,
                     len(result.history), list(snapshots.fractions), result, pep.max_epochs)


def load_or_search(ds, spec: RunSpec, cache: GroupCache) -> PEPSearch:
    """The PEP search of a run's group and settings: from the group's cache, its checkpoint under
    ``cache.results_dir``, or run (and checkpointed there). The seconds spent running or loading it
    are added to ``cache.shared_seconds``."""
    key = search_key(spec)
    if key in cache.pep:
        return cache.pep[key]
    start = time.perf_counter()
    path = search_path(cache.results_dir, spec) if cache.results_dir is not None else None
    identity = to_dict({"group": spec.pretrained_identity(), "pep": spec.pep})
    search = None
    if path is not None and path.exists():
        try:
            search = load_search(path, identity)
        except SsedsError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            notice(f"{path}: unusable PEP search checkpoint ({one_line(reason)}); searching again")
    if search is None:
        search = run_pep_search(ds, spec.model, spec.train, spec.pep)
        if path is not None:
            save_search(path, search, identity)
    cache.pep[key] = search
    cache.shared_seconds += time.perf_counter() - start
    return search


def save_search(path, search: PEPSearch, identity: dict) -> Path:
    """Write a search atomically (``torch.save`` of tensors and plain values only)."""
    payload = {
        "format": PEP_CHECKPOINT_FORMAT,
        "identity": identity,
        "initial_state": {k: v.detach().cpu() for k, v in search.initial_state.items()},
        "budgets": list(search.budgets),
        "snapshots": [
            {"budget": s.budget, "step": s.step, "epoch": s.epoch, "kept_fraction": s.kept_fraction,
             "masks": [m.cpu() for m in s.masks]}
            for s in search.snapshots.values()
        ],
        "seconds": float(search.seconds),
        "passes": int(search.passes),
        "epochs": int(search.epochs),
        "max_epochs": int(search.max_epochs),
        "fractions": [[int(step), float(f)] for step, f in search.fractions],
        "fit": search.fit.to_dict(),
    }
    return save_torch(payload, path)


def load_search(path, identity: dict | None = None) -> PEPSearch:
    """Read a search written by ``save_search``; SsedsError when it is unreadable, in another
    format, or (``identity`` given) written for other settings."""
    data = load_torch(path, "PEP search")
    if not isinstance(data, dict) or data.get("format") != PEP_CHECKPOINT_FORMAT:
        raise SsedsError(f"format {data.get('format') if isinstance(data, dict) else None!r}, "
                         f"expected {PEP_CHECKPOINT_FORMAT}")
    if identity is not None and data["identity"] != identity:
        raise SsedsError("it was searched with other settings")
    snapshots = {}
    for s in data["snapshots"]:
        masks = tuple(m.bool() for m in s["masks"])
        snapshots[float(s["budget"])] = PEPSnapshot(float(s["budget"]), int(s["step"]), s["epoch"],
                                                    float(s["kept_fraction"]), masks, mask_stats(masks))
    return PEPSearch(snapshots, data["initial_state"], tuple(float(b) for b in data["budgets"]), data["seconds"],
                     data["passes"], data["epochs"], [(int(a), float(b)) for a, b in data["fractions"]],
                     FitResult.from_dict(data["fit"]), data["max_epochs"])
