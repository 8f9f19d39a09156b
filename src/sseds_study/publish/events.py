"""Problems told by the browser while a page loaded: DevTools protocol events turned into ``Problem``s.

Pure functions on the event dictionaries, so that each rule is tested without a browser.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .links import is_inert
from .report import Problem, shorten

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

# A browser asks for /favicon.ico by itself when a page names no icon; the book does not, and a
# missing icon there is the browser's guess failing, not a broken page.
BROWSER_GUESSES = {"/favicon.ico"}


def is_loopback(url: str) -> bool:
    """True for a URL served by this machine (or one that loads nothing: data:, blob:, ...)."""
    if is_inert(url):
        return True
    host = urlsplit(url).hostname
    return host in LOOPBACK_HOSTS


def is_browser_guess(url: str) -> bool:
    """True for a request the browser makes on its own (the site icon), not one the page asked for."""
    return urlsplit(url).path in BROWSER_GUESSES


def _remote_object_text(obj: dict) -> str:
    if "value" in obj:
        return str(obj["value"])
    return obj.get("description") or obj.get("unserializableValue") or obj.get("type", "")


def problems_from_events(page: str, events: list[dict]) -> list[Problem]:
    """Console errors, uncaught exceptions, failed requests and requests leaving the machine."""
    problems = []
    urls: dict[str, str] = {}  # request id -> url, to name the url of a failed request
    for event in events:
        method = event.get("method")
        params = event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(_remote_object_text(arg) for arg in params.get("args", []))
            problems.append(Problem(page, "console error", shorten(text)))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            problems.append(Problem(page, "uncaught exception", shorten(text)))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            # The network's own log lines repeat what the Network events below already tell.
            if entry.get("source") == "network":
                continue
            where = f" ({entry['url']})" if entry.get("url") else ""
            problems.append(Problem(page, "console error", shorten(entry.get("text", "") + where)))
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            urls[params.get("requestId", "")] = url
            if not is_loopback(url):
                problems.append(Problem(page, "request outside loopback", shorten(url)))
        elif method == "Network.responseReceived":
            response = params.get("response", {})
            if response.get("status", 0) >= 400 and not is_browser_guess(response.get("url", "")):
                problems.append(Problem(page, "failed request", f"HTTP {response['status']} for {shorten(response.get('url', ''))}"))
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            url = urls.get(params.get("requestId", ""), "?")
            # A request outside loopback is already reported as such; its failure adds nothing.
            if is_loopback(url) and not is_browser_guess(url):
                problems.append(Problem(page, "failed request", f"{params.get('errorText', 'failed')} for {shorten(url)}"))
    return problems
