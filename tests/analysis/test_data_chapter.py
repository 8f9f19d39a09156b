"""Chapter 01 (analysis/data.py; not test_data.py: tests/figures has one, and test basenames must differ)
at the smoke profile: everything its notebook glues and shows, the numbers glued as numbers (the prose
formats them), and the planted-truth dataset read from the planted companion."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from sseds_study.analysis import data_chapter  # noqa: E402
from sseds_study.data.paths import repo_root  # noqa: E402

NOTEBOOK = repo_root() / "notebooks" / "01_data.py"


@pytest.fixture(scope="module")
def chapter():
    return data_chapter("smoke")


@pytest.mark.slow
def test_the_chapter_has_everything_its_notebook_glues_and_shows(chapter):
    source = NOTEBOOK.read_text()
    glued = set(re.findall(r"\{glue:text\}`([a-z_0-9A-Z]+)(?::[^`]*)?`", source))
    assert glued and glued <= set(chapter.text), glued - set(chapter.text)
    shown = set(re.findall(r'chapter\.tables\["([a-z_]+)"\]', source))
    assert shown == set(chapter.tables)
    figures = set(re.findall(r"\{glue:figure\} ([a-z_0-9]+)", source))
    # MovieLens-100K's cardinality, popularity and click rates, the planted data's cardinality and click
    # rates: the empty missing-value figures are a sentence with their numbers instead.
    assert figures == set(chapter.figures) == {"fig_ml_cardinality", "fig_ml_popularity", "fig_ml_positive",
                                               "fig_syn_cardinality", "fig_syn_positive"}
    assert {"missing_max", "ml_unseen_valid", "ml_unseen_test", "other_unseen_max"} <= set(chapter.text)


@pytest.mark.slow
def test_numbers_are_glued_as_numbers_and_the_planted_data_named(chapter):
    text = chapter.text
    assert text["profile"] == "smoke"
    assert text["ml_rows"] == 100_000 and isinstance(text["ml_rows"], int)
    assert isinstance(text["ml_pos_rate"], float) and 0 < text["ml_pos_rate"] < 1
    assert text["syn_name"] == "synthetic" and text["syn_profile"] == "smoke"  # smoke names no planted companion
    assert 0 < text["syn_relevant"] <= text["syn_fields"] and 0.5 < text["syn_bayes_auc"] <= 1
    # The planted rank is in each field's label ('f1 (noise)', 'f4 (rank 8)'), not a column of its own.
    truth = chapter.tables["syn_truth"]
    assert list(truth.cells.columns)[:2] == ["field", "vocab_size"] and "planted_rank" not in truth.cells
    labels = list(truth.cells["field"])
    assert len(labels) == text["syn_fields"]
    assert sum(label.endswith("(noise)") for label in labels) == text["syn_fields"] - text["syn_relevant"]
    assert all(re.fullmatch(r"\S+ \((noise|rank [1-9]\d*)\)", label) for label in labels), labels
    # The planted-data figure's panels name the same fields the same way ('f1 (noise), 1,000 values').
    titles = [ax.get_title().rsplit(", ", 1)[0] for ax in chapter.figures["fig_syn_positive"].axes if ax.get_title()]
    assert titles == labels, titles


@pytest.mark.slow
def test_the_chapter_of_a_profiles_own_table(own_table):
    """A profile with one ``table`` dataset and no companions: its own data, nothing of MovieLens."""
    from sseds_study.analysis.data import profile_data_chapter

    chapter = profile_data_chapter(own_table)
    assert chapter.text["data_name"] == "table (clicks.csv)" and chapter.text["data_rows"] == 1500
    assert chapter.text["data_fields"] == 7 and chapter.text["data_kinds"] == "4 categorical, 2 numeric, 1 multi"
    assert chapter.text["data_largest"] == "user" and 0 < chapter.text["data_largest_share"] < 1
    # The figures chapter 1 shows of MovieLens-100K; missing and unseen values as numbers, not a figure.
    assert set(chapter.tables) == {"summary", "fields"}
    assert set(chapter.figures) == {"fig_data_cardinality", "fig_data_popularity", "fig_data_positive"}
    assert chapter.text["data_missing_max"] >= 0 and 0 <= chapter.text["data_unseen_valid"] <= 1
    template = (repo_root() / "book" / "report_template" / "data.py").read_text()
    assert set(re.findall(r"\{glue:figure\} ([a-z_0-9]+)", template)) == set(chapter.figures)
    assert set(re.findall(r"\{glue:text\}`([a-z_0-9A-Z]+)(?::[^`]*)?`", template)) <= set(chapter.text)
    assert list(chapter.tables["summary"].cells["name"]) == ["user", "item", "site", "device", "price", "age", "tags"]
