"""Baselines for SSEDS at the same embedding-parameter budget (docs/design.md, "Baselines and PEP").

Each returns either an ``Allocation`` directly (``full``, ``uniform``, ``frequency``) or an (F, D) score
matrix to be fed through ``allocate_dims`` (``random``, ``magnitude``), so every ranked method is
allocated by exactly the same greedy walk as SSEDS and is never over budget. ``oracle`` is a reference
rather than a baseline: the planted ranks of data with a known truth, at what they cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from ..config import BUDGET_UNITS
from ._checks import (
    SearchInputError,
    budget_limit,
    check_budget,
    check_choice,
    check_positive_int,
    check_vocab_sizes,
)
from .allocate import Allocation, allocate_dims

__all__ = [
    "frequency_allocation",
    "frequency_scores",
    "full_allocation",
    "magnitude_scores",
    "oracle_allocation",
    "oracle_widths",
    "random_scores",
    "uniform_allocation",
    "uniform_filled_allocation",
]


def _prefix_allocation(vocab_sizes: tuple[int, ...], emb_dim: int, width: int, budget: float, unit: str) -> Allocation:
    """Every field keeps columns 0..width-1."""
    kept = torch.zeros(len(vocab_sizes), emb_dim, dtype=torch.bool)
    kept[:, :width] = True
    base = sum(vocab_sizes) * emb_dim
    kept_params = sum(vocab_sizes) * width
    achieved = kept_params / base if unit == "params" else width / emb_dim
    return Allocation(
        emb_dims=(width,) * len(vocab_sizes),
        kept=kept,
        kept_params=kept_params,
        base_params=base,
        achieved_budget=achieved,
        budget=budget,
        budget_unit=unit,
    )


def full_allocation(vocab_sizes: Sequence[int], emb_dim: int) -> Allocation:
    """The reference: every field keeps all D columns (budget 1)."""
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    return _prefix_allocation(vocab_sizes, emb_dim, emb_dim, 1.0, "params")


def uniform_allocation(
    vocab_sizes: Sequence[int], emb_dim: int, budget: float, *, budget_unit: str = "params"
) -> Allocation:
    """Every field gets the same width d: the largest d with sum_f V_f * d within the budget.

    Strictly uniform: the budget left over below the next width is not handed out (that would make it
    a different, non-uniform baseline), so the achieved budget can sit below b; it is reported in the
    Allocation. Columns 0..d-1 are kept (the choice of columns only matters for ``init=inherit``,
    and a uniform baseline has no ranking to pick by). A budget too small for d = 1 is an error that
    names the smallest budget that works (1 / D), since a width-0 model has no embeddings at all.
    ``budget_unit="dims"``: d = floor(b * F * D) // F, the same count of kept pairs as ``allocate_dims``.
    """
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    b = check_budget(budget)
    check_choice("budget_unit", budget_unit, BUDGET_UNITS)
    if budget_unit == "params":
        width = budget_limit(b, sum(vocab_sizes) * emb_dim) // sum(vocab_sizes)
    else:
        width = budget_limit(b, len(vocab_sizes) * emb_dim) // len(vocab_sizes)
    width = min(width, emb_dim)
    if width == 0:
        raise SearchInputError(
            f"budget {b!r} is too small for a uniform width of 1 for every field; "
            f"use a budget of at least 1/{emb_dim} = {1 / emb_dim:.6g}"
        )
    return _prefix_allocation(vocab_sizes, emb_dim, width, b, budget_unit)


def uniform_filled_allocation(vocab_sizes: Sequence[int], emb_dim: int, budget: float) -> Allocation:
    """Widths as equal as the budget allows, spending it like the ranked methods do.

    Every field gets the largest equal width d (``uniform_allocation``); then the budget left is
    handed out level by level (water-filling): every field at width d that one more column still
    fits in gets d + 1, cheapest first (ties: lower field index); then every field at d + 1 gets
    d + 2, and so on up to D, until no field's next column fits. A field whose column did not fit at
    one level never fits later (the leftover only shrinks), so the walk ends with less left than the
    cheapest column of a field below D: the fraction spent is within that column of b, as the greedy
    walk of the ranked methods is. Stopping after one level (widths d or d + 1, this function before
    revision 1 of ``uniform``) can leave most of a large field's column unspent: on vocabularies of
    40 to 20,000 values at b = 0.1 it kept 12% fewer parameters than every other method.
    Kept columns are prefixes.
    """
    base = uniform_allocation(vocab_sizes, emb_dim, budget)
    vocab = check_vocab_sizes(vocab_sizes)
    limit = budget_limit(base.budget, sum(vocab) * emb_dim)
    widths = list(base.emb_dims)
    used = base.kept_params
    order = sorted(range(len(vocab)), key=lambda f: (vocab[f], f))
    for level in range(widths[0] + 1, emb_dim + 1):
        grew = False
        for f in order:
            if widths[f] == level - 1 and used + vocab[f] <= limit:
                widths[f] = level
                used += vocab[f]
                grew = True
        if not grew:
            break
    kept = torch.zeros(len(vocab), emb_dim, dtype=torch.bool)
    for f, w in enumerate(widths):
        kept[f, :w] = True
    return Allocation(
        emb_dims=tuple(widths),
        kept=kept,
        kept_params=used,
        base_params=base.base_params,
        achieved_budget=used / base.base_params,
        budget=base.budget,
        budget_unit="params",
    )


def random_scores(num_fields: int, emb_dim: int, seed: int) -> torch.Tensor:
    """Seeded random scores, float64 (F, D): a uniformly random ranking for ``allocate_dims``.

    Drawn from a private ``torch.Generator`` (the global RNG is untouched), so the same seed gives the
    same ranking on every machine and in any call order.
    """
    num_fields = check_positive_int("num_fields", num_fields)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise SearchInputError(f"seed: expected an integer; got {seed!r}")
    generator = torch.Generator().manual_seed(int(seed))
    return torch.rand(num_fields, emb_dim, generator=generator, dtype=torch.float64)


def magnitude_scores(weights: Sequence[torch.Tensor], *, normalize: bool = True) -> torch.Tensor:
    """Column magnitudes of the pretrained tables, float64 (F, D), for ``allocate_dims``.

    weights: per field the pretrained table W_f, (V_f, D); all with the same D.
    normalize=True (default): the root-mean-square of column j, ||W_f[:, j]||_2 / sqrt(V_f). The raw
    L2 norm grows like sqrt(V_f) for entries of the same size, so ranking by it would favour large
    fields just for being large (and they are also the expensive ones under a parameter budget); the
    RMS is a per-entry magnitude, comparable across fields, which is what magnitude pruning ranks.
    normalize=False gives the raw column norms.
    """
    tables = list(weights)
    if not tables:
        raise SearchInputError("weights: expected one (V_f, D) table per field; got none")
    emb_dim = None
    rows = []
    for f, w in enumerate(tables):
        w = torch.as_tensor(w).detach().to("cpu", torch.float64)
        if w.dim() != 2 or w.shape[0] < 1:
            raise SearchInputError(f"weights[{f}]: expected a (V_f, D) table; got shape {tuple(w.shape)}")
        if emb_dim is None:
            emb_dim = w.shape[1]
        elif w.shape[1] != emb_dim:
            raise SearchInputError(f"weights[{f}]: width {w.shape[1]} differs from weights[0]'s width {emb_dim}")
        if not bool(torch.isfinite(w).all()):
            raise SearchInputError(f"weights[{f}]: contains non-finite values")
        norms = torch.linalg.vector_norm(w, dim=0)  # (D,)
        rows.append(norms / w.shape[0] ** 0.5 if normalize else norms)
    return torch.stack(rows)


def frequency_scores(
    counts: Sequence[np.ndarray], vocab_sizes: Sequence[int], emb_dim: int, *, alpha: float = 0.3
) -> torch.Tensor:
    """Scores whose greedy allocation follows the power law d_f ~ p_f ** alpha, float64 (F, D).

    Popularity p_f = (sum of field f's value counts) / V_f, the mean count per value (row). For a
    single-valued field every example counts once, so p_f = N / V_f and d_f ~ V_f ** -alpha: exactly
    the rule of Ginart et al. (mixed-dimension embeddings; DLRM's ``md_solver`` with temperature
    alpha) where a row of a small table is looked up often and earns more dimensions. Multi-valued
    fields count every value, so a field used more per example earns more.

    Score of column j (0-based) of field f: p_f ** alpha / (j + 1). Adding columns in descending score
    order is raising lambda in d_f = floor(lambda * p_f ** alpha) step by step (column j + 1 enters when
    lambda >= (j + 1) / p_f ** alpha), so the greedy walk scales the widths to fit the budget. A field
    whose values never occur has p_f = 0 and scores 0: it comes last.
    """
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha <= 0:
        raise SearchInputError(f"alpha: expected a positive temperature; got {alpha!r}")
    counts = list(counts)
    if len(counts) != len(vocab_sizes):
        raise SearchInputError(f"counts: expected one array per field ({len(vocab_sizes)}); got {len(counts)}")
    popularity = np.empty(len(vocab_sizes), dtype=np.float64)
    for f, (c, v) in enumerate(zip(counts, vocab_sizes, strict=True)):
        c = np.asarray(c.detach().cpu().numpy() if isinstance(c, torch.Tensor) else c, dtype=np.float64)
        if c.shape != (v,):
            raise SearchInputError(f"counts[{f}]: expected one count per value, shape ({v},); got {c.shape}")
        if not np.all(np.isfinite(c)) or np.any(c < 0):
            raise SearchInputError(f"counts[{f}]: expected finite non-negative counts")
        popularity[f] = c.sum() / v
    weight = popularity**alpha  # (F,)
    return torch.from_numpy(weight[:, None] / np.arange(1, emb_dim + 1, dtype=np.float64)[None, :])


def frequency_allocation(
    counts: Sequence[np.ndarray],
    vocab_sizes: Sequence[int],
    emb_dim: int,
    budget: float,
    *,
    alpha: float = 0.3,
    min_dim: int = 0,
) -> Allocation:
    """Popularity-based widths (Ginart et al.'s power law, see ``frequency_scores``) at the budget.

    counts: per field, how often each value id occurs in the training data, shape (V_f,).
    alpha: the temperature (0.3 is DLRM's default ``md_temperature``). Kept columns are prefixes.
    Goes through ``allocate_dims``, so a column that no longer fits is skipped and the leftover budget
    goes to the next columns of the power-law order that still fit: deterministic, never over budget,
    and allocated by the same walk as SSEDS.
    """
    scores = frequency_scores(counts, vocab_sizes, emb_dim, alpha=alpha)
    return allocate_dims(scores, vocab_sizes, budget, min_dim=min_dim)


def oracle_widths(ranks: Sequence[int], vocab_sizes: Sequence[int], emb_dim: int,
                  budget: float | None = None) -> tuple[int, ...]:
    """The widths a data set with a planted truth calls for: each field's planted rank r_f, capped at D.

    budget None: the planted ranks at whatever they cost. A budget b (unit: parameters) that the
    planted ranks exceed scales them down together, d_f = floor(c * r_f) with the largest c in (0, 1]
    that fits; a budget they fit is not spent on more (a width above r_f gains nothing by
    construction). A budget too small for even one column of the cheapest planted field is an error.
    """
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    ranks = [int(r) for r in ranks]
    if len(ranks) != len(vocab_sizes) or any(r < 0 for r in ranks):
        raise SearchInputError(f"ranks: expected {len(vocab_sizes)} non-negative integers; got {ranks!r}")
    widths = [min(r, emb_dim) for r in ranks]
    if budget is None:
        return tuple(widths)
    limit = budget_limit(check_budget(budget), sum(vocab_sizes) * emb_dim)

    def cost(ws):
        return sum(v * w for v, w in zip(vocab_sizes, ws, strict=True))

    # floor(c * r_f) only changes where c = k / r_f: walk those steps down from c = 1.
    steps = sorted({k / r for r in widths if r > 0 for k in range(1, r + 1)}, reverse=True)
    for c in steps:
        scaled = [math.floor(c * r + 1e-9) for r in widths]
        if cost(scaled) <= limit:
            return tuple(scaled)
    raise SearchInputError(f"budget {budget!r} is too small for one column of any field with a planted rank")


def oracle_allocation(ranks: Sequence[int], vocab_sizes: Sequence[int], emb_dim: int,
                      budget: float | None = None) -> Allocation:
    """``oracle_widths`` as an Allocation (columns 0..d_f-1 kept). Its budget is ``budget``, or 1.0 when
    None: the planted ranks never cost more than the full model, and ``achieved_budget`` says what
    they do cost."""
    widths = oracle_widths(ranks, vocab_sizes, emb_dim, budget)
    vocab_sizes = check_vocab_sizes(vocab_sizes)
    kept = torch.zeros(len(widths), emb_dim, dtype=torch.bool)
    for f, w in enumerate(widths):
        kept[f, :w] = True
    base = sum(vocab_sizes) * emb_dim
    kept_params = sum(v * w for v, w in zip(vocab_sizes, widths, strict=True))
    return Allocation(emb_dims=widths, kept=kept, kept_params=kept_params, base_params=base,
                      achieved_budget=kept_params / base, budget=1.0 if budget is None else float(budget))
