"""Vocabulary, OOV, bucketing, splits and determinism of the shared encoder."""

from __future__ import annotations

import numpy as np
from datahelpers import column_stream

from sseds_study.data.encode import MISSING, OOV, assign_split, build_vocab, encode_stream, log_square_bucket
from sseds_study.data.raw import RawField
from sseds_study.data.spec import PAD
from sseds_study.data.synthetic import generate_synthetic


def test_log_square_bucket_matches_protocol():
    v = np.array([-2, -1, 0, 1, 2, 3, 4, 5, 10, 100, 1000])
    expected = [-2, -1, 0, 1, 2, 1, 1, 2, 5, 21, 47]  # floor(ln(v)^2) for v > 2
    assert log_square_bucket(v).tolist() == expected
    assert expected[7] == int(np.floor(np.log(5) ** 2))


def test_log_square_bucket_table_path_gives_the_formula_to_the_bit():
    # a large integer array takes the table path for 0 <= v < 2^16; each value must be the formula's
    rng = np.random.default_rng(0)
    v = np.concatenate([np.arange(-10, 70_000), rng.integers(-(2**40), 2**40, 50_000),
                        np.floor(rng.pareto(1.1, 50_000) * 90).astype(np.int64)])
    one_by_one = np.array([x if x <= 2 else int(np.floor(np.log(float(x)) ** 2)) for x in v.tolist()])
    for dtype in (np.int64, np.int32):
        w = v.astype(dtype) if dtype == np.int64 else v[np.abs(v) < 2**31].astype(dtype)
        want = one_by_one if dtype == np.int64 else one_by_one[np.abs(v) < 2**31]
        out = log_square_bucket(w)
        assert out.dtype == dtype
        np.testing.assert_array_equal(out, want)


def test_assign_split_is_seeded_and_about_8_1_1():
    rows = np.arange(200_000)
    a, b = assign_split(rows, 7), assign_split(rows, 7)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, assign_split(rows, 8))
    frac = np.bincount(a, minlength=3) / len(rows)
    assert np.allclose(frac, [0.8, 0.1, 0.1], atol=0.005)
    # a row's split depends only on (seed, row): computing it in pieces gives the same answer
    assert np.array_equal(np.concatenate([assign_split(rows[:777], 7), assign_split(rows[777:], 7)]), a)


def test_build_vocab_min_count_and_order():
    vocab = build_vocab({"a": 5, "b": 9, "c": 1, "d": 5}, min_count=2)
    assert vocab == [OOV, "b", "a", "d"]  # by count, ties by value; "c" too rare


def _split_by_hand(n, seed):
    return assign_split(np.arange(n), seed)


def test_vocabulary_is_built_on_train_rows_only():
    n, seed = 60, 3
    split = _split_by_hand(n, seed)
    # value "leak" occurs only on valid/test rows, so it must be OOV everywhere
    col = np.array(["common"] * n, dtype=object)
    col[split != 0] = "leak"
    enc = encode_stream(column_stream({"x": col}, np.zeros(n)), [RawField("x")], split_seed=seed, progress=False)
    assert enc.vocabularies["x"] == [OOV, "common"]
    assert np.array_equal(enc.split, split)
    assert (enc.ids[split != 0, 0] == 0).all() and (enc.ids[split == 0, 0] == 1).all()


def test_min_count_per_field_and_missing_category():
    n = 400
    rng = np.random.default_rng(0)
    a = rng.choice(["p", "q", "r"], size=n, p=[0.7, 0.295, 0.005]).astype(object)
    b = a.copy()
    a[:50] = None  # missing -> its own category "<NA>"
    enc = encode_stream(column_stream({"a": a, "b": b}, np.zeros(n), 64), [RawField("a"), RawField("b")],
                        min_count={"a": 10, "b": 1}, progress=False)
    assert MISSING in enc.vocabularies["a"] and "r" not in enc.vocabularies["a"]
    assert enc.missing_rates == {"a": 50 / n, "b": 0.0}
    ida = enc.vocabularies["a"].index(MISSING)
    assert (enc.ids[:50, 0] == ida).all()
    train_r = (b == "r") & (enc.split == 0)
    if train_r.any():
        assert "r" in enc.vocabularies["b"]


def test_multi_valued_field_is_padded():
    tags = ["x y", "y", None, "x y z", "z"] * 10
    enc = encode_stream(column_stream({"t": np.array(tags, dtype=object)}, np.ones(50), 7), [RawField("t", "multi")],
                        progress=False)
    spec = enc.fields[0]
    assert spec.width == 3 and spec.kind == "multi"
    vocab = enc.vocabularies["t"]
    row = enc.ids[3]  # "x y z"
    assert [vocab[i] for i in row] == ["x", "y", "z"]
    assert enc.ids[1].tolist()[1:] == [PAD, PAD]
    assert vocab[enc.ids[2, 0]] == MISSING and enc.ids[2, 1] == PAD


def test_numeric_field_and_bad_integer():
    vals = np.array(["1", "5", None, "100", "3"] * 4, dtype=object)
    enc = encode_stream(column_stream({"n": vals}, np.zeros(20)), [RawField("n", "numeric", integer=True)], progress=False)
    vocab = enc.vocabularies["n"]
    assert set(vocab[1:]) == {"1", "2", "21", MISSING}  # 5 -> 2, 100 -> 21, 3 -> 1


def test_same_seed_gives_identical_arrays():
    values, labels, _, _ = generate_synthetic(rows=3000, seed=1)
    cols = {f"f{i}": values[:, i] for i in range(values.shape[1])}
    fields = [RawField(k) for k in cols]
    a = encode_stream(column_stream(cols, labels, 500), fields, min_count=3, split_seed=5, progress=False)
    b = encode_stream(column_stream(cols, labels, 999), fields, min_count=3, split_seed=5, progress=False)
    c = encode_stream(column_stream(cols, labels, 500), fields, min_count=3, split_seed=6, progress=False)
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.split, b.split) and a.vocabularies == b.vocabularies
    assert not np.array_equal(a.split, c.split)
