"""Does this machine reproduce the committed results to the last bit?

``reference/<profile>.csv`` holds a few rows of one verdict cell of a committed sweep, every number as
exact as ``repr`` writes it, with each run's full settings (``config``). ``check_reference`` rebuilds
each run from its settings, computes it afresh in an empty results folder (its own pretraining, search
and retrain), and compares every column of ``COMPARED`` bit for bit, naming each difference.

    sseds check-reproduction default                 # rerun the committed rows of reference/default.csv
    sseds check-reproduction default --write         # (re)write them from results/default/ (after a sweep)
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import numerics
from ..config import DataConfig, ModelConfig, PEPConfig, SearchConfig, TrainConfig, from_dict
from ..data.paths import repo_root
from ..errors import ConfigError
from ..fileio import atomic_write_text
from .execute import run_group
from .expand import group_runs
from .journal import read_journal
from .runs import RunSpec

REFERENCE_DIR = "reference"
# The cell each profile's reference holds: one base model at one budget, the methods of its verdict
# (and the full model they are measured against), a few paired seeds.
CELLS: dict[str, dict] = {
    "default": {"model": "DeepFM", "budget": 0.1, "methods": ("full", "sseds", "uniform"), "seeds": (0, 1)},
    "smoke": {"model": "FM", "budget": 0.3, "methods": ("full", "sseds", "uniform"), "seeds": (0,)},
}
COMPARED = ("valid_auc", "valid_logloss", "test_auc", "test_logloss", "epochs", "emb_dims", "kept_emb_params",
            "search_passes")
ID_COLUMNS = ("key", "model", "method", "budget", "seed", "numerics", "numerics_detail", "cpu", "git_commit", "config")


def reference_path(profile: str, root: Path | None = None) -> Path:
    return (root or repo_root()) / REFERENCE_DIR / f"{profile}.csv"


def exact(value) -> str:
    """A cell as the comparison sees it: floats by ``repr`` (every bit), the rest as text."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def reference_rows(results_dir: Path, cell: dict) -> pd.DataFrame:
    """The cell's finished rows of a sweep's journal (exact values), in a stable order."""
    mode = numerics.identity()  # runs of another mode (older journals) are other runs
    rows = [r for r in read_journal(results_dir).values()
            if r.get("status") == "ok" and r.get("numerics") == mode
            and r["model"] == cell["model"] and r["method"] in cell["methods"]
            and r["seed"] in cell["seeds"] and (r["method"] == "full" or math.isclose(r["budget"], cell["budget"]))]
    want = len(cell["methods"]) * len(cell["seeds"])
    if len(rows) != want:
        raise ConfigError(f"{results_dir}: {len(rows)} finished run(s) of the reference cell {_cell_text(cell)} in "
                          f"the {mode} numerical mode; expected {want} (run the profile's sweep first)")
    df = pd.DataFrame([{c: exact(r.get(c, "")) for c in (*ID_COLUMNS, *COMPARED)} for r in rows])
    return df.sort_values(["seed", "method"], kind="stable").reset_index(drop=True)


def write_reference(profile: str, results_dir: Path, out: Path | None = None) -> Path:
    out = out or reference_path(profile)
    df = reference_rows(Path(results_dir), _cell(profile))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, df.to_csv(index=False))
    return out


def spec_from_config(config: str) -> RunSpec:
    """The run a row's ``config`` column describes (``RunSpec.to_dict`` read back)."""
    d = json.loads(config)
    pep = d.get("pep")
    return RunSpec(
        data=from_dict(DataConfig, d["data"]), model=from_dict(ModelConfig, d["model"]),
        train=from_dict(TrainConfig, d["train"]), search=from_dict(SearchConfig, d["search"]),
        method=d["method"], budget=float(d["budget"]), pep=from_dict(PEPConfig, pep) if pep is not None else None,
    )


@dataclass
class CheckResult:
    rows: int
    differences: list[str]
    seconds: float
    numerics: str  # the mode this process recomputed in (``numerics.describe``)

    @property
    def ok(self) -> bool:
        return not self.differences


def read_reference(path: Path) -> pd.DataFrame:
    """The reference rows of ``path`` as exact text, checked for every column the comparison needs."""
    if not path.is_file():
        raise ConfigError(f"{path}: no reference rows here (write them with `sseds check-reproduction PROFILE --write`)")
    ref = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in (*ID_COLUMNS, *COMPARED) if c not in ref.columns]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}; rewrite it with --write")
    return ref


def check_reference(path: Path, workdir: Path | None = None, ref: pd.DataFrame | None = None) -> CheckResult:
    """Recompute every row of the reference file ``path`` (``ref``: its rows, if already read) and list
    each value that differs."""
    ref = read_reference(path) if ref is None else ref
    here = numerics.identity()
    modes = set(ref["numerics"])
    if modes != {here}:
        raise ConfigError(f"{path}: the reference was computed in the {'/'.join(sorted(modes))} numerical mode and "
                          f"this process computes in {here}; rerun with SSEDS_NUMERICS={'/'.join(sorted(modes))}")
    specs = {}
    for row in ref.itertuples(index=False):
        spec = spec_from_config(row.config)
        if spec.key != row.key:
            raise ConfigError(f"{path}: the committed settings of run {row.key} ({row.model} {row.method} seed "
                              f"{row.seed}) resolve to run {spec.key} with this code: the reference is stale")
        specs[spec.key] = spec
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        got = {}
        for group in group_runs(specs.values()):
            for r in run_group(group, tmp, provenance={"numerics": here}):
                got[r["key"]] = r
    differences = []
    for row in ref.to_dict("records"):
        new = got.get(row["key"])
        label = f"{row['model']} {row['method']} b={row['budget']} seed {row['seed']}"
        if new is None or new.get("status") != "ok":
            differences.append(f"{label}: did not finish ({(new or {}).get('error', 'no row')})")
            continue
        for col in COMPARED:
            if exact(new.get(col, "")) != row[col]:
                differences.append(f"{label}: {col} committed {row[col]}, got {exact(new.get(col, ''))}")
    return CheckResult(len(ref), differences, time.perf_counter() - start, numerics.describe())


def _cell(profile: str) -> dict:
    if profile not in CELLS:
        raise ConfigError(f"check-reproduction: no reference cell for profile {profile!r}; known: {', '.join(CELLS)}")
    return CELLS[profile]


def _cell_text(cell: dict) -> str:
    return (f"{cell['model']}, b={cell['budget']:g}, {'/'.join(cell['methods'])}, seeds "
            f"{', '.join(map(str, cell['seeds']))}")
