"""Which commit the committed chapters were executed at, and whether the book may say so.

``make chapters`` stamps every executed chapter with the commit it ran at (``stamp_chapter``: the
notebook's ``metadata.sseds.git_commit``). ``chapter_problems`` holds the committed book to it: a
chapter with no stamp, one executed from a tree with uncommitted source changes (``+dirty``), or at a
commit that is not an ancestor of the checked-out one (a branch that never landed) describes sources
a reader cannot check out, and ``make test`` fails on it (tests/publish/test_book_provenance.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from ..fileio import atomic_write_text

KEY = "sseds"


def stamp_chapter(path, commit: str) -> None:
    """Record ``commit`` in the executed notebook at ``path`` (in place, atomically)."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {})[KEY] = {"git_commit": commit}
    # papermill writes one space of indent and keeps non-ASCII text as it is: so does this.
    atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def chapter_commit(path) -> str | None:
    """The commit a chapter was stamped with, or None."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return (nb.get("metadata", {}).get(KEY) or {}).get("git_commit")


def _is_ancestor(commit: str, repo: Path) -> bool:
    done = subprocess.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=repo,
                          capture_output=True, timeout=30)
    return done.returncode == 0


def chapter_problems(chapters, repo) -> list[str]:
    """One line per committed chapter (``chapters``: executed notebooks) whose provenance the book
    cannot stand behind; empty when every chapter was executed at a clean commit of this history."""
    problems = []
    for path in sorted(Path(p) for p in chapters):
        commit = chapter_commit(path)
        if not commit:
            problems.append(f"{path}: no record of the commit it was executed at (run make chapters)")
        elif commit.endswith("+dirty"):
            problems.append(f"{path}: executed at {commit}, with uncommitted source changes")
        elif commit == "unknown" or not _is_ancestor(commit, Path(repo)):
            problems.append(f"{path}: executed at {commit}, which is not a commit of this branch's history")
    return problems
