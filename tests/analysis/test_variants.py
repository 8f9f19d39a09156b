"""One way to write a search variant: 'estimator · scoring split · min_dim · init', from a SearchConfig,
a mapping of settings or a results label; the one-factor options only where they differ."""

from __future__ import annotations

import dataclasses

from sseds_study.analysis.variants import label_settings, split_name, variant_name
from sseds_study.config import SearchConfig
from sseds_study.study import variant_label

DEFAULT = "mean_abs · training batches · min_dim 1 · scratch"


def test_the_default_and_a_full_variant():
    assert variant_name(SearchConfig()) == DEFAULT
    assert variant_name("default") == DEFAULT
    assert variant_name({"estimator": "taylor", "score_split": "valid", "min_dim": 0, "init": "inherit"}) == \
        "taylor · validation batches · min_dim 0 · inherit"


def test_a_results_label_round_trips_through_variant_label():
    reference = SearchConfig()
    search = dataclasses.replace(reference, estimator="fisher", min_dim=0, budget_unit="dims")
    label = variant_label(search, reference)
    assert label_settings(label, reference) == {"estimator": "fisher", "budget_unit": "dims", "min_dim": 0}
    assert variant_name(label, reference) == "fisher · training batches · min_dim 0 · scratch · budget in dimensions"


def test_the_label_is_read_over_the_profiles_own_reference():
    reference = SearchConfig(score_split="valid", num_batches=8)
    assert variant_name("init=inherit", reference) == "mean_abs · validation batches · min_dim 1 · inherit · K = 8"
    assert variant_name("rank_by=saliency_per_param") == f"{DEFAULT} · ranked by saliency per parameter"


def test_split_names():
    assert split_name("train") == "training batches" and split_name("valid") == "validation batches"
