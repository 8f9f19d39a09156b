"""Literal markup a reader sees: text that should have been rendered (or written) differently.

A glued string or a sentence in the prose can leak source syntax into the page: a backtick
("(`align_params`, `total_params`)"), a caret used as a power ("10^6"), an unfinished plural
("run(s)"), a literal ``**``, or a MyST role that did not render ("{glue:text}`x`"). None of them is
an error to Sphinx, so the build passes; this module finds them in a page's visible text.

The text is read from the HTML the build wrote (no browser needed), block by block, leaving out what
is not prose: code, preformatted output, scripts, styles and math (TeX there is MathJax's business,
and ``probe`` checks it). ``problems_from_markup`` gives one line per page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .report import Problem, plural, shorten

KIND = "literal markup"

# What counts as leaked markup, each with the words a report uses for it.
PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # A pair of backticks around a name is one leak (a code span that was not rendered); a lone one too.
    ("backtick", re.compile(r"`[^`]{0,80}`|`")),
    ("caret as a power", re.compile(r"\w\^[-+]?[\w{(]")),
    ("(s) plural", re.compile(r"[A-Za-z]\((?:e?s)\)")),
    ("literal **", re.compile(r"\*\*")),
    ("unrendered role", re.compile(r"\{(?:glue|cite|numref|ref|doc|eq)(?::[\w-]+)?\}")),
)

# Elements whose text is not prose. Math is skipped by class: MathJax renders it later, in the browser.
SKIP_TAGS = frozenset({"head", "script", "style", "pre", "code", "kbd", "samp", "tt", "textarea", "noscript",
                       "template", "svg", "math", "mjx-container"})
SKIP_CLASSES = frozenset({"math", "highlight", "cell_input", "MathJax"})

# Elements that start a new block of text: a match never spans two of them.
BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl",
                        "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
                        "hr", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody", "td", "tfoot",
                        "th", "thead", "tr", "ul"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                       "track", "wbr"})

EXAMPLES = 3  # snippets quoted per page; the rest are counted
CONTEXT = 30  # characters of text either side of a match in a snippet


class _VisibleText(HTMLParser):
    """Collects the body's prose as a list of blocks (whitespace collapsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._buffer: list[str] = []
        self._stack: list[tuple[str, bool]] = []  # open elements: (tag, inside something skipped)
        self._in_body = False

    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.blocks.append(text)
        self._buffer = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self._in_body = True
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "br":
            self._buffer.append(" ")
        if tag in VOID_TAGS:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        skip = self._skipping() or tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or "hidden" in attributes
        self._stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
        elif tag == "br":
            self._buffer.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._flush()
        # Close the nearest open element of this name (and anything left open inside it).
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._in_body and not self._skipping():
            self._buffer.append(data)

    def close(self):
        super().close()
        self._flush()


def visible_blocks(html: str) -> list[str]:
    """The prose of a page's body, one string per block, without code, output, scripts or math."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.blocks


def markup_hits(text: str) -> list[tuple[str, str]]:
    """Every leak in ``text`` as (what it is, the text around it), in reading order."""
    hits = []
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - CONTEXT), match.end() + CONTEXT
            snippet = ("..." if start > 0 else "") + text[start:end] + ("..." if end < len(text) else "")
            hits.append((match.start(), what, snippet))
    return [(what, snippet) for _, what, snippet in sorted(hits)]


def problems_from_markup(page: str, html: str) -> list[Problem]:
    """At most one problem for ``page``: how many leaks its text has, quoting the first few."""
    hits = [hit for block in visible_blocks(html) for hit in markup_hits(block)]
    if not hits:
        return []
    quoted = "; ".join(f"{what} in {shorten(snippet, 2 * CONTEXT + 20)!r}" for what, snippet in hits[:EXAMPLES])
    more = f"; and {len(hits) - EXAMPLES} more" if len(hits) > EXAMPLES else ""
    return [Problem(page, KIND, f"{plural(len(hits), 'place')}: {quoted}{more}")]
