"""Building a report: the template's chapters glue what the analysis functions return, the book files
come from the template, and a report is replaced whole or not at all (nothing half-written under
results/)."""

from __future__ import annotations

import re

import pytest

from sseds_study.errors import SsedsError
from sseds_study.report import build
from sseds_study.report.build import CHAPTERS, TEMPLATE, build_report, replace_folder, write_book_files

FUNCTIONS = {"summary": ("sseds_study.analysis.claims_report", "summary_chapter"),
             "data": ("sseds_study.analysis.data", "profile_data_chapter"),
             "widths": ("sseds_study.analysis.search", "widths_chapter"),
             "verdict": ("sseds_study.analysis.budget", "verdict_chapter")}


def test_every_chapter_of_the_toc_has_a_source():
    toc = (TEMPLATE / "_toc.yml").read_text()
    assert set(re.findall(r"(?:root|file): (\w+)", toc)) == set(CHAPTERS)
    for name in CHAPTERS:
        source = (TEMPLATE / f"{name}.py").read_text()
        module, function = FUNCTIONS[name]
        assert f"from {module} import {function}" in source and 'profile = "smoke"' in source


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTERS)
def test_each_chapter_glues_and_shows_what_its_function_returns(own_table, name):
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    module, function = FUNCTIONS[name]
    chapter = getattr(importlib.import_module(module), function)(own_table)
    source = (TEMPLATE / f"{name}.py").read_text()
    glued = set(re.findall(r"\{glue:(?:text|md)\}`([a-z_0-9A-Z]+)(?::[^`]*)?`", source))
    assert glued and glued <= set(chapter.text) | set(chapter.markdown), glued - set(chapter.text)
    assert set(re.findall(r'chapter\.tables\["([a-z_]+)"\]', source)) == set(chapter.tables)
    assert set(re.findall(r"\{glue:figure\} ([a-z_0-9]+)", source)) == set(chapter.figures)


def test_the_book_files_come_from_the_template(tmp_path):
    write_book_files(tmp_path, profile="mine", data="table (clicks.csv)")
    config = (tmp_path / "_config.yml").read_text()
    assert 'title: "SSEDS on table (clicks.csv): a report"' in config and "Profile mine" in config
    assert (tmp_path / "_toc.yml").read_text() == (TEMPLATE / "_toc.yml").read_text()
    assert (tmp_path / "_ext" / "unique_scripts.py").is_file()


def test_a_report_replaces_the_old_one_whole(tmp_path):
    target, staging = tmp_path / "report", tmp_path / ".new"
    target.mkdir()
    (target / "old.html").write_text("old")
    staging.mkdir()
    (staging / "new.html").write_text("new")
    replace_folder(staging, target)
    assert [p.name for p in tmp_path.iterdir()] == ["report"] and [p.name for p in target.iterdir()] == ["new.html"]


def test_a_failed_chapter_leaves_the_old_report_and_nothing_else(tmp_path, monkeypatch):
    target = tmp_path / "results" / "p" / "report"
    target.mkdir(parents=True)
    (target / "index.html").write_text("the previous report")
    calls = []

    def fail_second(name, *args):
        calls.append(name)
        if len(calls) == 2:
            raise SsedsError(f"report chapter {name}: ValueError: boom")
        (args[1] / f"{name}.ipynb").write_text("{}")

    monkeypatch.setattr(build, "execute_chapter", fail_second)
    monkeypatch.setattr(build, "kernel_name", lambda: "python3")
    with pytest.raises(SsedsError, match="report chapter data: ValueError: boom"):
        build_report(tmp_path / "p.yaml", target, results_root=tmp_path / "results", data="d", profile="p")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report"]
    assert [p.name for p in target.iterdir()] == ["index.html"]
