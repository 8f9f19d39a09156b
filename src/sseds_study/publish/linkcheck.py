"""Broken local links: every local href/src of a page must be served, and its #fragment must exist.

``problems_from_links`` takes the fetching as a function, so the rules are tested on a dictionary;
``HttpFetcher`` is the real one, asking the loopback server (so the check sees what a reader's
browser would get) and remembering each answer.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import NamedTuple

from .links import anchor_ids, extract_links, is_inert, is_local, resolve
from .report import Problem


class Served(NamedTuple):
    """What the server answered for one path: status, body size, and the text of an HTML page."""

    status: int
    size: int = 0
    html: str | None = None


Fetch = Callable[[str], Served]


def problems_from_links(page: str, html: str, fetch: Fetch) -> list[Problem]:
    """A problem for each local link of ``page`` that is not served, or whose fragment is missing."""
    problems = []
    own_ids: set[str] | None = None
    for link in extract_links(html):
        if not is_local(link.url) or is_inert(link.url):
            continue
        path, fragment = resolve(page, link.url)
        if path == page:
            if fragment:
                own_ids = anchor_ids(html) if own_ids is None else own_ids
                if fragment not in own_ids:
                    problems.append(Problem(page, "broken link", f"{link.url}: no #{fragment} on this page"))
            continue
        served = fetch(path)
        where = f"<{link.tag} {link.attribute}={link.url!r}>"
        if served.status >= 400:
            problems.append(Problem(page, "broken link", f"{where}: HTTP {served.status}"))
        elif served.size == 0:
            problems.append(Problem(page, "broken link", f"{where}: an empty file"))
        elif fragment and served.html is not None and fragment not in anchor_ids(served.html):
            problems.append(Problem(page, "broken link", f"{link.url}: no #{fragment} in {path}"))
    return problems


class HttpFetcher:
    """Fetches book paths from the loopback server at ``base`` (ending in ``/``), once each."""

    def __init__(self, base: str, timeout: float = 30.0):
        self.base = base
        self.timeout = timeout
        self._seen: dict[str, Served] = {}

    def __call__(self, path: str) -> Served:
        if path not in self._seen:
            self._seen[path] = self._fetch(path)
        return self._seen[path]

    def _fetch(self, path: str) -> Served:
        url = self.base + urllib.request.pathname2url(path).lstrip("/")
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            return Served(exc.code)
        html = body.decode("utf-8", "replace") if path.endswith(".html") else None
        return Served(response.status, len(body), html)
