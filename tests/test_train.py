"""fit / evaluate / checkpoints, on small synthetic data generated here."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from sseds_study.config import ModelConfig, TrainConfig
from sseds_study.data import load_dataset
from sseds_study.data.spec import PAD, EncodedDataset, make_field_specs
from sseds_study.errors import ConfigError, SsedsError
from sseds_study.models import MODELS, build_model
from sseds_study.train import (
    CheckpointError,
    FitResult,
    TrainingDiverged,
    evaluate,
    fit,
    load_checkpoint,
    predict,
    resolve_device,
    save_checkpoint,
    seed_everything,
)

torch.set_num_threads(1)


def planted_dataset(n: int, seed: int = 0, noise: bool = True, splits=(0.8, 0.1, 0.1)) -> EncodedDataset:
    """Five fields (one multi-valued) whose label follows a planted FM: per-value biases plus
    rank-3 pairwise interactions. ``noise=False`` thresholds the logit instead of sampling."""
    rng = np.random.default_rng(seed)
    vocabs, widths = [12, 8, 6, 15, 5], [1, 1, 3, 1, 1]
    kinds = ["categorical", "categorical", "multi", "categorical", "numeric"]
    fields = make_field_specs([f"f{i}" for i in range(5)], kinds, vocabs, widths)
    cols, vecs, bias = [], [], np.zeros(n)
    for spec in fields:
        u = rng.normal(0, 1.0, (spec.vocab_size, 3))
        w = rng.normal(0, 1.0, spec.vocab_size)
        block = rng.integers(1, spec.vocab_size, size=(n, spec.width))
        if spec.is_multi:
            block[:, 1:][rng.random((n, spec.width - 1)) < 0.5] = PAD
        mask = block >= 0
        safe = np.where(mask, block, 0)
        cnt = mask.sum(1, keepdims=True)
        vecs.append((u[safe] * mask[..., None]).sum(1) / cnt)
        bias += (w[safe] * mask).sum(1) / cnt[:, 0]
        cols.append(block)
    logit = bias + sum((vecs[f] * vecs[g]).sum(1) for f in range(5) for g in range(f + 1, 5))
    logit = (logit - logit.mean()) / logit.std() * 2.0
    labels = (rng.random(n) < 1 / (1 + np.exp(-logit))) if noise else (logit > 0)
    split = rng.choice(3, size=n, p=splits).astype(np.int8)
    return EncodedDataset("planted", fields, np.concatenate(cols, 1).astype(np.int64), labels.astype(np.float32), split)


def tiny_cfg(name, **kw):
    return ModelConfig(name=name, emb_dim=4, hidden_dims=(16,), **kw)


def quiet(**kw):
    base = dict(batch_size=64, lr=0.01, max_epochs=5, patience=2, seed=0, device="cpu", progress=False)
    return TrainConfig(**(base | kw))


# -- training ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def planted():
    return planted_dataset(3000, seed=1)


def test_same_seed_gives_bit_identical_results(planted):
    runs = []
    for _ in range(2):
        seed_everything(5)
        model = build_model(planted.fields, tiny_cfg("DeepFM", dropout=0.2))
        result = fit(model, planted, quiet(max_epochs=2, seed=5))
        runs.append((result, [p.detach().clone() for p in model.parameters()]))
    (a, pa), (b, pb) = runs
    assert [h.train_loss for h in a.history] == [h.train_loss for h in b.history]
    assert a.valid == b.valid and a.test == b.test
    assert all(torch.equal(x, y) for x, y in zip(pa, pb, strict=True))


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_overfits_a_tiny_dataset(name):
    base = planted_dataset(200, seed=2, noise=False, splits=(1.0, 0.0, 0.0))
    # the same rows serve as train, valid and test: early stopping then selects the best fit
    ds = base.replace(
        ids=np.concatenate([base.ids] * 3),
        labels=np.concatenate([base.labels] * 3),
        split=np.repeat(np.arange(3, dtype=np.int8), len(base)),
    )
    seed_everything(0)
    model = build_model(ds.fields, tiny_cfg(name))
    result = fit(model, ds, quiet(batch_size=32, lr=0.05, max_epochs=15, patience=15))
    ids, labels = ds.subset("train")
    assert evaluate(model, ids, labels)["auc"] > 0.95, result.history[-1]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The project's planted-rank synthetic data (8 fields, ranks 8, 4, 2, 1, 0, 0, 0, 0)."""
    cache = tmp_path_factory.mktemp("synthetic")
    return load_dataset("synthetic", cache_dir=cache, progress=False, rows=6000, vocab_sizes=20, seed=3, use_cache=False)


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_beats_a_constant_predictor(name, synthetic):
    seed_everything(0)
    model = build_model(synthetic.fields, tiny_cfg(name))
    result = fit(model, synthetic, quiet(batch_size=128, lr=0.02, max_epochs=5))
    assert result.test["auc"] > 0.6
    assert result.valid["auc"] == max(h.valid_auc for h in result.history)
    assert result.best_epoch == 1 + int(np.argmax([h.valid_auc for h in result.history]))


def test_fit_restores_the_best_epoch_and_its_checkpoint_round_trips(planted, tmp_path):
    seed_everything(0)
    model = build_model(planted.fields, tiny_cfg("FM"))
    result = fit(model, planted, quiet(max_epochs=3))
    ids, labels = planted.subset("valid")
    assert evaluate(model, ids, labels)["auc"] == pytest.approx(result.valid["auc"], abs=1e-12)
    path = save_checkpoint(tmp_path / "ckpt" / "best.pt", model, config={"model": tiny_cfg("FM")}, fit_result=result)
    ckpt = load_checkpoint(path)
    assert set(ckpt) == {"format", "state_dict", "config", "fit"} and ckpt["format"] == 1
    assert ckpt["config"]["model"]["name"] == "FM" and ckpt["config"]["model"]["hidden_dims"] == [16]
    assert FitResult.from_dict(ckpt["fit"]) == result
    assert ckpt["fit"]["best_epoch"] == result.best_epoch and ckpt["fit"]["epochs"] == result.epochs
    assert ckpt["fit"]["test"] == result.test
    fresh = build_model(planted.fields, tiny_cfg("FM"))
    fresh.load_state_dict(ckpt["state_dict"])
    np.testing.assert_array_equal(predict(fresh, ids), predict(model, ids))
    assert [p.name for p in path.parent.iterdir()] == ["best.pt"]  # no temp files left
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()  # plain data all the way down
    assert result.rows_per_second > 0 and len(result.history) == result.epochs


class Recorder:
    def __init__(self):
        self.steps, self.epochs, self.weights = [], [], []

    def on_batch_end(self, model, step):
        self.steps.append(step)

    def on_epoch_end(self, model, epoch, stats):
        self.epochs.append((epoch, stats.epoch, stats.valid_auc))
        self.weights.append(model.embedding.tables[0].weight.detach().clone())


def test_callbacks_observe_every_step_and_epoch_and_change_nothing(planted):
    runs = []
    for callbacks in ([], [Recorder(), Recorder()]):
        seed_everything(5)
        model = build_model(planted.fields, tiny_cfg("DeepFM", dropout=0.2))
        result = fit(model, planted, quiet(max_epochs=3, patience=5, seed=5), callbacks=callbacks)
        runs.append((result, model.state_dict(), callbacks))
    (plain, plain_state, _), (hooked, hooked_state, (first, second)) = runs
    assert [h.train_loss for h in plain.history] == [h.train_loss for h in hooked.history]
    assert plain.valid == hooked.valid and plain.test == hooked.test
    assert all(torch.equal(plain_state[k], hooked_state[k]) for k in plain_state)
    n_train = int((planted.split == 0).sum())
    steps_per_epoch = -(-n_train // 64)
    assert first.steps == list(range(1, 3 * steps_per_epoch + 1)) and second.steps == first.steps
    assert first.epochs == [(e, e, h.valid_auc) for e, h in zip((1, 2, 3), hooked.history, strict=True)]
    assert not torch.equal(first.weights[0], first.weights[1])  # the epoch's weights, not a copy of the best


class StopAt:
    """Asks the fit to stop after optimizer step ``step`` (and records the steps it saw)."""

    def __init__(self, step):
        self.step, self.steps, self.epochs = step, [], []
        self.stop_training = False

    def on_batch_end(self, model, step):
        self.steps.append(step)
        self.stop_training = step >= self.step

    def on_epoch_end(self, model, epoch, stats):
        self.epochs.append(epoch)


def test_a_callback_can_stop_the_fit_after_a_batch(planted):
    n_train = int((planted.split == 0).sum())
    steps_per_epoch = -(-n_train // 64)
    stop = StopAt(steps_per_epoch + 3)  # the third batch of epoch 2
    seed_everything(0)
    model = build_model(planted.fields, tiny_cfg("FM"))
    result = fit(model, planted, quiet(max_epochs=10, patience=10), callbacks=[stop])
    assert stop.steps == list(range(1, steps_per_epoch + 4)) and stop.epochs == [1, 2]
    assert len(result.history) == 2 and result.stopped_early
    # the cut epoch's statistics count its three batches only
    assert result.history[1].rows_per_second * result.history[1].seconds == pytest.approx(3 * 64)
    # the first epoch is the same as in a fit that is not stopped
    seed_everything(0)
    plain = fit(build_model(planted.fields, tiny_cfg("FM")), planted, quiet(max_epochs=1))
    assert plain.history[0].train_loss == result.history[0].train_loss
    assert plain.history[0].valid_auc == result.history[0].valid_auc


def test_fit_without_test_does_not_read_the_test_split(planted, monkeypatch):
    seed_everything(0)
    model = build_model(planted.fields, tiny_cfg("FM"))
    subset = planted.subset
    monkeypatch.setattr(planted, "subset", lambda split: subset(split) if split != "test" else pytest.fail("read test"))
    result = fit(model, planted, quiet(max_epochs=1), test=False)
    assert np.isnan(result.test["auc"]) and np.isnan(result.test["logloss"])
    assert not np.isnan(result.valid["auc"])


def test_a_callback_needs_a_hook_method(planted):
    with pytest.raises(TypeError, match="neither on_batch_end nor on_epoch_end"):
        fit(build_model(planted.fields, tiny_cfg("FM")), planted, quiet(), callbacks=[object()])


def test_early_stopping_stops_after_patience(planted):
    seed_everything(0)
    model = build_model(planted.fields, tiny_cfg("FM"))
    result = fit(model, planted, quiet(lr=0.3, max_epochs=30, patience=1))  # overfits fast
    assert result.stopped_early and len(result.history) < 30
    assert len(result.history) == result.best_epoch + 1


def test_divergence_raises_a_clear_error(planted):
    seed_everything(0)
    model = build_model(planted.fields, tiny_cfg("DeepFM"))
    with torch.no_grad():
        model.mlp.net[0].weight[0, 0] = float("nan")
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 0") as err:
        fit(model, planted, quiet())
    assert isinstance(err.value, SsedsError)


def test_huge_learning_rate_diverges(planted):
    seed_everything(0)
    model = build_model(planted.fields, tiny_cfg("FM"))
    # Adam moves every weight by about lr in its first step: the FM term of the second batch then
    # squares values near 1e30, which overflows float32
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 1;.*learning rate"):
        fit(model, planted, quiet(lr=1e30))


def test_checkpoint_stores_no_module_and_rejects_other_layouts(tmp_path):
    model = torch.nn.Linear(3, 2)
    path = save_checkpoint(tmp_path / "m.pt", model, config=TrainConfig(), fit_result=None)
    ckpt = load_checkpoint(path)
    assert ckpt["format"] == 1 and ckpt["fit"] is None and ckpt["config"]["batch_size"] == 2048
    assert torch.equal(ckpt["state_dict"]["weight"], model.weight)
    with pytest.raises(TypeError, match="config"):
        save_checkpoint(tmp_path / "bad.pt", model, config=[1, 2], fit_result=None)
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_text("not a checkpoint")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(tmp_path / "junk.pt")
    old = {"state_dict": model.state_dict(), "config": {}, "epoch": 1, "metrics": {}}  # before format 1
    torch.save(old, tmp_path / "old.pt")
    with pytest.raises(CheckpointError, match="format None, expected 1"):
        load_checkpoint(tmp_path / "old.pt")
    assert issubclass(CheckpointError, SsedsError)


def test_device_selection():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ConfigError, match="train.device"):
        resolve_device("tpu")


def test_out_of_range_ids_are_a_clear_error(planted):
    ids = planted.ids.copy()
    ids[5, 0] = planted.fields[0].vocab_size  # would read the next field's first row
    with pytest.raises(SsedsError, match=r"field 'f0': ids must lie in 0..11; found 1..12"):
        fit(build_model(planted.fields, tiny_cfg("FM")), planted.replace(ids=ids), quiet())


def test_empty_valid_split_is_a_clear_error(planted):
    ds = planted.replace(split=np.where(planted.split == 1, 0, planted.split).astype(np.int8))
    with pytest.raises(ConfigError, match="valid split is empty"):
        fit(build_model(ds.fields, tiny_cfg("FM")), ds, quiet())


@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_a_label_with_one_class_is_refused_before_training(planted, split):
    """All-0 or all-1 labels have no AUC: training would report NaN and exit as if all was well."""
    labels = planted.labels.copy()
    labels[planted.split_index(split)] = 1.0
    model = build_model(planted.fields, tiny_cfg("FM"))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ConfigError, match=rf"every label in the {split} split is 1 \(.* rows\); the label needs both "
                                          r"classes, 0 and 1"):
        fit(model, planted.replace(labels=labels), quiet())
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())  # not a single step taken
