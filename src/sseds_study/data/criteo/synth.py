"""A seeded generator of raw Criteo-format files (DAC ``train.txt`` layout), for tests and benchmarks.

Each line: label, 13 integer columns, 26 categorical columns of 8 lowercase hex digits, tab-separated,
an empty field where a value is missing. The shape follows the real file: per-column missing rates
and categorical cardinalities in the order of the Criteo Display Advertising Challenge's (scaled by
``cardinality_scale``), heavy-tailed integers, Zipf popularity of the categories (a few values take
most rows, most values are rare) and a click rate near 0.25. Generation is vectorised numpy, and the
file is written in chunks by polars, so 10 million rows take seconds to a minute and memory stays at
one chunk. The same seed gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

# Missing rates of I1..I13 and C1..C26 in the real train.txt (rounded).
INT_MISSING = (0.45, 0.0, 0.21, 0.22, 0.03, 0.22, 0.04, 0.0005, 0.04, 0.45, 0.04, 0.77, 0.22)
CAT_MISSING = (0.0, 0.0, 0.03, 0.03, 0.0, 0.12, 0.0, 0.0, 0.0, 0.0, 0.0, 0.03, 0.0, 0.0, 0.0, 0.03, 0.0, 0.0,
               0.44, 0.44, 0.03, 0.76, 0.0, 0.03, 0.44, 0.44)
# Distinct values of C1..C26 in the real train.txt (45.8M rows).
CAT_CARDINALITY = (1460, 583, 10_131_227, 2_202_608, 305, 24, 12_517, 633, 3, 93_145, 5_683, 8_351_593, 3_194,
                   27, 14_992, 5_461_306, 10, 5_652, 2_173, 4, 7_046_547, 18, 15, 286_181, 105, 142_572)
ZIPF_A = 1.15  # popularity exponent of the categories: heavy-tailed


def _hex8(values: np.ndarray) -> np.ndarray:
    """uint32 (n,) -> bytes 'S8' (n,) of 8 lowercase hex digits, vectorised."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    v = values.astype(np.uint32)
    shifts = np.arange(28, -1, -4, dtype=np.uint32)
    nibbles = (v[:, None] >> shifts[None, :]) & np.uint32(15)
    return np.ascontiguousarray(digits[nibbles]).view("S8").ravel()


def _chunk(rng: np.random.Generator, n: int, cards: tuple[int, ...]):
    cols = {"label": pl.Series(np.zeros(n, dtype=np.int8))}
    signal = np.zeros(n)
    for i, miss in enumerate(INT_MISSING):
        v = np.floor(rng.pareto(1.1, n) * (3 + 7 * i)).astype(np.int64)
        if i == 1:
            v -= rng.integers(0, 4, n) * (rng.random(n) < 0.1)  # I2 has a few negative values
        signal += 0.05 * np.log1p(np.abs(v))
        s = pl.Series(f"I{i + 1}", v)
        cols[s.name] = s.set(pl.Series(rng.random(n) < miss), None) if miss else s
    for j, (miss, card) in enumerate(zip(CAT_MISSING, cards, strict=True)):
        rank = np.minimum(rng.zipf(ZIPF_A, n), card) - 1  # 0 = the most popular value
        signal += 0.3 * np.sin(rank * (j + 1) * 0.7) / (1 + j % 5)
        code = (rank.astype(np.uint64) * np.uint64(2654435761) + np.uint64(j * 40503)) % np.uint64(1 << 32)
        s = pl.Series(f"C{j + 1}", _hex8(code)).cast(pl.String)
        cols[s.name] = s.set(pl.Series(rng.random(n) < miss), None) if miss else s
    p = 1 / (1 + np.exp(-(signal - np.median(signal) - 1.1)))
    cols["label"] = pl.Series((rng.random(n) < p).astype(np.int8))
    return pl.DataFrame(cols)


def write_criteo_file(path, rows: int, *, seed: int = 0, cardinality_scale: float = 1.0,
                      chunk_rows: int = 500_000) -> Path:
    """Write ``rows`` lines of a Criteo-format file to ``path`` (tab-separated, no header) and return
    the path. ``cardinality_scale`` multiplies every categorical cardinality (at least 2 values stay);
    the Zipf draw caps at it, so a field's distinct values also grow with ``rows``."""
    path = Path(path)
    rng = np.random.default_rng(seed)
    cards = tuple(max(2, int(c * cardinality_scale)) for c in CAT_CARDINALITY)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        for start in range(0, rows, chunk_rows):
            df = _chunk(rng, min(chunk_rows, rows - start), cards)
            df.write_csv(out, separator="\t", include_header=False, null_value="", quote_style="never")
    return path
