"""CTR models with uniform or mixed-width field embeddings. Each model maps ids (B, C) to logits (B,).

The names below are imported on first use (``sseds_study._lazy``): ``models.registry`` knows the
model names without importing torch.
"""

from .._lazy import lazy_face

_EXPORTS = {
    "CTRModel": "base", "DCN": "dcn", "DeepFM": "deepfm", "FM": "fm", "FieldEmbedding": "embedding", "IPNN": "ipnn",
    "WideDeep": "widedeep", "inherit_pretrained": "inherit", "MODELS": "registry", "MODEL_NAMES": "registry",
    "build_model": "registry", "canonical_model_name": "registry", "model_class": "registry",
    "SoftThreshold": "pep", "attach_fixed_mask": "pep", "attach_soft_threshold": "pep",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_face(globals(), _EXPORTS)
