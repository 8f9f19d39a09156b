"""FieldEmbedding: layout, pooling, gates, widths, alignment, parameter counts (inherit: test_inherit.py)."""

from __future__ import annotations

import pytest
import torch

from sseds_study.errors import ConfigError
from sseds_study.models.embedding import FieldEmbedding

D = 4


def reference_vectors(emb: FieldEmbedding, ids: torch.Tensor) -> list[torch.Tensor]:
    """Per field the (B, d_f) vector written out by hand from field_weight (gate applied)."""
    out = []
    for f, spec in enumerate(emb.fields):
        d = emb.emb_dims[f]
        table = emb.field_weight(f)
        block = ids[:, spec.column : spec.column + spec.width]
        rows = []
        for r in range(ids.shape[0]):
            vals = [int(v) for v in block[r] if v >= 0]
            rows.append(torch.stack([table[v] for v in vals]).mean(0) if vals else torch.zeros(d))
        vec = torch.stack(rows)
        if emb.gates:
            vec = vec * emb.gate[f, :d]
        out.append(vec)
    return out


def test_uniform_uses_one_table_and_concat_matches_reference(fields, ids):
    emb = FieldEmbedding(fields, D)
    assert emb.emb_dim == D and emb.num_fields == 5
    assert len(emb.tables) == 1 and emb.tables[0].weight.shape == (sum(s.vocab_size for s in fields), D)
    ref = reference_vectors(emb, ids)
    torch.testing.assert_close(emb.concat(ids), torch.cat(ref, dim=1))
    torch.testing.assert_close(emb.aligned(ids), torch.stack(ref, dim=1))  # (B, F, D), no maps


def test_mixed_widths_group_equal_widths_and_keep_field_order(fields, ids):
    dims = [4, 2, 2, 0, 3]
    emb = FieldEmbedding(fields, D, dims, align=True)
    assert sorted(t.weight.shape[1] for t in emb.tables) == [2, 3, 4]  # one table per width
    assert emb.kept_fields == (0, 1, 2, 4) and emb.concat_dim == 11
    ref = reference_vectors(emb, ids)
    out = emb.concat(ids)
    assert out.shape == (ids.shape[0], 11)
    torch.testing.assert_close(out, torch.cat(ref, dim=1))
    aligned = emb.aligned(ids)
    assert aligned.shape == (ids.shape[0], 4, D)
    for k, f in enumerate(emb.kept_fields):
        lin = emb.align_map(f)
        expected = ref[f] if lin is None else ref[f] @ lin.weight.T
        torch.testing.assert_close(aligned[:, k], expected)
    a2, c2 = emb.aligned_and_concat(ids)
    assert torch.equal(a2, aligned) and torch.equal(c2, out)


def test_width_zero_field_has_no_parameters(fields, make_ids):
    emb = FieldEmbedding(fields, D, [0, 4, 4, 4, 4])
    assert emb.embedding_params() == D * sum(s.vocab_size for s in fields[1:])
    assert emb.field_weight(0).shape == (fields[0].vocab_size, 0)
    empty = FieldEmbedding(fields, D, [0] * 5, align=True)
    assert empty.embedding_params() == 0 and len(list(empty.parameters())) == 0
    ids = make_ids(fields, 3)
    assert empty.concat(ids).shape == (3, 0) and empty.aligned(ids).shape == (3, 0, D)


def test_multi_valued_mean_pooling_ignores_padding(fields, make_ids):
    emb = FieldEmbedding(fields, D)
    g = 2  # the "genres" field, width 3
    col = fields[g].column
    ids = make_ids(fields, 3)
    ids[:, col : col + 3] = torch.tensor([[1, 3, -1], [-1, -1, -1], [5, -1, 5]])
    table = emb.field_weight(g)
    vec = emb.concat(ids)[:, g * D : (g + 1) * D]
    torch.testing.assert_close(vec[0], (table[1] + table[3]) / 2)
    assert torch.equal(vec[1], torch.zeros(D))  # no values: the zero vector
    torch.testing.assert_close(vec[2], table[5])
    # the padding never reaches row 0 (OOV) through the gradient
    emb.concat(ids).sum().backward()
    oov_row = emb._field_group[g][1]  # row 0 of the field inside the shared table
    assert torch.equal(emb.tables[0].weight.grad[oov_row], torch.zeros(D))


def test_gate_gradient_has_shape_F_by_D_and_is_non_zero(fields, ids):
    emb = FieldEmbedding(fields, D, [4, 2, 4, 3, 1], gates=True, align=True)
    emb.gate.requires_grad_(True)
    (emb.aligned(ids) ** 2).sum().backward()
    grad = emb.gate.grad
    assert grad.shape == (5, D)
    for f, d in enumerate(emb.emb_dims):
        assert (grad[f, :d] != 0).all()  # every used gate receives signal
        assert (grad[f, d:] == 0).all()  # unused tails get none
    assert "gate" not in emb.state_dict()  # not persistent: checkpoints load with or without gates


def test_masked_zeroes_exactly_the_masked_pairs_and_restores_the_gate(fields, ids):
    emb = FieldEmbedding(fields, D)
    keep = torch.ones(5, D, dtype=torch.bool)
    keep[1, 2] = keep[3] = False
    full = emb.concat(ids)
    with emb.masked(keep) as same:
        assert same is emb and emb.gates
        pruned = emb.concat(ids)
    flat_keep = keep.flatten()
    assert torch.equal(pruned[:, ~flat_keep], torch.zeros_like(pruned[:, ~flat_keep]))
    torch.testing.assert_close(pruned[:, flat_keep], full[:, flat_keep])
    assert not emb.gates and torch.equal(emb.gate, torch.ones(5, D))
    torch.testing.assert_close(emb.concat(ids), full)
    with pytest.raises(ValueError, match="bool"):
        with emb.masked(keep.float()):
            pass
    with pytest.raises(ValueError, match="shape"):
        with emb.masked(keep[:, :2]):
            pass


def test_masked_restores_the_gate_after_an_error(fields):
    emb = FieldEmbedding(fields, D, gates=True)
    gate = emb.gate
    with pytest.raises(RuntimeError, match="boom"):
        with emb.masked(torch.zeros(5, D, dtype=torch.bool)):
            assert not emb.gate.any()
            raise RuntimeError("boom")
    assert emb.gate is gate and emb.gates and torch.equal(emb.gate, torch.ones(5, D))


def test_parameter_counts_match_hand_counts(fields):
    V = [s.vocab_size for s in fields]  # 7, 5, 6, 9, 4
    dims = [4, 2, 0, 1, 4]
    emb = FieldEmbedding(fields, D, dims, align=True)
    assert emb.embedding_params() == 7 * 4 + 5 * 2 + 9 * 1 + 4 * 4 == sum(v * d for v, d in zip(V, dims, strict=True))
    assert emb.alignment_params() == 2 * D + 1 * D  # only fields with 0 < d_f < D have a map
    assert FieldEmbedding(fields, D, dims, align=False).alignment_params() == 0
    assert FieldEmbedding(fields, D).embedding_params() == sum(V) * D


def test_bad_widths_are_config_errors(fields):
    with pytest.raises(ConfigError, match="expected 5 widths"):
        FieldEmbedding(fields, D, [4, 4])
    with pytest.raises(ConfigError, match="0..4"):
        FieldEmbedding(fields, D, [5, 4, 4, 4, 4])


def test_aligned_needs_maps_when_narrow(fields, ids):
    emb = FieldEmbedding(fields, D, [2, 4, 4, 4, 4], align=False)
    with pytest.raises(RuntimeError, match="align=True"):
        emb.aligned(ids)
