"""Vocabulary keys in one open-addressing hash table, for compiled lookups (numba; ``kernel``).

All categorical fields' keys share one table of one int64 per slot, so that it is small enough to stay
in the cache. A key of 8 lowercase hex digits (Criteo's hashed ids) whose field and id fit is held in
its slot itself (value << 32 | field << 26 | id << 1 | 1) and found by reading that slot alone; any
other key is held as its entry ((entry + 1) << 1) and its bytes compared. 0 is an empty slot.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

try:
    import numba
except ImportError:  # the fast extra is not installed: the encoder uses polars alone
    numba = None

_FNV_OFFSET = -3750763034362895579  # 0xcbf29ce484222325 as int64 (FNV-1a, 64 bits)
_FNV_PRIME = 1099511628211
_FIELD_SALT = -7046029254386353131  # 0x9E3779B97F4A7C15 as int64: a different start per field
_LOW32 = 0xFFFFFFFF
ID_BITS, FIELD_BITS = 25, 6  # a hex key's slot: value (32 bits), field, id, a flag
ID_MASK = (1 << ID_BITS) - 1
KEY_MASK = ~(ID_MASK << 1)


def jit(fn):
    # cache=True: compiled once per machine into __pycache__ (a few seconds), loaded after that
    return numba.njit(nogil=True, cache=True)(fn) if numba is not None else fn


def _inline(fn):
    # a small helper, inlined where it is called
    return numba.njit(nogil=True, cache=True, inline="always")(fn) if numba is not None else fn


@_inline
def _field_hash(buf, s, q, k):
    h = _FNV_OFFSET ^ ((k + 1) * _FIELD_SALT)
    for i in range(s, q):
        h = (h ^ np.int64(buf[i])) * _FNV_PRIME
    return h ^ (h >> 29)


NIBBLE = np.full(256, -1, dtype=np.int64)  # a lowercase hex digit's value, -1 for any other byte
NIBBLE[48:58] = np.arange(10)
NIBBLE[97:103] = np.arange(10, 16)


@_inline
def _hex32(buf, s, n):
    """An 8-byte key in lowercase hex as its 32-bit value; -1 for any other key. Without a branch per
    byte: a mispredicted one per digit cost more than the rest of the lookup."""
    if n != 8:
        return -1
    v = 0
    bad = 0
    for i in range(s, s + 8):
        d = NIBBLE[buf[i]]
        bad |= d
        v = (v << 4) | (d & 15)
    return -1 if bad < 0 else v


@_inline
def _same(a, i, b, j, n):
    for t in range(n):
        if a[i + t] != b[j + t]:
            return False
    return True


@_inline
def mix(v, k):
    """The hash of a hex key from its value and field (no second pass over its bytes)."""
    x = (v ^ (k << 32)) * _FIELD_SALT
    return x ^ (x >> 29)


@_inline
def _key_hash(buf, s, n, k, v):
    return mix(v, k) if v >= 0 else _field_hash(buf, s, s + n, k)


@jit
def find(table, entries, key_bytes, buf, s, n, k, v):
    """The id of the key buf[s:s+n] of field k, 0 when it is not in the table; v is the key's value
    when it is 8 lowercase hex digits (``_hex32``), -1 otherwise. Every slot of the key's chain is
    compared; ``encode_range`` writes out the common case (a hex key held in place) itself and calls
    this for the rest."""
    mask = len(table) - 1
    slot = _key_hash(buf, s, n, k, v) & mask
    want = (v << 32) | (k << ID_BITS + 1) | 1 if v >= 0 else 0  # 0: matches no slot held in place
    while True:
        x = table[slot]
        if x == 0:
            return 0
        if x & 1:  # a hex key held in the slot
            if x & KEY_MASK == want:
                return (x >> 1) & ID_MASK
        else:  # an entry: its bytes compared
            e = (x >> 1) - 1
            if entries[e, 1] == (n | (k << 32)) and _same(key_bytes, entries[e, 0], buf, s, n):
                return entries[e, 2]
        slot = (slot + 1) & mask


@jit
def _build_table(key_bytes, entries, size):
    """Open addressing over all fields' keys, one int64 per slot, so that the table is small enough for
    the cache and a lookup of a Criteo id reads one slot and nothing else. A key of 8 lowercase hex
    digits (Criteo's hashed ids) whose field and id fit is held in the slot itself: its value << 32
    | field << 26 | id << 1 | 1; any other key as its entry: (entry + 1) << 1, its bytes then
    compared. 0 is an empty slot. A key repeated within a field keeps its first entry (its lower
    id), as a list's index() would."""
    table = np.zeros(size, dtype=np.int64)
    mask = size - 1
    for e in range(len(entries)):
        s = entries[e, 0]
        n = entries[e, 1] & _LOW32
        k = entries[e, 1] >> 32
        v = _hex32(key_bytes, s, n)
        if find(table, entries, key_bytes, key_bytes, s, n, k, v) != 0:
            continue
        slot = _key_hash(key_bytes, s, n, k, v) & mask
        while table[slot] != 0:
            slot = (slot + 1) & mask
        if v >= 0 and k < (1 << FIELD_BITS) and entries[e, 2] <= ID_MASK:
            table[slot] = (v << 32) | (k << ID_BITS + 1) | (entries[e, 2] << 1) | 1
        else:
            table[slot] = (e + 1) << 1
    return table


def _entries(vocabularies: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """All fields' keys (without entry 0) as (their bytes end to end, entries int64 (keys, 4): start in
    those bytes, length | field << 32, id, the first 8 bytes as a word)."""
    encoded = [[v.encode("utf-8") for v in vocab[1:]] for vocab in vocabularies]
    flat = [v for keys in encoded for v in keys]
    key_bytes = np.frombuffer(b"".join(flat) + b"\0", dtype=np.uint8)
    lengths = np.array([len(v) for v in flat], dtype=np.int64)
    entries = np.zeros((len(flat), 4), dtype=np.int64)
    entries[:, 0] = np.cumsum(lengths) - lengths
    entries[:, 1] = lengths | (np.repeat(np.arange(len(encoded), dtype=np.int64), [len(k) for k in encoded]) << 32)
    entries[:, 2] = np.concatenate([np.arange(1, len(k) + 1, dtype=np.int64) for k in encoded] + [np.zeros(0, np.int64)])
    entries[:, 3] = [int.from_bytes(v[:8], "big", signed=True) for v in flat]
    return key_bytes, entries




def build(vocabularies: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per categorical field its vocabulary (entry 0, the OOV id, is not held) -> (table, entries,
    key bytes): at most 3/4 full, so that it stays small for the cache."""
    key_bytes, entries = _entries(vocabularies)
    size = 16
    while size < 4 * len(entries) // 3:
        size *= 2
    return _build_table(key_bytes, entries, size), entries, key_bytes


__all__ = ["FIELD_BITS", "ID_BITS", "ID_MASK", "KEY_MASK", "NIBBLE", "build", "find", "jit", "mix"]
