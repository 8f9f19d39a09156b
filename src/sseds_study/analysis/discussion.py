"""The discussion chapter: why equal widths win on MovieLens, assembled from the book's own runs.

Three pieces of evidence are computed here; the others (the saliency's agreement with exact drop-column
importance, the share of harmful columns, the inherit signal) are chapter 3's and chapter 5's numbers,
pasted into the discussion by reference so that each is computed once.

* **Headroom.** With at least ``min_dim`` dimensions per field, the floor costs ``min_dim * sum(V_f)``
  parameters against a budget of ``b * D * sum(V_f)``: a share ``min_dim / (b D)`` of the budget that no
  allocation can move, whatever the vocabularies (``floor_share``).
* **Where the rest goes.** SSEDS's and uniform widths side by side per field, with each field's
  vocabulary and the parameters each method spends on it (``width_contrast``).
* **A targeted check.** The headline's SSEDS-against-uniform comparison repeated at D = 64, where the
  floor takes a quarter of the share it takes at D = 16 (profile ``why_d64``, role ``why``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data import display_name, load_dataset_from_config
from ..figures.discussion import plot_width_check
from ..statistics import paired_difference
from ..study import seed_data, sweep
from ..study.compare import holm_verdicts
from ..study.profile import StudyConfig, companion
from .chapter import Chapter
from .common import chapter_study, small_budgets, swept_widths
from .tables import number, plain_table


def percent(value: float) -> str:
    """A share as the book writes it, halves rounded up (0.3125 -> '31.3%', as chapters 1 and 3 print it)."""
    return f"{math.floor(value * 1000 + 0.5) / 10:.1f}%"


def floor_share(min_dim: int, budget: float, emb_dim: int) -> float:
    """The share of a budget ``budget`` (a fraction of the full ``emb_dim``-wide tables) that keeping
    ``min_dim`` dimensions in every field costs: ``min_dim * sum(V) / (budget * emb_dim * sum(V))``."""
    if not 0 < budget <= 1 or emb_dim < 1:
        raise ValueError(f"floor_share: expected 0 < budget <= 1 and emb_dim >= 1; got {budget}, {emb_dim}")
    return min_dim / (budget * emb_dim)


def width_contrast(results: pd.DataFrame, study: StudyConfig, fields: Sequence[str], vocab: Sequence[int], *,
                   dataset: str, model: str, budget: float) -> pd.DataFrame:
    """One row per field: its vocabulary, SSEDS's and uniform mean widths over seeds at ``budget``
    (``common.swept_widths``), and the embedding parameters SSEDS spends on the field beyond uniform's
    (the difference of the mean widths times the vocabulary; negative: fewer)."""
    widths = swept_widths(results, study, dataset, fields, [budget])
    widths = widths[widths["model"] == model].pivot(index="field", columns="method", values="width")
    frame = pd.DataFrame({"field": list(fields), "vocabulary": list(vocab)})
    for method in ("sseds", "uniform"):
        frame[method] = frame["field"].map(widths[method]) if method in widths else np.nan
    frame["extra"] = (frame["sseds"] - frame["uniform"]) * frame["vocabulary"]
    return frame


def width_check(tables: dict[int, pd.DataFrame], budgets: Sequence[float]) -> pd.DataFrame:
    """SSEDS minus uniform widths and minus the full model, paired by seed, per base width D (the
    keys of ``tables``), model and budget; Holm's adjustment across the SSEDS-minus-uniform cells of
    all widths together (one family: this check), the full-model differences unadjusted (context)."""
    rows = []
    for dim, table in sorted(tables.items()):
        ok = table[table["status"] == "ok"]
        for (dataset, model), cell in ok.groupby(["dataset", "model"], sort=False):
            full = cell[cell["method"] == "full"].set_index("seed")["test_auc"]
            for budget in budgets:
                at = cell[cell["budget"] == budget]
                sseds = at[at["method"] == "sseds"].set_index("seed")["test_auc"]
                uniform = at[at["method"] == "uniform"].set_index("seed")["test_auc"]
                seeds = sseds.index.intersection(uniform.index).intersection(full.index).sort_values()
                if len(seeds) < 2:
                    continue
                vs_uniform = paired_difference(sseds.loc[seeds].to_numpy(), uniform.loc[seeds].to_numpy())
                vs_full = paired_difference(sseds.loc[seeds].to_numpy(), full.loc[seeds].to_numpy())
                min_dim = int(at["search_min_dim"].iloc[0]) if "search_min_dim" in at else 1
                rows.append({"dataset": dataset, "D": dim, "model": model, "budget": budget, "n": vs_uniform.n,
                             "floor": floor_share(min_dim, budget, dim), "difference": vs_uniform.mean,
                             "ci95": vs_uniform.ci95, "p_t": vs_uniform.p_t, "vs_full": vs_full.mean,
                             "vs_full_ci95": vs_full.ci95})
    out = pd.DataFrame(rows)
    if not out.empty:
        holm_verdicts(out, "difference")
    return out


def _interval(mean: float, half: float) -> str:
    return f"{number(mean, signed=True)} ± {number(half)}"


def check_table(check: pd.DataFrame, note: str):
    shown = pd.DataFrame({
        "base model": check["model"], "D": check["D"], "budget b": check["budget"].map(lambda b: f"{b:g}"),
        "floor's share of the budget": check["floor"].map(percent), "seeds": check["n"],
        "SSEDS − uniform": [_interval(m, h) for m, h in zip(check["difference"], check["ci95"], strict=True)],
        "verdict": check["verdict"],
        "SSEDS − full": [_interval(m, h) for m, h in zip(check["vs_full"], check["vs_full_ci95"], strict=True)]})
    return plain_table(shown, keys=["base model"], note=note)


def contrast_table(contrasts: dict[str, pd.DataFrame], note: str):
    """One row per field: its vocabulary, then per base model SSEDS's and uniform mean widths and the
    parameters SSEDS spends on the field beyond uniform's."""
    first = next(iter(contrasts.values()))
    shown = pd.DataFrame({"field": first["field"], "vocabulary": first["vocabulary"]})
    for model, c in contrasts.items():
        shown[f"{model}: SSEDS width"] = c["sseds"].map(lambda v: f"{v:.1f}")
        shown[f"{model}: uniform width"] = c["uniform"].map(lambda v: f"{v:.1f}")
        shown[f"{model}: SSEDS − uniform, parameters"] = c["extra"].map(lambda v: f"{v:+,.0f}")
    return plain_table(shown, note=note)


def check_reading(better: int, worse: int, cells: int) -> str:
    """What the wider-base check says about the floor as the explanation, from its verdict counts."""
    if cells == 0:
        return "the check has no runs, so it says nothing about the floor"
    if better == 0:
        return ("a smaller floor did not let SSEDS pull ahead, so the floor alone does not explain why equal widths "
                "win here")
    if worse == 0 and better * 2 > cells:
        return "with a smaller floor SSEDS pulls ahead, so the floor is a large part of the explanation"
    return "the evidence is mixed: a smaller floor helps SSEDS in some cells and not in others"


def _load(study: StudyConfig) -> pd.DataFrame:
    return sweep(study, progress=False).table


def build_discussion(headline: StudyConfig, table16: pd.DataFrame, why: StudyConfig, table_why: pd.DataFrame,
                     fields: Sequence[str], vocab: Sequence[int]) -> Chapter:
    """The chapter from the headline profile's results, the targeted check's, and the headline
    dataset's fields and vocabularies."""
    budgets = small_budgets(headline.budgets)
    dataset = headline.datasets[0].name
    dim = headline.model.emb_dim
    min_dim = headline.search.min_dim
    chapter = Chapter(header=f"{display_name(dataset)}: {len(table16)} runs (D = {dim}); "
                             f"{len(table_why)} runs of the check (D = {why.model.emb_dim})")
    text = chapter.text
    text["dim"] = dim
    text["min_dim"] = min_dim
    for b in budgets:
        key = f"{b:g}".replace(".", "")
        text[f"floor_{key}"] = percent(floor_share(min_dim, b, dim))
        text[f"floor_{key}_why"] = percent(floor_share(min_dim, b, why.model.emb_dim))
    small = min(budgets)
    total = int(np.sum(vocab))
    text["sum_vocab"] = f"{total:,}"
    text["budget_params"] = f"{small * dim * total:,.0f}"
    text["free_params"] = f"{small * dim * total - min_dim * total:,.0f}"
    text["small_budget"] = f"{small:g}"
    order = np.argsort(vocab)[::-1]
    top3 = float(np.sum(np.sort(vocab)[::-1][:3]) / total)
    text["top3_fields"] = ", ".join(fields[i] for i in order[:3])
    text["top3_share"] = f"{top3:.0%}"

    contrasts = {}
    for model in headline.models:
        contrast = width_contrast(table16, headline, fields, vocab, dataset=dataset, model=model, budget=small)
        contrasts[model] = contrast
        gains = contrast.sort_values("extra", ascending=False)
        text[f"widths_{model}_gainers"] = ", ".join(
            f"{r.field} ({r.sseds:.1f} against {r.uniform:.1f})" for r in gains.head(3).itertuples() if r.extra > 0)
        text[f"widths_{model}_losers"] = ", ".join(
            f"{r.field} ({r.sseds:.1f} against {r.uniform:.1f})" for r in gains.tail(3).iloc[::-1].itertuples()
            if r.extra < 0)
    chapter.tables["widths"] = contrast_table(
        contrasts, f"{display_name(dataset)}, D = {dim}, budget {small:g}: mean width per field over the paired "
                   "seeds of the headline comparison, and the embedding parameters SSEDS spends on the field beyond "
                   "uniform widths (negative: fewer).")

    check = width_check({dim: table16[table16["method"].isin(["full", "sseds", "uniform"])],
                         why.model.emb_dim: table_why}, budgets)
    chapter.tables["check"] = check_table(
        check, f"{display_name(dataset)}: SSEDS minus uniform widths and minus the full model (test AUC), mean over "
               "paired seeds with its 95% interval; the verdict is the paired t test with Holm's adjustment across "
               "the SSEDS − uniform cells of this table.")
    chapter.figures["fig_width_check"] = plot_width_check(check)
    wide = check[check["D"] == why.model.emb_dim]
    counts = wide["verdict"].value_counts()
    text["why_dim"] = why.model.emb_dim
    text["why_seeds"] = int(wide["n"].max()) if not wide.empty else 0
    text["why_better"] = int(counts.get("better", 0))
    text["why_worse"] = int(counts.get("worse", 0))
    text["why_cells"] = len(wide)
    text["why_reading"] = check_reading(text["why_better"], text["why_worse"], len(wide))
    text["why_range"] = (f"{number(wide['difference'].min(), signed=True)} to "
                         f"{number(wide['difference'].max(), signed=True)}") if not wide.empty else "–"
    return chapter


def discussion_chapter(profile) -> Chapter:
    """The discussion from the book's headline profile and the targeted check (role ``why``)."""
    study = chapter_study(profile)
    headline = companion(study, "headline")
    why = companion(study, "why")
    data = headline.datasets[0]
    ds = load_dataset_from_config(seed_data(headline, data, headline.seeds[0]), progress=False)
    return build_discussion(headline, _load(headline), why, _load(why), list(ds.field_names),
                            [int(v) for v in ds.vocab_sizes])
