"""A Sphinx extension of this book: each inline script appears once in a page.

Sphinx 7.4 registers an inline script (one with a body and no file) that an extension adds after the
builder has started twice, once as ``None`` and once as ``""``, so the page carries it twice.
sphinx-thebe's inline script declares ``const THEBE_JS_URL``; the second copy throws a SyntaxError in
every page (seen by ``make browser-check``). Dropping exact repeats before the page is written fixes
it without touching any extension.
"""

from __future__ import annotations


def _key(script) -> tuple:
    return (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))


def drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    # Late, so that scripts other extensions add to a single page are seen too.
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
