"""QR compositional embeddings (models/qr.py): the lookup against a hand computation with explicit
quotient and remainder tables, parameter counts, gradients, gates, the k == 1 equivalence with the
uniform FieldEmbedding, and every model's forward pass with ``attach_qr``."""

from __future__ import annotations

import pytest
import torch

from sseds_study.config import ModelConfig
from sseds_study.errors import ConfigError
from sseds_study.models import MODELS, build_model
from sseds_study.models.embedding import FieldEmbedding
from sseds_study.models.qr import QRFieldEmbedding, attach_qr, quotient_rows

D = 4
# fields (conftest): user V=7, age V=5 (numeric), genres V=6 (multi, width 3), item V=9, zip V=4
K = (3, 1, 2, 4, 1)  # QR on user, genres (multi) and item; age and zip stay plain


def cfg(name, **kw):
    return ModelConfig(name=name, emb_dim=D, emb_dims=None, hidden_dims=(6, 5), **kw)


def explicit_tables(fields, k, seed=0):
    """Per field (Q, R or None) with distinct, non-trivial values (R far from its start of 1)."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for spec, kf in zip(fields, k, strict=True):
        q = torch.randn(quotient_rows(spec.vocab_size, kf), D, generator=g)
        r = torch.randn(kf, D, generator=g) if kf > 1 else None
        out.append((q, r))
    return out


def load_tables(emb: QRFieldEmbedding, tables) -> None:
    with torch.no_grad():
        for f, (q, r) in enumerate(tables):
            emb.quotient_weight(f).copy_(q)
            if r is not None:
                emb.remainder_weight(f).copy_(r)


def hand_lookup(fields, k, tables, ids) -> torch.Tensor:
    """(B, F, D) in field order, one value at a time: Q[i // k] * R[i % k], multi-valued fields the mean
    over their non-padding values (zeros when there are none)."""
    out = torch.zeros(ids.shape[0], len(fields), D)
    for b in range(ids.shape[0]):
        for f, (spec, kf) in enumerate(zip(fields, k, strict=True)):
            q, r = tables[f]
            vals = [int(v) for v in ids[b, spec.column : spec.column + spec.width] if v >= 0]
            vecs = [q[i // kf] * r[i % kf] if kf > 1 else q[i] for i in vals]
            if vecs:
                out[b, f] = torch.stack(vecs).mean(0)
    return out


def test_lookup_equals_the_hand_computation(fields, ids):
    emb = QRFieldEmbedding(fields, D, K)
    tables = explicit_tables(fields, K)
    load_tables(emb, tables)
    expected = hand_lookup(fields, K, tables, ids)
    torch.testing.assert_close(emb.aligned(ids), expected)
    torch.testing.assert_close(emb.concat(ids), expected.flatten(1))
    aligned, flat = emb.aligned_and_concat(ids)
    torch.testing.assert_close(aligned, expected)
    torch.testing.assert_close(flat, expected.flatten(1))
    # lookup: one group, singles (user, age, item, zip) then the multi-valued genres
    (group,) = emb.lookup(ids)
    torch.testing.assert_close(group, expected[:, [0, 1, 3, 4, 2]])


def test_chosen_ids_by_hand(fields):
    """A few ids written out: user 5 with k=3 reads Q[1] * R[2]; item 8 with k=4 reads Q[2] * R[0];
    genres (4, 1, pad) with k=2 is the mean of Q[2] * R[0] and Q[0] * R[1]; age and zip read plain rows."""
    emb = QRFieldEmbedding(fields, D, K)
    tables = explicit_tables(fields, K, seed=3)
    load_tables(emb, tables)
    ids = torch.tensor([[5, 2, 4, 1, -1, 8, 3]])  # user, age, genres x3, item, zip
    out = emb.aligned(ids)[0]
    (qu, ru), (qa, _), (qg, rg), (qi, ri), (qz, _) = tables
    torch.testing.assert_close(out[0], qu[1] * ru[2])
    torch.testing.assert_close(out[1], qa[2])
    torch.testing.assert_close(out[2], (qg[2] * rg[0] + qg[0] * rg[1]) / 2)
    torch.testing.assert_close(out[3], qi[2] * ri[0])
    torch.testing.assert_close(out[4], qz[3])


def test_composed_weight_is_the_per_value_table(fields):
    emb = QRFieldEmbedding(fields, D, K)
    load_tables(emb, explicit_tables(fields, K, seed=1))
    user = fields[0]
    ids = torch.zeros(user.vocab_size, sum(s.width for s in fields), dtype=torch.long)
    ids[:, user.column] = torch.arange(user.vocab_size)
    torch.testing.assert_close(emb.aligned(ids)[:, 0], emb.composed_weight(0))
    torch.testing.assert_close(emb.composed_weight(1), emb.quotient_weight(1))  # plain field


def test_parameter_counts_by_hand(fields):
    emb = QRFieldEmbedding(fields, D, K)
    # user 7/3 -> 3 + 3; age 5; genres 6/2 -> 3 + 2; item 9/4 -> 3 + 4; zip 4
    rows = (6, 5, 5, 7, 4)
    assert emb.field_rows() == rows
    assert emb.field_params() == tuple(r * D for r in rows)
    assert emb.embedding_params() == 27 * D == sum(t.weight.numel() for t in emb.tables)
    assert emb.alignment_params() == 0
    assert emb.tables[0].weight.shape == (3 + 5 + 3 + 4 + 3, D)  # singles' quotients/plain, then genres
    assert emb.tables[1].weight.shape == (3 + 4 + 2, D)


def test_initialisation_remainder_at_one_quotient_at_the_plain_scale(fields):
    torch.manual_seed(0)
    emb = QRFieldEmbedding([fields[3]], 64, [4])  # item: 3 quotient rows, 4 remainder rows
    assert torch.equal(emb.remainder_weight(0), torch.ones(4, 64))
    assert 0.005 < emb.quotient_weight(0).std().item() < 0.02


def test_all_plain_equals_the_uniform_field_embedding(fields, ids):
    """k == 1 everywhere: same layout, same draws from the same seed, same state_dict keys, same outputs."""
    torch.manual_seed(7)
    plain = FieldEmbedding(fields, D)
    torch.manual_seed(7)
    qr = QRFieldEmbedding(fields, D, [1] * len(fields))
    assert len(qr.tables) == 1
    assert qr.state_dict().keys() == plain.state_dict().keys()
    assert torch.equal(qr.tables[0].weight, plain.tables[0].weight)
    assert torch.equal(qr.aligned(ids), plain.aligned(ids))
    assert torch.equal(qr.concat(ids), plain.concat(ids))
    assert qr.embedding_params() == plain.embedding_params()


def test_gradients_reach_both_tables(fields, ids):
    emb = QRFieldEmbedding(fields, D, K)
    load_tables(emb, explicit_tables(fields, K))
    emb.aligned(ids).pow(2).sum().backward()
    qgrad, rgrad = emb.tables[0].weight.grad, emb.tables[1].weight.grad
    for f in (0, 2, 3):  # each QR field's two tables get a gradient
        q_rows = slice(emb._qoff[f], emb._qoff[f] + quotient_rows(fields[f].vocab_size, K[f]))
        r_rows = slice(emb._roff[f], emb._roff[f] + K[f])
        assert qgrad[q_rows].abs().sum() > 0 and rgrad[r_rows].abs().sum() > 0
    assert qgrad[emb._qoff[1] : emb._qoff[1] + 5].abs().sum() > 0  # a plain field too


def test_sparse_gradients_work_for_both_tables(fields, ids):
    """The ``sparse_adam`` optimizer switches every nn.Embedding to sparse gradients."""
    emb = QRFieldEmbedding(fields, D, K)
    for t in emb.tables:
        t.sparse = True
    emb.aligned(ids).pow(2).sum().backward()
    assert all(t.weight.grad.is_sparse for t in emb.tables)
    dense = QRFieldEmbedding(fields, D, K)
    dense.load_state_dict(emb.state_dict())
    dense.aligned(ids).pow(2).sum().backward()
    for s, d in zip(emb.tables, dense.tables, strict=True):
        torch.testing.assert_close(s.weight.grad.to_dense(), d.weight.grad)


def test_gates_mask_and_give_saliency_gradients(fields, ids):
    emb = QRFieldEmbedding(fields, D, K, gates=True)
    load_tables(emb, explicit_tables(fields, K))
    base = emb.aligned(ids).detach()
    keep = torch.ones(len(fields), D, dtype=torch.bool)
    keep[2, 1] = keep[0, 3] = False
    with emb.masked(keep):
        out = emb.aligned(ids)
    assert torch.equal(out[:, 2, 1], torch.zeros(len(ids))) and torch.equal(out[:, 0, 3], torch.zeros(len(ids)))
    torch.testing.assert_close(out[:, keep], base[:, keep])
    assert torch.equal(emb.gate, torch.ones(len(fields), D))  # restored
    emb.gate.requires_grad_(True)
    emb.aligned(ids).sum().backward()
    assert emb.gate.grad.shape == (len(fields), D) and emb.gate.grad.abs().sum() > 0


def test_field_weights_raise_a_clear_error(fields):
    emb = QRFieldEmbedding(fields, D, K)
    with pytest.raises(ConfigError, match="no per-value table.*composed_weight"):
        emb.field_weights()
    with pytest.raises(ConfigError, match="no per-value table"):
        emb.field_weight(0)


@pytest.mark.parametrize("bad, match", [((3, 1, 2, 4), "expected 5 values"), ((0, 1, 1, 1, 1), r"1\.\.7, got 0"),
                                        ((8, 1, 1, 1, 1), r"1\.\.7, got 8"), ((2.5, 1, 1, 1, 1), "integer")])
def test_invalid_collisions(fields, bad, match):
    with pytest.raises(ConfigError, match=match):
        QRFieldEmbedding(fields, D, bad)


@pytest.mark.parametrize("name", list(MODELS))
def test_attach_qr_runs_every_model(name, fields, ids):
    torch.manual_seed(0)
    uniform = build_model(fields, cfg(name), gates=True)
    other = uniform.count_params()["other"]
    model = attach_qr(uniform, K)
    assert isinstance(model.embedding, QRFieldEmbedding) and model.embedding.gates
    out = model(ids)
    assert out.shape == (len(ids),) and torch.isfinite(out).all()
    counts = model.count_params()
    assert counts["embedding"] == 27 * D and counts["alignment"] == 0 and counts["other"] == other
    out.sum().backward()
    assert all(t.weight.grad is not None for t in model.embedding.tables)


@pytest.mark.parametrize("name", ["FM", "DeepFM"])
def test_attach_qr_forward_shapes(name, fields, make_ids):
    model = attach_qr(build_model(fields, cfg(name)), K)
    for n in (1, 17):
        assert model(make_ids(fields, n, seed=n)).shape == (n,)


def test_attach_qr_accepts_an_allocation_and_rejects_mixed_widths(fields):
    class Alloc:
        collisions = K

    model = attach_qr(build_model(fields, cfg("FM")), Alloc())
    assert model.embedding.collisions == K
    mixed = build_model(fields, ModelConfig(name="FM", emb_dim=D, emb_dims=(4, 2, 1, 0, 3)))
    with pytest.raises(ConfigError, match="uniform-width"):
        attach_qr(mixed, K)
