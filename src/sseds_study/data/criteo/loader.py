"""Criteo Display Advertising Challenge (DAC) data: :func:`load_criteo`, the dataset registry's loader.

Formats: ``dac``, ``kaggle`` or ``bars`` (``layout``), auto-detected from the first line, or ``format=``.

Preprocessing (docs/design.md 1.4, as PEP and BARS Criteo_x4_001): integer features v > 2 become
floor(ln(v)^2), others stay as their value (``numeric="raw"`` keeps every value); missing is its
own category; categories seen fewer than ``min_count`` (default 10) times in train map to the
field's OOV id; one file is split 8:1:1 at random with a fixed seed.

Engines (``engine=``): ``arrow``, the general pipeline of every dataset (``encode.encode_stream``);
``polars``, ``fast_path`` (several times faster, the same arrays; input it does not handle the same
way goes to the general pipeline, so errors are reported as before); ``auto`` (the default) is polars.
The engine is not part of the cache key: both give the same encoding.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from ...errors import DataFormatError, OptionError
from ..cache import build_or_load, cached_sha256
from ..download import download, is_verified, verify_file
from ..encode import encode_stream
from ..paths import raw_dir
from ..raw import RawField
from ..readers import iter_delimited, resolve_split_files
from .fast_path import encode_files
from .frames import FastPathUnsupported
from .layout import CAT_FIELDS, FORMATS, INT_FIELDS, detect_format, file_specs

DEFAULT_MIN_COUNT = 10
ENGINES = ("auto", "arrow", "polars")

# the official tarball (see shared/data/README.md)
CRITEO_URL = "https://go.criteo.net/criteo-research-kaggle-display-advertising-challenge-dataset.tar.gz"
CRITEO_TARBALL = "criteo-research-kaggle-display-advertising-challenge-dataset.tar.gz"
CRITEO_SIZE = 4_576_820_670
CRITEO_MD5 = "df9b1b3766d9ff91d5ca3eb3d23bed27"
CRITEO_TRAIN_MD5 = "4dcfe6c4b7783585d4ae3c714994f26a"


def criteo_fields(numeric: str = "log_square") -> list[RawField]:
    """I1..I13 (integer, bucketised) and C1..C26 (categorical)."""
    if numeric not in ("log_square", "raw"):
        raise OptionError(f"criteo: numeric must be 'log_square' or 'raw', got {numeric!r}")
    bucket = "log_square" if numeric == "log_square" else "none"
    return [RawField(n, "numeric", integer=True, bucket=bucket) for n in INT_FIELDS] + [RawField(n) for n in CAT_FIELDS]


def criteo_stream(files, fmt: str = "auto", block_bytes: int | None = None):
    """A restartable chunk stream over the given [(file, split)] list."""
    kwargs = {} if block_bytes is None else {"block_bytes": block_bytes}

    def stream():
        for path, split in files:
            spec = FORMATS[detect_format(path) if fmt == "auto" else fmt]
            yield from iter_delimited(path, names=spec["names"], delimiter=spec["delimiter"], header=spec["header"],
                                      label=spec["label"], split=split, describe="label, I1..I13, C1..C26", **kwargs)

    return stream


def load_criteo(*, cache_dir, progress: bool = True, path=None, train=None, valid=None, test=None,
                format: str = "auto", min_count=DEFAULT_MIN_COUNT, split_seed: int = 2022, numeric: str = "log_square",
                download: bool = False, use_cache: bool = True, block_bytes: int | None = None,
                engine: str = "auto"):
    """Encode Criteo from local files (``path`` = a file or a split directory, or train/valid/test);
    ``download=True`` without a path fetches the official tarball first (4.6 GB). ``engine``: see the
    module docstring."""
    if format not in ("auto", *FORMATS):
        raise OptionError(f"criteo: format must be one of auto, {', '.join(FORMATS)}; got {format!r}")
    if engine not in ENGINES:
        raise OptionError(f"criteo: engine must be one of {', '.join(ENGINES)}; got {engine!r}")
    if path is None and train is None:
        if not download:
            raise OptionError("criteo: no data given; expected path= (--path: a file or folder with the raw data) "
                              f"or download=True (fetches {CRITEO_TARBALL}, 4.6 GB)")
        path = download_criteo(raw_dir(cache_dir), progress=progress)
    files = resolve_split_files("criteo", path, train, valid, test)
    checksums = {f"{s}:{p.name}": cached_sha256(p, cache_dir) for p, s in files}
    formats = {p.name: (detect_format(p) if format == "auto" else format) for p, _ in files}
    source = {"files": [{"name": p.name, "split": s, "sha256": checksums[f"{s}:{p.name}"], "format": formats[p.name]}
                        for p, s in files]}
    return build_or_load("criteo", stream=criteo_stream(files, format, block_bytes), fields=criteo_fields(numeric),
                         cache_dir=cache_dir, options={"numeric": numeric}, source=source, source_checksums=checksums,
                         min_count=min_count, split_seed=split_seed, progress=progress, use_cache=use_cache,
                         encoder=_encoder(files, formats, numeric, engine, block_bytes))


def _encoder(files, formats, numeric: str, engine: str, block_bytes: int | None):
    """encode_stream, or the polars path in front of it (falling back to it on input it leaves to it)."""
    if engine == "arrow":
        return None
    specs = file_specs(files, formats)

    def encode(stream, fields, *, min_count, split_seed, progress, desc):
        try:
            kwargs = {} if block_bytes is None else {"block_bytes": max(block_bytes, 1 << 16)}
            return encode_files(specs, min_count=min_count, numeric=numeric, split_seed=split_seed, **kwargs)
        except FastPathUnsupported:
            return encode_stream(stream, fields, min_count=min_count, split_seed=split_seed, progress=progress,
                                 desc=desc)

    return encode


def download_criteo(raw, *, progress: bool = True, url: str | None = None) -> Path:
    """Fetch and verify the official tarball into ``raw`` and extract ``train.txt`` (md5-checked).

    Returns the path of ``train.txt``. Extraction writes ``train.txt.part`` and renames it, so a
    crash never leaves a truncated ``train.txt`` behind.
    """
    raw = Path(raw)
    target = raw / "criteo" / "train.txt"
    if is_verified(target, md5=CRITEO_TRAIN_MD5):
        return target
    tarball = download(url or CRITEO_URL, raw / CRITEO_TARBALL, md5=CRITEO_MD5, size=CRITEO_SIZE, progress=progress)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name("train.txt.part")
    with tarfile.open(tarball) as tar:
        member = next((m for m in tar if m.isfile() and Path(m.name).name == "train.txt"), None)
        if member is None:
            raise DataFormatError(tarball, None, "the archive holds no train.txt")
        with tar.extractfile(member) as src, open(part, "wb") as out:
            while block := src.read(1 << 20):
                out.write(block)
    try:
        verify_file(part, md5=CRITEO_TRAIN_MD5)
    except Exception:
        part.unlink(missing_ok=True)
        raise
    part.replace(target)
    return target
