"""The regime map's design: a balanced, space-filling set of settings, and profiles equal to it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sseds_study.study.profile import load_study
from sseds_study.study.regime_design import (
    CONTINUOUS,
    HELD_OUT,
    SETTINGS,
    WIDTHS,
    design,
    profile_text,
    unit_design,
    variant_profile_text,
)

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_latin_hypercube_has_one_point_per_stratum():
    unit = unit_design()
    assert unit.shape == (SETTINGS, len(CONTINUOUS))
    for column in unit.T:
        assert sorted(int(u * SETTINGS) for u in column) == list(range(SETTINGS))


def test_categorical_knobs_are_balanced_and_held_out_settings_spread():
    settings = design()
    combos = Counter((s["form"], s["emb_dim"], s["vocab_order"]) for s in settings)
    assert set(combos.values()) == {2} and len(combos) == 12
    assert HELD_OUT == (3, 7, 11, 15, 19, 23)
    held = [settings[i] for i in HELD_OUT]
    assert {s["form"] for s in held} == {"fm", "mlp"} and {s["emb_dim"] for s in held} == set(WIDTHS)
    for name, low, high, _ in CONTINUOUS:
        values = [s[name] for s in settings]
        assert low <= min(values) and max(values) <= high * 1.001
        assert len(set(values)) == SETTINGS  # every setting its own value


def test_design_is_deterministic():
    assert design() == design()


def test_committed_profiles_equal_the_design():
    settings = design()
    for width in WIDTHS:
        assert (CONFIGS / f"regime_d{width}.yaml").read_text() == profile_text(width, settings)
        assert (CONFIGS / f"regime_d{width}_best.yaml").read_text() == variant_profile_text(width)


def test_profiles_load_and_split_the_settings_by_width():
    seen = []
    for width in WIDTHS:
        study = load_study(CONFIGS / f"regime_d{width}.yaml")
        assert study.model.emb_dim == width and len(study.datasets) == SETTINGS // 2
        seen += [d.options["seed"] for d in study.datasets]
        best = load_study(CONFIGS / f"regime_d{width}_best.yaml")
        assert best.search.init == "inherit" and best.search.min_dim == 0 and best.reuse == (f"regime_d{width}",)
        assert best.datasets == study.datasets
    assert sorted(seen) == [100 + i for i in range(SETTINGS)]
