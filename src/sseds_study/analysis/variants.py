"""How the book writes a search variant, in one place for every chapter (3, 4 and 5).

A variant is written "estimator · scoring split · min_dim · init", every part always present, e.g.
"taylor · validation batches · min_dim 0 · inherit"; the default setting is "mean_abs · training
batches · min_dim 1 · scratch". The options that only one-factor variants change follow when they
differ from the package defaults ("· budget in dimensions", "· ranked by saliency per parameter",
"· K = 8"). The results tables name a variant by ``study.runs.variant_label`` ('estimator=fisher,
min_dim=0' relative to the profile's search, or 'default'); ``variant_name`` reads that label too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..config import SearchConfig

DEFAULT_LABEL = "default"  # study.runs.variant_label of a run with the reference settings
SPLIT_NAMES = {"train": "training batches", "valid": "validation batches"}
# Options outside the four-part name, written only where a variant changes them from the package default.
EXTRA_NAMES = {"budget_unit": {"dims": "budget in dimensions", "params": "budget in parameters"},
               "rank_by": {"saliency_per_param": "ranked by saliency per parameter", "saliency": "ranked by saliency"}}


def split_name(split: str) -> str:
    """A scoring split as the book writes it: 'train' -> 'training batches'."""
    return SPLIT_NAMES.get(split, f"{split} batches")


def label_settings(label: str, reference: SearchConfig) -> dict[str, object]:
    """The settings a ``variant_label`` ('estimator=fisher,min_dim=0'; 'default': none) changes, each
    with the type of the reference's field (min_dim 0 an int, not '0')."""
    if label == DEFAULT_LABEL or not label:
        return {}
    settings = {}
    for item in label.split(","):
        key, _, value = item.partition("=")
        kind = type(getattr(reference, key))
        settings[key] = kind(value)
    return settings


def variant_search(variant: str | Mapping | SearchConfig, reference: SearchConfig | None = None) -> SearchConfig:
    """The full search settings of a variant: a SearchConfig as it is, or a label or mapping of
    settings over ``reference`` (default: the package's SearchConfig)."""
    if isinstance(variant, SearchConfig):
        return variant
    reference = reference or SearchConfig()
    settings = label_settings(variant, reference) if isinstance(variant, str) else dict(variant)
    return dataclasses.replace(reference, **settings)


def variant_name(variant: str | Mapping | SearchConfig, reference: SearchConfig | None = None) -> str:
    """'estimator · scoring split · min_dim · init' (plus any one-factor option that differs from the
    package default) for a SearchConfig, a mapping of settings, or a results label over ``reference``."""
    search = variant_search(variant, reference)
    base = SearchConfig()
    parts = [search.estimator, split_name(search.score_split), f"min_dim {search.min_dim}", search.init]
    for option, names in EXTRA_NAMES.items():
        value = getattr(search, option)
        if value != getattr(base, option):
            parts.append(names.get(value, f"{option} {value}"))
    if search.num_batches != base.num_batches:
        parts.append(f"K = {search.num_batches}")
    return " · ".join(parts)
