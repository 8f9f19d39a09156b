"""keep_freed_memory: applied once on Linux with glibc, switched off by the environment, and without
effect on the numbers a fit gives."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sseds_study import memory

GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION") is not None

FIT = """
import json, numpy as np, torch
from sseds_study.config import ModelConfig, TrainConfig
from sseds_study.data.spec import EncodedDataset, make_field_specs
from sseds_study.memory import keep_freed_memory
from sseds_study.models import build_model
from sseds_study.train import fit, seed_everything
torch.set_num_threads(1)
rng = np.random.default_rng(0)
fields = make_field_specs(["a", "b", "c"], ["categorical"] * 3, [30, 20, 10], [1, 1, 1])
ids = np.stack([rng.integers(0, v, 3000) for v in (30, 20, 10)], axis=1)
labels = (rng.random(3000) < 0.3).astype(np.float32)
split = rng.choice(3, size=3000, p=[0.8, 0.1, 0.1]).astype(np.int8)
ds = EncodedDataset(name="t", fields=fields, ids=ids, labels=labels, split=split)
seed_everything(0)
model = build_model(fields, ModelConfig(name="DeepFM", emb_dim=8, hidden_dims=(64, 64)))
res = fit(model, ds, TrainConfig(batch_size=256, max_epochs=2, progress=False), test=False)
print(json.dumps({"applied": keep_freed_memory(), "auc": res.valid["auc"],
                  "weights": float(sum(p.double().sum() for p in model.parameters()))}))
"""


def _run(keep: str) -> dict:
    import json

    env = {**os.environ, "SSEDS_KEEP_FREED_MEMORY": keep}
    out = subprocess.run([sys.executable, "-c", FIT], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_applied_once_and_reported():
    assert memory.keep_freed_memory() is True
    assert memory.keep_freed_memory() is True  # idempotent: the cached answer


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setattr(memory, "_state", {})
    monkeypatch.setenv("SSEDS_KEEP_FREED_MEMORY", "0")
    assert memory.keep_freed_memory() is False


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_a_fit_gives_the_same_numbers_either_way():
    kept, default = _run("1"), _run("0")
    assert kept["applied"] is True and default["applied"] is False
    assert kept["auc"] == default["auc"]
    assert kept["weights"] == default["weights"]
