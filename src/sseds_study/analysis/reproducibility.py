"""Appendix 08: how to reproduce the book, read from what produced it.

For every profile the book reads (the profile and its companions): the command that sweeps it, its
runs, and the provenance its result rows carry (package versions, CPU, dataset manifest checksums,
git commits); the wall time of each stage of the last ``make reproduce`` (``publish.stages``); and how
to rerun one chapter or one cell of a table. Nothing here is typed: a row that lacks a field (rows
swept before the CPU was recorded) shows "not recorded".
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..data.paths import repo_root
from ..publish.stages import TIMES_FILE, read_stage_times
from ..study import sweep
from ..study.bitcheck import IMITATIONS, same_bits
from ..study.profile import StudyConfig, companion, load_profile
from ..study.reproduce import REFERENCE_DIR
from .chapter import Chapter
from .common import chapter_study
from .tables import plain_table

ROLES = ("headline", "large", "planted", "ablation")
NOT_RECORDED = "not recorded"
# The packages whose versions the appendix shows, in this order, when the rows record them.
PACKAGES = ("python", "torch", "numpy", "pandas", "sseds_study")
SHORT = 10  # hex digits of a commit shown: enough to tell them apart in a table
CHECKSUM = 12  # hex digits of the one manifest checksum a row of the manifest table shows (one line)


def book_profiles(study: StudyConfig) -> dict[str, list[str]]:
    """{profile name: the roles it plays} for the profile (role "book") and each companion role; a
    profile filling several roles is listed once."""
    out: dict[str, list[str]] = {study.name: ["book"]}
    for role in dict.fromkeys([*ROLES, *study.companions]):  # the usual roles first, then any other named
        out.setdefault(companion(study, role).name, []).append(role)
    return out


def _values(column: pd.Series) -> list[str]:
    """The distinct non-empty values of a column, in order of appearance."""
    return list(dict.fromkeys(str(v) for v in column.dropna() if str(v).strip()))


def _short(commit: str) -> str:
    """A commit shortened, its '+dirty' kept."""
    head, sep, rest = commit.partition("+")
    return head[:SHORT] + sep + rest


def run_table(tables: Mapping[str, pd.DataFrame], roles: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Per profile: its roles, the command, its datasets and the runs finished and failed."""
    rows = []
    for name, table in tables.items():
        status = table["status"] if "status" in table else pd.Series(dtype=object)
        rows.append({"profile": name, "role": ", ".join(roles.get(name, [])),
                     "command": f"sseds sweep configs/{name}.yaml",
                     "datasets": ", ".join(_values(table["dataset"])) if "dataset" in table else "",
                     "runs": int((status == "ok").sum()), "failed": int((status != "ok").sum())})
    return pd.DataFrame(rows)


def environment_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per profile and distinct environment recorded in its rows: the package versions (``versions``
    column), the CPU (``cpu`` column; rows from before it was recorded: not recorded) and the runs."""
    rows = []
    for name, table in tables.items():
        if table.empty:
            continue
        versions = table["versions"] if "versions" in table else pd.Series([None] * len(table), index=table.index)
        cpu = table["cpu"] if "cpu" in table else pd.Series([None] * len(table), index=table.index)
        # the mode's name; its settings are in the text (numerics_rows): a long cell would widen the table
        mode = table["numerics"] if "numerics" in table else pd.Series([None] * len(table), index=table.index)
        keys = pd.DataFrame({"versions": versions.fillna("").astype(str),
                             "cpu": cpu.fillna("").astype(str).replace("", NOT_RECORDED),
                             "numerics": mode.fillna("").astype(str).replace("", NOT_RECORDED)})
        for (text, processor, numerics), group in keys.groupby(["versions", "cpu", "numerics"], sort=False):
            parsed = json.loads(text) if text.strip().startswith("{") else {}
            rows.append({"profile": name, **{p: parsed.get(p, NOT_RECORDED) for p in PACKAGES}, "cpu": processor,
                         "numerical mode": numerics, "runs": len(group)})
    return collapse_profiles(pd.DataFrame(rows, columns=["profile", *PACKAGES, "cpu", "numerical mode", "runs"]))


def collapse_profiles(environment: pd.DataFrame) -> pd.DataFrame:
    """One row, profile "all profiles", when every profile recorded the same environment (the runs
    summed); the table as it is otherwise."""
    same = [c for c in environment.columns if c not in ("profile", "runs")]
    if len(environment) < 2 or len(environment.drop_duplicates(same)) > 1:
        return environment
    return environment.head(1).assign(profile="all profiles", runs=int(environment["runs"].sum()))


def machine_text() -> dict[str, str]:
    """The machine this chapter runs on, beside its processor name: cores, memory and the thread
    settings of the numerical mode (``numerics.state``)."""
    from .. import numerics

    threads = numerics.state().get("threads")
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown"
    return {"machine_cores": f"{os.cpu_count()}", "machine_memory": memory,
            "machine_threads": ", ".join(f"{k} {v}" for k, v in threads.items()) if isinstance(threads, Mapping)
            else str(threads)}


def numerics_table(path: Path | None = None) -> pd.DataFrame:
    """The bit-identity table ``make check-numerics`` writes (``reference/numerics.json``): per numerical
    mode and imitated instruction set, per base model, whether every metric and the trained weights
    equal that mode's native result ("=" or "differs"). Empty when the file is absent."""
    path = path or repo_root() / REFERENCE_DIR / "numerics.json"
    if not path.is_file():
        return pd.DataFrame()
    raw = json.loads(path.read_text())
    rows = []
    for name, result in raw.items():
        mode, imitation = name.split("|")
        native = raw[f"{mode}|native"]["models"]
        row = {"mode": mode, "imitated": IMITATIONS[imitation][0] if imitation in IMITATIONS else imitation}
        for model, got in result["models"].items():
            row[model] = "=" if same_bits(got, native[model]) else "differs"
        rows.append(row)
    return pd.DataFrame(rows)


def imitation_settings() -> str:
    """'label: VAR=value, ...' for every imitation but the native one, for the table's note."""
    return "; ".join(f"{label}: {', '.join(f'{k}={v}' for k, v in env.items())}"
                     for label, env in IMITATIONS.values() if env)


def numerics_text(table: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Sentences on the bit-identity table and on the modes the book's rows were computed in."""
    modes = sorted({str(v) for t in tables.values() if "numerics_detail" in t for v in t["numerics_detail"].dropna()})
    text = {"numerics_rows": "; ".join(modes) or NOT_RECORDED}
    if table.empty:
        text["numerics_summary"] = "The bit-identity table has not been made on this checkout (make check-numerics)."
        return text
    models = [c for c in table.columns if c not in ("mode", "imitated")]
    for mode in ("reproducible", "fast"):
        sub = table[(table["mode"] == mode) & (table["imitated"] != IMITATIONS["native"][0])]
        same = int((sub[models] == "=").to_numpy().sum())
        text[f"numerics_{mode}_same"] = f"{same} of {sub[models].size}"
    return text


def manifest_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per profile and dataset: rows of the data, the seeds, how many distinct dataset manifests the
    rows saw (one per data split: with a split per seed, one per seed) and the first of their
    checksums, shortened to ``CHECKSUM`` hex digits so that a row keeps to one line (every full value
    is in the result rows' ``data_manifest_sha``)."""
    rows = []
    for name, table in tables.items():
        if table.empty or "dataset" not in table:
            continue
        for dataset, group in table.groupby("dataset", sort=False):
            sums = _values(group["data_manifest_sha"]) if "data_manifest_sha" in group else []
            rows.append({"profile": name, "dataset": dataset,
                         "rows": int(group["rows"].dropna().iloc[0]) if "rows" in group and group["rows"].notna().any()
                         else None, "seeds": int(group["seed"].nunique()) if "seed" in group else 0,
                         "manifests": len(sums), "first_checksum": sums[0][:CHECKSUM] if sums else NOT_RECORDED})
    return pd.DataFrame(rows, columns=["profile", "dataset", "rows", "seeds", "manifests", "first_checksum"])


def commit_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Per profile and git commit its rows came from: the runs. '+dirty': the working tree had changes
    not committed when those runs were made."""
    rows = []
    for name, table in tables.items():
        if table.empty:
            continue
        commits = (table["git_commit"].fillna("").astype(str) if "git_commit" in table
                   else pd.Series([""] * len(table))).replace("", NOT_RECORDED)
        for commit, count in commits.value_counts(sort=False).items():
            rows.append({"profile": name, "git commit": commit if commit == NOT_RECORDED else _short(commit),
                         "runs": int(count)})
    return pd.DataFrame(rows, columns=["profile", "git commit", "runs"])


def stage_text(times: pd.DataFrame) -> dict[str, str]:
    """The sentence on the stage times: their total and when the last stage finished, or that none is
    recorded yet."""
    if times.empty:
        return {"times_summary": f"No stage time is recorded yet ({TIMES_FILE} is written by make reproduce)."}
    total = float(times["seconds"].sum())
    return {"times_summary": f"The {len(times)} recorded stages took {total / 60:.1f} minutes in all; the last "
                             f"finished at {times['finished_at'].iloc[-1]}."}


def rerun_text(study: StudyConfig, notebooks: Sequence[str]) -> dict[str, str]:
    """How to rerun one chapter and one cell of a table: commands built from the chapters' names and
    the profile's first dataset, model, method and budget below 1."""
    chapter = next((n for n in notebooks if "budget" in n), notebooks[0] if notebooks else "04_budget")
    budget = min((b for b in study.budgets if b < 1), default=study.budgets[0])
    method = next((m for m in study.methods if m not in ("full",)), study.methods[0])
    cell = (f"extends: {study.name}\nname: {study.name}-cell\n"
            f"datasets:\n  - name: {study.datasets[0].name}\n"
            f"models: [{study.models[0]}]\nmethods: [full, {method}]\nbudgets: [1.0, {budget:g}]\n")
    return {"rerun_chapter": f"make book/chapters/{chapter}.ipynb",
            "rerun_chapters": ", ".join(notebooks),
            "rerun_cell_yaml": cell,
            "rerun_cell_name": f"configs/{study.name}-cell.yaml",
            "rerun_reuse": f"reuse: [{study.name}]",
            "rerun_cell_sweep": f"sseds sweep configs/{study.name}-cell.yaml",
            "rerun_cell_results": f"sseds results configs/{study.name}-cell.yaml"}


def chapter_names() -> list[str]:
    """The chapters' names, from their sources in notebooks/."""
    return sorted(p.stem for p in (repo_root() / "notebooks").glob("[0-9]*.py"))


def build_reproducibility(study: StudyConfig, tables: Mapping[str, pd.DataFrame], roles: Mapping[str, Sequence[str]],
                          times: pd.DataFrame, notebooks: Sequence[str]) -> Chapter:
    """The appendix from the result tables of every profile the book reads and the stage times."""
    chapter = Chapter(header=f"profile {study.name}; profiles read: {', '.join(tables)}")
    chapter.tables["profiles"] = plain_table(run_table(tables, roles), keys=["profile"],
                                             note="Runs: finished result rows; failed: rows of runs that raised.")
    environment = environment_table(tables)
    chapter.tables["environment"] = plain_table(environment, keys=["profile"],
                                                note=f"Read from the rows' provenance; {NOT_RECORDED}: rows swept "
                                                     "before the field was recorded.")
    chapter.tables["manifests"] = plain_table(manifest_table(tables), keys=["profile"],
                                              note="Manifests: the distinct dataset manifests the runs saw (one "
                                                   "per data split). First checksum: the first "
                                                   f"{CHECKSUM} hex digits of the first one's sha256. Every full "
                                                   "value is in the result rows (column data_manifest_sha of "
                                                   "results.csv in each profile's results folder), and each "
                                                   "manifest is the manifest.json of its dataset's folder in "
                                                   "the data cache (data/encoded).")
    commits = commit_table(tables)
    # The mark is explained only where a row carries it.
    dirty = commits["git commit"].astype(str).str.endswith("+dirty").any() if not commits.empty else False
    chapter.tables["commits"] = plain_table(commits, keys=["profile"], note=(
        "+dirty: uncommitted changes in the working tree at that time." if dirty else
        "Every row was computed from a committed tree."))
    # One unit: minutes (a stage of seconds shows as 0.1).
    shown = times.assign(minutes=times["seconds"].astype(float) / 60,
                         git_commit=times["git_commit"].astype(str).map(_short)) if not times.empty else times
    chapter.tables["times"] = plain_table(
        shown[["stage", "minutes", "finished_at", "git_commit"]] if not times.empty
        else pd.DataFrame({"stage": [NOT_RECORDED]}), digits={"minutes": 1},
        note=f"From results/{TIMES_FILE}: the last run of each stage, its wall time in minutes.")
    chapter.text |= stage_text(times)
    bits = numerics_table()
    chapter.tables["numerics"] = plain_table(
        bits if not bits.empty else pd.DataFrame({"mode": [NOT_RECORDED]}), keys=["mode"],
        note="Each base model trained for two epochs on MovieLens-100K (seed 0) in a fresh process under the "
             "imitated setting; '=': its validation and test AUC and log loss and a digest of its trained weights "
             "equal the same mode's native run to the last bit. The settings: " + imitation_settings()
             + ". From reference/numerics.json (make check-numerics).")
    chapter.text |= numerics_text(bits, tables)
    chapter.text |= rerun_text(study, notebooks)
    cpus = sorted(set(environment["cpu"])) if not environment.empty else [NOT_RECORDED]
    chapter.text["cpus"] = "; ".join(cpus)
    chapter.text |= machine_text()
    # shown as a code block (printed), not glued into a sentence
    chapter.text["profile_commands"] = "\n".join(f"sseds sweep configs/{n}.yaml" for n in tables)
    chapter.text["runs_total"] = f"{sum(int((t['status'] == 'ok').sum()) for t in tables.values() if 'status' in t):,}"
    return chapter


def reproducibility_chapter(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """Reads (resuming) the sweep of every profile the book reads, and the stage times."""
    study = chapter_study(profile)
    roles = book_profiles(study)
    tables = {name: sweep(study if name == study.name else load_profile(name), progress=False).table for name in roles}
    return build_reproducibility(study, tables, roles, read_stage_times(), chapter_names())
