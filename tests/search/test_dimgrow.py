"""dimgrow_search and its shuffle gate (search/dimgrow.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from plantedhelpers import D, planted, planted_model
from sseds_study.config import ModelConfig
from sseds_study.models.registry import build_model
from sseds_study.search import SearchInputError
from sseds_study.search.dimgrow import (
    GATE_INIT,
    ShuffleGate,
    column_permutations,
    dimgrow_search,
    shuffle_mix,
)


@pytest.fixture(scope="module")
def data():
    return planted()


@pytest.fixture(params=["FM", "DeepFM"])
def model(request, data):
    return planted_model(*data, name=request.param)


def run(model, ds, **kw):
    return dimgrow_search(model, ds, **{"batch_size": 128, "seed": 0, **kw})


# -- the gate -----------------------------------------------------------------------------------------
def _tiny():
    """A batch of 3 rows, 2 fields, 2 columns; a fixed permutation per column; gates."""
    e = torch.tensor([[[1.0, 2.0], [3.0, 4.0]],
                      [[5.0, 6.0], [7.0, 8.0]],
                      [[9.0, 10.0], [11.0, 12.0]]])
    perm = torch.empty(3, 2, 2, dtype=torch.long)
    perm[:, 0, 0] = torch.tensor([1, 2, 0])
    perm[:, 0, 1] = torch.tensor([2, 0, 1])
    perm[:, 1, 0] = torch.tensor([0, 1, 2])  # the identity: this column stays as it is whatever its gate
    perm[:, 1, 1] = torch.tensor([2, 1, 0])
    gate = torch.tensor([[0.25, 1.0], [0.5, 0.0]])
    return e, gate, perm


def test_shuffle_mix_matches_a_hand_computation():
    e, gate, perm = _tiny()
    out = shuffle_mix(e, gate, perm)
    expected = torch.tensor([
        # field 0: col 0 = 0.25 e + 0.75 e[perm], col 1 = e (gate 1); field 1: col 0 = e (identity
        # permutation), col 1 = e[perm] (gate 0)
        [[0.25 * 1 + 0.75 * 5, 2.0], [3.0, 12.0]],
        [[0.25 * 5 + 0.75 * 9, 6.0], [7.0, 8.0]],
        [[0.25 * 9 + 0.75 * 1, 10.0], [11.0, 4.0]],
    ])
    torch.testing.assert_close(out, expected)


def test_gate_gradient_is_the_hand_derivative():
    e, gate, perm = _tiny()
    e = e.requires_grad_(True)
    gate = gate.clone().requires_grad_(True)
    upstream = torch.tensor([[[1.0, -2.0], [0.5, 3.0]], [[-1.0, 1.0], [2.0, -0.5]], [[0.25, 0.0], [-3.0, 1.5]]])
    (shuffle_mix(e, gate, perm) * upstream).sum().backward()
    shuffled = torch.gather(e.detach(), 0, perm)
    expected = (upstream * (e.detach() - shuffled)).sum(0)  # sum_b upstream * (e - e[perm])
    torch.testing.assert_close(gate.grad, expected)
    assert gate.grad[1, 0] == 0  # the identity permutation: the gate changes nothing
    # the shuffled copy is detached: the table only sees the gated, unshuffled term
    torch.testing.assert_close(e.grad, upstream * gate.detach())


def test_column_permutations_are_seeded_permutations():
    g = torch.Generator().manual_seed(5)
    perm = column_permutations(7, 3, 4, g)
    assert perm.shape == (7, 3, 4) and perm.dtype == torch.long
    assert torch.equal(perm.sort(dim=0).values, torch.arange(7)[:, None, None].expand(7, 3, 4))
    assert not all(torch.equal(perm[:, 0, 0], perm[:, f, j]) for f in range(3) for j in range(4))  # independent
    assert torch.equal(perm, column_permutations(7, 3, 4, torch.Generator().manual_seed(5)))


def test_gate_layer_starts_near_open_and_is_off_in_eval_mode():
    layer = ShuffleGate(2, 2, torch.Generator().manual_seed(0))
    torch.testing.assert_close(layer.gates(), torch.full((2, 2), 1 / (1 + math.exp(-5 * GATE_INIT))))
    e, _, _ = _tiny()
    assert torch.equal(layer.eval()(e), e)
    out = layer.train()(e)
    assert not torch.equal(out, e) and torch.allclose(out, e, atol=0.1)  # 0.7% noise


# -- the search ---------------------------------------------------------------------------------------
def test_scores_shape_counts_and_the_input_model_untouched(model, data):
    ds, _ = data
    state = {k: v.clone() for k, v in model.state_dict().items()}
    res = run(model, ds, epochs=2)
    s = res.scores
    assert s.shape == (4, D) and s.dtype == torch.float64 and s.device.type == "cpu"
    assert torch.all((s > 0) & (s < 1))
    steps = 2 * math.ceil(600 / 128)
    assert res.passes == steps and res.valid_passes == steps and res.seconds > 0
    assert np.array_equal(np.array(res.detail["gates"]), s.numpy())
    json.dumps(res.detail)
    after = model.state_dict()
    assert after.keys() == state.keys() and all(torch.equal(v, after[k]) for k, v in state.items())
    assert "lookup" not in vars(model.embedding) and "shuffle_gate" not in dict(model.embedding.named_children())
    assert model.training and torch.all(model.embedding.gate == 1)


def test_the_penalty_pushes_the_gates_down(data):
    ds, truth = data
    model = planted_model(ds, truth)
    free, penalised = run(model, ds, l1=0.0).scores, run(model, ds, l1=1.0).scores
    assert penalised.mean() < free.mean()


def test_input_checks(data):
    ds, truth = data
    model = planted_model(ds, truth)
    with pytest.raises(SearchInputError, match="epochs"):
        run(model, ds, epochs=0)
    with pytest.raises(SearchInputError, match="gate_lr"):
        run(model, ds, gate_lr=0.0)
    with pytest.raises(SearchInputError, match="l1"):
        run(model, ds, l1=float("nan"))
    slim = build_model(ds.fields, ModelConfig(name="FM", emb_dim=D, emb_dims=(4, 4, 0, 4)), gates=True)
    with pytest.raises(SearchInputError, match="uniform"):
        run(slim, ds)
    no_train = ds.replace(split=np.ones(len(ds), dtype=np.int8))
    with pytest.raises(SearchInputError, match="train split has 0"):
        run(model, no_train)
    bad_ids = ds.replace(ids=np.where(np.arange(ds.ids.shape[1]) == 2, 6, ds.ids))
    with pytest.raises(SearchInputError, match="noise"):
        run(model, bad_ids)
