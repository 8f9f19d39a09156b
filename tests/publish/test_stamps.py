"""Chapters stamped with the commit they ran at, and the problems of a stamp the book cannot stand behind."""

from __future__ import annotations

import json
import subprocess

from sseds_study.publish.stamps import chapter_commit, chapter_problems, stamp_chapter


def _git(repo, *args) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def _repo(tmp_path):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.org")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "a.py").write_text("x\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "first")
    return tmp_path, _git(tmp_path, "rev-parse", "HEAD")


def _chapter(path, **metadata):
    path.write_text(json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_a_stamp_is_kept_with_the_rest_of_the_notebook(tmp_path):
    nb = _chapter(tmp_path / "01.ipynb", kernelspec={"name": "sseds"})
    stamp_chapter(nb, "abc")
    assert chapter_commit(nb) == "abc"
    assert json.loads(nb.read_text())["metadata"]["kernelspec"] == {"name": "sseds"}


def test_each_problem_is_named(tmp_path):
    repo, head = _repo(tmp_path)
    good = _chapter(repo / "01.ipynb")
    stamp_chapter(good, head)
    unstamped = _chapter(repo / "02.ipynb")
    dirty = _chapter(repo / "03.ipynb")
    stamp_chapter(dirty, head + "+dirty")
    foreign = _chapter(repo / "04.ipynb")
    stamp_chapter(foreign, "0" * 40)
    problems = chapter_problems([good, unstamped, dirty, foreign], repo)
    assert len(problems) == 3
    assert "02.ipynb: no record" in problems[0]
    assert "03.ipynb: executed at" in problems[1] and "uncommitted" in problems[1]
    assert "04.ipynb" in problems[2] and "not a commit of this branch" in problems[2]
    assert chapter_problems([good], repo) == []
