"""Torch files (checkpoints, PEP searches): a full disk is one OSError naming the file, a damaged file
is found by its CRCs, a file weights_only loading refuses is called that, not truncated."""

from __future__ import annotations

import builtins
import errno
import os
import traceback
import zipfile
from pathlib import Path

import pytest
import torch

from sseds_study import fileio
from sseds_study.config import TrainConfig
from sseds_study.train.checkpoint import (
    CheckpointError,
    load_checkpoint,
    load_torch,
    save_checkpoint,
    save_torch,
)


def _saved(tmp_path) -> Path:
    model = torch.nn.Linear(300, 20)
    return save_checkpoint(tmp_path / "m.pt", model, config=TrainConfig(), fit_result=None)


def _member_data(path: Path, suffix: str = "data/0") -> tuple[int, int]:
    """(offset, size) of a stored tensor's bytes in the file."""
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(suffix))
    with open(path, "rb") as fh:
        fh.seek(info.header_offset + 26)
        n, m = int.from_bytes(fh.read(2), "little"), int.from_bytes(fh.read(2), "little")
    return info.header_offset + 30 + n + m, info.file_size


@pytest.mark.parametrize("damage", ["zeroed", "one byte"])
def test_a_tensor_damaged_in_place_is_found_by_its_crc(tmp_path, damage):
    path = _saved(tmp_path)
    start, size = _member_data(path)
    data = bytearray(path.read_bytes())
    if damage == "zeroed":
        data[start:start + size] = bytes(size)
    else:
        data[start + size // 2] ^= 0x40
    path.write_bytes(bytes(data))
    assert torch.load(path, weights_only=True)  # torch itself loads it, damage and all
    with pytest.raises(CheckpointError, match=r"m.pt: damaged checkpoint: .*data/0 does not match the checksum \(CRC\) "
                                              r"written with it"):
        load_checkpoint(path)


class _Code:
    def __reduce__(self):
        return (os.system, ("true",))


def test_a_file_weights_only_refuses_is_called_refused_not_truncated(tmp_path):
    torch.save({"format": 1, "state_dict": {}, "config": _Code()}, tmp_path / "code.pt")
    with pytest.raises(CheckpointError) as exc:
        load_checkpoint(tmp_path / "code.pt")
    text = str(exc.value)
    assert text.endswith("code.pt: refused: the checkpoint holds Python objects other than tensors and plain values, "
                         "which weights_only loading does not run (not written by sseds-study)")
    assert "truncated" not in text and "\n" not in text


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut", b"not a checkpoint"])
def test_a_truncated_or_foreign_file_is_not_readable(tmp_path, content):
    path = _saved(tmp_path)
    if content == b"PK\x03\x04 cut":
        content = path.read_bytes()[:200]
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=r"m.pt: not a readable checkpoint \(truncated, or not written by "
                                              r"torch.save") as exc:
        load_checkpoint(path)
    assert "\n" not in str(exc.value)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_in_torch_save_is_the_oserror_naming_the_file(tmp_path, monkeypatch):
    """torch.save turns a failed write into two chained RuntimeErrors; the OSError inside is raised."""
    target = tmp_path / "model.pt"
    save_torch({"w": torch.zeros(3)}, target)
    before = target.read_bytes()

    def full_open(path, mode="r", **kwargs):  # every write of the temporary file fails as on a full disk
        return builtins.open("/dev/full", mode, **kwargs) if "w" in mode else builtins.open(path, mode, **kwargs)

    monkeypatch.setattr(fileio, "open", full_open, raising=False)
    with pytest.raises(OSError) as exc:
        save_torch({"w": torch.zeros(100_000)}, target)
    assert exc.value.errno == errno.ENOSPC and exc.value.filename == str(target)
    assert "RuntimeError" not in "".join(traceback.format_exception(exc.value))  # torch's are not shown
    monkeypatch.undo()
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_load_torch_names_what_it_reads(tmp_path):
    with pytest.raises(CheckpointError, match=r"s.pt: PEP search not found"):
        load_torch(tmp_path / "s.pt", "PEP search")
    torch.save({"x": _Code()}, tmp_path / "s.pt")
    with pytest.raises(CheckpointError, match=r"s.pt: refused: the PEP search holds Python objects"):
        load_torch(tmp_path / "s.pt", "PEP search")


def test_a_checkpoint_gets_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        path = _saved(tmp_path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
