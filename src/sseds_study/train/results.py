"""What ``fit`` reports: per-epoch statistics and the result of a whole fit, with a plain-dict form
(``to_dict`` / ``from_dict``) that checkpoints and JSON files store."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class EpochStats:
    """One epoch: mean training loss, validation metrics, and timing of the training pass."""

    epoch: int
    train_loss: float
    valid_auc: float
    valid_logloss: float
    seconds: float  # training pass only
    eval_seconds: float
    rows_per_second: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EpochStats:
        return cls(**data)


@dataclass
class FitResult:
    """What ``fit`` reports.

    ``valid`` and ``test`` are dict(auc=, logloss=) of the restored best epoch (``best_epoch``,
    1-based); ``history`` has one EpochStats per epoch run (``epochs`` of them); ``train_seconds`` is
    the wall time of the whole fit (evaluation included); ``rows_per_second`` counts training rows
    over the training passes only; ``stopped_early`` says patience ran out before ``max_epochs``.
    """

    history: list[EpochStats]
    best_epoch: int
    valid: dict[str, float]
    test: dict[str, float]
    train_seconds: float
    rows_per_second: float
    stopped_early: bool
    device: str = "cpu"

    @property
    def epochs(self) -> int:
        """The number of epochs run."""
        return len(self.history)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form: best_epoch, epochs, train_seconds, valid, test, history (a
        list of EpochStats dicts), rows_per_second, stopped_early, device."""
        return {
            "best_epoch": int(self.best_epoch),
            "epochs": self.epochs,
            "train_seconds": float(self.train_seconds),
            "valid": {k: float(v) for k, v in self.valid.items()},
            "test": {k: float(v) for k, v in self.test.items()},
            "history": [h.to_dict() for h in self.history],
            "rows_per_second": float(self.rows_per_second),
            "stopped_early": bool(self.stopped_early),
            "device": str(self.device),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitResult:
        """The inverse of ``to_dict`` (``epochs`` is implied by the history)."""
        history = [EpochStats.from_dict(h) for h in data["history"]]
        if "epochs" in data and data["epochs"] != len(history):
            raise ValueError(f"FitResult: epochs={data['epochs']} but the history has {len(history)} epochs")
        return cls(
            history=history,
            best_epoch=data["best_epoch"],
            valid=dict(data["valid"]),
            test=dict(data["test"]),
            train_seconds=data["train_seconds"],
            rows_per_second=data["rows_per_second"],
            stopped_early=data["stopped_early"],
            device=data["device"],
        )
