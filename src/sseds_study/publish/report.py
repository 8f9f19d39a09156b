"""What the book check found, and how it is told: one line per problem, naming the page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Kinds of problem, in the order a report lists them within a page.
KINDS = (
    "broken link",
    "broken image",
    "blank image",
    "math not rendered",
    "raw math",
    "request outside loopback",
    "failed request",
    "console error",
    "uncaught exception",
    "page error",
)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong on one page: ``page`` is its path in the build (``chapters/01_data.html``)."""

    page: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind}: {self.detail}"


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Unique problems, by page, then kind (in ``KINDS`` order), then detail."""
    return sorted(set(problems), key=lambda p: (p.page, _kind_rank(p.kind), p.kind, p.detail))


def format_report(pages: list[str], problems: Iterable[Problem], screenshots: int = 0) -> str:
    """The report printed at the end: every problem on its own line, then a one-line summary."""
    problems = sort_problems(problems)
    lines = [str(p) for p in problems]
    broken_pages = len({p.page for p in problems})
    summary = f"book check: {plural(len(pages), 'page')}, {plural(len(problems), 'problem')}"
    if problems:
        summary += f" on {plural(broken_pages, 'page')}"
    if screenshots:
        summary += f"; {plural(screenshots, 'screenshot')}"
    lines.append(summary)
    return "\n".join(lines)


def plural(count: int, noun: str) -> str:
    """``1 page``, ``2 pages``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def shorten(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut to ``limit`` characters, so one problem stays one line."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
