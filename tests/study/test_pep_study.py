"""PEP through the study: registry entries, run expansion, one checkpointed search per group, masked
retraining (rewind and fresh), the size and search-cost columns of every row, and resuming."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
import torch
import yaml

from sseds_study import cli, numerics
from sseds_study import study as st
from sseds_study.config import ConfigError, PEPConfig, SearchConfig, config_hash, to_dict
from sseds_study.data import load_dataset_from_config
from sseds_study.models.pep import current_mask, pep_mode
from sseds_study.models.registry import build_model
from sseds_study.search.pep import mask_allocation, mask_stats, sparse_table_bytes
from sseds_study.study import methods, retrain
from sseds_study.study import pep as study_pep
from sseds_study.train import fit, seed_everything
from studyhelpers import tiny

# thresholds that prune the tiny profile's tables within its few hundred steps
PEP = {"granularity": "dim", "threshold_init": -6.0, "threshold_lr": 0.1, "threshold_weight_decay": 0.01,
       "weight_decay": 0.01, "max_epochs": 30}
METHODS = ["full", "sseds", "uniform", "frequency", "pep", "pep_fresh"]
BUDGETS = [1.0, 0.5, 0.2]


def pep_study(**changes):
    # min_dim 0: budget 0.2 is below one column of the base width 4 per field
    return tiny(**({"methods": METHODS, "budgets": BUDGETS, "seeds": [0], "pep": PEP,
                    "search": {"num_batches": 2, "min_dim": 0}} | changes))


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("pep-sweep")
    report = st.sweep(pep_study(), out, progress=False)
    return out, report


# -- the registry and expansion --------------------------------------------------------------------------
def test_pep_is_registered_as_a_masked_method_below_full():
    for name in ("pep", "pep_fresh"):
        m = methods.get_method(name)
        assert m.evaluation == "masked" and m.reads_pep and not m.reads_search and m.below_full
        assert not m.applies(1.0, 16) and m.applies(0.05, 16)
    assert {"pep", "pep_fresh"} <= set(methods.reduced_methods())


def test_expansion_gives_pep_runs_the_study_pep_settings_with_its_budgets():
    runs = st.expand_runs(pep_study())
    pep_runs = [r for r in runs if r.method in ("pep", "pep_fresh")]
    assert sorted({r.budget for r in pep_runs}) == [0.2, 0.5]
    assert all(r.pep == PEPConfig(**PEP, budgets=(0.5, 0.2)) for r in pep_runs)
    assert all(r.pep is None for r in runs if r.method not in ("pep", "pep_fresh"))
    # one search serves both methods and both budgets of a seed
    assert len({study_pep.search_key(r) for r in pep_runs}) == 1
    # a run without PEP settings has no PEP settings in its key (only its own settings and the mode)
    other = next(r for r in runs if r.method not in ("pep", "pep_fresh", "uniform"))
    assert other.key == config_hash({**{k: v for k, v in to_dict(other).items() if k != "pep"},
                                     "numerics": numerics.identity()})
    # a method whose allocation changed adds its revision (uniform's water-filling is revision 1)
    uniform = next(r for r in runs if r.method == "uniform")
    assert uniform.key == config_hash({**{k: v for k, v in to_dict(uniform).items() if k != "pep"},
                                       "numerics": numerics.identity(), "method_revision": 1})
    with pytest.raises(ConfigError, match=r"pep.budgets: \[0.5\] leaves out the study's budgets \[0.2\]"):
        st.expand_runs(pep_study(pep=PEP | {"budgets": [0.5]}))


def test_pep_settings_are_checked():
    for bad, match in (({"granularity": "row"}, "pep.granularity"), ({"threshold_lr": 0}, "pep.threshold_lr"),
                       ({"max_epochs": 0}, "pep.max_epochs"), ({"budgets": [0.5, 0.5]}, "distinct"),
                       ({"budgets": [1.5]}, r"\(0, 1\]"), ({"nope": 1}, "unknown setting")):
        with pytest.raises(ConfigError, match=match):
            pep_study(pep=PEP | bad)


# -- the sweep ---------------------------------------------------------------------------------------------
def test_pep_rows_respect_their_budgets_and_report_sizes(finished):
    out, report = finished
    df = report.table
    assert report.failed == 0, df.loc[df.status != "ok", "error"].tolist()
    pep = df[df.method.isin(["pep", "pep_fresh"])]
    assert len(pep) == 4 and sorted(pep.budget.unique()) == [0.2, 0.5]
    assert (pep["achieved_budget"] <= pep["budget"]).all()
    assert (pep["kept_emb_params"] <= np.floor(pep["budget"] * pep["base_emb_params"])).all()
    assert (pep["epochs"] >= 1).all() and pep["test_auc"].between(0, 1).all()
    # the rows report the masks of the search checkpoint
    spec = next(r for r in st.expand_runs(pep_study()) if r.method == "pep" and r.budget == 0.2)
    search = st.load_search(study_pep.search_path(out, spec))
    snap = search.snapshot(0.2)
    row = df[(df.method == "pep") & (df.budget == 0.2)].iloc[0]
    assert row["kept_emb_params"] == snap.stats.kept_params and row["mask_step"] == snap.step
    assert row["emb_bytes"] == sparse_table_bytes(snap.masks).total
    assert row["empty_fields"] == snap.stats.num_empty_fields and row["empty_values"] == snap.stats.num_zero_rows
    assert json.loads(row["field_params"]) == list(snap.stats.field_params)
    assert row["pep_granularity"] == "dim" and row["pep_max_epochs"] == 30


def test_search_cost_columns(finished):
    _, report = finished
    df = report.table.set_index(["method", "budget"])
    study = pep_study()
    ds = load_dataset_from_config(study.datasets[0], progress=False)
    assert (report.table["epoch_passes"] == math.ceil(len(ds.split_index("train")) / study.train.batch_size)).all()
    assert report.table["pretrain_epoch_seconds"].gt(0).all() and report.table["pretrain_epoch_seconds"].nunique() == 1
    assert df.loc[("sseds", 0.5), "search_passes"] == study.search.num_batches
    for name in ("full", "uniform", "frequency"):
        assert (df.loc[name, "search_passes"] == 0).all() and (df.loc[name, "search_epochs"] == 0).all()
    pep = report.table[report.table.method.isin(["pep", "pep_fresh"])]
    assert pep["search_passes"].nunique() == 1 and pep["search_epochs"].nunique() == 1  # one shared search
    assert (pep["mask_step"] <= pep["search_passes"]).all()
    assert (pep["search_passes"] > pep["epoch_passes"] * (pep["search_epochs"] - 1)).all()
    assert (pep["search_seconds"] > 0).all()


def test_dense_rows_report_their_bytes(finished):
    _, report = finished
    dense = report.table[~report.table.method.isin(["pep", "pep_fresh"])]
    assert (dense["emb_bytes"] == 4 * dense["kept_emb_params"]).all()
    assert (dense["model_bytes"] == dense["emb_bytes"] + 4 * (dense["total_params"] - dense["kept_emb_params"])).all()
    widths = dense["emb_dims"].map(json.loads)
    assert (dense["empty_fields"] == widths.map(lambda d: sum(w == 0 for w in d))).all()


def test_resumed_sweep_reads_the_pep_search_checkpoint(finished, tmp_path, monkeypatch):
    out, report = finished
    study = pep_study()
    # a fresh results folder with only the checkpoints (pretrained models and PEP searches)
    for sub in ("pretrained", "pep"):
        (tmp_path / sub).mkdir()
        for f in (out / sub).iterdir():
            (tmp_path / sub / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(study_pep, "run_pep_search", lambda *a, **k: pytest.fail("the PEP search ran again"))
    again = st.sweep(dataclasses.replace(study, methods=("pep", "pep_fresh")), tmp_path, progress=False)
    assert again.failed == 0
    before = report.table.set_index("key")
    for _, row in again.table.iterrows():
        ref = before.loc[row["key"]]
        assert row["test_auc"] == ref["test_auc"] and row["search_passes"] == ref["search_passes"]
        assert row["search_seconds"] >= ref["search_seconds"] - ref["run_seconds"]  # the recorded search time


def test_a_budget_the_search_does_not_reach_fails_its_runs_clearly(tmp_path):
    study = pep_study(methods=["pep"], budgets=[0.05], pep=PEP | {"threshold_lr": 1e-4, "max_epochs": 1,
                                                                 "threshold_init": -12.0})
    report = st.sweep(study, tmp_path, progress=False)
    assert report.failed == 1
    assert "PEP search: the kept fraction fell only to" in report.table["error"].iloc[0]
    assert "raise pep.max_epochs" in report.table["error"].iloc[0]
    # an outcome of the method, not a fault: flagged, and a sweep whose only failures are such exits 0
    assert bool(report.table["not_reached"].iloc[0])
    profile = tmp_path / "notreached.yaml"
    profile.write_text(yaml.safe_dump(to_dict(study)))
    assert cli.main(["--quiet", "sweep", str(profile), "--results", str(tmp_path)]) == 0


# -- retraining a mask ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def searched():
    study = pep_study()
    spec = next(r for r in st.expand_runs(study) if r.method == "pep" and r.budget == 0.2)
    ds = load_dataset_from_config(study.datasets[0], progress=False)
    search = study_pep.run_pep_search(ds, spec.model, spec.train, spec.pep)
    return ds, spec, search


def test_the_search_starts_from_the_pretraining_initialisation_and_never_reads_test(searched):
    ds, spec, search = searched
    seed_everything(spec.seed)
    pretrain_init = build_model(ds.fields, spec.model, gates=True).state_dict()
    assert set(search.initial_state) == set(pretrain_init)
    assert all(torch.equal(search.initial_state[k], v) for k, v in pretrain_init.items())
    assert math.isnan(search.fit.test["auc"])
    assert search.missing == () and search.passes == search.fractions[-1][0]
    # it stopped at the step the last budget was reached, not at an epoch's end or on validation AUC
    assert search.passes == max(s.step for s in search.snapshots.values())


def test_masked_retraining_keeps_the_mask_and_rewinds_or_starts_fresh(searched):
    ds, spec, search = searched
    snap = search.snapshot(0.2)
    rewind = retrain.build_masked_model(ds, spec, mask_allocation(snap, "rewind", search.initial_state))
    fresh = retrain.build_masked_model(ds, spec, mask_allocation(snap, "fresh"))
    assert pep_mode(rewind) == pep_mode(fresh) == "mask"
    raw = {k: v for k, v in rewind.state_dict().items() if "parametrizations" not in k}
    assert all(torch.equal(raw[k], search.initial_state[k]) for k in raw)  # non-embedding weights rewound
    kept = rewind.embedding.tables[0].parametrizations.weight[0].mask.bool()
    rewound_table = search.initial_state["embedding.tables.0.weight"]
    torch.testing.assert_close(rewind.embedding.tables[0].weight, rewound_table * kept, rtol=0, atol=0)
    assert not torch.equal(fresh.embedding.tables[0].weight, rewind.embedding.tables[0].weight)  # a new draw
    fit(fresh, ds, dataclasses.replace(spec.train, max_epochs=1))
    after = current_mask(fresh)
    assert all(torch.equal(a, (a & m)) for a, m in zip(after, snap.masks, strict=True))  # nothing outside the mask
    assert mask_stats(after).kept_params <= snap.stats.kept_params


def test_seeded_searches_are_identical(searched):
    ds, spec, search = searched
    again = study_pep.run_pep_search(ds, spec.model, spec.train, spec.pep)
    assert again.passes == search.passes and again.fractions == search.fractions
    for b, snap in search.snapshots.items():
        assert all(torch.equal(x, y) for x, y in zip(snap.masks, again.snapshots[b].masks, strict=True))


def test_other_methods_ignore_the_pep_settings():
    a = {r.key for r in st.expand_runs(pep_study()) if r.method not in ("pep", "pep_fresh")}
    b = {r.key for r in st.expand_runs(pep_study(pep=PEP | {"threshold_init": -9.0})) if r.method not in ("pep", "pep_fresh")}
    assert a == b
    assert SearchConfig() == SearchConfig()  # the search options are unchanged by PEP
