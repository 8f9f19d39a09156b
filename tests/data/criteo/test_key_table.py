"""The compiled lookups' hash table: every key is found with its id, every other key gets 0."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data.criteo import key_table

pytestmark = pytest.mark.skipif(key_table.numba is None, reason="numba is not installed")


def _lookup(table, entries, key_bytes, field: int, key: str) -> int:
    buf = np.frombuffer(key.encode() + b"\0", dtype=np.uint8)  # a trailing byte: never part of the key
    n = len(key.encode())
    return int(key_table.find(table, entries, key_bytes, buf, 0, n, field, key_table._hex32(buf, 0, n)))


def _vocabularies(rng, fields: int, size: int) -> list[list[str]]:
    out = []
    for _ in range(fields):
        hexes = [f"{int(v):08x}" for v in rng.integers(0, 1 << 32, size)]
        others = ["ABCDEF12", "0000abc", "0000abcde", "x", "a long key of many bytes", "0000ABCD", "<NA>"]
        out.append(["<OOV>", *dict.fromkeys(hexes + others)])  # unique within a field, as fitted vocabularies
    return out


def test_every_key_is_found_with_its_id_and_others_are_not():
    rng = np.random.default_rng(0)
    vocabs = _vocabularies(rng, fields=70, size=50)  # more fields than a slot can name (FIELD_BITS): entries
    table, entries, key_bytes = key_table.build(vocabs)
    assert (table != 0).sum() == sum(len(v) - 1 for v in vocabs)
    assert len(table) >= 4 * (table != 0).sum() / 3
    for k, vocab in enumerate(vocabs):
        for i, key in enumerate(vocab[1:], start=1):
            assert _lookup(table, entries, key_bytes, k, key) == i
        for absent in ("<OOV>", "ffffffff0", "0000abcz", "", "A LONG KEY OF MANY BYTES", f"{1 << 31:08x}"):
            if absent not in vocab:
                assert _lookup(table, entries, key_bytes, k, absent) == 0
    # a key is found in its own field only
    only = vocabs[0][1]
    assert all(_lookup(table, entries, key_bytes, k, only) == 0 for k in range(1, 70) if only not in vocabs[k])


def test_a_repeated_key_keeps_its_first_id():
    table, entries, key_bytes = key_table.build([["<OOV>", "0000abcd", "zz", "0000abcd", "zz"]])
    assert _lookup(table, entries, key_bytes, 0, "0000abcd") == 1
    assert _lookup(table, entries, key_bytes, 0, "zz") == 2


def test_ids_too_wide_for_a_slot_are_held_as_entries():
    key_bytes, entries = key_table._entries([["<OOV>", "0000abcd", "0000abce"]])
    entries[1, 2] = key_table.ID_MASK + 5  # an id beyond what a slot holds
    table = key_table._build_table(key_bytes, entries, 16)
    assert sorted(int(x) & 1 for x in table if x) == [0, 1]  # one held in place, one as its entry
    assert _lookup(table, entries, key_bytes, 0, "0000abcd") == 1
    assert _lookup(table, entries, key_bytes, 0, "0000abce") == key_table.ID_MASK + 5
    assert _lookup(table, entries, key_bytes, 0, "0000abcf") == 0


def test_hex_values_are_read_from_lowercase_digits_only():
    def hex32(key: str) -> int:
        return int(key_table._hex32(np.frombuffer(key.encode(), dtype=np.uint8), 0, len(key)))

    assert hex32("0000abcd") == 0xABCD
    assert hex32("ffffffff") == 0xFFFFFFFF
    assert hex32("0000ABCD") == hex32("0000abc") == hex32("0000abcde") == hex32("0000abcg") == -1
