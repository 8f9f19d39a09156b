"""One run of a study: (dataset, model, training, search settings, method, budget), fully resolved.

A run's ``key`` is the hash of its resolved settings: the journal is keyed by it, so a run whose
settings did not change is never recomputed. ``group_key`` names the pretrained model a run shares
with the others of its group (same data, base model, training settings and seed). A PEP run also
carries its search settings (``pep``); for every other run ``pep`` is None and is left out of the
key, so the keys of runs from before PEP existed are unchanged. A user table is keyed by its
files' content, not their path (``data.data_identity``). The numerical mode the run is computed in
(``numerics``) is part of both keys: a run of the reproducible mode is not the run of the fast one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..config import DataConfig, ModelConfig, PEPConfig, SearchConfig, TrainConfig, config_hash, to_dict
from ..data.registry import data_identity
from ..numerics import identity as numerics_identity
from .method_keys import method_identity


@dataclass(frozen=True)
class RunSpec:
    """One run, fully resolved. ``key`` identifies it in the result cache."""

    data: DataConfig
    model: ModelConfig
    train: TrainConfig
    search: SearchConfig
    method: str
    budget: float
    pep: PEPConfig | None = None  # PEP's search settings, for the methods that read them

    @property
    def seed(self) -> int:
        return self.train.seed

    @property
    def key(self) -> str:
        return config_hash(self.identity())

    def identity(self) -> dict:
        """What the key hashes: ``to_dict`` with the data by content (``data.data_identity``: a user
        table's file by its checksum, not its path) and the numerical mode. A method whose allocation
        changed or that has settings of its own adds them (``study.method_keys``, whatever was imported
        before); every other method's keys are what they were before methods had revisions."""
        return {**self.to_dict(), "data": data_identity(self.data), "numerics": numerics_identity(),
                **method_identity(self.method)}

    def to_dict(self) -> dict:
        """The run's settings as a plain dict (``pep`` only when the run has it)."""
        d = to_dict(self)
        if self.pep is None:
            d.pop("pep")
        return d

    @property
    def group_key(self) -> str:
        """Runs sharing a pretrained model: same data, base model, training settings and seed."""
        return config_hash(self.pretrained_identity())

    def pretrained_identity(self) -> dict:
        """What determines the pretrained model: stored in its checkpoint and hashed into ``group_key``."""
        return {"data": data_identity(self.data), "model": self.model, "train": train_identity(self.train),
                "numerics": numerics_identity()}


def train_identity(train: TrainConfig) -> dict:
    """Training settings that change what is computed. Progress bars do not: a rerun with bars on
    reuses the results."""
    d = to_dict(train)
    d.pop("progress", None)
    return d


def variant_label(search: SearchConfig, reference: SearchConfig, fields=None) -> str:
    """Short text naming the search options (of ``fields``; None: all) that differ from the study's
    reference settings."""
    names = [f.name for f in dataclasses.fields(SearchConfig)] if fields is None else list(fields)
    diffs = [f"{n}={getattr(search, n)}" for n in names if getattr(search, n) != getattr(reference, n)]
    return ",".join(diffs) or "default"
