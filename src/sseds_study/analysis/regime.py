"""Chapter 10, "When does a width search pay?": the regime map over the generator's knobs, the gain
model fitted on the design's settings, its check on held-out settings and on MovieLens, and the rule
``sseds search`` prints (``search.regime_rule``).

The chapter reads four companion profiles (roles ``regime_d16``, ``regime_d64``: the default SSEDS and
its baselines; ``regime_d16_best``, ``regime_d64_best``: the variant chosen in chapter 5 against
uniform widths under its rules) and two for the real-data check (``headline``: MovieLens-100K,
``large``: MovieLens-1M). ``python -m sseds_study.analysis.regime fit`` writes the rule file from the
same numbers (``make regime-rule``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.registry import display_name
from ..figures.regime import plot_predictions, plot_regime_map
from ..search.regime_rule import FEATURES, fit_rule, leave_out_check, rule_path
from ..statistics import (
    difference_spread,
    minimum_detectable_difference,
    paired_difference,
    pooled_sd,
    t_interval,
)
from ..study import sweep
from ..study.profile import StudyConfig, companion
from ..study.regime_design import CHOSEN_VARIANT, CONTINUOUS, HELD_OUT, SETTINGS
from .chapter import Chapter
from .common import chapter_study
from .regime_map import (
    KNOB_LABELS,
    KNOBS,
    agreement_word,
    fit_table,
    gain_cells,
    inputs_table,
    measured_inputs,
    setting_table,
    tag_settings,
)
from .tables import BookTable, number, plain_table, plus_minus

DEFAULT_ROLES = ("regime_d16", "regime_d64")
HALF_WIDTH = {"ci95": "95% half-width"}
CONTINUOUS_KNOBS = {name for name, *_ in CONTINUOUS}
BEST_ROLES = ("regime_d16_best", "regime_d64_best")
FEATURE_LABELS = {
    "importance_gini": "Gini of field importance",
    "largest_row_share": "largest field's share of rows",
    "log10_rows_per_row": "log10 training rows per embedding row",
    "size_importance_rho": "Spearman(vocabulary, importance)",
    "floor_share": "floor's share of the budget, 1/(bD)",
}


def _profiles(study: StudyConfig, roles: Sequence[str]) -> list[StudyConfig]:
    """The distinct profiles playing ``roles`` (a smoke profile may give one profile several roles)."""
    found = {}
    for role in roles:
        p = companion(study, role)
        if p.name != study.name or role in study.companions:
            found.setdefault(p.name, p)
    return list(found.values())


def _swept(profiles: Sequence[StudyConfig]) -> list[tuple[StudyConfig, pd.DataFrame]]:
    """Each profile as swept (tuned settings included) with its results table; a sweep resumes, so
    the chapter computes what is missing and nothing twice."""
    out = []
    for p in profiles:
        report = sweep(p, progress=False)
        out.append((report.study or p, report.table))
    return out


def _tagged(swept) -> pd.DataFrame:
    frames = [tag_settings(table, study) for study, table in swept]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def knob_summary(cells: pd.DataFrame) -> pd.DataFrame:
    """Per knob, the mean gain over the cells in its lower and upper half (or per level), with a
    t interval over those cells: a plain reading of the map, not a test (cells share settings)."""
    out = []
    for knob in KNOBS:
        values = cells[knob]
        if knob in CONTINUOUS_KNOBS:
            cut = float(np.median(values))
            groups = {f"≤ {cut:.3g}": values <= cut, f"> {cut:.3g}": values > cut}
        else:
            groups = {str(v): values == v for v in sorted(values.unique(), key=str)}
        for level, mask in groups.items():
            gains = cells.loc[mask, "gain"]
            if gains.empty:
                continue
            mean, half = t_interval(gains.to_numpy())
            out.append({"knob": KNOB_LABELS[knob], "level": level, "cells": int(mask.sum()), "mean_gain": mean,
                        "ci95": half, "better": int((cells.loc[mask, "verdict"] == "better").sum()),
                        "worse": int((cells.loc[mask, "verdict"] == "worse").sum())})
    return pd.DataFrame(out)


def real_data_check(rule, headline: StudyConfig, large: StudyConfig) -> pd.DataFrame:
    """The rule's prediction for each base model x budget of MovieLens-100K (headline) and MovieLens-1M
    (large), beside the gain the book measured there (SSEDS − uniform, paired seeds)."""
    out = []
    for study, table in _swept([headline, large] if large.name != headline.name else [headline]):
        ok = table[table["status"] == "ok"]
        budgets = sorted({float(b) for b in ok["budget"] if b < 1.0}, reverse=True)
        for model in study.models:
            inputs = measured_inputs(study, 0, model, budgets)
            for budget, entry in zip(budgets, inputs, strict=True):
                rows = ok[(ok["model"] == model)]
                a = rows[(rows["method"] == "sseds") & (rows["budget"] == budget)].set_index("seed")["test_auc"]
                b = rows[(rows["method"] == "uniform") & (rows["budget"] == budget)].set_index("seed")["test_auc"]
                seeds = a.index.intersection(b.index)
                d = paired_difference(a.loc[seeds].to_numpy(), b.loc[seeds].to_numpy())
                predicted = rule.predict(entry)
                out.append({"dataset": display_name(study.datasets[0].name), "model": model, "budget": budget,
                            "seeds": d.n, "predicted": predicted, "measured": d.mean, "ci95": d.ci95,
                            "agreement": agreement_word(predicted, d.mean - d.ci95, d.mean + d.ci95, rule.margin),
                            "outside": ", ".join(FEATURE_LABELS[f] for f in rule.outside(entry)) or "–",
                            **{f: entry[f] for f in FEATURES}})
    return pd.DataFrame(out)


def _held_out_points(check: dict, fit: pd.DataFrame) -> pd.DataFrame:
    held = fit[fit["held_out"]]
    pred = check["predictions"]
    return pd.DataFrame({"group": "held-out settings", "predicted": pred["predicted"].to_numpy(),
                         "measured": held["gain"].to_numpy(), "ci95": held["gain_ci95"].to_numpy()})


def compute(study: StudyConfig) -> dict:
    """Every number of the chapter (and of the rule file): swept profiles, cells, inputs, fit, checks."""
    default = _swept(_profiles(study, DEFAULT_ROLES))
    best = _swept(_profiles(study, BEST_ROLES))
    rows = _tagged(default)
    cells = gain_cells(rows)
    best_cells = gain_cells(_tagged(best), label="chosen") if best else pd.DataFrame()
    inputs = pd.concat([inputs_table(s) for s, _ in default], ignore_index=True)
    fit = fit_table(cells, inputs)
    if not fit["held_out"].any() or fit["held_out"].all():  # a design without the held-out settings (smoke)
        fit["held_out"] = fit["setting"] % 4 == 3
    check = leave_out_check(fit, fit["held_out"].to_numpy())
    rule = check["rule"]
    bayes = inputs.groupby("setting")["bayes_auc"].first().to_dict()
    return {"default": default, "best": best, "rows": rows, "cells": cells, "best_cells": best_cells,
            "inputs": inputs, "fit": fit, "check": check, "rule": rule, "bayes": bayes}


def rule_provenance(numbers: dict, commit: str) -> dict:
    check = numbers["check"]
    fit = numbers["fit"]
    return {"profiles": [s.name for s, _ in numbers["default"]], "commit": commit,
            "settings": int(fit["setting"].nunique()), "fit_settings": int(fit.loc[~fit["held_out"], "setting"].nunique()),
            "held_out_settings": int(fit.loc[fit["held_out"], "setting"].nunique()),
            "held_out_sign_accuracy": check["sign_accuracy"], "held_out_mae": check["mean_abs_error"],
            "held_out_constant_sign_accuracy": constant_accuracy(fit)}


def constant_accuracy(fit: pd.DataFrame) -> float:
    """The held-out sign accuracy of a constant prediction at the fitted cells' mean gain: the yardstick
    the gain model must beat (cells with a zero measured gain are not counted)."""
    constant = float(fit.loc[~fit["held_out"], "gain"].mean())
    measured = fit.loc[fit["held_out"], "gain"].to_numpy()
    signed = measured != 0
    return float((np.sign(measured[signed]) == np.sign(constant)).mean()) if signed.any() else float("nan")


def build_regime(study: StudyConfig, numbers: dict, real: pd.DataFrame) -> Chapter:
    cells, fit, check, rule = numbers["cells"], numbers["fit"], numbers["check"], numbers["rule"]
    rows = numbers["rows"]
    settings = int(rows["setting"].nunique()) if not rows.empty else 0
    seeds = int(cells["n"].max()) if not cells.empty else 0
    chapter = Chapter(header=f"regime map: {settings} generated settings x {', '.join(sorted(rows['model'].unique()))}"
                             f" x budgets {', '.join(f'{b:g}' for b in sorted(cells['budget'].unique(), reverse=True))}"
                             f", {seeds} paired seeds; {len(rows)} runs")
    text = chapter.text
    text["settings"] = settings
    text["design_settings"] = SETTINGS
    text["seeds"] = seeds
    text["cells"] = len(cells)
    counts = cells["verdict"].value_counts()
    text["better"] = int(counts.get("better", 0))
    text["worse"] = int(counts.get("worse", 0))
    text["indistinguishable"] = int(counts.get("indistinguishable", 0))
    text["gain_range"] = f"{number(cells['gain'].min(), signed=True)} to {number(cells['gain'].max(), signed=True)}"
    text["mean_gain"] = number(cells["gain"].mean(), signed=True)
    top = cells.sort_values("gain", ascending=False).iloc[0]
    text["best_cell"] = (f"setting {int(top['setting'])} ({top['model']}, b = {top['budget']:g}): "
                         f"{plus_minus(top['gain'], top['gain_ci95'])}")
    beats_best = cells["gain_best"] - cells["gain_best_ci95"] > 0
    text["beats_best"] = int(beats_best.sum())
    text["loses_best"] = int((cells["gain_best"] + cells["gain_best_ci95"] < 0).sum())
    # the variant chosen in chapter 5
    best_cells = numbers["best_cells"]
    text["variant"] = " · ".join(str(v) for v in CHOSEN_VARIANT.values())
    if not best_cells.empty:
        vc = best_cells["verdict"].value_counts()
        text["variant_cells"] = len(best_cells)
        text["variant_better"] = int(vc.get("better", 0))
        text["variant_worse"] = int(vc.get("worse", 0))
        text["variant_mean"] = number(best_cells["gain"].mean(), signed=True)
    else:
        text.update(variant_cells=0, variant_better=0, variant_worse=0, variant_mean="–")
    # the gain model
    text["fit_cells"] = int((~fit["held_out"]).sum())
    text["fit_settings"] = int(fit.loc[~fit["held_out"], "setting"].nunique())
    text["held_cells"] = int(fit["held_out"].sum())
    text["held_settings"] = int(fit.loc[fit["held_out"], "setting"].nunique())
    text["held_sign_accuracy"] = f"{check['sign_accuracy']:.0%}" if check["sign_accuracy"] == check["sign_accuracy"] else "–"
    text["held_signed"] = check["n_signed"]
    text["held_mae"] = number(check["mean_abs_error"])
    text["residual_sd"] = number(rule.residual_sd)
    text["margin"] = number(rule.margin)
    held_verdicts = [agreement_word(p, m - h, m + h, rule.margin) for p, m, h in
                     zip(check["predictions"]["predicted"], fit.loc[fit["held_out"], "gain"],
                         fit.loc[fit["held_out"], "gain_ci95"].fillna(0), strict=True)]
    # the yardstick: a constant prediction at the fitted cells' mean gain, the rule without its inputs
    constant = float(fit.loc[~fit["held_out"], "gain"].mean())
    measured = fit.loc[fit["held_out"], "gain"].to_numpy()
    const_acc = constant_accuracy(fit)
    text["const_gain"] = number(constant, signed=True)
    text["const_sign_accuracy"] = f"{const_acc:.0%}" if const_acc == const_acc else "–"
    text["const_mae"] = number(float(np.abs(measured - constant).mean()))
    model_acc = check["sign_accuracy"]
    better_than_constant = model_acc == model_acc and const_acc == const_acc and model_acc > const_acc and \
        check["mean_abs_error"] < float(np.abs(measured - constant).mean())
    text["rule_reading"] = (
        "the five inputs predict the sign and size of the gain better than a constant does on settings the model "
        "has not seen" if better_than_constant else
        "the five inputs do not predict the gain on settings the model has not seen better than a constant does: "
        "the gain model fails its held-out check")
    text["rule_use"] = (
        "With that check passed, the line is a prediction a user can act on inside the map's range." if better_than_constant
        else "Given that check, the line is a measurement of the table that a user can set against the map, not advice "
             "to follow: the map's plain readings (the knob table) say more than its fitted model.")
    text["held_agree"] = held_verdicts.count("agrees")
    text["held_disagree"] = held_verdicts.count("disagrees")
    coef = pd.DataFrame({"input": [FEATURE_LABELS[f] for f in rule.features],
                         "coefficient": rule.coefs, "scale": rule.scales, "mean": rule.means})
    strongest = coef.reindex(coef["coefficient"].abs().sort_values(ascending=False).index).iloc[0]
    text["strongest"] = f"{strongest['input']} ({number(strongest['coefficient'], signed=True)} per standard deviation)"
    # real data
    agree = real["agreement"].value_counts() if not real.empty else pd.Series(dtype=int)
    text["real_cells"] = len(real)
    text["real_agree"] = int(agree.get("agrees", 0))
    text["real_partly"] = int(agree.get("partly", 0))
    text["real_disagree"] = int(agree.get("disagrees", 0))
    text["real_outside"] = int((real["outside"] != "–").sum()) if not real.empty else 0
    if not real.empty:
        text["real_predicted"] = (f"{number(real['predicted'].min(), signed=True)} to "
                                  f"{number(real['predicted'].max(), signed=True)}")
        text["real_measured"] = (f"{number(real['measured'].min(), signed=True)} to "
                                 f"{number(real['measured'].max(), signed=True)}")
        outside = sorted({o for cell in real["outside"] if cell != "–" for o in cell.split(", ")})
        text["real_outside_inputs"] = ", ".join(outside) if outside else "none"
    else:
        text.update(real_predicted="–", real_measured="–", real_outside_inputs="none")
    text["map_reading"] = map_reading(knob_summary(cells))
    text["scope"] = scope_text(cells, rows)
    data_label = f"regime profiles ({', '.join(s.name for s, _ in numbers['default'])}), {settings} settings, {seeds} seeds"

    chapter.figures["fig_regime_map"] = plot_regime_map(cells, KNOBS, KNOB_LABELS, data_label)
    points = pd.concat([_held_out_points(check, fit),
                        pd.DataFrame({"group": real["dataset"] if not real.empty else [],
                                      "predicted": real.get("predicted", []), "measured": real.get("measured", []),
                                      "ci95": real.get("ci95", [])})], ignore_index=True)
    chapter.figures["fig_regime_predictions"] = plot_predictions(points, data_label)
    chapter.tables["design"], chapter.tables["aucs"] = design_table(rows, numbers["bayes"])
    chapter.tables["knobs"] = plain_table(
        knob_summary(cells).rename(columns=HALF_WIDTH | {"mean_gain": "mean gain"}), keys=("knob",),
        note="SSEDS − uniform widths (test AUC) by knob: the mean over the cells (setting × model × budget) in the "
             "knob's lower and upper half (split at its median) or at each level, with a t interval over those cells, "
             "and how many of them are better or worse beyond noise (paired t test over seeds, Holm over the map). "
             "A reading of the map, not a test of the knob: the other knobs vary too.")
    chapter.tables["coefficients"] = plain_table(
        coef, keys=("input",), note=f"The gain model: ridge regression of the cell's mean SSEDS − uniform test AUC on the standardised "
                   f"inputs (coefficient: change in AUC per standard deviation of the input; scale and mean: the "
                   f"input's standard deviation and mean over the {text['fit_cells']} fitted cells). Intercept "
                   f"{number(rule.intercept, signed=True)}; residual standard deviation {text['residual_sd']}.")
    held = fit[fit["held_out"]].copy()
    held["predicted"] = check["predictions"]["predicted"].to_numpy()
    held["agreement"] = held_verdicts
    chapter.tables["held_out"] = plain_table(
        held[["setting", "model", "budget", "gain", "gain_ci95", "predicted", "agreement"]].rename(
            columns={"gain": "measured", "gain_ci95": "95% half-width"}),
        formats={"setting": str, "budget": lambda b: f"{b:g}"},
        note=f"Held-out settings ({', '.join(str(s) for s in sorted(held['setting'].unique()))}): the measured "
             "SSEDS − uniform test AUC (mean over paired seeds, 95% half-width) against the gain model fitted "
             f"without them. 'agrees': the rule's call (search above +{text['margin']}, uniform below "
             f"−{text['margin']}, else either) matches where the interval lies (above 0, below 0, across 0).")
    chapter.tables["real"] = plain_table(
        (real[["dataset", "model", "budget", "seeds", "predicted", "measured", "ci95", "agreement", "outside"]]
         .rename(columns=HALF_WIDTH)) if not real.empty else real,
        keys=("dataset",), formats={"budget": lambda b: f"{b:g}", "seeds": str},
        note="The rule on the book's real data: its inputs measured on the first seed's pretrained full model, its "
             "predicted SSEDS − uniform test AUC, and the difference the book measured (mean over paired seeds, 95% "
             "half-width). 'outside': inputs beyond the range of the fitted settings (an extrapolation).")
    return chapter


def map_reading(summary: pd.DataFrame) -> str:
    """A sentence on which knob levels carry a mean gain whose interval excludes zero."""
    if summary.empty:
        return "No cell has been run."
    lo = summary["mean_gain"] - summary["ci95"]
    hi = summary["mean_gain"] + summary["ci95"]

    def listed(mask) -> str:
        return "; ".join(f"{r.knob} {r.level} ({plus_minus(r.mean_gain, r.ci95)})" for r in summary[mask].itertuples())

    up, down = listed(lo > 0), listed(hi < 0)
    parts = []
    if up:
        parts.append(f"Grouped by one knob at a time (the table below), the mean gain lies above zero for {up}")
    if down:
        parts.append(f"{'and below zero' if up else 'Grouped by one knob at a time (the table below), the mean gain lies below zero'} for {down}")
    if not parts:
        return ("Grouped by one knob at a time (the table below), no knob level has a mean gain whose interval "
                "excludes zero.")
    return ", ".join(parts) + "."


def scope_text(cells: pd.DataFrame, rows: pd.DataFrame) -> str:
    """What the map covers and the smallest difference one cell can detect."""
    if cells.empty:
        return "No cell has been run."
    n = int(cells["n"].max())
    sds = [difference_spread(h, int(k)) for h, k in zip(cells["gain_ci95"], cells["n"], strict=True)]
    mdd = minimum_detectable_difference(pooled_sd(sds, [int(k) for k in cells["n"]]), n)
    widths = ", ".join(str(d) for d in sorted(cells["D"].unique()))
    options = rows.drop_duplicates("setting")["config"].map(lambda c: json.loads(c)["data"]["options"])
    fields = sorted({int(o["fields"]) for o in options})
    totals = sorted({int(o["vocab_total"]) for o in options})
    ratio = f"{cells['rows_per_row'].min():g} to {cells['rows_per_row'].max():g}"
    models = " and ".join(sorted(cells["model"].unique(), key=lambda m: (m != "FM", m)))
    budgets = ", ".join(f"{b:g}" for b in sorted(cells["budget"].unique(), reverse=True))
    return (f"The map covers generated tables of {' or '.join(map(str, fields))} fields and "
            f"{' or '.join(f'{t:,}' for t in totals)} values in all, with {ratio} training rows per embedding row, "
            f"base widths {widths}, budgets {budgets}, {models}, and {n} paired seeds per cell. With {n} seeds a single cell's difference must be about {number(mdd)} AUC to be detected with 80% "
            f"power before Holm's adjustment (from the pooled spread of the per-seed differences), so many "
            "'indistinguishable' cells are too noisy to call, not equal. The gain model is fitted on cell means and "
            "inherits their noise; its held-out check is the measure of how far to trust it. Real tables with "
            "hundreds of thousands of values per field, other base models (DCN, wider MLPs) and budgets below "
            "0.1 lie outside the map.")


def design_table(rows: pd.DataFrame, bayes: dict) -> tuple[BookTable, BookTable]:
    """The settings in two tables narrow enough for the text column: their knobs and base width D
    (a held-out setting marked *), and the test AUC of the Bayes model, the full model and the oracle
    (the planted ranks as widths) per base model, mean over seeds."""
    st = setting_table(rows, bayes)
    knobs = rows.drop_duplicates("setting").set_index("setting").sort_index()[list(KNOBS)]
    names = [f"{s}*" if s in HELD_OUT else str(s) for s in knobs.index]
    formats = {c: (lambda v: f"{v:g}") for c in ("concentration", "noise_share", "vocab_spread", "zipf", "rows_per_row")}
    short = {"concentration": "c", "noise_share": "noise", "vocab_spread": "spread g", "vocab_order": "order",
             "zipf": "Zipf", "rows_per_row": "rows per row"}
    knob_table = plain_table(knobs.reset_index().assign(setting=names).rename(columns=short), digits=3,
                             formats={"setting": str, "D": str, **{short[k]: f for k, f in formats.items()}},
                             note="The designed settings: the generator's knobs (c: importance concentration; noise: "
                                  "share of noise fields; spread g: vocabulary spread; order: which field gets the "
                                  "largest vocabulary; rows per row: training rows per embedding row) and the base "
                                  "width D (* held out of the gain model's fit).")
    aucs = st.drop_duplicates("setting").set_index("setting")[["bayes_auc"]]
    for kind in ("full", "oracle"):
        aucs = aucs.join(st.pivot(index="setting", columns="model", values=kind).add_prefix(f"{kind} "))
    auc_table = plain_table(aucs.sort_index().reset_index(), digits=3, formats={"setting": str},
                            note="Per setting: the Bayes AUC (the true logits on the first seed's test split) and the "
                                 "mean test AUC of the full model and of the oracle (the planted ranks as widths) per "
                                 "base model.")
    return knob_table, auc_table


def regime_chapter(profile) -> Chapter:
    study = chapter_study(profile)
    numbers = compute(study)
    real = real_data_check(numbers["rule"], companion(study, "headline"), companion(study, "large"))
    return build_regime(study, numbers, real)


# -- the rule file -------------------------------------------------------------------------------------

def write_rule(profile: str = "default", out: Path | None = None) -> Path:
    """Fit the rule on the design's settings (the held-out ones left out, so its checked accuracy is
    the shipped rule's) and write it as JSON (default: the package's ``search/regime_rule.json``)."""
    from ..study.provenance import git_commit

    study = chapter_study(profile)
    numbers = compute(study)
    fit = numbers["fit"]
    rule = fit_rule(fit[~fit["held_out"]], provenance=rule_provenance(numbers, git_commit()))
    return rule.save(out or rule_path())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sseds_study.analysis.regime",
                                     description="fit the regime rule from the regime profiles' results")
    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="fit the rule and write its JSON file")
    fit.add_argument("--profile", default="default", help="the book's profile whose companions are read")
    fit.add_argument("--out", type=Path, default=None, help="where to write (default: the package's rule file)")
    args = parser.parse_args(argv)
    path = write_rule(args.profile, args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

