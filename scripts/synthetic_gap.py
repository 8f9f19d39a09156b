"""Full-width (and planted-rank) fits on a profile's planted-truth data, against the Bayes AUC.

    nice -n 19 .venv/bin/python scripts/synthetic_gap.py configs/synthetic_v2.yaml --seeds 0 \
        --results results/synthetic_v2_gap

Sweeps only the profile's ``full`` and ``oracle`` runs (the same run keys as in the whole sweep, so
their rows are the sweep's own) and prints each fit's test AUC beside the Bayes AUC of the test
split, the ceiling no model can pass: how far the full model stays below it is the check that the
synthetic data sit in a learnable regime, and the oracle row shows what the planted widths score.
A profile with a tuning stage tunes its full model first, as its sweep would.
"""

from __future__ import annotations

import argparse
import dataclasses
import json

from sseds_study.config import DataConfig
from sseds_study.data import has_planted_truth, load_dataset_from_config
from sseds_study.study import load_study, sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--results", required=True, help="a results folder for these runs alone")
    parser.add_argument("--seeds", type=int, nargs="+", help="default: the profile's")
    parser.add_argument("--models", nargs="+", help="default: the profile's")
    parser.add_argument("--methods", nargs="+", default=["full", "oracle"])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    study = load_study(args.profile)
    datasets = tuple(d for d in study.datasets if has_planted_truth(d.name))
    study = dataclasses.replace(study, datasets=datasets, methods=tuple(args.methods), budgets=(1.0,),
                                seeds=tuple(args.seeds or study.seeds), models=tuple(args.models or study.models))
    report = sweep(study, args.results, workers=args.workers, executor="local", progress=False)
    table = report.table[report.table["status"] == "ok"].copy()
    # Each run's own data settings: with split_per_seed every seed has its own test split.
    data = table["config"].map(lambda c: json.dumps(json.loads(c)["data"], sort_keys=True))
    bayes = {d: load_dataset_from_config(DataConfig(**json.loads(d)), progress=False).manifest["truth"]["bayes_auc"]
             for d in data.unique()}
    table["bayes_auc"] = data.map(bayes)
    table["gap"] = table["bayes_auc"] - table["test_auc"]
    columns = ["dataset", "model", "method", "seed", "test_auc", "bayes_auc", "gap", "achieved_budget", "epochs"]
    print(table[columns].sort_values(["dataset", "model", "method", "seed"]).round(4).to_string(index=False))
    if report.failed:
        print(f"{report.failed} run(s) failed; see {args.results}")


if __name__ == "__main__":
    main()
