"""Downloads: success, checksum mismatch, interruption and resume, against a local HTTP server."""

from __future__ import annotations

import hashlib

import pytest

from sseds_study.data.download import download, pypi_file_url, verify_file
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


def test_pypi_file_url_reads_the_json_index(http_server):
    http_server.files["/simple/pkg/"] = (b'{"files": [{"filename": "pkg-1.0-py3-none-any.whl", "url": "http://x/y.whl",'
                                         b' "hashes": {"sha256": "ab"}}]}')
    url, hashes = pypi_file_url("pkg", "pkg-1.0-py3-none-any.whl", index=http_server.url + "/simple/{project}/")
    assert url == "http://x/y.whl" and hashes == {"sha256": "ab"}
    with pytest.raises(DownloadError, match="no file named"):
        pypi_file_url("pkg", "pkg-2.0.whl", index=http_server.url + "/simple/{project}/")
