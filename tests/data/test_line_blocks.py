"""Cutting text files into blocks of whole lines: the bytes blocks, the reused-buffer arrays and the
numbered blocks agree."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data.line_blocks import (
    BOM,
    count_byte,
    numbered_line_blocks,
    whole_line_arrays,
    whole_line_blocks,
)


def _text(rng, lines: int) -> bytes:
    # lines of very different lengths, some longer than the smallest blocks below
    return b"".join(b"x" * int(rng.integers(0, 300)) + b"\t" + str(i).encode() + b"\n" for i in range(lines))


@pytest.mark.parametrize("block_bytes", [7, 64, 1000, 1 << 20])
@pytest.mark.parametrize("ending", [b"", b"last line without a newline", b"  \n  "])
@pytest.mark.parametrize("head", [b"", BOM, BOM + b"header\n"])
def test_arrays_cut_the_file_as_the_blocks_do(tmp_path, block_bytes, ending, head):
    body = _text(np.random.default_rng(block_bytes), 200) + ending
    path = tmp_path / "f.txt"
    path.write_bytes(head + body)
    skip = 1 if head.endswith(b"header\n") else 0
    blocks = list(whole_line_blocks(path, block_bytes, skip))
    arrays = [bytes(a) for a in whole_line_arrays(path, block_bytes, skip)]  # copied: views are reused
    assert b"".join(arrays) == b"".join(blocks)
    assert b"".join(arrays) == (body if ending.strip() else body[:len(body) - len(ending)] + ending.rstrip(b" "))
    for a in arrays[:-1]:
        assert a.endswith(b"\n")  # whole lines only


@pytest.mark.parametrize("buffers", [2, 3])
@pytest.mark.parametrize("block_bytes", [7, 64, 1000])
def test_buffers_taking_turns_keep_earlier_views_intact(tmp_path, block_bytes, buffers):
    """With ``buffers`` buffers, the last ``buffers`` views stay as they were read while the next
    block is read (lines longer than the block make buffers grow on the way)."""
    path = tmp_path / "f.txt"
    path.write_bytes(_text(np.random.default_rng(5), 300) + b"no newline")
    expected = list(whole_line_blocks(path, block_bytes, 0))
    held, got = [], []
    for view in whole_line_arrays(path, block_bytes, 0, buffers=buffers):
        held.append((view, bytes(view)))
        held = held[-buffers:]
        for v, copy in held:  # every view still held reads what it read when it was yielded
            assert bytes(v) == copy
        got.append(bytes(view))
    assert got == expected


def test_buffers_must_be_positive(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"a\n")
    with pytest.raises(ValueError, match="buffers"):
        list(whole_line_arrays(path, 64, 0, buffers=0))


def test_count_byte_counts_across_steps():
    data = b"a\nb\n" * 1000 + b"c"
    assert count_byte(data, 10, step=7) == 2000 == data.count(b"\n")


@pytest.mark.parametrize("block_bytes", [5, 64, 1 << 20])
def test_numbered_blocks_start_at_their_line(tmp_path, block_bytes):
    path = tmp_path / "f.txt"
    path.write_bytes(BOM + b"header\n" + b"".join(f"line {i}\n".encode() for i in range(2, 60)))
    for line, block in numbered_line_blocks(path, block_bytes, 1):
        assert block.startswith(f"line {line}\n".encode())
