"""The committed book was executed at a clean commit of this branch's history: every chapter in
book/chapters/ carries the commit ``make chapters`` stamped it with, with no uncommitted source
changes, and that commit is an ancestor of the checked-out one."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sseds_study.data.paths import repo_root
from sseds_study.publish.stamps import chapter_problems

ROOT = repo_root()


def _in_git_history() -> bool:
    if shutil.which("git") is None:
        return False
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True)
    return done.returncode == 0


@pytest.mark.skipif(not _in_git_history(), reason="not a git checkout: no history to hold the chapters to")
def test_every_committed_chapter_was_executed_at_a_clean_commit_of_this_history():
    chapters = sorted((ROOT / "book" / "chapters").glob("*.ipynb"))
    assert len(chapters) == 8
    assert chapter_problems(chapters, ROOT) == []
