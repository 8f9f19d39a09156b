"""Model names -> classes; ``build_model`` is the one way the rest of the package makes a model.

The names and where each class lives are plain data, so the command line lists them without
importing torch; a class is imported when it is first asked for (``model_class``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..config.settings import ModelConfig
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..data.spec import FieldSpec
    from .base import CTRModel

# name -> (module of this package, class name), in the order the book lists them
_CLASSES = {"FM": ("fm", "FM"), "DeepFM": ("deepfm", "DeepFM"), "WideDeep": ("widedeep", "WideDeep"),
            "DCN": ("dcn", "DCN"), "IPNN": ("ipnn", "IPNN")}
MODEL_NAMES: tuple[str, ...] = tuple(_CLASSES)


def _match_key(name: str) -> str:
    return name.lower().replace("&", "").replace("_", "").replace("-", "").replace(" ", "")


_BY_KEY = {_match_key(name): name for name in MODEL_NAMES}


def canonical_model_name(name: str) -> str:
    """The registry's spelling of a model name: "deepfm" -> "DeepFM", "Wide&Deep" -> "WideDeep".

    Matching ignores case and the characters ``&``, ``_``, ``-`` and spaces; this is the only place
    model names are matched. Raises ConfigError listing the valid names for anything else.
    """
    canonical = _BY_KEY.get(_match_key(name)) if isinstance(name, str) else None
    if canonical is None:
        raise ConfigError(f"model.name: unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
    return canonical


def model_class(name: str) -> type[CTRModel]:
    """The class of model ``name`` (any spelling ``canonical_model_name`` accepts)."""
    module, cls = _CLASSES[canonical_model_name(name)]
    return getattr(importlib.import_module(f"{__package__}.{module}"), cls)


def __getattr__(name: str):
    # MODELS (name -> class) imports every model class, so it is built when first read.
    if name == "MODELS":
        return {n: model_class(n) for n in MODEL_NAMES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_model(fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False) -> CTRModel:
    """Build ``cfg.name`` (any spelling ``canonical_model_name`` accepts) for these fields.

    Seed (``train.seed_everything``) before calling it: the initial weights come from torch's global
    generator."""
    return model_class(cfg.name)(fields, cfg, gates=gates)
