"""Chapter 05: SSEDS variants (one search option changed at a time) against the default settings."""

from __future__ import annotations

import pandas as pd

from ..config import load_profile
from ..figures.comparison import plot_ablation
from ..study import aggregate, sweep, with_variant
from ..study.compare import change_verdicts, paired_changes
from .chapter import Chapter
from .tables import BookTable, compact_table

CELL = ["dataset", "model", "method", "budget"]
DEFAULT_ROW = "default settings: test AUC"


def ablation_profile(profile: str) -> str:
    """The ablation profile that goes with a book profile: ``ablation`` for the book, else ``<profile>_ablation``."""
    return "ablation" if profile == "default" else f"{profile}_ablation"


def variant_deltas(agg: pd.DataFrame, metric: str = "test_auc") -> pd.DataFrame:
    """Each variant's mean metric minus the default settings' in the same dataset/model/budget."""
    default = agg[agg["variant"] == "default"].set_index(["dataset", "model", "budget"])[f"{metric}_mean"]
    out = agg.copy()
    out["delta"] = out[f"{metric}_mean"].to_numpy() - default.reindex(
        list(zip(out["dataset"], out["model"], out["budget"], strict=True))).to_numpy()
    return out


def _cell_label(frame: pd.DataFrame, models: int) -> pd.Series:
    """The column a cell goes to: 'movielens100k, b = 0.2' (and the model, when there are several)."""
    model = frame["model"] + ", " if models > 1 else ""
    return frame["dataset"] + ", " + model + "b = " + frame["budget"].map(lambda b: f"{b:g}")


def variants_table(verdicts: pd.DataFrame, agg: pd.DataFrame, seeds: int) -> BookTable:
    """Variants as rows, (dataset, budget) cells as columns: the default settings' test AUC first,
    then each variant's paired change against it with its interval and verdict mark."""
    models = agg["model"].nunique()
    default = agg[agg["variant"] == "default"].assign(variant=DEFAULT_ROW, change=lambda d: d["test_auc_mean"],
                                                      ci95=lambda d: d["test_auc_ci95"], verdict=None)
    long = pd.concat([default, verdicts], ignore_index=True)
    long["cell"] = _cell_label(long, models)
    order = long.sort_values(["dataset", "budget"], ascending=[True, False])["cell"]
    table = compact_table(long, index=["variant"], columns="cell", value="change", half="ci95", verdict="verdict",
                          order=list(dict.fromkeys(order)),
                          orders={"variant": [DEFAULT_ROW, *sorted(set(verdicts["variant"]))]}, best=None,
                          signed=lambda key: key[0] != DEFAULT_ROW,
                          note=f"First row: the default settings' mean test AUC over {seeds} seeds ± its 95% "
                               "half-width. Other rows: the variant's test AUC minus the default's, paired by seed; "
                               "▲ better, ▼ worse, · indistinguishable (paired t test, Holm-corrected across the "
                               "table, 5% level).")
    return table


def ablation_chapter(profile: str) -> Chapter:
    """The variants' paired changes against the default settings (figure and table), the fraction of
    parameters each kept, and the largest gain. Resumes the ablation profile's sweep first."""
    name = ablation_profile(profile)
    study = load_profile(name)
    results = sweep(study, progress=False).table
    rows = results.groupby("dataset")["rows"].first().to_dict()
    agg = aggregate(results, metrics=("test_auc", "test_logloss", "achieved_budget"), reference=study.search)
    agg = variant_deltas(agg[agg["method"] == "sseds"])
    ok = with_variant(results[results["status"] == "ok"], study.search)
    changes = paired_changes(ok[ok["method"] == "sseds"], {"variant": "default"}, CELL)
    verdicts = change_verdicts(changes, [*CELL, "variant"])
    variants = sorted(set(verdicts["variant"]))
    kept = agg.assign(cell=_cell_label(agg, agg["model"].nunique()))
    best = verdicts.sort_values("change").iloc[-1]
    return Chapter(
        header=f"profile {name}: {len(results)} runs, {int((results.status != 'ok').sum())} failed; "
               f"datasets {[d.name for d in study.datasets]}, model {list(study.models)}, "
               f"budgets {list(study.budgets)}, seeds {list(study.seeds)}",
        figures={"fig_ablation": plot_ablation(changes, rows=rows, profile=name, title="SSEDS variants")},
        tables={"variants": variants_table(verdicts, agg, len(study.seeds)),
                "kept": compact_table(kept.sort_values(["dataset", "budget"], ascending=[True, False]),
                                      index=["variant"], columns="cell", value="achieved_budget_mean", best=None,
                                      digits=3, orders={"variant": ["default", *variants]},
                                      note="Fraction of the full model's embedding parameters kept (mean over seeds).")},
        text={"best_variant": best["variant"], "best_variant_delta": f"{best['change']:+.4f}",
              "best_variant_ci": f"{best['ci95']:.4f}", "best_variant_verdict": best["verdict"],
              "best_variant_where": f"{best['dataset']} at budget {best['budget']:g}"},
    )
