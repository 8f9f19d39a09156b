"""Input checks shared by the search functions.

The search functions are called with values that come straight from a study config (a budget, a
vocabulary) or from a model (a score matrix), so a bad value is a user-input problem, not a bug:
``SearchInputError`` subclasses both ``ConfigError`` (so the command line prints it as one clear line)
and ``ValueError`` (so plain Python callers can catch the usual type).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..config import settings
from ..errors import ConfigError


class SearchInputError(ConfigError, ValueError):
    """A search input (budget, vocabulary sizes, scores, option) is invalid."""


def check_choice(name: str, value, choices: Sequence[str]) -> None:
    if value not in choices:
        raise SearchInputError(f"{name}: expected one of {', '.join(choices)}; got {value!r}")


def check_budget(budget) -> float:
    """A budget must be a real number in (0, 1] (``config.settings.check_budget``, the one rule);
    returns it as a Python float."""
    try:
        return settings.check_budget(budget, "budget")
    except ConfigError as exc:
        raise SearchInputError(str(exc)) from None


def budget_limit(budget: float, total: int) -> int:
    """The largest integer amount k of ``total`` that a budget allows.

    k = floor(budget * total), then lowered while k / total > budget. The product is a float, and it
    can round up onto an integer (exact value 6.99..., float 7.0); the guard makes sure that both
    natural float checks hold: ``k <= budget * total`` and ``k / total <= budget``. Comparing integers
    from here on means the achieved budget can never exceed the requested one through rounding.
    """
    k = math.floor(budget * total)
    while k > 0 and k / total > budget:
        k -= 1
    return k


def check_vocab_sizes(vocab_sizes) -> tuple[int, ...]:
    """Vocabulary sizes must be positive integers (numpy integers and integral floats are accepted)."""
    try:
        items = list(vocab_sizes)
    except TypeError:
        raise SearchInputError(
            f"vocab_sizes: expected a sequence of positive integers; got {vocab_sizes!r}"
        ) from None
    if not items:
        raise SearchInputError("vocab_sizes: expected at least one field; got an empty sequence")
    out = []
    for f, v in enumerate(items):
        if isinstance(v, torch.Tensor) and v.numel() == 1:
            v = v.item()
        ok = (
            not isinstance(v, bool)
            and isinstance(v, numbers.Real)
            and math.isfinite(float(v))
            and float(v) == int(v)
            and int(v) >= 1
        )
        if not ok:
            raise SearchInputError(f"vocab_sizes[{f}]: expected a positive integer; got {v!r}")
        out.append(int(v))
    return tuple(out)


def check_positive_int(name: str, value, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SearchInputError(f"{name}: expected an integer; got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        kind = "non-negative" if allow_zero else "positive"
        raise SearchInputError(f"{name}: expected a {kind} integer; got {value!r}")
    return int(value)


def scores_to_numpy(scores, num_fields: int | None = None, name: str = "scores") -> np.ndarray:
    """A finite (F, D) score matrix as float64 numpy (a copy; the caller's tensor is untouched)."""
    if isinstance(scores, torch.Tensor):
        arr = scores.detach().to("cpu", torch.float64).numpy().copy()
    else:
        arr = np.array(scores, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise SearchInputError(
            f"{name}: expected a (num_fields, emb_dim) matrix; got shape {tuple(arr.shape)}"
        )
    if num_fields is not None and arr.shape[0] != num_fields:
        raise SearchInputError(
            f"{name}: shape {tuple(arr.shape)} does not match {num_fields} vocab_sizes; "
            f"expected ({num_fields}, emb_dim)"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        f, j = (int(i) for i in np.argwhere(bad)[0])
        raise SearchInputError(
            f"{name}: {int(bad.sum())} non-finite value(s), first at field {f}, dim {j}: {arr[f, j]!r}"
        )
    return arr


def gate_of(model: nn.Module) -> torch.Tensor:
    """The (F, D) gate buffer that ``model.embedding`` multiplies into each field's vectors, checked to
    be all ones: every score is defined at alpha = 1, and a pruned (zero-gated) model would give wrong
    scores."""
    embedding = getattr(model, "embedding", None)
    gate = getattr(embedding, "gate", None)
    if not isinstance(gate, torch.Tensor):
        raise SearchInputError(
            f"{type(model).__name__}: expected a model with `embedding.gate`, a (num_fields, emb_dim) tensor"
        )
    if gate.dim() != 2 or not gate.is_floating_point():
        raise SearchInputError(
            f"model.embedding.gate: expected a float (num_fields, emb_dim) tensor; got {gate.dtype} {tuple(gate.shape)}"
        )
    if not gate.is_leaf:
        raise SearchInputError(
            "model.embedding.gate: expected a leaf tensor (a buffer), got a computed tensor"
        )
    if not bool(torch.all(gate == 1)):
        raise SearchInputError("model.embedding.gate: expected all ones (an unpruned model)")
    return gate
