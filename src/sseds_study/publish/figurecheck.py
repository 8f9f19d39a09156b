"""The figure part of the book check: is every figure shown at its natural size, with readable text?

A figure of the book is saved as wide as the text column (``figures.style.CONTENT_PX``) and records
in a PNG text chunk (``figures.style.SMALLEST_TEXT_KEY``) how many pixels tall its smallest text is
at natural size. In the browser a figure scaled down shrinks its text with it, so the text's size on
screen is that number times the displayed width over the natural width. ``FIGURES`` lists the images
of a page as the reader's window lays them out; ``figure_problems`` applies the rule (pure, tested
without a browser): a figure shown below ``MIN_SCALE`` of its natural width, or whose smallest text
would render below ``MIN_TEXT_PX``, is a problem, one line per figure naming page and figure.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..figures.style import SMALLEST_TEXT_KEY
from .report import Problem, shorten

MIN_SCALE = 0.9  # displayed width / natural width
MIN_TEXT_PX = 9.0  # the smallest text a figure may show on screen, in CSS pixels

# Every image in the page's article with its box and the figure it belongs to ("Fig. 17" and the start
# of its caption), for a report that names the figure as the reader sees it.
FIGURES = r"""
(() => {
  const column = document.querySelector("article.bd-article") || document.querySelector("article")
    || document.body;
  return Array.from(column.querySelectorAll("img")).map(img => {
    const figure = img.closest("figure");
    const number = figure ? figure.querySelector(".caption-number") : null;
    const caption = figure ? figure.querySelector("figcaption") : null;
    return {
      src: img.getAttribute("src") || "",
      naturalWidth: img.naturalWidth,
      width: img.getBoundingClientRect().width,
      number: number ? number.textContent.trim() : "",
      caption: caption ? caption.textContent.trim().replace(/\s+/g, " ") : "",
    };
  });
})()
"""


def png_text(data: bytes) -> dict[str, str]:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG file as {keyword: text}; {} for what is not a PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return {}
    chunks, at = {}, 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        at += 12 + length  # length, type, body, CRC
        if kind == b"tEXt":
            key, _, text = body.partition(b"\0")
            chunks[key.decode("latin-1")] = text.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            chunks[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]  # compression flag, then method
            _language, _, rest = rest.partition(b"\0")
            _translated, _, text = rest.partition(b"\0")
            chunks[key.decode("latin-1")] = (zlib.decompress(text) if compressed else text).decode("utf-8")
        elif kind == b"IEND":
            break
    return chunks


def smallest_text(data: bytes) -> float | None:
    """The pixel size of the figure's smallest text at natural size, as its PNG records it; None when
    it records none (an image not saved by the figures package)."""
    try:
        return float(png_text(data)[SMALLEST_TEXT_KEY])
    except (KeyError, ValueError):
        return None


def image_file(root: Path, page: str, src: str) -> Path | None:
    """The file in the build ``root`` that ``src`` on ``page`` points to; None for an embedded or
    remote image."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = PurePosixPath(page).parent / unquote(parts.path)
    resolved = (Path(root) / path).resolve()
    return resolved if resolved.is_file() else None


def figure_name(image: dict) -> str:
    """'Fig. 17 (Test AUC change ...)' or the image's file name when it is not in a numbered figure."""
    number = image.get("number", "").rstrip(" .:")
    if number:
        caption = image.get("caption", "").removeprefix(image.get("number", "")).strip()
        return f"{number} ({shorten(caption, 50)})" if caption else number
    return PurePosixPath(urlsplit(image.get("src", "")).path).name or "an image"


def figure_problems(page: str, images: list[dict], text_px: Callable[[str], float | None]) -> list[Problem]:
    """One problem per figure shown below ``MIN_SCALE`` of its natural width, and one per figure whose
    smallest text (``text_px(src)``: pixels at natural size, None when unknown) renders below
    ``MIN_TEXT_PX``. Images not laid out (no width: a folded cell) or not loaded are left out."""
    problems = []
    for image in images:
        natural, shown = image.get("naturalWidth") or 0, image.get("width") or 0
        if natural <= 0 or shown <= 0:
            continue
        scale = shown / natural
        name = figure_name(image)
        if scale < MIN_SCALE:
            problems.append(Problem(page, "figure scaled down",
                                    f"{name} is shown {shown:.0f} px wide, {scale:.0%} of its natural "
                                    f"{natural} px (at least {MIN_SCALE:.0%}): save it at the column's width"))
        smallest = text_px(image.get("src", ""))
        if smallest is not None and smallest * scale < MIN_TEXT_PX:
            problems.append(Problem(page, "figure text too small",
                                    f"{name}: its smallest text renders {smallest * scale:.1f} px high "
                                    f"({smallest:.1f} px at natural size, shown at {scale:.0%}; at least "
                                    f"{MIN_TEXT_PX:g} px)"))
    return problems


def check_figures(browser, session: str, root: Path, page: str) -> list[Problem]:
    """The figure problems of the page loaded in ``session``; its images are read from the build."""
    found = browser.call("Runtime.evaluate", session=session, expression=FIGURES, returnByValue=True)
    images = found.get("result", {}).get("value") or []

    def text_px(src: str) -> float | None:
        path = image_file(root, page, src)
        return smallest_text(path.read_bytes()) if path is not None else None

    return figure_problems(page, images, text_px)
