"""The book check: serve the build on loopback, open every page in headless Chromium, list what broke.

For each page: its local links are fetched from the server; the page is loaded in the browser, which
reports console errors, uncaught exceptions, failed requests and any request leaving the machine;
once MathJax has typeset it, a script in the page looks for broken or blank images and unrendered
math, and every figure is checked for its displayed size and text size (``figurecheck``); a content page is then photographed whole at the reader's width.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path

from .cdp import Browser, BrowserError
from .events import problems_from_events
from .figurecheck import check_figures
from .linkcheck import HttpFetcher, problems_from_links
from .markup import problems_from_markup
from .pages import discover_pages, is_chapter, redirect_target, screenshot_name
from .probe import PROBE, SETTLE, problems_from_probe
from .report import Problem
from .server import serve

WIDTH = 1280  # the reader's window width, and the screenshots' width
VIEWPORT_HEIGHT = 900
FRAMES = "new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"


@dataclass
class BookCheck:
    """What a check saw: the pages it opened, the problems, and the screenshots it wrote."""

    pages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    probes: dict[str, dict] = field(default_factory=dict)


def load(browser: Browser, session: str, url: str, timeout: float) -> dict:
    """Open ``url`` in the tab and wait until it is as a reader sees it; the page's probe.

    The events the page produced are kept in ``browser.events[session]`` for the caller.
    """
    navigation = browser.call("Page.navigate", session=session, url=url)
    if navigation.get("errorText"):
        raise BrowserError(f"navigation failed: {navigation['errorText']}")
    browser.wait_for("Page.loadEventFired", session=session, timeout=timeout)
    settled = browser.call(
        "Runtime.evaluate", session=session, timeout=timeout, expression=SETTLE, awaitPromise=True, returnByValue=True
    )
    if "exceptionDetails" in settled:
        raise BrowserError(f"page did not settle: {settled['exceptionDetails'].get('text', '')}")
    probe = browser.call("Runtime.evaluate", session=session, expression=PROBE, returnByValue=True)
    return probe["result"].get("value", {})


# Stops transitions and animations so that a screenshot never catches an element mid-way (the
# theme slides its sidebars when the window changes size).
STILL = """
(async () => {
  const style = document.createElement("style");
  style.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
  document.head.appendChild(style);
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  return document.documentElement.scrollHeight;
})()
"""


def screenshot(browser: Browser, session: str) -> bytes:
    """The whole page, ``WIDTH`` pixels wide and as tall as its content, as PNG bytes.

    The window is made as tall as the page for the capture (then set back), so that the page is laid
    out and painted as one screen, not stitched from a viewport that moves.
    """
    height = browser.call("Runtime.evaluate", session=session, expression=STILL, awaitPromise=True, returnByValue=True)
    height = max(int(height["result"].get("value") or VIEWPORT_HEIGHT), 1)
    metrics = {"width": WIDTH, "deviceScaleFactor": 1, "mobile": False}
    browser.call("Emulation.setDeviceMetricsOverride", session=session, height=height, **metrics)
    try:
        browser.call("Runtime.evaluate", session=session, expression=FRAMES, awaitPromise=True)
        shot = browser.call(
            "Page.captureScreenshot",
            session=session,
            format="png",
            clip={"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
        )
    finally:
        browser.call("Emulation.setDeviceMetricsOverride", session=session, height=VIEWPORT_HEIGHT, **metrics)
    return base64.b64decode(shot["data"])


def check_book(root: Path, screenshot_dir: Path | None = None, timeout: float = 60.0) -> BookCheck:
    """Check every page of the HTML build in ``root``; photograph its content pages into ``screenshot_dir``."""
    root = Path(root)
    result = BookCheck(pages=discover_pages(root))
    if not result.pages:
        result.problems.append(Problem(str(root), "page error", "no HTML pages: build the book first (make book)"))
        return result
    taken: set[str] = set()
    with serve(root) as base, Browser(timeout=timeout, window=(WIDTH, VIEWPORT_HEIGHT)) as browser:
        fetch = HttpFetcher(base)
        session = browser.new_page(WIDTH, VIEWPORT_HEIGHT)
        for page in result.pages:
            html = (root / page).read_text(encoding="utf-8", errors="replace")
            result.problems += problems_from_links(page, html, fetch)
            # Literal markup in the prose (a backtick, 10^6, run(s), **, a role left raw): read from the HTML.
            result.problems += problems_from_markup(page, html)
            target = redirect_target(html)
            if target is not None:
                # Opened in the browser it would be the page it points to, checked on its own.
                result.problems += problems_from_links(page, f'<a href="{target}"></a>', fetch)
                continue
            browser.drain(session)
            try:
                probe = load(browser, session, base + page, timeout)
            except BrowserError as exc:
                result.problems.append(Problem(page, "page error", str(exc)))
                result.problems += problems_from_events(page, browser.drain(session))
                continue
            result.probes[page] = probe
            result.problems += problems_from_probe(page, probe)
            result.problems += check_figures(browser, session, root, page)
            if screenshot_dir is not None and is_chapter(page, html):
                name = screenshot_name(page, taken)
                taken.add(name)
                path = Path(screenshot_dir) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(screenshot(browser, session))
                result.screenshots.append(path)
            # Collected last, so that what the probe and the screenshot caused is counted too.
            result.problems += problems_from_events(page, browser.drain(session))
    return result
