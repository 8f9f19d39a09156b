"""How long a sweep will take on this machine, said before it starts (``sseds report``).

The fits the sweep still has to do are counted from its runs and what its results folder already
holds (``planned_fits``: tuning fits, pretrained models, retrained slim models, PEP search runs; runs
that only evaluate, such as ``full`` and ``prune_only``, cost no training). A short probe
(``probe``) times, on the profile's data, the encoding of one seed's split and one training epoch of
each base model, full-width and slim (mixed widths at the smallest budget: per-field tables, which
train slower per parameter than the full model's one table), on one thread as a sweep's workers
train. The estimate is

    fits x epochs per fit x seconds per epoch / parallel workers (+ one encoding per seed),

the full model's epoch for tuning, pretraining and PEP's search runs, the slim model's for retrains,
with the typical number of epochs per fit from the book's own sweep (early stopping at patience 2
ended its fits after 65% of ``max_epochs`` on average) and, as an upper bound, every fit running all
``max_epochs``. The probe runs alone: on a machine shared with other work, the workers of the sweep
get less of it than the probe did, and the sweep takes longer.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from .expand import expand_runs, seed_data
from .journal import read_journal
from .methods import get_method
from .pep import search_path
from .pretrain import checkpoint_path
from .profile import StudyConfig
from .tune import TUNING_DIR, resolve_tuned, tuning_runs

# The book's default sweep (MovieLens-100K, 153 runs at max_epochs 20, patience 2): 12.6 epochs a
# fit on average; PEP's search runs took 15 epochs.
TYPICAL_EPOCH_SHARE = 0.65


@dataclass
class FitPlan:
    """Fits still to do, per base model: ``tuning``, ``pretrain``, ``retrain`` and ``pep`` (search
    runs); ``runs``/``done``: the sweep's runs and how many of them are finished; ``seeds``: split
    seeds (one encoding each)."""

    tuning: Counter = field(default_factory=Counter)
    pretrain: Counter = field(default_factory=Counter)
    retrain: Counter = field(default_factory=Counter)
    pep: Counter = field(default_factory=Counter)
    runs: int = 0
    done: int = 0
    seeds: int = 0

    def fits(self, model: str | None = None) -> int:
        parts = (self.tuning, self.pretrain, self.retrain, self.pep)
        return sum(c[model] for c in parts) if model else sum(sum(c.values()) for c in parts)


def _ok_keys(folder: Path) -> set[str]:
    return {k for k, r in read_journal(folder).items() if r.get("status") == "ok"} if folder.is_dir() else set()


def planned_fits(study: StudyConfig, results_dir) -> FitPlan:
    """The fits a sweep of ``study`` into ``results_dir`` has still to do."""
    results_dir = Path(results_dir)
    plan = FitPlan(seeds=len(study.seeds) if study.split_per_seed else 1)
    done_tuning = _ok_keys(results_dir / TUNING_DIR)
    for spec in tuning_runs(study):
        if spec.key not in done_tuning:
            plan.tuning[spec.model.name] += 1
    try:
        tuned = resolve_tuned(study, results_dir)
    except ConfigError:  # not tuned yet: the runs' keys are not known, so none of them is done
        tuned = dataclasses.replace(study, tune=None)
    done = _ok_keys(results_dir)
    specs = expand_runs(tuned)
    todo = [s for s in specs if s.key not in done]
    plan.runs, plan.done = len(specs), len(specs) - len(todo)
    groups, searches = {}, {}
    for spec in todo:
        method = get_method(spec.method)
        groups.setdefault(spec.group_key, spec)
        if method.reads_pep:
            searches.setdefault((spec.group_key, spec.pep), spec)
        if method.evaluation in ("retrain", "masked"):
            plan.retrain[spec.model.name] += 1
    for spec in groups.values():
        if not checkpoint_path(results_dir, spec).exists():
            plan.pretrain[spec.model.name] += 1
    for spec in searches.values():
        if not search_path(results_dir, spec).exists():
            plan.pep[spec.model.name] += 1
    return plan


@dataclass
class Probe:
    """Seconds of one training epoch per base model (one thread), of the full-width model
    (``epoch_seconds``) and of a slim one (``slim_seconds``), and of encoding one seed's split (0
    when it was already cached); ``seconds``: what the probe itself took."""

    epoch_seconds: dict[str, float]
    encode_seconds: float
    seconds: float
    slim_seconds: dict[str, float] = field(default_factory=dict)

    def slim(self, model: str) -> float:
        return self.slim_seconds.get(model, self.epoch_seconds[model])


def probe(study: StudyConfig) -> Probe:
    """Time one epoch of every base model of ``study``, full-width and slim (the uniform widths of its
    smallest budget), on its first dataset (first seed's split)."""
    from ..data.registry import load_dataset_from_config
    from ..models.registry import build_model
    from ..search.baselines import uniform_filled_allocation
    from ..train import fit, seed_everything
    from .execute import worker_threads

    start = time.perf_counter()
    data = seed_data(study, study.datasets[0], study.seeds[0])
    ds = load_dataset_from_config(data, progress=False)
    encode = 0.0 if ds.from_cache else time.perf_counter() - start
    slim_dims = uniform_filled_allocation(ds.vocab_sizes, study.model.emb_dim, min(study.budgets)).emb_dims
    train = dataclasses.replace(study.train, max_epochs=1, patience=1, seed=study.seeds[0], progress=False)
    full, slim = {}, {}

    def epoch(name: str, dims) -> float:
        seed_everything(train.seed)
        model = build_model(ds.fields, dataclasses.replace(study.model, name=name, emb_dims=dims))
        t0 = time.perf_counter()
        fit(model, ds, train)
        return time.perf_counter() - t0

    with worker_threads():
        epoch(study.models[0], None)  # the first fit warms torch up: not timed
        for name in study.models:
            full[name] = epoch(name, None)
            slim[name] = epoch(name, tuple(slim_dims))
    return Probe(full, encode, time.perf_counter() - start, slim)


@dataclass
class Estimate:
    """Typical and longest minutes of the work left, with what they were computed from."""

    typical_minutes: float
    longest_minutes: float
    fits: int
    parallel: int
    epochs_typical: float
    plan: FitPlan
    probe: Probe
    load: float = 0.0  # the machine's load average when the probe ran
    cores: int = 1

    def describe(self) -> str:
        per_min = {m: 60.0 / (s * self.epochs_typical) for m, s in self.probe.epoch_seconds.items()}
        rates = ", ".join(f"{m} {r:.1f}" for m, r in per_min.items())
        parts = [f"{self.plan.fits(m)} {m}" for m in self.probe.epoch_seconds if self.plan.fits(m)]
        epochs = ", ".join(f"{m} {s:.1f} s (slim {self.probe.slim(m):.1f} s)" for m, s in self.probe.epoch_seconds.items())
        return (f"{self.fits} fits to do ({', '.join(parts) or 'none'}; {self.plan.done} of {self.plan.runs} runs "
                f"already done); this machine fits {rates} full models a minute (one epoch took {epochs}; "
                f"{self.epochs_typical:.0f} epochs a fit), {self.parallel} at a time: about "
                f"{_minutes(self.typical_minutes)} min, at most {_minutes(self.longest_minutes)} if every fit runs all "
                f"its epochs" + (f"; the machine is busy (load {self.load:.1f} on {self.cores} cores): expect longer"
                                 if self.load > self.cores else ""))


def _minutes(m: float) -> str:
    return f"{m:.1f}" if m < 10 else f"{m:.0f}"


def estimate(study: StudyConfig, results_dir, measured: Probe | None = None) -> Estimate:
    """The estimate of what a sweep of ``study`` into ``results_dir`` has left to do."""
    plan = planned_fits(study, results_dir)
    measured = measured or probe(study)
    parallel = max(1, min(study.workers, os.cpu_count() or 1))
    typical = max(1.0, TYPICAL_EPOCH_SHARE * study.train.max_epochs)

    def minutes(epochs: float) -> float:
        train = sum((plan.fits(m) - plan.retrain[m]) * epochs * s + plan.retrain[m] * epochs * measured.slim(m)
                    for m, s in measured.epoch_seconds.items())
        return (train / parallel + max(0, plan.seeds - 1) * measured.encode_seconds) / 60.0

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return Estimate(minutes(typical), minutes(study.train.max_epochs), plan.fits(), parallel, typical, plan, measured,
                    load, os.cpu_count() or 1)
