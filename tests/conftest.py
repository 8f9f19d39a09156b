"""Fixtures shared by the data and figures tests. The folder of this file is put on the import path,
so its helper modules (``studyhelpers``: a tiny study profile) import from every test folder; pytest
itself only puts each test file's own folder there."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from sseds_study.data.spec import PAD, EncodedDataset, make_field_specs

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def tiny() -> EncodedDataset:
    """A hand-built dataset whose statistics are counted by hand in the tests.

    fields: user (categorical, V=4), hour (numeric, V=3), genres (multi, V=4, width 2); five train
    rows and one valid row.
    """
    fields = make_field_specs(["user", "hour", "genres"], ["categorical", "numeric", "multi"], [4, 3, 4], [1, 1, 2])
    ids = np.array(
        [
            # user hour genres
            [1, 1, 1, 2],
            [1, 2, 1, PAD],
            [2, 1, 3, PAD],
            [0, 1, 2, 3],
            [3, 0, 1, PAD],
            [1, 2, 2, PAD],  # valid
        ],
        dtype=np.int64,
    )
    labels = np.array([1, 0, 1, 0, 1, 1], dtype=np.float32)
    split = np.array([0, 0, 0, 0, 0, 1], dtype=np.int8)
    manifest = {"missing_rates": {"user": 0.0, "hour": 0.2, "genres": 0.1}}
    return EncodedDataset("tiny", fields, ids, labels, split, manifest)


@pytest.fixture(scope="session")
def own_table_folder(tmp_path_factory) -> Path:
    """A generated user table, a smoke-sized profile over it (``tablehelpers``: one ``table`` dataset,
    no companions) and its finished sweep, in a folder holding its data and results caches too."""
    from sseds_study.study.profile import load_study
    from sseds_study.study.sweep import sweep
    from tablehelpers import table_profile

    folder = tmp_path_factory.mktemp("own-table")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SSEDS_DATA_DIR", str(folder / "data"))
        mp.setenv("SSEDS_RESULTS_DIR", str(folder / "results"))
        sweep(load_study(table_profile(folder)), progress=False)
    return folder


@pytest.fixture
def own_table(own_table_folder, monkeypatch) -> Path:
    """The path of that profile, with the data and results folders of its sweep in the environment."""
    monkeypatch.setenv("SSEDS_DATA_DIR", str(own_table_folder / "data"))
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(own_table_folder / "results"))
    return own_table_folder / "mytable.yaml"
