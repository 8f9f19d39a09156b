"""The method registry: what every method promises, and that a new one plugs in by registering it."""

from __future__ import annotations

import dataclasses

import pytest

from sseds_study import cli
from sseds_study import study as st
from sseds_study.config import ConfigError, DataConfig, ModelConfig, SearchConfig, TrainConfig
from sseds_study.search import baselines
from sseds_study.study import RunSpec, methods
from sseds_study.study.methods import check_allocation_inputs
from studyhelpers import tiny


def test_registry_names_every_method_of_the_book():
    assert set(methods.METHODS) >= {"full", "sseds", "prune_only", "uniform", "random", "magnitude", "frequency"}
    for name, method in methods.METHODS.items():
        assert method.name == name
        assert method.evaluation in methods.EVALUATIONS
        assert method.label and method.color


def test_unknown_method_lists_the_registered_ones():
    with pytest.raises(ConfigError, match="unknown method 'nope'; expected one of full, sseds"):
        methods.get_method("nope")


def test_registering_twice_is_an_error():
    with pytest.raises(ValueError, match="registered twice"):
        methods.register(methods.METHODS["random"])


def test_what_the_book_reads_from_the_registry():
    assert methods.method_names(role="reference") == ("full", "oracle")
    assert methods.method_names(role="search") == ("sseds", "prune_only", "pep", "pep_fresh", "autodim", "dimgrow")
    assert methods.method_names(role="baseline") == ("uniform", "random", "magnitude", "frequency", "frequency_tuned",
                                                     "magnitude_weights", "magnitude_weights_fresh", "qr")
    # The verdict's baselines in the book's order, not the registry's.
    assert methods.verdict_baselines() == ("uniform", "frequency", "random", "magnitude")
    assert all(methods.get_method(m).in_verdict for m in methods.verdict_baselines())
    assert methods.book_methods("advice") == ("sseds", "uniform", "frequency", "random", "magnitude", "pep")
    assert methods.book_methods("latency") == ("sseds", "uniform", "frequency", "pep")
    assert set(methods.book_methods("planted")) == {"full", "oracle", "sseds", "uniform", "frequency"}
    # chapter 4's comparison with the field's other methods, any role, in book order
    assert methods.book_methods("field") == ("autodim", "dimgrow", "uniform", "frequency", "frequency_tuned",
                                             "magnitude", "magnitude_weights", "magnitude_weights_fresh", "qr")
    assert methods.get_method("uniform").phrase == "one width for every field"
    assert methods.get_method("sseds").phrase == methods.get_method("sseds").description  # no summary
    with pytest.raises(ValueError, match="role must be one of"):
        methods.method_names(role="baselines")
    with pytest.raises(ValueError, match="book list must be one of"):
        methods.book_methods("verdicts")


def _noop(x):
    raise AssertionError("never allocated here")


@pytest.mark.parametrize(("changes", "match"), [
    ({"role": "oracle"}, "role must be one of"),
    ({"book": ("verdicts",)}, "unknown book list"),
    ({"role": "search", "book": ("verdict",)}, "only a baseline can be in the verdict"),
])
def test_register_checks_what_the_book_reads(changes, match):
    with pytest.raises(ValueError, match=match):
        methods.register(methods.Method("bad", _noop, "bad", "red", **changes))
    assert "bad" not in methods.METHODS


def test_registered_adds_a_method_for_a_with_block_only():
    method = methods.Method("throwaway", _noop, "throwaway", "red", book=("verdict",), book_order=35)
    with methods.registered(method):
        assert methods.get_method("throwaway") is method
        assert methods.verdict_baselines() == ("uniform", "throwaway", "frequency", "random", "magnitude")
    assert "throwaway" not in methods.METHODS
    with pytest.raises(RuntimeError), methods.registered(method):
        raise RuntimeError("a failing test still unregisters it")
    assert "throwaway" not in methods.METHODS
    with pytest.raises(ConfigError, match="unknown method 'throwaway'"):
        methods.unregister("throwaway")


def test_cli_choices_come_from_the_registry():
    parser = cli.build_parser()
    search = next(a for a in parser._subparsers._group_actions[0].choices["search"]._actions
                  if a.dest == "method")
    # every method that chooses widths (retrained) or an element mask (PEP), in registry order per kind
    assert tuple(search.choices) == methods.method_names(evaluation="retrain") + methods.method_names(
        evaluation="masked")
    assert "prune_only" not in search.choices and "frequency" in search.choices and "pep" in search.choices


@pytest.fixture
def halves(monkeypatch):
    """A new baseline registered the way a contributor would: keep the first half of every field's
    dimensions (a fixed-width rule), for one budget only."""

    def allocate_halves(x: methods.MethodInput):
        return baselines.uniform_allocation(x.ds.vocab_sizes, x.spec.model.emb_dim, 0.5)

    method = methods.Method("halves", allocate_halves, "half width", "#123456", "P", only_budget=0.5)
    monkeypatch.setitem(methods.METHODS, "halves", method)
    return method


def test_a_registered_method_is_valid_in_profiles_and_runs_in_a_sweep(halves, tmp_path):
    study = tiny(methods=["full", "halves"], budgets=[1.0, 0.5, 0.3])
    runs = st.expand_runs(study)
    assert sorted(r.budget for r in runs if r.method == "halves") == [0.5]  # only_budget
    report = st.sweep(study, tmp_path, progress=False)
    row = report.table.set_index("method").loc["halves"]
    assert row["status"] == "ok" and row["achieved_budget"] == pytest.approx(0.5)
    assert row["epochs"] >= 1  # evaluation "retrain": a slim model was trained


def test_budget_rules_of_the_registry():
    uniform, full = methods.get_method("uniform"), methods.get_method("full")
    assert uniform.budgets((1.0, 0.1)) == (1.0, 0.1) and full.budgets((0.5, 0.1)) == (1.0,)
    assert not uniform.applies(0.05, 16) and uniform.applies(0.1, 16)
    assert dataclasses.replace(uniform, min_budget=None).applies(0.01, 16)
    assert methods.reduced_methods()[0] == "sseds" and "full" not in methods.reduced_methods()


@pytest.mark.parametrize(
    "method, budget, search, message",
    [
        ("sseds", 0.01, {"min_dim": 1}, "min_dim=1 alone needs"),
        ("sseds", 0.5, {"min_dim": 9}, "min_dim: 9 is larger than the base width D=8"),
        ("sseds", 0.001, {"min_dim": 0}, "less than the cheapest column"),
        ("sseds", 0.001, {}, "min_dim=1 alone needs"),
        ("uniform", 0.1, {}, "method 'uniform' needs a budget of at least 0.125"),
        ("random", 0.001, {"min_dim": 0}, "less than the cheapest column"),
        ("random", 0.001, {}, "min_dim=1 alone needs"),
        ("pep", 1.0, {}, "method 'pep' prunes the full model; expected a budget below 1"),
    ],
)
def test_allocation_inputs_are_checked_without_scores(method, budget, search, message):
    """What search checks before pretraining: the same verdict the allocation gives after it."""
    spec = RunSpec(DataConfig(), ModelConfig(emb_dim=8), TrainConfig(), SearchConfig(**search), method, budget)
    with pytest.raises(ConfigError, match=message):
        check_allocation_inputs([50, 10, 400], spec)
    check_allocation_inputs([50, 10, 400], dataclasses.replace(spec, budget=0.5, search=SearchConfig()))


def test_a_mask_has_no_widths_to_check():
    """PEP keeps entries, not columns: a budget below min_dim's share of a column is still a mask."""
    spec = RunSpec(DataConfig(), ModelConfig(emb_dim=8), TrainConfig(), SearchConfig(min_dim=1), "pep", 0.01)
    check_allocation_inputs([50, 10, 400], spec)


def test_oracle_retrains_the_planted_ranks_at_their_cost(tmp_path):
    # synthetic2, whose cache key holds the ranks (synthetic's does not: same rows, seed and field count
    # with other ranks would read another dataset's cache)
    options = {"rows": 3000, "seed": 3, "vocab_sizes": [30, 200, 20, 10], "ranks": [3, 1, 0, 0]}
    study = tiny(methods=["full", "oracle"], budgets=[1.0, 0.3], datasets=[{"name": "synthetic2", "options": options}])
    runs = st.expand_runs(study)
    assert [r.budget for r in runs if r.method == "oracle"] == [1.0]  # one run, whatever the budgets
    row = st.sweep(study, tmp_path, progress=False).table.set_index("method").loc["oracle"]
    assert row["status"] == "ok" and row["epochs"] >= 1
    assert row["emb_dims"] == "[3, 1, 0, 0]"  # D = 4 in the tiny profile: no cap reached
    assert row["achieved_budget"] == pytest.approx(row["kept_emb_params"] / row["base_emb_params"])


def test_oracle_on_data_without_planted_ranks_is_a_config_error():
    class Plain:
        name, manifest, field_names = "movielens100k", {}, ["user", "item"]

    x = methods.MethodInput(Plain(), None, None, None)
    with pytest.raises(ConfigError, match="dataset 'movielens100k' has no planted ranks"):
        methods.get_method("oracle").allocate(x)


def test_sseds_adds_the_fields_summed_saliency_and_the_baselines_nothing():
    """``MethodInput.extra`` holds the columns an allocation adds to its row: SSEDS's field_saliency (the
    sum of |score| over each field's dimensions, 8 significant digits), read from the group's cache."""
    import json
    from types import SimpleNamespace

    import torch

    from sseds_study.study.pretrain import GroupCache

    ds = SimpleNamespace(vocab_sizes=(50, 10, 400))
    spec = RunSpec(DataConfig(), ModelConfig(emb_dim=4), TrainConfig(), SearchConfig(num_batches=3), "sseds", 0.5)
    scores = torch.tensor([[0.5, -0.25, 0.125, 1 / 3], [0.0, 0.0, 0.0, 0.0], [2.0, 1.0, 1.0, 1.0]], dtype=torch.float64)
    cache = GroupCache(saliency={("mean_abs", "train", 3): (scores, 0.5)})
    x = methods.MethodInput(ds, None, spec, cache)
    methods.get_method("sseds").allocate(x)
    assert json.loads(x.extra["field_saliency"]) == [1.2083333, 0.0, 5.0]
    assert x.search_seconds == 0.5
    uniform = methods.MethodInput(ds, None, dataclasses.replace(spec, method="uniform"), cache)
    methods.get_method("uniform").allocate(uniform)
    assert uniform.extra == {}
