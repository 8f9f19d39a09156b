"""The sparse-gradient optimizer path (TrainConfig.optimizer): dense numerics unchanged, SparseAdam
correct, the ``auto`` threshold."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sseds_study.config import ModelConfig, TrainConfig, config_hash, to_dict
from sseds_study.data.spec import EncodedDataset, make_field_specs
from sseds_study.errors import ConfigError
from sseds_study.models import build_model
from sseds_study.train import (
    SPARSE_MIN_ROWS,
    SparseDenseAdam,
    fit,
    make_optimizer,
    seed_everything,
    sparse_tables,
)

torch.set_num_threads(1)


def small_dataset(n: int = 600, vocabs=(7, 5, 9), seed: int = 0) -> EncodedDataset:
    rng = np.random.default_rng(seed)
    fields = make_field_specs([f"f{i}" for i in range(len(vocabs))], ["categorical"] * len(vocabs), list(vocabs),
                              [1] * len(vocabs))
    ids = np.stack([rng.integers(0, v, n) for v in vocabs], axis=1).astype(np.int64)
    w = [rng.normal(size=v) for v in vocabs]
    logit = sum(w[f][ids[:, f]] for f in range(len(vocabs)))
    labels = (rng.random(n) < 1 / (1 + np.exp(-2 * logit))).astype(np.float32)
    split = rng.choice(3, size=n, p=[0.7, 0.15, 0.15]).astype(np.int8)
    return EncodedDataset(name="tiny", fields=fields, ids=ids, labels=labels, split=split)


def _model(ds, name="DeepFM", seed=0):
    seed_everything(seed)
    return build_model(ds.fields, ModelConfig(name=name, emb_dim=4, hidden_dims=(8,)))


def test_default_config_hash_is_unchanged():
    # the option is left out of the hash at its default: results keyed before it existed stay valid
    assert "optimizer" not in to_dict(TrainConfig())
    assert config_hash(TrainConfig()) == "be03c3674c905629"
    assert config_hash(TrainConfig(lr=0.005, seed=3, progress=False)) == "bae69e2764af245b"
    assert to_dict(TrainConfig(optimizer="auto"))["optimizer"] == "auto"
    assert config_hash(TrainConfig(optimizer="auto")) != config_hash(TrainConfig())


def test_unknown_optimizer_is_refused():
    with pytest.raises(ConfigError, match="train.optimizer"):
        TrainConfig(optimizer="sgd")


@pytest.mark.parametrize("name", ["FM", "DeepFM"])
def test_auto_on_small_tables_is_plain_adam_bit_for_bit(name):
    ds = small_dataset()
    assert sparse_tables(_model(ds, name), "auto") == []
    assert type(make_optimizer(_model(ds, name), TrainConfig(optimizer="auto"))) is torch.optim.Adam
    states = []
    for opt in ("adam", "auto"):
        model = _model(ds, name)
        fit(model, ds, TrainConfig(batch_size=64, lr=0.01, max_epochs=2, progress=False, optimizer=opt))
        states.append(model.state_dict())
    for k in states[0]:
        assert torch.equal(states[0][k], states[1][k]), k


def test_dense_path_matches_hand_written_adam():
    # the dense path is exactly Adam over the two parameter groups, as before the option existed
    ds = small_dataset()
    a, b = _model(ds), _model(ds)
    opt_a = make_optimizer(a, TrainConfig(lr=0.01, optimizer="auto"))
    opt_b = torch.optim.Adam(b.parameters(), lr=0.01)
    x, y = torch.from_numpy(ds.ids[:128]), torch.from_numpy(ds.labels[:128])
    for _ in range(3):
        for model, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad()
            torch.nn.functional.binary_cross_entropy_with_logits(model(x), y).backward()
            opt.step()
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert torch.equal(va, vb), k


def test_auto_threshold_picks_only_large_tables():
    big = small_dataset(n=50, vocabs=(SPARSE_MIN_ROWS, 3))
    small = small_dataset(n=50, vocabs=(SPARSE_MIN_ROWS - 10, 3))
    # both fields share one stacked table of V_0 + V_1 rows: above the threshold in `big` only...
    assert len(sparse_tables(_model(big, "FM"), "auto")) == 2  # the embedding and the first-order table
    # ... and in `small` too, since the stacked table has SPARSE_MIN_ROWS - 7 rows: below
    assert sparse_tables(_model(small, "FM"), "auto") == []
    assert len(sparse_tables(_model(small, "FM"), "sparse_adam")) == 2
    assert sparse_tables(_model(small, "FM"), "adam") == []


def test_sparse_matches_dense_adam_when_every_row_is_touched():
    vocabs = (4, 3, 5)
    ds = small_dataset(n=60, vocabs=vocabs)
    # a batch holding every id of every field: lazy (sparse) Adam is then plain Adam
    n = 60
    ids = np.stack([np.arange(n) % v for v in vocabs], axis=1).astype(np.int64)
    x, y = torch.from_numpy(ids), torch.from_numpy(ds.labels[:n])
    dense, sparse = _model(ds, "DeepFM"), _model(ds, "DeepFM")
    # rows of std 0.5: gradients far above Adam's eps, which the two place differently (SparseAdam adds
    # eps before the bias correction of the second moment, Adam after it)
    with torch.no_grad():
        dense.embedding.tables[0].weight.normal_(std=0.5)
    sparse.load_state_dict(dense.state_dict())
    opt_d = make_optimizer(dense, TrainConfig(lr=0.01))
    opt_s = make_optimizer(sparse, TrainConfig(lr=0.01, optimizer="sparse_adam"))
    assert isinstance(opt_s, SparseDenseAdam)
    for _ in range(5):
        for model, opt in ((dense, opt_d), (sparse, opt_s)):
            opt.zero_grad()
            torch.nn.functional.binary_cross_entropy_with_logits(model(x), y).backward()
            opt.step()
    assert sparse.embedding.tables[0].weight.grad is None or sparse.embedding.tables[0].weight.grad.is_sparse
    for (k, vd), vs in zip(dense.state_dict().items(), sparse.state_dict().values(), strict=True):
        torch.testing.assert_close(vs, vd, rtol=1e-4, atol=1e-5, msg=k)


def test_sparse_path_trains_and_restores_dense_gradients():
    ds = small_dataset(n=2000, vocabs=(30, 20, 40))
    model = _model(ds, "DeepFM")
    result = fit(model, ds, TrainConfig(batch_size=128, lr=0.02, max_epochs=4, patience=4, progress=False,
                                        optimizer="sparse_adam"))
    losses = [h.train_loss for h in result.history]
    assert losses[-1] < losses[0]
    assert result.valid["auc"] > 0.6
    # fit hands the model back with dense gradients (saliency reads weight.grad as a dense tensor)
    assert not any(m.sparse for m in model.modules() if isinstance(m, torch.nn.Embedding))


def test_sparse_weight_decay_touches_only_touched_rows():
    ds = small_dataset(n=40, vocabs=(6, 4))
    model = _model(ds, "FM")
    opt = make_optimizer(model, TrainConfig(lr=0.05, emb_weight_decay=0.5, optimizer="sparse_adam"))
    table = model.embedding.tables[0].weight
    before = table.detach().clone()
    x = torch.tensor([[0, 0], [1, 2]])  # rows 0, 1 of field 0; rows 6, 8 of the stacked table (field 1)
    opt.zero_grad()
    model(x).sum().backward()
    opt.step()
    moved = (table.detach() != before).any(dim=1).nonzero().flatten().tolist()
    assert moved == [0, 1, 6, 8]
    # with decay the touched rows move differently than without it
    model2 = _model(ds, "FM")
    opt2 = make_optimizer(model2, TrainConfig(lr=0.05, optimizer="sparse_adam"))
    opt2.zero_grad()
    model2(x).sum().backward()
    opt2.step()
    assert torch.equal(model2.embedding.tables[0].weight[2:6], before[2:6])
    assert not torch.equal(model2.embedding.tables[0].weight[0], table[0])
