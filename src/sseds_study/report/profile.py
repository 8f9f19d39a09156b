"""Which study a report runs: the profile as written, or its quick tier (``sseds report --quick``).

A report covers one dataset. Its quick tier is the profile with the quick tier's models, methods,
budgets and seeds (``study.tiers``), under the name ``<name>-quick``: its own results folder, and a
profile file of its own there (``profile.yaml``, extending the user's by its absolute path) that the
report's chapters are given as their ``profile`` parameter. That file is written only once the
estimate has run (``ReportPlan.write_profile``), so bad input leaves nothing under ``results/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..data.registry import data_label
from ..errors import ConfigError
from ..fileio import atomic_write_text
from ..study.profile import StudyConfig, load_study
from ..study.sweep import default_results_dir
from ..study.tiers import apply_tier, get_tier, tier_of

TIER_PROFILE = "profile.yaml"


@dataclass
class ReportPlan:
    """study: what the report runs; profile_path: the file the chapters read it from; results_dir:
    its results folder; tier: quick, full or custom; data: the dataset as the report names it;
    derived: the text of the tier's own profile file, when it needs one."""

    study: StudyConfig
    profile_path: Path
    results_dir: Path
    tier: str
    data: str
    derived: str | None = None

    def write_profile(self) -> None:
        if self.derived is not None:
            atomic_write_text(self.profile_path, self.derived)


def _quoted(text: str) -> str:
    return yaml.safe_dump(text, default_style='"').strip()


def tier_profile_text(source: Path, study: StudyConfig, tier: str) -> str:
    """A profile that extends ``source`` with tier ``tier``'s lists, under the study's name."""
    settings = get_tier(tier).settings()
    lines = [f"# The {tier} tier of {source}, written by `sseds report --{tier}`: that profile with these lists.",
             f"extends: {_quoted(str(source))}",
             f"name: {study.name}"]
    lines += [f"{k}: {yaml.safe_dump(v, default_flow_style=True, width=10_000).strip()}" for k, v in settings.items()]
    return "\n".join(lines) + "\n"


def report_plan(path: Path, quick: bool = False) -> ReportPlan:
    """The plan of ``sseds report PATH [--quick]`` (ConfigError naming the file for a profile that
    cannot be read or has more than one dataset)."""
    path = Path(path)
    study = load_study(path)
    if len(study.datasets) != 1:
        raise ConfigError(f"{path}: datasets: a report covers one dataset; this profile has {len(study.datasets)} "
                          f"({', '.join(d.name for d in study.datasets)}): give each its own profile")
    try:
        own = apply_tier(study, "quick") if quick else study
    except ConfigError as exc:
        raise ConfigError(f"{path}: the quick tier of this profile: {exc}") from None
    results_dir = default_results_dir(own)
    derived = None
    profile_path = path.resolve()
    if own is not study:
        profile_path = (results_dir / TIER_PROFILE).resolve()
        derived = tier_profile_text(path.resolve(), own, "quick")
    return ReportPlan(own, profile_path, results_dir, tier_of(own), data_label(own.datasets[0]), derived)
