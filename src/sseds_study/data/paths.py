"""Where data lives: the cache directory, the repository root, the shared reference samples."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATA_DIR = "SSEDS_DATA_DIR"


def _is_repo_root(path: Path) -> bool:
    pyproject = path / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        return 'name = "sseds-study"' in pyproject.read_text()
    except OSError:
        return False


def repo_root() -> Path:
    """The repository root: the nearest parent holding sseds-study's pyproject.toml.

    Searched from this file first (an editable install lives in the repository), then from the
    current directory; falls back to the current directory (e.g. a wheel installed elsewhere).
    """
    for start in (Path(__file__).resolve().parent, Path.cwd().resolve()):
        for candidate in (start, *start.parents):
            if _is_repo_root(candidate):
                return candidate
    return Path.cwd()


def default_cache_dir() -> Path:
    """``$SSEDS_DATA_DIR`` if set, else ``<repo>/data`` (git-ignored)."""
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env).expanduser() if env else repo_root() / "data"


def resolve_cache_dir(cache_dir=None) -> Path:
    return Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()


def raw_dir(cache_dir) -> Path:
    """Downloads go here (``<cache>/raw``)."""
    return Path(cache_dir) / "raw"
