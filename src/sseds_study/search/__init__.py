"""Embedding dimension search: saliency scores, budgeted allocation and baselines.

Pure tensor functions: no file I/O and no training happen here (docs/design.md, "Boundaries and
conventions").
"""

from ._checks import SearchInputError
from .agreement import negative_share, planted_rank_agreement, rank_agreement, top_k_overlap
from .allocate import Allocation, allocate_dims, allocate_dims_at_params, rank_pairs
from .baselines import (
    frequency_allocation,
    frequency_scores,
    full_allocation,
    magnitude_scores,
    oracle_allocation,
    oracle_widths,
    random_scores,
    uniform_allocation,
    uniform_filled_allocation,
)
from .exact import drop_column_importance, drop_column_importance_on_split
from .saliency import batches_from_arrays, compute_saliency

__all__ = [
    "Allocation",
    "SearchInputError",
    "allocate_dims",
    "allocate_dims_at_params",
    "batches_from_arrays",
    "compute_saliency",
    "drop_column_importance",
    "drop_column_importance_on_split",
    "frequency_allocation",
    "frequency_scores",
    "full_allocation",
    "magnitude_scores",
    "negative_share",
    "oracle_allocation",
    "oracle_widths",
    "planted_rank_agreement",
    "random_scores",
    "rank_agreement",
    "rank_pairs",
    "top_k_overlap",
    "uniform_allocation",
    "uniform_filled_allocation",
]

from .pep import PEPSnapshot, PEPSnapshots, dense_table_bytes, sparse_table_bytes  # noqa: E402  (PEP)

__all__ += ["PEPSnapshot", "PEPSnapshots", "dense_table_bytes", "sparse_table_bytes"]
