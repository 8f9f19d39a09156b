"""The one checkpoint layout: a CPU state_dict with plain-python metadata, never a pickled module.

A checkpoint is a ``torch.save`` of::

    {"format": 1,
     "state_dict": {name: CPU tensor},
     "config": {...},   # plain dict: the resolved configuration (dataclasses converted by to_dict)
     "fit": {...}}      # FitResult.to_dict() (best_epoch, epochs, train_seconds, valid, test,
                        # history, ...), or None for weights that were not trained by ``fit``

``load_checkpoint`` reads it with ``weights_only=True``; rebuild the fit with
``FitResult.from_dict(ckpt["fit"])``.

``save_torch`` and ``load_torch`` are how every torch file of the package is written and read (these
checkpoints, PEP's searches): written atomically with the umask's mode, a full disk reported as the
OSError it is (naming the file) rather than torch's two chained RuntimeErrors; read with each zip
member's CRC checked first (torch writes them but does not check them: a zeroed tensor would load),
and a refusal by ``weights_only`` described as such, not as a truncated file.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..config import to_dict
from ..errors import SsedsError, one_line
from ..fileio import atomic_open
from .results import FitResult

CHECKPOINT_FORMAT = 1


class CheckpointError(SsedsError):
    """A checkpoint is missing, unreadable, or not in this version's layout."""


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind an exception, following __cause__ and __context__ (torch.save raises a
    RuntimeError of its own when the file it writes to fails, with the OSError as its context)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def save_torch(payload, path) -> Path:
    """``torch.save`` of ``payload`` to ``path``, atomically (``fileio.atomic_open``: the old file stays
    whole if writing fails). torch writes through a file we opened, so a full disk surfaces as the
    OSError (ENOSPC, naming ``path``) instead of torch's RuntimeErrors."""
    path = Path(path)
    with atomic_open(path, "wb") as fh:
        try:
            torch.save(payload, fh)
        except RuntimeError as exc:
            cause = _os_error(exc)
            if cause is None:
                raise
            cause.filename = cause.filename or str(path)
            raise cause from None
    return path


def load_torch(path, what: str = "checkpoint", map_location: str | torch.device = "cpu"):
    """``torch.load(weights_only=True)`` of a file ``save_torch`` wrote; CheckpointError naming the file
    and what is wrong: missing, damaged (a zip member whose CRC does not match, or a file cut short),
    or holding objects ``weights_only`` loading refuses (not written by this package)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: {what} not found")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a readable {what} (truncated, or not written by torch.save: "
                              f"{one_line(exc, 120)})") from None
    if bad is not None:
        raise CheckpointError(f"{path}: damaged {what}: {bad} does not match the checksum (CRC) written with it")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower():
            # torch's own message is paragraphs of advice on loading it anyway: not for a file of ours
            raise CheckpointError(f"{path}: refused: the {what} holds Python objects other than tensors and plain "
                                  "values, which weights_only loading does not run (not written by sseds-study)") \
                from None
        raise CheckpointError(f"{path}: not a readable {what} ({one_line(exc, 120)})") from None
    except Exception as exc:  # a truncated or foreign file
        raise CheckpointError(f"{path}: not a readable {what} ({type(exc).__name__}: truncated, or not "
                              "written by torch.save)") from None


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
    return save_torch(payload, path)


def load_checkpoint(path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Read a checkpoint written by ``save_checkpoint``: {"format", "state_dict", "config", "fit"}.

    Loads with ``weights_only=True`` (no code is unpickled; ``load_torch``). Raises CheckpointError when
    the file is missing, damaged, unreadable, refused by weights_only loading, or in another layout (a file written before format 1 has no "format" key:
    delete it and train again).
    """
    path = Path(path)
    ckpt = load_torch(path, "checkpoint", map_location)
    found = ckpt.get("format") if isinstance(ckpt, dict) else None
    if found != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: checkpoint format {found!r}, expected {CHECKPOINT_FORMAT} "
            "(written by another version of sseds-study; delete it and train again)"
        )
    return ckpt
