"""Does tuning the slim model separately change a verdict? One cell of the verdict table, measured.

The protocol tunes learning rate and embedding weight decay once per dataset and base model, on the
full model's validation AUC, and every method then pretrains, scores and retrains with them. A
reviewer may object that a slim model wants other settings (fewer parameters, less decay), and that
one method could suit the shared setting better than another. Here the decay is tuned for each method
at one cell instead: every grid value runs the whole pipeline of that method (pretraining, scoring,
retraining), each method takes the value with its best mean validation AUC, and the paired test
comparison is read once at those values, beside the same comparison under the shared setting.

Each grid value is a small study of its own (results folder ``<profile>-slim-wd<value>``, beside
the profile's); the value the profile itself uses reuses the profile's runs through ``reuse``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from ..data.registry import data_key
from ..statistics import paired_difference, verdict
from ..study import sweep, tune_study
from ..study.expand import tuned_train
from ..study.profile import StudyConfig

# The decays tried: the default grid's lower half and the chosen values of chapter 2 (a slim model
# has fewer parameters to regularise, so the grid stops below the largest full-model choices).
SLIM_GRID = (0.0, 0.0001, 0.0003, 0.001)


@dataclasses.dataclass
class SlimTuning:
    """grid: one row per method, decay and seed (valid and test AUC); choice: each method's decay;
    text: the glued sentence parts."""

    grid: pd.DataFrame
    choice: dict[str, float]
    text: dict[str, str]


def slim_studies(study: StudyConfig, model: str, budget: float, methods: Sequence[str], seeds: Sequence[int],
                 grid: Sequence[float] = SLIM_GRID) -> dict[float, StudyConfig]:
    """One study per decay: the cell's dataset, model, methods, budget and seeds, its training
    settings fixed at (the tuned learning rate, that decay)."""
    data = study.datasets[0]
    base = tuned_train(study, data, model)
    out = {}
    for wd in grid:
        entry = {"dataset": data_key(data), "model": model, "lr": base.lr, "emb_weight_decay": float(wd)}
        out[float(wd)] = dataclasses.replace(
            study, name=f"{study.name}-slim-wd{wd:g}", datasets=(data,), models=(model,), methods=tuple(methods),
            budgets=(budget,), seeds=tuple(seeds), variants=(), factorial={}, tuned=(entry,), reuse=(study.name,),
            companions={})
    return out


def slim_tuning_check(study: StudyConfig, model: str | None = None, budget: float = 0.1,
                      methods: Sequence[str] = ("sseds", "uniform"), seeds: Sequence[int] | None = None,
                      grid: Sequence[float] = SLIM_GRID) -> SlimTuning:
    """Tune the embedding decay for each of two methods at one cell and compare the verdicts."""
    study = tune_study(study, progress=False)
    model = model or study.models[0]
    seeds = list(seeds if seeds is not None else study.seeds[:3])
    shared = tuned_train(study, study.datasets[0], model).emb_weight_decay
    frames = []
    for wd, s in slim_studies(study, model, budget, methods, seeds, grid).items():
        table = sweep(s, progress=False).table
        ok = table[(table["status"] == "ok") & table["method"].isin(methods) & (table["budget"] == budget)]
        frames.append(ok[["method", "seed", "valid_auc", "test_auc"]].assign(emb_weight_decay=wd))
    rows = pd.concat(frames, ignore_index=True)
    return SlimTuning(rows, *_compare(rows, methods, shared, model, budget))


def _compare(rows: pd.DataFrame, methods: Sequence[str], shared: float, model: str,
             budget: float) -> tuple[dict[str, float], dict[str, str]]:
    """Each method's decay by mean validation AUC (ties: the smaller decay), then the paired test
    comparison of the first method against the second at those decays and at the shared one."""
    mean_valid = rows.groupby(["method", "emb_weight_decay"])["valid_auc"].mean()
    choice = {}
    for m in methods:
        v = mean_valid.loc[m]
        choice[m] = float(v[v == v.max()].index.min())
    focus, base = methods[0], methods[1]

    def compare(wd_focus: float, wd_base: float):
        f = rows[(rows.method == focus) & (rows.emb_weight_decay == wd_focus)].set_index("seed")["test_auc"]
        b = rows[(rows.method == base) & (rows.emb_weight_decay == wd_base)].set_index("seed")["test_auc"]
        seeds = f.index.intersection(b.index).sort_values()
        d = paired_difference(f.loc[seeds].to_numpy(), b.loc[seeds].to_numpy())
        return d, verdict(d.mean, d.p_t)

    (tuned, tuned_verdict), (shared_d, shared_verdict) = compare(choice[focus], choice[base]), compare(shared, shared)
    # A verdict can flip on the interval alone: the gap is "unchanged" when it moves by less than half the
    # narrower of the two half-widths, and the glued numbers let the text say which of the two moved.
    shift = tuned.mean - shared_d.mean
    below = sum(bool(mean_valid.loc[(focus, wd)] < mean_valid.loc[(base, wd)])
                for wd in mean_valid.loc[focus].index if (base, wd) in mean_valid.index)
    text = {
        "slim_model": model, "slim_budget": f"{budget:g}", "slim_focus": focus, "slim_base": base,
        "slim_focus_decay": f"{choice[focus]:g}", "slim_base_decay": f"{choice[base]:g}", "slim_shared_decay": f"{shared:g}",
        "slim_seeds": f"{tuned.n}",
        "slim_tuned": f"{tuned.mean:+.4f} ± {tuned.ci95:.4f}", "slim_tuned_verdict": tuned_verdict,
        "slim_shared": f"{shared_d.mean:+.4f} ± {shared_d.ci95:.4f}", "slim_shared_verdict": shared_verdict,
        "slim_shift": f"{shift:+.4f}",
        "slim_gap": "unchanged" if abs(shift) < min(tuned.ci95, shared_d.ci95) / 2 else "changed",
        "slim_below": f"{below}", "slim_decays": f"{len(mean_valid.loc[focus])}",
    }
    return choice, text
