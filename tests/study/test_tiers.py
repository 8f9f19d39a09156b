"""The quick and full tiers of a study of one's own table, read from the book's profiles."""

from __future__ import annotations

import dataclasses

import pytest

from sseds_study.errors import ConfigError
from sseds_study.study.methods import verdict_baselines
from sseds_study.study.profile import load_profile
from sseds_study.study.tiers import PROTOCOL_KEYS, apply_tier, book_protocol, get_tier, tier_of


def test_full_is_the_books_protocol_at_the_verdicts_seeds():
    full, book, headline = get_tier("full"), load_profile("default"), load_profile("headline")
    assert (full.models, full.methods, full.budgets) == (book.models, book.methods, book.budgets)
    assert full.seeds == headline.seeds and len(full.seeds) == 10


def test_quick_is_fewer_seeds_budgets_models_and_methods():
    quick, full = get_tier("quick"), get_tier("full")
    assert quick.methods == ("full", "sseds", *verdict_baselines())
    assert len(quick.seeds) < len(full.seeds) and len(quick.budgets) < len(full.budgets)
    assert quick.models == full.models[:1] and quick.budgets == (min(full.budgets),)


def test_the_protocol_is_default_yamls_settings():
    protocol = book_protocol()
    assert set(protocol) <= set(PROTOCOL_KEYS) and protocol["split_per_seed"] is True
    assert protocol["search"]["min_dim"] == 1 and protocol["tune"]["lr"]


def test_apply_tier_renames_and_tier_of_names_it():
    book = load_profile("default")
    quick = apply_tier(book, "quick")
    assert quick.name == "default-quick" and tier_of(quick) == "quick" and tier_of(book) == "custom"
    assert apply_tier(quick, "quick") is quick  # already that tier: nothing to derive
    assert quick.search == book.search and quick.datasets == book.datasets and quick.tune == book.tune
    assert tier_of(dataclasses.replace(quick, seeds=(0,))) == "custom"
    with pytest.raises(ConfigError, match="tier: expected one of quick, full"):
        get_tier("medium")
    # A profile whose settings rule out the tier's budget says so (smoke's D = 8 needs budgets from 1/8).
    with pytest.raises(ConfigError, match="needs a budget of at least 0.125"):
        apply_tier(load_profile("smoke"), "quick")
