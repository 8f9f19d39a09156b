"""The one checkpoint layout: a CPU state_dict with plain-python metadata, never a pickled module.

A checkpoint is a ``torch.save`` of::

    {"format": 1,
     "state_dict": {name: CPU tensor},
     "config": {...},   # plain dict: the resolved configuration (dataclasses converted by to_dict)
     "fit": {...}}      # FitResult.to_dict() (best_epoch, epochs, train_seconds, valid, test,
                        # history, ...), or None for weights that were not trained by ``fit``

``load_checkpoint`` reads it with ``weights_only=True``; rebuild the fit with
``FitResult.from_dict(ckpt["fit"])``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..config import to_dict
from ..errors import SsedsError
from ..fileio import atomic_path
from .results import FitResult

CHECKPOINT_FORMAT = 1


class CheckpointError(SsedsError):
    """A checkpoint is missing, unreadable, or not in this version's layout."""


def save_checkpoint(
    path,
    model_or_state_dict: nn.Module | dict[str, torch.Tensor],
    *,
    config,
    fit_result: FitResult | None,
) -> Path:
    """Write a checkpoint atomically (temp file + os.replace); returns ``path``.

    model_or_state_dict: a module (its state_dict is stored, never the module) or a state_dict;
        tensors are stored on the CPU.
    config: a config dataclass or a mapping (of plain values or dataclasses), stored as a plain dict.
    fit_result: the ``FitResult`` of the fit that produced the weights (stored as ``to_dict()``), or
        None.
    """
    path = Path(path)
    state_dict = model_or_state_dict.state_dict() if isinstance(model_or_state_dict, nn.Module) else model_or_state_dict
    plain_config = to_dict(config)
    if not isinstance(plain_config, dict):
        raise TypeError(f"save_checkpoint: config must be a dataclass or a mapping; got {type(config).__name__}")
    payload = {
        "format": CHECKPOINT_FORMAT,
        "state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
        "config": plain_config,
        "fit": None if fit_result is None else fit_result.to_dict(),
    }
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def load_checkpoint(path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by ``save_checkpoint``: {"format", "state_dict", "config", "fit"}.

    Loads with ``weights_only=True`` (no code is unpickled). Raises CheckpointError when the file is
    missing, unreadable, or in another layout (a file written before format 1 has no "format" key:
    delete it and train again).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # a truncated or foreign file
        # torch's own message is paragraphs of advice (weights_only) that do not apply here
        raise CheckpointError(f"{path}: not a readable checkpoint ({type(exc).__name__}: truncated, or not "
                              "written by torch.save)") from None
    found = ckpt.get("format") if isinstance(ckpt, dict) else None
    if found != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: checkpoint format {found!r}, expected {CHECKPOINT_FORMAT} "
            "(written by another version of sseds-study; delete it and train again)"
        )
    return ckpt
