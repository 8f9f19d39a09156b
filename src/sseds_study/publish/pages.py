"""Which pages a built book has, and which of them are chapters worth a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

_REFRESH_URL = re.compile(r"""<meta[^>]+http-equiv=["']refresh["'][^>]*content=["'][^"']*url=([^"'>\s]+)""", re.IGNORECASE)

# Folders of a Sphinx build that hold assets and copies of the sources, not pages.
ASSET_DIRS = {"_static", "_images", "_sources", "_downloads", "jupyter_execute", ".doctrees"}

# Pages Sphinx writes for every book: checked like any page, but they are not chapters.
GENERATED_PAGES = {"genindex.html", "search.html", "py-modindex.html"}


def discover_pages(root: Path) -> list[str]:
    """Every HTML page of the build under ``root``, as sorted paths relative to it (posix)."""
    root = Path(root)
    pages = []
    for path in root.rglob("*.html"):
        relative = path.relative_to(root)
        if relative.parts[0] in ASSET_DIRS:
            continue
        pages.append(relative.as_posix())
    return sorted(pages)


def redirect_target(html: str) -> str | None:
    """The URL a redirect page sends the reader to, or None for a page that is not a redirect."""
    match = _REFRESH_URL.search(html[:2000])
    return match.group(1) if match else None


def is_redirect(html: str) -> bool:
    """True for a page whose only job is to send the reader elsewhere (the book's index.html)."""
    return redirect_target(html) is not None


def is_chapter(page: str, html: str) -> bool:
    """True for a content page: neither one of Sphinx's generated pages nor a redirect."""
    return page not in GENERATED_PAGES and not is_redirect(html)


def screenshot_name(page: str, taken: set[str]) -> str:
    """A file name for the screenshot of ``page``: its stem (``01_data.png``), or its whole path with
    slashes as dashes when another page already took that stem."""
    stem = page.rsplit("/", 1)[-1].removesuffix(".html")
    name = f"{stem}.png"
    if name in taken:
        name = page.removesuffix(".html").replace("/", "-") + ".png"
    return name
