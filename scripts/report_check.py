"""`make report-check`: the two commands of "Run this study on your data" at smoke size, end to end.

Writes a small generated click table (categorical, numeric and multi-valued columns, an identifier and
a constant column: ``sseds_study.data.example_table``) into FOLDER, runs ``sseds init`` on it, writes a
profile that extends the one init wrote with the smoke profile's settings (``configs/smoke.yaml``:
small widths, few epochs, a small tuning grid), runs ``sseds report`` on that into FOLDER/results,
and opens the report's HTML in the browser check (screenshots in FOLDER/screenshots). Exits non-zero
on the first step that fails. About two minutes on two cores.

    python scripts/report_check.py FOLDER [--rows N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from sseds_study.data.example_table import write_example_table
from sseds_study.data.paths import repo_root
from sseds_study.study.profile import resolve_profile
from sseds_study.study.tiers import PROTOCOL_KEYS, get_tier

SMOKE_LISTS = {"models": ["FM"], "budgets": [0.3], "seeds": [0, 1]}


def run(*cmd: str, env: dict | None = None) -> None:
    print("+", " ".join(cmd), flush=True)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env)
    print(f"  ({time.perf_counter() - start:.0f} s)", flush=True)


def smoke_overlay(base: str, name: str) -> str:
    """A profile extending ``base`` with the smoke profile's settings and the quick tier's methods."""
    smoke = resolve_profile(repo_root() / "configs" / "smoke.yaml")
    data = {"extends": base, "name": name, **SMOKE_LISTS, "methods": list(get_tier("quick").methods),
            **{k: smoke[k] for k in PROTOCOL_KEYS if k in smoke}}
    return "# The generated table's profile at smoke size (scripts/report_check.py).\n" + yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, width=10_000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rows", type=int, default=3000)
    args = parser.parse_args()
    folder = args.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    table = write_example_table(folder / "clicks.csv", rows=args.rows, seed=0)
    sseds = (sys.executable, "-m", "sseds_study.cli")
    run(*sseds, "init", "--data", str(table), "--label", "click", "--out", str(folder / "clicks.yaml"), "--force")
    (folder / "clicks_smoke.yaml").write_text(smoke_overlay("clicks", "clicks_smoke"))
    env = {**os.environ, "SSEDS_RESULTS_DIR": str(folder / "results")}
    run(*sseds, "--quiet", "report", str(folder / "clicks_smoke.yaml"), env=env)
    html = folder / "results" / "clicks_smoke" / "report" / "_build" / "html"
    run(sys.executable, "-m", "sseds_study.publish", "check", str(html), "--screenshots", str(folder / "screenshots"))
    pdf = html.parent / "pdf" / "report.pdf"
    if not pdf.is_file():
        print(f"report-check: no PDF at {pdf}", file=sys.stderr)
        return 1
    print(f"report-check: passed in {time.perf_counter() - start:.0f} s ({html / 'index.html'}, {pdf})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
