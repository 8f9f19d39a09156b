"""The encoded data every library trains on in the throughput benchmarks, and its hand-over file.

``criteo_shaped`` builds an encoded set with Criteo's 39 fields (13 numeric fields bucketised into a
few dozen categories each, as ``log_square`` gives on the real file, and 26 categorical fields) whose
vocabularies have the real file's proportions, scaled so that all tables hold about ``total_vocab``
rows (one million by default), with Zipf popularity: a few ids take most rows, most ids are rare,
and many ids never occur in a given run, as in Criteo. Labels follow a planted logistic model.

``export`` writes a dataset (ours, built once) to an ``.npz`` that the peer libraries' processes read
with numpy alone (``load``): every library gets the same ids, labels and split, and the same
vocabulary size per field, so every library holds tables of the same number of rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# Distinct values of C1..C26 in Criteo's train.txt, and of I1..I13 after log_square bucketing.
CAT_CARDINALITY = (1460, 583, 10_131_227, 2_202_608, 305, 24, 12_517, 633, 3, 93_145, 5_683, 8_351_593, 3_194,
                   27, 14_992, 5_461_306, 10, 5_652, 2_173, 4, 7_046_547, 18, 15, 286_181, 105, 142_572)
INT_BUCKETS = (49, 101, 106, 45, 224, 137, 87, 88, 98, 8, 31, 74, 81)
ZIPF_A = 1.2


def criteo_vocab_sizes(total_vocab: int = 1_000_000) -> list[int]:
    """39 vocabulary sizes (OOV row included): the numeric fields' bucket counts + 1, and the categorical
    cardinalities scaled down in proportion (at least their real size when that is small) so that the
    sum is about ``total_vocab``."""
    ints = [b + 1 for b in INT_BUCKETS]
    budget = total_vocab - sum(ints)
    small = [c for c in CAT_CARDINALITY if c <= 20_000]
    scale = (budget - sum(small)) / sum(c for c in CAT_CARDINALITY if c > 20_000)
    floor = min(20_001, max(2, total_vocab // 50))  # a large field stays larger than the small ones
    cats = [c + 1 if c <= 20_000 else max(floor, int(c * scale)) for c in CAT_CARDINALITY]
    return ints + cats


def criteo_shaped(rows: int = 400_000, *, seed: int = 0, total_vocab: int = 1_000_000):
    """An EncodedDataset (``sseds_study.data.spec``) of ``rows`` rows shaped like Criteo; 8:1:1 split."""
    from sseds_study.data.spec import EncodedDataset, make_field_specs

    rng = np.random.default_rng(seed)
    sizes = criteo_vocab_sizes(total_vocab)
    names = [f"I{i}" for i in range(1, 14)] + [f"C{i}" for i in range(1, 27)]
    kinds = ["numeric"] * 13 + ["categorical"] * 26
    fields = make_field_specs(names, kinds, sizes)
    ids = np.empty((rows, len(sizes)), dtype=np.int64)
    logit = np.zeros(rows)
    for f, v in enumerate(sizes):
        rank = np.minimum(rng.zipf(ZIPF_A, rows), v) - 1  # 0 is the OOV id: the tail folds into it
        perm_seed = rng.integers(1 << 31)
        # popular ids spread over the table, not only its first rows
        ids[:, f] = (rank * 2654435761 + perm_seed) % v if v > 64 else rank
        weight = rng.normal(0, 0.4, size=min(v, 4096))
        logit += weight[ids[:, f] % len(weight)] * (1.0 if f % 3 else 0.5)
    p = 1 / (1 + np.exp(-(logit - np.quantile(logit, 0.75))))
    labels = (rng.random(rows) < p).astype(np.float32)
    split = rng.choice(3, size=rows, p=[0.8, 0.1, 0.1]).astype(np.int8)
    return EncodedDataset(name="criteo_shaped", fields=fields, ids=ids, labels=labels, split=split,
                          manifest={"rows_total": rows, "seed": seed, "total_vocab": int(sum(sizes))})


def export(ds, path) -> Path:
    """Write a dataset to an .npz the peers read with numpy alone (``load``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, ids=ds.ids, labels=ds.labels, split=ds.split,
             names=np.array([f.name for f in ds.fields]), kinds=np.array([f.kind for f in ds.fields]),
             vocab_sizes=np.array([f.vocab_size for f in ds.fields], dtype=np.int64),
             columns=np.array([f.column for f in ds.fields], dtype=np.int64),
             widths=np.array([f.width for f in ds.fields], dtype=np.int64))
    return path


def load(path) -> dict:
    """The arrays of an exported dataset, as a dict (numpy only)."""
    with np.load(path) as z:
        out = {k: z[k] for k in z.files}
    out["fields"] = [{"name": str(n), "kind": str(k), "vocab_size": int(v), "column": int(c), "width": int(w)}
                     for n, k, v, c, w in zip(out["names"], out["kinds"], out["vocab_sizes"], out["columns"],
                                              out["widths"], strict=True)]
    return out
