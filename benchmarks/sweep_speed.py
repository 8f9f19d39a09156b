"""The sweep itself, before and after the speed-ups: fits per minute on the default profile's fits.

Runs one profile (``sweep_profile.yaml``: MovieLens-100K, FM/DeepFM/DCN, SSEDS and the four
allocations at 0.2 and 0.1, 3 seeds, 2 workers) twice from empty results folders: with the package as
it was at ``--before`` (its ``src/`` taken out of git into a scratch folder and put first on
``PYTHONPATH``) and as it is now. Reports each sweep's wall time and fits per minute, and checks that
both computed the same numbers: every (model, method, budget, seed) row's validation and test AUC
compared exactly (on one machine they are bit-identical, or the speed-up changed the results).

    python benchmarks/sweep_speed.py                  # about 15 minutes on 2 cores
    python benchmarks/sweep_speed.py --before REV     # another baseline commit

Not part of ``make bench`` (it would double its 20 minutes); run it on an otherwise idle machine.
Writes ``results/sweep.json``, which ``report.py`` turns into a table of RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from common import versions, write_result  # noqa: E402

# The commit before the first sweep speed-up (index_select row gathers, 69c0110; group splitting came later).
BEFORE = "69c0110^"
KEYS = ["model", "method", "budget", "seed"]


def export_src(rev: str, dest: Path) -> str:
    """``src/`` of ``rev`` unpacked under ``dest``; returns the full commit hash."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", commit, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return commit


def run_sweep(src: Path, profile: Path, results: Path) -> float:
    """Wall seconds of ``sseds sweep`` with the package imported from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("MPLBACKEND", None)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sseds_study.cli", "sweep", str(profile), "--results", str(results)],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def fits(table: pd.DataFrame) -> int:
    """Model fits a sweep made: each finished row is one (a ``full`` row is its model's pretraining, every
    other a slim retrain; the profile has no method that skips training)."""
    return int((table["status"] == "ok").sum())


def compare(before: pd.DataFrame, after: pd.DataFrame) -> dict:
    """Rows matched on model, method, budget and seed; how many agree to the last bit, the largest gap."""
    cols = ["valid_auc", "test_auc"]
    merged = before[KEYS + cols].merge(after[KEYS + cols], on=KEYS, suffixes=("_before", "_after"))
    gaps = pd.concat([(merged[f"{c}_after"] - merged[f"{c}_before"]).abs() for c in cols], axis=1).max(axis=1)
    return {"matched_rows": int(len(merged)), "rows_before": int(len(before)), "rows_after": int(len(after)),
            "identical_rows": int((gaps == 0).sum()), "max_abs_auc_difference": float(gaps.max()) if len(gaps) else None}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE, help=f"baseline revision (default {BEFORE})")
    parser.add_argument("--profile", type=Path, default=HERE / "sweep_profile.yaml")
    parser.add_argument("--results", type=Path, default=None, help="where to write sweep.json (default results/)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="sweep-speed-") as tmp:
        tmp = Path(tmp)
        old = tmp / "before"
        commit = export_src(args.before, old)
        tables = {}
        for label, src in (("before", old / "src"), ("after", ROOT / "src")):
            out = tmp / f"results-{label}"
            seconds = run_sweep(src, args.profile, out)
            tables[label] = pd.read_csv(out / "results.csv")
            n = fits(tables[label])
            rows.append({"code": label, "seconds": seconds, "fits": n, "fits_per_minute": 60 * n / seconds})
            print(f"{label}: {seconds:.0f} s, {n} fits, {60 * n / seconds:.1f} fits/min", flush=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    same = compare(tables["before"], tables["after"])
    speedup = rows[0]["seconds"] / rows[1]["seconds"]
    path = write_result("sweep", {"rows": rows, "before_commit": commit, "after_commit": head,
                                  "profile": args.profile.name, "speedup": speedup, "results": same,
                                  "versions": versions("torch", "numpy", "pandas"),
                                  "settings": {"workers": 2, "profile": args.profile.name}}, args.results)
    print(f"speed-up {speedup:.2f}x; {same['identical_rows']} of {same['matched_rows']} rows identical; wrote {path}")


if __name__ == "__main__":
    main()
