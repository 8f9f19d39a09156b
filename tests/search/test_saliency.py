"""compute_saliency and batches_from_arrays."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from search_standins import GatedLinear, TinyFM, harmful_column_model
from torch import nn

from sseds_study.search import SearchInputError, batches_from_arrays, compute_saliency

ESTIMATORS = ("mean_abs", "abs_mean", "fisher", "taylor")


def _hand_gradients(model: GatedLinear, batches):
    """Closed-form per-batch gate gradients of the linear stand-in, in float64 numpy: (K, F, D)."""
    w = model.w.detach().double().numpy()
    tables = [t.weight.detach().double().numpy() for t in model.embedding.tables]
    out = []
    for ids, labels in batches:
        ids, y = ids.numpy(), labels.double().numpy()
        e = np.stack([tables[f][ids[:, f]] for f in range(len(tables))], axis=1)  # (B, F, D)
        z = (e * w).sum(axis=(1, 2)) + model.bias.item()
        resid = 1.0 / (1.0 + np.exp(-z)) - y  # d BCE / d z
        out.append((resid[:, None, None] * e * w).mean(axis=0))
    return np.stack(out)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_estimators_match_a_hand_computation(estimator, toy_batches):
    torch.manual_seed(3)
    model = GatedLinear([5, 3, 4], 4)
    g = _hand_gradients(model, toy_batches)  # (2, F, D)
    expected = {
        "mean_abs": np.abs(g).mean(axis=0),
        "abs_mean": np.abs(g.mean(axis=0)),
        "fisher": (g**2).mean(axis=0),
        "taylor": -g.mean(axis=0),
    }[estimator]
    scores = compute_saliency(model, toy_batches, estimator=estimator)
    assert scores.shape == (3, 4) and scores.dtype == torch.float64
    np.testing.assert_allclose(scores.numpy(), expected, rtol=1e-5, atol=1e-8)


def test_taylor_ranks_a_harmful_dimension_last():
    # One field, two dims. Dim 0 pushes the logit the right way, dim 1 the wrong way: removing dim 1
    # lowers the loss, so its taylor score is negative while mean_abs would call it important.
    model, batch = harmful_column_model()
    taylor = compute_saliency(model, batch, estimator="taylor")
    assert taylor[0, 0] > 0 > taylor[0, 1]
    assert compute_saliency(model, batch, estimator="mean_abs")[0, 1] > 0
    # And the first-order prediction is right: zeroing the gate of dim 1 lowers the loss.
    loss = nn.BCEWithLogitsLoss()
    ids, y = batch[0]
    with torch.no_grad():
        before = loss(model(ids), y)
        model.embedding.gate[0, 1] = 0.0
        after = loss(model(ids), y)
        model.embedding.gate.fill_(1.0)
    assert after < before


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_model_is_left_exactly_as_found(estimator, tiny_fm, toy_batches):
    tiny_fm.train()
    # Put a sentinel gradient on one parameter: it must survive untouched.
    sentinel = torch.full_like(tiny_fm.bias, 7.0)
    tiny_fm.bias.grad = sentinel.clone()
    state = {k: v.clone() for k, v in tiny_fm.state_dict().items()}  # weights and BN running stats
    compute_saliency(tiny_fm, toy_batches, estimator=estimator)
    after = tiny_fm.state_dict()
    assert state.keys() == after.keys()
    for key, value in state.items():
        assert torch.equal(value, after[key]), f"{key} changed"
    assert torch.equal(tiny_fm.bias.grad, sentinel)
    assert all(p.grad is None for name, p in tiny_fm.named_parameters() if name != "bias")
    assert tiny_fm.training  # mode restored
    assert not tiny_fm.embedding.gate.requires_grad


def test_eval_mode_is_restored_and_requires_grad_kept(tiny_fm, toy_batches):
    tiny_fm.eval()
    tiny_fm.embedding.gate.requires_grad_(True)
    compute_saliency(tiny_fm, toy_batches)
    assert not tiny_fm.training
    assert tiny_fm.embedding.gate.requires_grad
    assert tiny_fm.embedding.gate.grad is None


def test_dropout_does_not_make_scores_noisy(tiny_fm, toy_batches):
    tiny_fm.train()  # dropout 0.5 would change every call if saliency ran in train mode
    first = compute_saliency(tiny_fm, toy_batches)
    second = compute_saliency(tiny_fm, toy_batches)
    assert torch.equal(first, second)


def test_state_is_restored_when_the_forward_fails(tiny_fm):
    tiny_fm.train()
    bad = [(torch.tensor([[99, 0, 0]]), torch.tensor([1.0]))]  # id out of range
    with pytest.raises(IndexError):
        compute_saliency(tiny_fm, bad)
    assert tiny_fm.training and not tiny_fm.embedding.gate.requires_grad


def test_num_batches_limits_what_is_consumed(tiny_fm, toy_batches):
    drawn = []

    def stream():
        for i in range(100):
            drawn.append(i)
            yield toy_batches[i % 2]

    scores = compute_saliency(tiny_fm, stream(), num_batches=2)
    assert drawn == [0, 1]
    assert torch.allclose(scores, compute_saliency(tiny_fm, toy_batches))
    one = compute_saliency(tiny_fm, toy_batches, num_batches=1)
    assert torch.allclose(one, compute_saliency(tiny_fm, toy_batches[:1]))


def test_too_few_or_no_batches_is_a_clear_error(tiny_fm, toy_batches):
    with pytest.raises(SearchInputError, match="empty"):
        compute_saliency(tiny_fm, [])
    with pytest.raises(SearchInputError, match="empty"):
        compute_saliency(tiny_fm, iter([]), num_batches=3)
    with pytest.raises(SearchInputError, match="num_batches=5 requested but only 2"):
        compute_saliency(tiny_fm, toy_batches, num_batches=5)


def test_bad_arguments(tiny_fm, toy_batches):
    with pytest.raises(SearchInputError, match="estimator"):
        compute_saliency(tiny_fm, toy_batches, estimator="grad_norm")
    with pytest.raises(SearchInputError, match="num_batches"):
        compute_saliency(tiny_fm, toy_batches, num_batches=0)
    with pytest.raises(SearchInputError, match="embedding.gate"):
        compute_saliency(nn.Linear(3, 1), toy_batches)
    with torch.no_grad():
        tiny_fm.embedding.gate[0, 0] = 0.0
    with pytest.raises(SearchInputError, match="all ones"):
        compute_saliency(tiny_fm, toy_batches)


def test_custom_loss_fn(tiny_fm, toy_batches):
    double = compute_saliency(
        tiny_fm,
        toy_batches,
        estimator="taylor",
        loss_fn=lambda z, y: 2 * nn.functional.binary_cross_entropy_with_logits(z, y),
    )
    single = compute_saliency(tiny_fm, toy_batches, estimator="taylor")
    assert torch.allclose(double, 2 * single)


# ---------------------------------------------------------------------------- batches_from_arrays


def test_batches_are_seeded_sized_and_disjoint_within_a_pass():
    ids = np.arange(20).reshape(10, 2)
    labels = np.arange(10) % 2
    batches = list(batches_from_arrays(ids, labels, batch_size=3, num_batches=5, seed=7))
    assert len(batches) == 5
    for b_ids, b_labels in batches:
        assert b_ids.shape == (3, 2) and b_ids.dtype == torch.long
        assert b_labels.shape == (3,) and b_labels.dtype == torch.float32
        rows = (b_ids[:, 0] // 2).numpy()
        np.testing.assert_array_equal(b_labels.numpy(), labels[rows])  # ids and labels stay paired
    first_pass = np.concatenate([(b[:, 0] // 2).numpy() for b, _ in batches[:3]])
    assert len(set(first_pass.tolist())) == 9  # 3 batches of one permutation: no row twice
    again = list(batches_from_arrays(ids, labels, 3, 5, seed=7))
    assert all(torch.equal(a[0], b[0]) for a, b in zip(batches, again, strict=True))
    other = list(batches_from_arrays(ids, labels, 3, 5, seed=8))
    assert not all(torch.equal(a[0], b[0]) for a, b in zip(batches, other, strict=True))


def test_batches_accept_tensors_and_cap_the_batch_size():
    ids = torch.arange(8).reshape(4, 2)
    batches = list(batches_from_arrays(ids, torch.ones(4), batch_size=100, num_batches=2, seed=0))
    assert [b.shape for b, _ in batches] == [(4, 2), (4, 2)]


def test_batches_feed_compute_saliency(tiny_fm):
    rng = np.random.default_rng(0)
    ids = np.stack([rng.integers(0, v, 40) for v in (5, 3, 4)], axis=1)
    labels = rng.integers(0, 2, 40)
    scores = compute_saliency(tiny_fm, batches_from_arrays(ids, labels, 8, 3, seed=0), num_batches=3)
    assert scores.shape == (3, 4) and bool(torch.isfinite(scores).all())


def test_batches_bad_arguments():
    ids, labels = np.zeros((4, 2), dtype=np.int64), np.zeros(4)
    with pytest.raises(SearchInputError, match="labels"):
        batches_from_arrays(ids, np.zeros(3), 2, 1, 0)
    with pytest.raises(SearchInputError, match="no rows"):
        batches_from_arrays(ids[:0], labels[:0], 2, 1, 0)
    with pytest.raises(SearchInputError, match="batch_size"):
        batches_from_arrays(ids, labels, 0, 1, 0)
    with pytest.raises(SearchInputError, match="num_batches"):
        batches_from_arrays(ids, labels, 2, 0, 0)
    with pytest.raises(SearchInputError, match="integer ids"):
        batches_from_arrays(ids.astype(float), labels, 2, 1, 0)
    with pytest.raises(SearchInputError, match="seed"):
        batches_from_arrays(ids, labels, 2, 1, 0.5)


def test_tiny_fm_fixture_is_a_valid_stand_in():
    model = TinyFM([2, 2], 3)
    assert model(torch.zeros(4, 2, dtype=torch.long)).shape == (4,)


def test_works_inside_no_grad_and_reports_an_unused_gate(tiny_fm, toy_batches):
    expected = compute_saliency(tiny_fm, toy_batches)
    with torch.no_grad():
        assert torch.equal(compute_saliency(tiny_fm, toy_batches), expected)

    class Ungated(TinyFM):
        def forward(self, ids):
            return self.embedding.tables[0](ids[:, 0]).sum(1)

    model = Ungated([5, 3, 4], 4)
    model.train()
    with pytest.raises(SearchInputError, match="not used"):
        compute_saliency(model, toy_batches)
    assert model.training and not model.embedding.gate.requires_grad
