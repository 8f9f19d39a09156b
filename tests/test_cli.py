"""The `sseds` command: help on every subcommand, one-line errors for bad input, the smoke sweep."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sseds_study import cli

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("data", "train", "search", "sweep", "results")


def run_cli(*args, cwd=None, env_extra=None):
    import os

    env = {**os.environ, "SSEDS_RESULTS_DIR": str(cwd or REPO / "results"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "sseds_study.cli", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env, timeout=600)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_for_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sseds") and command in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sweep", "no/such/profile.yaml"], "no/such/profile.yaml: config file not found"),
        (["data", "--dataset", "imagenet"], "imagenet"),
        (["data", "--dataset", "criteo", "--path", "no/such/train.txt"], "no/such/train.txt"),
        (["train", "--dataset", "synthetic", "--option", "rows=2000", "--emb-dims", "4,x"], "--emb-dims"),
        (["train", "--dataset", "synthetic", "--option", "rows", "--model", "FM"], "KEY=VALUE"),
        (["results", "nowhere"], "no results here"),
    ],
)
def test_bad_input_is_one_clear_line(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    code = cli.main(["-q", *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("sseds: error:") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_train_search_and_mixed_widths(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    common = ["--dataset", "synthetic", "--option", "rows=3000", "--epochs", "2", "--emb-dim", "4"]
    assert cli.main(["-q", "search", *common, "--model", "FM", "--budget", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "achieved" in out and "d=" in out
    fields = [line for line in out.splitlines() if "d=" in line]
    widths = ",".join(line.split("d=")[1].split()[0] for line in fields)
    assert cli.main(["-q", "train", *common, "--model", "FM", "--emb-dims", widths, "--out", "fm"]) == 0
    assert (tmp_path / "fm" / "model.pt").exists()
    metrics = json.loads((tmp_path / "fm" / "metrics.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == list(range(1, metrics["epochs"] + 1))  # learning curve
    assert metrics["best_epoch"] in range(1, metrics["epochs"] + 1)
    assert "test AUC" in capsys.readouterr().out


def test_smoke_sweep_and_results(tmp_path):
    proc = run_cli("-q", "sweep", str(REPO / "configs" / "smoke.yaml"), "--results", str(tmp_path / "r"),
                   cwd=tmp_path, env_extra={"SSEDS_DATA_DIR": str(tmp_path / "data")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "0 failed" in proc.stdout
    proc = run_cli("results", str(tmp_path / "r"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "sseds" in proc.stdout and "uniform" in proc.stdout and "test_auc_mean" in proc.stdout
    # variants are named against the profile's own search settings (smoke: K = 4), so none here
    assert "num_batches=4" not in proc.stdout
