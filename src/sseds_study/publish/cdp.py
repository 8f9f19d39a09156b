"""A minimal Chrome DevTools Protocol client talking to headless Chromium over a pipe.

Chromium's ``--remote-debugging-pipe`` reads protocol messages on file descriptor 3 and writes
replies on descriptor 4, each a JSON object ended by a NUL byte. A pipe needs no port, no websocket
library and no browser download: only the Debian ``chromium`` package and the standard library.

The client is single-threaded: ``call`` sends a command and reads until its reply, keeping every
event it reads on the way; ``wait_for`` reads until an event of a given name arrives. Events are
kept per session, so a caller can look at the console messages, exceptions and network requests a
page produced since the last ``drain``.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict

from ..errors import SsedsError

# Flags for a quiet, reproducible headless browser: no GPU, no background traffic to Google
# services (that would show up as requests outside loopback), no first-run dialogs.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm, where the renderer would crash
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--font-render-hinting=none",  # the same glyph widths in every run
    # Every host name fails to resolve at once: a request leaving the machine is still seen (and
    # reported), but it neither waits on a network nor depends on what the network answers.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserError(SsedsError):
    """The browser could not be started, or did not answer in time."""


def find_chromium() -> str:
    """The path of a Chromium executable: ``$CHROMIUM`` if set, else the first one on PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise BrowserError(
        "no Chromium found: install the Debian package 'chromium' (apt-get install chromium) "
        "or set CHROMIUM to its path"
    )


class Browser:
    """A headless Chromium process and the protocol pipe to it. Use as a context manager."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0, window: tuple[int, int] = (1280, 900)):
        self.executable = executable or find_chromium()
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self.events: dict[str | None, list[dict]] = defaultdict(list)
        self._profile = tempfile.TemporaryDirectory(prefix="sseds-chromium-")
        # The browser's ends go to fds 3 and 4 in the child. They are first moved above 9 so that
        # placing one cannot overwrite the other (a fresh pipe may itself sit on fd 3 or 4).
        to_browser_r, self._to_browser = (_high_fd(fd) for fd in os.pipe())
        self._from_browser, from_browser_w = (_high_fd(fd) for fd in os.pipe())

        def place_pipe_fds() -> None:  # in the child, before exec; dup2 clears close-on-exec
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        args = [
            self.executable,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self._profile.name}",
            # The window a tab gets unless told otherwise: the reader's, so that nothing is first laid
            # out for headless Chromium's small default window and then moved.
            f"--window-size={window[0]},{window[1]}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=place_pipe_fds,
                pass_fds=(3, 4),  # every other descriptor is closed in the child
            )
        except OSError as exc:
            self._profile.cleanup()
            raise BrowserError(f"cannot start {self.executable}: {exc}") from exc
        finally:
            os.close(to_browser_r)
            os.close(from_browser_w)

    # -- context management --------------------------------------------------------------------

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Ask the browser to quit, then make sure it has; remove its profile folder."""
        if self.process.poll() is None:
            try:
                self._send({"id": self._new_id(), "method": "Browser.close"})
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    # -- protocol ------------------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            written = os.write(self._to_browser, data)
            data = data[written:]

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"Chromium did not answer within {self.timeout:.0f} s")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited (status {self.process.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, timeout: float | None = None, **params) -> dict:
        """Send one command and return its result; a protocol error raises ``BrowserError``."""
        message_id = self._new_id()
        message = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self.events[reply.get("sessionId")].append(reply)

    def wait_for(self, method: str, session: str | None = None, timeout: float | None = None) -> dict:
        """Read until an event named ``method`` arrives for ``session`` (or one already kept)."""
        for event in self.events[session]:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            event = self._read_message(deadline)
            if "method" in event:
                self.events[event.get("sessionId")].append(event)
                if event["method"] == method and event.get("sessionId") == session:
                    return event

    def drain(self, session: str | None) -> list[dict]:
        """Return and forget the events kept for ``session``."""
        return self.events.pop(session, [])

    def new_page(self, width: int, height: int) -> str:
        """Open a blank tab of the given viewport with the domains the checks listen to; its session id."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return session


def _high_fd(fd: int) -> int:
    """A close-on-exec copy of ``fd`` numbered 10 or more; ``fd`` itself is closed."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high
