"""A user table is keyed by content: its runs' keys hold the file's checksum and the column
declarations, never the path; a relative path in a profile is read from the profile's folder."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from sseds_study.config import DataConfig, config_hash, to_dict
from sseds_study.data.registry import data_identity
from sseds_study.study.expand import expand_runs
from sseds_study.study.profile import load_study
from sseds_study.study.sweep import sweep


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "cache"))


def write_table(path, n=600, seed=0):
    rng = np.random.default_rng(seed)
    user = rng.integers(0, 12, n)
    item = rng.integers(0, 7, n)
    clicked = ((user % 3 == 0) ^ (rng.random(n) < 0.2)).astype(int)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"clicked": clicked, "user": user, "item": item}).to_csv(path, index=False)
    return path


PROFILE = """name: mytable
datasets:
  - name: table
    options: {{path: {path}, label: clicked, categorical: [user, item]}}
models: [FM]
methods: [full, uniform]
budgets: [1.0, 0.5]
seeds: [0]
model: {{emb_dim: 4}}
train: {{batch_size: 256, max_epochs: 1, patience: 1, progress: false}}
search: {{num_batches: 2}}
"""


def write_profile(folder, path):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mytable.yaml").write_text(PROFILE.format(path=path))
    return folder / "mytable.yaml"


def keys(profile):
    return sorted(spec.key for spec in expand_runs(load_study(profile)))


def test_a_relative_path_is_read_from_the_profiles_folder(tmp_path, monkeypatch):
    write_table(tmp_path / "project" / "data" / "clicks.csv")
    profile = write_profile(tmp_path / "project", "data/clicks.csv")
    monkeypatch.chdir(tmp_path)  # not the profile's folder
    study = load_study(profile)
    assert study.datasets[0].options["path"] == str(tmp_path / "project" / "data" / "clicks.csv")
    assert len(keys(profile)) == 3  # full at 1.0, uniform at 1.0 and 0.5


def test_moving_or_renaming_keeps_the_keys_editing_a_byte_changes_them(tmp_path):
    csv = write_table(tmp_path / "a" / "clicks.csv")
    before = keys(write_profile(tmp_path / "p1", str(csv)))
    moved = tmp_path / "b" / "renamed.csv"
    moved.parent.mkdir()
    shutil.move(csv, moved)
    assert keys(write_profile(tmp_path / "p2", str(moved))) == before
    text = moved.read_text()
    moved.write_text(text[:-2] + ("0" if text[-2] != "0" else "1") + text[-1])  # one byte of the last row
    assert not set(keys(write_profile(tmp_path / "p3", str(moved)))) & set(before)


def test_the_declarations_are_part_of_the_key(tmp_path):
    csv = write_table(tmp_path / "clicks.csv")
    a = DataConfig("table", options={"path": str(csv), "label": "clicked", "categorical": ["user", "item"]})
    b = DataConfig("table", options={"path": str(csv), "label": "clicked", "categorical": ["user"]})
    assert config_hash(data_identity(a)) != config_hash(data_identity(b))
    spec = tmp_path / "spec.yaml"
    spec.write_text("label: clicked\ncategorical: [user, item]\n")
    c = DataConfig("table", options={"path": str(csv), "spec": str(spec)})
    identity = data_identity(c)
    assert identity["options"]["spec"] == {"label": "clicked", "categorical": ["user", "item"]}
    assert "path" not in identity["options"] and len(identity["options"]["files"]) == 1


def test_other_datasets_keep_their_keys():
    cfg = DataConfig("synthetic", options={"rows": 3000, "seed": 3})
    assert data_identity(cfg) == to_dict(cfg)


def test_a_moved_table_reruns_nothing(tmp_path):
    csv = write_table(tmp_path / "a" / "clicks.csv")
    first = sweep(load_study(write_profile(tmp_path / "p1", str(csv))), tmp_path / "results", progress=False)
    assert first.executed == 3 and first.failed == 0
    moved = tmp_path / "elsewhere" / "clicks-copy.csv"
    moved.parent.mkdir()
    os.replace(csv, moved)
    again = sweep(load_study(write_profile(tmp_path / "p2", str(moved))), tmp_path / "results", progress=False)
    assert again.executed == 0 and again.skipped == 3
