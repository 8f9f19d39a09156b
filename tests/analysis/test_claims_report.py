"""The summary page of a report on one's own table: the answer, the advice, the tier and what it can
and cannot conclude (the smallest difference each tier declares at the noise measured)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sseds_study.analysis.claims_report import answer, noise, tier_rows
from sseds_study.statistics import detectable_difference
from sseds_study.study.profile import load_profile
from sseds_study.study.tiers import get_tier


def _verdict(ci95s, n=3):
    return pd.DataFrame({"ci95": ci95s, "n": [n] * len(ci95s)})


def test_noise_is_the_median_spread_behind_the_intervals():
    from scipy import stats

    t = stats.t.ppf(0.975, 2)
    sd = noise(_verdict([t * 0.01 / math.sqrt(3), t * 0.03 / math.sqrt(3), t * 0.02 / math.sqrt(3)]))
    assert sd == pytest.approx(0.02)
    assert math.isnan(noise(_verdict([]))) and math.isnan(noise(_verdict([0.1], n=1)))


def test_each_tier_declares_from_its_own_seeds_and_cells():
    rows = tier_rows(load_profile("default"), sd=0.004).set_index("run")
    quick, full = get_tier("quick"), get_tier("full")
    assert rows.loc["quick", "seeds"] == len(quick.seeds) and rows.loc["full", "seeds"] == len(full.seeds)
    assert rows.loc["quick", "verdict cells"] == 4 and rows.loc["full", "verdict cells"] == 3 * 2 * 4
    assert rows.loc["quick", "declares from"] == pytest.approx(detectable_difference(0.004, 3, 4))
    assert rows.loc["full", "declares from"] < rows.loc["quick", "declares from"]  # more seeds: smaller


@pytest.mark.parametrize("counts, expected", [
    ({"better": 2, "worse": 0, "indistinguishable": 2}, "beat the baseline in 2 of the 4 verdict cells and lose in none"),
    ({"better": 0, "worse": 1, "indistinguishable": 3}, "lose to the baseline in 1 of the 4"),
    ({"better": 1, "worse": 1, "indistinguishable": 2}, "win in 1 and lose in 1 of the 4"),
    ({"better": 0, "worse": 0, "indistinguishable": 4}, "cannot be told apart from the baselines' in any of the 4"),
])
def test_the_answer_follows_the_counts(counts, expected):
    text = answer(counts, 4, pd.DataFrame({"advice": ["uniform", "uniform"]}))
    assert expected in text and text.endswith("the advice is uniform everywhere")


@pytest.mark.slow
def test_the_summary_of_a_profiles_own_table(own_table):
    from sseds_study.analysis.claims_report import summary_chapter

    chapter = summary_chapter(own_table)
    text = chapter.text
    assert text["tier"] == "custom" and text["cells"] == "4" and text["seeds"] == "2" and text["runs"] == "12"
    assert int(text["better"]) + int(text["worse"]) + int(text["indistinguishable"]) == 4
    assert set(chapter.tables) == {"advice", "tiers"}
    assert list(chapter.tables["tiers"].cells["run"]) == ["this run", "quick", "full"]
    assert "the quick tier (3 seeds, 4 cells) from" in text["other_tiers"]
