"""The book's bibliography style (book/_ext/authoryear_bib.py): labels in the text's author-year form,
unique, sorted as a reader expects, and software dated by its pinned version; then the book's own
references.bib through it, and a tiny Sphinx build citing from the text."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest
from pybtex.database import parse_string

from sseds_study.data.paths import repo_root

ROOT = repo_root()
EXT = ROOT / "book" / "_ext"


@pytest.fixture(scope="module")
def style_module():
    spec = importlib.util.spec_from_file_location("authoryear_bib", EXT / "authoryear_bib.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    module.register()
    return module


def labelled(module, bibtex: str) -> list[tuple[str, str]]:
    """(key, label) in the order the bibliography lists them."""
    style = module.Style()
    entries = style.sort(parse_string(bibtex, "bibtex").entries.values())
    return [(e.key, label) for e, label in zip(entries, style.format_labels(entries), strict=True)]


SMALL = r"""
@misc{tool, title = {{papermill}}, author = {{nteract contributors}}, version = {2.7.0}}
@misc{one, title = {B}, author = {Rendle, Steffen}, year = {2010}}
@misc{two, title = {C}, author = {Harper, F. Maxwell and Konstan, Joseph A.}, year = {2015}}
@misc{many, title = {D}, author = {Qu, Liang and Ye, Yonghong and Tang, Ningzhi}, year = {2022}}
@misc{zb, title = {Second}, author = {Zhao, Xiangyu and others}, year = {2021}}
@misc{za, title = {First}, author = {Zhao, Xiangyu and Liu, Haochen and Liu, Hui}, year = {2021}}
@misc{org, title = {E}, author = {{Criteo Labs}}, year = {2014}}
@misc{accent, title = {F}, author = {K{\"o}pf, Andreas}, year = {2019}}
@misc{von, title = {G}, author = {Ferrari Dacrema, Maurizio and Cremonesi, Paolo and Jannach, Dietmar}, year = {2019}}
"""


def test_labels_read_as_the_text_cites_and_are_unique(style_module):
    labels = dict(labelled(style_module, SMALL))
    assert labels["one"] == "Rendle, 2010"
    assert labels["two"] == "Harper and Konstan, 2015"
    assert labels["many"] == "Qu et al., 2022"
    assert labels["org"] == "Criteo Labs, 2014"
    assert labels["accent"] == "Köpf, 2019"
    assert labels["von"] == "Ferrari Dacrema et al., 2019"
    # A tool cited without a year is dated by the version the book pins, never "n.d.".
    assert labels["tool"] == "nteract contributors, version 2.7.0"
    # "and others" is "et al.", and two "Zhao et al., 2021" get a and b in list order.
    assert {labels["za"], labels["zb"]} == {"Zhao et al., 2021a", "Zhao et al., 2021b"}
    assert len(set(labels.values())) == len(labels)


def test_the_list_is_alphabetical_ignoring_braces_case_and_accents(style_module):
    order = [key for key, _ in labelled(style_module, SMALL)]
    assert order == ["org", "von", "two", "accent", "tool", "many", "one", "za", "zb"]
    labels = dict(labelled(style_module, SMALL))
    assert labels["za"] == "Zhao et al., 2021a"  # the suffixes follow the order of the list


def test_and_others_prints_as_et_al_in_the_entry(style_module):
    style = style_module.Style()
    entry = parse_string(SMALL, "bibtex").entries["zb"]
    text = style.format_entry("x", entry).text.render_as("text")
    assert text.startswith("Xiangyu Zhao et al.")
    assert "others" not in text


def test_the_books_bibliography_has_clean_unique_sorted_labels(style_module):
    bibtex = (ROOT / "book" / "references.bib").read_text()
    pairs = labelled(style_module, bibtex)
    labels = [label for _, label in pairs]
    assert len(set(labels)) == len(labels)
    for label in labels:
        # Names, a comma, then a year (with an optional a/b) or a pinned version: no alpha-style keys.
        assert re.fullmatch(r"[^\W\d][\w .'-]*, (\d{4}[a-z]?|version [\w.]+)", label), label
        assert "n.d." not in label and "{" not in label
    names = [style_module.sort_key(label.rsplit(", ", 1)[0]) for label in labels]
    assert names == sorted(names)


@pytest.mark.slow
def test_citations_in_the_text_match_the_list(tmp_path):
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(EXT)!r})\n"
        "extensions = ['sphinxcontrib.bibtex', 'authoryear_bib']\n"
        "bibtex_bibfiles = ['refs.bib']\nbibtex_reference_style = 'authoryear'\nbibtex_default_style = 'authoryear'\n"
    )
    (tmp_path / "refs.bib").write_text(SMALL)
    (tmp_path / "index.rst").write_text(
        "T\n=\n\nP :cite:p:`many,za`. T :cite:t:`zb` and :cite:t:`tool`.\n\n.. bibliography::\n"
    )
    done = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "text", str(tmp_path), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = " ".join((tmp_path / "out" / "index.txt").read_text().split())
    assert "P [Qu et al., 2022; Zhao et al., 2021a]." in text
    assert "T Zhao et al. [2021b] and nteract contributors [version 2.7.0]." in text
    assert "[Zhao et al., 2021b] Xiangyu Zhao et al." in text
