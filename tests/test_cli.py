"""The `sseds` command: help on every subcommand, one-line errors for bad input, the smoke sweep."""

from __future__ import annotations

import errno
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sseds_study import cli
from sseds_study import study as st

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("data", "train", "search", "sweep", "results", "init", "report")


def run_cli(*args, cwd=None, env_extra=None):
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


def _fake_rule(path) -> None:
    """A regime rule fitted on a made-up table (the gain rises with the importance Gini), saved at ``path``."""
    import numpy as np
    import pandas as pd

    from sseds_study.search.regime_rule import FEATURES, fit_rule

    rng = np.random.default_rng(0)
    table = pd.DataFrame({f: rng.uniform(-1.0, 3.0, 30) for f in FEATURES})
    table["gain"] = 0.01 * table["importance_gini"] - 0.002
    fit_rule(table, provenance={"settings": 7, "held_out_sign_accuracy": 0.75}).save(path)


def test_search_ends_with_the_regime_rule_line(here, capsys, monkeypatch):
    """The advice scores the pretrained model with mean_abs on K training batches: SSEDS's own scores when
    it scored so (one scoring in all), one more scoring otherwise; the same line whichever the method."""
    from sseds_study.study import pretrain

    calls = []
    score = pretrain.compute_saliency
    monkeypatch.setattr(pretrain, "compute_saliency", lambda *a, **k: calls.append(k["estimator"]) or score(*a, **k))
    rule = here / "rule.json"
    monkeypatch.setenv("SSEDS_REGIME_RULE", str(rule))
    common = ["-q", "search", "--dataset", "synthetic", "--option", "rows=3000", "--epochs", "1", "--emb-dim", "4",
              "--model", "FM", "--budget", "0.3", "--num-batches", "3"]

    def last_line(*extra) -> str:
        calls.clear()
        assert cli.main([*common, *extra]) == 0
        return capsys.readouterr().out.splitlines()[-1]

    missing = last_line()
    assert missing == (f"regime rule: not fitted in this installation (no {rule}); fit it with `make regime-rule` "
                       "to get advice on whether a width search pays here")
    _fake_rule(rule)
    line = last_line()
    assert line.startswith("regime rule: predicted SSEDS - uniform test AUC ") and "importance Gini " in line
    assert line.endswith("fitted on 7 synthetic settings, held-out sign accuracy 75%)") and calls == ["mean_abs"]
    assert last_line("--method", "uniform") == line and calls == ["mean_abs"]  # scored for the advice alone
    assert last_line("--estimator", "fisher") == line and calls == ["fisher", "mean_abs"]
    assert last_line("--no-advice").startswith("  ") and calls == ["mean_abs"]  # the last field's width
    rule.write_text("{ not json")
    assert last_line().startswith(f"regime rule: no advice ({rule}, line 1: not valid JSON")


@pytest.mark.slow
def test_search_with_pep_prints_the_kept_entries_per_field(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    common = ["--dataset", "synthetic", "--option", "rows=4000", "--epochs", "2", "--emb-dim", "4",
              "--model", "FM", "--budget", "0.3"]
    pep = ["--pep-granularity", "dim", "--pep-threshold-init", "-6", "--pep-threshold-lr", "0.1",
           "--pep-weight-decay", "0.01", "--pep-max-epochs", "10"]
    assert cli.main(["-q", "search", *common, "--method", "pep", *pep]) == 0
    out = capsys.readouterr().out
    assert "/ pep: budget 0.3 -> achieved" in out
    rows = [line for line in out.splitlines() if "entries" in line]
    assert len(rows) == 8 and all("kept" in r and "%" in r for r in rows)
    assert list((tmp_path / "results" / "search" / "pep").glob("*.pt"))  # the search run is cached for a rerun
    _one_line_error(capsys, cli.main(["-q", "search", *common[:-1], "1.0", "--method", "pep"]),
                    "method 'pep' prunes the full model; expected a budget below 1")


@pytest.mark.slow
def test_search_with_qr_prints_rows_per_field_and_names_its_smallest_budget(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    common = ["--dataset", "synthetic", "--option", "rows=4000", "--epochs", "1", "--emb-dim", "4",
              "--model", "FM", "--no-advice", "--method", "qr"]
    assert cli.main(["-q", "search", *common, "--budget", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "/ qr: budget 0.5 -> achieved" in out
    rows = [line for line in out.splitlines() if " k=" in line]
    assert len(rows) == 8 and all("rows" in r and "%" in r for r in rows)
    _one_line_error(capsys, cli.main(["-q", "search", *common, "--budget", "0.05"]),
                    "QR embeddings at width D=4 need at least")


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


# -- hostile input: one line naming the option, file or line; exit 2; nothing written; before any work --
@pytest.fixture
def here(tmp_path, monkeypatch):
    """A fresh working folder with its own data cache and a few small tables."""
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.chdir(tmp_path)
    rows = "".join(f"{i % 2},u{i % 7},{i % 5}\n" for i in range(200))
    (tmp_path / "t.csv").write_text("y,user,price\n" + rows)
    (tmp_path / "t.txt").write_text("y\tuser\tprice\n" + rows.replace(",", "\t"))
    (tmp_path / "dup.csv").write_text("y,user,user\n" + rows)
    (tmp_path / "one.csv").write_text("y,user\n" + "".join(f"1,u{i % 7}\n" for i in range(200)))
    (tmp_path / "spec.yaml").write_text("label: y\nnumeric: [price]\ndelimiter: ';;'\n")
    (tmp_path / "p.yaml").write_text((REPO / "configs" / "smoke.yaml").read_text())
    return tmp_path


def _one_line_error(capsys, code, *parts):
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("sseds: error:") and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert all(p in err for p in parts), err
    return err


TABLE = ["--dataset", "table", "--path", "t.csv", "--label", "y", "--categorical", "user"]


@pytest.mark.parametrize(
    "argv, parts",
    [
        (["sweep", "p.yaml", "--workers", "-1"], ["workers: expected a positive integer; got -1"]),
        (["sweep", "p.yaml", "--workers", "0"], ["workers: expected a positive integer; got 0"]),
        (["data", "--dataset", "table", "--label", "y", "--categorical", "user"], ["table: no data given", "--path"]),
        (["data", "--dataset", "criteo"], ["criteo: no data given"]),
        (["data", *TABLE, "--option", "delimiter=;;"], ["option delimiter: expected one character", "';;'"]),
        (["data", *TABLE, "--spec", "spec.yaml"], ["spec.yaml: delimiter: expected one character"]),
        (["data", *TABLE, "--option", "colour=red"], ["unknown option(s) colour; valid options:", "delimiter"]),
        (["data", *TABLE, "--option", "=5"], ["--option '=5': expected KEY=VALUE"]),
        (["data", *TABLE, "--option", "split_seed=abc"], ["option split_seed: expected an integer seed from 0 to 2**63 - 1; got 'abc'"]),
        (["data", "--dataset", "synthetic", "--option", "rows=abc"], ["option rows: expected an integer >= 10"]),
        (["data", "--dataset", "table", "--path", "dup.csv", "--label", "y", "--categorical", "user"],
         ["dup.csv, line 1: column 'user' appears 2 times in the header (columns 2, 3)"]),
        (["train", "--dataset", "table", "--path", "one.csv", "--label", "y", "--categorical", "user", "--epochs",
          "1"], ["every label in the train split is 1", "both classes"]),
        (["train", "--dataset", "synthetic", "--option", "rows=2000", "--hidden-dims", "-4"],
         ["model.hidden_dims: expected positive integers; got -4"]),
    ],
)
def test_more_bad_input_is_one_clear_line(here, capsys, argv, parts):
    _one_line_error(capsys, cli.main(["-q", *argv]), *parts)


def test_tab_and_comma_given_with_option_are_used(here, capsys):
    assert cli.main(["-q", "data", "--dataset", "table", "--path", "t.txt", "--label", "y", "--categorical", "user",
                     "--option", "delimiter=\t"]) == 0
    assert "table: 200 rows, 1 fields" in capsys.readouterr().out
    (here / "m.csv").write_text("y|tags\n" + "".join(f"{i % 2}|a,b{i % 3}\n" for i in range(50)))
    assert cli.main(["-q", "data", "--dataset", "table", "--path", "m.csv", "--label", "y", "--multi", "tags",
                     "--option", "delimiter=|", "--option", "multi_sep=,"]) == 0
    assert "multi" in capsys.readouterr().out


def test_data_notes_a_label_with_one_class(here, capsys):
    assert cli.main(["-q", "data", "--dataset", "table", "--path", "one.csv", "--label", "y", "--categorical",
                     "user"]) == 0
    assert "note: every label in the train split is 1; training needs both 0 and 1" in capsys.readouterr().out


def test_output_places_are_checked_before_any_work(here, capsys, monkeypatch):
    (here / "afile").write_text("not a folder")
    common = ["--dataset", "synthetic", "--option", "rows=2000", "--epochs", "1", "--model", "FM"]
    _one_line_error(capsys, cli.main(["-q", "train", *common, "--out", "afile"]),
                    "--out afile: exists and is not a folder")
    _one_line_error(capsys, cli.main(["-q", "train", *common, "--out", "afile/sub"]), "afile is a file")
    _one_line_error(capsys, cli.main(["-q", "search", *common, "--results", "afile"]), "--results afile")
    _one_line_error(capsys, cli.main(["-q", "sweep", "p.yaml", "--results", "afile"]),
                    "results folder afile: exists and is not a folder")
    _one_line_error(capsys, cli.main(["-q", "search", *common, "--budget", "2"]), "--budget: expected a fraction",
                    "got 2")
    assert not (here / "data").exists() and not (here / "results").exists()  # nothing loaded, nothing written
    # min_dim against the budget needs the vocabulary sizes: the data, but never a pretraining
    _one_line_error(capsys, cli.main(["-q", "search", *common, "--budget", "0.01", "--min-dim", "1"]),
                    "min_dim=1 alone needs")
    assert not (here / "results").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_folders(here, capsys):
    ro = here / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        _one_line_error(capsys, cli.main(["-q", "train", "--dataset", "synthetic", "--option", "rows=2000", "--out",
                                          "ro/x"]), "--out ro/x: cannot write in ro")
        _one_line_error(capsys, cli.main(["-q", "sweep", "p.yaml", "--results", "ro"]), "results folder ro: cannot write")
    finally:
        ro.chmod(0o755)


def test_a_full_disk_is_one_line(here, capsys, monkeypatch):
    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(cli, "atomic_write_text", full)
    code = cli.main(["-q", "train", "--dataset", "synthetic", "--option", "rows=2000", "--epochs", "1", "--model", "FM",
                     "--out", "o"])
    _one_line_error(capsys, code, "o/metrics.json: No space left on device; free some space")
    assert not (here / "o" / "metrics.json").exists() and not list((here / "o").glob(".*.tmp"))


def test_a_second_sweep_on_the_same_folder_fails_at_once(here):
    with st.sweep_lock(here / "r"):
        proc = run_cli("-q", "sweep", "p.yaml", "--results", str(here / "r"), cwd=here)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert f"results folder {here / 'r'}: another sweep is running on it (pid {os.getpid()})" in proc.stderr
    assert not (here / "r" / "runs").exists()


def test_results_of_a_damaged_table_are_rebuilt(here, capsys):
    out = here / "r"
    assert cli.main(["-q", "sweep", "p.yaml", "--results", str(out)]) == 0
    capsys.readouterr()
    assert cli.main(["results", str(out)]) == 0
    good = capsys.readouterr().out
    table = out / "results.csv"
    table.write_text(table.read_text()[:300])  # truncated mid-row
    assert cli.main(["results", "p.yaml", "--results", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == good and "does not match the journal" in captured.err
    table.write_text("")
    assert cli.main(["results", str(out)]) == 0 and capsys.readouterr().out == good


def test_output_cut_off_by_the_reader_is_no_traceback(here):
    proc = subprocess.run(f"{sys.executable} -m sseds_study.cli -q data --dataset synthetic --option rows=2000 | head -1",
                          shell=True, capture_output=True, text=True, cwd=here, timeout=300)
    assert proc.stdout.startswith("synthetic: 2,000 rows") and "Traceback" not in proc.stderr, proc.stderr


# -- hostile input, round two (issue 28) ------------------------------------------------------------------
SYN = ["--dataset", "synthetic", "--option", "rows=2000", "--model", "FM", "--epochs", "1"]


@pytest.mark.parametrize("argv, parts", [
    (["train", *SYN, "--seed", "18446744073709551616"],
     ["--seed: train.seed: expected an integer seed from 0 to 2**63 - 1; got 18446744073709551616"]),
    (["train", *SYN, "--seed", "9223372036854775808"], ["--seed: train.seed: expected an integer seed"]),
    (["search", *SYN, "--seed", "-1"], ["--seed: train.seed: expected an integer seed from 0 to 2**63 - 1; got -1"]),
    (["data", "--split-seed", "-2"], ["--split-seed: data.split_seed: expected an integer seed"]),
    (["data", "--dataset", "synthetic", "--option", "seed=-1"],
     ["option seed: expected an integer seed from 0 to 2**63 - 1; got -1"]),
    (["data", *TABLE, "--option", "split_seed=99999999999999999999"], ["option split_seed: expected an integer seed"]),
    (["train", *SYN, "--lr", "inf"], ["--lr: train.lr: expected a positive value; got inf (not a finite number)"]),
    (["train", *SYN, "--emb-dims", "4,4,4,4,4,4,4,99"], ["--emb-dims: model.emb_dims: every width must be"]),
    (["sweep", "."], [".: is a folder; expected a config file"]),
    (["results", "folder.yaml"], ["folder.yaml: is a folder; expected a config file"]),
    (["sweep", "latin1.yaml"], ["latin1.yaml, line 1: not UTF-8 text (byte 0xe9 at position 6 of the line, byte "
                                "offset 5 of the file); save the file as UTF-8"]),
    (["sweep", "twice.yaml"], ["twice.yaml, line ", ": key 'budgets' is given twice (first on line "]),
    (["data", *TABLE[:3], "t.csv.gz", *TABLE[4:]], ["t.csv.gz: compressed (gzip); decompress it first (gunzip)"]),
    (["data", *TABLE, "--spec", "latin1.yaml"], ["latin1.yaml, line 1: not UTF-8 text"]),
    (["search", *SYN, "--results", "dangling"],
     ["--results dangling: dangling is a symbolic link to ", "which does not exist; expected a folder"]),
    (["train", *SYN, "--out", "dangling/run"], ["--out dangling/run: dangling is a symbolic link to "]),
    (["sweep", "p.yaml", "--results", "dangling"], ["results folder dangling: dangling is a symbolic link"]),
])
def test_hostile_input_round_two_is_one_clear_line(here, capsys, argv, parts):
    (here / "folder.yaml").mkdir()
    (here / "latin1.yaml").write_bytes(b"# caf\xe9\n" + (REPO / "configs" / "smoke.yaml").read_bytes())
    (here / "twice.yaml").write_text((REPO / "configs" / "smoke.yaml").read_text() + "budgets: [0.5]\n")
    (here / "t.csv.gz").write_bytes(gzip.compress((here / "t.csv").read_bytes()))
    (here / "dangling").symlink_to(here / "nowhere")
    _one_line_error(capsys, cli.main(["-q", *argv]), *parts)
    assert not (here / "nowhere").exists() and not (here / "runs").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_while_writing_the_checkpoint_is_one_line(here, capsys, monkeypatch):
    import builtins

    from sseds_study import fileio

    def full_open(path, mode="r", **kwargs):
        if "w" in mode and Path(path).name.startswith(".model.pt."):
            return builtins.open("/dev/full", mode, **kwargs)
        return builtins.open(path, mode, **kwargs)

    monkeypatch.setattr(fileio, "open", full_open, raising=False)
    code = cli.main(["-q", "train", *SYN, "--emb-dim", "32", "--out", "o"])
    _one_line_error(capsys, code, "sseds: error: o/model.pt: No space left on device; free some space")
    assert not list((here / "o").iterdir())  # nothing half-written


def test_outputs_are_readable_by_others_under_the_usual_umask(here, capsys):
    old = os.umask(0o022)
    try:
        assert cli.main(["-q", "train", *SYN, "--out", "o"]) == 0
    finally:
        os.umask(old)
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in (here / "o").iterdir()} == {
        "metrics.json": "0o644", "model.pt": "0o644"}
