"""Appendix 08: provenance tables read from result rows (old rows without a CPU show 'not recorded'),
the stage times, and the commands to rerun a part."""

from __future__ import annotations

import json

import pandas as pd

from sseds_study.analysis import reproducibility as r
from sseds_study.study.profile import study_from_dict

VERSIONS = json.dumps({"python": "3.11.7", "torch": "2.13.0+cpu", "numpy": "2.4.6", "pandas": "3.1.1",
                       "sseds_study": "0.1.0"})


def _rows(n, cpu=None, commit="a" * 40, status="ok", dataset="d", sha="f" * 64):
    rows = [{"dataset": dataset, "seed": i, "rows": 1000, "status": status, "versions": VERSIONS,
             "git_commit": commit, "data_manifest_sha": sha[:-1] + str(i)} for i in range(n)]
    if cpu is not None:
        for row in rows:
            row["cpu"] = cpu
    return pd.DataFrame(rows)


def _study(**changes):
    return study_from_dict({"name": "mini", "datasets": [{"name": "synthetic"}], "models": ["FM"],
                            "methods": ["full", "sseds"], "budgets": [1.0, 0.2], "seeds": [0], **changes})


def test_environment_separates_recorded_and_old_rows():
    tables = {"old": _rows(3), "new": pd.concat([_rows(2, cpu="AMD EPYC"), _rows(1)], ignore_index=True)}
    env = r.environment_table(tables)
    assert env[["profile", "cpu", "runs"]].values.tolist() == [["old", "not recorded", 3], ["new", "AMD EPYC", 2],
                                                              ["new", "not recorded", 1]]
    assert set(env["torch"]) == {"2.13.0+cpu"}


def test_manifests_commits_and_runs():
    table = pd.concat([_rows(3), _rows(1, commit="b" * 40 + "+dirty", status="failed")], ignore_index=True)
    manifests = r.manifest_table({"p": table})
    # Three splits (one per seed), three manifests; the first one's checksum in 12 hex digits, on one line.
    assert manifests.loc[0, "manifests"] == 3 and manifests.loc[0, "first_checksum"] == "f" * r.CHECKSUM == "f" * 12
    other = r.manifest_table({"p": _rows(2, sha="0123456789abcdef" * 4)})
    assert other.loc[0, "first_checksum"] == "0123456789ab" and other.loc[0, "manifests"] == 2
    commits = r.commit_table({"p": table})
    assert commits[["git commit", "runs"]].values.tolist() == [["aaaaaaaaaa", 3], ["bbbbbbbbbb+dirty", 1]]
    runs = r.run_table({"p": table}, {"p": ["book", "headline"]}).iloc[0]
    assert (runs["runs"], runs["failed"], runs["role"]) == (3, 1, "book, headline")
    assert runs["command"] == "sseds sweep configs/p.yaml"


def test_missing_columns_read_as_not_recorded():
    bare = pd.DataFrame({"dataset": ["d"], "seed": [0], "status": ["ok"]})
    assert r.environment_table({"p": bare}).loc[0, "python"] == r.NOT_RECORDED
    assert r.commit_table({"p": bare}).loc[0, "git commit"] == r.NOT_RECORDED
    assert r.manifest_table({"p": bare}).loc[0, "first_checksum"] == r.NOT_RECORDED


def test_book_profiles_list_each_profile_once():
    # no companion named: every role is the profile itself
    assert r.book_profiles(_study()) == {"mini": ["book", "headline", "large", "planted", "ablation"]}


def test_stage_text_and_rerun_commands():
    assert "No stage time is recorded yet" in r.stage_text(pd.DataFrame(columns=["stage", "seconds"]))["times_summary"]
    times = pd.DataFrame({"stage": ["data", "sweep default"], "seconds": [60.0, 1740.0],
                          "finished_at": ["2026-01-01T00:01:00+00:00", "2026-01-01T00:30:00+00:00"],
                          "git_commit": ["c" * 40, "c" * 40]})
    assert r.stage_text(times)["times_summary"].startswith("The 2 recorded stages took 30.0 minutes")
    text = r.rerun_text(_study(), ["01_data", "04_budget"])
    assert text["rerun_chapter"] == "make book/chapters/04_budget.ipynb"
    assert "budgets: [1.0, 0.2]" in text["rerun_cell_yaml"] and "extends: mini" in text["rerun_cell_yaml"]
    assert text["rerun_cell_sweep"] == "sseds sweep configs/mini-cell.yaml"


def test_build_reproducibility_without_times():
    chapter = r.build_reproducibility(_study(), {"mini": _rows(2)}, {"mini": ["book"]},
                                      pd.DataFrame(columns=["stage", "seconds", "finished_at", "git_commit"]),
                                      ["01_data"])
    assert chapter.tables["times"].cells["stage"].tolist() == [r.NOT_RECORDED]
    assert chapter.text["cpus"] == r.NOT_RECORDED and chapter.text["runs_total"] == "2"


def test_book_profiles_include_every_named_companion():
    from sseds_study.study.profile import load_profile

    profiles = r.book_profiles(load_profile("default"))
    assert set(profiles) == {"default", "headline", "movielens1m", "synthetic_v2", "ablation", "ablation10",
                             "headline_best_fm", "headline_best_deepfm", "why_d64", "regime_d16", "regime_d64",
                             "regime_d16_best", "regime_d64_best", "others", "others_ml1m"}
    assert profiles["headline_best_fm"] == ["best_FM"]


def test_environment_shows_the_numerical_mode_of_the_rows():
    rows = _rows(2, cpu="AMD EPYC").assign(numerics="reproducible")
    env = r.environment_table({"new": rows, "old": _rows(1, cpu="AMD EPYC")})
    assert env["numerical mode"].tolist() == ["reproducible", "not recorded"]


def _bits(tmp_path, moved_in_fast=True):
    def result(loss):
        return {"numerics": {}, "models": {m: {"valid_auc": "0.7", "valid_logloss": "0.5", "test_auc": "0.7",
                                               "test_logloss": loss, "weights": "ab"} for m in ("FM", "DeepFM")}}
    raw = {"fast|native": result("0.51"), "fast|aten-default": result("0.52" if moved_in_fast else "0.51"),
           "reproducible|native": result("0.53"), "reproducible|aten-default": result("0.53")}
    path = tmp_path / "numerics.json"
    path.write_text(json.dumps(raw))
    return path


def test_the_bit_identity_table_compares_each_imitation_with_its_modes_native_run(tmp_path):
    table = r.numerics_table(_bits(tmp_path))
    assert table[["mode", "FM", "DeepFM"]].values.tolist() == [
        ["fast", "=", "="], ["fast", "differs", "differs"], ["reproducible", "=", "="], ["reproducible", "=", "="]]
    assert list(table.columns) == ["mode", "imitated", "FM", "DeepFM"]
    assert "ATen without AVX2 (an older CPU): ATEN_CPU_CAPABILITY=default" in r.imitation_settings()
    text = r.numerics_text(table, {"p": _rows(1).assign(numerics_detail="reproducible (x)")})
    assert (text["numerics_fast_same"], text["numerics_reproducible_same"]) == ("0 of 2", "2 of 2")
    assert text["numerics_rows"] == "reproducible (x)"
    assert r.numerics_table(tmp_path / "absent.json").empty
    assert "make check-numerics" in r.numerics_text(pd.DataFrame(), {})["numerics_summary"]
