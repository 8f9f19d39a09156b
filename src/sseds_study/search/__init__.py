"""Embedding dimension search: saliency scores, budgeted allocation and baselines.

Pure tensor functions: no file I/O and no training happen here (DESIGN.md section 2).
"""

from ._checks import SearchInputError
from .allocate import Allocation, allocate_dims
from .saliency import batches_from_arrays, compute_saliency

__all__ = ["Allocation", "SearchInputError", "allocate_dims", "batches_from_arrays", "compute_saliency"]
