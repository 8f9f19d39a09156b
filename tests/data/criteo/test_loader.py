"""Criteo parsing (DAC, Kaggle csv, BARS csv), preprocessing, bad input, and the downloader."""

from __future__ import annotations

import hashlib
import io
import tarfile

import numpy as np
import pytest
from datahelpers import criteo_row, encoded_entries, write_criteo

from sseds_study.data.criteo import loader
from sseds_study.data.criteo.layout import CAT_FIELDS, INT_FIELDS
from sseds_study.data.criteo.loader import download_criteo, load_criteo
from sseds_study.data.encode import MISSING
from sseds_study.errors import ChecksumError, DataFormatError

KAGGLE_HEADER = ",".join(["Id", "Label", *INT_FIELDS, *CAT_FIELDS])
BARS_HEADER = ",".join(["label", *INT_FIELDS, *CAT_FIELDS])


def test_three_formats_encode_identically(tmp_path, cache):
    a = load_criteo(path=write_criteo(tmp_path / "a.txt", 300), cache_dir=cache, progress=False, min_count=2)
    b = load_criteo(path=write_criteo(tmp_path / "b.csv", 300, sep=",", header=KAGGLE_HEADER), cache_dir=cache,
                    progress=False, min_count=2)
    c = load_criteo(path=write_criteo(tmp_path / "c.csv", 300, sep=",", header=BARS_HEADER), cache_dir=cache,
                    progress=False, min_count=2)
    for other in (b, c):
        assert np.array_equal(a.ids, other.ids) and np.array_equal(a.labels, other.labels)
    assert a.num_fields == 39 and a.field_names[:2] == ["I1", "I2"] and a.fields[0].kind == "numeric"


def test_bucketing_missing_and_default_min_count(tmp_path, cache):
    rows = [criteo_row(i % 2, [1000, 2, ""], ["aa", "bb" if i < 5 else "cc"]) for i in range(40)]
    p = tmp_path / "t.txt"
    p.write_text("\n".join(rows) + "\n")
    ds = load_criteo(path=p, cache_dir=cache, progress=False)
    assert ds.manifest["options"]["min_count"] == 10
    assert ds.vocabularies["I1"] == ["<OOV>", "47"]  # floor(ln(1000)^2)
    assert ds.vocabularies["I2"] == ["<OOV>", "2"]
    assert ds.vocabularies["I3"] == ["<OOV>", MISSING]  # missing is its own category
    assert "bb" not in ds.vocabularies["C2"]  # 5 occurrences < 10 -> OOV
    assert ds.manifest["missing_rates"]["I3"] == 1.0 and ds.manifest["missing_rates"]["I1"] == 0.0


def test_split_directory_and_explicit_files(tmp_path, cache):
    d = tmp_path / "splits"
    d.mkdir()
    for name, n in (("train.txt", 50), ("valid.txt", 7), ("test.txt", 9)):
        write_criteo(d / name, n, seed=n)
    ds = load_criteo(path=d, cache_dir=cache, progress=False, min_count=1)
    assert ds.manifest["rows"] == {"train": 50, "valid": 7, "test": 9}
    assert ds.split[:50].tolist() == [0] * 50
    again = load_criteo(train=d / "train.txt", valid=d / "valid.txt", test=d / "test.txt", cache_dir=cache,
                        progress=False, min_count=1)
    assert again.from_cache  # same files, same options -> same cache key


def test_streaming_in_small_blocks_gives_the_same_arrays(tmp_path, cache):
    p = write_criteo(tmp_path / "a.txt", 500)
    whole = load_criteo(path=p, cache_dir=cache, progress=False, min_count=2, use_cache=False)
    pieces = load_criteo(path=p, cache_dir=cache, progress=False, min_count=2, use_cache=False, block_bytes=4096)
    assert np.array_equal(whole.ids, pieces.ids) and np.array_equal(whole.split, pieces.split)


# -- bad input: each message names the file, the line and what was expected; no cache is left --------
def _fails(cache, match, **kw):
    with pytest.raises(DataFormatError) as err:
        load_criteo(cache_dir=cache, progress=False, **kw)
    assert encoded_entries(cache) == []
    for m in match:
        assert m in str(err.value), str(err.value)
    return err.value


def test_missing_file(tmp_path, cache):
    _fails(cache, ["nope.txt", "file not found"], path=tmp_path / "nope.txt")


def test_empty_file(tmp_path, cache):
    (tmp_path / "empty.txt").write_text("")
    _fails(cache, ["empty.txt", "empty"], path=tmp_path / "empty.txt")


def test_wrong_column_count_names_the_line(tmp_path, cache):
    p = write_criteo(tmp_path / "bad.txt", 30)
    lines = p.read_text().splitlines()
    lines[16] = lines[16] + "\textra"  # line 17
    lines[20] = "\t".join(lines[20].split("\t")[:30])  # line 21 (reported second)
    p.write_text("\n".join(lines) + "\n")
    err = _fails(cache, ["bad.txt", "line 17", "expected 40 columns", "got 41"], path=p)
    assert err.line == 17


def test_too_few_columns(tmp_path, cache):
    p = write_criteo(tmp_path / "short.txt", 10)
    lines = p.read_text().splitlines()
    lines[3] = "\t".join(lines[3].split("\t")[:39])
    p.write_text("\n".join(lines) + "\n")
    _fails(cache, ["short.txt", "line 4", "expected 40 columns", "got 39"], path=p)


def test_non_integer_in_integer_column(tmp_path, cache):
    rows = [criteo_row(0, [1, 2, 3], ["a"]) for _ in range(12)]
    rows[9] = criteo_row(1, [1, 2.5, 3], ["a"])
    p = tmp_path / "float.txt"
    p.write_text("\n".join(rows) + "\n")
    _fails(cache, ["float.txt", "line 10", "'I2'", "expected an integer", "'2.5'"], path=p)


def test_non_integer_in_kaggle_csv_counts_the_header(tmp_path, cache):
    p = write_criteo(tmp_path / "k.csv", 10, sep=",", header=KAGGLE_HEADER)
    lines = p.read_text().splitlines()
    parts = lines[5].split(",")
    parts[2 + 4] = "x"  # I5 of data row 5 = line 6
    lines[5] = ",".join(parts)
    p.write_text("\n".join(lines) + "\n")
    _fails(cache, ["k.csv", "line 6", "'I5'", "expected an integer", "'x'"], path=p)


def test_unknown_label(tmp_path, cache):
    rows = [criteo_row(0, [1], ["a"]) for _ in range(8)]
    rows[6] = criteo_row("yes", [1], ["a"])
    p = tmp_path / "label.txt"
    p.write_text("\n".join(rows) + "\n")
    _fails(cache, ["label.txt", "line 7", "expected 0 or 1", "'yes'"], path=p)


def test_wrong_header(tmp_path, cache):
    p = tmp_path / "h.csv"
    p.write_text("label,I1,I2\n0,1,2\n")
    _fails(cache, ["h.csv", "line 1", "unexpected header", "expected 40 columns"], path=p)


def test_needs_path_or_download(cache):
    with pytest.raises(ValueError, match="path="):
        load_criteo(cache_dir=cache, progress=False)


# -- downloader (never the real 4.6 GB: a tiny tarball from a local server) ----------------------------
def _tarball(train_text: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("dac/train.txt")
        info.size = len(train_text)
        tar.addfile(info, io.BytesIO(train_text))
    return buf.getvalue()


def test_download_criteo_from_a_local_server(tmp_path, http_server, monkeypatch):
    train = write_criteo(tmp_path / "src.txt", 20).read_bytes()
    blob = _tarball(train)
    http_server.files["/criteo.tar.gz"] = blob
    monkeypatch.setattr(loader, "CRITEO_MD5", hashlib.md5(blob).hexdigest())
    monkeypatch.setattr(loader, "CRITEO_SIZE", len(blob))
    monkeypatch.setattr(loader, "CRITEO_TRAIN_MD5", hashlib.md5(train).hexdigest())
    out = download_criteo(tmp_path / "raw", progress=False, url=f"{http_server.url}/criteo.tar.gz")
    assert out.read_bytes() == train and out.name == "train.txt"
    monkeypatch.setattr(loader, "CRITEO_TRAIN_MD5", "f" * 32)
    (tmp_path / "raw" / "criteo" / "train.txt").unlink()
    with pytest.raises(ChecksumError, match="f" * 32):
        download_criteo(tmp_path / "raw", progress=False, url=f"{http_server.url}/criteo.tar.gz")
    assert not (tmp_path / "raw" / "criteo" / "train.txt").exists()


def test_download_criteo_knows_the_official_file():
    assert loader.CRITEO_SIZE == 4_576_820_670 and loader.CRITEO_MD5 == "df9b1b3766d9ff91d5ca3eb3d23bed27"
    assert loader.CRITEO_URL.endswith(loader.CRITEO_TARBALL)


def test_header_only_file(tmp_path, cache):
    p = tmp_path / "k.csv"
    p.write_text(KAGGLE_HEADER + "\n")
    _fails(cache, ["k.csv", "no data rows after the header"], path=p)


def test_byte_order_mark_before_a_headerless_file(tmp_path, cache):
    plain = write_criteo(tmp_path / "plain.txt", 50)
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    a, b = (load_criteo(path=tmp_path / n, cache_dir=cache, progress=False) for n in ("plain.txt", "bom.txt"))
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.labels, b.labels)
