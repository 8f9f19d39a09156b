"""Sweeps: rows, resuming, failures and the executors."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

from sseds_study import study as st
from sseds_study.errors import ConfigError, DataFormatError
from sseds_study.study import execute, methods
from studyhelpers import TINY, tiny


# -- sweeping ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    report = st.sweep(tiny(), out, progress=False)
    return out, report


def test_sweep_rows(finished):
    out, report = finished
    df = report.table
    assert report.failed == 0, df.loc[df.status != "ok", "error"].tolist()
    assert report.executed == len(st.expand_runs(tiny())) == len(df)
    assert (df["status"] == "ok").all()
    assert (df["achieved_budget"] <= df["budget"] + 1e-12).all()
    assert (df["kept_emb_params"] <= df["base_emb_params"]).all()
    assert df["test_auc"].between(0, 1).all()
    for col in ("config", "config_hash", "data_manifest_sha", "versions", "git_commit", "emb_dims"):
        assert df[col].astype(str).str.len().gt(0).all(), col
    # provenance: the stored config reproduces the key
    row = df.iloc[0]
    assert json.loads(row["config"])["method"] == row["method"]
    # at budget 1.0 every method keeps everything; prune_only at 1.0 is the pretrained model itself
    full = df[df.method == "full"].iloc[0]
    pruned_full = df[(df.method == "prune_only") & (df.budget == 1.0)].iloc[0]
    assert pruned_full["test_auc"] == pytest.approx(full["test_auc"], abs=1e-9)
    # the table on disk is the same table
    disk = pd.read_csv(out / st.RESULTS_FILE)
    assert sorted(disk["key"]) == sorted(df["key"])


def test_second_sweep_recomputes_nothing(finished, monkeypatch):
    out, _ = finished
    calls = []
    monkeypatch.setattr(execute, "execute_run", lambda *a, **k: calls.append(a) or {})
    report = st.sweep(tiny(), out, progress=False)
    assert calls == [] and report.executed == 0 and report.skipped == len(report.table)


def test_interrupted_sweep_resumes_without_repeating(tmp_path, monkeypatch):
    study = tiny(methods=["uniform", "random", "magnitude"])
    total = len(st.expand_runs(study))
    real = execute.execute_run
    seen: list[str] = []

    def interrupt_after_two(ds, pre, spec, cache):
        if len(seen) == 2:
            raise KeyboardInterrupt
        seen.append(spec.key)
        return real(ds, pre, spec, cache)

    monkeypatch.setattr(execute, "execute_run", interrupt_after_two)
    with pytest.raises(KeyboardInterrupt):
        st.sweep(study, tmp_path, progress=False)
    journal = st.read_journal(tmp_path)
    assert set(journal) == set(seen) and len(seen) == 2
    assert len(pd.read_csv(tmp_path / st.RESULTS_FILE)) == 2  # the table was kept up to date

    resumed: list[str] = []

    def counting(ds, pre, spec, cache):
        resumed.append(spec.key)
        return real(ds, pre, spec, cache)

    monkeypatch.setattr(execute, "execute_run", counting)
    report = st.sweep(study, tmp_path, progress=False)
    assert not set(resumed) & set(seen)  # nothing finished is repeated
    assert len(resumed) == total - 2 and report.skipped == 2
    assert len(report.table) == total and (report.table.status == "ok").all()


def test_failed_run_is_recorded_and_sweep_goes_on(tmp_path, monkeypatch):
    study = tiny(methods=["uniform", "random"])
    real = methods.METHODS["random"]

    def broken_random(inputs):
        raise RuntimeError("injected failure")

    monkeypatch.setitem(methods.METHODS, "random", dataclasses.replace(real, allocate=broken_random))
    report = st.sweep(study, tmp_path, progress=False)
    df = report.table
    assert report.failed == 2
    assert set(df.loc[df.status == "failed", "method"]) == {"random"}
    assert df.loc[df.status == "failed", "error"].str.contains("RuntimeError: injected failure").all()
    assert (df.loc[df.method == "uniform", "status"] == "ok").all()
    # the next sweep retries the failed runs (and only those)
    monkeypatch.setitem(methods.METHODS, "random", real)
    again = st.sweep(study, tmp_path, progress=False)
    assert again.executed == 2 and again.failed == 0


@pytest.mark.slow
def test_process_executor_matches_inline(tmp_path, finished):
    study = tiny(methods=["full", "uniform"], seeds=[0, 1])
    report = st.sweep(study, tmp_path, executor="local", workers=2, progress=False)
    assert report.failed == 0 and len(report.table) == len(st.expand_runs(study))
    # the same seed gives the same numbers whichever executor ran it
    ref = finished[1].table.set_index("key")
    both = report.table.set_index("key")[["test_auc"]].merge(
        ref[["test_auc"]], left_index=True, right_index=True, suffixes=("", "_ref"))
    assert len(both) > 0
    np.testing.assert_array_equal(both["test_auc"].to_numpy(), both["test_auc_ref"].to_numpy())


@pytest.mark.slow
def test_ray_executor_local_instance(tmp_path):
    pytest.importorskip("ray")
    study = tiny(methods=["full", "uniform"], budgets=[0.3])
    report = st.sweep(study, tmp_path, executor="ray", workers=2, progress=False)
    assert report.failed == 0
    assert len(report.table) == len(st.expand_runs(study))


def _start_cli_sweep(tmp_path, name: str, min_journalled: int):
    """Start ``sseds sweep`` on a 2-worker tiny profile in its own process group; return once
    ``min_journalled`` runs are journalled. Returns (process, study dict, results folder)."""
    import signal
    import subprocess
    import sys
    import time

    import yaml

    profile = tmp_path / "p.yaml"
    study = {**TINY, "name": name, "seeds": [0, 1, 2, 3], "workers": 2,
             "train": {**TINY["train"], "max_epochs": 6}}
    profile.write_text(yaml.safe_dump(study))
    out = tmp_path / "r"
    # SIG_DFL as in a terminal: a test runner started in the background inherits SIGINT ignored.
    proc = subprocess.Popen([sys.executable, "-m", "sseds_study.cli", "-q", "sweep", str(profile), "--results",
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while time.time() < deadline and len(list((out / "runs").glob("*.json"))) < min_journalled:
        time.sleep(0.5)
    assert proc.poll() is None, proc.communicate()
    return proc, study, out


def _assert_rerun_completes(study: dict, out) -> st.SweepReport:
    report = st.sweep(st.study_from_dict(study), out, progress=False)
    assert report.failed == 0 and len(report.table) == len(st.expand_runs(st.study_from_dict(study)))
    return report


@pytest.mark.slow
def test_ctrl_c_stops_process_workers_promptly(tmp_path):
    """SIGINT to a sweep on two worker processes ends it within seconds, keeps every finished run,
    and the next sweep completes without repeating any of them."""
    import os
    import signal
    import time

    proc, study, out = _start_cli_sweep(tmp_path, "sigint", min_journalled=3)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    start = time.time()
    _, err = proc.communicate(timeout=60)
    assert time.time() - start < 30, "workers kept running after Ctrl-C"
    assert proc.returncode == 130 and "interrupted" in err
    assert "leaked semaphore" not in err and "Traceback" not in err, err
    finished = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")}
    assert finished
    report = _assert_rerun_completes(study, out)
    assert report.skipped == len(finished)
    assert all((out / "runs" / name).stat().st_mtime_ns == stamp for name, stamp in finished.items())


@pytest.mark.slow
def test_killed_worker_stops_sweep_with_clear_error(tmp_path):
    """A worker killed from outside (the OOM killer, say) never reports back: the sweep must say so
    and stop rather than wait forever, and a rerun finishes the study."""
    import signal

    import psutil

    proc, study, out = _start_cli_sweep(tmp_path, "killed", min_journalled=1)
    workers = [c for c in psutil.Process(proc.pid).children()
               if any("spawn_main" in part for part in c.cmdline())]
    assert workers
    workers[0].send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 2, err
    assert "died with exit code -9" in err and "rerun the sweep to resume" in err
    assert not psutil.pid_exists(workers[-1].pid) or workers[-1].status() == psutil.STATUS_ZOMBIE
    _assert_rerun_completes(study, out)


# -- one sweep per results folder --------------------------------------------------------------------------
def test_a_second_sweep_on_a_locked_folder_fails_at_once(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(execute, "execute_run", lambda *a, **k: calls.append(a) or {})
    with st.sweep_lock(tmp_path):
        with pytest.raises(st.SweepLocked) as err:
            st.sweep(tiny(), tmp_path, progress=False)
    msg = str(err.value)
    assert f"results folder {tmp_path}: another sweep is running on it (pid {os.getpid()})" in msg
    assert calls == [] and not (tmp_path / "study.json").exists() and not (tmp_path / "runs").exists()


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom sseds_study.study import sweep_lock\n"
                               "with sweep_lock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(600)\n",
                               str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(st.SweepLocked, match=f"pid {holder.pid}"), st.sweep_lock(tmp_path):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    time.sleep(0.1)
    with st.sweep_lock(tmp_path):  # no stale lock after kill -9
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())


def test_bad_worker_counts_are_refused_before_anything(tmp_path):
    for workers in (0, -1, True, 1.5):
        with pytest.raises(ConfigError, match="workers: expected a positive integer"):
            st.sweep(tiny(), tmp_path, workers=workers, progress=False)
    assert list(tmp_path.iterdir()) == []


# -- reuse ---------------------------------------------------------------------------------------
def test_reuse_copies_finished_runs_of_another_profile(finished, tmp_path, monkeypatch):
    """A profile that reuses another copies the runs whose keys it shares (computing none of them),
    computes only the rest, and marks the copies with where they came from."""
    out, report = finished
    os.symlink(out, tmp_path / "done")  # the reused profile's folder sits beside the new one
    bigger = dataclasses.replace(tiny(), seeds=(*tiny().seeds, 7), reuse=("done",))
    computed = []
    real = execute.execute_run
    monkeypatch.setattr(execute, "execute_run",
                        lambda ds, pre, spec, cache: computed.append(spec.key) or real(ds, pre, spec, cache))
    again = st.sweep(bigger, tmp_path / "mine", progress=False, executor="local", workers=1)
    shared = set(report.table["key"])
    assert again.failed == 0, again.table["error"].tolist()
    assert computed and not shared & set(computed)  # the copies were not recomputed
    table = again.table.set_index("key")
    assert set(table.loc[list(shared), "reused_from"]) == {"done"}
    assert set(table.loc[computed, "seed"]) == {7}
    # a copied row is the other profile's row, number for number
    first = report.table.set_index("key")["test_auc"]
    assert (table.loc[first.index, "test_auc"] == first).all()


def test_balance_splits_few_groups_into_chunks_first_chunks_first():
    from sseds_study.study.expand import balance_groups

    groups = [[f"g{g}r{r}" for r in range(5)] for g in range(3)]
    out = balance_groups(groups, workers=2)
    assert out[:3] == [["g0r0", "g0r2", "g0r4"], ["g1r0", "g1r2", "g1r4"], ["g2r0", "g2r2", "g2r4"]]
    assert sorted(r for c in out for r in c) == sorted(r for g in groups for r in g)  # every run once
    assert balance_groups(groups, workers=1) == groups  # nothing to balance
    many = [[f"g{g}"] for g in range(4)]
    assert balance_groups(many, workers=2) == many  # two groups a worker already
    assert balance_groups([["a"], ["b", "c"]], workers=2) == [["a"], ["b"], ["c"]]  # no empty chunk


def test_split_groups_give_the_rows_of_whole_groups(tmp_path, finished):
    """One seed on two workers: the group is split, both halves may pretrain the same model, and every
    row equals the row of the unsplit in-process sweep."""
    study = tiny()
    report = st.sweep(study, tmp_path, executor="local", workers=2, progress=False)
    assert report.failed == 0
    ref = finished[1].table.set_index("key")["test_auc"]
    got = report.table.set_index("key")["test_auc"]
    assert sorted(got.index) == sorted(ref.index)
    np.testing.assert_array_equal(got.loc[ref.index].to_numpy(), ref.to_numpy())


# -- the data, checked once before any run --------------------------------------------------------------
def _table_study(tmp_path, text: bytes, **changes):
    (tmp_path / "t.csv").write_bytes(text)
    data = {"name": "table", "options": {"path": str(tmp_path / "t.csv"), "label": "y", "categorical": ["user"]}}
    return tiny(datasets=[data], methods=["full", "uniform"], seeds=[0, 1, 2], **changes)


GOOD = b"y,user\n" + b"".join(f"{i % 2},u{i % 7}\n".encode() for i in range(300))


@pytest.mark.parametrize("bad, message", [
    (GOOD + b"1,u1,extra\n", r"t.csv, line 302: expected 2 columns \(as many as the header\), got 3"),
    (GOOD.replace(b"0,u2\n", b"2,u2\n", 1), r"t.csv, line 4: label column 'y': expected 0 or 1"),
    (gzip.compress(GOOD), r"t.csv: compressed \(gzip\)"),
])
def test_a_malformed_data_file_stops_the_sweep_before_any_run(tmp_path, monkeypatch, bad, message):
    study = _table_study(tmp_path, bad, split_per_seed=True)
    calls = []
    monkeypatch.setattr(execute, "load_or_pretrain", lambda *a: calls.append(a))  # a run started
    with pytest.raises(DataFormatError, match=message):
        st.sweep(study, tmp_path / "r", progress=False)
    assert calls == [] and not list((tmp_path / "r" / "runs").glob("*.json"))
