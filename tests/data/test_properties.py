"""Property tests (hypothesis) for the encoder's pure pieces."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sseds_study.data.encode import OOV, assign_split, build_vocab, encode_stream, log_square_bucket
from sseds_study.data.raw import RawField
from sseds_study.data.readers import frame_chunks


@given(st.lists(st.integers(-5, 10**9), min_size=1, max_size=50))
def test_bucket_is_monotone_and_identity_below_three(values):
    v = np.array(sorted(values), dtype=np.int64)
    out = log_square_bucket(v)
    assert (np.diff(out[v > 2]) >= 0).all()
    assert np.array_equal(out[v <= 2], v[v <= 2])


@given(st.integers(0, 2**63 - 1), st.integers(0, 10**9), st.integers(1, 300))
def test_split_depends_only_on_seed_and_row(seed, start, n):
    rows = np.arange(start, start + n)
    whole = assign_split(rows, seed)
    assert set(np.unique(whole)) <= {0, 1, 2}
    assert np.array_equal(whole[n // 2:], assign_split(rows[n // 2:], seed))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(list("abcdefg")), min_size=5, max_size=80), st.integers(1, 4), st.integers(1, 9))
def test_ids_round_trip_through_the_vocabulary(values, min_count, chunk_rows):
    col = np.array(values, dtype=object)
    enc = encode_stream(lambda: frame_chunks({"x": col}, np.zeros(len(col)), path="<p>", chunk_rows=chunk_rows),
                        [RawField("x")], min_count=min_count, split_seed=1, progress=False)
    vocab = enc.vocabularies["x"]
    assert vocab[0] == OOV and len(set(vocab)) == len(vocab)
    train_counts = {v: int(((col == v) & (enc.split == 0)).sum()) for v in set(values)}
    for value, i in zip(values, enc.ids[:, 0], strict=True):
        if i == 0:
            assert train_counts[value] < min_count
        else:
            assert vocab[i] == value and train_counts[value] >= min_count


def test_build_vocab_keeps_exactly_the_frequent_values():
    counts = {"a": 3, "b": 1, "c": 2}
    assert build_vocab(counts, 2) == [OOV, "a", "c"]
