"""Interrupt a real sweep with Ctrl-C, resume it, and compare every row with a reference sweep.

    .venv/bin/python scripts/check_resume.py configs/default.yaml --after 300 \
        --into /tmp/resume-check --reference results/default

Sends SIGINT to the sweep's process group (what Ctrl-C in a terminal does) after ``--after`` seconds,
records which runs were journalled, resumes with the same command, then reports: how soon the sweep
stopped, how many journal files the resume rewrote (should be 0), and how many rows differ from the
reference sweep in metrics, parameter counts, widths or epochs (should be 0: same seeds, same numbers).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from compare_results import EXACT, METRICS, compare

from sseds_study.study import load_results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--after", type=float, default=300, help="seconds before the interrupt")
    parser.add_argument("--into", required=True, help="an empty results root for this check")
    parser.add_argument("--reference", help="a finished results/<profile> folder to compare with")
    args = parser.parse_args()

    env = {**os.environ, "SSEDS_RESULTS_DIR": args.into}
    cmd = [sys.executable, "-m", "sseds_study.cli", "-q", "sweep", args.profile]
    start = time.time()
    # SIGINT back to its default, as in a terminal: a shell that starts this script in the background
    # without job control makes it ignore SIGINT, and the sweep would inherit that.
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(args.after)
    if proc.poll() is not None:
        raise SystemExit(f"the sweep ended before the interrupt (exit {proc.returncode}); use a smaller --after")
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.time()
    _, err = proc.communicate(timeout=120)
    print(f"SIGINT after {sent - start:.0f} s: exit {proc.returncode} {time.time() - sent:.1f} s later; "
          f"stderr: {err.strip()!r}")

    study = next(p for p in Path(args.into).iterdir() if (p / "runs").is_dir())
    finished = {f.name: f.stat().st_mtime_ns for f in (study / "runs").glob("*.json")}
    print(f"{len(finished)} runs journalled before the interrupt")
    start = time.time()
    resumed = subprocess.run(cmd, env=env)
    print(f"resume: exit {resumed.returncode} after {time.time() - start:.0f} s")
    rewritten = [name for name, stamp in finished.items() if (study / "runs" / name).stat().st_mtime_ns != stamp]
    print(f"journal files rewritten by the resume: {len(rewritten)}")

    if args.reference:
        ref = load_results(Path(args.reference), repair=False).set_index("key").sort_index()
        new = load_results(study, repair=False).set_index("key").sort_index()
        print(f"rows: reference {len(ref)}, resumed {len(new)}; same run keys: {ref.index.equals(new.index)}")
        if ref.index.equals(new.index):
            exact, metric, _ = compare(ref, new, atol=0.0)  # one machine, same seeds: bit for bit
            print(f"rows that differ in {', '.join(METRICS + EXACT)}: {int((exact | metric).sum())}")


if __name__ == "__main__":
    main()
