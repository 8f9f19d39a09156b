"""Which study ``sseds report`` runs: the profile as written, or its quick tier under its own name and
results folder, with a profile file of its own that extends the user's."""

from __future__ import annotations

import pytest
import yaml

from sseds_study.errors import ConfigError
from sseds_study.report.profile import report_plan
from sseds_study.study.profile import load_study
from sseds_study.study.tiers import get_tier
from tablehelpers import table_profile


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path / "results"))
    return tmp_path


def test_the_profile_as_written(folder):
    path = table_profile(folder)
    plan = report_plan(path)
    assert plan.study == load_study(path) and plan.profile_path == path.resolve()
    assert plan.results_dir == folder / "results" / "mytable" and plan.tier == "custom"
    assert plan.data == "table (clicks.csv)" and plan.derived is None
    plan.write_profile()  # nothing to write
    assert not (folder / "results").exists()


def test_the_quick_tier_extends_the_profile_from_its_own_results_folder(folder):
    path = table_profile(folder, model={"emb_dim": 16, "hidden_dims": [8]})
    plan = report_plan(path, quick=True)
    quick = get_tier("quick")
    assert plan.study.name == "mytable-quick" and plan.tier == "quick"
    assert plan.results_dir == folder / "results" / "mytable-quick"
    assert plan.profile_path == (plan.results_dir / "profile.yaml").resolve()
    assert not plan.profile_path.exists()  # written only once the estimate has run
    plan.write_profile()
    written = load_study(plan.profile_path)
    assert written == plan.study and written.seeds == quick.seeds and written.methods == quick.methods
    assert yaml.safe_load(plan.profile_path.read_text())["extends"] == str(path.resolve())
    # The data path stays the user's profile's, read from its folder.
    assert written.datasets[0].options["path"] == str(folder / "clicks.csv")


def test_a_quick_profile_runs_as_it_is(folder):
    quick = get_tier("quick").settings()
    path = table_profile(folder, "q", model={"emb_dim": 16, "hidden_dims": [8]}, **quick)
    plan = report_plan(path, quick=True)
    assert plan.study.name == "q" and plan.derived is None and plan.tier == "quick"


def test_one_dataset_per_report(folder):
    path = table_profile(folder)
    data = yaml.safe_load(path.read_text())
    data["datasets"].append({"name": "synthetic", "options": {"rows": 1000}})
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="a report covers one dataset; this profile has 2 \\(table, synthetic\\)"):
        report_plan(path)
