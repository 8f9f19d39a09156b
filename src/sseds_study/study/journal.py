"""The durable record of a sweep: one journal file per finished run, and the results table.

Each row is written at once, atomically, as ``runs/<key>.json``; ``results.csv`` is rebuilt
atomically from the journal. Writes never leave half a file, so every journal file is whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..fileio import atomic_write_text

RESULTS_FILE = "results.csv"
SORT_COLUMNS = ["dataset", "model", "method", "budget", "seed", "key"]


def journal_path(results_dir, key: str) -> Path:
    return Path(results_dir) / "runs" / f"{key}.json"


def write_journal(results_dir, row: dict) -> None:
    atomic_write_text(journal_path(results_dir, row["key"]), json.dumps(row, sort_keys=True, default=str))


def read_journal_entry(path: Path) -> dict:
    try:
        row = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: corrupt journal entry ({exc}); delete it to rerun that run") from None
    return row


def read_journal(results_dir) -> dict[str, dict]:
    """All rows in the journal, by key. Unreadable files (should never happen: writes are atomic)
    are reported, not silently dropped."""
    rows = {}
    for path in sorted((Path(results_dir) / "runs").glob("*.json")):
        row = read_journal_entry(path)
        rows[row["key"]] = row
    return rows


def write_table(results_dir, rows: dict[str, dict], keep: set[str] | None = None) -> pd.DataFrame:
    """Write the results table atomically: the journal's rows, restricted to the study's current runs
    (``keep``) when given, so entries of runs a profile no longer has do not linger in the table."""
    if keep is not None:
        rows = {k: r for k, r in rows.items() if k in keep}
    df = pd.DataFrame(list(rows.values()))
    if not df.empty:
        df = df.drop(columns=["traceback"], errors="ignore")
        df = df.sort_values(SORT_COLUMNS, kind="stable")
    atomic_write_text(Path(results_dir) / RESULTS_FILE, df.to_csv(index=False))
    return df


def load_results(results_dir) -> pd.DataFrame:
    """The results table of a sweep (rebuilt from the journal when the table is missing)."""
    results_dir = Path(results_dir)
    path = results_dir / RESULTS_FILE
    if not path.exists():
        if not (results_dir / "runs").is_dir():
            raise ConfigError(f"{results_dir}: no results here (run `sseds sweep` first)")
        return write_table(results_dir, read_journal(results_dir))
    return pd.read_csv(path)
