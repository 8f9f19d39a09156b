"""Chapter 03's side-by-side widths: per field of the main dataset, the width SSEDS and uniform gave it
in the sweep (mean over seeds) at the small budgets, beside the field's vocabulary and the rank of its
exact drop-column importance; and the share of a budget that the one-dimension floor takes. The
discussion of why SSEDS does not beat equal widths reads this table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..study.profile import StudyConfig
from .common import small_budgets

COMPARED = ("sseds", "uniform")
WIDTH_MODELS = ("FM", "DeepFM")  # the models the table shows when the profile has them


def importance_ranks(negative: pd.DataFrame) -> pd.Series:
    """Per (model, field): the rank of the field's exact importance (the summed loss change of its
    columns, mean over seeds) among the model's fields, 1 the most important."""
    mean = negative.groupby(["model", "field"], sort=False)["importance"].mean()
    return mean.groupby(level="model", group_keys=False).rank(ascending=False, method="min").astype(int)


def _width_text(w: float) -> str:
    return "–" if w != w else (f"{w:.0f}" if abs(w - round(w)) < 1e-9 else f"{w:.1f}")


def width_comparison(widths: pd.DataFrame, vocab: Sequence[int], fields: Sequence[str],
                     ranks: pd.Series | None, budgets: Sequence[float],
                     models: Sequence[str] = WIDTH_MODELS) -> pd.DataFrame:
    """Rows: model and field; columns: vocabulary size, exact-importance rank, then per budget (largest
    first) the SSEDS and the uniform width, as text."""
    shown = [m for m in models if m in set(widths["model"])] or list(dict.fromkeys(widths["model"]))
    at = widths.set_index(["model", "method", "budget", "field"])["width"]
    rows = []
    for model in shown:
        for field, v in zip(fields, vocab, strict=True):
            row = {"model": model, "field": field, "vocabulary size": f"{int(v):,}",
                   "exact rank": "–" if ranks is None or (model, field) not in ranks.index
                   else f"{int(ranks[(model, field)])}"}
            for b in sorted(budgets, reverse=True):
                for method in COMPARED:
                    row[f"{'SSEDS' if method == 'sseds' else method}, b = {b:g}"] = _width_text(
                        at.get((model, method, b, field), np.nan))
            rows.append(row)
    return pd.DataFrame(rows)


def floor_share(budget: float, emb_dim: int) -> float:
    """The share of a budget b the one-dimension floor takes: sum V_f / (b D sum V_f) = 1 / (b D)."""
    return 1.0 / (budget * emb_dim)


def width_text(widths: pd.DataFrame, study: StudyConfig) -> dict[str, str]:
    """The floor's share of each small budget, and the budgets the table shows."""
    budgets = small_budgets(study.budgets)
    text = {"floor_share": "; ".join(f"{floor_share(b, study.model.emb_dim):.1%} at b = {b:g}" for b in budgets),
            "width_budgets": " and ".join(f"{b:g}" for b in budgets),
            "width_models": " and ".join(m for m in WIDTH_MODELS if m in set(widths["model"]))
            or " and ".join(dict.fromkeys(widths["model"]))}
    return text
