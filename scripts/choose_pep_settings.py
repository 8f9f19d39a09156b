"""Choose PEP's search settings on validation data (the test split is never read).

For each candidate setting and base model (one dataset, one seed):

1. run PEP's search (``study.pep.run_pep_search``) with the profile's budgets below 1, capped at the
   candidate's ``max_epochs``;
2. a candidate whose search does not reach the smallest budget is out (it cannot serve the profile);
3. retrain the masks at ``--budgets`` from the search run's initial weights (rewind, PEP's rule), with
   the profile's training settings, and read the best validation AUC (``fit(test=False)``).

The score of a candidate is its mean validation AUC over base models and budgets; the winner is the
best score (ties: fewer search epochs). Stage ``schedule`` compares threshold schedules (initial value,
learning rate and decay of the thresholds, decay of the other parameters) at one granularity; stage
``granularity`` compares PEP's granularities under the chosen schedule. Writes one CSV row per
(candidate, model) and prints the summary.

    python scripts/choose_pep_settings.py --stage schedule --out configs/pep_selection_schedule.csv
    python scripts/choose_pep_settings.py --stage granularity --out configs/pep_selection_granularity.csv
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing as mp
import time

import pandas as pd
import torch

from sseds_study.config import PEPConfig
from sseds_study.data import load_dataset_from_config
from sseds_study.search.pep import mask_allocation
from sseds_study.study import RunSpec
from sseds_study.study.execute import build_masked_model
from sseds_study.study.pep import run_pep_search
from sseds_study.study.profile import load_profile
from sseds_study.train import fit

SCHEDULES = [  # (threshold_init, threshold_lr (None: the training lr), threshold_weight_decay, weight_decay)
    (-15.0, None, 1e-5, 1e-5),  # PEP's reference code: init -15, one lr, L2 1e-5 on every parameter
    (-8.0, 0.02, 1e-2, 1e-4),
    (-8.0, 0.02, 1e-2, 3e-4),
    (-8.0, 0.02, 1e-2, 1e-3),
    (-8.0, 0.01, 1e-2, 3e-4),
    (-10.0, 0.02, 1e-2, 3e-4),
    (-6.0, 0.05, 1e-2, 1e-4),
]
GRANULARITIES = ["global", "dim", "field", "field_dim", "feature", "feature_dim"]


def evaluate_candidate(args) -> dict:
    profile, dataset, model_name, pep_dict, budgets = args
    torch.set_num_threads(1)
    study = load_profile(profile)
    data = next(d for d in study.datasets if d.name == dataset)
    ds = load_dataset_from_config(data, progress=False)
    search_budgets = tuple(sorted((b for b in study.budgets if b < 1), reverse=True))
    pep = PEPConfig(**pep_dict, budgets=search_budgets)
    model = dataclasses.replace(study.model, name=model_name, emb_dims=None)
    train = dataclasses.replace(study.train, seed=study.seeds[0])
    start = time.perf_counter()
    search = run_pep_search(ds, model, train, pep)
    row = {"model": model_name, **pep_dict, "search_epochs": search.epochs, "search_passes": search.passes,
           "search_seconds": round(time.perf_counter() - start, 1), "reached_all": not search.missing,
           "final_kept": search.fractions[-1][1] if search.fractions else 1.0,
           "search_valid_auc_best": max(h.valid_auc for h in search.fit.history)}
    spec = RunSpec(data, model, train, study.search, "pep", min(budgets), pep)
    for b in budgets:
        if b not in search.snapshots:
            row[f"valid_auc@{b:g}"] = float("nan")
            continue
        snap = search.snapshot(b)
        masked = build_masked_model(ds, dataclasses.replace(spec, budget=b),
                                    mask_allocation(snap, "rewind", search.initial_state))
        result = fit(masked, ds, train, test=False)
        row[f"valid_auc@{b:g}"] = result.valid["auc"]
        row[f"step@{b:g}"] = snap.step
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default")
    parser.add_argument("--dataset", default="movielens100k")
    parser.add_argument("--models", nargs="+", default=None, help="default: the profile's models")
    parser.add_argument("--stage", choices=["schedule", "granularity"], required=True)
    parser.add_argument("--granularity", default="dim", help="stage schedule: the granularity used")
    parser.add_argument("--schedule", help="stage granularity: JSON of the chosen schedule "
                                           "(default: the profile's pep settings)")
    parser.add_argument("--budgets", type=float, nargs="+", default=[0.2, 0.1, 0.05])
    parser.add_argument("--max-epochs", type=int, default=None, help="default: the profile's pep.max_epochs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    study = load_profile(args.profile)
    models = args.models or list(study.models)
    max_epochs = args.max_epochs or study.pep.max_epochs
    if args.stage == "schedule":
        candidates = [{"granularity": args.granularity, "threshold_init": i, "threshold_lr": lr,
                       "threshold_weight_decay": twd, "weight_decay": wd, "max_epochs": max_epochs}
                      for i, lr, twd, wd in SCHEDULES]
    else:
        base = json.loads(args.schedule) if args.schedule else {
            k: v for k, v in dataclasses.asdict(study.pep).items() if k != "budgets"}
        base["max_epochs"] = max_epochs
        candidates = [{**base, "granularity": g} for g in GRANULARITIES]
    tasks = [(args.profile, args.dataset, m, c, tuple(args.budgets)) for c in candidates for m in models]
    with mp.get_context("spawn").Pool(args.workers) as pool:
        rows = pool.map(evaluate_candidate, tasks, chunksize=1)
    df = pd.DataFrame(rows)
    df.to_csv(args.out, index=False)
    auc_cols = [c for c in df.columns if c.startswith("valid_auc@")]
    keys = ["granularity", "threshold_init", "threshold_lr", "threshold_weight_decay", "weight_decay"]
    summary = df.groupby(keys, dropna=False).agg(
        reached_all=("reached_all", "all"), search_epochs=("search_epochs", "mean"),
        **{c: (c, "mean") for c in auc_cols}).reset_index()
    summary["score"] = summary[auc_cols].mean(axis=1)
    summary.loc[~summary["reached_all"], "score"] = float("nan")
    summary = summary.sort_values(["score", "search_epochs"], ascending=[False, True])
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(f"{args.dataset}, models {models}, seed {study.seeds[0]}, validation AUC of rewind retrains")
        print(summary.round(4).to_string(index=False))
    print("chosen:", json.dumps(summary.iloc[0][keys].to_dict()))


if __name__ == "__main__":
    main()
