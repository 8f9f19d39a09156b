"""The on-disk cache of encoded datasets: file checksums, cache keys, manifests, save and load.

The encoded result is cached under ``<cache>/encoded/<name>-<key>/`` (``ids.npy``, ``labels.npy``,
``split.npy``, ``vocabularies.json``, ``manifest.json``); the key hashes the preprocessing options
and the sha256 of every raw input, so a changed file or option re-encodes. :func:`build_or_load` is
the shared tail of every dataset loader.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..fileio import atomic_write_text
from .download import file_digest
from .encode import ENCODER_VERSION, EncodedArrays, encode_stream
from .raw import ChunkStream, RawField
from .spec import SPLITS, EncodedDataset, make_field_specs


# -- checksums ----------------------------------------------------------------------------------------
def cached_sha256(path, cache_dir: Path) -> str:
    """sha256 of a file, remembered by (absolute path, size, mtime) in ``<cache>/checksums.json``.

    Hashing a multi-gigabyte raw file takes minutes; remembering it keeps the second load of a
    dataset near-instant while the cache key still changes whenever the file does.
    """
    path = Path(path).resolve()
    st = path.stat()
    key = f"{path}|{st.st_size}|{st.st_mtime_ns}"
    book = Path(cache_dir) / "checksums.json"
    try:
        known = json.loads(book.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        return known[key]
    digest = file_digest(path, "sha256")
    known[key] = digest
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        atomic_write_text(book, json.dumps(known, indent=0, sort_keys=True))
    except OSError:
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


def save_encoded(ds: EncodedDataset, directory) -> Path:
    """Write a dataset to ``directory`` atomically: a temp dir beside it, then ``os.replace``.

    Readers therefore see either no directory or a complete one. If another process finished the
    same directory first, ours is discarded (same key = same content).
    """
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".tmp-{directory.name}-"))
    try:
        for key in _ARRAYS:
            np.save(tmp / f"{key}.npy", getattr(ds, key))
        (tmp / "vocabularies.json").write_text(json.dumps(ds.vocabularies or {}))
        (tmp / "manifest.json").write_text(json.dumps(_jsonable(ds.manifest), indent=1))
        try:
            os.replace(tmp, directory)
        except OSError:
            if not (directory / "manifest.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return directory


def load_encoded(directory, mmap: bool = False) -> EncodedDataset:
    """Read a dataset written by :func:`save_encoded`. ``mmap`` maps the arrays read-only."""
    directory = Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    arrays = {k: np.load(directory / f"{k}.npy", mmap_mode="r" if mmap else None) for k in _ARRAYS}
    vocabularies = json.loads((directory / "vocabularies.json").read_text())
    fields = make_field_specs(
        [f["name"] for f in manifest["fields"]], [f["kind"] for f in manifest["fields"]],
        [f["vocab_size"] for f in manifest["fields"]], [f["width"] for f in manifest["fields"]],
    )
    return EncodedDataset(name=manifest["dataset"], fields=fields, manifest=manifest,
                          vocabularies=vocabularies, cache_path=str(directory), from_cache=True, **arrays)


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
                  extra: Mapping[str, Any] | None = None, use_cache: bool = True) -> EncodedDataset:
    """The shared tail of every loader: cache hit -> load; miss -> encode, save atomically, return.

    ``options`` are the preprocessing options that define the encoding (they and the checksums
    make the cache key); min_count and split_seed are added to them here.
    """
    options = {**options, "min_count": _jsonable(min_count), "split_seed": split_seed}
    key = cache_key(name, options, source_checksums)
    directory = Path(cache_dir) / "encoded" / f"{name}-{key}"
    if use_cache and (directory / "manifest.json").is_file():
        return load_encoded(directory)
    enc = encode_stream(stream, fields, min_count=min_count, split_seed=split_seed, progress=progress, desc=name)
    manifest = make_manifest(name, enc, source=source, options=options, key=key, extra=extra)
    ds = EncodedDataset(name=name, fields=enc.fields, ids=enc.ids, labels=enc.labels, split=enc.split,
                        manifest=manifest, vocabularies=enc.vocabularies)
    if use_cache:
        save_encoded(ds, directory)
        ds = ds.replace(cache_path=str(directory))
    return ds
