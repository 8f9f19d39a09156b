"""CTR models with uniform or mixed-width field embeddings. Each model maps ids (B, C) to logits (B,)."""

from .base import CTRModel
from .dcn import DCN
from .deepfm import DeepFM
from .embedding import FieldEmbedding
from .fm import FM
from .inherit import inherit_pretrained
from .ipnn import IPNN
from .registry import MODELS, build_model, canonical_model_name
from .widedeep import WideDeep

__all__ = [
    "CTRModel",
    "DCN",
    "DeepFM",
    "FM",
    "FieldEmbedding",
    "IPNN",
    "MODELS",
    "WideDeep",
    "build_model",
    "canonical_model_name",
    "inherit_pretrained",
]

from .pep import SoftThreshold, attach_fixed_mask, attach_soft_threshold  # noqa: E402  (PEP)

__all__ += ["SoftThreshold", "attach_fixed_mask", "attach_soft_threshold"]
