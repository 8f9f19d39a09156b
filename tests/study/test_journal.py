"""The journal and the results table."""

from __future__ import annotations

import gzip
import json
import shutil

import pandas as pd
import pytest

from sseds_study import study as st
from sseds_study.config import ConfigError
from studyhelpers import tiny


def test_table_keeps_only_the_current_profile_runs(tmp_path):
    rows = {"a": {"key": "a", "dataset": "d", "model": "FM", "method": "sseds", "budget": 0.1, "seed": 0},
            "old": {"key": "old", "dataset": "d", "model": "FM", "method": "uniform", "budget": 0.05, "seed": 0}}
    df = st.write_table(tmp_path, rows, keep={"a"})
    assert list(df["key"]) == ["a"]
    assert list(pd.read_csv(tmp_path / st.RESULTS_FILE)["key"]) == ["a"]


# -- damaged state repairs itself ---------------------------------------------------------------------------
STUDY = {"methods": ["full", "uniform"]}  # one pretrain, three runs: seconds


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("journal")
    report = st.sweep(tiny(**STUDY), out, progress=False)
    assert report.failed == 0
    return out


@pytest.fixture
def results(swept, tmp_path):
    """A copy of a finished sweep's folder, to damage."""
    return shutil.copytree(swept, tmp_path / "r")


def _one_notice(capsys, *parts) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert all(p in err for p in parts), err
    return err


@pytest.mark.parametrize("content", ["[1, 2]", '{"key": "x"}', "{not json", "", "NaN"])
def test_a_journal_file_that_is_not_a_run_is_set_aside_and_redone(results, capsys, content):
    paths = sorted((results / "runs").glob("*.json"))
    victim = paths[0]
    victim.write_text(content)
    capsys.readouterr()
    journal = st.read_journal(results)
    _one_notice(capsys, str(victim), "not a journal entry of a run", "moved to", "will be done again")
    assert victim.stem not in journal and len(journal) == len(paths) - 1
    assert victim.with_name(victim.name + ".bad").read_text() == content
    report = st.sweep(tiny(**STUDY), results, progress=False)  # the next sweep redoes exactly that run
    assert report.executed == 1 and report.failed == 0 and len(report.table) == len(paths)
    assert json.loads(victim.read_text())["key"] == victim.stem


def test_a_run_filed_under_another_name_is_set_aside(results, capsys):
    paths = sorted((results / "runs").glob("*.json"))
    stray = results / "runs" / "0000000000000000.json"
    shutil.copy(paths[0], stray)  # a copy from elsewhere: the run says it is another key
    capsys.readouterr()
    journal = st.read_journal(results)
    _one_notice(capsys, str(stray), "filed under another name")
    assert set(journal) == {p.stem for p in paths} and not stray.exists()


@pytest.mark.parametrize("damage", ["empty", "cut", "rows_lost", "garbage"])
def test_a_damaged_results_table_is_rebuilt_from_the_journal(results, capsys, damage):
    table = results / st.RESULTS_FILE
    good = table.read_text()
    expected = pd.read_csv(table)
    capsys.readouterr()
    assert st.load_results(results).equals(expected) and capsys.readouterr().err == ""  # intact: silent
    damaged = {"empty": "", "cut": good[: len(good) - 40], "rows_lost": "\n".join(good.splitlines()[:-1]) + "\n",
               "garbage": "\x00\x01 not a table"}[damage]
    table.write_text(damaged)
    df = st.load_results(results)
    err = _one_notice(capsys, str(table), "does not match the journal", f"the journal has {len(expected)} run(s)",
                      "rebuilt from the journal")
    if damage == "cut":
        assert "the last one cut off" in err
    pd.testing.assert_frame_equal(df, expected)
    assert table.read_text() == good


def test_a_damaged_study_file_is_reported_and_the_table_still_checked(results, capsys):
    (results / st.journal.STUDY_FILE).write_text('{"name": "tiny", "datas')
    (results / st.RESULTS_FILE).write_text("")
    capsys.readouterr()
    df = st.load_results(results)
    err = capsys.readouterr().err
    assert "study.json: unreadable" in err and "rebuilt from the journal" in err
    assert len(df) == len(list((results / "runs").glob("*.json")))
    st.sweep(tiny(**STUDY), results, progress=False)  # the next sweep writes it again
    assert st.saved_study(results) == tiny(**STUDY)


@pytest.mark.parametrize("text, reason", [("", "the last row is cut off"), ("key,status\nab,o", "the last row is cut off"),
                                          ("\n", "No columns to parse")])
def test_a_table_without_journal_that_is_not_whole(tmp_path, text, reason):
    (tmp_path / st.RESULTS_FILE).write_text(text)
    with pytest.raises(ConfigError, match=rf"results.csv: not a whole results table \({reason}.*\) and no journal"):
        st.load_results(tmp_path)
    (tmp_path / st.RESULTS_FILE).write_text("key,status\nab,ok\n")
    assert st.load_results(tmp_path)["status"].tolist() == ["ok"]


@pytest.mark.parametrize("content, message", [
    (gzip.compress(b"key,status\nab,ok\n"), r"results.csv: compressed \(gzip\); decompress it first"),
    (b"key,status\nab,\xe9\n", r"results.csv, line 2: not UTF-8 text \(byte 0xe9 at position 4"),
])
def test_a_table_without_journal_is_read_by_the_one_text_reader(tmp_path, content, message):
    (tmp_path / st.RESULTS_FILE).write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        st.load_results(tmp_path)


def test_a_reader_that_must_not_write_gets_the_journal_table(results, capsys):
    table = results / st.RESULTS_FILE
    expected = pd.read_csv(table)
    table.write_text("")
    pd.testing.assert_frame_equal(st.load_results(results, repair=False), expected)
    assert "using the journal's runs" in capsys.readouterr().err and table.read_text() == ""
