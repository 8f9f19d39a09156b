"""Embedding dimension search: saliency scores, budgeted allocation and baselines.

Pure tensor functions: no file I/O and no training happen here (DESIGN.md section 2).
"""

from ._checks import SearchInputError
from .agreement import planted_rank_agreement
from .allocate import Allocation, allocate_dims, allocate_dims_at_params, rank_pairs
from .baselines import (
    frequency_allocation,
    frequency_scores,
    full_allocation,
    magnitude_scores,
    random_scores,
    uniform_allocation,
    uniform_filled_allocation,
)
from .saliency import batches_from_arrays, compute_saliency

__all__ = [
    "Allocation",
    "SearchInputError",
    "allocate_dims",
    "allocate_dims_at_params",
    "batches_from_arrays",
    "compute_saliency",
    "frequency_allocation",
    "frequency_scores",
    "full_allocation",
    "magnitude_scores",
    "planted_rank_agreement",
    "random_scores",
    "rank_pairs",
    "uniform_allocation",
    "uniform_filled_allocation",
]

from .pep import PEPSnapshot, PEPSnapshots, dense_table_bytes, sparse_table_bytes  # noqa: E402  (PEP)

__all__ += ["PEPSnapshot", "PEPSnapshots", "dense_table_bytes", "sparse_table_bytes"]
