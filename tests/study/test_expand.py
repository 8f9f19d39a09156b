"""Expanding a profile into runs and groups."""

from __future__ import annotations

from sseds_study import study as st
from sseds_study.study import methods
from studyhelpers import TINY, tiny


def test_expand_runs_counts_and_keys():
    study = tiny(seeds=[0, 1])
    runs = st.expand_runs(study)
    # full: 1 budget; six other methods x 2 budgets; per seed.
    assert len(runs) == 2 * (1 + 6 * 2)
    assert len({r.key for r in runs}) == len(runs)
    assert {r.budget for r in runs if r.method == "full"} == {1.0}
    # one pretrained model per seed
    assert len(st.group_runs(runs)) == 2


def test_variants_add_search_runs_only():
    base = st.expand_runs(tiny())
    with_variants = st.expand_runs(tiny(variants=[{"estimator": "fisher"}, {"init": "inherit"}]))
    added = [r for r in with_variants if r.key not in {b.key for b in base}]
    # fisher adds sseds + prune_only at two budgets; inherit adds sseds and the baselines that retrain
    # (they follow the SSEDS run's init), never prune_only (nothing retrained) or full.
    assert sorted((r.method, r.search.estimator, r.search.init) for r in added) == sorted(
        [("sseds", "fisher", "scratch")] * 2 + [("prune_only", "fisher", "scratch")] * 2
        + [(m, "mean_abs", "inherit") for m in ("sseds", "uniform", "random", "magnitude", "frequency")] * 2
    )


def test_baselines_follow_the_allocation_rules_only():
    base = {r.key for r in st.expand_runs(tiny(budgets=[1.0, 0.5]))}
    study = tiny(budgets=[1.0, 0.5], variants=[{"min_dim": 0}, {"budget_unit": "dims"}, {"rank_by": "saliency_per_param"}])
    added = [r for r in st.expand_runs(study) if r.key not in base]
    by_method = {}
    for r in added:
        by_method.setdefault(r.method, set()).add((r.search.min_dim, r.search.budget_unit, r.search.rank_by))
    ranked = {(0, "params", "saliency"), (1, "dims", "saliency")}
    # the ranked baselines follow unit and min_dim, not the ranking variant; uniform follows neither
    assert by_method["random"] == by_method["magnitude"] == by_method["frequency"] == ranked
    assert by_method["sseds"] == ranked | {(1, "params", "saliency_per_param")}
    assert "uniform" not in by_method and "full" not in by_method


def test_uniform_left_out_below_one_dimension_per_field():
    study = tiny(budgets=[0.5, 0.2], model={"emb_dim": 4}, search={"num_batches": 2, "min_dim": 0})  # 1/D = 0.25
    runs = st.expand_runs(study)
    assert {r.budget for r in runs if r.method == "uniform"} == {0.5}
    assert {r.budget for r in runs if r.method == "sseds"} == {0.5, 0.2}
    uniform = methods.get_method("uniform")
    assert uniform.applies(0.0625, 16) and not uniform.applies(0.05, 16)


def test_key_ignores_progress_flag_for_groups():
    a = st.expand_runs(tiny())
    b = st.expand_runs(tiny(train={**TINY["train"], "progress": True}))
    assert [r.group_key for r in a] == [r.group_key for r in b]
