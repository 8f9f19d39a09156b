"""PEP's search side (search/pep.py): mask statistics, first crossings, storage sizes by hand, and
the snapshot callback driven by a small hand-written training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from sseds_study.config import ModelConfig
from sseds_study.data.spec import make_field_specs
from sseds_study.models import build_model
from sseds_study.models import pep as mpep
from sseds_study.search import SearchInputError
from sseds_study.search import pep as spep
from sseds_study.train import param_groups

# -- pure functions -----------------------------------------------------------------------------------


def test_mask_stats_by_hand():
    masks = [
        np.array([[1, 0, 0], [0, 0, 0], [1, 1, 0]], dtype=bool),  # 3 kept of 9, 1 zero row
        np.zeros((2, 3), dtype=bool),  # empty field: 2 zero rows
        torch.tensor([[True, True, True, True]]),  # 4 of 4 (a torch mask, another width)
        np.zeros((5, 0), dtype=bool),  # width 0: no entries, not "empty", no zero rows
    ]
    st = spep.mask_stats(masks)
    assert st.field_params == (3, 0, 4, 0)
    assert st.field_entries == (9, 6, 4, 0)
    assert (st.kept_params, st.total_params) == (7, 19)
    assert st.kept_fraction == pytest.approx(7 / 19)
    assert st.empty_fields == (1,) and st.num_empty_fields == 1
    assert st.zero_rows == (1, 2, 0, 0) and st.num_zero_rows == 3


def test_first_crossings_take_the_first_step_only():
    fractions = [1.0, 0.95, 0.8, 0.85, 0.5, 0.6, 0.2]
    got = spep.first_crossings(fractions, [0.5, 0.9, 0.1, 0.8])
    assert got == {0.9: 2, 0.8: 2, 0.5: 4, 0.1: None}  # two budgets at one step
    assert list(got) == [0.9, 0.8, 0.5, 0.1]  # decreasing budgets


@pytest.mark.parametrize("bad", [[], [0.5, 0.5], [0.0], [1.5], [float("nan")]])
def test_bad_budgets_are_errors(bad):
    with pytest.raises(SearchInputError):
        spep.check_budgets(bad)


def test_index_bytes():
    assert [spep.index_bytes(x) for x in (0, 255, 256, 65535, 65536, 2**32 - 1, 2**32)] == [1, 1, 2, 2, 4, 4, 8]


def test_sparse_and_dense_bytes_by_hand():
    m0 = np.zeros((4, 16), dtype=bool)
    m0[0, [0, 3, 15]] = True
    m0[2, 7] = True  # 4 non-zeros in a 4 x 16 table
    m1 = np.zeros((3, 300), dtype=bool)
    m1[1, 299] = True
    m1[2, :10] = True  # 11 non-zeros, 300 columns: 2-byte column indices
    m2 = np.zeros((1000, 16), dtype=bool)  # no non-zero: deleted, 0 bytes
    size = spep.sparse_table_bytes([m0, m1, m2])
    # field 0: values 4*4, columns 4*1, row pointers (4+1)*4
    f0 = 16 + 4 + 20
    # field 1: values 11*4, columns 11*2, row pointers (3+1)*4
    f1 = 44 + 22 + 16
    assert size.field_bytes == (f0, f1, 0)
    assert (size.values, size.column_indices, size.row_pointers) == (16 + 44, 4 + 22, 20 + 16)
    assert size.total == f0 + f1 and size.index_overhead == 4 + 22 + 20 + 16
    # 8-byte values double the value part only
    assert spep.sparse_table_bytes([m0], value_bytes=8).total == 32 + 4 + 20
    # dense mixed widths: sum V_f * d_f * 4
    assert spep.dense_table_bytes([4, 3, 1000], [16, 300, 0]) == (4 * 16 + 3 * 300) * 4
    with pytest.raises(SearchInputError):
        spep.dense_table_bytes([4, 3], [16])


# -- the snapshot callback ----------------------------------------------------------------------------

FIELDS = make_field_specs(["a", "b", "c", "d"], ["categorical", "categorical", "multi", "categorical"], [9, 5, 6, 12], [1, 1, 2, 1])
STEPS, BATCH, STEPS_PER_EPOCH = 40, 32, 8
BUDGETS = (0.9, 0.6, 0.3)
MODEL_LR, THRESHOLD_LR = 0.01, 0.3


def _data(seed=0, n=STEPS_PER_EPOCH * BATCH):
    g = torch.Generator().manual_seed(seed)
    ids = torch.cat(
        [torch.randint(0, 9, (n, 1), generator=g), torch.randint(0, 5, (n, 1), generator=g),
         torch.randint(-1, 6, (n, 2), generator=g), torch.randint(0, 12, (n, 1), generator=g)],
        dim=1,
    )
    y = ((ids[:, 0] % 2) ^ (ids[:, 4] % 3 == 0)).float()
    return ids, y


def _search(seed=0, granularity="field_dim", observe=None):
    """A PEP search run: seeded model, soft thresholds pushed up by a strong L2 on s (and a large
    learning rate for them, so that pruning happens within a few epochs), Adam, a seeded batch order.
    ``observe(model, step)`` sees every step before the callback does."""
    torch.manual_seed(seed)
    model = build_model(FIELDS, ModelConfig(name="DeepFM", emb_dim=4, hidden_dims=(4,)))
    mpep.attach_soft_threshold(model, granularity, init=-8.0, weight_decay=0.5, lr=THRESHOLD_LR)
    callback = spep.PEPSnapshots(model, BUDGETS, steps_per_epoch=STEPS_PER_EPOCH)
    ids, y = _data()
    opt = torch.optim.Adam(param_groups(model, 0.0, 0.0), lr=MODEL_LR)
    g = torch.Generator().manual_seed(seed)
    step = 0
    while True:
        order = torch.randperm(len(y), generator=g)
        for start in range(0, len(y), BATCH):
            idx = order[start : start + BATCH]
            loss = nn.functional.binary_cross_entropy_with_logits(model(ids[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if observe is not None:
                observe(model, step)
            callback.on_batch_end(model, step)
            if step == STEPS or callback.done:
                return model, callback


def _count_kept(model):
    """The kept fraction counted independently: non-zeros of every field table, as the model uses it."""
    weights = model.embedding.field_weights()
    return sum(int((w != 0).sum()) for w in weights) / sum(w.numel() for w in weights)


@pytest.fixture(scope="module")
def observed_run():
    seen = []

    def observe(model, step):
        masks = [(w != 0).detach().clone() for w in model.embedding.field_weights()]
        seen.append((step, _count_kept(model), masks))

    model, callback = _search(observe=observe)
    return model, callback, seen


def test_every_budget_gets_a_mask_within_budget(observed_run):
    _, cb, _ = observed_run
    assert cb.done and cb.missing == ()
    for b in BUDGETS:
        snap = cb.snapshots[b]
        stats = spep.mask_stats(snap.masks)
        assert stats.kept_fraction <= b and snap.kept_fraction == stats.kept_fraction
        assert stats.kept_params <= int(b * stats.total_params)
        assert snap.stats == stats
        assert all(m.dtype == torch.bool and m.device.type == "cpu" for m in snap.masks)
        assert [tuple(m.shape) for m in snap.masks] == [(s.vocab_size, 4) for s in FIELDS]


def test_snapshot_is_taken_at_the_first_step_at_or_below_the_budget(observed_run):
    _, cb, seen = observed_run
    for b in BUDGETS:
        snap = cb.snapshots[b]
        first = next(i for i, (_, frac, _) in enumerate(seen) if frac <= b)
        step, frac, masks = seen[first]
        assert snap.step == step and snap.kept_fraction == pytest.approx(frac)
        assert first == 0 or seen[first - 1][1] > b  # not later: the step before was still above b
        assert all(torch.equal(a, m) for a, m in zip(snap.masks, masks, strict=True))
        assert snap.epoch == (step - 1) // STEPS_PER_EPOCH + 1
    assert [s for s, _ in cb.fractions] == [s for s, _, _ in seen[: len(cb.fractions)]]


def test_snapshot_records_empty_fields_and_zero_rows(observed_run):
    _, cb, _ = observed_run
    snap = cb.snapshots[0.3]
    d = snap.to_dict()
    masks = [m.numpy() for m in snap.masks]
    assert d["num_zero_rows"] == sum(int((~m.any(axis=1)).sum()) for m in masks)
    assert d["empty_fields"] == [f for f, m in enumerate(masks) if not m.any()]
    assert d["num_empty_fields"] == len(d["empty_fields"])
    assert d["step"] == snap.step and d["budget"] == 0.3
    summary = cb.summary()
    assert [row["budget"] for row in summary] == [0.9, 0.6, 0.3] and all(row["reached"] for row in summary)


def test_seeded_runs_give_identical_masks():
    _, a = _search(seed=0)
    _, b = _search(seed=0)
    for budget in BUDGETS:
        sa, sb = a.snapshots[budget], b.snapshots[budget]
        assert sa.step == sb.step and sa.kept_fraction == sb.kept_fraction
        assert all(torch.equal(x, y) for x, y in zip(sa.masks, sb.masks, strict=True))
    assert a.fractions == b.fractions


def test_initial_state_is_the_model_before_training_with_plain_keys():
    torch.manual_seed(0)
    model = build_model(FIELDS, ModelConfig(name="DeepFM", emb_dim=4, hidden_dims=(4,)))
    plain_keys = set(model.state_dict())
    before = {k: v.clone() for k, v in model.state_dict().items()}
    mpep.attach_soft_threshold(model, "global", init=-6.0)
    cb = spep.PEPSnapshots(model, [0.5])
    assert set(cb.initial_state) == plain_keys
    assert all(torch.equal(cb.initial_state[k], before[k]) for k in plain_keys)
    # training does not change the record (it is a copy)
    with torch.no_grad():
        model.embedding.tables[0].parametrizations.weight.original.add_(1.0)
    assert torch.equal(cb.initial_state["embedding.tables.0.weight"], before["embedding.tables.0.weight"])


def test_a_fraction_that_rises_again_keeps_the_first_snapshot():
    torch.manual_seed(0)
    model = build_model(FIELDS, ModelConfig(name="FM", emb_dim=4))
    thr = mpep.attach_soft_threshold(model, "global", init=-15.0)
    cb = spep.PEPSnapshots(model, [0.7, 0.05])
    # g(-5) = 0.0067 prunes about half of an N(0, 0.01^2) table, g(5) = 0.993 all of it
    fractions = []
    for step, s in enumerate([-15.0, -5.0, -15.0, -5.0, 5.0], start=1):
        with torch.no_grad():
            thr.s.fill_(s)
        fractions.append(_count_kept(model))
        cb.on_batch_end(model, step)
    assert fractions[0] == fractions[2] == 1.0 and 0.05 < fractions[1] <= 0.7 and fractions[4] == 0.0
    assert cb.snapshots[0.7].step == 2 and cb.snapshots[0.05].step == 5
    assert cb.snapshots[0.7].epoch is None
    assert cb.snapshots[0.05].stats.kept_params == 0
    assert cb.snapshots[0.05].stats.num_empty_fields == len(FIELDS)
    assert cb.done
    n = len(cb.fractions)
    cb.on_batch_end(model, 6)  # done: nothing more is measured
    assert len(cb.fractions) == n


def test_callback_needs_thresholds_and_reports_missing_budgets():
    torch.manual_seed(0)
    model = build_model(FIELDS, ModelConfig(name="FM", emb_dim=4))
    with pytest.raises(SearchInputError, match="attach_soft_threshold"):
        spep.PEPSnapshots(model, [0.5])
    mpep.attach_soft_threshold(model, "global")
    cb = spep.PEPSnapshots(model, [0.2, 0.5])
    cb.on_batch_end(model, 1)
    assert cb.missing == (0.5, 0.2) and not cb.done
    assert cb.summary() == [{"budget": 0.5, "reached": False}, {"budget": 0.2, "reached": False}]


def test_storage_of_a_snapshot_against_dense_widths(observed_run):
    _, cb, _ = observed_run
    snap = cb.snapshots[0.3]
    size = spep.sparse_table_bytes(snap.masks)
    nnz = snap.stats.kept_params
    nonempty = [f for f, n in enumerate(snap.stats.field_params) if n > 0]
    assert size.values == 4 * nnz and size.column_indices == nnz  # D = 4: 1-byte column indices
    assert size.row_pointers == sum((FIELDS[f].vocab_size + 1) * 4 for f in nonempty)
