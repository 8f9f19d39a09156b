"""The exact drop-column importance (search/exact.py) and the ``exact`` estimator."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from search_standins import GatedLinear, harmful_column_model
from torch import nn

from sseds_study.config import ESTIMATORS, ModelConfig, SearchConfig, from_dict
from sseds_study.data.spec import PAD, make_field_specs
from sseds_study.models import MODELS, build_model
from sseds_study.search import (
    SearchInputError,
    compute_saliency,
    drop_column_importance,
    drop_column_importance_on_split,
)

BCE = nn.BCEWithLogitsLoss()


def _brute_force(model, batches):
    """Zero each column in the embedding *weights* (not the gate) and re-measure the mean batch loss:
    an independent route to the same quantity, for any model built by ``build_model``."""
    emb = model.embedding
    model.eval()
    with torch.no_grad():
        base = [BCE(model(ids), y).item() for ids, y in batches]
        out = np.zeros(tuple(emb.gate.shape))
        for f in range(emb.num_fields):
            weight = emb.field_weight(f)  # (V_f, d_f) view into the shared table
            for j in range(weight.shape[1]):
                saved = weight[:, j].clone()
                weight[:, j] = 0.0
                out[f, j] = np.mean([BCE(model(ids), y).item() - b for (ids, y), b in zip(batches, base, strict=True)])
                weight[:, j] = saved
    return out


def _fields():
    # A multi-valued field too: zeroing a column of its table zeroes that column of the pooled vector.
    return make_field_specs(["user", "genres", "item"], ["categorical", "multi", "categorical"], [6, 5, 7], [1, 2, 1])


def _batches(fields, sizes=(16, 16), seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for n in sizes:
        cols = []
        for spec in fields:
            block = rng.integers(0, spec.vocab_size, size=(n, spec.width))
            if spec.is_multi:
                block[rng.random((n, spec.width)) < 0.3] = PAD
            cols.append(block)
        out.append((torch.from_numpy(np.concatenate(cols, axis=1)), torch.from_numpy(rng.integers(0, 2, n)).float()))
    return out


def test_linear_model_matches_a_closed_form():
    # logit = sum_{f,j} e[f,j] w[j] + b: removing column (f, j) removes the term e[f,j] w[j] exactly.
    torch.manual_seed(3)
    model = GatedLinear([5, 3, 4], 4)
    g = torch.Generator().manual_seed(1)
    ids = torch.stack([torch.randint(0, v, (9,), generator=g) for v in (5, 3, 4)], dim=1)
    y = torch.randint(0, 2, (9,), generator=g).double()
    with torch.no_grad():
        e = torch.stack([t.weight[ids[:, f]] for f, t in enumerate(model.embedding.tables)], 1).double()
        terms = e * model.w.double()  # (B, F, D)
        z = terms.sum((1, 2)) + model.bias.double()
        loss = nn.functional.binary_cross_entropy_with_logits
        expected = torch.stack([torch.stack([loss(z - terms[:, f, j], y) - loss(z, y) for j in range(4)])
                                for f in range(3)])
    got = drop_column_importance(model, [(ids, y.float())])
    assert got.shape == (3, 4) and got.dtype == torch.float64
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-4, atol=1e-7)


def test_a_harmful_column_gets_a_negative_importance():
    model, batch = harmful_column_model()
    imp = drop_column_importance(model, batch)
    assert imp[0, 0] > 0 > imp[0, 1]


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("emb_dims", [None, (3, 0, 1)])
def test_every_model_matches_zeroing_the_weights(name, emb_dims):
    fields = _fields()
    torch.manual_seed(0)
    model = build_model(fields, ModelConfig(name=name, emb_dim=3, emb_dims=emb_dims, hidden_dims=(5,)), gates=True)
    with torch.no_grad():  # larger embeddings than the init, so that every column matters visibly
        for table in model.embedding.tables:
            table.weight.normal_(0.0, 0.5)
    batches = _batches(fields)
    got = drop_column_importance(model, batches).numpy()
    np.testing.assert_allclose(got, _brute_force(model, batches), rtol=1e-4, atol=1e-6)
    if emb_dims is not None:
        live = np.arange(3)[None, :] < np.asarray(emb_dims)[:, None]
        assert np.all(got[~live] == 0.0)  # the gate beyond d_f is never read: exactly 0
        assert np.all(got[live] != 0.0)


def test_a_column_without_effect_scores_exactly_zero(tiny_fm, toy_batches):
    with torch.no_grad():
        tiny_fm.embedding.tables[1].weight[:, 2] = 0.0  # field 1, dim 2 is 0 for every id
    imp = drop_column_importance(tiny_fm, toy_batches)
    assert imp[1, 2].item() == 0.0
    assert torch.count_nonzero(imp) == imp.numel() - 1


def test_deterministic_and_leaves_the_model_as_found(tiny_fm, toy_batches):
    tiny_fm.train()
    state = {k: v.clone() for k, v in tiny_fm.state_dict().items()}
    first = drop_column_importance(tiny_fm, toy_batches)
    second = compute_saliency(tiny_fm, toy_batches, estimator="exact")
    assert torch.equal(first, second)
    assert tiny_fm.training and torch.all(tiny_fm.embedding.gate == 1)
    for key, value in tiny_fm.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_batches_are_averaged_and_num_batches_is_honoured(tiny_fm, toy_batches):
    one = [drop_column_importance(tiny_fm, [b]) for b in toy_batches]
    both = drop_column_importance(tiny_fm, toy_batches)
    torch.testing.assert_close(both, (one[0] + one[1]) / 2)
    torch.testing.assert_close(drop_column_importance(tiny_fm, iter(toy_batches * 5), num_batches=1), one[0])
    with pytest.raises(SearchInputError, match="num_batches=3 requested but only 2"):
        drop_column_importance(tiny_fm, toy_batches, num_batches=3)
    with pytest.raises(SearchInputError, match="empty"):
        drop_column_importance(tiny_fm, [])


def test_custom_batch_mean_loss(tiny_fm, toy_batches):
    doubled = drop_column_importance(tiny_fm, toy_batches, loss_fn=lambda z, y: 2 * BCE(z, y))
    torch.testing.assert_close(doubled, 2 * drop_column_importance(tiny_fm, toy_batches), rtol=1e-4, atol=1e-6)


def test_whole_split_is_row_weighted(tiny_fm, toy_batches):
    ids = torch.cat([b[0] for b in toy_batches])
    labels = torch.cat([b[1] for b in toy_batches])
    whole = drop_column_importance(tiny_fm, [(ids, labels)])
    for size in (4, 5, 100):  # the chunk size only bounds memory (chunks of 5 rows: sizes 5, 5, 1)
        chunked = drop_column_importance_on_split(tiny_fm, ids.numpy(), labels.numpy(), batch_size=size)
        torch.testing.assert_close(chunked, whole, rtol=1e-6, atol=1e-9)


def test_bad_inputs(tiny_fm, toy_batches):
    with pytest.raises(SearchInputError, match="embedding.gate"):
        drop_column_importance(nn.Linear(3, 1), toy_batches)
    ids, labels = toy_batches[0]
    with pytest.raises(SearchInputError, match="labels"):
        drop_column_importance_on_split(tiny_fm, ids, labels[:-1])
    with pytest.raises(SearchInputError, match="no rows"):
        drop_column_importance_on_split(tiny_fm, ids[:0], labels[:0])
    with pytest.raises(SearchInputError, match="integer ids"):
        drop_column_importance_on_split(tiny_fm, ids.float(), labels)
    ungated = build_model(_fields(), ModelConfig(name="FM", emb_dim=3), gates=False)
    with pytest.raises(SearchInputError, match="gates switched on"):
        drop_column_importance(ungated, _batches(_fields()))
    with torch.no_grad():
        tiny_fm.embedding.gate[0, 0] = 0.0
    with pytest.raises(SearchInputError, match="all ones"):
        compute_saliency(tiny_fm, toy_batches, estimator="exact")


def test_the_config_accepts_the_exact_estimator():
    assert "exact" in ESTIMATORS
    assert from_dict(SearchConfig, {"estimator": "exact", "score_split": "valid"}).estimator == "exact"
