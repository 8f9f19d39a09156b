"""The method registry drives the book: a baseline registered for this test only and added to a
profile reaches chapter 4's verdict and chapter 7's advice with no other edit (no hand-kept list of
names to extend, no prose to rewrite).

What the throwaway method needed: its allocation function and ``Method`` (here, in the fixture), a
profile listing it (written here) and this test.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sseds_study.analysis.budget import budget_chapter  # noqa: E402
from sseds_study.analysis.claims import claims_chapter  # noqa: E402
from sseds_study.data.paths import repo_root  # noqa: E402
from sseds_study.study import methods  # noqa: E402

NAME = "seeded"


def allocate_seeded(x: methods.MethodInput):
    """A ranking of the columns drawn from the run's own seed (not ``random``'s), through the same
    allocator and rules as the other ranked baselines."""
    scores = np.random.default_rng(1000 + x.spec.seed).random((len(x.ds.vocab_sizes), x.spec.model.emb_dim))
    return methods.ranked_allocation(scores, x.ds.vocab_sizes, x.spec.budget, x.spec.search)


@pytest.fixture
def seeded():
    method = methods.Method(NAME, allocate_seeded, "seeded ranking", "#1f3a93", "h", follows=methods.RULES,
                            role="baseline", book=("verdict", "advice"),
                            summary="a ranking of the columns drawn from its own seed")
    with methods.registered(method):
        yield method
    assert NAME not in methods.METHODS


@pytest.fixture
def profile(tmp_path, monkeypatch):
    """The smoke profile with the throwaway method, swept into a temporary results folder.

    Its methods are narrowed to the reference, SSEDS and the throwaway: the sweep stays small, and
    the advice's best and runner-up of each cell are then SSEDS and the throwaway, so the throwaway is
    in the advice table exactly when the advice reads its candidates from the registry. The ablation
    companion is the profile itself, so chapter 4 sweeps no factorial."""
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path / "results"))
    path = tmp_path / "registry_drive.yaml"
    path.write_text(f"extends: {repo_root() / 'configs' / 'smoke.yaml'}\n"
                    "name: registry_drive\n"
                    f"methods: [full, sseds, {NAME}]\n"
                    "companions: {ablation: registry_drive}\n")
    return path


@pytest.mark.slow
def test_a_registered_baseline_reaches_the_verdict_and_the_advice(seeded, profile):
    budget = budget_chapter(profile)
    verdict = budget.tables["verdict"].cells
    assert NAME in verdict.columns and verdict[NAME].str.strip().ne("").all()
    assert NAME in budget.tables["verdict_means"].cells.columns
    assert budget.text["verdict_baseline_count"] == "five"
    assert f"`{NAME}` (a ranking of the columns drawn from its own seed)" in budget.markdown["verdict_baselines"]

    claims = claims_chapter(profile)
    advice = claims.tables["advice"].cells
    assert NAME in set(advice["best"]) | set(advice["runner-up"])
    assert NAME in claims.text["claim_c_baselines"]
