"""Downloads: HTTP with resume, progress and checksum verification (stdlib urllib), and wheels
through pip (``pip_download``).

A download goes to ``<dest>.part``; an interrupted transfer keeps the ``.part`` and raises
:class:`DownloadError`, and the next call resumes it with an HTTP Range request. Only a complete,
verified file is renamed to ``dest`` (``os.replace``), so ``dest`` is never partial or corrupt.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

from ..errors import ChecksumError, DownloadError, notice

USER_AGENT = "sseds-study/0.1"
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


def is_verified(path, *, md5: str | None = None, sha256: str | None = None) -> bool:
    """True when ``path`` exists and matches; a file that does not match (truncated, or another
    file by the same name) is moved aside to ``<name>.bad`` with a notice, so it is fetched again."""
    path = Path(path)
    if not path.is_file():
        return False
    try:
        verify_file(path, md5=md5, sha256=sha256)
    except ChecksumError as exc:
        bad = path.with_name(path.name + ".bad")
        os.replace(path, bad)
        notice(f"{exc}; moved to {bad.name} and fetched again")
        return False
    return True


def download(url: str, dest, *, md5: str | None = None, sha256: str | None = None, size: int | None = None,
             progress: bool = True, timeout: float = 30.0, connect_timeout: float | None = None) -> Path:
    """Fetch ``url`` into ``dest`` (resuming ``dest.part``), verify, and return ``dest``.

    An existing ``dest`` that matches the checksums is reused without any network access; one that
    does not is moved aside (``is_verified``) and fetched again.
    timeout: seconds any single socket operation may wait; connect_timeout, if given, replaces it
    (urllib applies one timeout to the connection and every read), so a short one makes an
    unreachable mirror fail fast.
    Raises DownloadError (network failure or interrupted transfer; ``.part`` kept for resume) and
    ChecksumError (the complete file is wrong; the bad ``.part`` is removed so a retry starts over).
    """
    dest = Path(dest)
    if is_verified(dest, md5=md5, sha256=sha256):
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


def pip_download(requirement: str, filename: str, dest_dir, *, sha256: str) -> Path:
    """Fetch one wheel with pip into ``dest_dir/filename``, verified; returns the path.

    ``python -m pip download --no-deps --only-binary :all: <requirement>``: pip, not our own HTTP
    client, so every pip setting applies (index, mirror, proxy, certificates, from pip.conf or
    ``PIP_*`` variables). pip writes into a temporary folder beside the target; only a file that
    matches ``sha256`` is moved (atomically) into place. Raises DownloadError when pip fails or does
    not produce ``filename``, and ChecksumError when the file is not the expected one.
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / filename
    with tempfile.TemporaryDirectory(prefix=".pip-", dir=dest_dir) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check",
               requirement, "-d", tmp]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise DownloadError(f"pip download {requirement}: cannot run pip ({exc})") from None
        if proc.returncode != 0:
            lines = [line.strip() for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {proc.returncode}"
            raise DownloadError(f"pip download {requirement} failed: {reason} (pip's index, proxy and mirror "
                                "settings apply: pip.conf or PIP_* variables)")
        got = Path(tmp) / filename
        if not got.is_file():
            found = ", ".join(sorted(p.name for p in Path(tmp).iterdir())) or "nothing"
            raise DownloadError(f"pip download {requirement}: expected {filename}, pip fetched {found}")
        try:
            verify_file(got, sha256=sha256)
        except ChecksumError as exc:
            raise ChecksumError(str(exc).replace(str(got), f"{dest} (fetched by pip download {requirement})")) from None
        os.replace(got, dest)
    return dest
