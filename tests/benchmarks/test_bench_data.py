"""benchmarks/bench_data.py: the Criteo-shaped encoded set and the hand-over file the peers read."""

from __future__ import annotations

import bench_data
import numpy as np


def test_criteo_vocab_sizes_total_about_a_million():
    sizes = bench_data.criteo_vocab_sizes()
    assert len(sizes) == 39
    assert 0.95e6 < sum(sizes) < 1.05e6
    assert sizes[13 + 8] == 4  # C9 keeps its 3 values (+ OOV)
    assert max(sizes) > 100_000  # heavy tables remain heavy


def test_criteo_shaped_is_valid_and_heavy_tailed():
    ds = bench_data.criteo_shaped(rows=20_000, total_vocab=200_000)
    assert ds.ids.shape == (20_000, 39)
    assert len(ds.fields) == 39 and sum(f.vocab_size for f in ds.fields) < 260_000
    for f, spec in enumerate(ds.fields):
        assert 0 <= ds.ids[:, f].min() and ds.ids[:, f].max() < spec.vocab_size
    big = int(np.argmax([f.vocab_size for f in ds.fields]))
    counts = np.bincount(ds.ids[:, big])
    top = np.sort(counts)[::-1]
    assert top[:10].sum() > 0.3 * len(ds.labels)  # a few ids take a large share of the rows
    assert 0.1 < ds.labels.mean() < 0.5
    assert set(np.unique(ds.split)) == {0, 1, 2}


def test_export_and_load_round_trip(tmp_path):
    from sseds_study.data.spec import EncodedDataset, make_field_specs

    fields = make_field_specs(["a", "g"], ["categorical", "multi"], [5, 4], [1, 3])
    ids = np.array([[1, 0, 2, -1], [4, 3, -1, -1]], dtype=np.int64)
    ds = EncodedDataset(name="t", fields=fields, ids=ids, labels=np.array([0, 1], dtype=np.float32),
                        split=np.array([0, 1], dtype=np.int8))
    data = bench_data.load(bench_data.export(ds, tmp_path / "d.npz"))
    np.testing.assert_array_equal(data["ids"], ids)
    assert data["fields"] == [{"name": "a", "kind": "categorical", "vocab_size": 5, "column": 0, "width": 1},
                              {"name": "g", "kind": "multi", "vocab_size": 4, "column": 1, "width": 3}]


def test_deepctr_inputs_shift_multi_valued_padding():
    import throughput

    data = {"fields": [{"name": "a", "kind": "categorical", "vocab_size": 5, "column": 0, "width": 1},
                       {"name": "g", "kind": "multi", "vocab_size": 4, "column": 1, "width": 2}],
            "ids": np.array([[1, 0, -1], [4, 3, 2]])}
    x = throughput._deepctr_inputs(data, np.array([0, 1]))
    np.testing.assert_array_equal(x["a"], [1, 4])
    np.testing.assert_array_equal(x["g"], [[1, 0], [4, 3]])
