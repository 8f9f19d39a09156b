"""The study runner: one run = (dataset, model, method, budget, seed, options) -> one result row.

A sweep expands a study profile (``configs/*.yaml``) into runs, groups them by pretrained model
(dataset, model, training settings, seed), and executes the groups on local processes or on Ray.
Inside a group the pretrained model is trained once (and checkpointed), its saliency is computed once
per set of search options, and every method and budget reuses them.

Durability: each finished run is written at once, atomically, as its own journal file
``runs/<key>.json``; the results table ``results.csv`` is rebuilt atomically from the journal.
A run whose key (a hash of its resolved config) is in the journal with status ``ok`` is never
recomputed, so an interrupted sweep resumes where it stopped. A run that raises is recorded with
status ``failed`` and its error, does not stop the sweep, and is tried again by the next sweep.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import platform
import subprocess
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import (
    METHODS,
    ConfigError,
    DataConfig,
    ModelConfig,
    SearchConfig,
    TrainConfig,
    config_hash,
    from_dict,
    load_yaml,
    to_dict,
)
from .data.cache import manifest_checksum
from .data.paths import repo_root
from .errors import WorkerError
from .fileio import atomic_write_text

# Methods that never use the search options: their runs are keyed without them, so an ablation
# variant does not re-run the baselines.
SEARCH_METHODS = ("sseds", "prune_only")
EXECUTORS = ("local", "ray")
RESULTS_FILE = "results.csv"


# ----------------------------------------------------------------------------------------------
# Study profile
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StudyConfig:
    """A sweep: the cross product of datasets x models x methods x budgets x seeds (x variants)."""

    name: str
    datasets: tuple[DataConfig, ...]
    models: tuple[str, ...]
    methods: tuple[str, ...]
    budgets: tuple[float, ...]
    seeds: tuple[int, ...]
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    variants: tuple[dict, ...] = ()
    workers: int = 1
    executor: str = "local"

    def __post_init__(self):
        for m in self.methods:
            if m not in METHODS:
                raise ConfigError(f"study.methods: unknown method {m!r}; expected one of {', '.join(METHODS)}")
        for b in self.budgets:
            if not (isinstance(b, (int, float)) and 0 < b <= 1):
                raise ConfigError(f"study.budgets: every budget must be in (0, 1]; got {b!r}")
        if self.workers < 1:
            raise ConfigError(f"study.workers: expected a positive integer; got {self.workers!r}")
        if self.executor not in EXECUTORS:
            raise ConfigError(f"study.executor: expected one of {EXECUTORS}; got {self.executor!r}")
        from .models.registry import MODELS  # validate model names early

        known = {k.lower(): k for k in MODELS}
        for m in self.models:
            if m.lower() not in known:
                raise ConfigError(f"study.models: unknown model {m!r}; expected one of {', '.join(MODELS)}")
        for v in self.variants:
            from_dict(SearchConfig, {**to_dict(self.search), **v}, owner="study.variants")


def study_from_dict(data: dict, source: str = "study") -> StudyConfig:
    """Build a StudyConfig from a parsed YAML mapping, with errors that name the bad key."""
    data = dict(data)
    known = {f.name for f in dataclasses.fields(StudyConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for required in ("name", "datasets", "models", "methods", "budgets", "seeds"):
        if required not in data:
            raise ConfigError(f"{source}: missing required setting {required!r}")
    datasets = []
    for i, d in enumerate(data["datasets"]):
        d = {"name": d} if isinstance(d, str) else d
        datasets.append(from_dict(DataConfig, d, owner=f"{source}: datasets[{i}]"))
    return StudyConfig(
        name=str(data["name"]),
        datasets=tuple(datasets),
        models=tuple(data["models"]),
        methods=tuple(data["methods"]),
        budgets=tuple(float(b) for b in data["budgets"]),
        seeds=tuple(int(s) for s in data["seeds"]),
        model=from_dict(ModelConfig, data.get("model"), owner=f"{source}: model"),
        train=from_dict(TrainConfig, data.get("train"), owner=f"{source}: train"),
        search=from_dict(SearchConfig, data.get("search"), owner=f"{source}: search"),
        variants=tuple(dict(v) for v in data.get("variants") or ()),
        workers=int(data.get("workers", 1)),
        executor=str(data.get("executor", "local")),
    )


def load_study(path) -> StudyConfig:
    """Read a study profile from YAML (``configs/smoke.yaml``, ``configs/default.yaml``, ...)."""
    return study_from_dict(load_yaml(path), source=str(path))


def load_profile(name: str) -> StudyConfig:
    """A study profile shipped in ``configs/`` by name: ``smoke``, ``default``, ``ablation``, ``paper``."""
    return load_study(repo_root() / "configs" / f"{name}.yaml")


# ----------------------------------------------------------------------------------------------
# Runs
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunSpec:
    """One run, fully resolved. ``key`` identifies it in the result cache."""

    data: DataConfig
    model: ModelConfig
    train: TrainConfig
    search: SearchConfig
    method: str
    budget: float

    @property
    def seed(self) -> int:
        return self.train.seed

    @property
    def key(self) -> str:
        return config_hash(self)

    @property
    def group_key(self) -> str:
        """Runs sharing a pretrained model: same data, base model, training settings and seed."""
        return config_hash({"data": self.data, "model": self.model, "train": _train_identity(self.train)})


def _train_identity(train: TrainConfig) -> dict:
    # Progress bars and the device choice do not change what is computed on CPU; leave them out
    # of the cache key so a rerun with bars on reuses the results.
    d = to_dict(train)
    d.pop("progress", None)
    return d


def variant_label(search: SearchConfig, reference: SearchConfig) -> str:
    """Short text naming the search options that differ from the study's reference settings."""
    diffs = [
        f"{f.name}={getattr(search, f.name)}"
        for f in dataclasses.fields(SearchConfig)
        if getattr(search, f.name) != getattr(reference, f.name)
    ]
    return ",".join(diffs) or "default"


def expand_runs(study: StudyConfig) -> list[RunSpec]:
    """Every run of a study, in a stable order (grouped by pretrained model)."""
    searches = [study.search] + [
        from_dict(SearchConfig, {**to_dict(study.search), **v}) for v in study.variants
    ]
    runs: dict[str, RunSpec] = {}
    for data in study.datasets:
        for model_name in study.models:
            model = dataclasses.replace(study.model, name=model_name, emb_dims=None)
            for seed in study.seeds:
                train = dataclasses.replace(study.train, seed=seed)
                for method in study.methods:
                    budgets = (1.0,) if method == "full" else study.budgets
                    method_searches = searches if method in SEARCH_METHODS else [SearchConfig()]
                    for search in method_searches:
                        if method == "prune_only":
                            # prune_only never retrains, so the init option does not apply.
                            search = dataclasses.replace(search, init="scratch")
                        for budget in budgets:
                            if not method_applies(method, budget, model.emb_dim):
                                continue
                            spec = RunSpec(data, model, train, search, method, float(budget))
                            runs.setdefault(spec.key, spec)
    return list(runs.values())


def method_applies(method: str, budget: float, emb_dim: int) -> bool:
    """Whether a method is defined at a budget. Equal widths for every field cost at least one
    dimension per field, a budget of 1/D: below it the uniform baseline does not exist."""
    return not (method == "uniform" and budget * emb_dim < 1)


def group_runs(specs: Iterable[RunSpec]) -> list[list[RunSpec]]:
    groups: dict[str, list[RunSpec]] = {}
    for spec in specs:
        groups.setdefault(spec.group_key, []).append(spec)
    return list(groups.values())


# ----------------------------------------------------------------------------------------------
# Atomic files
# ----------------------------------------------------------------------------------------------
def atomic_write_csv(df: pd.DataFrame, path: Path) -> None:
    atomic_write_text(path, df.to_csv(index=False))


# ----------------------------------------------------------------------------------------------
# Provenance
# ----------------------------------------------------------------------------------------------
def git_commit(repo: Path | None = None) -> str:
    """The current commit, with '+dirty' when the working tree has uncommitted changes."""
    repo = repo or repo_root()
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    import torch

    from . import __version__

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "sseds_study": __version__,
    }


# ----------------------------------------------------------------------------------------------
# Executing one group of runs (in a worker process)
# ----------------------------------------------------------------------------------------------
@dataclass
class Pretrained:
    model: Any
    metrics: dict
    train_seconds: float
    epochs: int
    history: list[dict] = field(default_factory=list)


def load_or_pretrain(ds, spec: RunSpec, cache_dir: Path) -> Pretrained:
    """Train the full-width model once per group, or load it from its checkpoint."""
    import torch

    from .models.registry import build_model
    from .train import fit, load_checkpoint, save_checkpoint, seed_everything

    path = cache_dir / "pretrained" / f"{spec.group_key}.pt"
    seed_everything(spec.seed)
    model = build_model(ds.fields, spec.model, gates=True)
    if path.exists():
        ckpt = load_checkpoint(path)
        model.load_state_dict(ckpt["state_dict"])
        info = ckpt["metrics"]
        return Pretrained(model, info["metrics"], info["train_seconds"], info["epochs"], info.get("history", []))
    result = fit(model, ds, spec.train)
    info = {
        "metrics": _metrics_of(result),
        "train_seconds": float(result.train_seconds),
        "epochs": int(len(result.history)),
        "best_epoch": int(result.best_epoch),
        "history": [dataclasses.asdict(h) for h in result.history],
    }
    config = {"data": to_dict(spec.data), "model": to_dict(spec.model), "train": _train_identity(spec.train)}
    model.to(torch.device("cpu"))
    save_checkpoint(path, model.state_dict(), config=config, epoch=result.best_epoch, metrics=info)
    return Pretrained(model, info["metrics"], info["train_seconds"], info["epochs"], info["history"])


def _metrics_of(result) -> dict:
    return {
        "valid_auc": float(result.valid["auc"]),
        "valid_logloss": float(result.valid["logloss"]),
        "test_auc": float(result.test["auc"]),
        "test_logloss": float(result.test["logloss"]),
    }


class GroupCache:
    """Work shared by the runs of one group: saliency per search setting, retrains per allocation."""

    def __init__(self):
        self.saliency: dict[tuple, tuple[Any, float]] = {}
        self.retrains: dict[tuple, dict] = {}


def saliency_for_spec(ds, pre: Pretrained, spec: RunSpec, cache: GroupCache):
    """(F, D) saliency of the pretrained model under the run's search settings, and its seconds;
    computed once per group and setting."""
    from .search.saliency import batches_from_arrays, compute_saliency

    s = spec.search
    key = (s.estimator, s.score_split, s.num_batches)
    if key not in cache.saliency:
        start = time.perf_counter()
        ids, labels = ds.subset(s.score_split)
        batches = batches_from_arrays(ids, labels, spec.train.batch_size, s.num_batches, spec.seed)
        scores = compute_saliency(pre.model, batches, estimator=s.estimator, num_batches=s.num_batches)
        cache.saliency[key] = (scores, time.perf_counter() - start)
    return cache.saliency[key]


def allocate_for_method(ds, pre: Pretrained, spec: RunSpec, cache: GroupCache):
    """(Allocation, search seconds) for a method at the run's budget."""
    from .search import baselines
    from .search.allocate import allocate_dims

    D, V, budget, s = spec.model.emb_dim, ds.vocab_sizes, spec.budget, spec.search
    start = time.perf_counter()
    extra = 0.0
    if spec.method == "full":
        alloc = baselines.full_allocation(V, D)
    elif spec.method in SEARCH_METHODS:
        scores, extra = saliency_for_spec(ds, pre, spec, cache)
        alloc = allocate_dims(scores, V, budget, budget_unit=s.budget_unit, rank_by=s.rank_by, min_dim=s.min_dim)
    elif spec.method == "uniform":
        alloc = baselines.uniform_allocation(V, D, budget)
    elif spec.method == "random":
        alloc = allocate_dims(baselines.random_scores(len(V), D, spec.seed), V, budget)
    elif spec.method == "magnitude":
        alloc = allocate_dims(baselines.magnitude_scores(pre.model.embedding.field_weights()), V, budget)
    elif spec.method == "frequency":
        alloc = baselines.frequency_allocation(train_value_counts(ds), V, D, budget)
    else:  # pragma: no cover - METHODS is validated by StudyConfig
        raise ConfigError(f"unknown method {spec.method!r}")
    return alloc, extra + time.perf_counter() - start


def train_value_counts(ds) -> list[np.ndarray]:
    """Per field, how often each id occurs in the training split (multi-valued: every value counts)."""
    train = ds.split_index("train")
    counts = []
    for f, spec in enumerate(ds.fields):
        cols = ds.field_columns(f)[train].ravel()
        cols = cols[cols >= 0]
        counts.append(np.bincount(cols, minlength=spec.vocab_size))
    return counts


def _slim_model(ds, spec: RunSpec, alloc, pre: Pretrained | None):
    """Build the mixed-width model for an allocation (seeded), inheriting kept columns if asked."""
    from .models.registry import build_model
    from .train import seed_everything

    seed_everything(spec.seed)
    model = build_model(ds.fields, dataclasses.replace(spec.model, emb_dims=tuple(alloc.emb_dims)))
    if pre is not None and spec.search.init == "inherit":
        model.embedding.load_kept_columns(pre.model.embedding.field_weights(), alloc.kept)
    return model


def _evaluate_split(model, ds, split: str, batch_size: int) -> dict:
    from .train import evaluate

    ids, labels = ds.subset(split)
    return evaluate(model, ids, labels, batch_size=batch_size)


def execute_run(ds, pre: Pretrained, spec: RunSpec, cache: GroupCache) -> dict:
    """Carry out one run and return its measurements (no provenance; see ``run_group``)."""
    import torch

    from .train import fit

    alloc, search_seconds = allocate_for_method(ds, pre, spec, cache)
    retrains = spec.method not in ("full", "prune_only")
    slim = _slim_model(ds, spec, alloc, pre if retrains else None)  # the deployed model: counted, maybe trained
    counts = slim.count_params()
    row: dict[str, Any] = {
        "kept_emb_params": int(alloc.kept_params),
        "base_emb_params": int(alloc.base_params),
        "achieved_budget": float(alloc.achieved_budget),
        "align_params": int(counts["alignment"]),
        "total_params": int(counts["total"]),
        "emb_dims": json.dumps([int(d) for d in alloc.emb_dims]),
        "search_seconds": float(search_seconds),
    }
    if spec.method == "full":
        row.update(pre.metrics, train_seconds=pre.train_seconds, epochs=pre.epochs)
    elif spec.method == "prune_only":
        gate = pre.model.embedding.gate
        saved = gate.detach().clone()
        try:
            with torch.no_grad():
                gate.copy_(alloc.kept.to(gate.dtype))
            valid = _evaluate_split(pre.model, ds, "valid", spec.train.batch_size)
            test = _evaluate_split(pre.model, ds, "test", spec.train.batch_size)
        finally:
            with torch.no_grad():
                gate.copy_(saved)
        row.update(
            valid_auc=valid["auc"], valid_logloss=valid["logloss"], test_auc=test["auc"],
            test_logloss=test["logloss"], train_seconds=0.0, epochs=0,
        )
    else:
        # Identical allocations (e.g. every method at budget 1.0) with the same seed and init give
        # identical retrains: compute once per group.
        # From scratch only the widths matter; inheriting also depends on which columns were kept.
        inherit = spec.search.init == "inherit"
        retrain_key = (tuple(alloc.emb_dims), spec.search.init, alloc.kept.numpy().tobytes() if inherit else b"")
        if retrain_key not in cache.retrains:
            result = fit(slim, ds, spec.train)
            cache.retrains[retrain_key] = {
                **_metrics_of(result),
                "train_seconds": float(result.train_seconds),
                "epochs": int(len(result.history)),
            }
        row.update(cache.retrains[retrain_key])
    return row


def run_group(
    specs: Sequence[RunSpec],
    results_dir: str | os.PathLike,
    skip: Sequence[str] = (),
    provenance: dict | None = None,
    on_row: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Execute the runs of one group, writing each finished row to the journal at once.

    Every run is attempted; one that raises becomes a ``failed`` row carrying its error.
    """
    results_dir = Path(results_dir)
    todo = [s for s in specs if s.key not in set(skip)]
    if not todo:
        return []
    with worker_threads():
        return _run_group_body(todo, results_dir, provenance or {}, on_row)


@contextlib.contextmanager
def worker_threads():
    """Run torch on ``SSEDS_THREADS`` threads (default 1) inside the block.

    Workers already share the cores between them, and a fixed thread count keeps float reductions,
    hence results, identical whichever executor (or notebook) trains a model.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(os.environ.get("SSEDS_THREADS", "1"))))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _run_group_body(todo, results_dir, provenance, on_row) -> list[dict]:
    from .data import load_dataset_from_config

    rows: list[dict] = []
    ds = pre = None
    group_error = None
    try:
        ds = load_dataset_from_config(todo[0].data, progress=False)
        pre = load_or_pretrain(ds, todo[0], results_dir)
    except Exception as exc:  # the whole group fails, each run says why
        group_error = exc
    cache = GroupCache()
    for spec in todo:
        base = _row_header(spec, ds, provenance)
        start = time.perf_counter()
        try:
            if group_error is not None:
                raise group_error
            row = {**base, **execute_run(ds, pre, spec, cache), "status": "ok", "error": ""}
        except Exception as exc:
            row = {**base, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc(limit=8)}
        row["run_seconds"] = time.perf_counter() - start
        write_journal(results_dir, row)
        rows.append(row)
        if on_row is not None:
            on_row(row)
    return rows


def _row_header(spec: RunSpec, ds, provenance: dict) -> dict:
    return {
        "key": spec.key,
        "group": spec.group_key,
        "dataset": spec.data.name,
        "rows": int(len(ds)) if ds is not None else None,
        "model": spec.model.name,
        "method": spec.method,
        "budget": spec.budget,
        "seed": spec.seed,
        **{f"search_{f.name}": getattr(spec.search, f.name) for f in dataclasses.fields(SearchConfig)},
        "config": json.dumps(to_dict(spec), sort_keys=True),
        "config_hash": spec.key,
        "data_manifest_sha": manifest_checksum(ds.manifest) if ds is not None else "",
        "versions": json.dumps(provenance.get("versions", {}), sort_keys=True),
        "git_commit": provenance.get("git_commit", ""),
        "profile": provenance.get("profile", ""),
    }


# ----------------------------------------------------------------------------------------------
# Journal and results table
# ----------------------------------------------------------------------------------------------
def write_journal(results_dir: Path, row: dict) -> None:
    atomic_write_text(Path(results_dir) / "runs" / f"{row['key']}.json", json.dumps(row, sort_keys=True, default=str))


def read_journal(results_dir: Path) -> dict[str, dict]:
    """All rows in the journal, by key. Unreadable files (should never happen: writes are atomic)
    are reported, not silently dropped."""
    rows = {}
    for path in sorted((Path(results_dir) / "runs").glob("*.json")):
        try:
            row = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: corrupt journal entry ({exc}); delete it to rerun that run") from None
        rows[row["key"]] = row
    return rows


def write_table(results_dir: Path, rows: dict[str, dict], keep: set[str] | None = None) -> pd.DataFrame:
    """Write the results table atomically: the journal's rows, restricted to the study's current runs
    (``keep``) when given, so entries of runs a profile no longer has do not linger in the table."""
    if keep is not None:
        rows = {k: r for k, r in rows.items() if k in keep}
    df = pd.DataFrame(list(rows.values()))
    if not df.empty:
        df = df.drop(columns=["traceback"], errors="ignore")
        df = df.sort_values(["dataset", "model", "method", "budget", "seed", "key"], kind="stable")
    atomic_write_csv(df, Path(results_dir) / RESULTS_FILE)
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


# ----------------------------------------------------------------------------------------------
# Sweeps
# ----------------------------------------------------------------------------------------------
@dataclass
class SweepReport:
    table: pd.DataFrame
    executed: int
    skipped: int
    failed: int
    seconds: float


def default_results_dir(study: StudyConfig) -> Path:
    return Path(os.environ.get("SSEDS_RESULTS_DIR", "results")) / study.name


def sweep(
    study: StudyConfig,
    results_dir: str | os.PathLike | None = None,
    *,
    executor: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> SweepReport:
    """Run every run of a study that has not finished yet; return the results table.

    Interrupting a sweep (Ctrl-C, a killed process) loses at most the runs in progress.
    """
    from tqdm import tqdm  # plain bars: tqdm.auto warns in kernels without ipywidgets

    results_dir = Path(results_dir) if results_dir is not None else default_results_dir(study)
    results_dir.mkdir(parents=True, exist_ok=True)
    executor = executor or study.executor
    workers = workers or study.workers
    if executor not in EXECUTORS:
        raise ConfigError(f"executor: expected one of {EXECUTORS}; got {executor!r}")
    atomic_write_text(results_dir / "study.json", json.dumps(to_dict(study), indent=2, sort_keys=True))

    specs = expand_runs(study)
    journal = read_journal(results_dir)
    done = {k for k, r in journal.items() if r.get("status") == "ok"}
    todo = [s for s in specs if s.key not in done]
    provenance = {"versions": package_versions(), "git_commit": git_commit(), "profile": study.name}
    start = time.perf_counter()
    bar = tqdm(total=len(specs), initial=len(specs) - len(todo), desc=f"sweep {study.name}",
               unit="run", disable=not progress)
    executed = failed = 0

    recorded: set[str] = set()

    def record(row: dict) -> None:
        nonlocal executed, failed
        if row["key"] in recorded:  # seen already through the journal
            return
        recorded.add(row["key"])
        journal[row["key"]] = row
        executed += 1
        failed += row["status"] != "ok"
        bar.update(1)
        bar.set_postfix(failed=failed)
        write_table(results_dir, journal, keep=current)

    current = {spec.key for spec in specs}
    groups = group_runs(todo)
    try:
        if executor == "ray":
            _sweep_ray(groups, results_dir, provenance, workers, record)
        elif workers == 1:
            for group in groups:
                run_group(group, results_dir, provenance=provenance, on_row=record)
        else:
            _sweep_processes(groups, results_dir, provenance, workers, record)
    finally:
        bar.close()
        # Rows written by workers that were cut off still count: rebuild from the journal.
        journal.update(read_journal(results_dir))
        table = write_table(results_dir, journal, keep=current)
    return SweepReport(table, executed, len(specs) - len(todo), failed, time.perf_counter() - start)


def _sweep_processes(groups, results_dir, provenance, workers, record) -> None:
    """Run groups on ``workers`` spawned processes; Ctrl-C or any error stops them all at once.

    Our own processes rather than ``multiprocessing.Pool``: Ctrl-C reaches the whole process group,
    pool workers died of it mid-task, and once (in CI) ``Pool.terminate()``/``join()`` then never
    returned. Here workers ignore SIGINT, the parent alone decides, and stopping means killing the
    workers without waiting on any queue they share.
    """
    import multiprocessing as mp
    import queue

    ctx = mp.get_context("spawn")  # not fork: torch and its thread pools do not survive fork reliably
    wanted = {spec.key for g in groups for spec in g}
    # Failed runs being retried still have their old journal entry: only a rewritten file is news.
    before = {k: _mtime(results_dir, k) for k in wanted}
    tasks, results = ctx.Queue(), ctx.Queue()
    for group in groups:
        tasks.put(group)
    n = min(workers, len(groups))
    for _ in range(n):
        tasks.put(None)  # one stop sign per worker
    procs = [ctx.Process(target=_worker_loop, args=(tasks, results, str(results_dir), provenance),
                         name=f"sseds-worker-{i}", daemon=True) for i in range(n)]
    try:
        for proc in procs:
            proc.start()
        remaining = len(groups)
        while remaining:
            try:
                rows, error = results.get(timeout=2.0)
            except queue.Empty:
                rows = error = None
            _check_workers(procs)
            # Workers journal each run as it finishes: report those now, not when the group ends.
            for key, row in _new_journal_rows(results_dir, wanted, before).items():
                wanted.discard(key)
                record(row)
            if error is not None:
                raise RuntimeError(f"a sweep worker failed outside any run:\n{error}")
            if rows is not None:
                remaining -= 1
                for row in rows:
                    record(row)
    except BaseException:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        raise
    finally:
        for proc in procs:
            proc.join(timeout=10)
        # Unsent tasks may remain in the queue's buffer: do not wait to flush them at exit.
        tasks.cancel_join_thread()
        for q in (tasks, results):
            q.close()


def _worker_loop(tasks, results, results_dir: str, provenance: dict) -> None:
    """Body of one sweep worker process: run groups until the stop sign."""
    import signal
    import threading

    from tqdm import tqdm

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # tqdm would otherwise create a multiprocessing lock here, which a worker killed on Ctrl-C never
    # releases, and the resource tracker then warns of leaked semaphores. One process, one thread lock.
    tqdm.set_lock(threading.RLock())
    while (group := tasks.get()) is not None:
        try:
            results.put((run_group(group, results_dir, provenance=provenance), None))
        except Exception:  # run_group turns run errors into rows; this is anything else
            results.put((None, traceback.format_exc()))


def _check_workers(procs) -> None:
    """A worker that died (killed, out of memory) will never report: stop instead of waiting forever."""
    for proc in procs:
        if proc.exitcode not in (None, 0):
            raise WorkerError(
                f"sweep worker {proc.name} (pid {proc.pid}) died with exit code {proc.exitcode}; "
                "finished runs are saved, rerun the sweep to resume")


def _mtime(results_dir: Path, key: str) -> int | None:
    try:
        return (Path(results_dir) / "runs" / f"{key}.json").stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _new_journal_rows(results_dir: Path, keys: set[str], before: dict[str, int | None]) -> dict[str, dict]:
    """Journal rows among ``keys`` written since ``before`` (each file is whole: writes are atomic)."""
    rows = {}
    for key in list(keys):
        stamp = _mtime(results_dir, key)
        if stamp is not None and stamp != before.get(key):
            rows[key] = json.loads((Path(results_dir) / "runs" / f"{key}.json").read_text())
    return rows


def _sweep_ray(groups, results_dir, provenance, workers, record) -> None:
    try:
        import ray
    except ImportError:
        raise ConfigError("executor 'ray' needs Ray: pip install 'sseds-study[cluster]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        # RAY_ADDRESS (if set) joins an existing cluster; otherwise a local instance with `workers` CPUs.
        ray.init(address=os.environ.get("RAY_ADDRESS"), num_cpus=None if os.environ.get("RAY_ADDRESS") else workers,
                 include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(run_group)
        pending = [remote.remote(g, str(results_dir), (), provenance) for g in groups]
        while pending:
            finished, pending = ray.wait(pending, num_returns=1)
            for row in ray.get(finished[0]):
                record(row)
    finally:
        if started_here:
            ray.shutdown()


# ----------------------------------------------------------------------------------------------
# Aggregation
# ----------------------------------------------------------------------------------------------
GROUP_COLUMNS = ["dataset", "model", "method", "budget", "variant"]


def with_variant(df: pd.DataFrame, reference: SearchConfig | None = None) -> pd.DataFrame:
    """Add a ``variant`` column naming the non-default search options of each row."""
    reference = reference or SearchConfig()
    df = df.copy()
    if df.empty:
        df["variant"] = []
        return df

    def label(r):
        if r["method"] not in SEARCH_METHODS:
            return "default"
        search = SearchConfig(**{f.name: r[f"search_{f.name}"] for f in dataclasses.fields(SearchConfig)})
        return variant_label(search, reference)

    df["variant"] = df.apply(label, axis=1)
    return df


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """(mean, half-width) of a Student-t confidence interval; half-width is NaN for one value."""
    from scipy import stats

    x = np.asarray([v for v in values if v == v], dtype=float)
    if len(x) == 0:
        return math.nan, math.nan
    mean = float(x.mean())
    if len(x) < 2:
        return mean, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return mean, half


def aggregate(df: pd.DataFrame, metrics: Sequence[str] = ("test_auc", "test_logloss"),
              reference: SearchConfig | None = None) -> pd.DataFrame:
    """Mean and 95% interval over seeds for each dataset x model x method x budget x variant, plus the
    mean parameter counts, achieved budget and timings. ``reference``: the study's search settings,
    against which variants are named."""
    ok = with_variant(df[df["status"] == "ok"], reference)
    means = ["kept_emb_params", "total_params", "achieved_budget", "search_seconds", "train_seconds"]
    table = summarise_over_seeds(ok, GROUP_COLUMNS, metrics)
    if table.empty:
        return table
    extra = ok.groupby(GROUP_COLUMNS, sort=True)[[m for m in means if m in ok]].mean().add_suffix("_mean")
    extra = extra.drop(columns=[c for c in extra.columns if c in table.columns])
    return table.merge(extra.reset_index(), on=GROUP_COLUMNS, how="left")


def summarise_over_seeds(df: pd.DataFrame, by: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Mean and 95% t-interval half-width of each metric over seeds, per group."""
    out = []
    for keys, g in df.groupby(list(by), sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        row = dict(zip(by, keys, strict=True))
        row["seeds"] = int(g["seed"].nunique())
        for m in metrics:
            row[f"{m}_mean"], row[f"{m}_ci95"] = t_interval(g[m].tolist())
        out.append(row)
    return pd.DataFrame(out)
