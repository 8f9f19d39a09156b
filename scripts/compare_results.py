"""Compare two finished sweeps of one profile row by row (after a refactor, on another machine, ...).

    .venv/bin/python scripts/compare_results.py results/default /tmp/rerun/default [--atol 1e-9]

Rows are matched by run key (the hash of the run's resolved settings). Metrics must agree within
``--atol``; parameter counts, widths, epochs and status exactly. Prints the counts and the first
differing rows; exits 1 when any row differs or a key is missing on either side.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sseds_study.study import load_results

METRICS = ["test_auc", "valid_auc", "test_logloss", "valid_logloss"]
EXACT = ["kept_emb_params", "base_emb_params", "align_params", "total_params", "emb_dims", "epochs", "status"]


def compare(reference: pd.DataFrame, new: pd.DataFrame, atol: float) -> tuple[pd.Series, pd.Series, float]:
    """(rows differing in an exact column, rows differing in a metric beyond atol, largest metric gap);
    both tables indexed by key and holding the same keys."""
    exact = (reference[EXACT].astype(str) != new[EXACT].astype(str)).any(axis=1)
    gap = (reference[METRICS] - new[METRICS]).abs()
    return exact, (gap > atol).any(axis=1), float(gap.max().max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("reference", help="results folder of the reference sweep")
    parser.add_argument("new", help="results folder of the sweep to check")
    parser.add_argument("--atol", type=float, default=1e-9, help="largest allowed difference of a metric")
    args = parser.parse_args()
    # checked against each sweep's journal, so a truncated results.csv cannot pass as a shorter sweep
    ref = load_results(Path(args.reference), repair=False).set_index("key").sort_index()
    new = load_results(Path(args.new), repair=False).set_index("key").sort_index()
    only_ref, only_new = ref.index.difference(new.index), new.index.difference(ref.index)
    print(f"rows: reference {len(ref)}, new {len(new)}; keys only in the reference {len(only_ref)}, "
          f"only in the new {len(only_new)}")
    both = ref.index.intersection(new.index)
    exact, metric, largest = compare(ref.loc[both], new.loc[both], args.atol)
    print(f"rows differing in {', '.join(EXACT)}: {int(exact.sum())}")
    print(f"rows with a metric ({', '.join(METRICS)}) differing by more than {args.atol:g}: {int(metric.sum())}; "
          f"largest difference {largest:.3g}")
    bad = both[(exact | metric).to_numpy()]
    if len(bad):
        print(pd.concat({"reference": ref.loc[bad[:5], METRICS + EXACT], "new": new.loc[bad[:5], METRICS + EXACT]}))
    sys.exit(1 if len(bad) or len(only_ref) or len(only_new) else 0)


if __name__ == "__main__":
    main()
