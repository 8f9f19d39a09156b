"""Typed settings: data, model, training, search, PEP and tuning (``settings``).

The lowest settings layer: plain frozen dataclasses that check their own values, importing nothing of
the package above ``errors``. Study profiles (a sweep's settings, ``extends:``, validation against the
method and model registries) live one floor up, in ``sseds_study.study.profile``.
"""

from ..errors import ConfigError
from .settings import (
    BUDGET_UNITS,
    ESTIMATORS,
    EXECUTORS,
    INITS,
    OPTIMIZERS,
    PEP_GRANULARITIES,
    RANK_BY,
    SCORE_SPLITS,
    DataConfig,
    ModelConfig,
    PEPConfig,
    SearchConfig,
    TrainConfig,
    TuneConfig,
    apply_variant,
    check_budget,
    check_choice,
    check_workers,
    config_hash,
    from_dict,
    load_yaml,
    to_dict,
)

__all__ = [
    "BUDGET_UNITS",
    "ESTIMATORS",
    "EXECUTORS",
    "INITS",
    "OPTIMIZERS",
    "PEP_GRANULARITIES",
    "RANK_BY",
    "SCORE_SPLITS",
    "ConfigError",
    "DataConfig",
    "ModelConfig",
    "PEPConfig",
    "SearchConfig",
    "TrainConfig",
    "TuneConfig",
    "check_budget",
    "check_choice",
    "check_workers",
    "config_hash",
    "from_dict",
    "load_yaml",
    "to_dict",
    "apply_variant",
]
