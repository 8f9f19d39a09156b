"""Executed notebooks before they go into the book: papermill's injected-parameters cell is bookkeeping
(it restates the profile the chapter was run with, which the chapter prints anyway), so it is tagged
``remove-cell`` and Jupyter Book leaves it out of the page."""

from __future__ import annotations

import json
from pathlib import Path

from ..fileio import atomic_write_text

INJECTED = "injected-parameters"
REMOVE = "remove-cell"


def hide_injected_parameters(path) -> int:
    """Tag every papermill-injected cell of the notebook at ``path`` with ``remove-cell`` (in place,
    atomically); returns how many cells were newly tagged. Outputs and everything else are unchanged."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = 0
    for cell in nb.get("cells", []):
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if INJECTED in tags and REMOVE not in tags:
            tags.append(REMOVE)
            changed += 1
    if changed:
        # papermill writes one space of indent and keeps non-ASCII text as it is: so does this.
        atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return changed
