"""What a server would hold and how fast it scores: the slim models as deployed.

Mixed-width models (SSEDS and the column baselines) deploy as they are trained: dense tables of the
allocated widths. PEP's models keep an unstructured element mask on full-width tables; deployed, each
table is stored as compressed sparse rows (``CSRTable``: the kept values, their column indices in
the smallest unsigned type that holds them, and one row pointer per value), and a lookup rebuilds the
dense rows it needs. ``search.pep.sparse_table_bytes`` counts the bytes of exactly this layout.

``scoring_latency`` times any set of models on the same rows in one process, interleaved, so that
their ratios to a reference model are comparable even on a machine whose load drifts.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from .errors import ConfigError
from .models.pep import embedding_of, pep_mode, remove_pep
from .search.pep import index_bytes

__all__ = ["CSRTable", "scoring_latency", "to_sparse_tables"]

_INDEX_DTYPES = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


class CSRTable(nn.Module):
    """An embedding table (V, d) stored as compressed sparse rows; ``forward(idx)`` -> dense (..., d).

    Buffers: ``values`` (nnz,) in the table's dtype; ``columns`` (nnz,) column indices in the
    smallest integer type that holds d - 1 (uint8 up to d = 256); ``row_pointers`` (V + 1,) int32
    (int64 beyond 2**31 - 1 entries): row r's entries are positions row_pointers[r]..row_pointers[r+1].
    An all-zero row costs one pointer and no value.
    """

    def __init__(self, weight: torch.Tensor):
        super().__init__()
        weight = weight.detach()
        if weight.ndim != 2:
            raise ConfigError(f"CSRTable: expected a (V, d) table; got shape {tuple(weight.shape)}")
        rows, self.width = weight.shape
        nz = weight != 0
        counts = nz.sum(1)
        pointer_type = torch.int32 if int(counts.sum()) < 2**31 else torch.int64
        pointers = torch.zeros(rows + 1, dtype=torch.int64)
        pointers[1:] = torch.cumsum(counts, 0)
        col_type = _INDEX_DTYPES[index_bytes(max(self.width - 1, 0))]
        if col_type is torch.int16 and self.width - 1 > 32767:  # no uint16 indexing in torch: widen
            col_type = torch.int32
        self.register_buffer("values", weight[nz].clone())
        self.register_buffer("columns", nz.nonzero()[:, 1].to(col_type))
        self.register_buffer("row_pointers", pointers.to(pointer_type))

    def nbytes(self) -> int:
        """Bytes of the three buffers."""
        return sum(b.numel() * b.element_size() for b in (self.values, self.columns, self.row_pointers))

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        # index_select / index_copy_: much faster on the CPU than advanced indexing with []
        flat = idx.reshape(-1)
        starts = self.row_pointers.index_select(0, flat).long()  # (N,) where each row's entries start
        lengths = self.row_pointers.index_select(0, flat + 1).long() - starts  # (N,) and how many there are
        out = torch.zeros(flat.shape[0] * self.width, dtype=self.values.dtype, device=self.values.device)
        total = int(lengths.sum())
        if total:
            which = torch.repeat_interleave(lengths)  # (total,) the output row of every gathered entry
            shift = starts - (torch.cumsum(lengths, 0) - lengths)  # entry k of the list -> its CSR position
            pos = torch.arange(total, device=flat.device) + shift.index_select(0, which)
            cols = self.columns.index_select(0, pos).long()
            out.index_copy_(0, which * self.width + cols, self.values.index_select(0, pos))
        return out.reshape(*idx.shape, self.width)

    def extra_repr(self) -> str:
        return f"rows={self.row_pointers.numel() - 1}, width={self.width}, nnz={self.values.numel()}"


@torch.no_grad()
def to_sparse_tables(model: nn.Module) -> nn.Module:
    """Deploy a PEP model: bake its mask (or thresholds) into the tables, then store every field table
    as a ``CSRTable`` (in place; returns the model). The model scores exactly as before, but no longer
    trains and no longer has ``embedding.tables[g].weight`` (so ``count_params`` does not apply)."""
    if pep_mode(model) is not None:
        remove_pep(model, bake=True)
    emb = embedding_of(model)
    for g, table in enumerate(emb.tables):
        if isinstance(table, nn.Embedding):
            emb.tables[g] = CSRTable(table.weight)
    return model


@torch.no_grad()
def scoring_latency(
    models: Mapping[str, nn.Module],
    ids,
    *,
    reference: str | None = None,
    batch_sizes: Sequence[int] = (1, 4096),
    rows_at_batch_one: int = 300,
    repeats: int = 5,
) -> pd.DataFrame:
    """Scoring time per 1,000 rows of each model at each batch size, and its ratio to ``reference``.

    ids: (N, C) id matrix (test rows). At batch size 1 the first ``rows_at_batch_one`` rows are scored
    one at a time; at a larger batch size, one batch of the first min(batch, N) rows is scored
    ``repeats`` times (after one untimed call) and the median taken. The models are timed in turn
    within every repetition (interleaved), in eval mode, without gradients, on the current thread
    settings. Returns one row per (model, batch_size): model, batch_size, rows, seconds_per_1k_rows,
    ratio (to the reference model at the same batch size; NaN without a reference).
    """
    if not models:
        raise ConfigError("scoring_latency: no models")
    if reference is not None and reference not in models:
        raise ConfigError(f"scoring_latency: reference {reference!r} is not among the models {list(models)}")
    x_all = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    if x_all.ndim != 2 or x_all.shape[0] == 0:
        raise ConfigError(f"scoring_latency: expected a non-empty (N, C) id matrix; got shape {tuple(x_all.shape)}")
    for m in models.values():
        m.eval()
    results = []
    for batch in batch_sizes:
        if batch == 1:
            x = x_all[:rows_at_batch_one]
            samples = [x[i : i + 1] for i in range(x.shape[0])]
            rounds = 1
        else:
            x = x_all[:batch]
            samples = [x]
            rounds = repeats
        times: dict[str, list[float]] = {name: [] for name in models}
        for m in models.values():  # warm-up: first calls allocate
            m(samples[0])
        for _ in range(rounds):
            for name, m in models.items():
                start = time.perf_counter()
                for sample in samples:
                    m(sample)
                times[name].append(time.perf_counter() - start)
        for name in models:
            seconds = statistics.median(times[name])
            results.append({"model": name, "batch_size": int(batch), "rows": int(x.shape[0]),
                            "seconds_per_1k_rows": seconds / x.shape[0] * 1000.0})
    df = pd.DataFrame(results)
    if reference is None:
        df["ratio"] = float("nan")
    else:
        ref = df[df["model"] == reference].set_index("batch_size")["seconds_per_1k_rows"]
        df["ratio"] = df["seconds_per_1k_rows"] / df["batch_size"].map(ref)
    return df
