"""The on-disk cache of encoded datasets: file checksums, cache keys, manifests, save and load.

The encoded result is cached under ``<cache>/encoded/<name>-<key>/`` (``ids.npy``, ``labels.npy``,
``split.npy``, ``vocabularies.json``, ``manifest.json``); the key hashes the preprocessing options
and the sha256 of every raw input, so a changed file or option re-encodes. :func:`build_or_load` is
the shared tail of every dataset loader. An entry that is truncated, unreadable or written under
another key is reported in one line and encoded again; a cache that cannot be written (full disk,
read-only folder) is reported and the data are used without it.

Each array file is checked by content, not only by shape: ``manifest.json`` records the sha256 of
every array file when the entry is written (``ARRAY_CHECKSUMS``; kept out of the dataset's manifest,
so ``manifest_checksum`` is what it always was), and loading reads each file once into memory, hashes
those bytes and takes the array from them (no second read, no copy). An array file changed after it
was written (a zeroed or overwritten body of the same size) is a damaged entry: reported naming the
file, and encoded again. An entry written before checksums were recorded is encoded again once.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CacheError, SsedsError, is_environment_error, notice
from ..fileio import atomic_write_text, make_dirs, new_dir_mode
from .download import file_digest
from .encode import ENCODER_VERSION, EncodedArrays, encode_stream
from .raw import ChunkStream, RawField
from .spec import SPLITS, EncodedDataset, make_field_specs

# -- checksums ----------------------------------------------------------------------------------------
# A hash is remembered only for a file whose status last changed this long before hashing began: a
# later write then always gives it a newer change time, even on file systems with coarse clocks.
SETTLED_SECONDS = 2.0
# The settled hashes this process has read or computed, by file identity: a table profile's run keys
# ask for the same file's hash once per run (data.registry.data_identity), and the book need not be
# read again for each.
_KNOWN: dict[str, str] = {}


def _stat_key(path: Path, st: os.stat_result) -> str:
    # The change time (ctime) moves on every write and cannot be set back by a program (unlike the
    # modification time), so a file rewritten with the same size and mtime still gets a new key.
    return f"{path}|{st.st_dev}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}"


def cached_sha256(path, cache_dir: Path) -> str:
    """sha256 of a file's content, remembered in ``<cache>/checksums.json`` by the file's identity.

    The cache key of an encoded dataset is this content hash. Hashing a multi-gigabyte raw file takes
    minutes, so the hash is remembered by (absolute path, device, inode, size, mtime, ctime): any
    write to the file changes its ctime, and the file is hashed again.
    """
    path = Path(path).resolve()
    key = _stat_key(path, path.stat())
    if key in _KNOWN:
        return _KNOWN[key]
    book = Path(cache_dir) / "checksums.json"
    try:
        known = json.loads(book.read_text())
        known = known if isinstance(known, dict) else {}
    except (OSError, ValueError):
        known = {}
    if key in known:
        _KNOWN[key] = known[key]
        return known[key]
    started = time.time_ns()
    digest = file_digest(path, "sha256")
    st = path.stat()
    if _stat_key(path, st) != key or st.st_ctime_ns > started - SETTLED_SECONDS * 1e9:
        return digest  # changed while we read it, or too recently to be told apart from a next change
    # one entry per file: the hashes of its earlier versions are of no further use
    known = {k: v for k, v in known.items() if not k.startswith(f"{path}|")}
    known[key] = digest
    _KNOWN[key] = digest
    try:
        atomic_write_text(book, json.dumps(known, indent=0, sort_keys=True))
    except (OSError, SsedsError):
        pass  # a read-only cache only costs us the re-hash next time
    return digest


# -- cache ----------------------------------------------------------------------------------------------
def cache_key(name: str, options: Mapping[str, Any], source_checksums: Mapping[str, str]) -> str:
    """16 hex digits over the dataset name, preprocessing options and raw-input checksums."""
    payload = {"name": name, "options": _jsonable(options), "sources": dict(sorted(source_checksums.items())),
               "encoder_version": ENCODER_VERSION}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _jsonable(obj):
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


_ARRAYS = ("ids", "labels", "split")


class UncheckedCache(CacheError):
    """An entry written before the checksums of its arrays were recorded: it cannot be checked."""

# The key of manifest.json that holds {"<array>.npy": {"bytes": n, "sha256": hex}}: written by
# save_encoded, checked and removed by load_encoded (the dataset's manifest never holds it).
ARRAY_CHECKSUMS = "array_checksums"


def save_encoded(ds: EncodedDataset, directory) -> Path:
    """Write a dataset to ``directory`` atomically: a temp dir beside it, then ``os.replace``.

    Readers therefore see either no directory or a complete one. If another process finished the
    same directory first, ours is discarded (same key = same content). The manifest on disk records
    each array file's size and sha256 (``ARRAY_CHECKSUMS``), which ``load_encoded`` checks.
    """
    directory = Path(directory)
    make_dirs(directory.parent)
    tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".tmp-{directory.name}-"))
    try:
        os.chmod(tmp, new_dir_mode())  # mkdtemp's 0700 would hide the entry from others sharing the cache
        checksums = {}
        for key in _ARRAYS:
            np.save(tmp / f"{key}.npy", getattr(ds, key))
            name = f"{key}.npy"
            checksums[name] = {"bytes": (tmp / name).stat().st_size, "sha256": file_digest(tmp / name, "sha256")}
        (tmp / "vocabularies.json").write_text(json.dumps(ds.vocabularies or {}), encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps({**_jsonable(ds.manifest), ARRAY_CHECKSUMS: checksums},
                                                      indent=1), encoding="utf-8")
        try:
            os.replace(tmp, directory)
        except OSError:
            if not (directory / "manifest.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return directory


_DTYPES = {"ids": np.int64, "labels": np.float32, "split": np.int8}


def load_encoded(directory, mmap: bool = False, key: str | None = None) -> EncodedDataset:
    """Read a dataset written by :func:`save_encoded`. ``mmap`` maps the arrays read-only.

    Raises CacheError when a file is missing, truncated or unreadable, when an array file's content
    does not match the checksum recorded when it was written (or none was recorded), when the arrays
    do not agree with the manifest, or (given ``key``) when the entry was written under another cache
    key. The message names the file.
    """
    directory = Path(directory)
    manifest = _read_json(directory / "manifest.json")
    if key is not None and (not isinstance(manifest, dict) or manifest.get("cache_key") != key):
        found = manifest.get("cache_key") if isinstance(manifest, dict) else None
        raise CacheError(f"its manifest is for cache key {found!r}, not {key!r}")
    if not isinstance(manifest, dict):
        raise CacheError("manifest.json holds no mapping")
    checksums = manifest.pop(ARRAY_CHECKSUMS, None)
    if not isinstance(checksums, dict):
        raise UncheckedCache("manifest.json records no checksums of the array files")
    vocabularies = _read_json(directory / "vocabularies.json")
    try:
        arrays = {k: _load_array(directory / f"{k}.npy", checksums.get(f"{k}.npy"), mmap) for k in _ARRAYS}
        fields = make_field_specs(
            [f["name"] for f in manifest["fields"]], [f["kind"] for f in manifest["fields"]],
            [f["vocab_size"] for f in manifest["fields"]], [f["width"] for f in manifest["fields"]],
        )
        for k, dtype in _DTYPES.items():
            if arrays[k].dtype != dtype or len(arrays[k]) != manifest["rows_total"]:
                raise CacheError(f"{k}.npy holds {arrays[k].dtype} {arrays[k].shape}; the manifest says "
                                 f"{np.dtype(dtype)} with {manifest['rows_total']} rows")
        return EncodedDataset(name=manifest["dataset"], fields=fields, manifest=manifest,
                              vocabularies=vocabularies, cache_path=str(directory), from_cache=True, **arrays)
    except (OSError, ValueError, EOFError, KeyError, TypeError) as exc:
        raise CacheError(f"{type(exc).__name__}: {exc}") from None


def _load_array(path: Path, recorded, mmap: bool) -> np.ndarray:
    """One array file, its content checked against ``recorded`` ({"bytes", "sha256"}) first.

    Without mmap the file is read once into one buffer, that buffer is hashed, and the array is a
    view of it past the .npy header: the check costs the hash, not a second read or a copy."""
    if not isinstance(recorded, dict) or not isinstance(recorded.get("sha256"), str):
        raise CacheError(f"{path.name}: no checksum recorded for it in manifest.json")
    size = path.stat().st_size
    if size != recorded.get("bytes"):
        raise CacheError(f"{path.name}: {size:,} bytes; {recorded.get('bytes')!r} were written")
    if mmap:
        if file_digest(path, "sha256") != recorded["sha256"]:
            raise CacheError(f"{path.name}: its content does not match the checksum recorded when it was written")
        return np.load(path, mmap_mode="r")
    buf = np.empty(size, dtype=np.uint8)
    with open(path, "rb") as fh:
        got = fh.readinto(memoryview(buf))
    if got != size:
        raise CacheError(f"{path.name}: read {got:,} of its {size:,} bytes")
    if hashlib.sha256(buf).hexdigest() != recorded["sha256"]:
        raise CacheError(f"{path.name}: its content does not match the checksum recorded when it was written")
    head = io.BytesIO(buf[:_HEADER_BYTES].tobytes())
    version = np.lib.format.read_magic(head)
    if version != (1, 0):
        return np.load(io.BytesIO(buf.tobytes()))  # a header of more than 64 KiB; np.save writes 1.0 otherwise
    shape, fortran, dtype = np.lib.format.read_array_header_1_0(head)
    body = buf[head.tell():]
    if dtype.hasobject or len(body) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise CacheError(f"{path.name}: {len(body):,} bytes of data for an array {shape} of {dtype}")
    return body.view(dtype).reshape(shape, order="F" if fortran else "C")


_HEADER_BYTES = 10 + 65535  # the largest .npy 1.0 header: magic, version, length, then the header text


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CacheError(f"{path.name} is missing or unreadable ({type(exc).__name__})") from None


def _discard(directory: Path) -> None:
    """Move a damaged cache entry out of the way (atomically), then delete it."""
    trash = directory.with_name(f".trash-{directory.name}-{os.getpid()}-{time.time_ns()}")
    try:
        os.replace(directory, trash)
    except FileNotFoundError:
        return  # another process moved it first
    if trash.is_dir():
        shutil.rmtree(trash, ignore_errors=True)
    else:
        trash.unlink(missing_ok=True)


def manifest_checksum(manifest: Mapping[str, Any]) -> str:
    """sha256 of the manifest's canonical JSON: the dataset's identity in result provenance."""
    text = json.dumps(_jsonable(manifest), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def make_manifest(name: str, enc: EncodedArrays, *, source: Mapping[str, Any], options: Mapping[str, Any],
                  key: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Provenance of an encoded dataset (JSON-serialisable, deterministic: no times, no abs paths)."""
    rows, pos_rate = {}, {}
    for s, split_name in enumerate(SPLITS):
        mask = enc.split == s
        rows[split_name] = int(mask.sum())
        pos_rate[split_name] = float(enc.labels[mask].mean()) if mask.any() else None
    manifest = {
        "dataset": name,
        "encoder_version": ENCODER_VERSION,
        "cache_key": key,
        "source": _jsonable(source),
        "options": _jsonable(options),
        "rows": rows,
        "rows_total": int(len(enc.labels)),
        "positive_rate": pos_rate,
        "fields": [
            {"name": f.name, "kind": f.kind, "vocab_size": f.vocab_size, "column": f.column, "width": f.width,
             "missing_rate": enc.missing_rates[f.name], "train_cardinality": enc.train_cardinality[f.name]}
            for f in enc.fields
        ],
        "vocab_sizes": {f.name: f.vocab_size for f in enc.fields},
        "missing_rates": dict(enc.missing_rates),
    }
    if extra:
        manifest.update(_jsonable(extra))
    return manifest


def build_or_load(name: str, *, stream: ChunkStream, fields: Iterable[RawField], cache_dir,
                  options: Mapping[str, Any], source: Mapping[str, Any], source_checksums: Mapping[str, str],
                  min_count=1, split_seed: int = 2022, progress: bool = True,
                  extra: Mapping[str, Any] | None = None, use_cache: bool = True,
                  encoder=None) -> EncodedDataset:
    """The shared tail of every loader: cache hit -> load; miss -> encode, save atomically, return.

    ``encoder``: a function with ``encode_stream``'s signature that returns the same arrays by other
    means (Criteo's polars path); None: ``encode_stream``.

    ``options`` are the preprocessing options that define the encoding (they and the checksums
    make the cache key); min_count and split_seed are added to them here.
    """
    options = {**options, "min_count": _jsonable(min_count), "split_seed": split_seed}
    key = cache_key(name, options, source_checksums)
    directory = Path(cache_dir) / "encoded" / f"{name}-{key}"
    if use_cache and directory.exists():
        try:
            return load_encoded(directory, key=key)
        except UncheckedCache:
            notice(f"{directory}: encoded cache written by an older version, without checksums of its arrays; "
                   "encoding the data again")
            _discard(directory)
        except CacheError as exc:
            notice(f"{directory}: damaged encoded cache ({exc}); encoding the data again")
            _discard(directory)
    enc = (encoder or encode_stream)(stream, fields, min_count=min_count, split_seed=split_seed, progress=progress, desc=name)
    manifest = make_manifest(name, enc, source=source, options=options, key=key, extra=extra)
    ds = EncodedDataset(name=name, fields=enc.fields, ids=enc.ids, labels=enc.labels, split=enc.split,
                        manifest=manifest, vocabularies=enc.vocabularies)
    if use_cache:
        try:
            save_encoded(ds, directory)
        except OSError as exc:
            if not is_environment_error(exc):
                raise
            notice(f"{directory}: cannot write the encoded cache ({exc.strerror}); using the data uncached")
            return ds
        ds = ds.replace(cache_path=str(directory))
    return ds
