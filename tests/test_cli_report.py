"""``sseds init`` and ``sseds report`` from the command line, and ``sseds search`` with a method that
masks entries (PEP): what they print, what they write, and one line (exit 2, nothing written under
results/) for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sseds_study import cli
from sseds_study.data.example_table import write_example_table
from sseds_study.study.profile import load_study
from tablehelpers import table_profile


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.setenv("SSEDS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SSEDS_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.chdir(tmp_path)
    write_example_table(tmp_path / "clicks.csv", rows=600, seed=1)
    return tmp_path


def _error(capsys, code, *parts):
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.startswith("sseds: error:") and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert all(p in err for p in parts), err
    return err


def _results(folder: Path) -> list[str]:
    root = folder / "results"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_init_prints_the_proposal_and_writes_the_profile(here, capsys):
    assert cli.main(["init", "--data", "clicks.csv", "--label", "click", "--out", "profiles/clicks.yaml",
                     "--categorical", "device", "--ignore", "age"]) == 0
    out = capsys.readouterr().out
    assert "row_id" in out and " ? " in out and "wrote profiles/clicks.yaml" in out
    assert "sseds report profiles/clicks.yaml --quick" in out
    study = load_study(here / "profiles" / "clicks.yaml")
    options = study.datasets[0].options
    assert "age" not in options["numeric"] and "device" in options["categorical"]
    text = (here / "profiles" / "clicks.yaml").read_text()
    assert yaml.safe_load(text)["datasets"][0]["options"]["path"] == "../clicks.csv"
    assert "# Command: sseds init --data clicks.csv --label click" in text


def test_init_quick_names_the_profile_after_the_table(here, capsys):
    assert cli.main(["-q", "init", "--data", "clicks.csv", "--label", "click", "--quick"]) == 0
    assert load_study(here / "clicks.yaml").seeds == (0, 1, 2)


@pytest.mark.parametrize("argv, parts", [
    (["--data", "nope.csv", "--label", "click"], ["nope.csv: file not found"]),
    (["--data", "clicks.csv", "--label", "clicked"], ["clicks.csv, line 1: no label column 'clicked'"]),
    (["--data", "clicks.csv", "--label", "price"], ["label column 'price': expected 0 or 1"]),
    (["--data", "clicks.csv", "--label", "click", "--numeric", "colour"], ["--numeric: no column 'colour'"]),
    (["--data", "clicks.csv", "--label", "click", "--multi", "tags", "--ignore", "tags"],
     ["--ignore: column 'tags' is also given to --multi"]),
    (["--data", "clicks.csv", "--label", "click", "--sample-rows", "0"], ["sample rows: expected a positive integer"]),
    (["--data", "clicks.csv", "--label", "click", "--out", "p.txt"], ["--out p.txt: expected a file name ending in .yaml"]),
])
def test_init_bad_input_is_one_line_and_writes_nothing(here, capsys, argv, parts):
    _error(capsys, cli.main(["-q", "init", *argv]), *parts)
    assert not list(here.glob("*.yaml")) and not list(here.glob("*.yml"))


def test_init_keeps_an_existing_profile(here, capsys):
    (here / "clicks.yaml").write_text("mine\n")
    _error(capsys, cli.main(["-q", "init", "--data", "clicks.csv", "--label", "click"]), "--out clicks.yaml: exists",
           "--force")
    assert (here / "clicks.yaml").read_text() == "mine\n"


@pytest.mark.parametrize("setup, argv, parts", [
    (None, ["nope.yaml"], ["nope.yaml: config file not found"]),
    ("two", ["two.yaml"], ["two.yaml: datasets: a report covers one dataset; this profile has 2"]),
    ("small", ["small.yaml", "--quick"], ["the quick tier", "needs a budget of at least 0.25"]),
    ("missing", ["missing.yaml"], ["gone.csv", "file not found"]),
    ("bad", ["bad.yaml"], ["bad.yaml: study.datasets[0]", "unknown option(s) colour"]),
    ("yaml", ["y.yaml"], ["y.yaml, line 2, column 12: not valid YAML: mapping values are not allowed here"]),
])
def test_report_bad_input_is_one_line_and_writes_nothing_under_results(here, capsys, setup, argv, parts):
    if setup == "two":
        path = table_profile(here, "two")
        data = yaml.safe_load(path.read_text())
        data["datasets"].append({"name": "synthetic", "options": {"rows": 1000}})
        path.write_text(yaml.safe_dump(data))
    elif setup == "small":
        table_profile(here, "small")  # D = 4: the quick tier's budget 0.1 is below min_dim's 1/4
    elif setup == "missing":
        path = table_profile(here, "missing")
        path.write_text(path.read_text().replace("clicks.csv", "gone.csv"))
    elif setup == "bad":
        path = table_profile(here, "bad")
        data = yaml.safe_load(path.read_text())
        data["datasets"][0]["options"]["colour"] = "red"
        path.write_text(yaml.safe_dump(data))
    elif setup == "yaml":
        (here / "y.yaml").write_text("name: y\ndatasets: a: b\n")
    _error(capsys, cli.main(["-q", "report", *argv]), *parts)
    assert _results(here) == []


@pytest.mark.slow
def test_report_estimate_stops_before_the_sweep(here, capsys):
    path = table_profile(here, "est")
    assert cli.main(["-q", "report", str(path), "--estimate"]) == 0
    out = capsys.readouterr().out
    assert "est: custom tier; table (clicks.csv); models FM" in out
    assert "estimate: 14 fits to do (14 FM; 0 of 12 runs already done)" in out and "about" in out
    assert _results(here) == []
