"""Bytes a server holds for embedding tables: dense mixed widths, or one compressed-sparse-row (CSR)
matrix per field for element-wise masks such as PEP's, with the index overhead counted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import SearchInputError, check_positive_int


def _mask_array(mask) -> np.ndarray:
    if isinstance(mask, torch.Tensor):
        mask = mask.detach().to("cpu").numpy()
    arr = np.asarray(mask)
    if arr.ndim != 2:
        raise SearchInputError(f"mask: expected a (V_f, d_f) matrix; got shape {arr.shape}")
    return arr.astype(bool, copy=False)


def index_bytes(max_value: int) -> int:
    """Bytes of the smallest unsigned integer (1, 2, 4 or 8 bytes) that holds 0..max_value."""
    max_value = int(max_value)
    if max_value < 0:
        raise SearchInputError(f"index_bytes: expected a value >= 0; got {max_value}")
    for size in (1, 2, 4, 8):
        if max_value < 2 ** (8 * size):
            return size
    raise SearchInputError(f"index_bytes: {max_value} does not fit in 8 bytes")


@dataclass(frozen=True)
class StorageBytes:
    """Bytes of sparse (CSR) tables: values, column indices, row pointers, their total; per field."""

    values: int
    column_indices: int
    row_pointers: int
    field_bytes: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.values + self.column_indices + self.row_pointers

    @property
    def index_overhead(self) -> int:
        """Bytes that are not values: column indices and row pointers."""
        return self.column_indices + self.row_pointers


def sparse_table_bytes(masks: Sequence, value_bytes: int = 4) -> StorageBytes:
    """The bytes a server holds for PEP's pruned tables, one CSR matrix per field.

    Field f with V_f rows, d_f columns and n_f non-zero entries costs
      values          n_f * value_bytes                 (float32: 4)
      column indices  n_f * index_bytes(d_f - 1)        (smallest unsigned type: 1 byte for d_f <= 256)
      row pointers    (V_f + 1) * (4 if n_f < 2**31 else 8)   (int32 / int64, as torch and scipy use)
    A field with no non-zero entry costs 0 bytes: it is deleted, as a field of width 0 is.
    """
    value_bytes = check_positive_int("value_bytes", value_bytes)
    values = cols = ptrs = 0
    per_field = []
    for mask in masks:
        a = _mask_array(mask)
        rows, width = a.shape
        nnz = int(a.sum())
        if nnz == 0:
            per_field.append(0)
            continue
        v = nnz * value_bytes
        c = nnz * index_bytes(width - 1)
        p = (rows + 1) * (4 if nnz < 2**31 else 8)
        values, cols, ptrs = values + v, cols + c, ptrs + p
        per_field.append(v + c + p)
    return StorageBytes(values, cols, ptrs, tuple(per_field))


def dense_table_bytes(vocab_sizes: Sequence[int], emb_dims: Sequence[int], value_bytes: int = 4) -> int:
    """sum_f V_f * d_f * value_bytes: dense mixed-width tables (no index overhead)."""
    value_bytes = check_positive_int("value_bytes", value_bytes)
    vocab_sizes, emb_dims = list(vocab_sizes), list(emb_dims)
    if len(vocab_sizes) != len(emb_dims):
        raise SearchInputError(f"dense_table_bytes: {len(vocab_sizes)} vocab sizes for {len(emb_dims)} widths")
    total = 0
    for f, (v, d) in enumerate(zip(vocab_sizes, emb_dims, strict=True)):
        v = check_positive_int(f"vocab_sizes[{f}]", int(v))
        d = check_positive_int(f"emb_dims[{f}]", int(d), allow_zero=True)
        total += v * d
    return total * value_bytes
