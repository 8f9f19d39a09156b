"""autodim_search and its supernet layer (search/autodim.py, search/supernet.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from plantedhelpers import D, planted, planted_model
from sseds_study.config import ModelConfig
from sseds_study.data.spec import make_field_specs
from sseds_study.models.registry import build_model
from sseds_study.search import SearchInputError
from sseds_study.search.autodim import BN_EPS, AutoDimMix, autodim_search, candidate_widths, width_scores

CANDIDATES = (2, 4)


@pytest.fixture(scope="module")
def data():
    return planted()


@pytest.fixture(params=["FM", "DeepFM"])
def model(request, data):
    return planted_model(*data, name=request.param)


def run(model, ds, **kw):
    return autodim_search(model, ds, **{"batch_size": 128, "seed": 0, "candidates": CANDIDATES, **kw})


# -- the layer ----------------------------------------------------------------------------------------
def test_candidate_widths():
    assert candidate_widths((2, 4, 8, 16), 8) == (2, 4, 8)
    assert candidate_widths((16, 2, 4, 2), 6) == (2, 4, 6)  # sorted, unique, D always in
    assert candidate_widths((), 3) == (3,)
    for bad in ((0, 2), (2.5,), "ab", 4):
        with pytest.raises(SearchInputError):
            candidate_widths(bad, 8)


def test_width_scores_are_the_probability_that_the_width_covers_the_column():
    p = torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    scores = width_scores(p, (2, 4, 8), 8)
    assert scores.dtype == torch.float64
    expected = [[1, 1, 0.8, 0.8, 0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0, 0, 0, 0, 0]]
    np.testing.assert_allclose(scores.numpy(), expected, atol=1e-12)


def _random_mix(seed: int = 0) -> tuple[AutoDimMix, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    mix = AutoDimMix(2, 3, (1, 3))
    with torch.no_grad():
        for p in mix.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        for k in range(2):
            getattr(mix, f"running_mean{k}").copy_(torch.randn(6, generator=g))
            getattr(mix, f"running_var{k}").copy_(torch.rand(6, generator=g) + 0.5)
    return mix, torch.randn(5, 2, 3, generator=g)


@torch.no_grad()
def _hand_forward(mix: AutoDimMix, e: torch.Tensor, train: bool) -> torch.Tensor:
    """sum_k softmax(alpha)_k * BN_k(W_k e[:d_k]), written out field by field and column by column."""
    p = torch.softmax(mix.alpha.double(), dim=1)
    out = torch.zeros(e.shape, dtype=torch.float64)
    for k, d in enumerate(mix.candidates):
        rm, rv = getattr(mix, f"running_mean{k}").double(), getattr(mix, f"running_var{k}").double()
        for f in range(2):
            x = e[:, f, :d].double() @ mix.maps[k][f].double().T  # (B, D)
            for o in range(3):
                col = x[:, o]
                mu, var = (col.mean(), col.var(unbiased=False)) if train else (rm[f * 3 + o], rv[f * 3 + o])
                bn = (col - mu) / torch.sqrt(var + BN_EPS) * mix.bn_weight[k][f, o].double() + mix.bn_bias[k][f, o].double()
                out[:, f, o] += p[f, k] * bn
    return out


@pytest.mark.parametrize("train", [True, False])
def test_mixture_matches_a_hand_computation(train):
    mix, e = _random_mix()
    mix.train(train)
    np.testing.assert_allclose(mix(e).detach().double().numpy(), _hand_forward(mix, e, train).numpy(), rtol=1e-5, atol=1e-5)


def test_gradient_reaches_alpha_and_matches_the_hand_forward():
    mix, e = _random_mix(1)
    upstream = torch.randn(e.shape, generator=torch.Generator().manual_seed(2))
    (mix(e) * upstream).sum().backward()
    grad = mix.alpha.grad.clone()
    assert grad.abs().min() > 0  # every field's alpha moves
    alpha = mix.alpha.detach().double().requires_grad_(True)
    # the same loss through the hand forward, as a function of alpha alone
    outs = []
    for k, d in enumerate(mix.candidates):
        x = torch.einsum("bfi,foi->bfo", e[..., :d].double(), mix.maps[k].detach().double())
        mu, var = x.mean(0), x.var(0, unbiased=False)
        outs.append((x - mu) / torch.sqrt(var + BN_EPS) * mix.bn_weight[k].detach().double() + mix.bn_bias[k].detach().double())
    p = torch.softmax(alpha, dim=1)
    loss = sum(p[None, :, k, None] * outs[k] for k in range(2))
    (loss * upstream.double()).sum().backward()
    np.testing.assert_allclose(grad.numpy(), alpha.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_warm_start_reproduces_the_truncated_embedding():
    # Column moments taken on the batch itself: in train mode every candidate then gives back its
    # first d_k columns and zeros after them, so the mixture is e with column j scaled by P(width > j).
    e = torch.randn(16, 3, 4, generator=torch.Generator().manual_seed(3)) * 0.3 + 0.1
    mix = AutoDimMix(3, 4, (1, 2, 4))
    mix.warm_start(e.mean(0), e.var(0, unbiased=False), torch.Generator().manual_seed(0))
    for k, d in enumerate(mix.candidates):
        out = mix.candidate(k, e)
        torch.testing.assert_close(out[..., :d], e[..., :d], rtol=1e-4, atol=1e-5)
        assert torch.all(out[..., d:] == 0)
    covers = torch.tensor([1.0, 2 / 3, 1 / 3, 1 / 3])
    torch.testing.assert_close(mix(e), e * covers, rtol=1e-4, atol=1e-5)


# -- the search ---------------------------------------------------------------------------------------
def test_scores_shape_monotone_and_counts(model, data):
    ds, _ = data
    state = {k: v.clone() for k, v in model.state_dict().items()}
    res = run(model, ds, epochs=2)
    s = res.scores
    assert s.shape == (4, D) and s.dtype == torch.float64 and s.device.type == "cpu"
    assert torch.all(s[:, 1:] <= s[:, :-1])  # non-increasing: allocations are prefixes
    assert torch.allclose(s[:, :2], torch.ones(4, 2, dtype=torch.float64), rtol=0, atol=1e-12)
    assert torch.all((s >= 0) & (s <= 1 + 1e-12))
    steps = 2 * math.ceil(600 / 128)
    assert res.passes == steps and res.valid_passes == steps and res.seconds > 0
    probs = np.array(res.detail["probabilities"])
    assert probs.shape == (4, 2)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-6)
    json.dumps(res.detail)
    # the input model is left exactly as it was
    after = model.state_dict()
    assert after.keys() == state.keys() and all(torch.equal(v, after[k]) for k, v in state.items())
    assert "lookup" not in vars(model.embedding) and "autodim" not in dict(model.embedding.named_children())
    assert model.training and torch.all(model.embedding.gate == 1)


def test_input_checks(data):
    ds, truth = data
    model = planted_model(ds, truth)
    with pytest.raises(SearchInputError, match="batch_size"):
        run(model, ds, batch_size=0)
    with pytest.raises(SearchInputError, match="arch_lr"):
        run(model, ds, arch_lr=-1.0)
    with pytest.raises(SearchInputError, match="seed"):
        run(model, ds, seed=-3)
    with pytest.raises(SearchInputError, match="candidates"):
        run(model, ds, candidates=(0,))
    slim = build_model(ds.fields, ModelConfig(name="FM", emb_dim=D, emb_dims=(4, 2, 4, 4)), gates=True)
    with pytest.raises(SearchInputError, match="uniform"):
        run(slim, ds)
    other = ds.replace(fields=make_field_specs(["a", "b", "noise", "genres"], ["categorical"] * 3 + ["multi"],
                                               [7, 6, 6, 5], [1, 1, 1, 2]))
    with pytest.raises(SearchInputError, match="fields"):
        run(model, other)
    one_valid = ds.replace(split=np.where(np.arange(len(ds)) == len(ds) - 1, 1, 0).astype(np.int8))
    with pytest.raises(SearchInputError, match="valid split has 1"):
        run(model, one_valid)
    with model.embedding.masked(torch.ones(4, D, dtype=torch.bool).tril()), pytest.raises(SearchInputError, match="ones"):
        run(model, ds)
