"""benchmarks/gpu.sh with an interpreter of the machine's own (SSEDS_GPU_PYTHON): no `make`, and clear
refusals where it cannot run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]


def _run(python: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """gpu.sh with ``python``, and a ``make`` first on PATH that only leaves a mark that it ran."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    make = bin_dir / "make"
    make.write_text(f"#!/bin/sh\ntouch {tmp_path / 'make-ran'}\n")
    make.chmod(0o755)
    env = {**os.environ, "SSEDS_GPU_PYTHON": python, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu.sh")], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a CUDA machine the script would run the benchmarks")
def test_own_interpreter_without_cuda_stops_before_any_work(tmp_path):
    res = _run(sys.executable, tmp_path)
    assert res.returncode == 1
    assert "torch sees no CUDA device" in res.stderr
    assert not (tmp_path / "make-ran").exists()  # no environment was built: the machine may have no PyPI


def test_an_interpreter_that_cannot_import_the_package_is_named(tmp_path):
    fake = tmp_path / "python-without-deps"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    res = _run(str(fake), tmp_path)
    assert res.returncode == 1
    assert f"{fake} cannot import sseds_study" in res.stderr
    assert not (tmp_path / "make-ran").exists()
