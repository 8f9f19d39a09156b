"""papermill's injected-parameters cell is tagged out of the book; nothing else changes."""

from __future__ import annotations

import json

from sseds_study.publish.__main__ import main
from sseds_study.publish.notebooks import hide_injected_parameters


def notebook(tmp_path):
    nb = {"cells": [
        {"cell_type": "code", "metadata": {"tags": ["parameters", "remove-cell"]}, "source": "profile = 'x'",
         "outputs": [], "execution_count": 1},
        {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]}, "source": "# Parameters\nprofile = 'y'",
         "outputs": [], "execution_count": 2},
        {"cell_type": "markdown", "metadata": {}, "source": "é text"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "ch.ipynb"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, nb


def test_only_the_injected_cell_is_tagged_and_twice_is_once(tmp_path):
    path, before = notebook(tmp_path)
    assert hide_injected_parameters(path) == 1
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["cells"][1]["metadata"]["tags"] == ["injected-parameters", "remove-cell"]
    assert after["cells"][0] == before["cells"][0] and after["cells"][2]["source"] == "é text"
    text = path.read_text(encoding="utf-8")
    assert hide_injected_parameters(path) == 0 and path.read_text(encoding="utf-8") == text


def test_the_command_tags_every_notebook_given(tmp_path):
    path, _ = notebook(tmp_path)
    assert main(["hide-injected", str(path)]) == 0
    assert "remove-cell" in json.loads(path.read_text())["cells"][1]["metadata"]["tags"]
