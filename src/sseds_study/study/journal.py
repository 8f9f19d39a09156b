"""The durable record of a sweep: one journal file per finished run, and the results table.

Each row is written at once, atomically, as ``runs/<key>.json``; ``results.csv`` is rebuilt
atomically from the journal. Writes never leave half a file, but a file can still be damaged from
outside (a full disk before this package's atomic writes, a copy from elsewhere, an edit by hand):

* a journal file that is not a run (not JSON, or JSON without the run's columns, or filed under
  another key) is reported by path and moved aside to ``<key>.json.bad``; its run is done again;
* a results table that does not match the journal (empty, truncated, stale) is reported and
  rebuilt from the journal, which is the record of truth.
"""

from __future__ import annotations

import io
import json
import numbers
from pathlib import Path

import pandas as pd

from ..errors import ConfigError, notice
from ..fileio import atomic_write_text, read_text
from .expand import expand_runs
from .profile import StudyConfig, study_from_dict

RESULTS_FILE = "results.csv"
STUDY_FILE = "study.json"
SORT_COLUMNS = ["dataset", "model", "method", "budget", "seed", "key"]
# What every journal row carries (ok rows also their metrics): without them it is not a run.
_TEXT_COLUMNS = ("key", "dataset", "model", "method")
_METRICS = ("valid_auc", "valid_logloss", "test_auc", "test_logloss")


def journal_path(results_dir, key: str) -> Path:
    return Path(results_dir) / "runs" / f"{key}.json"


def write_journal(results_dir, row: dict) -> None:
    atomic_write_text(journal_path(results_dir, row["key"]), json.dumps(row, sort_keys=True, default=str))


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _problem(row, path: Path) -> str | None:
    """Why a parsed journal file is not a run of this package, or None when it is one."""
    if not isinstance(row, dict):
        return f"expected a JSON object, found {type(row).__name__}"
    missing = [c for c in (*_TEXT_COLUMNS, "status", "budget", "seed") if c not in row]
    if row.get("status") == "ok":
        missing += [c for c in _METRICS if c not in row]
    if missing:
        return f"no {', '.join(missing)}"
    if any(not isinstance(row[c], str) for c in _TEXT_COLUMNS) or row["status"] not in ("ok", "failed"):
        return "a column has the wrong type, or status is neither ok nor failed"
    if not _is_number(row["budget"]) or not isinstance(row["seed"], int) or isinstance(row["seed"], bool):
        return "budget or seed is not a number"
    if row["status"] == "ok" and not all(_is_number(row[c]) for c in _METRICS):
        return "a metric is not a number"
    if row["key"] != path.stem:
        return f"it is the run {row['key']!r}, filed under another name"
    return None


def read_journal_entry(path: Path) -> dict | None:
    """The run in one journal file, or None (after a notice, with the file moved aside) when the file
    is not a run."""
    try:
        row = json.loads(path.read_text())
        problem = _problem(row, path)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        problem = f"not valid JSON ({exc})"
    if problem is None:
        return row
    bad = path.with_name(path.name + ".bad")
    try:
        path.replace(bad)
        where = f"moved to {bad.name}"
    except OSError:  # a read-only results folder: leave it, just do not use it
        where = "ignored"
    notice(f"{path}: not a journal entry of a run ({problem}); {where}, and its run will be done again")
    return None


def read_journal(results_dir) -> dict[str, dict]:
    """All runs in the journal, by key. Files that are not runs are reported and set aside."""
    rows = {}
    for path in sorted((Path(results_dir) / "runs").glob("*.json")):
        row = read_journal_entry(path)
        if row is not None:
            rows[row["key"]] = row
    return rows


def table_of(rows: dict[str, dict], keep: set[str] | None = None) -> pd.DataFrame:
    """The results table of journal rows, restricted to the study's current runs (``keep``) when
    given, so entries of runs a profile no longer has do not linger in the table."""
    if keep is not None:
        rows = {k: r for k, r in rows.items() if k in keep}
    df = pd.DataFrame(list(rows.values()))
    if df.empty:
        return pd.DataFrame(columns=[*SORT_COLUMNS, "status"])
    return df.drop(columns=["traceback"], errors="ignore").sort_values(SORT_COLUMNS, kind="stable")


def write_table(results_dir, rows: dict[str, dict], keep: set[str] | None = None) -> pd.DataFrame:
    """Write the results table atomically (see ``table_of``) and return it."""
    df = table_of(rows, keep)
    atomic_write_text(Path(results_dir) / RESULTS_FILE, df.to_csv(index=False))
    return df


def saved_study(results_dir) -> StudyConfig | None:
    """The study a sweep saved in ``study.json``, or None (after a notice when the file is damaged)."""
    path = Path(results_dir) / STUDY_FILE
    if not path.exists():
        return None
    try:
        return study_from_dict(json.loads(path.read_text()), source=str(path))
    except (ValueError, UnicodeDecodeError, ConfigError, TypeError) as exc:
        notice(f"{path}: unreadable ({type(exc).__name__}); the next sweep of this profile rewrites it")
        return None


def load_results(results_dir, study: StudyConfig | None = None, *, repair: bool = True) -> pd.DataFrame:
    """The results table of a sweep, checked against the journal.

    The table must hold exactly the journal's runs of the study (``study``, else the one saved in
    ``study.json``): a missing, empty, truncated or stale ``results.csv`` is reported and the journal's
    table returned instead, and written over it unless ``repair`` is False (for readers that must not
    write, such as a comparison of someone's sweep), so a damaged table never passes silently.
    Without a journal the table is read as it is, if it is whole.
    """
    results_dir = Path(results_dir)
    path = results_dir / RESULTS_FILE
    if not (results_dir / "runs").is_dir():
        if not path.is_file():
            raise ConfigError(f"{results_dir}: no results here (run `sseds sweep` first)")
        try:
            text = read_text(path, "results table")
            if not text.endswith("\n"):  # written whole, a table ends with a newline
                raise ValueError("the last row is cut off")
            return pd.read_csv(io.StringIO(text))
        except (ValueError, UnicodeDecodeError) as exc:  # pandas' EmptyDataError and ParserError too
            raise ConfigError(f"{path}: not a whole results table ({exc}) and no journal (runs/) to rebuild it "
                              "from; rerun `sseds sweep`") from None
    study = study or saved_study(results_dir)
    keep = {spec.key for spec in expand_runs(study)} if study is not None else None
    expected = table_of(read_journal(results_dir), keep)
    text = expected.to_csv(index=False)
    try:
        found = path.read_text()
    except FileNotFoundError:
        found = None
    except (OSError, UnicodeDecodeError):
        found = ""
    if found != text:
        if found is not None:
            done = "rebuilt from the journal" if repair else "using the journal's runs"
            notice(f"{path}: does not match the journal (runs/): {_describe(found)}, the journal has "
                   f"{len(expected)} run(s); {done}")
        try:
            if repair:
                atomic_write_text(path, text)
        except OSError:
            pass  # a read-only folder: the table is still right in memory
    return pd.read_csv(io.StringIO(text))  # the table as a reader of results.csv sees it


def _describe(text: str) -> str:
    lines = text.splitlines()
    if not text.strip():
        return "the table is empty"
    return f"the table has {max(len(lines) - 1, 0)} row(s)" + ("" if text.endswith("\n") else ", the last one cut off")
