"""PEP soft thresholds and fixed masks (models/pep.py): forward and gradients against a hand
computation, layout on mixed widths, optimizer groups, masks through optimizer steps, rewind."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from sseds_study.config import ModelConfig, TrainConfig
from sseds_study.data.spec import make_field_specs
from sseds_study.errors import ConfigError
from sseds_study.models import build_model, pep
from sseds_study.models.embedding import FieldEmbedding
from sseds_study.train import make_optimizer, param_groups

GRANULARITIES = ("global", "dim", "field", "field_dim", "feature", "feature_dim")

# two categorical fields, V = (2, 3), D = 3: one stacked (5, 3) table, field 0 in rows 0-1, field 1 in 2-4
HAND_FIELDS = make_field_specs(["a", "b"], ["categorical", "categorical"], [2, 3])
HAND_WEIGHT = [
    [0.50, -0.20, 0.00],
    [-0.05, 0.30, 0.90],
    [0.10, -0.70, 0.02],
    [-0.40, 0.60, -0.15],
    [0.25, 0.00, -0.80],
]
HAND_FIELD_OF_ROW = [0, 0, 1, 1, 1]


def _s_shape(granularity, num_fields=2, dim=3, rows=5):
    return {
        "global": (1,),
        "dim": (dim,),
        "field": (num_fields,),
        "field_dim": (num_fields, dim),
        "feature": (rows,),
        "feature_dim": (rows, dim),
    }[granularity]


def _s_index(granularity, row, j):
    """Which entry of s thresholds entry (row, j) of the hand table."""
    f = HAND_FIELD_OF_ROW[row]
    return {
        "global": (0,),
        "dim": (j,),
        "field": (f,),
        "field_dim": (f, j),
        "feature": (row,),
        "feature_dim": (row, j),
    }[granularity]


@pytest.mark.parametrize("granularity", GRANULARITIES)
@pytest.mark.parametrize("slope", [1.0, 2.0])
def test_forward_and_gradients_match_hand_computation(granularity, slope):
    emb = FieldEmbedding(HAND_FIELDS, 3)
    with torch.no_grad():
        emb.tables[0].weight.copy_(torch.tensor(HAND_WEIGHT))
    thr = pep.attach_soft_threshold(emb, granularity, init=0.0, slope=slope)
    assert tuple(thr.s.shape) == _s_shape(granularity)
    # distinct thresholds g(slope * s) spread over (0.04, 0.6): some entries survive, some do not
    n = thr.s.numel()
    s_values = np.linspace(-1.5, 0.2, n).reshape(thr.s.shape) / slope
    with torch.no_grad():
        thr.s.copy_(torch.tensor(s_values, dtype=torch.float32))
    coef = torch.arange(1, 16, dtype=torch.float32).reshape(5, 3) / 7.0 - 1.0  # dL/dv~, fixed

    out = emb.tables[0].weight  # (5, 3), thresholded
    (out * coef).sum().backward()

    # hand computation, float64, entry by entry
    v = np.array(HAND_WEIGHT)
    c = coef.double().numpy()
    expected = np.zeros_like(v)
    grad_v = np.zeros_like(v)
    grad_s = np.zeros(thr.s.shape)
    for r in range(5):
        for j in range(3):
            k = _s_index(granularity, r, j)
            z = slope * s_values[k]
            g = 1.0 / (1.0 + math.exp(-z))
            dg_ds = slope * g * (1.0 - g)
            active = abs(v[r, j]) > g
            sign = float(np.sign(v[r, j]))
            expected[r, j] = sign * (abs(v[r, j]) - g) if active else 0.0
            grad_v[r, j] = c[r, j] if active and v[r, j] != 0 else 0.0
            grad_s[k] += c[r, j] * (-sign * dg_ds) if active else 0.0
    assert (expected == 0).any() and (expected != 0).any()  # the case exercises both branches
    np.testing.assert_allclose(out.detach().double().numpy(), expected, rtol=1e-5, atol=1e-7)
    raw = emb.tables[0].parametrizations.weight.original
    np.testing.assert_allclose(raw.grad.double().numpy(), grad_v, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(thr.s.grad.double().numpy(), grad_s, rtol=1e-5, atol=1e-8)


def test_soft_threshold_function():
    v = torch.tensor([-0.3, -0.1, 0.0, 0.05, 0.2])
    torch.testing.assert_close(pep.soft_threshold(v, torch.tensor(0.1)), torch.tensor([-0.2, 0.0, 0.0, 0.0, 0.1]))


@pytest.mark.parametrize("granularity", ["global", "dim", "field", "field_dim", "feature", "feature_dim"])
def test_mixed_widths_and_multi_fields_use_each_rows_own_threshold(fields, ids, granularity):
    """Mixed widths (several tables, a multi-valued field stored after the singles): the threshold
    applied to every entry of field_weight(f) is the one of field f, dim j."""
    torch.manual_seed(0)
    dims = [4, 2, 4, 0, 2]
    emb = FieldEmbedding(fields, 4, dims, align=True)
    raw = [w.detach().clone() for w in emb.field_weights()]
    thr = pep.attach_soft_threshold(emb, granularity, init=0.0)
    with torch.no_grad():
        thr.s.copy_(torch.linspace(-6.0, -4.0, thr.s.numel()).reshape(thr.s.shape))
    # the row numbering of feature thresholds: table by table, rows in table order
    table_start = np.cumsum([0] + [t.weight.shape[0] for t in emb.tables])
    g_all = torch.sigmoid(thr.s.detach())
    for f, w in enumerate(emb.field_weights()):
        d = dims[f]
        if d == 0:
            assert w.shape == (fields[f].vocab_size, 0)
            continue
        # which table and which rows field f occupies, found by matching the raw values
        table_idx = next(i for i, t in enumerate(emb.tables) if t.weight.shape[1] == d)
        original = emb.tables[table_idx].parametrizations.weight.original.detach()
        start = next(
            r for r in range(original.shape[0] - raw[f].shape[0] + 1) if torch.equal(original[r : r + raw[f].shape[0]], raw[f])
        )
        if granularity == "global":
            t = g_all.expand(1, d)
        elif granularity == "dim":
            t = g_all[:d].unsqueeze(0)
        elif granularity == "field":
            t = g_all[f].expand(1, d)
        elif granularity == "field_dim":
            t = g_all[f, :d].unsqueeze(0)
        elif granularity == "feature":
            r0 = table_start[table_idx] + start
            t = g_all[r0 : r0 + raw[f].shape[0]].unsqueeze(1)
        else:
            r0 = table_start[table_idx] + start
            t = g_all[r0 : r0 + raw[f].shape[0], :d]
        expected = torch.sign(raw[f]) * torch.clamp(raw[f].abs() - t, min=0.0)
        torch.testing.assert_close(w.detach(), expected)
    # the model output is that of the baked model
    out = emb.concat(ids)
    pep.remove_pep(emb, bake=True)
    torch.testing.assert_close(emb.concat(ids), out)


def _tiny_model(seed=0, name="DeepFM"):
    fields = make_field_specs(["a", "b", "c"], ["categorical", "multi", "categorical"], [6, 5, 7], [1, 2, 1])
    torch.manual_seed(seed)
    return fields, build_model(fields, ModelConfig(name=name, emb_dim=4, hidden_dims=(4,)))


def test_thresholds_are_model_parameters_and_stored_once():
    _, model = _tiny_model()
    n_before = sum(p.numel() for p in model.parameters())
    thr = pep.attach_soft_threshold(model, "field_dim")
    assert any(p is thr.s for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == n_before + thr.s.numel()
    keys = [k for k in model.state_dict() if k.endswith(".s")]
    assert keys == ["embedding.pep_threshold.s"]
    assert pep.threshold_parameters(model) == [thr.s]
    assert pep.pep_mode(model) == "soft"
    # g(-15) ~ 3e-7: nothing of an N(0, 0.01^2) table is pruned at the start
    assert pep.kept_fraction(model) == 1.0


def test_very_negative_init_leaves_the_model_unchanged(fields, ids):
    cfg = ModelConfig(name="FM", emb_dim=4)
    torch.manual_seed(0)
    model = build_model(fields, cfg)
    before = model(ids)
    pep.attach_soft_threshold(model, "global", init=-30.0)
    torch.testing.assert_close(model(ids), before)


def test_param_groups_put_raw_tables_thresholds_and_rest_in_one_group_each():
    _, model = _tiny_model()
    thr = pep.attach_soft_threshold(model, "field", weight_decay=1e-5)
    groups = param_groups(model, weight_decay=0.3, emb_weight_decay=0.2)
    by_name = {g["name"]: g for g in groups}
    assert set(by_name) == {"embedding", "thresholds", "other"}
    raw = model.embedding.tables[0].parametrizations.weight.original
    first_order = model.linear.weights.tables[0].weight
    emb_ids = {id(p) for p in by_name["embedding"]["params"]}
    assert emb_ids == {id(raw), id(first_order)} and by_name["embedding"]["weight_decay"] == 0.2
    assert by_name["thresholds"]["params"] == [thr.s] and by_name["thresholds"]["weight_decay"] == 1e-5
    assert by_name["other"]["weight_decay"] == 0.3
    all_ids = [id(p) for g in groups for p in g["params"]]
    assert sorted(all_ids) == sorted(id(p) for p in model.parameters()) and len(set(all_ids)) == len(all_ids)
    assert "lr" not in by_name["thresholds"]  # no lr of its own: the optimizer's
    torch.optim.Adam(groups, lr=1e-3)  # a valid specification


def test_make_optimizer_gives_the_thresholds_their_own_decay_and_learning_rate():
    """train.make_optimizer (what fit uses) reads the decay and learning rate the thresholds declare;
    the training config's decays apply to the raw tables and to the rest."""
    _, model = _tiny_model()
    thr = pep.attach_soft_threshold(model, "dim", weight_decay=0.01, lr=0.25)
    opt = make_optimizer(model, TrainConfig(lr=1e-3, weight_decay=0.3, emb_weight_decay=0.2))
    by_name = {g["name"]: g for g in opt.param_groups}
    assert by_name["thresholds"]["params"] == [thr.s]
    assert (by_name["thresholds"]["weight_decay"], by_name["thresholds"]["lr"]) == (0.01, 0.25)
    assert (by_name["embedding"]["lr"], by_name["other"]["lr"]) == (1e-3, 1e-3)
    raw = model.embedding.tables[0].parametrizations.weight.original
    assert any(p is raw for p in by_name["embedding"]["params"])
    with pytest.raises(ConfigError, match="threshold_lr"):
        pep.SoftThreshold("global", (1,), init=-5.0, lr=0.0)


def test_attach_twice_and_bad_arguments_are_errors():
    _, model = _tiny_model()
    with pytest.raises(ConfigError, match="granularity"):
        pep.attach_soft_threshold(model, "row")
    assert pep.pep_mode(model) is None and not hasattr(model.embedding, "pep_threshold")
    with pytest.raises(ConfigError, match="slope"):
        pep.attach_soft_threshold(model, "global", slope=0.0)
    pep.attach_soft_threshold(model, "global")
    with pytest.raises(ConfigError, match="remove_pep"):
        pep.attach_soft_threshold(model, "global")
    with pytest.raises(ConfigError, match="remove_pep"):
        pep.attach_fixed_mask(model, pep.current_mask(model))
    pep.remove_pep(model)
    masks = pep.current_mask(model)
    with pytest.raises(ConfigError, match="expected 3 field masks"):
        pep.attach_fixed_mask(model, masks[:2])
    with pytest.raises(ConfigError, match="shape"):
        pep.attach_fixed_mask(model, [masks[0][:, :2], masks[1], masks[2]])


def _train_steps(model, steps, seed=0, weight_decay=0.0, emb_weight_decay=0.0, lr=0.05):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(param_groups(model, weight_decay, emb_weight_decay), lr=lr)
    for _ in range(steps):
        ids = torch.stack(
            [torch.randint(0, 6, (16,), generator=g), torch.randint(-1, 5, (16,), generator=g),
             torch.randint(-1, 5, (16,), generator=g), torch.randint(0, 7, (16,), generator=g)],
            dim=1,
        )
        y = torch.randint(0, 2, (16,), generator=g).float()
        loss = nn.functional.binary_cross_entropy_with_logits(model(ids), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model


def test_fixed_mask_keeps_masked_entries_exactly_zero_through_training():
    _, model = _tiny_model()
    g = torch.Generator().manual_seed(3)
    masks = [torch.rand(w.shape, generator=g) < 0.4 for w in model.embedding.field_weights()]
    pep.attach_fixed_mask(model, masks)
    assert pep.pep_mode(model) == "mask"
    kept_before = [w.detach().clone() for w in model.embedding.field_weights()]
    # L2 on the embeddings and a large learning rate: the masked raw entries must still not move
    _train_steps(model, 20, emb_weight_decay=0.1, lr=0.1)
    for f, (w, m) in enumerate(zip(model.embedding.field_weights(), masks, strict=True)):
        assert torch.all(w[~m] == 0), f"field {f}: a masked entry became non-zero"
        assert not torch.equal(w[m], kept_before[f][m]), f"field {f}: kept entries did not train"
    # the raw (unmasked) values of masked entries are zero too: baking or dropping the mask is safe
    _, raw_model = _tiny_model(seed=9)
    raw_model.load_state_dict(pep.plain_state_dict(model))
    for w, m in zip(raw_model.embedding.field_weights(), masks, strict=True):
        assert torch.all(w[~m] == 0)
    assert [m.sum().item() for m in pep.current_mask(model)] == [m.sum().item() for m in masks]
    expected_fraction = sum(int(m.sum()) for m in masks) / sum(m.numel() for m in masks)
    assert pep.kept_fraction(model) == pytest.approx(expected_fraction)
    # baked, the plain model holds the same zeros
    pep.remove_pep(model, bake=True)
    assert pep.pep_mode(model) is None
    assert all(torch.all(w[~m] == 0) for w, m in zip(model.embedding.field_weights(), masks, strict=True))


def test_rewind_initial_weights_with_a_mask_on_a_fresh_model():
    _, model = _tiny_model(seed=0)
    initial = pep.plain_state_dict(model)
    pep.attach_soft_threshold(model, "field_dim", init=-5.0)
    assert pep.plain_state_dict(model).keys() == initial.keys()  # thresholds left out, keys plain
    _train_steps(model, 5)
    masks = [m.cpu() for m in pep.current_mask(model)]
    # rewind: a fresh model (another seed), the recorded initial weights, then the mask
    _, retrain = _tiny_model(seed=1)
    retrain.load_state_dict(initial)
    pep.attach_fixed_mask(retrain, masks)
    _, reference = _tiny_model(seed=5)
    reference.load_state_dict(initial)
    for f, (w, m) in enumerate(zip(retrain.embedding.field_weights(), masks, strict=True)):
        torch.testing.assert_close(w.detach(), reference.embedding.field_weight(f).detach() * m, msg=f"field {f}")
    # and the retraining state round-trips through state_dict (the mask buffer is persistent)
    _, other = _tiny_model(seed=2)
    pep.attach_fixed_mask(other, [torch.ones_like(m) for m in masks])
    other.load_state_dict(retrain.state_dict())
    torch.testing.assert_close(other.embedding.tables[0].weight, retrain.embedding.tables[0].weight)


def test_remove_without_bake_restores_the_raw_weights():
    _, model = _tiny_model()
    raw = model.embedding.tables[0].weight.detach().clone()
    param = model.embedding.tables[0].weight
    pep.attach_soft_threshold(model, "global", init=-4.0)  # g = 0.018: most entries pruned
    assert pep.kept_fraction(model) < 0.5
    pep.remove_pep(model, bake=False)
    assert model.embedding.tables[0].weight is param  # same parameter object: optimizers stay valid
    torch.testing.assert_close(model.embedding.tables[0].weight.detach(), raw)
    assert not hasattr(model.embedding, "pep_threshold")
