"""Atomic writes: the target is replaced whole, or left untouched when writing fails, with the mode a
plain open gives; output places checked before work; the one reader of text files."""

from __future__ import annotations

import bz2
import errno
import gzip
import lzma
import os
import stat
from pathlib import Path

import pytest

from sseds_study import fileio
from sseds_study.errors import ConfigError, SsedsError, TextFileError
from sseds_study.fileio import (
    atomic_open,
    atomic_path,
    atomic_write_text,
    check_writable_dir,
    make_dirs,
    read_text,
)
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


# -- the one reader of text files ----------------------------------------------------------------------
@pytest.mark.parametrize("content, message", [
    (b"a,b\n1,\xe9\n", r"f.txt, line 2: not UTF-8 text \(byte 0xe9 at position 3 of the line, byte offset 6 of the "
                       r"file\); save the file as UTF-8"),
    (gzip.compress(b"a,b\n1,2\n"), r"f.txt: compressed \(gzip\); decompress it first \(gunzip\)"),
    (bz2.compress(b"a,b\n1,2\n"), r"f.txt: compressed \(bzip2\); decompress it first"),
    (lzma.compress(b"a,b\n1,2\n"), r"f.txt: compressed \(xz\); decompress it first"),
    ("a,b\n".encode("utf-16"), r"f.txt: UTF-16 text; save it as UTF-8"),
    (b"PK\x03\x04rest", r"f.txt: a zip archive; extract it first"),
    (b"PAR1rest", r"f.txt: a parquet file, not text; give it the suffix .parquet"),
])
def test_read_text_refuses_what_is_not_utf8_text_in_one_line(tmp_path, content, message):
    (tmp_path / "f.txt").write_bytes(content)
    with pytest.raises(TextFileError, match=message) as exc:
        read_text(tmp_path / "f.txt")
    assert "\n" not in str(exc.value) and isinstance(exc.value, ConfigError)


def test_read_text_reads_utf8_past_a_byte_order_mark(tmp_path):
    (tmp_path / "f.txt").write_bytes(b"\xef\xbb\xbfcaf\xc3\xa9\n")
    assert read_text(tmp_path / "f.txt") == "café\n"
    (tmp_path / "big.txt").write_bytes(b"x" * 101)
    with pytest.raises(TextFileError, match=r"big.txt: larger than 0 MiB; expected a profile"):
        read_text(tmp_path / "big.txt", "profile", limit=100)


def test_read_text_names_a_folder_a_missing_file_and_a_dangling_link(tmp_path):
    with pytest.raises(TextFileError, match=r"d: is a folder; expected a table spec"):
        read_text(_mkdir(tmp_path / "d"), "table spec")
    with pytest.raises(TextFileError, match=r"nope.yaml: profile not found"):
        read_text(tmp_path / "nope.yaml", "profile")
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    with pytest.raises(TextFileError, match=r"link: a symbolic link to .*gone, which does not exist; expected a file"):
        read_text(tmp_path / "link")


def _mkdir(path):
    path.mkdir()
    return path


# -- one writer: the umask's mode, the target named, folders behind dangling links ---------------------
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_atomic_writes_get_the_mode_a_plain_open_gives(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
        with atomic_path(tmp_path / "b.bin") as tmp:
            tmp.write_bytes(b"x")
        with open(tmp_path / "plain.txt", "w") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.bin", "plain.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name


def test_the_umask_is_read_without_changing_it(monkeypatch):
    old = os.umask(0o027)
    try:
        calls = []
        monkeypatch.setattr(fileio.os, "umask", lambda m: calls.append(m) or 0o027)
        assert fileio.current_umask() == 0o027 and (calls == [] or not Path("/proc/self/status").exists())
    finally:
        monkeypatch.undo()
        os.umask(old)


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path):
    target = tmp_path / "metrics.json"
    atomic_write_text(target, "old")
    with pytest.raises(OSError) as exc, atomic_open(target, "wb"):
        raise OSError(errno.ENOSPC, "No space left on device")  # as a write() raises it: no file name
    assert exc.value.filename == str(target) and target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


@pytest.mark.parametrize("where", ["itself", "parent"])
def test_a_dangling_symbolic_link_as_an_output_folder_is_one_clear_error(tmp_path, where):
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    out = tmp_path / "link" if where == "itself" else tmp_path / "link" / "sub"
    with pytest.raises(SsedsError, match=r"--results .*: .*link is a symbolic link to .*nowhere, which does not "
                                         r"exist; expected a folder"):
        check_writable_dir(out, "--results")
    with pytest.raises(SsedsError, match=r"link is a symbolic link to .*nowhere, which does not exist"):
        atomic_write_text(out / "f.txt", "x")
    with pytest.raises(SsedsError, match=r"link is a symbolic link"):
        make_dirs(out)
    assert not (tmp_path / "nowhere").exists()
