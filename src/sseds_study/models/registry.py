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
_BY_LOWER = {name.lower(): cls for name, cls in MODELS.items()}


def get_model_class(name: str) -> type[CTRModel]:
    """The class registered under ``name`` (case-insensitive; "Wide&Deep" and "wide_deep" work too)."""
    key = str(name).lower().replace("&", "").replace("_", "").replace("-", "")
    if key not in _BY_LOWER:
        raise ConfigError(f"model.name: unknown model {name!r}; expected one of {', '.join(MODELS)}")
    return _BY_LOWER[key]


def build_model(fields: Sequence[FieldSpec], cfg: ModelConfig, gates: bool = False) -> CTRModel:
    """Build ``cfg.name`` for these fields. Seed (``train.seed_everything``) before calling it:
    the initial weights come from torch's global generator."""
    return get_model_class(cfg.name)(fields, cfg, gates=gates)


def canonical_model_name(name: str) -> str:
    """The registry's spelling of a model name: "deepfm" -> "DeepFM", "Wide&Deep" -> "WideDeep"."""
    cls = get_model_class(name)
    return next(n for n, c in MODELS.items() if c is cls)
