"""Encoding against fitted vocabularies: the compiled pass, polars alone and the general pipeline give
the same ids, block by block or whole, on plain and on irregular input."""

from __future__ import annotations

import numpy as np
import pytest

from sseds_study.data.criteo import block_encoder, kernel, load_criteo, write_criteo_file
from sseds_study.data.criteo.encoder import INT_TABLE_RANGE, FittedEncoder, iter_encoded_blocks
from sseds_study.data.criteo.fast_path import fit_vocabularies
from sseds_study.data.criteo.frames import FastPathUnsupported
from sseds_study.data.criteo.layout import CAT_FIELDS, INT_FIELDS, FileSpec

NAMES = ("label", *INT_FIELDS, *CAT_FIELDS)
needs_numba = pytest.mark.skipif(not kernel.available(), reason="numba is not installed")
PASSES = [pytest.param(True, marks=needs_numba, id="compiled"), pytest.param(False, id="polars")]


def _spec(path, **kw):
    return FileSpec(path, kw.pop("names", NAMES), kw.pop("delimiter", "\t"), kw.pop("header", False),
                                "label", **kw)


def _encode(paths, vocabularies, compiled, block_bytes=1 << 12, **kw):
    blocks = list(iter_encoded_blocks([_spec(p, **kw) for p in paths], vocabularies, compiled=compiled,
                                      block_bytes=block_bytes))
    return tuple(np.concatenate([b[i] for b in blocks]) for i in range(3))


def _row(label="1", ints=None, cats=None) -> str:
    ints = ints if ints is not None else [str(i) for i in range(13)]
    cats = cats if cats is not None else [f"{i:08x}" for i in range(26)]
    return "\t".join([label, *ints, *cats])


@pytest.mark.parametrize("compiled", PASSES)
def test_blocks_match_the_full_encoding(tmp_path, compiled):
    path = write_criteo_file(tmp_path / "train.txt", 2000, seed=5, cardinality_scale=0.001)
    ds = load_criteo(path=path, cache_dir=tmp_path, progress=False, use_cache=False, engine="arrow", min_count=2)
    blocks = list(iter_encoded_blocks([_spec(path)], ds.vocabularies, block_bytes=1 << 16, compiled=compiled))
    assert len(blocks) > 1
    for i, want in enumerate((ds.ids, ds.labels, ds.split)):
        got = np.concatenate([b[i] for b in blocks])
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def _vocab_of(tmp_path, rows):
    path = tmp_path / "fit.txt"
    path.write_text("\n".join(rows) + "\n")
    return fit_vocabularies([_spec(path)], min_count=1)["vocabularies"]


IRREGULAR = {  # each makes the compiled pass hand its block to polars, or is a value it must read right
    "wide integers": _row(ints=["70000", "-1025", "-1024", "65535", "65536", "123456789012345678", "-3",
                                "0", "", "2", "3", "999999", "1"]),
    "spaces around an integer": _row(ints=[" 5", *[str(i) for i in range(12)]]),
    "plus sign": _row(ints=["+5", *[str(i) for i in range(12)]]),
    "leading zero": _row(ints=["007", *[str(i) for i in range(12)]]),
    "minus zero": _row(ints=["-0", *[str(i) for i in range(12)]]),
    "19 digits": _row(ints=["1234567890123456789", *[str(i) for i in range(12)]]),
    "label 1.0": _row(label="1.0"),
    "label 0.0": _row(label="0.0"),
    "upper-case and long keys": _row(cats=["ABCDEF12", "0000abcde", "zz", "x y", "<NA>", "<OOV>",
                                           *[f"{i:08x}" for i in range(20)]]),
    "empty categories": _row(cats=[""] * 26),
    "carriage return": _row() + "\r",
    "non-ASCII key": _row(cats=["café0000", *[f"{i:08x}" for i in range(25)]]),
}


@pytest.mark.parametrize("case", sorted(IRREGULAR))
def test_irregular_rows_encode_as_polars_does(tmp_path, case):
    plain = [_row(label=str(i % 2), cats=[f"{(i * 7 + j) % 50:08x}" for j in range(26)]) for i in range(300)]
    vocab = _vocab_of(tmp_path, plain + [IRREGULAR["upper-case and long keys"], IRREGULAR["wide integers"]])
    path = tmp_path / "train.txt"
    path.write_text("\n".join(plain[:150] + [IRREGULAR[case]] + plain[150:]) + "\n")
    try:
        want = _encode([path], vocab, compiled=False)
    except FastPathUnsupported as exc:  # polars refuses: so must the compiled pass
        if kernel.available():
            with pytest.raises(FastPathUnsupported, match=str(exc)):
                _encode([path], vocab, compiled=None)
        return
    got = _encode([path], vocab, compiled=None)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("bad", ["quote", "short row", "long row", "blank line", "label 2", "label 10", "label 1.5",
                                 "integer 1x"])
def test_input_polars_refuses_is_refused_either_way(tmp_path, bad):
    rows = [_row() for _ in range(50)]
    rows[20] = {"quote": _row(cats=['"a"', *[f"{i:08x}" for i in range(25)]]), "short row": _row()[:-9],
                "long row": _row() + "\tx", "blank line": "", "label 2": _row(label="2"),
                "label 10": _row(label="10"), "label 1.5": _row(label="1.5"),
                "integer 1x": _row(ints=["1x", *[str(i) for i in range(12)]])}[bad]
    path = tmp_path / "train.txt"
    path.write_text("\n".join(rows) + "\n")
    vocab = _vocab_of(tmp_path, [_row()])
    for compiled in (False, None):
        with pytest.raises(FastPathUnsupported):
            _encode([path], vocab, compiled=compiled)


@needs_numba
def test_the_compiled_pass_hands_irregular_blocks_over(tmp_path):
    vocab = _vocab_of(tmp_path, [_row()])
    with FittedEncoder(vocab) as encoder:
        blocks = encoder._kernel(_spec(tmp_path / "x"))
        assert blocks.encode((_row() + "\n").encode()) is not None
        for case in ("plus sign", "leading zero", "carriage return", "non-ASCII key", "19 digits"):
            assert blocks.encode((_row() + "\n" + IRREGULAR[case] + "\n").encode()) is None, case


@needs_numba
@pytest.mark.parametrize("threads", [1, 3])
def test_threads_do_not_change_the_ids(tmp_path, threads, monkeypatch):
    path = write_criteo_file(tmp_path / "train.txt", 3000, seed=9, cardinality_scale=0.001)
    vocab = fit_vocabularies([_spec(path)], min_count=2)["vocabularies"]
    want = _encode([path], vocab, compiled=False, block_bytes=1 << 16)
    monkeypatch.setattr(block_encoder.os, "sched_getaffinity", lambda _pid: set(range(threads)))
    got = _encode([path], vocab, compiled=True, block_bytes=1 << 16)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("compiled", PASSES)
def test_header_byte_order_mark_and_several_files(tmp_path, compiled):
    rows = [_row(label=str(i % 2), cats=[f"{(i + j) % 9:08x}" for j in range(26)]) for i in range(40)]
    vocab = _vocab_of(tmp_path, rows)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_bytes(b"\xef\xbb\xbf" + (",".join(NAMES) + "\n" + "\n".join(r.replace("\t", ",") for r in rows)).encode())
    b.write_text("\n".join(rows))  # no newline at the end
    got_a = _encode([a], vocab, compiled, delimiter=",", header=True)
    got_b = _encode([b], vocab, compiled)
    np.testing.assert_array_equal(got_a[0], got_b[0])
    both = list(iter_encoded_blocks([_spec(a, delimiter=",", header=True), _spec(b)], vocab, compiled=compiled))
    split = np.concatenate([s for _, _, s in both])
    assert len(split) == 80 and not np.array_equal(split[:40], split[40:])  # rows numbered across files


def test_compiled_true_needs_numba(monkeypatch):
    monkeypatch.setattr(kernel, "numba", None)
    vocab = {f: ["<OOV>"] for f in INT_FIELDS + CAT_FIELDS}
    with pytest.raises(RuntimeError, match="numba"):
        FittedEncoder(vocab, compiled=True)
    assert FittedEncoder(vocab)._kernel(_spec("x")) is None  # the default falls back to polars


def test_missing_fields_are_named():
    with pytest.raises(ValueError, match="C26"):
        FittedEncoder({f: ["<OOV>"] for f in INT_FIELDS + CAT_FIELDS[:-1]})


@needs_numba
def test_prepare_builds_the_pass_before_the_first_block(tmp_path):
    vocab = _vocab_of(tmp_path, [_row()])
    with FittedEncoder(vocab) as encoder:
        assert encoder.prepare(_spec(tmp_path / "x")) is encoder
        assert len(encoder._kernels) == 1
    assert INT_TABLE_RANGE[0] < 0 < INT_TABLE_RANGE[1]


@pytest.mark.parametrize("compiled", PASSES)
def test_int32_ids_are_the_int64_ids(tmp_path, compiled):
    rows = [_row(label=str(i % 2), cats=[f"{(i + j) % 9:08x}" for j in range(26)]) for i in range(40)]
    vocab = _vocab_of(tmp_path, rows + [IRREGULAR["wide integers"]])
    path = tmp_path / "train.txt"
    path.write_text("\n".join(rows + [IRREGULAR["wide integers"]]) + "\n")
    with FittedEncoder(vocab, compiled=compiled, dtype=np.int32) as encoder:
        narrow = np.concatenate([ids for ids, _, _ in encoder.iter_blocks([_spec(path)])])
    assert narrow.dtype == np.int32
    np.testing.assert_array_equal(narrow, _encode([path], vocab, compiled)[0])
    with pytest.raises(ValueError, match="int64 or int32"):
        FittedEncoder(vocab, dtype=np.float32)


@needs_numba
def test_blocks_handed_over_while_the_next_is_encoded_keep_their_text(tmp_path):
    """Irregular rows scattered through small blocks: the blocks the compiled pass refuses are encoded
    by polars from their own text while the next block is already being encoded (read ahead, two
    buffers), and every id is the polars path's."""
    lines = [_row(ints=[str(i + r) for i in range(13)], cats=[f"{(r * 7 + i) % 50:08x}" for i in range(26)])
             for r in range(400)]
    for r in range(0, 400, 37):
        lines[r] = IRREGULAR["carriage return" if r % 2 else "plus sign"]
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join(lines) + "\n")
    vocab = _vocab_of(tmp_path, lines[1:5])
    handed = []
    with FittedEncoder(vocab) as encoder:
        blocks = encoder._kernel(_spec(path))
        encode = blocks.encode
        blocks.encode = lambda block, dtype: handed.append(out := encode(block, dtype)) or out
        got = [np.concatenate(parts) for parts in zip(*encoder.iter_blocks([_spec(path)], block_bytes=2048), strict=True)]
    assert any(h is None for h in handed) and any(h is not None for h in handed)  # both kinds of block
    want = _encode([path], vocab, compiled=False, block_bytes=2048)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
