"""The numerical mode (sseds_study.numerics): what each mode pins, how a machine that cannot run it is
told, and that a mode set too late is reported instead of being recorded as in force."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sseds_study import numerics
from sseds_study.errors import ConfigError

PINNED = ("MKL_CBWR", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")


@pytest.fixture
def restore_mode(monkeypatch):
    """Each test may apply other modes; the process's own mode and environment come back after it."""
    saved = {k: os.environ.get(k) for k in (*PINNED, numerics.ENV_MODE, numerics.ENV_THREADS)}
    yield monkeypatch
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    numerics.apply()


def test_the_default_mode_is_reproducible_and_pins_three_libraries(restore_mode):
    restore_mode.delenv(numerics.ENV_MODE, raising=False)
    assert numerics.requested_mode() == "reproducible"
    req = numerics.apply()
    if req.problem:
        pytest.skip(f"this machine cannot run the reproducible mode: {req.problem}")
    assert {k: os.environ[k] for k in PINNED} == {"MKL_CBWR": "AVX2", "ATEN_CPU_CAPABILITY": "avx2",
                                                    "ONEDNN_MAX_CPU_ISA": "AVX2"}


def test_fast_takes_back_the_pins_a_previous_mode_set(restore_mode):
    numerics.apply("reproducible")
    numerics.apply("fast")
    assert not any(k in os.environ for k in PINNED)
    assert os.environ[numerics.ENV_MODE] == "fast"


def test_a_pin_someone_changed_after_apply_is_left_alone(restore_mode):
    numerics.apply("reproducible")
    os.environ["MKL_CBWR"] = "COMPATIBLE"
    numerics.apply("fast")
    assert os.environ["MKL_CBWR"] == "COMPATIBLE"


def test_an_unknown_mode_is_one_clear_error(restore_mode):
    restore_mode.setenv(numerics.ENV_MODE, "turbo")
    with pytest.raises(ConfigError, match="SSEDS_NUMERICS='turbo': expected one of reproducible, compatible, fast"):
        numerics.requested_mode()
    numerics.apply()  # at import: remembered, not raised
    with pytest.raises(ConfigError, match="SSEDS_NUMERICS='turbo'"):
        numerics.identity()


@pytest.mark.parametrize(("mode", "machine", "flags", "expected"), [
    ("reproducible", "aarch64", None, "pins x86-64 code paths; this machine is aarch64"),
    ("reproducible", "x86_64", {"sse2", "avx"}, "this CPU has no AVX2"),
    ("reproducible", "x86_64", {"avx", "avx2"}, ""),
    ("compatible", "x86_64", {"sse2"}, ""),
    ("fast", "arm64", None, ""),
])
def test_a_machine_that_cannot_run_a_mode_is_named(mode, machine, flags, expected):
    got = numerics.machine_problem(mode, machine=machine, flags=flags)
    assert (expected in got) if expected else got == ""


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    path = tmp_path / "cpuinfo"
    path.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2\n")
    assert numerics.cpu_flags(path) == {"fpu", "sse2", "avx", "avx2"}
    assert numerics.cpu_flags(tmp_path / "missing") is None


def test_threads_are_pinned_outside_the_fast_mode(restore_mode):
    restore_mode.delenv(numerics.ENV_THREADS, raising=False)
    assert numerics.pinned_threads("reproducible") == 1
    assert numerics.pinned_threads("fast") is None
    restore_mode.setenv(numerics.ENV_THREADS, "3")
    assert numerics.pinned_threads("fast") == 3
    for bad in ("0", "two"):
        restore_mode.setenv(numerics.ENV_THREADS, bad)
        with pytest.raises(ConfigError, match=f"SSEDS_THREADS='{bad}': expected a whole number"):
            numerics.pinned_threads("reproducible")


def test_pinned_restores_torch_threads(restore_mode):
    import torch

    restore_mode.setenv(numerics.ENV_THREADS, "1")
    before = torch.get_num_threads()
    with numerics.pinned("reproducible"):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_this_process_computes_in_the_mode_it_records():
    s = numerics.state()
    if s["problem"]:
        pytest.skip(s["problem"])
    assert s["mode"] == numerics.identity() == "reproducible"
    assert s["aten"] == "AVX2" and s["mkl_branch"] in ("AVX2", "AUTO")
    assert numerics.describe(s).startswith("reproducible (MKL branch ")


def test_a_mode_set_after_torch_computed_is_reported_not_recorded():
    """torch computes with ATen's baseline kernels before sseds_study is imported: the mode cannot take
    effect any more, and the process says so and labels its results 'fast'."""
    code = ("import torch; torch.ones(4).sum(); import sseds_study.numerics as n, json; "
            "print(json.dumps({'id': n.identity(), 'state': n.state()}))")
    env = {k: v for k, v in os.environ.items() if k not in (*PINNED, numerics.ENV_MODE)}
    env["ATEN_CPU_CAPABILITY"] = "default"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out["state"]["requested"] != "reproducible" or "no AVX2" in out["state"]["problem"]:
        pytest.skip("this machine cannot run the reproducible mode")
    assert out["id"] == "fast"
    assert "ATen runs DEFAULT kernels (expected AVX2)" in out["state"]["problem"]
    assert "reproducible numerical mode is not in force" in proc.stderr
