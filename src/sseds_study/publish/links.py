"""The links of a built HTML page, read from its source: what a reader can follow or the page loads.

Pure functions on text, so that what counts as a local link is tested without a browser or server.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from posixpath import normpath
from urllib.parse import unquote, urljoin, urlsplit

# (tag, attribute) pairs whose value is a URL the page links to or loads.
LINK_ATTRIBUTES = {
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
}

# Schemes that load nothing from a server (or only on a reader's click, outside the book).
INERT_SCHEMES = {"data", "blob", "mailto", "javascript", "about", "tel"}


@dataclass(frozen=True)
class Link:
    """One URL in a page: the tag and attribute it came from and its value as written."""

    tag: str
    attribute: str
    url: str


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if (tag, name) in LINK_ATTRIBUTES and value.strip():
                self.links.append(Link(tag, name, value.strip()))
            if tag == "img" and name == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append(Link(tag, name, candidate.split()[0]))


def extract_links(html: str) -> list[Link]:
    """Every URL the page links to or loads, in document order."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return parser.links


def anchor_ids(html: str) -> set[str]:
    """The fragment targets a page offers: its ``id`` attributes and ``<a name=...>``."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return parser.ids


def is_local(url: str) -> bool:
    """True for a URL relative to the book (no scheme, no host): it must resolve inside the build."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def is_inert(url: str) -> bool:
    """True for a URL that loads nothing from a server (data:, mailto:, javascript:, ...)."""
    return urlsplit(url).scheme.lower() in INERT_SCHEMES


def resolve(page: str, url: str) -> tuple[str, str]:
    """The book-relative path a local ``url`` on ``page`` points to, and its fragment.

    ``page`` is the page's path relative to the build root (``chapters/01_data.html``). A link to the
    page itself (``#section``) resolves to ``page``; a folder resolves to its ``index.html``.
    """
    joined = urljoin("/" + page, url)
    parts = urlsplit(joined)
    path = unquote(parts.path)
    if path.endswith("/"):
        path += "index.html"
    path = normpath(path).lstrip("/")
    return path, unquote(parts.fragment)
