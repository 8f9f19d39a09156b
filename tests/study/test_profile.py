"""Study profiles: validation and loading."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from sseds_study import study as st
from sseds_study.config import ConfigError, config_hash
from sseds_study.data.registry import has_planted_truth
from studyhelpers import tiny


@pytest.mark.parametrize(
    "change, message",
    [
        ({"budgets": [0.0]}, "budgets"),
        ({"budgets": [1.5]}, "budgets"),
        ({"methods": ["sseds", "nope"]}, "unknown method 'nope'"),
        ({"models": ["FM", "Transformer"]}, "unknown model 'Transformer'"),
        ({"colour": "red"}, "unknown setting(s) colour"),
        ({"search": {"estimator": "psychic"}}, "search.estimator"),
        ({"variants": [{"estimatr": "fisher"}]}, "estimatr"),
        ({"train": {"batch_size": "big"}}, "train.batch_size"),
        ({"budgets": [1.0, "abc"]}, "budgets: expected numbers; got 'abc'"),
        ({"budgets": ["0.5"]}, "budgets: expected numbers; got '0.5'"),
        ({"seeds": [0, 1.5]}, "seeds: expected integers; got 1.5"),
        ({"seeds": [0, float("inf")]}, "seeds: expected integers; got inf"),
        ({"seeds": [float("nan")]}, "seeds: expected integers; got nan"),
        ({"seeds": [-1]}, "study.seeds: expected an integer seed from 0 to 2**63 - 1; got -1"),
        ({"seeds": [2**64]}, "study.seeds: expected an integer seed from 0 to 2**63 - 1; got 18446744073709551616"),
        ({"seeds": [1e20]}, "study.seeds: expected an integer seed from 0 to 2**63 - 1; got 100000000000000000000"),
        ({"train": {"seed": 2**64}}, "train.seed: expected an integer seed"),
        ({"datasets": [{"name": "synthetic", "split_seed": -5}]}, "data.split_seed: expected an integer seed"),
        ({"seeds": [2**63 - 1], "split_per_seed": True}, "study.seeds: with split_per_seed, dataset synthetic's "
                                                        "split_seed 2022 + seed 9223372036854775807 must stay below"),
        ({"variants": ["fisher"]}, "study.variants: expected mappings of search settings; got 'fisher'"),
        ({"datasets": [5]}, "datasets[0]: expected a mapping of settings; got 5"),
        ({"datasets": [{"name": "synthetic", "options": 5}]}, "data.options: expected a mapping"),
        ({"datasets": [{"name": "imagenet"}]}, "study.datasets[0]: unknown dataset 'imagenet'"),
        ({"datasets": [{"name": "synthetic", "options": {"rowz": 10}}]},
         "study.datasets[0]: dataset 'synthetic': unknown option(s) rowz; valid options:"),
        ({"datasets": [{"name": "synthetic", "options": {"split_seed": "x"}}]}, "option split_seed: expected an integer"),
        ({"datasets": [{"name": "synthetic", "options": {"split_seed": 2**64}}]},
         "option split_seed: expected an integer seed from 0 to 2**63 - 1"),
        ({"model": 5}, "model: expected a mapping of settings; got 5"),
        ({"search": [1]}, "search: expected a mapping of settings; got [1]"),
        ({"model": {"emb_dim": 4, "hidden_dims": [-4]}}, "model.hidden_dims: expected positive integers"),
        ({"methods": ["uniform"], "budgets": [0.1]}, "study.methods: 'uniform' runs at none of the budgets 0.1; "
                                                     "it needs a budget of at least 0.25"),
        ({"search": {"min_dim": 2}}, "study.search.min_dim: 2 of the base width 4 needs a budget of at least 0.5; "
                                     "the budgets go down to 0.3"),
        ({"variants": [{"min_dim": 5}]}, "study.search.min_dim: 5 of the base width 4"),
        ({"methods": ["full", "oracle"], "datasets": [{"name": "synthetic"}, {"name": "movielens100k"}]},
         "study.methods: 'oracle' needs data with planted ranks (synthetic, synthetic2, regime); dataset(s) movielens100k "
         "have none"),
    ],
)
def test_bad_profiles_have_clear_errors(change, message):
    with pytest.raises(ConfigError, match=None) as err:
        tiny(**change)
    assert message in str(err.value)


def test_profile_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndatasets: [synthetic]\nmodels: [FM]\nmethods: [sseds]\nbudgets: [0.5]\nseeds: [0]\n"
                   "model: {hidden_dims: [-1]}\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: model.hidden_dims: expected positive integers; got -1"):
        st.load_study(bad)


@pytest.mark.parametrize("cut", [40, 90, 150])
def test_a_truncated_profile_names_the_file(tmp_path, cut):
    text = (Path(__file__).parents[2] / "configs" / "smoke.yaml").read_text()
    (tmp_path / "cut.yaml").write_text(text[:cut])
    with pytest.raises(ConfigError, match=r"cut.yaml(, line \d+, column \d+)?: ") as caught:
        st.load_study(tmp_path / "cut.yaml")
    assert "\n" not in str(caught.value)  # PyYAML's report spans lines; ours is one


def test_unknown_keys_of_mixed_types_are_listed():
    from studyhelpers import TINY

    with pytest.raises(ConfigError, match=r"unknown setting\(s\) 1, colour; known"):
        st.study_from_dict({**TINY, 1: "x", "colour": "red"})


def test_a_key_given_twice_in_a_profile_is_refused(tmp_path):
    text = (Path(__file__).parents[2] / "configs" / "smoke.yaml").read_text()
    (tmp_path / "dup.yaml").write_text(text + "budgets: [0.5]\n")
    line = text.count("\n") + 1
    first = text.splitlines().index(next(t for t in text.splitlines() if t.startswith("budgets:"))) + 1
    with pytest.raises(ConfigError, match=rf"dup.yaml, line {line}, column 1: key 'budgets' is given twice \(first on "
                                          rf"line {first}\); give each key once"):
        st.load_study(tmp_path / "dup.yaml")


def test_a_folder_given_as_the_profile_is_called_a_folder(tmp_path):
    (tmp_path / "p.yaml").mkdir()
    with pytest.raises(ConfigError, match=r"p.yaml: is a folder; expected a config file"):
        st.load_study(tmp_path / "p.yaml")


def test_a_profile_that_is_not_utf8_names_the_line_and_byte(tmp_path):
    text = (Path(__file__).parents[2] / "configs" / "smoke.yaml").read_bytes()
    (tmp_path / "latin1.yaml").write_bytes(b"# caf\xe9\n" + text)
    with pytest.raises(ConfigError, match=r"latin1.yaml, line 1: not UTF-8 text \(byte 0xe9 at position 6 of the "
                                          r"line, byte offset 5 of the file\); save the file as UTF-8"):
        st.load_study(tmp_path / "latin1.yaml")


def test_a_parent_profile_is_read_by_the_same_reader(tmp_path):
    (tmp_path / "base.yaml").write_bytes(b"name: base\nseeds: [0]\nseeds: [1]\n")
    (tmp_path / "child.yaml").write_text("extends: base\nname: child\n")
    with pytest.raises(ConfigError, match=r"base.yaml, line 3, column 1: key 'seeds' is given twice"):
        st.load_study(tmp_path / "child.yaml")


def test_missing_profile_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        st.load_study(tmp_path / "nope.yaml")


def _tuned(study):
    """The study as if its tuning stage had chosen the grid's first point everywhere."""
    first = study.tune.grid()[0]
    return dataclasses.replace(study, tuned=tuple(
        {"dataset": config_hash(d), "model": m, **first} for d in study.datasets for m in study.models))


def test_shipped_profiles_load():
    for name in ("smoke", "default", "ablation", "ablation10", "paper", "headline", "movielens1m", "synthetic_v2"):
        study = st.load_profile(name)
        if study.tune is not None:
            assert st.tuning_runs(study)
            with pytest.raises(ConfigError, match="has not been tuned yet"):
                st.expand_runs(study)
            study = _tuned(study)
        assert st.expand_runs(study)




def _write(path, text):
    path.write_text(text)
    return path


BASE = """
name: base
datasets: [synthetic]
models: [FM]
methods: [full, sseds]
budgets: [1.0, 0.5]
seeds: [0, 1]
model: {emb_dim: 8, hidden_dims: [16]}
train: {batch_size: 256, lr: 0.01}
search: {num_batches: 4}
"""


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    _write(tmp_path / "base.yaml", BASE)
    child = _write(tmp_path / "child.yaml", "extends: base\nname: child\nbudgets: [0.2]\ntrain: {lr: 0.05}\n")
    study = st.load_study(child)
    assert study.name == "child" and study.budgets == (0.2,)
    assert study.train.lr == 0.05 and study.train.batch_size == 256  # merged key by key
    assert study.model.emb_dim == 8 and study.seeds == (0, 1)  # inherited


def test_extends_chain_and_errors_name_the_file(tmp_path):
    _write(tmp_path / "base.yaml", BASE)
    _write(tmp_path / "mid.yaml", "extends: base\nname: mid\nseeds: [3]\n")
    leaf = _write(tmp_path / "leaf.yaml", "extends: mid\nname: leaf\n")
    assert st.load_study(leaf).seeds == (3,)
    nameless = _write(tmp_path / "nameless.yaml", "extends: base\nseeds: [3]\n")
    with pytest.raises(ConfigError, match="nameless.yaml: a profile that extends another must set its own 'name'"):
        st.load_study(nameless)
    missing = _write(tmp_path / "orphan.yaml", "extends: nowhere\nname: orphan\n")
    with pytest.raises(ConfigError, match="orphan.yaml: extends: no profile .*nowhere.yaml"):
        st.load_study(missing)
    _write(tmp_path / "a.yaml", "extends: b\nname: a\n")
    _write(tmp_path / "b.yaml", "extends: a\nname: b\n")
    with pytest.raises(ConfigError, match="in a loop"):
        st.load_study(tmp_path / "a.yaml")
    typo = _write(tmp_path / "typo.yaml", "extends: base\nname: typo\ntrian: {lr: 0.1}\n")
    with pytest.raises(ConfigError, match="unknown setting\\(s\\) trian"):
        st.load_study(typo)


@pytest.mark.parametrize("name", ["../x", "/abs", "a/b", "", ".hidden", "x/../.."])
def test_profile_names_are_identifiers(name):
    with pytest.raises(ConfigError, match="study.name"):
        tiny(name=name)


@pytest.mark.parametrize("empty", ["budgets", "seeds", "methods", "models", "datasets"])
def test_empty_lists_are_errors(empty):
    with pytest.raises(ConfigError, match=f"study.{empty}: expected at least one entry"):
        tiny(**{empty: []})


def test_shipped_profiles_state_only_their_differences():
    ablation = st.load_profile("ablation")
    default = st.load_profile("default")
    assert ablation.train == default.train and ablation.datasets == default.datasets
    assert "extends: default" in (Path(__file__).parents[2] / "configs" / "ablation.yaml").read_text()


# The ten-seed ablation's factors: the default setting's level (coded -1) and the other (+1).
ABLATION10_LEVELS = {"init": ("scratch", "inherit"), "estimator": ("mean_abs", "taylor"),
                     "score_split": ("train", "valid"), "min_dim": (1, 0)}


@pytest.mark.parametrize("name, models, budgets, seeds", [("ablation10", 2, 2, 10), ("smoke_ablation10", 1, 1, 3)])
def test_ablation10_runs_the_half_fraction_i_abcd(name, models, budgets, seeds):
    study = st.load_profile(name)
    assert study.factorial == {} and study.methods == ("sseds",)  # the parent's factorial is not inherited
    runs = st.expand_runs(_tuned(study))
    searches = list(dict.fromkeys(r.search for r in runs))
    assert len(searches) == 8 and len(runs) == 8 * models * budgets * seeds
    assert {r.method for r in runs} == {"sseds"}
    assert len({r.train.seed for r in runs}) == seeds and len({r.budget for r in runs}) == budgets
    for search in searches:
        coded = [-1 if getattr(search, f) == low else 1 for f, (low, high) in ABLATION10_LEVELS.items()
                 if getattr(search, f) in (low, high)]
        assert len(coded) == 4 and math.prod(coded) == 1  # A B C D = +1
        # nothing but the four factors differs from the profile's own search setting
        assert dataclasses.replace(search, **{f: getattr(study.search, f) for f in ABLATION10_LEVELS}) == study.search
    parent = "default" if name == "ablation10" else "smoke"
    assert searches[0] == study.search == st.load_profile(parent).search  # the all-default corner
    if name == "ablation10":
        assert study.reuse == ("ablation", "headline", "default")
        assert study.datasets == st.load_profile("default").datasets and study.train == st.load_profile("default").train
        assert st.load_profile("default").companions["ablation10"] == "ablation10"
    else:
        assert st.load_profile("smoke").companions["ablation10"] == "smoke_ablation10"


def test_synthetic_v2_profile_and_the_oracle_only_where_ranks_are_planted():
    v2 = st.load_profile("synthetic_v2")
    assert [d.name for d in v2.datasets] == ["synthetic2"] and "oracle" in v2.methods
    assert v2.train == st.load_profile("default").train  # the study's own training settings
    assert st.load_profile("default").companions["planted"] == "synthetic_v2"
    for path in (Path(__file__).parents[2] / "configs").glob("*.yaml"):
        study = st.load_profile(path.stem)
        if "oracle" in study.methods:  # the profile check refuses it elsewhere; this names the file
            assert all(has_planted_truth(d.name) for d in study.datasets), path.name


def test_factorial_expands_to_every_combination_before_the_listed_variants():
    study = tiny(factorial={"score_split": ["train", "valid"], "init": ["scratch", "inherit"]},
                 variants=[{"estimator": "fisher"}])
    assert study.variants == ({"score_split": "train", "init": "scratch"}, {"score_split": "train", "init": "inherit"},
                              {"score_split": "valid", "init": "scratch"}, {"score_split": "valid", "init": "inherit"},
                              {"estimator": "fisher"})
    assert study.factorial == {"score_split": ["train", "valid"], "init": ["scratch", "inherit"]}
    assert tiny().variants == () and st.load_profile("headline").variants == ()  # no factorial, no variant
    # the combination equal to the profile's own search setting is the same run, not a second one
    assert len(st.expand_runs(study)) < len(st.expand_runs(tiny(variants=list(study.variants)))) + 1


@pytest.mark.parametrize("factorial", [{"init": []}, {"init": "inherit"}, ["init"]])
def test_bad_factorials_are_refused(factorial):
    with pytest.raises(ConfigError, match="factorial: expected a mapping of search setting to a non-empty list"):
        tiny(factorial=factorial)


def test_a_bad_factorial_level_names_the_setting():
    with pytest.raises(ConfigError, match="estimator"):
        tiny(factorial={"estimator": ["mean_abs", "psychic"]})


def test_companion_falls_back_to_the_profile_itself():
    default = st.load_profile("default")
    assert st.companion(default, "headline").name == "headline"
    assert st.companion(default, "large").datasets[0].name == "movielens1m"
    smoke = st.load_profile("smoke")
    assert st.companion(smoke, "large") is smoke


@pytest.mark.parametrize("change", [{"reuse": ["../x"]}, {"companions": {"headline": "a/b"}}, {"companions": ["x"]}])
def test_reuse_and_companions_must_name_profiles(change):
    with pytest.raises(ConfigError, match="reuse|companions"):
        tiny(**change)
