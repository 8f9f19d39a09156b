"""train.allocator: glibc keeps freed memory once asked, the opt-out is honoured, and other C
libraries are left alone."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from sseds_study.train import allocator

glibc = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                           reason="the setting is glibc's")


@pytest.fixture
def calls(monkeypatch):
    """mallopt replaced by a recorder that accepts every value; the once-only answer forgotten before
    and after."""
    allocator.keep_freed_memory.cache_clear()
    made = []
    monkeypatch.setattr(allocator, "_libc_mallopt", lambda: lambda param, value: made.append((param, value)) or 1)
    yield made
    allocator.keep_freed_memory.cache_clear()


def test_set_once_and_said_again(calls):
    assert allocator.keep_freed_memory() is True
    assert calls == [(-3, 1 << 30), (-1, 2 << 30)]  # the mmap threshold, then the trim threshold above it
    assert allocator.keep_freed_memory() is True
    assert len(calls) == 2  # the second call did nothing


def test_an_older_glibc_gets_its_largest_threshold(calls, monkeypatch):
    refused = []

    def mallopt(param, value):  # glibc before 2.35 refuses an mmap threshold above 32 MiB
        if param == -3 and value > 32 << 20:
            refused.append(value)
            return 0
        return calls.append((param, value)) or 1

    monkeypatch.setattr(allocator, "_libc_mallopt", lambda: mallopt)
    assert allocator.keep_freed_memory() is True
    assert refused == [1 << 30] and calls == [(-3, 32 << 20), (-1, 64 << 20)]


@pytest.mark.parametrize("value", ["0", "off", "False"])
def test_opt_out_leaves_the_allocator_alone(calls, monkeypatch, value):
    monkeypatch.setenv(allocator.ENV, value)
    assert allocator.keep_freed_memory() is False
    assert calls == []


def test_other_c_libraries_are_left_alone(monkeypatch):
    allocator.keep_freed_memory.cache_clear()
    monkeypatch.setattr(allocator.platform, "system", lambda: "Darwin")
    assert allocator._libc_mallopt() is None
    assert allocator.keep_freed_memory() is False
    allocator.keep_freed_memory.cache_clear()


@glibc
def test_a_fresh_process_keeps_a_freed_block_for_the_next_allocation():
    """For real: after the call, freeing a 16 MiB block and allocating it again faults in no new pages;
    without it glibc hands the block back and the kernel faults its 4,096 pages in again."""
    code = """
import ctypes, importlib.util, resource, sys
spec = importlib.util.spec_from_file_location("allocator", sys.argv[2])
allocator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(allocator)  # the module alone: no torch import in this process
if sys.argv[1] == "keep":
    assert allocator.keep_freed_memory()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
size = 16 << 20
def touch():
    p = libc.malloc(size)
    ctypes.memset(p, 1, size)
    return p
libc.free(touch())
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
libc.free(touch())
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
    path = str(Path(allocator.__file__))
    faults = {mode: int(subprocess.run([sys.executable, "-c", code, mode, path], capture_output=True, text=True,
                                       check=True, env={"PATH": ""}).stdout) for mode in ("keep", "default")}
    assert faults["keep"] < 100 < 4000 <= faults["default"]
