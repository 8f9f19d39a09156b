"""Building and retraining a run's reduced model, shared by the runs of a group through its cache.

Here rather than in ``study.execute`` so that an allocation function (``study.methods``: the tuned
power rule retrains its candidates) can retrain without importing the module that imports the
registry.
"""

from __future__ import annotations

import dataclasses
import math

from ..models.inherit import inherit_pretrained
from ..models.pep import attach_fixed_mask
from ..models.qr import attach_qr
from ..models.registry import build_model
from ..search.pep import MaskAllocation
from ..search.qr import QRAllocation
from ..train import fit, seed_everything
from .pretrain import GroupCache, Pretrained, metrics_of
from .runs import RunSpec

# A "fresh" initialisation of a masked model: the run's seed plus this offset, so that it differs from
# the search run's (rewind) initialisation, which the run's seed gives.
FRESH_SEED_OFFSET = 1_000_003


def build_slim_model(ds, spec: RunSpec, alloc, pre: Pretrained | None):
    """The mixed-width model of an allocation, seeded. With ``init="inherit"`` (and a pretrained model)
    it is the pretrained model pruned to the kept columns, every other weight carried over
    (``models.inherit``); with ``"scratch"`` it keeps the fresh seeded weights. A QR allocation
    (``search.qr``) gives the full-width model with quotient-remainder tables, always from scratch:
    its rows are products of two tables, so there is no pretrained row to start from."""
    seed_everything(spec.seed)
    if isinstance(alloc, QRAllocation):
        return attach_qr(build_model(ds.fields, dataclasses.replace(spec.model, emb_dims=None)), alloc.collisions)
    model = build_model(ds.fields, dataclasses.replace(spec.model, emb_dims=tuple(alloc.emb_dims)))
    if pre is not None and spec.search.init == "inherit":
        inherit_pretrained(model, pre.model, alloc.kept)
    return model


def build_masked_model(ds, spec: RunSpec, alloc: MaskAllocation):
    """A full-width model whose field tables keep only the masked-in entries: initialised with the
    search run's weights (``init="rewind"``), the pretrained model's (``"pretrained"``: fine-tuning,
    ``magnitude_weights``) or from a fresh seed (``"fresh"``)."""
    seed_everything(spec.seed + FRESH_SEED_OFFSET if alloc.init == "fresh" else spec.seed)
    model = build_model(ds.fields, dataclasses.replace(spec.model, emb_dims=None))
    if alloc.initial_state is not None:
        model.load_state_dict(alloc.initial_state)
    attach_fixed_mask(model, alloc.masks)
    return model


def _fit_row(model, ds, spec: RunSpec) -> dict:
    result = fit(model, ds, spec.train)
    return {
        **metrics_of(result),
        "train_seconds": float(result.train_seconds),
        "epochs": int(len(result.history)),
        "epoch_passes": int(math.ceil(len(ds.split_index("train")) / spec.train.batch_size)),
    }


def retrain_cached(ds, pre: Pretrained, spec: RunSpec, alloc, cache: GroupCache) -> dict:
    """The retrain of a width allocation under the run's settings, shared through the group's cache
    (a method that chooses among allocations by their retrained validation AUC, ``frequency_tuned``,
    trains each candidate once, and the chosen one is not trained again as the run's model)."""
    key = slim_retrain_key(spec, alloc)
    if key not in cache.retrains:
        cache.retrains[key] = _fit_row(build_slim_model(ds, spec, alloc, pre), ds, spec)
    return cache.retrains[key]


def slim_retrain_key(spec: RunSpec, alloc) -> tuple:
    """Runs of a group with equal keys retrain identically, so they share one retrain.

    Identical allocations (e.g. every method at budget 1.0) with the same seed and init give identical
    retrains. From scratch only the widths matter; inheriting starts from the kept columns (and the
    layer weights sliced to them), so which columns were kept is part of the key.
    """
    if isinstance(alloc, QRAllocation):  # full width everywhere: the collisions are what differ
        return ("qr", tuple(alloc.collisions))
    inherit = spec.search.init == "inherit"
    return (tuple(alloc.emb_dims), spec.search.init, alloc.kept.numpy().tobytes() if inherit else b"")


