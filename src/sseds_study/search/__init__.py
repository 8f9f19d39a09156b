"""Embedding dimension search: saliency scores, budgeted allocation and baselines.

Tensor functions with no file I/O (docs/design.md, "Boundaries and conventions"). Two searches of the
field's other methods train a private copy of the model they are given, as their papers do: AutoDim
(``autodim``) and DimGrow's shuffle gates (``dimgrow``); nothing else here trains.
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

# The field's other methods (chapter 4): element-wise pruning, QR tables, two trained searches.
from .autodim import autodim_search  # noqa: E402
from .dimgrow import dimgrow_search  # noqa: E402
from .qr import QRAllocation, min_qr_budget, qr_allocation, qr_table_bytes  # noqa: E402
from .supernet import WidthSearch  # noqa: E402
from .weight_pruning import magnitude_weight_allocation, magnitude_weight_masks  # noqa: E402

__all__ += ["QRAllocation", "WidthSearch", "autodim_search", "dimgrow_search", "magnitude_weight_allocation",
            "magnitude_weight_masks", "min_qr_budget", "qr_allocation", "qr_table_bytes"]
