"""make reproduce's stage times: a stage keeps its latest row, a failed command records nothing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sseds_study.publish.__main__ import main
from sseds_study.publish.stages import read_stage_times, record_stage, time_stage


def test_record_stage_replaces_the_stage_row(tmp_path):
    path = tmp_path / "times.csv"
    record_stage("data", 3.04, path, commit="c1", finished_at=datetime(2026, 1, 1, tzinfo=UTC))
    record_stage("sweep default", 100.0, path, commit="c1", finished_at=datetime(2026, 1, 2, tzinfo=UTC))
    record_stage("data", 5.0, path, commit="c2", finished_at=datetime(2026, 1, 3, tzinfo=UTC))
    times = read_stage_times(path)
    assert times[["stage", "seconds", "git_commit"]].values.tolist() == [["sweep default", 100.0, "c1"],
                                                                         ["data", 5.0, "c2"]]
    assert times.loc[1, "finished_at"] == "2026-01-03T00:00:00+00:00"
    assert not list(tmp_path.glob("*.tmp"))  # written atomically


def test_time_stage_records_success_only(tmp_path):
    path = tmp_path / "times.csv"
    assert time_stage("ok", [sys.executable, "-c", "pass"], path) == 0
    assert time_stage("bad", [sys.executable, "-c", "raise SystemExit(3)"], path) == 3
    assert time_stage("missing", [str(tmp_path / "no-such-program")], path) == 127
    killed = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"]
    assert time_stage("killed", killed, path) == 128 + 15
    assert read_stage_times(path)["stage"].tolist() == ["ok"]
    assert read_stage_times(tmp_path / "absent.csv").empty


def test_time_stage_records_the_commit_the_stage_started_at(tmp_path, monkeypatch):
    """A stage that writes into the tree (``make regime-rule``) ran the committed code: the commit is
    read before the command runs, not after it has dirtied the tree."""
    from sseds_study.publish import stages

    commits = iter(["abc", "abc+dirty"])
    monkeypatch.setattr(stages, "git_commit", lambda: next(commits))
    path = tmp_path / "times.csv"
    assert time_stage("rule", [sys.executable, "-c", "pass"], path) == 0
    assert read_stage_times(path)["git_commit"].tolist() == ["abc"]


def test_cli_passes_the_command_options_through(tmp_path):
    path = tmp_path / "times.csv"
    # '--times' after '--' belongs to the command, not to time-stage
    assert main(["time-stage", "echo", "--times", str(path), "--", sys.executable, "-c", "import sys",
                 "--times"]) == 0
    assert read_stage_times(path)["stage"].tolist() == ["echo"]
    assert main(["time-stage", "nothing", "--times", str(path)]) == 2
