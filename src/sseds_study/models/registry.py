"""Model names -> classes; ``build_model`` is the one way the rest of the package makes a model."""

from __future__ import annotations

from collections.abc import Sequence

from ..config import ModelConfig
from ..data.spec import FieldSpec
from ..errors import ConfigError
from .base import CTRModel
from .dcn import DCN
from .deepfm import DeepFM
from .fm import FM
from .ipnn import IPNN
from .widedeep import WideDeep

MODELS: dict[str, type[CTRModel]] = {"FM": FM, "DeepFM": DeepFM, "WideDeep": WideDeep, "DCN": DCN, "IPNN": IPNN}


def _match_key(name: str) -> str:
    return name.lower().replace("&", "").replace("_", "").replace("-", "").replace(" ", "")


_BY_KEY = {_match_key(name): name for name in MODELS}


def canonical_model_name(name: str) -> str:
    """The registry's spelling of a model name: "deepfm" -> "DeepFM", "Wide&Deep" -> "WideDeep".

    Matching ignores case and the characters ``&``, ``_``, ``-`` and spaces; this is the only place
    model names are matched. Raises ConfigError listing the valid names for anything else.
    """
    canonical = _BY_KEY.get(_match_key(name)) if isinstance(name, str) else None
    if canonical is None:
        raise ConfigError(f"model.name: unknown model {name!r}; expected one of {', '.join(MODELS)}")
    return canonical


def build_model(fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False) -> CTRModel:
    """Build ``cfg.name`` (any spelling ``canonical_model_name`` accepts) for these fields.

    Seed (``train.seed_everything``) before calling it: the initial weights come from torch's global
    generator."""
    return MODELS[canonical_model_name(cfg.name)](fields, cfg, gates=gates)
