"""The five models: registry, output shapes, exact parameter counts, and the key equivalence:
a mixed-width model whose alignment maps select the kept columns computes exactly what the uniform
model computes with the dropped columns gated to zero."""

from __future__ import annotations

import itertools

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


# -- mixed width == gated uniform ---------------------------------------------------------------------
def transfer(uniform, mixed, keep: torch.Tensor, name: str):
    """Copy the uniform model into the mixed one: kept embedding columns, selection alignment maps,
    and every other weight, with the inputs of the layers that read the embeddings sliced to the
    kept inputs."""
    F = keep.shape[0]
    kept_fields = [f for f in range(F) if keep[f].any()]
    concat_idx = [f * D + j for f in range(F) for j in torch.nonzero(keep[f]).flatten().tolist()]
    aligned_idx = [f * D + j for f in kept_fields for j in range(D)]
    pairs = list(itertools.combinations(range(F), 2))
    pair_idx = [pairs.index(p) for p in itertools.combinations(kept_fields, 2)]
    h_last = H[-1]
    # which input columns of the uniform weight survive, per parameter name (dim 1, or dim 0 for 1-D)
    slices = {
        "mlp.net.0.weight": concat_idx + ([F * D + i for i in pair_idx] if name == "IPNN" else []),
        "cross.weights.0": aligned_idx, "cross.weights.1": aligned_idx,
        "cross.biases.0": aligned_idx, "cross.biases.1": aligned_idx,
        "head.weight": aligned_idx + [F * D + k for k in range(h_last)],
    }
    mixed.embedding.load_kept_columns(uniform.embedding, keep)  # also sets the selection maps
    src = uniform.state_dict()
    with torch.no_grad():
        for key, p in mixed.state_dict().items():
            if key.startswith("embedding."):
                continue
            u = src[key]
            if u.shape != p.shape:
                idx = torch.tensor(slices[key])
                u = u.index_select(p.dim() - 1, idx)
            p.copy_(u)


@pytest.mark.parametrize("name", NAMES)
def test_mixed_width_equals_zero_gated_uniform(name, fields, make_ids):
    torch.manual_seed(0)
    ids = make_ids(fields, 64, seed=3)
    keep = torch.zeros(5, D, dtype=torch.bool)
    keep[0] = True  # full width: no map
    keep[1, [1, 3]] = True
    keep[2, [0]] = True  # the multi-valued field
    keep[4, [0, 2, 3]] = True
    # field 3 is dropped entirely
    uniform = build_model(fields, cfg(name), gates=True).double()
    with torch.no_grad():  # make every weight non-trivial (first-order tables start at zero)
        for p in uniform.parameters():
            p.add_(0.3 * torch.randn_like(p))
        if name == "DCN":
            # the one true caveat: a dropped field's block of the cross network still carries the
            # cross biases b_l in the uniform model, so equivalence needs those biases at zero
            for b in uniform.cross.biases:
                b.view(5, D)[3] = 0.0
    mixed = build_model(fields, cfg(name, tuple(keep.sum(1).tolist()))).double()
    transfer(uniform, mixed, keep, name)
    uniform.eval(), mixed.eval()
    with uniform.embedding.masked(keep):
        torch.testing.assert_close(mixed(ids), uniform(ids), rtol=1e-10, atol=1e-10)


def test_fm_mixed_equals_gated_uniform_without_any_weight_surgery(fields, make_ids):
    """FM has no layer reading the embeddings: load_kept_columns alone makes the models equal."""
    torch.manual_seed(1)
    ids = make_ids(fields, 32, seed=4)
    keep = torch.rand(5, D) < 0.5
    keep[1] = False
    uniform = build_model(fields, cfg("FM"), gates=True).double()
    mixed = build_model(fields, cfg("FM", tuple(keep.sum(1).tolist()))).double()
    mixed.linear.load_state_dict(uniform.linear.state_dict())
    mixed.embedding.load_kept_columns(uniform.embedding, keep)
    with uniform.embedding.masked(keep):
        torch.testing.assert_close(mixed(ids), uniform(ids), rtol=1e-10, atol=1e-10)


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
