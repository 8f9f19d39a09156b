"""A tiny study profile shared by the study tests."""

from __future__ import annotations

from sseds_study import study as st

TINY = {
    "name": "tiny",
    "datasets": [{"name": "synthetic", "options": {"rows": 3000, "seed": 3}}],
    "models": ["FM"],
    "methods": ["full", "sseds", "prune_only", "uniform", "random", "magnitude", "frequency"],
    "budgets": [1.0, 0.3],
    "seeds": [0],
    "model": {"emb_dim": 4, "hidden_dims": [8]},
    "train": {"batch_size": 512, "max_epochs": 2, "patience": 1, "lr": 0.01, "progress": False},
    "search": {"num_batches": 2},
}


def tiny(**changes) -> st.StudyConfig:
    return st.study_from_dict({**TINY, **changes})
