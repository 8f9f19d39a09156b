"""sseds_study.analysis exports what its ``__all__`` names."""

from __future__ import annotations

import sseds_study.analysis as analysis


def test_every_name_in_all_is_exported():
    assert [name for name in analysis.__all__ if not hasattr(analysis, name)] == []


# The book's chapters, one analysis module each (the landing page is the claims' summary,
# ``claims_summary``); a helper module carries its chapter's name
# (``budget_alignment``), and what several chapters use lives in a shared module.
CHAPTERS = ("data", "pretrain", "search", "budget", "ablation", "efficiency", "claims", "reproducibility", "discussion",
            "regime")
SHARED = ("chapter", "tables", "common", "variants", "others")  # others: chapters 4 and 6
# The claims' verdicts are computed once, in these claims modules, and every chapter that states a
# claim's verdict or counts its cells (chapter 4's headline) reads them there instead of recounting:
# the one sanctioned crossing between chapters.
VERDICT_SOURCE = ("claims_checks", "claims_power", "claims_rules", "claims_verdicts")


def _chapter_of(module: str) -> str | None:
    """The chapter a module of sseds_study.analysis belongs to; None for a shared module."""
    if module in SHARED:
        return None
    owner = next((c for c in CHAPTERS if module == c or module.startswith(f"{c}_")), None)
    assert owner is not None, f"analysis/{module}.py is neither a chapter, a chapter's helper nor shared"
    return owner


def _local_imports(path) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module} if node.module else {a.name for a in node.names}
    return {n.split(".")[0] for n in names}


def test_no_chapter_imports_another_chapters_modules():
    from pathlib import Path

    folder = Path(analysis.__file__).parent
    edges = {p.stem: _local_imports(p) for p in folder.glob("*.py") if p.stem != "__init__"}
    crossing = [(m, i) for m, imports in edges.items() for i in imports
                if _chapter_of(i) is not None and _chapter_of(i) != _chapter_of(m) and i not in VERDICT_SOURCE]
    assert crossing == []
    # Shared modules import shared modules only.
    assert all(_chapter_of(i) is None for m in SHARED for i in edges[m])
