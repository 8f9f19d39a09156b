"""Keeping freed memory in the process while training on the CPU (glibc's allocator).

A training step allocates and frees the same large tensors every time (a batch's embeddings, its
activations and their gradients, megabytes each). By default glibc hands memory above a threshold
back to the kernel when it is freed (``munmap``, or trimming the heap's top), so the next step's
tensors of the same size are faulted in and zeroed by the kernel page by page again. Measured on 2
cores (whole-process A/B, interleaved runs): the Criteo-shaped DeepFM trains about 6-7% faster with
the memory kept (system time 2.1 -> 1.8 s over 25 steps), MovieLens-100K FM about 6% (1.7 -> 0.9 s
of system time over 30 epochs); peak memory moves by under 1%.

:func:`keep_freed_memory` sets glibc's mmap and trim thresholds high, once per process; ``fit`` calls
it. It changes where memory comes from, never a computed number. Set ``SSEDS_KEEP_FREED_MEMORY=0`` to
leave the allocator as it is (for example in a long-lived process that must give memory back between
fits). Elsewhere than glibc (macOS, musl, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform

ENV = "SSEDS_KEEP_FREED_MEMORY"
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
# above this an allocation still gets its own mapping; glibc versions before 2.35 refuse more than 32 MiB
_THRESHOLDS = (1 << 30, 32 << 20)


@functools.cache
def keep_freed_memory() -> bool:
    """Have glibc keep freed memory for the next allocations (see the module docstring); whether the
    setting is in force. Called again, it does nothing and says the same."""
    if os.environ.get(ENV, "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    mallopt = _libc_mallopt()
    if mallopt is None:
        return False
    for threshold in _THRESHOLDS:
        if mallopt(_M_MMAP_THRESHOLD, threshold) == 1:
            return mallopt(_M_TRIM_THRESHOLD, 2 * threshold) == 1
    return False


def _libc_mallopt():
    """glibc's mallopt(param, value) -> 1 on success, or None where the C library is not glibc."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt


__all__ = ["ENV", "keep_freed_memory"]
