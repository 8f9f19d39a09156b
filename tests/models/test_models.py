"""The five models: registry, output shapes, exact parameter counts, gates, checkpoints. (A mixed-width
model inheriting a uniform one equals the gated uniform model: test_inherit.py.)"""

from __future__ import annotations

import pytest
import torch

from sseds_study.config import ModelConfig
from sseds_study.errors import ConfigError
from sseds_study.models import MODELS, build_model, canonical_model_name

D, H = 4, (6, 5)
NAMES = list(MODELS)


def cfg(name, emb_dims=None, **kw):
    return ModelConfig(name=name, emb_dim=D, emb_dims=emb_dims, hidden_dims=H, **kw)


def test_registry_is_case_insensitive_and_errors_list_names(fields):
    assert set(MODELS) == {"FM", "DeepFM", "WideDeep", "DCN", "IPNN"}
    assert canonical_model_name("deepfm") == "DeepFM"
    assert canonical_model_name("Wide&Deep") == canonical_model_name("wide_deep") == "WideDeep"
    assert all(canonical_model_name(name) == name for name in MODELS)
    assert type(build_model(fields, cfg("dcn"))) is MODELS["DCN"]
    for bad in ("xDeepFM", "", None):
        with pytest.raises(ConfigError, match="FM, DeepFM, WideDeep, DCN, IPNN"):
            canonical_model_name(bad)
    with pytest.raises(ConfigError, match="FM, DeepFM, WideDeep, DCN, IPNN"):
        build_model(fields, cfg("xDeepFM"))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dims", [None, (4, 2, 1, 0, 3), (0, 0, 0, 0, 0)])
def test_models_return_logits_of_shape_B(name, dims, fields, ids):
    model = build_model(fields, cfg(name, dims), gates=True)
    out = model(ids)
    assert out.shape == (ids.shape[0],) and out.dtype == torch.float32 and torch.isfinite(out).all()
    assert model.embedding.emb_dims == (dims or (D,) * 5)


def hand_count(name, V, dims):
    """Parameters of each model written out from its definition."""
    F = len(V)
    kept = [d for d in dims if d > 0]
    emb = sum(v * d for v, d in zip(V, dims, strict=True))
    align = sum(d * D for d in kept if d < D) if name != "WideDeep" else 0
    concat = sum(dims)

    def mlp(i, out=True):
        n, w = 0, i
        for h in H:
            n, w = n + w * h + h, h
        return n + (w + 1 if out else 0)

    first_order = sum(V) + 1
    other = {
        "FM": first_order,
        "DeepFM": first_order + mlp(concat),
        "WideDeep": first_order + mlp(concat),
        "DCN": 2 * 2 * len(kept) * D + mlp(concat, out=False) + (len(kept) * D + H[-1] + 1),
        "IPNN": mlp(concat + len(kept) * (len(kept) - 1) // 2),
    }[name]
    assert F == len(dims)
    return {"embedding": emb, "alignment": align, "other": other, "total": emb + align + other}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dims", [None, (4, 2, 1, 0, 3)])
def test_parameter_counts_match_hand_counts(name, dims, fields):
    V = [s.vocab_size for s in fields]
    model = build_model(fields, cfg(name, dims))  # cross_layers=2
    assert model.count_params() == hand_count(name, V, dims or (D,) * 5)


@pytest.mark.parametrize("name", NAMES)
def test_gate_gradients_reach_every_model(name, fields, ids):
    model = build_model(fields, cfg(name), gates=True)
    model.embedding.gate.requires_grad_(True)
    model(ids).sum().backward()
    grad = model.embedding.gate.grad
    assert grad is not None and grad.shape == (5, D) and grad.abs().sum() > 0


def test_state_dict_loads_across_gate_settings(fields, ids):
    torch.manual_seed(0)
    gated = build_model(fields, cfg("DeepFM"), gates=True)
    plain = build_model(fields, cfg("DeepFM"))
    plain.load_state_dict(gated.state_dict())  # strict: the gate is not persistent
    gated.eval(), plain.eval()
    torch.testing.assert_close(plain(ids), gated(ids))
