"""Streaming readers: delimited text and parquet files -> :class:`~.raw.Chunk` blocks.

Text files are cut into blocks of whole lines (a few megabytes each) and every block is parsed by
Arrow's CSV parser, every column as a string, with empty fields as null (= missing). Arrow does not
report line numbers for malformed rows, so when it rejects a block we scan that block line by line
to name the line: that only ever runs on bad input.

Line numbers in messages are 1-based physical lines of the file: the block's first line is counted,
and within a block the line of a row is found by scanning the block (``line_blocks.RecordLines``) when
a message needs it, so a quoted field spanning lines or an empty line does not shift the count.

A file is checked to be text first (``fileio.check_text_start``): a gzip-compressed csv is reported
as compressed, not as bytes that are not UTF-8. The header line is read whole however long it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .. import fileio
from ..errors import DataFormatError, OptionError, show, show_names
from .line_blocks import BOM, RecordLines, iter_records, numbered_line_blocks
from .raw import Chunk

BLOCK_BYTES = 8 << 20  # Arrow parses this much text per block; bounds memory per chunk

# label spellings accepted in files; "true"/"false" only where a reader allows them (user tables)
_LABELS = {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}
_BOOL_LABELS = {"true": 1.0, "false": 0.0}


HEADER_LIMIT = 64 << 20  # a first line longer than this is not a header (nor a row of these formats)


def check_file(path) -> Path:
    """The path as a Path, or a DataFormatError if it is missing, a folder or empty."""
    path = fileio.check_file(path)
    if path.stat().st_size == 0:
        raise DataFormatError(path, None, "file is empty; expected rows of data")
    return path


def check_text(path) -> Path:
    """``check_file``, and the first bytes say text (not gzip, zip, UTF-16, ...)."""
    path = check_file(path)
    with open(path, "rb") as fh:
        fileio.check_text_start(path, fh.read(16))
    return path


def first_line(path, limit: int = HEADER_LIMIT) -> str:
    """The first line of a text file (without the newline and a UTF-8 byte-order mark), read whole: a
    header of ten thousand columns is longer than any buffer size one would guess."""
    with open(check_text(path), "rb") as fh:
        raw = fh.readline(limit + 1)
    if len(raw) > limit:
        raise DataFormatError(path, 1, f"the first line is longer than {limit >> 20} MiB; expected a header "
                              "or a data row")
    raw = raw.removeprefix(BOM)
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, 1, raw, exc, None, ()) from None
    if not text.strip():
        raise DataFormatError(path, 1, "the first line is empty; expected a header or a data row")
    return text


def parse_labels(arr: pa.Array, path, first_line_no, column: str, allow_bool: bool = False) -> np.ndarray:
    """Label strings -> float32 (n,) in {0, 1}; anything else is a DataFormatError naming the line.
    ``first_line_no``: the line of the first row, or a function row -> line (``Chunk.line``)."""
    line_of = first_line_no if callable(first_line_no) else (lambda i: first_line_no + i)
    values = arr.to_pylist()
    table = dict(_LABELS)
    out = np.empty(len(values), dtype=np.float32)
    for i, v in enumerate(values):
        key = v.strip() if v is not None else None
        if key in table:
            out[i] = table[key]
        elif allow_bool and key is not None and key.lower() in _BOOL_LABELS:
            out[i] = _BOOL_LABELS[key.lower()]
        else:
            expected = "0 or 1" + (" (or true/false)" if allow_bool else "")
            shown = "an empty value" if v is None else show(v)
            raise DataFormatError(path, line_of(i), f"label column {column!r}: expected {expected}, got {shown}")
    return out


def fast_labels(arr: pa.Array, path, first_line_no, column: str, allow_bool: bool = False) -> np.ndarray:
    """Like :func:`parse_labels` but vectorised for the common case of clean 0/1 labels."""
    is_one = pc.equal(arr, "1")
    is_zero = pc.equal(arr, "0")
    ok = pc.fill_null(pc.or_(is_one, is_zero), False)
    if pc.all(ok).as_py():
        return np.asarray(pc.fill_null(is_one, False)).astype(np.float32)
    return parse_labels(arr, path, first_line_no, column, allow_bool)


def iter_delimited(path, *, names: Sequence[str], delimiter: str, header: bool, split: int | None = None,
                   label: str, allow_bool_labels: bool = False, block_bytes: int = BLOCK_BYTES,
                   describe: str = "") -> Iterator[Chunk]:
    """Stream a delimited text file as Chunks.

    names: the file's columns, in order (with a header, the header is checked against them
    case-insensitively; without one they name the columns). label: the label column. Every other
    column is handed on as a string array under its name. describe: a few words on the expected
    format, quoted in column-count errors.
    """
    path = check_text(path)
    names = list(names)
    if header:
        got = [c.strip() for c in next(csv.reader([first_line(path)], delimiter=delimiter))]
        if [c.lower() for c in got] != [c.lower() for c in names]:
            raise DataFormatError(path, 1, f"unexpected header: expected {len(names)} columns "
                                  f"{show_names(names)}; got {len(got)} columns {show_names(got)}")
    skip = 1 if header else 0
    read = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=block_bytes + (1 << 20))
    parse = pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=lambda row: "error")
    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in names}, strings_can_be_null=True,
                                   null_values=[""], quoted_strings_can_be_null=True)
    rows = 0
    for line, data in numbered_line_blocks(path, block_bytes, skip):
        try:
            table = pacsv.read_csv(pa.BufferReader(data), read_options=read, parse_options=parse,
                                   convert_options=convert)
        except pa.ArrowInvalid as exc:
            raise _parse_error(path, data, line, delimiter, names, describe, exc) from None
        if table.num_rows == 0:
            continue
        cols = {n: table.column(i).combine_chunks() for i, n in enumerate(names)}
        lines = RecordLines(data, delimiter, line)
        labels = fast_labels(cols.pop(label), path, lines, label, allow_bool_labels)
        rows += table.num_rows
        yield Chunk(columns=cols, labels=labels, path=str(path), first_line=line, split=split, lines=lines)
    if rows == 0:
        raise DataFormatError(path, None, "no data rows" + (" after the header" if header else ""))


def _parse_error(path, data: bytes, line: int, delimiter: str, names, describe: str, exc) -> DataFormatError:
    """Arrow rejected a block: find the offending line in it to name it in the message (Arrow counts
    rows of the block, not lines of the file; a record may span lines)."""
    rows = data.split(b"\n")
    for i, raw in enumerate(rows):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            return _not_utf8(path, line + i, raw, err, delimiter, names)
    if "columns" not in str(exc):
        return DataFormatError(path, None, f"cannot parse the file ({show(str(exc))})")
    fmt = f" ({describe})" if describe else ""
    for start, record in iter_records(data, delimiter):
        if len(record) != len(names):
            return DataFormatError(path, line + start, f"expected {len(names)} columns{fmt}, got {len(record)}")
    return DataFormatError(path, None, f"expected {len(names)} columns{fmt}: {show(str(exc))}")


def _not_utf8(path, line: int, raw: bytes, err: UnicodeDecodeError, delimiter: str | None, names) -> DataFormatError:
    """A line that is not UTF-8: name the line, the byte and (in a data row) the column."""
    column = ""
    if delimiter is not None:
        col = raw[:err.start].count(delimiter.encode()) + 1
        column = f", column {col}" + (f" ({names[col - 1]!r})" if col <= len(names) else "")
    return fileio.not_utf8(path, line, raw, err.start, column=column)


def iter_parquet(path, *, columns: Sequence[str], label: str, allow_bool_labels: bool = True,
                 batch_rows: int = 65536) -> Iterator[Chunk]:
    """Stream a parquet file in row batches; values are cast to strings (line = 1-based row)."""
    path = check_file(path)
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFormatError(path, None, f"not a readable parquet file ({exc})") from None
    have = pf.schema_arrow.names
    for c in [label, *columns]:
        if c not in have:
            raise DataFormatError(path, None, f"missing column {c!r}; the file has {', '.join(have)}")
        if have.count(c) > 1:
            raise DataFormatError(path, None, f"column {c!r} appears {have.count(c)} times; expected each declared "
                                  "column once")
    line = 1
    for batch in pf.iter_batches(batch_size=batch_rows, columns=[label, *columns]):
        cols = {}
        for name in columns:
            arr = batch.column(name)
            if pa.types.is_boolean(arr.type):
                arr = pc.cast(arr, pa.int8())
            cols[name] = arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())
        labels = _parquet_labels(batch.column(label), path, line, label, allow_bool_labels)
        yield Chunk(columns=cols, labels=labels, path=str(path), first_line=line)
        line += batch.num_rows


def _parquet_labels(arr: pa.Array, path, line: int, label: str, allow_bool: bool) -> np.ndarray:
    """Typed parquet labels: booleans and numbers 0/1 directly, strings through parse_labels."""
    if pa.types.is_boolean(arr.type):
        arr = pc.cast(arr, pa.int8())
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        values = np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        bad = ~np.isin(values, (0.0, 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataFormatError(path, line + i, f"label column {label!r}: expected 0 or 1, got {show(arr[i].as_py())}")
        return values.astype(np.float32)
    return parse_labels(arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string()), path, line, label,
                        allow_bool)


def frame_chunks(columns: dict[str, Sequence], labels: np.ndarray, *, path: str,
                 chunk_rows: int = 262144) -> Iterator[Chunk]:
    """In-memory columns (lists or arrays of raw values, None = missing) -> Chunks of chunk_rows."""
    n = len(labels)
    arrays = {}
    for name, values in columns.items():
        arr = pa.array(values, from_pandas=True)
        arrays[name] = arr if pa.types.is_string(arr.type) else pc.cast(arr, pa.string())
    for start in range(0, n, chunk_rows):
        stop = min(n, start + chunk_rows)
        yield Chunk(columns={k: a.slice(start, stop - start) for k, a in arrays.items()},
                    labels=np.asarray(labels[start:stop], dtype=np.float32), path=path, first_line=start + 1)


def resolve_split_files(dataset: str, path=None, train=None, valid=None, test=None,
                        suffixes=(".txt", ".tsv", ".csv", ".libsvm", ".parquet")) -> list[tuple[Path, int | None]]:
    """Which files hold which split: [(file, split id or None for "split at random")].

    path: one file (split 8:1:1 at random) or a directory whose files are named after their split
    (``*train*``, ``*valid*``/``*val*``, ``*test*``; a directory with only a train file is split at
    random). train/valid/test: explicit files (train alone is split at random; train with only
    one of valid/test leaves the other split empty).
    """
    if path is not None and any(p is not None for p in (train, valid, test)):
        raise OptionError(f"{dataset}: give either path= or train=/valid=/test=, not both")
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise DataFormatError(path, None, "file not found")
        if path.is_file():
            return [(check_file(path), None)]
        found: dict[str, Path] = {}
        for f in sorted(path.iterdir()):
            low = f.name.lower()
            if not f.is_file() or not low.endswith(suffixes):
                continue
            for key, words in (("train", ("train",)), ("valid", ("valid", "val")), ("test", ("test",))):
                if any(w in low for w in words) and key not in found:
                    found[key] = f
                    break
        if "train" not in found:
            raise DataFormatError(path, None, f"no training file in the directory (expected a name containing "
                                  f"'train' ending in one of {', '.join(suffixes)})")
        train, valid, test = found.get("train"), found.get("valid"), found.get("test")
    if train is None:
        raise OptionError(f"{dataset}: no data given; expected path= (--path: a file or a folder) or train= "
                          "(with valid= and test=)")
    if valid is None and test is None:
        return [(check_file(train), None)]
    # given split files are used as they are; a missing valid or test file leaves that split empty
    return [(check_file(p), s) for s, p in enumerate((train, valid, test)) if p is not None]
