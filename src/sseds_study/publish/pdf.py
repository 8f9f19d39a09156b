"""The book as one PDF: its single-page HTML build, printed by headless Chromium.

``make pdf`` builds the book with Sphinx's ``singlehtml`` builder (every chapter in one page, the same
theme, figures and offline MathJax as the HTML book) and prints that page here. The page is checked
as ``make browser-check`` checks a page first, so a PDF is never made of a page with a broken
figure or unrendered math. Printing needs no LaTeX and no network: Chromium is already what the
browser check uses.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .cdp import Browser, BrowserError
from .check import load
from .events import problems_from_events
from .pages import discover_pages, redirect_target
from .probe import problems_from_probe
from .report import Problem
from .server import serve

# What only makes sense on a screen goes from the printed page: the "Show code cell source" toggles
# of the hidden code cells (a PDF cannot open them; the code is in notebooks/), the buttons, the
# search box. Code, figures and tables are never split across pages where the browser can avoid it.
PRINT_CSS = """
@media print {
  details.hide.above-input, details.hide.below-input { display: none !important; }
  .headerlink, .toggle-button, .copybtn, #searchbox, .bd-search, .header-article, .prev-next-area { display: none !important; }
  figure, .cell_output, table, .math, mjx-container[display="true"] { break-inside: avoid; }
  /* A page cannot scroll: wide tables and long output lines shrink or wrap instead of being cut. */
  .pst-scrollable-table-container, .cell_output, .output, div.highlight, pre { overflow: visible !important; }
  .cell_output table, table.dataframe { font-size: 8pt; }
  .cell_output table td, .cell_output table th { padding: 0.1rem 0.25rem !important; }
  pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  h1, h2, h3 { break-after: avoid; }
  /* Each chapter starts a page: the builder marks where each document begins with a span. */
  span[id^="document-"] + section { break-before: page; }
}
"""

# Adds PRINT_CSS, then shrinks each block still wider than the printed column (a wide table, a long
# display formula: MathJax does not break lines) to fit it, instead of letting the page cut it off.
PREPARE = """
(async () => {
  const style = document.createElement("style");
  style.textContent = PRINT_CSS;
  document.head.appendChild(style);
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  let fitted = 0;
  const wide = document.querySelectorAll('mjx-container[display="true"], .cell_output table, figure img, .cell_output img');
  for (const el of wide) {
    const room = el.parentElement.clientWidth;
    const need = Math.max(el.scrollWidth, el.getBoundingClientRect().width);
    if (room > 0 && need > room + 1) {
      el.style.zoom = (room / need).toFixed(3);
      fitted += 1;
    }
  }
  return fitted;
})()
"""

# Problems that would show in the printed book: a PDF is not written while one is there. Others (a
# console message, a request for the search index, which a single-page build does not have) are
# told but do not stop the print.
BLOCKING = {"broken image", "blank image", "math not rendered", "raw math", "request outside loopback"}

# A4, with the page number at the foot of each page.
PAPER = {"paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.6, "marginBottom": 0.7, "marginLeft": 0.6, "marginRight": 0.6}
# The printed column in CSS pixels (96 per inch): the page is laid out at this width before the wide
# blocks are measured, so that what fits is what fits on paper.
COLUMN_PX = round((PAPER["paperWidth"] - PAPER["marginLeft"] - PAPER["marginRight"]) * 96)
FOOTER = '<div style="font-size:8px;width:100%;text-align:center;color:#555"><span class="pageNumber"></span> / <span class="totalPages"></span></div>'


# Where the single page is served from when the book's root document is in a folder.
FLAT_PAGE = "_book.html"


def single_page(root: Path) -> str:
    """The page of a singlehtml build that holds the book (its index.html redirects to it). Sphinx
    writes a root document that lives in a folder (``chapters/00_summary``) into that folder but with
    its links made for the top (``_images/...``): such a page is copied to the top (``FLAT_PAGE``) and
    that copy is the one printed."""
    root = Path(root)
    index = root / "index.html"
    if index.is_file():
        target = redirect_target(index.read_text(encoding="utf-8", errors="replace"))
        if target and "/" in target and (root / target).is_file():
            (root / FLAT_PAGE).write_bytes((root / target).read_bytes())
            return FLAT_PAGE
        return target or "index.html"
    pages = discover_pages(root)
    if not pages:
        raise BrowserError(f"{root}: no HTML page; build it first (jupyter-book build book --builder singlehtml)")
    return pages[0]


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF Chromium wrote (its page objects are never compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@dataclass
class Printed:
    """What ``print_pdf`` did: the problems of the page, and what the PDF holds (0 pages: not written)."""

    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    images: int = 0
    formulas: int = 0


def print_pdf(root: Path, out: Path, timeout: float = 120.0) -> Printed:
    """Print the single-page build in ``root`` to ``out``.

    Nothing is written (and ``pages`` is 0) when the page has a problem in ``BLOCKING``.
    """
    root = Path(root)
    page = single_page(root)
    with serve(root) as base, Browser(timeout=timeout) as browser:
        session = browser.new_page(1280, 900)
        probe = load(browser, session, base + page, timeout)
        problems = problems_from_probe(page, probe) + problems_from_events(page, browser.drain(session))
        if any(p.kind in BLOCKING for p in problems):
            return Printed(problems)
        browser.call("Emulation.setEmulatedMedia", session=session, media="print")
        browser.call(
            "Emulation.setDeviceMetricsOverride", session=session, width=COLUMN_PX, height=900, deviceScaleFactor=1, mobile=False
        )
        browser.call(
            "Runtime.evaluate",
            session=session,
            expression=PREPARE.replace("PRINT_CSS", json.dumps(PRINT_CSS)),
            awaitPromise=True,
            returnByValue=True,
        )
        printed = browser.call(
            "Page.printToPDF",
            session=session,
            timeout=timeout,
            printBackground=True,
            displayHeaderFooter=True,
            headerTemplate="<div></div>",
            footerTemplate=FOOTER,
            generateDocumentOutline=True,  # PDF bookmarks from the headings
            generateTaggedPDF=True,
            **PAPER,
        )
        problems += problems_from_events(page, browser.drain(session))
    if any(p.kind in BLOCKING for p in problems):
        return Printed(problems)
    pdf = base64.b64decode(printed["data"])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    return Printed(problems, page_count(pdf), len(probe.get("images", [])), probe.get("math", 0))
