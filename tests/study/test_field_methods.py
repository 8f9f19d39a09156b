"""The field's other methods as runs of a sweep: frequency_tuned, magnitude_weights(_fresh), autodim,
dimgrow and qr end to end on a tiny profile, against hand computations of what their rows must hold."""

from __future__ import annotations

import json

import pytest

from sseds_study import study as st
from sseds_study.search._checks import budget_limit
from sseds_study.search.storage import sparse_table_bytes
from sseds_study.search.weight_pruning import magnitude_weight_masks
from sseds_study.study import methods
from studyhelpers import tiny

NEW = ["frequency_tuned", "magnitude_weights", "magnitude_weights_fresh", "autodim", "dimgrow", "qr"]


def field_study(**changes):
    return tiny(**{"methods": ["full", "sseds", "frequency", *NEW], "budgets": [0.5, 0.25],
                   "search": {"num_batches": 2, "min_dim": 0}, **changes})


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    study = field_study()
    folder = tmp_path_factory.mktemp("field")
    return study, folder, st.sweep(study, folder, progress=False).table


def test_every_new_method_runs_at_every_budget(swept):
    _study, _folder, table = swept
    rows = table[table["method"].isin(NEW)]
    assert len(rows) == len(NEW) * 2
    assert (rows["status"] == "ok").all(), rows[rows["status"] != "ok"][["method", "budget", "error"]]
    assert (rows["achieved_budget"] <= rows["budget"] + 1e-12).all()


def test_frequency_tuned_keeps_the_candidate_with_the_best_validation_auc(swept):
    _study, _folder, table = swept
    for budget in (0.5, 0.25):
        row = table[(table["method"] == "frequency_tuned") & (table["budget"] == budget)].iloc[0]
        aucs = json.loads(row["frequency_valid_aucs"])
        assert len(aucs) == len(methods.FREQUENCY_TEMPERATURES)
        best = max(range(len(aucs)), key=lambda i: (aucs[i], -i))
        assert row["frequency_alpha"] == methods.FREQUENCY_TEMPERATURES[best]
        assert row["valid_auc"] == pytest.approx(aucs[best], abs=1e-6)
        # its cost: the other distinct candidates' training (at least one epoch each), none of its own
        # model's; temperatures giving the same widths share one retrain (and one validation AUC)
        distinct = int(row["frequency_distinct"])
        assert 1 <= distinct <= len(aucs) and len(set(aucs)) <= distinct
        assert row["search_passes"] >= (distinct - 1) * row["epoch_passes"]
        assert (row["search_passes"] == 0) == (distinct == 1)
        # the candidate at DLRM's 0.3 is the frequency run's allocation, retrained once for both
        if methods.FREQUENCY_TEMPERATURES[best] == 0.3:
            fixed = table[(table["method"] == "frequency") & (table["budget"] == budget)].iloc[0]
            assert row["test_auc"] == fixed["test_auc"] and row["emb_dims"] == fixed["emb_dims"]


def test_magnitude_weights_keeps_the_budgets_entries_and_pays_for_their_indices(swept):
    study, folder, table = swept
    from sseds_study.analysis.common import load_pretrained

    _ds, pre, _spec = load_pretrained(study, results_dir=folder)
    for name in ("magnitude_weights", "magnitude_weights_fresh"):
        for budget in (0.5, 0.25):
            row = table[(table["method"] == name) & (table["budget"] == budget)].iloc[0]
            base = int(row["base_emb_params"])
            assert int(row["kept_emb_params"]) == budget_limit(budget, base)
            masks = magnitude_weight_masks(pre.model.embedding.field_weights(), budget)
            assert int(row["emb_bytes"]) == sparse_table_bytes(masks).total
            assert int(row["empty_fields"]) == 0 and int(row["empty_values"]) == 0
    fine = table[(table["method"] == "magnitude_weights")].sort_values("budget")
    fresh = table[(table["method"] == "magnitude_weights_fresh")].sort_values("budget")
    assert list(fine["test_auc"]) != list(fresh["test_auc"])  # other starting weights, same mask


def test_qr_keeps_full_width_and_fits_the_budget(swept):
    _study, _folder, table = swept
    for budget in (0.5, 0.25):
        row = table[(table["method"] == "qr") & (table["budget"] == budget)].iloc[0]
        assert set(json.loads(row["emb_dims"])) == {4}
        assert int(row["kept_emb_params"]) <= budget * int(row["base_emb_params"])
        assert int(row["emb_bytes"]) == 4 * int(row["kept_emb_params"])
        assert int(row["empty_fields"]) == 0


def test_searches_record_their_passes_and_share_one_search_per_group(swept):
    _study, _folder, table = swept
    for name in ("autodim", "dimgrow"):
        rows = table[table["method"] == name]
        assert (rows["search_passes"] > 0).all()
        assert rows["search_passes"].nunique() == 1  # one search serves both budgets
        detail = json.loads(rows.iloc[0][f"{name}_detail"])
        assert detail


def test_the_new_methods_are_deterministic_under_a_seed(swept, tmp_path):
    study, _folder, table = swept
    again = st.sweep(study, tmp_path, progress=False).table
    cols = ["method", "budget", "test_auc", "valid_auc", "emb_dims", "kept_emb_params"]
    a = table[table["method"].isin(NEW)][cols].sort_values(["method", "budget"]).reset_index(drop=True)
    b = again[again["method"].isin(NEW)][cols].sort_values(["method", "budget"]).reset_index(drop=True)
    assert a.equals(b)


def test_the_methods_settings_and_revisions_are_in_their_keys():
    runs = {r.method: r for r in st.expand_runs(field_study()) if r.budget == 0.5}
    assert runs["frequency_tuned"].identity()["method_settings"] == {"temperatures": methods.FREQUENCY_TEMPERATURES}
    assert runs["autodim"].identity()["method_settings"]["candidates"] == (2, 4, 8, 16)
    assert "method_settings" not in runs["sseds"].identity() and "method_revision" not in runs["qr"].identity()
    uniform = next(r for r in st.expand_runs(tiny(methods=["uniform"], budgets=[0.5])))
    assert uniform.identity()["method_revision"] == 1


def test_a_reused_profile_lends_its_pretrained_checkpoints(tmp_path):
    first = tiny(name="first", methods=["full", "sseds"], budgets=[1.0, 0.5])
    st.sweep(first, tmp_path / "first", progress=False)
    second = tiny(name="second", methods=["full", "uniform"], budgets=[1.0, 0.5], reuse=["first"])
    table = st.sweep(second, tmp_path / "second", progress=False).table
    theirs = sorted(p.name for p in (tmp_path / "first" / "pretrained").glob("*.pt"))
    mine = sorted(p.name for p in (tmp_path / "second" / "pretrained").glob("*.pt"))
    assert mine == theirs and len(mine) == 1
    assert ((tmp_path / "first" / "pretrained" / mine[0]).read_bytes()
            == (tmp_path / "second" / "pretrained" / mine[0]).read_bytes())
    assert (table["status"] == "ok").all()


def test_a_key_does_not_depend_on_whether_the_registry_was_imported():
    """``study.runs`` reads revisions and settings from ``study.method_keys``, not from the registry, so a
    uniform run's key is the same in a process that never imported ``study.methods``."""
    import subprocess
    import sys

    spec = next(r for r in st.expand_runs(tiny(methods=["uniform"], budgets=[0.5])))
    code = ("import sys, json; from sseds_study.config import from_dict; from sseds_study.study.runs import RunSpec; "
            "from sseds_study.config import DataConfig, ModelConfig, TrainConfig, SearchConfig; "
            "d = json.loads(sys.argv[1]); "
            "spec = RunSpec(from_dict(DataConfig, d['data']), from_dict(ModelConfig, d['model']), "
            "from_dict(TrainConfig, d['train']), from_dict(SearchConfig, d['search']), d['method'], d['budget']); "
            "assert 'sseds_study.study.methods' not in sys.modules; print(spec.key)")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(spec.to_dict())], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == spec.key
