"""init=inherit (prune-then-fine-tune): right after inheriting, every model computes what the
pretrained model computes with the dropped columns gated to zero; nothing random is left; mismatches
are named."""

from __future__ import annotations

import pytest
import torch

from sseds_study.config import ModelConfig
from sseds_study.models import MODELS, FieldEmbedding, build_model, inherit_pretrained
from sseds_study.models.inherit import KeptInputs, load_kept_columns
from sseds_study.search.allocate import allocate_dims
from sseds_study.train import seed_everything

D, H = 4, (6, 5)
NAMES = list(MODELS)
VOCABS = [7, 5, 6, 9, 4]  # the conftest fields: user, age, genres (multi), item, zip


def cfg(name, emb_dims=None, hidden_dims=H, **kw):
    return ModelConfig(name=name, emb_dim=D, emb_dims=emb_dims, hidden_dims=hidden_dims, **kw)


def mask(rows) -> torch.Tensor:
    keep = torch.zeros(len(rows), D, dtype=torch.bool)
    for f, cols in enumerate(rows):
        keep[f, list(cols)] = True
    return keep


def allocated(min_dim: int, budget: float) -> torch.Tensor:
    """A keep-mask from the real allocator on random saliency scores (non-prefix columns)."""
    scores = torch.rand(len(VOCABS), D, generator=torch.Generator().manual_seed(7))
    return allocate_dims(scores, VOCABS, budget, min_dim=min_dim).kept


KEEPS = {
    # full-width field (no map), non-prefix columns, the multi-valued field at width 1, field 3 dropped
    "zero_width_field": mask([range(D), [1, 3], [2], [], [0, 2, 3]]),
    "min_dim_0": allocated(0, 0.3),
    "min_dim_1": allocated(1, 0.4),
    "all_dropped": mask([[], [], [], [], []]),
    "all_kept": mask([range(D)] * 5),
}


def pretrained(fields, name, **kw):
    """A uniform model with every weight non-trivial (first-order tables and cross biases start at 0)."""
    torch.manual_seed(0)
    model = build_model(fields, cfg(name, **kw), gates=True)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model.eval()


def inherited(fields, pre, keep, name, seed=1, **kw):
    seed_everything(seed)
    slim = build_model(fields, cfg(name, tuple(keep.sum(1).tolist()), **kw))
    inherit_pretrained(slim, pre, keep)
    return slim.eval()


def assert_equals_gated(slim, pre, keep, ids):
    with torch.no_grad(), pre.embedding.masked(keep):
        expected = pre(ids)
    torch.testing.assert_close(slim(ids), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", list(KEEPS))
@pytest.mark.parametrize("name", NAMES)
def test_inherited_model_equals_gated_pretrained(name, case, fields, make_ids):
    keep = KEEPS[case]
    assert case != "min_dim_1" or bool(keep.any(1).all())
    assert case != "min_dim_0" or not bool(keep.any(1).all())  # the allocation really drops a field
    pre = pretrained(fields, name)
    slim = inherited(fields, pre, keep, name)
    assert slim.embedding.emb_dims == tuple(keep.sum(1).tolist())
    assert_equals_gated(slim, pre, keep, make_ids(fields, 64, seed=3))


@pytest.mark.parametrize("hidden_dims", [(), (3,)])
@pytest.mark.parametrize("name", NAMES)
def test_inherit_with_other_layer_shapes(name, hidden_dims, fields, make_ids):
    """No hidden layer (the MLP is one Linear, or in DCN the identity) and three cross layers."""
    keep = KEEPS["zero_width_field"]
    pre = pretrained(fields, name, hidden_dims=hidden_dims, cross_layers=3)
    slim = inherited(fields, pre, keep, name, hidden_dims=hidden_dims, cross_layers=3)
    assert_equals_gated(slim, pre, keep, make_ids(fields, 64, seed=5))


def test_dcn_keeps_what_dropped_blocks_add_as_offsets(fields):
    """A dropped field's cross block is the constant b_0 + .. + b_{l-1}; its effect on the later layers
    becomes one trainable scalar per layer after the first, and nothing else is added."""
    pre = pretrained(fields, "DCN", cross_layers=3)
    dropped = inherited(fields, pre, KEEPS["zero_width_field"], "DCN", cross_layers=3)
    assert dropped.cross.offsets.shape == (2,) and dropped.cross.offsets.requires_grad
    scratch = build_model(fields, cfg("DCN", dropped.embedding.emb_dims, cross_layers=3))
    assert scratch.cross.offsets is None
    assert dropped.count_params()["other"] == scratch.count_params()["other"] + 2
    no_drop = inherited(fields, pre, KEEPS["min_dim_1"], "DCN", cross_layers=3)
    assert no_drop.cross.offsets is None  # nothing pruned away from the cross network


@pytest.mark.parametrize("name", NAMES)
def test_every_weight_is_inherited_whatever_the_seed(name, fields):
    """Nothing of the slim model's own (seeded) initialisation survives, so inherit is deterministic."""
    keep = KEEPS["zero_width_field"]
    pre = pretrained(fields, name)
    a = inherited(fields, pre, keep, name, seed=1).state_dict()
    b = inherited(fields, pre, keep, name, seed=2).state_dict()
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


@pytest.mark.parametrize("name", NAMES)
def test_scratch_models_are_seeded_and_untouched_by_inherit_support(name, fields):
    dims = (4, 2, 1, 0, 3)
    seed_everything(3)
    a = build_model(fields, cfg(name, dims)).state_dict()
    seed_everything(3)
    b = build_model(fields, cfg(name, dims)).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not any("offsets" in k for k in a)  # the scratch architecture has no inherit-only parameter


def test_inherited_model_trains(fields, make_ids):
    keep = KEEPS["zero_width_field"]
    slim = inherited(fields, pretrained(fields, "DCN"), keep, "DCN")
    slim(make_ids(fields, 16)).sum().backward()
    assert all(p.grad is not None for p in slim.parameters())


def test_kept_inputs_locate_the_slim_inputs_in_the_uniform_layout():
    keep = mask([[1, 3], [], [0], [0, 1, 2, 3]])  # F = 4
    kept = KeptInputs.of(keep)
    assert kept.concat.tolist() == [1, 3, 8, 12, 13, 14, 15]
    assert kept.aligned.tolist() == [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15]
    assert kept.dropped.tolist() == [4, 5, 6, 7]
    # uniform pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3); those of kept fields 0, 2, 3
    assert kept.pairs.tolist() == [1, 2, 5]
    assert kept.flat_dim == 16


# -- errors name what disagrees ------------------------------------------------------------------------
def test_width_mismatch_names_the_field(fields):
    pre = pretrained(fields, "DeepFM")
    slim = build_model(fields, cfg("DeepFM", (4, 2, 1, 0, 3)))
    keep = mask([range(D), [1, 3], [2], [], [0, 2]])  # zip keeps 2 columns; the slim model has 3
    with pytest.raises(ValueError, match=r"field 'zip'.*keeps 2 columns.*expects 3"):
        inherit_pretrained(slim, pre, keep)
    with pytest.raises(ValueError, match=r"keep-mask has shape \(5, 3\); expected .* \(5, 4\)"):
        inherit_pretrained(slim, pre, torch.ones(5, 3, dtype=torch.bool))


def test_pretrained_model_must_be_uniform_and_alike(fields):
    keep = KEEPS["zero_width_field"]
    dims = tuple(keep.sum(1).tolist())
    slim = build_model(fields, cfg("DeepFM", dims))
    with pytest.raises(ValueError, match=r"field 'age' has width 2 in the pretrained model; expected the base width 4"):
        inherit_pretrained(slim, build_model(fields, cfg("DeepFM", (4, 2, 4, 4, 4))), keep)
    with pytest.raises(ValueError, match="pretrained model is FM; the slim model is DeepFM"):
        inherit_pretrained(slim, build_model(fields, cfg("FM")), keep)
    with pytest.raises(ValueError, match=r"mlp layer 1 weight has shape \(7, 6\) .* expects \(5, 6\)"):
        inherit_pretrained(slim, build_model(fields, cfg("DeepFM", hidden_dims=(6, 7))), keep)
    with pytest.raises(ValueError, match="cross network has 3 layers in the pretrained model; the slim model expects 2"):
        dcn = build_model(fields, cfg("DCN", dims))
        inherit_pretrained(dcn, build_model(fields, cfg("DCN", cross_layers=3)), keep)


# -- the embedding tables alone ------------------------------------------------------------------------
def test_load_kept_columns_copies_columns_and_sets_selection_maps(fields, ids):
    torch.manual_seed(0)
    full = FieldEmbedding(fields, D, gates=True)
    keep = KEEPS["zero_width_field"]
    slim = FieldEmbedding(fields, D, keep.sum(1).tolist(), align=True)
    load_kept_columns(slim, full, keep)
    for f in range(5):
        cols = torch.nonzero(keep[f]).flatten()
        torch.testing.assert_close(slim.field_weight(f), full.field_weight(f)[:, cols])
    with full.masked(keep):
        expected = full.aligned(ids)[:, [0, 1, 2, 4]]  # gated uniform vectors of the kept fields
    torch.testing.assert_close(slim.aligned(ids), expected)
    # the list-of-columns form is the same
    slim2 = FieldEmbedding(fields, D, keep.sum(1).tolist(), align=True)
    load_kept_columns(slim2, full.field_weights(), [torch.nonzero(r).flatten().tolist() for r in keep])
    torch.testing.assert_close(slim2.aligned(ids), expected)
    with pytest.raises(ValueError, match=r"field 'user': the allocation keeps 1 columns; the slim model expects 4"):
        load_kept_columns(slim2, full, [[0]] * 5)
    with pytest.raises(ValueError, match=r"field 'user': the pretrained table has shape \(7, 2\); expected \(7, 4\)"):
        load_kept_columns(slim2, [w[:, :2] for w in full.field_weights()], keep)
