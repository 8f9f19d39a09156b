"""HTTP downloads with resume, progress and checksum verification (stdlib urllib only).

A download goes to ``<dest>.part``; an interrupted transfer keeps the ``.part`` and raises
:class:`DownloadError`, and the next call resumes it with an HTTP Range request. Only a complete,
verified file is renamed to ``dest`` (``os.replace``), so ``dest`` is never partial or corrupt.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..errors import ChecksumError, DownloadError

USER_AGENT = "sseds-study/0.1 (+https://pypi.org)"
PYPI_SIMPLE = "https://pypi.org/simple/{project}/"
BLOCK = 1 << 16


def file_digest(path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while data := fh.read(1 << 20):
            h.update(data)
    return h.hexdigest()


def verify_file(path, *, md5: str | None = None, sha256: str | None = None) -> None:
    """Raise ChecksumError (file, expected, actual) unless every given checksum matches."""
    for algorithm, expected in (("md5", md5), ("sha256", sha256)):
        if expected:
            actual = file_digest(path, algorithm)
            if actual.lower() != expected.lower():
                raise ChecksumError(f"{path}: {algorithm} mismatch: expected {expected.lower()}, got {actual}")


def download(url: str, dest, *, md5: str | None = None, sha256: str | None = None, size: int | None = None,
             progress: bool = True, timeout: float = 30.0, connect_timeout: float | None = None) -> Path:
    """Fetch ``url`` into ``dest`` (resuming ``dest.part``), verify, and return ``dest``.

    An existing ``dest`` that matches the checksums is reused without any network access.
    timeout: seconds any single socket operation may wait; connect_timeout, if given, replaces it
    (urllib applies one timeout to the connection and every read), so a short one makes an
    unreachable mirror fail fast.
    Raises DownloadError (network failure or interrupted transfer; ``.part`` kept for resume) and
    ChecksumError (the complete file is wrong; the bad ``.part`` is removed so a retry starts over).
    """
    dest = Path(dest)
    if dest.is_file():
        verify_file(dest, md5=md5, sha256=sha256)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    if size is not None and have > size:
        part.unlink()  # longer than the published size: cannot be a prefix of the right file
        have = 0
    if not (size is not None and have == size):
        _fetch_into(url, part, have, size=size, progress=progress, timeout=timeout,
                    connect_timeout=connect_timeout or timeout)
    try:
        verify_file(part, md5=md5, sha256=sha256)
    except ChecksumError as exc:
        part.unlink(missing_ok=True)
        raise ChecksumError(str(exc).replace(str(part), f"{dest} (downloaded from {url})")) from None
    os.replace(part, dest)
    return dest


def _fetch_into(url: str, part: Path, have: int, *, size, progress, timeout, connect_timeout) -> None:
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=connect_timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            return  # the server says we already have everything: the checksum will tell
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{url}: cannot connect ({reason})") from None
    with response:
        if have and response.status != 206:
            have = 0  # the server ignored the Range header and sends the whole file: start over
        length = response.headers.get("Content-Length")
        expected_total = have + int(length) if length is not None else size
        got = have
        mode = "ab" if have else "wb"
        bar = tqdm(total=expected_total, initial=have, unit="B", unit_scale=True, desc=part.name[:-5],
                   disable=not progress, leave=False)
        try:
            with open(part, mode) as out:
                while True:
                    data = response.read(BLOCK)
                    if not data:
                        break
                    out.write(data)
                    got += len(data)
                    bar.update(len(data))
        except (OSError, urllib.error.URLError, ValueError) as exc:
            raise DownloadError(f"{url}: interrupted after {got} bytes ({exc}); partial file kept at {part} "
                                "and resumed on the next try") from None
        except Exception as exc:  # http.client.IncompleteRead and friends
            raise DownloadError(f"{url}: interrupted after {got} bytes ({type(exc).__name__}); partial file kept "
                                f"at {part} and resumed on the next try") from None
        finally:
            bar.close()
    if expected_total is not None and got < expected_total:
        raise DownloadError(f"{url}: interrupted after {got} of {expected_total} bytes; partial file kept at {part} "
                            "and resumed on the next try")


def pypi_file_url(project: str, filename: str, *, timeout: float = 30.0, index: str | None = None) -> tuple[str, dict]:
    """(url, hashes) of one release file, from the PyPI simple API in its JSON form (PEP 691).

    index: URL template with ``{project}``; default PYPI_SIMPLE (read at call time).
    """
    url = (index or PYPI_SIMPLE).format(project=project)
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json",
                                                   "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            listing = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DownloadError(f"{url}: cannot read the package index ({getattr(exc, 'reason', exc)})") from None
    for entry in listing.get("files", []):
        if entry.get("filename") == filename:
            return entry["url"], entry.get("hashes", {})
    raise DownloadError(f"{url}: the index lists no file named {filename}")
