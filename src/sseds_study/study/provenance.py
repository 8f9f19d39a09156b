"""Where a result came from: package versions, the CPU, the numerical mode and the git commit, recorded in
every result row."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .. import __version__, numerics
from ..data.paths import repo_root

# Tracked files that the build itself writes (the executed chapters and the smoke references): a
# `make reproduce` rewrites them while it runs, and they are outputs, not the sources a result came from.
BUILD_OUTPUTS = ("book/chapters", "tests/nbval")


def git_commit(repo: Path | None = None) -> str:
    """The current commit, with '+dirty' when the working tree has uncommitted changes to anything but
    the build's own outputs (``BUILD_OUTPUTS``)."""
    repo = repo or repo_root()
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
             *(f":(exclude){p}" for p in BUILD_OUTPUTS)],
            cwd=repo, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "sseds_study": __version__,
    }


def cpu_model(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """The processor's model name: timings (search seconds, latency) are only comparable on one CPU.
    Read from /proc/cpuinfo on Linux, else what ``platform`` knows, else 'unknown'."""
    try:
        for line in Path(cpuinfo).read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Processor", "cpu model") and value.strip():
                return " ".join(value.split())
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def provenance(profile: str) -> dict:
    """The provenance every row of a sweep carries. ``numerics`` is the mode the runs' keys were made in;
    each worker checks it computes in that mode (``study.execute``)."""
    return {"versions": package_versions(), "git_commit": git_commit(), "cpu": cpu_model(), "profile": profile,
            "numerics": numerics.identity(), "numerics_detail": numerics.describe()}
