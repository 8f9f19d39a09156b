"""The tuning stage of a study (``study.tune``): one learning rate and embedding weight decay per
dataset and base model, chosen on the full model's validation AUC before any method runs.

Every grid point is an ordinary ``full`` run (the pretrained model's own row) with the grid's training
settings, journalled under ``<results>/tuning/`` like any run, so an interrupted tuning stage resumes
and a finished one is never redone. The choice is written to ``<results>/tuning.csv`` (every grid point,
the chosen one marked) and into the study saved in ``study.json`` (``study.tuned``), from which every
later reader expands the same runs. Test metrics of the grid runs are computed by the training loop
but never read here: the choice is made on validation data alone.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pandas as pd

from ..data.registry import data_key
from ..errors import ConfigError
from ..fileio import atomic_write_text, read_text
from .expand import seed_data
from .journal import read_journal, saved_study
from .methods import get_method
from .profile import StudyConfig
from .runs import RunSpec

TUNING_DIR = "tuning"
TUNING_FILE = "tuning.csv"


def tuning_runs(study: StudyConfig) -> list[RunSpec]:
    """The full-model runs of the grid, for every dataset and base model of the study."""
    if study.tune is None:
        return []
    seed = study.seeds[0] if study.tune.seed is None else study.tune.seed
    full = get_method("full")
    specs = []
    for data in study.datasets:
        for model_name in study.models:
            model = dataclasses.replace(study.model, name=model_name, emb_dims=None)
            for point in study.tune.grid():
                train = dataclasses.replace(study.train, seed=seed, **point)
                specs.append(RunSpec(seed_data(study, data, seed), model, train, full.run_search(study.search),
                                     "full", 1.0))
    return specs


def choose(study: StudyConfig, rows: dict[str, dict]) -> tuple[tuple[dict, ...], pd.DataFrame]:
    """The tuned settings (``StudyConfig.tuned``) from the grid runs' rows, and the grid's table.

    Best validation AUC per dataset and model; ties go to the first point in grid order. A grid point
    that failed or has not run is an error naming it: a choice among fewer points would differ.
    """
    specs = tuning_runs(study)
    table, chosen = [], []
    per_cell = len(study.tune.grid())
    for i in range(0, len(specs), per_cell):
        cell = specs[i:i + per_cell]
        data = study.datasets[(i // per_cell) // len(study.models)]
        best = None
        for spec in cell:
            row = rows.get(spec.key)
            if row is None or row.get("status") != "ok":
                why = "did not run" if row is None else f"failed: {row.get('error', '')}"
                raise ConfigError(f"tuning {data.name} x {spec.model.name} at lr={spec.train.lr:g}, "
                                  f"emb_weight_decay={spec.train.emb_weight_decay:g}: {why}")
            entry = {"dataset": data.name, "model": spec.model.name, "lr": spec.train.lr,
                     "emb_weight_decay": spec.train.emb_weight_decay, "valid_auc": float(row["valid_auc"]),
                     "valid_logloss": float(row["valid_logloss"]), "epochs": int(row["epochs"]), "chosen": False}
            table.append(entry)
            if best is None or entry["valid_auc"] > best["valid_auc"]:
                best = entry
        best["chosen"] = True
        chosen.append({"dataset": data_key(data), "model": best["model"], "lr": best["lr"],
                       "emb_weight_decay": best["emb_weight_decay"]})
    return tuple(chosen), pd.DataFrame(table)


def finish_tuning(study: StudyConfig, results_dir) -> StudyConfig:
    """The study with its tuned settings, from the grid runs journalled under ``results_dir``; writes
    ``tuning.csv``."""
    results_dir = Path(results_dir)
    tuned, frame = choose(study, read_journal(results_dir / TUNING_DIR))
    atomic_write_text(results_dir / TUNING_FILE, frame.to_csv(index=False))
    return dataclasses.replace(study, tuned=tuned)


def resolve_tuned(study: StudyConfig, results_dir) -> StudyConfig:
    """The study as its last sweep ran it: with the tuned settings saved in ``study.json`` under
    ``results_dir`` (a study without a tuning stage is returned as it is)."""
    if study.tune is None or study.tuned:
        return study
    saved = saved_study(results_dir)
    if saved is None or not saved.tuned or dataclasses.replace(saved, tuned=()) != study:
        raise ConfigError(f"{results_dir}: study {study.name!r} has not been tuned there yet (or its settings "
                          "changed since); run its sweep first")
    return saved


def load_tuning(results_dir) -> pd.DataFrame:
    """The grid table written by the tuning stage."""
    path = Path(results_dir) / TUNING_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: no tuning table here (the profile has no tuning stage, or its sweep has not run)")
    return pd.read_csv(io.StringIO(read_text(path, "tuning table")))
