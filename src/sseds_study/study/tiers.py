"""The two tiers of a study of one's own table (``sseds init``, ``sseds report``).

Both run the book's protocol, every setting of ``configs/default.yaml`` (the tuning grid, base width,
training, search and PEP settings, ``min_dim``, a split per seed); they differ in how much they run:

* ``full``: the book's base models, methods and budgets (``default.yaml``) with the ten seeds the
  book's verdict rests on (``headline.yaml``): the verdict at the book's power, every method beside it;
* ``quick``: the first base model, SSEDS against the verdict's baselines, the smallest budget, three
  seeds: minutes, enough to see large differences only (the report says how large).

A tier is applied to a profile by replacing those four lists (``apply_tier``); ``tier_of`` names the
tier a profile runs (``custom`` when it matches neither).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..data.paths import repo_root
from ..errors import ConfigError
from .methods import verdict_baselines
from .profile import StudyConfig, resolve_profile

BOOK_PROFILE = "default"  # the protocol: every setting
VERDICT_PROFILE = "headline"  # the seeds of the book's verdict
QUICK_SEEDS = 3
# The settings of the book's profile a profile of one's own copies (the rest names the book's data,
# its companions and the profiles it reuses).
PROTOCOL_KEYS = ("split_per_seed", "tune", "model", "train", "search", "pep", "workers")
TIER_KEYS = ("models", "methods", "budgets", "seeds")
TIERS = ("quick", "full")


@dataclass(frozen=True)
class Tier:
    """What a tier runs: base models, methods, budgets and seeds; ``what`` says it in a few words."""

    name: str
    models: tuple[str, ...]
    methods: tuple[str, ...]
    budgets: tuple[float, ...]
    seeds: tuple[int, ...]
    what: str

    def settings(self) -> dict:
        return {"models": list(self.models), "methods": list(self.methods), "budgets": list(self.budgets),
                "seeds": list(self.seeds)}

    def fits(self, study: StudyConfig) -> bool:
        return (study.models, study.methods, study.budgets, study.seeds) == (
            self.models, self.methods, self.budgets, self.seeds)


def _profile(name: str) -> dict:
    return resolve_profile(repo_root() / "configs" / f"{name}.yaml")


def book_protocol() -> dict:
    """The book's protocol settings (``PROTOCOL_KEYS`` of ``configs/default.yaml``), as written there."""
    book = _profile(BOOK_PROFILE)
    return {k: book[k] for k in PROTOCOL_KEYS if k in book}


def get_tier(name: str) -> Tier:
    """The ``quick`` or ``full`` tier, read from the book's profiles."""
    book, verdict = _profile(BOOK_PROFILE), _profile(VERDICT_PROFILE)
    budgets = tuple(float(b) for b in book["budgets"])
    if name == "full":
        return Tier("full", tuple(book["models"]), tuple(book["methods"]), budgets,
                    tuple(int(s) for s in verdict["seeds"]),
                    f"the book's protocol: {len(book['models'])} base models, every method, budgets "
                    f"{', '.join(f'{b:g}' for b in budgets)}, {len(verdict['seeds'])} seeds as in the book's verdict")
    if name == "quick":
        seeds = tuple(int(s) for s in verdict["seeds"][:QUICK_SEEDS])
        methods = ("full", "sseds", *verdict_baselines())
        return Tier("quick", (book["models"][0],), methods, (min(budgets),), seeds,
                    f"a first look: {book['models'][0]} alone, SSEDS against the {len(verdict_baselines())} "
                    f"baselines of the book's verdict at budget {min(budgets):g}, {len(seeds)} seeds")
    raise ConfigError(f"tier: expected one of {', '.join(TIERS)}; got {name!r}")


def apply_tier(study: StudyConfig, name: str) -> StudyConfig:
    """``study`` running tier ``name`` instead of its own models, methods, budgets and seeds, under the
    name ``<name>-<tier>`` (its own results folder); a study that already runs the tier is returned as
    it is."""
    tier = get_tier(name)
    if tier.fits(study):
        return study
    return dataclasses.replace(study, name=f"{study.name}-{tier.name}", models=tier.models, methods=tier.methods,
                               budgets=tier.budgets, seeds=tier.seeds)


def tier_of(study: StudyConfig) -> str:
    """``quick`` or ``full`` when the study runs that tier's lists, else ``custom``."""
    return next((name for name in TIERS if get_tier(name).fits(study)), "custom")
