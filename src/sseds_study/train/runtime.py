"""Seeds and devices."""

from __future__ import annotations

import random

import numpy as np
import torch
from torch import nn

from ..errors import ConfigError


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (CPU and every GPU). Call it before building a model."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device


def resolve_device(name: str = "auto") -> torch.device:
    """"auto" -> cuda when available, else cpu; "cpu", "cuda" or "cuda:N" as given."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"train.device: {name!r} requested but no CUDA device is available")
        return torch.device(name)
    raise ConfigError(f"train.device: expected auto, cpu or cuda; got {name!r}")


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (cpu for a model without parameters)."""
    for p in model.parameters():
        return p.device
    return torch.device("cpu")
