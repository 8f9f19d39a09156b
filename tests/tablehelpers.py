"""A user's table and a smoke-sized profile over it, shared by the tests of ``sseds init``, ``sseds
report`` and the chapters that run on one's own table (one ``table`` dataset, no companions)."""

from __future__ import annotations

from pathlib import Path

import yaml

from sseds_study.data.example_table import write_example_table

COLUMNS = {"label": "click", "categorical": ["user", "item", "site", "device"], "numeric": ["price", "age"],
           "multi": ["tags"], "multi_sep": "|"}
SMOKE = {
    "models": ["FM"],
    "methods": ["full", "sseds", "uniform", "random", "magnitude", "frequency"],
    "budgets": [0.3],
    "seeds": [0, 1],
    "split_per_seed": True,
    "tune": {"lr": [0.01], "emb_weight_decay": [0.0, 0.001]},
    "model": {"emb_dim": 4, "hidden_dims": [8]},
    "train": {"batch_size": 512, "max_epochs": 2, "patience": 1, "lr": 0.01, "progress": False},
    "search": {"num_batches": 2},
    "workers": 1,
}


def table_profile(folder: Path, name: str = "mytable", rows: int = 1500, **changes) -> Path:
    """Write ``clicks.csv`` and ``<name>.yaml`` (its path relative to the profile) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "clicks.csv").exists():
        write_example_table(folder / "clicks.csv", rows=rows, seed=5)
    profile = {"name": name, "datasets": [{"name": "table", "options": {"path": "clicks.csv", **COLUMNS}}],
               **SMOKE, **changes}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False))
    return path
