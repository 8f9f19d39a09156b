"""The landing page: the findings first, from the same evidence as the claims chapter.

Everything on the page that is a result comes from ``claims_verdicts.book_evidence``, the one
computation of every claim's verdict, so the landing page, chapter 4, chapter 7 and the conclusion
cannot disagree: the claims table with each verdict's scope, the headline counts of claim (c), the
range of SSEDS's loss against the full model (claim (a)), the Holm family, and the smallest difference
each number of seeds can detect (the statistics box). The pipeline figure is the README's drawing
(``figures.pipeline``), laid out for the text column.
"""

from __future__ import annotations

import os

import pandas as pd

from ..data import display_name
from ..figures.pipeline import plot_pipeline
from ..study.profile import StudyConfig
from .chapter import Chapter
from .claims import overview_table
from .claims_power import power_text
from .claims_verdicts import Evidence, book_evidence
from .common import chapter_study
from .tables import number


def headline_counts(summary: pd.DataFrame) -> dict[str, str]:
    """Claim (c)'s family over every dataset: how SSEDS relates to the simple allocations
    (``headline_relation``: 'never better than' when no cell is better), the number of cells and the
    verdict counts ('worse in 4 and indistinguishable in 20')."""
    if summary.empty:
        return {"headline_relation": "not compared with", "headline_cells": "0", "headline_counts": "none"}
    totals = {v: int(summary[v].sum()) for v in ("better", "worse", "indistinguishable")}
    cells = int(summary["cells"].sum())
    parts = [f"{v} in {n}" for v, n in totals.items() if n]
    relation = "never better than" if totals["better"] == 0 else f"better in {totals['better']} of {cells} cells than"
    return {"headline_relation": relation, "headline_cells": f"{cells}",
            "headline_counts": " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]}


def loss_range(cells: pd.DataFrame) -> str:
    """The range of SSEDS's mean difference from the full model over claim (a)'s cells."""
    values = [v for v in cells.get("difference", pd.Series(dtype=float)) if v == v]
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return f"{number(lo, signed=True)} to {number(hi, signed=True)}"


def mdd_list(mdd: pd.DataFrame) -> str:
    """'0.0520 with 2 seeds, ..., 0.0034 with 10' from the pooled column of the detectable-difference table."""
    rows = [f"{r.pooled:.4f} AUC with {r.seeds} seeds" for r in mdd.itertuples() if r.pooled == r.pooled]
    return "; ".join(rows) or "–"


def build_summary(study: StudyConfig, ev: Evidence) -> Chapter:
    """The page's glued values, its claims table and its figure, from the claims' evidence."""
    names = dict.fromkeys(item.study.name for item in ev.loaded.values())
    chapter = Chapter(header=f"profile {study.name}, reading {', '.join(names)}")
    text = chapter.text
    chapter.tables["claims"] = overview_table(ev.verdicts)
    text |= headline_counts(ev.c_summary)
    text["loss_range"] = loss_range(ev.a)
    text["margin"] = f"{ev.margin:g}"
    family = ev.verdicts.set_index("claim")["family"].get("(c)", "")
    text["holm_family"] = family or "stated in chapter 4"
    text |= power_text(ev.noise, ev.mdd)
    text["mdd_list"] = mdd_list(ev.mdd)
    dataset = display_name(ev.noise["dataset"].iloc[0]) if not ev.noise.empty else "–"
    text["mdd_source"] = (f"{text['mdd_cells']} cells of SSEDS against the full model and the simple allocations "
                          f"on {dataset}, pooled standard deviation {text['mdd_sd']}")
    chapter.figures["fig_pipeline"] = plot_pipeline()
    return chapter


def summary_page(profile: str | os.PathLike | StudyConfig) -> Chapter:
    """The landing page of the book's profile (and its companions, as chapter 7 reads them)."""
    study = chapter_study(profile)
    return build_summary(study, book_evidence(study))
