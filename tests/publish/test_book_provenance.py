"""The committed book was executed at a clean commit of this branch's history: every chapter in
book/chapters/ carries the commit ``make chapters`` stamped it with, with no uncommitted source
changes, and that commit is an ancestor of the checked-out one."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from sseds_study.data.paths import repo_root
from sseds_study.publish.stamps import chapter_problems

ROOT = repo_root()


def _listed_chapters() -> list[str]:
    """The chapters the Makefile's ``NOTEBOOKS`` names, the list ``make chapters`` executes."""
    match = re.search(r"^NOTEBOOKS\s*:?=\s*(.*)$", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    assert match, "Makefile: no NOTEBOOKS variable"
    return match.group(1).split()


def _in_git_history() -> bool:
    if shutil.which("git") is None:
        return False
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not _in_git_history(), reason="not a git checkout: no history to hold the chapters to")
def test_every_committed_chapter_was_executed_at_a_clean_commit_of_this_history():
    chapters = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))
    listed = _listed_chapters()
    assert listed, "Makefile: NOTEBOOKS is empty"
    # Every listed chapter executed and committed, and no executed chapter the Makefile has dropped.
    executed = {c.stem for c in chapters}
    missing, dropped = sorted(set(listed) - executed), sorted(executed - set(listed))
    assert not missing and not dropped, f"listed but not executed: {missing}; executed but not listed: {dropped}"
    assert chapter_problems(chapters, ROOT) == []
