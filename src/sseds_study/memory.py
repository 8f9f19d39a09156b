"""Keep freed memory for reuse: glibc's allocator settings for a process that trains or encodes.

By default glibc serves a large block (from 128 KiB, rising as blocks are freed, up to 32 MiB) with
its own ``mmap`` and hands it back to the system when it is freed; the next block of that size is
mapped again, and every one of its pages is faulted in on first touch. A training step allocates
and frees the same few megabyte-sized activations and gradients every batch, so on a machine where
page faults are slow (this study's 2-core virtual machine: about 6 microseconds each) a small
model spends more time faulting pages than computing. Measured here, forward + backward + Adam of
FM on MovieLens-100K at batch 4096: about 390k rows/s with glibc's defaults, 500-610k rows/s with
these settings; DeepFM on the Criteo-shaped set: 11k -> 16k rows/s (``benchmarks/``).

:func:`keep_freed_memory` sets, once per process: blocks under 32 MiB come from the heap
(``M_MMAP_THRESHOLD``), up to 1 GiB of freed memory at the heap's top is kept instead of being
returned (``M_TRIM_THRESHOLD``), and the heap grows 256 MiB at a time (``M_TOP_PAD``: address space
only; a page costs memory once it is written). The numbers a computation gives do not change, only where its
memory comes from. Peak memory stays that of the largest step; memory freed after it is kept by the
process until it exits. Set ``SSEDS_KEEP_FREED_MEMORY=0`` to leave the allocator as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed value (HEAP_MAX_SIZE / 2 on 64-bit)
TRIM_THRESHOLD = 1 << 30
TOP_PAD = 256 << 20

_state: dict[str, bool] = {}


def keep_freed_memory() -> bool:
    """Apply the settings above, once per process; True when they are in force (Linux with glibc,
    and not switched off by ``SSEDS_KEEP_FREED_MEMORY=0``)."""
    if "applied" in _state:
        return _state["applied"]
    _state["applied"] = _apply()
    return _state["applied"]


def _apply() -> bool:
    if os.environ.get("SSEDS_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    settings = ((M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_TOP_PAD, TOP_PAD))
    return all([bool(mallopt(param, value)) for param, value in settings])


__all__ = ["keep_freed_memory"]
