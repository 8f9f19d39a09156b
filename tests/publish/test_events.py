from sseds_study.publish.events import is_loopback, problems_from_events


def kinds(events):
    return [(p.kind, p.detail) for p in problems_from_events("intro.html", events)]


def test_loopback_and_inert_urls_stay_on_the_machine():
    assert is_loopback("http://127.0.0.1:8000/intro.html")
    assert is_loopback("http://localhost:8000/x.js")
    assert is_loopback("data:font/woff2;base64,AAAA")
    assert not is_loopback("https://unpkg.com/thebe@0.8.2/lib/index.js")
    assert not is_loopback("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js")


def test_console_errors_and_exceptions():
    events = [
        {"method": "Runtime.consoleAPICalled", "params": {"type": "log", "args": [{"type": "string", "value": "hi"}]}},
        {"method": "Runtime.consoleAPICalled", "params": {"type": "error", "args": [{"type": "string", "value": "boom"}, {"type": "number", "value": 3}]}},
        {"method": "Runtime.exceptionThrown", "params": {"exceptionDetails": {"text": "Uncaught", "exception": {"description": "SyntaxError: x\n    at y"}}}},
        {"method": "Log.entryAdded", "params": {"entry": {"level": "warning", "text": "meh"}}},
        {"method": "Log.entryAdded", "params": {"entry": {"level": "error", "source": "javascript", "text": "Refused", "url": "http://127.0.0.1:1/a.js"}}},
        # told again by the Network events
        {"method": "Log.entryAdded", "params": {"entry": {"level": "error", "source": "network", "text": "Failed to load resource", "url": "http://127.0.0.1:1/_images/a.png"}}},
    ]
    assert kinds(events) == [
        ("console error", "boom 3"),
        ("uncaught exception", "SyntaxError: x at y"),
        ("console error", "Refused (http://127.0.0.1:1/a.js)"),
    ]


def test_requests_outside_loopback_and_failed_requests():
    events = [
        {"method": "Network.requestWillBeSent", "params": {"requestId": "1", "request": {"url": "https://cdn.example.org/m.js"}}},
        {"method": "Network.loadingFailed", "params": {"requestId": "1", "errorText": "net::ERR_NAME_NOT_RESOLVED"}},
        {"method": "Network.requestWillBeSent", "params": {"requestId": "2", "request": {"url": "http://127.0.0.1:1/x.css"}}},
        {"method": "Network.responseReceived", "params": {"requestId": "2", "response": {"url": "http://127.0.0.1:1/x.css", "status": 404}}},
        {"method": "Network.requestWillBeSent", "params": {"requestId": "3", "request": {"url": "http://127.0.0.1:1/y.js"}}},
        {"method": "Network.loadingFailed", "params": {"requestId": "3", "errorText": "net::ERR_ABORTED"}},
        {"method": "Network.requestWillBeSent", "params": {"requestId": "4", "request": {"url": "http://127.0.0.1:1/z.js"}}},
        {"method": "Network.loadingFailed", "params": {"requestId": "4", "errorText": "net::ERR_ABORTED", "canceled": True}},
    ]
    assert kinds(events) == [
        ("request outside loopback", "https://cdn.example.org/m.js"),
        ("failed request", "HTTP 404 for http://127.0.0.1:1/x.css"),
        ("failed request", "net::ERR_ABORTED for http://127.0.0.1:1/y.js"),
    ]


def test_the_browsers_own_favicon_guess_is_not_the_books_fault():
    url = "http://127.0.0.1:1/favicon.ico"
    events = [
        {"method": "Network.requestWillBeSent", "params": {"requestId": "1", "request": {"url": url}}},
        {"method": "Network.responseReceived", "params": {"requestId": "1", "response": {"url": url, "status": 404}}},
    ]
    assert kinds(events) == []
