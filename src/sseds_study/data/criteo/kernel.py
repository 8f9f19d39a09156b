"""A compiled parse-and-lookup pass for Criteo-format blocks (numba), used by ``encoder`` when
numba is installed (the ``fast`` extra; the locked environment has it).

Encoding against fitted vocabularies with polars spends most of its time parsing the text into
columns of strings and then hashing those strings a second time to look them up. This pass reads
each line's bytes once:

* a categorical field is read as hex digits while it is scanned (an 8-byte field, Criteo's hashed
  ids, in one go, without a branch per byte) and looked up in ``key_table``'s hash table, where such
  a key is held in its slot; any other key is hashed and its bytes compared;
* an integer field is parsed to an int64 and its id read from tables the caller computed with its
  own bucketing and lookup over a range of values (``int_buckets``, shared, and small per-field
  ``int_tables``); a value outside that range gets the id -1 and is listed, for the caller to
  encode with numpy.

A block is cut at newlines into one byte range per core and the ranges are encoded on threads (the
compiled functions release the GIL): ``block_encoder.BlockEncoder`` does that and holds the tables.

It only takes the plain case and says so otherwise: a block with a quote, a carriage return, a
byte outside ASCII, a row with the wrong number of columns, a blank line, a label other than
0/1/0.0/1.0, or an integer spelled other than ``-?[1-9][0-9]*|0`` (at most 18 digits) makes
``BlockEncoder.encode`` return None, and the caller encodes that block with polars, which gives
the same result or the same refusal. So this pass never changes an encoded id: it is tested array
for array against the polars path and the general pipeline.
"""

from __future__ import annotations

import numpy as np

from .key_table import ID_BITS, ID_MASK, KEY_MASK, find, jit, mix, numba

# column roles
SKIP, LABEL, INT, CAT = 0, 1, 2, 3
# byte classes while a field is scanned: a lowercase hex digit is its value (0-15)
OTHER, END, REFUSE = 16, -1, -2


def available() -> bool:
    """Whether numba can be imported (then ``block_encoder.BlockEncoder`` can be built)."""
    return numba is not None


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_NEWLINES = np.uint64(0x0A0A0A0A0A0A0A0A)
_ONES = np.uint64(0x0101010101010101)


@jit
def count_rows(buf, a, b):
    """The lines in buf[a:b] (a last one without its newline counted too). Eight bytes at a time: a
    byte-per-byte loop was a sixth of the pass."""
    n = 0
    i = a
    while i < b and i % 8:
        n += buf[i] == 10
        i += 1
    m = (b - i) // 8
    for w in buf[i:i + 8 * m].view(np.uint64):
        x = w ^ _NEWLINES  # a newline byte is now 0
        t = ((x & _LOW7) + _LOW7) | x  # a byte's high bit is set unless the byte is 0 (no carry across bytes)
        n += (((~t >> np.uint64(7)) & _ONES) * _ONES) >> np.uint64(56)  # the ones added up in the top byte
    for j in range(i + 8 * m, b):
        n += buf[j] == 10
    if b > a and buf[b - 1] != 10:
        n += 1
    return n


@jit
def next_line(buf, i):
    """The position after the first newline at or after i (len(buf) when there is none)."""
    while i < len(buf):
        if buf[i] == 10:
            return i + 1
        i += 1
    return len(buf)


@jit
def encode_range(buf, a, b, classes, roles, slots, n_int, table, entries, key_bytes, na_ids, int_buckets,
                  int_tables, int_lo, int_na, row0, ids, labels, wide):
    """Encode the lines in buf[a:b] into rows row0.. of the outputs; the number of rows, or -1 when a
    line is outside the plain case (the caller then encodes the whole block with polars). An integer
    value outside the direct table is listed in wide as (row, field, value), its id left at -1:
    wide[0, 0] counts the entries, which follow from wide[1]."""
    ncols = len(roles)
    mask = len(table) - 1
    int_span = len(int_buckets)
    n_cat = len(na_ids)
    # a row's categorical fields are looked up after the row is scanned, one after the other: the
    # lookups do not depend on each other, so the processor overlaps their cache misses
    cat_start = np.zeros(n_cat, dtype=np.int64)
    cat_len = np.zeros(n_cat, dtype=np.int64)
    cat_hex = np.zeros(n_cat, dtype=np.int64)
    cat_slot = np.zeros(n_cat, dtype=np.int64)
    cat_first = np.zeros(n_cat, dtype=np.int64)
    r = row0
    p = a
    q = a
    while p < b:
        col = 0
        s = p
        while True:
            if col >= ncols:
                return -1
            role = roles[col]
            k = slots[col]
            q = s
            v = 0  # the field read as hex digits as it is scanned (a Criteo id's value, without a second pass)
            bad = 0
            whole = False  # the field read whole, without the loop
            if role == CAT and s + 8 < b and classes[buf[s + 8]] == END:
                # a field of 8 bytes (Criteo's ids): its bytes' classes read without a branch per byte,
                # whose mispredictions cost more than the reads; any byte that ends the field early or
                # is refused (a negative class) sends it to the loop below, which decides
                x0, x1, x2, x3 = classes[buf[s]], classes[buf[s + 1]], classes[buf[s + 2]], classes[buf[s + 3]]
                x4, x5, x6, x7 = classes[buf[s + 4]], classes[buf[s + 5]], classes[buf[s + 6]], classes[buf[s + 7]]
                bad = x0 | x1 | x2 | x3 | x4 | x5 | x6 | x7
                if bad >= 0:
                    v = ((x0 & 15) << 28 | (x1 & 15) << 24 | (x2 & 15) << 20 | (x3 & 15) << 16
                         | (x4 & 15) << 12 | (x5 & 15) << 8 | (x6 & 15) << 4 | (x7 & 15))
                    q = s + 8
                    whole = True
                else:
                    bad = 0
            while q < b and not whole:
                x = classes[buf[q]]  # one table read per byte: the field's end, a refusal, or a digit
                if x < 0:
                    if x == END:
                        break
                    return -1  # quote, CR, non-ASCII: polars decides
                bad |= x
                v = (v << 4) | (x & 15)
                q += 1
            n = q - s
            if role == CAT:
                cat_start[k], cat_len[k], cat_hex[k] = s, n, v if n == 8 and bad < OTHER else -1
            elif role == INT:
                if n == 0:
                    ids[r, k] = int_na[k]
                else:
                    neg = buf[s] == 45
                    i = s + 1 if neg else s
                    if i == q or q - i > 18 or (buf[i] == 48 and (q - i > 1 or neg)):
                        return -1
                    v = 0
                    while i < q:
                        d = np.int64(buf[i]) - 48
                        if d < 0 or d > 9:
                            return -1
                        v = v * 10 + d
                        i += 1
                    if neg:
                        v = -v
                    at = v - int_lo
                    if 0 <= at < int_span:
                        ids[r, k] = int_tables[k, int_buckets[at]]
                    else:
                        ids[r, k] = -1
                        wide[0, 0] += 1
                        t = wide[0, 0]
                        wide[t, 0], wide[t, 1], wide[t, 2] = r, k, v
            elif role == LABEL:
                if (n == 1 or (n == 3 and buf[s + 1] == 46 and buf[s + 2] == 48)) and (buf[s] == 48 or buf[s] == 49):
                    labels[r] = np.float32(buf[s] - 48)
                else:
                    return -1
            col += 1
            if q >= b or buf[q] == 10:
                break
            s = q + 1
        if col != ncols:
            return -1
        # first every key's home slot is read, in a loop without a branch that depends on the table:
        # the reads are independent, so their cache misses overlap (a probe loop per key, whose exit
        # the processor cannot predict, had them one after the other)
        for k in range(n_cat):
            slot = mix(cat_hex[k], k) & mask
            cat_slot[k] = slot
            cat_first[k] = table[slot]
        for k in range(n_cat):
            n = cat_len[k]
            v = cat_hex[k]
            if n == 0:
                ids[r, n_int + k] = na_ids[k]
                continue
            # find's common case written out here: a call passes its arrays with reference counting,
            # which cost as much as the lookup itself (measured: 28-36 ns a lookup through the call,
            # 13-15 ns written out)
            found = -1
            if v >= 0:
                slot = cat_slot[k]
                want = (v << 32) | (k << ID_BITS + 1) | 1
                x = cat_first[k]
                while x & 1:
                    if x & KEY_MASK == want:
                        found = (x >> 1) & ID_MASK
                        break
                    slot = (slot + 1) & mask
                    x = table[slot]
                if x == 0:
                    found = 0
            ids[r, n_int + k] = found if found >= 0 else find(table, entries, key_bytes, buf, cat_start[k], n, k, v)
        r += 1
        p = q + 1
    return r - row0


__all__ = ["CAT", "END", "INT", "LABEL", "OTHER", "REFUSE", "SKIP", "available", "count_rows", "encode_range", "next_line"]
