"""The numerical mode: which code paths torch's kernels take, pinned so that one seed gives the same
bits whichever x86-64 machine runs it.

Why this exists. Seeded runs reproduce exactly on one machine, but the last bits of a matrix product
depend on the code path the math libraries pick for the CPU at hand: MKL's branch (and the cache sizes
it blocks for), ATen's vector width, oneDNN's instruction set, and the number of threads a reduction is
split over. A DeepFM trained for two epochs on MovieLens-100K ended at test logloss
0.579491504329328 as installed and at 0.5794915044531694 with MKL's AVX2 branch pinned; after 20
epochs, 10 seeds and the Holm correction such differences moved verdicts between machines. FM, which
multiplies no matrices, did not move.

Modes (environment variable ``SSEDS_NUMERICS``, or ``sseds --numerics``):

* ``reproducible`` (the default): ``MKL_CBWR=AVX2`` (MKL's conditional numerical reproducibility:
  fixed blocking and reduction order; on Intel CPUs the AVX2 branch, on other CPUs MKL runs its own
  reproducible branch, as ``mkl_branch`` in the provenance says), ``ATEN_CPU_CAPABILITY=avx2``,
  ``ONEDNN_MAX_CPU_ISA=AVX2`` and ``SSEDS_THREADS`` torch threads (default 1) wherever a model is
  trained. It needs an x86-64 CPU with AVX2 (every Intel CPU since 2013, every AMD since 2015).
* ``compatible``: MKL's compatible branch, ATen's and oneDNN's baseline paths: any x86-64 CPU, slower.
* ``fast``: nothing pinned: every library takes the fastest path of this CPU and torch its own thread
  count. Results are exact on one machine and may differ in the last bits on another.

Importing ``sseds_study`` applies the mode (``apply``), so the entry points, the sweep workers and the
papermill kernels that run the chapters all get it before torch computes anything. ATen and MKL read
their settings when they first compute, so importing torch first is fine as long as nothing has been
computed yet; ``state()`` checks what the libraries actually use and ``identity()`` (part of every
run's key) names the mode only when it really is in force.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, notice

ENV_MODE = "SSEDS_NUMERICS"
ENV_THREADS = "SSEDS_THREADS"
DEFAULT_MODE = "reproducible"

# What each mode pins; "fast" pins nothing. The values are the libraries' own spellings.
MODES: dict[str, dict[str, str]] = {
    "reproducible": {"MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "compatible": {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"},
    "fast": {},
}
MODE_NAMES = tuple(MODES)
# ATen's name for the capability each mode pins (torch.backends.cpu.get_cpu_capability()).
_ATEN_EXPECTED = {"reproducible": "AVX2", "compatible": "DEFAULT"}

# mkl_cbwr.h: the branch codes mkl_cbwr_get(MKL_CBWR_BRANCH) returns.
MKL_BRANCHES = {0: "OFF", 1: "BRANCH_OFF", 2: "AUTO", 3: "COMPATIBLE", 4: "SSE2", 6: "SSSE3", 7: "SSE4_1",
                8: "SSE4_2", 9: "AVX", 10: "AVX2", 11: "AVX512_MIC", 12: "AVX512", 13: "AVX512_MIC_E1",
                14: "AVX512_E1", 15: "AVX512_E2"}
_MKL_CBWR_BRANCH = 1
# Branches that are reproducible (CNR on): anything but "off". On a non-Intel CPU, MKL_CBWR=AVX2 runs as
# AUTO: MKL's reproducible branch for that CPU (measured on AMD EPYC: mkl_cbwr_set(AVX2) answers
# "unsupported branch", and the environment variable yields AUTO).
_MKL_EXPECTED = {"reproducible": {"AVX2", "AUTO"}, "compatible": {"COMPATIBLE"}}


@dataclass(frozen=True)
class Requested:
    mode: str
    problem: str = ""  # why the mode cannot be applied on this machine ("" if it can)


_applied: Requested | None = None
_set_by_us: dict[str, str] = {}  # the variables apply() set, to take back if another mode is applied
_state: dict | None = None       # state() once torch has computed: the libraries never change it after
_warned = False


def requested_mode() -> str:
    """The mode ``SSEDS_NUMERICS`` names (default reproducible); ConfigError for anything else."""
    raw = os.environ.get(ENV_MODE, "").strip().lower() or DEFAULT_MODE
    if raw not in MODES:
        raise ConfigError(f"{ENV_MODE}={os.environ.get(ENV_MODE)!r}: expected one of {', '.join(MODE_NAMES)}")
    return raw


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> set[str] | None:
    """The CPU's feature flags (Linux), or None where they cannot be read."""
    try:
        for line in Path(cpuinfo).read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "flags":
                return set(value.split())
    except OSError:
        return None
    return None


def machine_problem(mode: str, machine: str | None = None, flags: set[str] | None = None) -> str:
    """Why ``mode`` cannot be pinned on this machine, or "" if it can."""
    if mode == "fast":
        return ""
    machine = (machine or platform.machine()).lower()
    if machine not in ("x86_64", "amd64"):
        return f"the {mode} mode pins x86-64 code paths; this machine is {machine}"
    if mode == "reproducible":
        flags = cpu_flags() if flags is None else flags
        if flags is not None and "avx2" not in flags:
            return "this CPU has no AVX2; use SSEDS_NUMERICS=compatible for results that match other machines"
    return ""


def apply(mode: str | None = None) -> Requested:
    """Set the environment variables of ``mode`` (default: ``requested_mode()``) for this process and
    every process it starts. A mode this machine cannot run is not applied; ``state()`` says so. An
    invalid ``SSEDS_NUMERICS`` is remembered and raised by ``identity()`` (not at import)."""
    global _applied, _state
    try:
        mode = mode or requested_mode()
    except ConfigError as exc:
        _applied = Requested(DEFAULT_MODE, problem=str(exc))
        return _applied
    if mode not in MODES:
        raise ConfigError(f"numerical mode {mode!r}: expected one of {', '.join(MODE_NAMES)}")
    for name, value in _set_by_us.items():  # a previous apply's pins, unless someone changed them since
        if os.environ.get(name) == value:
            del os.environ[name]
    _set_by_us.clear()
    problem = machine_problem(mode)
    if not problem:
        os.environ.update(MODES[mode])  # replaces any value: the mode is these settings
        _set_by_us.update(MODES[mode])
    os.environ[ENV_MODE] = mode  # spawned workers and kernels inherit it
    _applied, _state = Requested(mode, problem), None
    return _applied


def _torch_lib():
    import torch

    path = Path(torch.__file__).parent / "lib" / ("libtorch_cpu.so" if sys.platform != "win32" else "torch_cpu.dll")
    return ctypes.CDLL(str(path))


def mkl_branch() -> str:
    """The MKL branch in force ("AVX2", "AUTO", "COMPATIBLE", "BRANCH_OFF": not reproducible), or
    "n/a" where torch has no MKL or it cannot be asked."""
    try:
        get = _torch_lib().mkl_serv_cbwr_get
    except (OSError, AttributeError, ImportError):
        return "n/a"
    get.argtypes, get.restype = [ctypes.c_int], ctypes.c_int
    code = get(_MKL_CBWR_BRANCH)
    return MKL_BRANCHES.get(code, str(code))


def aten_capability() -> str:
    import torch

    try:
        return str(torch.backends.cpu.get_cpu_capability())
    except AttributeError:
        return "n/a"


def state() -> dict:
    """What the libraries use now (imports torch): the requested mode, whether it is in force, and the
    settings a result row records."""
    global _state
    if _state is not None:
        return dict(_state)
    req = _applied or apply()
    mkl, aten = mkl_branch(), aten_capability()
    problem = req.problem
    if not problem and req.mode in _MKL_EXPECTED:
        if mkl != "n/a" and mkl not in _MKL_EXPECTED[req.mode]:
            problem = f"MKL runs branch {mkl} (expected {'/'.join(sorted(_MKL_EXPECTED[req.mode]))}): it computed before the mode was set"
        elif aten != _ATEN_EXPECTED[req.mode]:
            problem = f"ATen runs {aten} kernels (expected {_ATEN_EXPECTED[req.mode]}): torch computed before the mode was set"
    _state = {
        "requested": req.mode,
        "mode": req.mode if not problem else "fast",
        "problem": problem,
        "mkl_branch": mkl,
        "aten": aten,
        "onednn_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "auto"),
        "threads": pinned_threads(req.mode if not problem else "fast"),
    }
    return dict(_state)


def identity() -> str:
    """The mode every run's key and every row records: the requested mode if it is in force, else
    "fast" (with one notice saying why). An invalid SSEDS_NUMERICS raises ConfigError here."""
    global _warned
    req = _applied or apply()
    if req.problem.startswith(f"{ENV_MODE}="):
        raise ConfigError(req.problem)
    s = state()
    if s["problem"] and not _warned:
        _warned = True
        notice(f"the {s['requested']} numerical mode is not in force ({s['problem']}); results are labelled "
               f"'fast' and may differ in the last bits on another machine")
    return s["mode"]


def describe(s: dict | None = None) -> str:
    """One line for logs and the book: the mode and the settings in force."""
    s = s or state()
    threads = s["threads"] if s["threads"] is not None else "torch's default"
    return (f"{s['mode']} (MKL branch {s['mkl_branch']}, ATen {s['aten']}, oneDNN {s['onednn_isa']}, "
            f"threads {threads})")


def pinned_threads(mode: str | None = None) -> int | None:
    """Torch threads for training in ``mode``: ``SSEDS_THREADS`` (default 1), or None (torch's own
    choice) in the fast mode without SSEDS_THREADS. A reduction split over another number of threads
    adds in another order, so the thread count is part of the mode."""
    raw = os.environ.get(ENV_THREADS, "").strip()
    if not raw:
        return None if (mode or (_applied.mode if _applied else DEFAULT_MODE)) == "fast" else 1
    try:
        n = int(raw)
    except ValueError:
        raise ConfigError(f"{ENV_THREADS}={raw!r}: expected a whole number of threads (1 or more)") from None
    if n < 1:
        raise ConfigError(f"{ENV_THREADS}={raw!r}: expected a whole number of threads (1 or more)")
    return n


@contextlib.contextmanager
def pinned(mode: str | None = None, default: int | None = None):
    """Run torch on the mode's thread count inside the block (``pinned_threads``; ``default`` where the
    mode leaves it to torch), restoring it after."""
    import torch

    n = pinned_threads(mode) or default
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
