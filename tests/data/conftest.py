"""Fixtures for the data tests: a local HTTP server, small raw-file writers, the shared samples."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from sseds_study.data.paths import repo_root


def pytest_configure(config):
    config.addinivalue_line("markers", "network: needs internet access (skipped when offline)")


SHARED = repo_root().parent / "shared" / "data"  # the reference samples beside the repository


@pytest.fixture
def shared():
    """The real samples in ../shared/data, or a clean skip when they are absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared reference samples not found at {SHARED}")
    return SHARED


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` (path -> bytes) with Range support; paths in ``server.cut`` are cut
    off halfway (Content-Length announces the full size, then the connection closes)."""

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        body = self.server.files.get(self.path)
        self.server.requests.append((self.path, self.headers.get("Range")))
        if body is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and self.server.ranges:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        payload = body[start:]
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.path in self.server.cut:
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.files, server.cut, server.requests, server.ranges = {}, set(), [], True
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
