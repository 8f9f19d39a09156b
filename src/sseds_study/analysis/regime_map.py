"""The regime map's numbers (chapter 10): per setting of the generator's knobs, model and budget, the
paired gain of SSEDS over uniform widths and over the best baseline, the rule's inputs measured on a
pretrained model, and the gain model's fit and checks.

A *setting* is one dataset of a regime profile (one point of the design, ``study.regime_design``) at the
profile's base width D. A *cell* is a setting x base model x budget: the unit the map plots and the
gain model is fitted on (the mean over paired seeds). Every comparison is paired by seed: the methods
of a seed share its data split and its pretrained model.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

import pandas as pd

from ..search.regime_rule import FEATURES, field_importance, regime_inputs
from ..statistics import holm, paired_difference, verdict
from ..study.methods import get_method
from ..study.profile import StudyConfig
from ..study.regime_design import HELD_OUT, design
from .common import load_pretrained, saliency_scores

# The knobs the map plots, in the chapter's order, and how it names them.
KNOBS = ("concentration", "noise_share", "vocab_spread", "vocab_order", "zipf", "rows_per_row", "form", "D")
KNOB_LABELS = {
    "concentration": "importance concentration c",
    "noise_share": "share of noise fields",
    "vocab_spread": "vocabulary spread g",
    "vocab_order": "vocabulary vs importance",
    "zipf": "Zipf skew",
    "rows_per_row": "training rows per embedding row",
    "form": "logit form",
    "D": "base width D",
}
BASELINES = ("uniform", "frequency", "magnitude")
REFERENCE = "uniform"


def _options_key(options: dict) -> str:
    return json.dumps({k: options[k] for k in sorted(options)}, sort_keys=True, default=float)


def setting_index(study: StudyConfig) -> dict[str, int]:
    """Each dataset of a regime profile -> its number in the design (``design()``; the position in the
    profile when the dataset is not one of the design's, as in the smoke profile)."""
    known = {_options_key({k: v for k, v in s.items() if k not in ("setting", "emb_dim")}): s["setting"]
             for s in design()}
    return {_options_key(dict(d.options)): known.get(_options_key(dict(d.options)), i)
            for i, d in enumerate(study.datasets)}


def tag_settings(table: pd.DataFrame, study: StudyConfig) -> pd.DataFrame:
    """The finished rows of a regime profile with their setting number, knobs and base width D."""
    index = setting_index(study)
    rows = table[table["status"] == "ok"].copy()
    options = rows["config"].map(lambda c: json.loads(c)["data"]["options"])
    rows["setting"] = options.map(lambda o: index.get(_options_key(o), -1)).astype(int)
    for knob in KNOBS:
        if knob != "D":
            rows[knob] = options.map(lambda o, k=knob: o.get(k))
    rows["D"] = study.model.emb_dim
    return rows


def _paired(rows: pd.DataFrame, method: str, reference: str, budget: float) -> tuple[pd.Series, pd.Series]:
    """Test AUC of ``method`` at ``budget`` and of ``reference`` (at the same budget, or the full model),
    aligned by seed."""
    a = rows[(rows["method"] == method) & (rows["budget"] == budget)].set_index("seed")["test_auc"]
    ref_budget = 1.0 if get_method(reference).only_budget == 1.0 else budget
    b = rows[(rows["method"] == reference) & (rows["budget"] == ref_budget)].set_index("seed")["test_auc"]
    seeds = a.index.intersection(b.index)
    return a.loc[seeds], b.loc[seeds]


def best_baseline(rows: pd.DataFrame, budget: float, baselines: Sequence[str] = BASELINES) -> str | None:
    """The baseline with the highest mean *validation* AUC in one setting x model at ``budget``: the best
    baseline is chosen without reading the test split."""
    at = rows[(rows["method"].isin(baselines)) & (rows["budget"] == budget)]
    if at.empty:
        return None
    return str(at.groupby("method")["valid_auc"].mean().idxmax())


def gain_cells(rows: pd.DataFrame, method: str = "sseds", label: str = "default") -> pd.DataFrame:
    """One row per setting x model x budget: the paired gains of ``method`` over uniform widths, over the
    best baseline (chosen on validation) and over the full model, the oracle's distance to the full
    model, and the cell's knobs. Verdicts use Holm's adjustment over the gain-over-uniform tests of the
    table (one family: the map)."""
    out = []
    for (setting, model), cell in rows.groupby(["setting", "model"], sort=True):
        knobs = cell.iloc[0][[k for k in KNOBS]].to_dict()
        for budget in sorted({float(b) for b in cell["budget"] if b < 1.0}, reverse=True):
            if cell[(cell["method"] == method) & (cell["budget"] == budget)].empty:
                continue
            entry = {"setting": setting, "model": model, "budget": budget, "variant": label, **knobs}
            d = paired_difference(*_paired(cell, method, REFERENCE, budget))
            entry.update(gain=d.mean, gain_ci95=d.ci95, gain_p=d.p_t, n=d.n)
            best = best_baseline(cell, budget)
            if best is not None:
                d = paired_difference(*_paired(cell, method, best, budget))
                entry.update(best_baseline=best, gain_best=d.mean, gain_best_ci95=d.ci95)
            d = paired_difference(*_paired(cell, method, "full", budget))
            entry.update(vs_full=d.mean, vs_full_ci95=d.ci95)
            out.append(entry)
    cells = pd.DataFrame(out)
    if not cells.empty:
        cells["gain_p_holm"] = holm(cells["gain_p"].to_numpy())
        cells["verdict"] = [verdict(m, p) for m, p in zip(cells["gain"], cells["gain_p_holm"], strict=True)]
    return cells


def setting_table(rows: pd.DataFrame, bayes: dict[int, float]) -> pd.DataFrame:
    """Per setting and model: the full model's and the oracle's mean test AUC, and the Bayes AUC."""
    out = []
    for (setting, model), cell in rows.groupby(["setting", "model"], sort=True):
        full = cell[cell["method"] == "full"]["test_auc"].mean()
        oracle = cell[cell["method"] == "oracle"]["test_auc"].mean()
        out.append({"setting": setting, "model": model, "D": int(cell["D"].iloc[0]), "bayes_auc": bayes.get(setting),
                    "full": full, "oracle": oracle})
    return pd.DataFrame(out)


# -- the rule's inputs -------------------------------------------------------------------------------------

def measured_inputs(study: StudyConfig, data_index: int, model: str, budgets: Sequence[float]) -> list[dict]:
    """The rule's inputs for one dataset of ``study`` and one base model, as a user would measure them:
    the default saliency (mean_abs on training batches, as SSEDS scores) of the first seed's pretrained
    full model, the dataset's vocabularies and training rows, D and each budget. ``study``: as swept,
    with its tuned settings (``SweepReport.study``), so the sweep's checkpoint is the one loaded."""
    return _measure(study, data_index, model, budgets)[0]


def _measure(study: StudyConfig, data_index: int, model: str, budgets: Sequence[float]) -> tuple[list[dict], object]:
    """``measured_inputs`` and the dataset they were measured on (first seed's split)."""
    ds, pre, spec = load_pretrained(_one_dataset(study, data_index), model=model, seed=study.seeds[0])
    importance = field_importance(saliency_scores(ds, pre, spec))
    train_rows = len(ds.split_index("train"))
    inputs = [regime_inputs(importance, [int(v) for v in ds.vocab_sizes], train_rows, study.model.emb_dim, b)
              for b in budgets]
    return inputs, ds


def _one_dataset(study: StudyConfig, data_index: int) -> StudyConfig:
    return dataclasses.replace(study, datasets=(study.datasets[data_index],))


def inputs_table(study: StudyConfig, models: Sequence[str] | None = None) -> pd.DataFrame:
    """The rule's inputs for every dataset x model x budget of a regime profile, with the dataset's Bayes
    AUC (the true logits' test AUC on the first seed's split, from the manifest of the dataset the
    inputs were measured on: each generated table is loaded once)."""
    index = setting_index(study)
    out = []
    for i, data in enumerate(study.datasets):
        setting = index[_options_key(dict(data.options))]
        for model in models or study.models:
            entries, ds = _measure(study, i, model, [b for b in study.budgets if b < 1.0])
            bayes = float(ds.manifest["truth"]["bayes_auc"])
            out += [{"setting": setting, "model": model, **entry, "bayes_auc": bayes} for entry in entries]
    return pd.DataFrame(out)


def fit_table(cells: pd.DataFrame, inputs: pd.DataFrame) -> pd.DataFrame:
    """The gain model's table: the cells of the default SSEDS with their measured inputs, and whether the
    setting is held out of the fit (``regime_design.HELD_OUT``)."""
    merged = cells.merge(inputs, on=["setting", "model", "budget"], how="inner", suffixes=("", "_input"))
    merged["held_out"] = merged["setting"].isin(HELD_OUT)
    return merged.dropna(subset=["gain", *FEATURES]).reset_index(drop=True)


def agreement_word(predicted: float, lo: float, hi: float, margin: float) -> str:
    """Whether a prediction agrees with a measured interval [lo, hi]: the rule's verdict ("search" above
    +margin, "uniform" below -margin, else "either") against where the interval lies."""
    said = "search" if predicted >= margin else ("uniform" if predicted <= -margin else "either")
    found = "search" if lo > 0 else ("uniform" if hi < 0 else "either")
    if said == found:
        return "agrees"
    if "either" in (said, found):
        return "partly"
    return "disagrees"
