"""Shared pieces of the benchmarks: machine and version facts, peak memory, result files.

Every benchmark writes one JSON file under ``benchmarks/results/`` (``write_result``), holding its
rows, the machine (CPU model, cores), the versions and the date; ``report.py`` assembles RESULTS.md
from whatever files are there. Only the standard library and numpy here: the peer libraries' child
processes import this module from their own virtual environment.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PEER_PYTHON = HERE / ".venv-peers" / "bin" / "python"


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo on Linux), else platform.processor()."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """CPU model, logical cores usable by this process, RAM, OS, and the GPU's name when torch sees one."""
    info = {"cpu": cpu_model(), "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["ram_gib"] = round(pages * size / 2**30, 1)
    except (ValueError, OSError):
        pass
    try:
        import torch

        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return info


def versions(*names: str) -> dict:
    """Installed versions of the named distributions (None when absent)."""
    from importlib import metadata

    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = None
    return out


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _status_kib(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mib() -> float:
    kib = _status_kib("VmRSS")
    return (kib or 0.0) / 1024


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (since the last reset_peak_rss), MiB."""
    kib = _status_kib("VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024


def write_result(name: str, payload: dict, results: Path | None = None) -> Path:
    """Write ``results/<name>.json`` atomically, with machine and date added; returns the path."""
    results = Path(results or RESULTS)
    results.mkdir(parents=True, exist_ok=True)
    payload = {"benchmark": name, "date": now(), "machine": machine(), **payload}
    path = results / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True, default=float) + "\n")
    tmp.replace(path)
    return path


def run_json_child(cmd: list[str], *, env: dict | None = None, timeout: float | None = None) -> dict:
    """Run a child that prints one JSON object on its last stdout line; its dict, or {"error": ...}."""
    full_env = {**os.environ, **(env or {})}
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    except OSError as exc:
        return {"error": f"could not start {cmd[0]}: {exc}"}
    lines = [line for line in out.stdout.strip().splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
        return {"error": f"exit {out.returncode}: " + " | ".join(tail)}
    return json.loads(lines[-1])


def peers_available() -> bool:
    return PEER_PYTHON.exists()


def python_for(impl: str) -> str:
    """The interpreter that runs an implementation: ours in this environment, peers in theirs."""
    return sys.executable if impl == "ours" else str(PEER_PYTHON)


def median_run(runs: list[dict]) -> dict:
    """The run of median rows/s among ``runs`` (the lower middle one of an even count), with every run's
    rows/s (``runs_rows_per_s``), the largest peak RSS and the summed wall time; the first error when
    no run finished."""
    done = sorted((r for r in runs if "rows_per_s" in r), key=lambda r: r["rows_per_s"])
    if not done:
        return dict(runs[0])
    out = dict(done[(len(done) - 1) // 2])
    out["runs_rows_per_s"] = [r["rows_per_s"] for r in runs if "rows_per_s" in r]
    out["peak_rss_mib"] = max(r["peak_rss_mib"] for r in done)
    out["wall_s"] = sum(r.get("wall_s", 0.0) for r in runs)
    return out
