"""Typed settings: data, model, training and search (``settings``), and study profiles (``study``).

Everything is re-exported here, so ``from sseds_study.config import TrainConfig, load_study`` works.
"""

from ..errors import ConfigError
from .settings import (
    BUDGET_UNITS,
    ESTIMATORS,
    INITS,
    PEP_GRANULARITIES,
    RANK_BY,
    SCORE_SPLITS,
    DataConfig,
    ModelConfig,
    PEPConfig,
    SearchConfig,
    TrainConfig,
    TuneConfig,
    config_hash,
    from_dict,
    load_yaml,
    to_dict,
)
from .study import (
    EXECUTORS,
    StudyConfig,
    companion,
    load_profile,
    load_study,
    resolve_profile,
    study_from_dict,
)

__all__ = [
    "BUDGET_UNITS",
    "ESTIMATORS",
    "EXECUTORS",
    "INITS",
    "PEP_GRANULARITIES",
    "RANK_BY",
    "SCORE_SPLITS",
    "ConfigError",
    "DataConfig",
    "ModelConfig",
    "PEPConfig",
    "SearchConfig",
    "StudyConfig",
    "companion",
    "TrainConfig",
    "TuneConfig",
    "companion",
    "config_hash",
    "from_dict",
    "companion",
    "load_profile",
    "load_study",
    "load_yaml",
    "resolve_profile",
    "study_from_dict",
    "to_dict",
]
