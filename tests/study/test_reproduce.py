"""`make check-reproduction` at smoke size: the committed reference rows (reference/smoke.csv) are
recomputed from their settings and equal to the last bit; a changed value is named; a stale or
foreign reference is refused before anything is computed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sseds_study import numerics
from sseds_study.data.paths import repo_root
from sseds_study.errors import ConfigError
from sseds_study.study.reproduce import CELLS, COMPARED, check_reference, reference_path, reference_rows

SMOKE = reference_path("smoke", repo_root())


def _copy(tmp_path, edit=None) -> tuple[pd.DataFrame, object]:
    ref = pd.read_csv(SMOKE, dtype=str, keep_default_na=False)
    if edit is not None:
        edit(ref)
    path = tmp_path / "smoke.csv"
    ref.to_csv(path, index=False)
    return ref, path


def test_the_smoke_reference_holds_its_cell():
    ref = pd.read_csv(SMOKE, dtype=str, keep_default_na=False)
    cell = CELLS["smoke"]
    assert sorted(set(ref["method"])) == sorted(cell["methods"])
    assert len(ref) == len(cell["methods"]) * len(cell["seeds"])
    assert set(ref["numerics"]) == {"reproducible"}
    assert all(float(v) > 0.5 for v in ref["test_auc"])


@pytest.mark.skipif(bool(numerics.machine_problem("reproducible")), reason="no reproducible mode on this machine")
def test_the_smoke_reference_reproduces_and_a_changed_value_is_named(tmp_path):
    """One recomputation serves both: every value of the committed rows but the one edited here must
    come back to the last bit, and the edited one must be reported with both values."""
    original = pd.read_csv(SMOKE, dtype=str, keep_default_na=False).loc[1, "test_auc"]

    def edit(ref):
        ref.loc[1, "test_auc"] = repr(float(original) + 1e-12)
    ref, path = _copy(tmp_path, edit)
    result = check_reference(path, workdir=tmp_path)
    row = ref.loc[1]
    assert result.rows == len(ref)
    # the committed value came back to the last bit; the edited one is named with both values
    assert result.differences == [f"{row['model']} {row['method']} b={row['budget']} seed {row['seed']}: "
                                  f"test_auc committed {row['test_auc']}, got {original}"]


def test_a_reference_whose_settings_now_mean_another_run_is_stale(tmp_path):
    def edit(ref):
        config = json.loads(ref.loc[0, "config"])
        config["train"]["lr"] = config["train"]["lr"] * 2
        ref.loc[0, "config"] = json.dumps(config)
    _, path = _copy(tmp_path, edit)
    with pytest.raises(ConfigError, match="resolve to run .* with this code: the reference is stale"):
        check_reference(path)


def test_a_reference_of_another_numerical_mode_is_refused(tmp_path):
    def edit(ref):
        ref["numerics"] = "fast"
    _, path = _copy(tmp_path, edit)
    with pytest.raises(ConfigError, match="computed in the fast numerical mode and this process computes in"):
        check_reference(path)


def test_a_missing_or_incomplete_reference_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="no reference rows here"):
        check_reference(tmp_path / "none.csv")
    _, path = _copy(tmp_path, lambda ref: ref.pop("test_auc"))
    with pytest.raises(ConfigError, match="missing column.*test_auc"):
        check_reference(path)


def test_writing_a_reference_needs_the_whole_cell(tmp_path):
    (tmp_path / "runs").mkdir()
    with pytest.raises(ConfigError, match="0 finished run\\(s\\) of the reference cell FM, b=0.3, full/sseds/uniform, seeds 0 in the reproducible"):
        reference_rows(tmp_path, CELLS["smoke"])
    assert set(COMPARED) >= {"test_auc", "test_logloss", "emb_dims"}


def test_the_command_names_a_missing_reference_or_results_folder_in_one_line(tmp_path, capsys):
    from sseds_study.cli import main

    assert main(["check-reproduction", "smoke", "--reference", str(tmp_path / "none.csv")]) == 2
    assert "none.csv: no reference rows here" in capsys.readouterr().err
    assert main(["check-reproduction", "nosuch", "--write", "--results", str(tmp_path)]) == 2
    assert "no reference cell for profile 'nosuch'; known: default, smoke" in capsys.readouterr().err
