"""Atomic writes: the target is replaced whole, or left untouched when writing fails; output places
checked before work."""

from __future__ import annotations

import errno

import pytest

from sseds_study import fileio
from sseds_study.errors import SsedsError
from sseds_study.fileio import atomic_path, atomic_write_text, check_writable_dir
from sseds_study.study import sweep
from studyhelpers import tiny


def test_write_creates_parents_and_replaces(tmp_path):
    target = tmp_path / "a" / "b.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]  # no temporary file left


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "b.txt"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["b.txt"]


# -- output places, checked before any work ------------------------------------------------------------
def test_a_writable_place_is_checked_without_leaving_anything(tmp_path):
    assert check_writable_dir(tmp_path / "new" / "deeper", "--out") == tmp_path / "new" / "deeper"
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a probe file
    (tmp_path / "f").write_text("x")
    with pytest.raises(SsedsError, match=r"--out .*f: exists and is not a folder"):
        check_writable_dir(tmp_path / "f", "--out")
    with pytest.raises(SsedsError, match=r"--out .*f/sub: .*f is a file, so no folder can be made under it"):
        check_writable_dir(tmp_path / "f" / "sub", "--out")


def test_a_place_that_cannot_be_written_is_one_clear_error(tmp_path, monkeypatch):
    # root writes into read-only folders, so the refusal is staged where the probe is made
    def refuse(**kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileio.tempfile, "mkstemp", refuse)
    with pytest.raises(SsedsError, match=r"results folder .*/r: cannot write in .* \(Permission denied\)"):
        check_writable_dir(tmp_path / "r", "results folder")
    with pytest.raises(SsedsError, match=r"results folder .*/r: cannot write in"):
        sweep(tiny(), tmp_path / "r", progress=False)
    assert list(tmp_path.iterdir()) == []
