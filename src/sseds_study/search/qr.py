"""How many collisions each field's quotient-remainder (QR) embedding takes so that the embedding
parameters fit a budget (the embedding itself: ``models.qr``).

Notation as in ``allocate``: F fields, base width D, field f has V_f rows; the base model keeps
``base_params = sum_f V_f * D`` embedding parameters and a budget b allows at most
``budget_limit(b, base_params)`` of them. QR keeps every field at width D; field f with k_f collisions
has ``qr_rows(V_f, k_f) = ceil(V_f / k_f) + k_f`` rows (V_f when k_f == 1), so the budget allows
``R = limit // D`` rows in all.

The rows a field can take. ceil(V/k) + k falls while k grows up to about sqrt(V) and rises after, so a
field has its fewest rows at k*(V), the smallest k that minimises it (about 2 sqrt(V) rows). The rule
only uses k in 1..k*: past k* a larger k adds rows back as remainder rows, where a smaller k would
spend them on quotient rows (fewer values per quotient row). Of several k with the same rows the
smallest is taken, and a k whose rows are not below every smaller k's is skipped; what remains is the
field's "frontier": row counts strictly falling as k rises. Fields of 5 values or fewer cannot shrink (ceil(V/2) + 2 >= V) and stay
plain. ``min_qr_budget`` is the fraction with every field at its fewest rows; below it
``qr_allocation`` raises.

The rule (deterministic):

1. Common ratio. For a ratio t, every field takes the most rows on its frontier that are at most
   t * V_f (its fewest rows if none is): each field shrinks by about the same factor, the per-field
   form of the paper's one collision count for every large table. The total is non-decreasing in t;
   t is the largest of the candidate ratios {0} U {r / V_f : r on f's frontier} (exact fractions, no
   float ties) whose total fits R, found by bisection.
2. Fill-up. While some field can move to a smaller k (more rows) within the rows left, the move that
   adds the most rows is made (ties: the lower field index). It stops when no single move fits.

Why this rule. The first rule tried, "shrink the field with the most rows to its next k until the
total fits", caps every large field at a common row count and overshoots downwards by a whole step of
the last field it shrank, and the early steps are large (k = 1 -> 2 halves a table). On the
MovieLens-100K-like vocabulary (943, 1682, 2, 7, 21, 795, 19) it reached 0.4287, 0.2816, 0.1917 and
0.0997 at budgets 0.5, 0.3, 0.2 and 0.1 (with the same fill-up); the common-ratio rule reaches 0.4710,
0.2998, 0.1998 and 0.0997, and an exhaustive search over all frontier combinations 0.4999, 0.2998,
0.1998 and 0.0997. On an 8-field vocabulary shaped like the study's MovieLens-100K encoding
(944, 1683, 62, 3, 22, 796, 34, 20: 3,564 rows; the age and release-year sizes are stand-ins) it
reaches 0.4997, 0.2999, 0.1998 and 0.0999 (exhaustive: 0.5, 0.2999, 0.1998, 0.0999; shrink-largest:
0.4430, 0.2848, 0.1953, 0.0999). The gaps left come from QR itself: near a budget of 1/2 a large field
can only be plain (k=1), halved (k=2) or cut to a third (k=3), so few totals are reachable; the best
combination may be lopsided (one table cut hard, another left plain), and the rule keeps the balanced
shape instead of searching for it.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch

from ._checks import SearchInputError, budget_limit, check_budget, check_positive_int, check_vocab_sizes

__all__ = ["QRAllocation", "min_qr_budget", "qr_allocation", "qr_frontier", "qr_rows", "qr_table_bytes"]


@dataclass(frozen=True, eq=False)
class QRAllocation:
    """Collisions per field for QR embeddings at full width under a parameter budget.

    collisions: k_f per field (1 = plain table). rows: qr_rows(V_f, k_f) per field.
    field_params: rows_f * D per field. emb_dims: D for every field (QR keeps full width).
    kept: bool (F, D), all True (every column exists), for code that reads an allocation's mask.
    kept_params: sum_f rows_f * D.  base_params: sum_f V_f * D.
    achieved_budget: kept_params / base_params, never above ``budget``.
    budget, budget_unit: what was asked for (the unit is always "params").
    """

    collisions: tuple[int, ...]
    rows: tuple[int, ...]
    field_params: tuple[int, ...]
    emb_dims: tuple[int, ...]
    kept: torch.Tensor
    kept_params: int
    base_params: int
    achieved_budget: float
    budget: float = 1.0
    budget_unit: str = "params"

    def to_dict(self) -> dict:
        """A JSON-serialisable summary for result rows."""
        return {
            "collisions": list(self.collisions),
            "rows": list(self.rows),
            "field_params": list(self.field_params),
            "emb_dims": list(self.emb_dims),
            "kept_params": self.kept_params,
            "base_params": self.base_params,
            "achieved_budget": self.achieved_budget,
            "budget": self.budget,
            "budget_unit": self.budget_unit,
        }

    def _key(self) -> tuple:
        return (self.collisions, self.rows, self.field_params, self.emb_dims, tuple(self.kept.shape),
                self.kept_params, self.base_params, self.achieved_budget, self.budget, self.budget_unit)

    # A tensor field makes the generated __eq__ ambiguous; compare by value instead (``kept`` is all
    # True by construction, so its shape is its value).
    def __eq__(self, other):
        if not isinstance(other, QRAllocation):
            return NotImplemented
        return self._key() == other._key() and bool(torch.equal(self.kept, other.kept))

    def __hash__(self):
        return hash(self._key())


def _rows(vocab: int, k: int) -> int:
    return vocab if k == 1 else -(-vocab // k) + k


def qr_rows(vocab_size: int, collisions: int) -> int:
    """Rows of a field of ``vocab_size`` values with ``collisions`` k: ceil(V/k) + k for k > 1, V for k == 1."""
    vocab = check_vocab_sizes([vocab_size])[0]
    k = check_positive_int("collisions", collisions)
    return _rows(vocab, k)


def qr_frontier(vocab_size: int) -> tuple[tuple[int, int], ...]:
    """The (rows, k) a field can take, rows strictly falling: k = 1 first (V rows), then each k up to
    k*(V) whose rows are below every smaller k's; the last entry is the field's fewest rows."""
    vocab = check_vocab_sizes([vocab_size])[0]
    return _frontier(vocab)


def _frontier(vocab: int) -> tuple[tuple[int, int], ...]:
    # For k > 2 sqrt(V) + 2, rows > k exceeds rows(ceil(sqrt V)) <= 2 sqrt(V) + 2: the minimum lies below.
    ks = np.arange(1, 2 * math.isqrt(vocab) + 4, dtype=np.int64)
    rows = np.where(ks == 1, vocab, -(-vocab // ks) + ks)
    kstar = int(np.argmin(rows)) + 1  # argmin takes the first: the smallest k at the fewest rows
    out, best = [], None
    for k in range(1, kstar + 1):
        r = int(rows[k - 1])
        if best is None or r < best:
            out.append((r, k))
            best = r
    return tuple(out)


def _min_rows(vocab_sizes: Sequence[int]) -> int:
    return sum(_frontier(v)[-1][0] for v in vocab_sizes)


def min_qr_budget(vocab_sizes: Sequence[int], emb_dim: int) -> float:
    """The smallest budget at which ``qr_allocation`` succeeds: every field at its fewest rows.

    sum_f min_rows_f / sum_f V_f, raised to the next float where the rounding of ``budget_limit``
    would otherwise leave it one parameter short, so ``qr_allocation(v, D, min_qr_budget(v, D))``
    always succeeds.
    """
    vocab = check_vocab_sizes(vocab_sizes)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    need, base = _min_rows(vocab) * emb_dim, sum(vocab) * emb_dim
    b = need / base
    while budget_limit(b, base) < need:
        b = math.nextafter(b, math.inf)
    return b


def qr_allocation(vocab_sizes: Sequence[int], emb_dim: int, budget: float) -> QRAllocation:
    """Collisions per field such that the QR tables' parameters fit ``budget`` (the module docstring
    gives the rule). Raises SearchInputError naming ``min_qr_budget`` when the budget is below it."""
    vocab = check_vocab_sizes(vocab_sizes)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    b = check_budget(budget)
    base = sum(vocab) * emb_dim
    limit_rows = budget_limit(b, base) // emb_dim
    fronts = [_frontier(v) for v in vocab]
    asc = [[r for r, _ in reversed(fr)] for fr in fronts]  # rows ascending, for bisection
    if sum(a[0] for a in asc) > limit_rows:
        minimum = min_qr_budget(vocab, emb_dim)
        raise SearchInputError(
            f"budget {b!r}: QR embeddings at width D={emb_dim} need at least {_min_rows(vocab)} of "
            f"{sum(vocab)} rows (every field at its fewest rows, k about sqrt(V)); use a budget of at "
            f"least min_qr_budget = {minimum:.6g}"
        )

    def pick(t: Fraction) -> list[int]:
        """Per field, the index in ``asc`` of the most rows <= t * V_f (0, its fewest, if none)."""
        return [max(bisect_right(a, t.numerator * v // t.denominator) - 1, 0)
                for a, v in zip(asc, vocab, strict=True)]

    def total(choice: list[int]) -> int:
        return sum(a[i] for a, i in zip(asc, choice, strict=True))

    # 1. the largest common ratio whose picks fit (total is non-decreasing in t)
    ratios = sorted({Fraction(0)} | {Fraction(r, v) for a, v in zip(asc, vocab, strict=True) for r in a})
    lo, hi = 0, len(ratios) - 1  # total(pick(ratios[0] = 0)) fits (checked above)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if total(pick(ratios[mid])) <= limit_rows:
            lo = mid
        else:
            hi = mid - 1
    choice = pick(ratios[lo])

    # 2. fill-up: the single move to more rows that adds the most and fits, until none fits
    used = total(choice)
    while True:
        slack, best = limit_rows - used, None
        for f, a in enumerate(asc):
            i = bisect_right(a, a[choice[f]] + slack) - 1  # the most rows that fit
            gain = a[i] - a[choice[f]]
            if gain > 0 and (best is None or gain > best[0]):
                best = (gain, f, i)
        if best is None:
            break
        gain, f, i = best
        choice[f], used = i, used + gain

    by_rows = [dict(fr) for fr in fronts]
    rows = tuple(a[i] for a, i in zip(asc, choice, strict=True))
    collisions = tuple(m[r] for m, r in zip(by_rows, rows, strict=True))
    field_params = tuple(r * emb_dim for r in rows)
    kept_params = sum(field_params)
    return QRAllocation(
        collisions=collisions,
        rows=rows,
        field_params=field_params,
        emb_dims=(emb_dim,) * len(vocab),
        kept=torch.ones(len(vocab), emb_dim, dtype=torch.bool),
        kept_params=kept_params,
        base_params=base,
        achieved_budget=kept_params / base,
        budget=b,
    )


def qr_table_bytes(vocab_sizes: Sequence[int], collisions: Sequence[int], emb_dim: int,
                   value_bytes: int = 4) -> int:
    """Bytes a server holds for QR tables: sum_f qr_rows(V_f, k_f) * D * value_bytes (no index: the
    quotient and remainder are computed from the id)."""
    vocab = check_vocab_sizes(vocab_sizes)
    ks = list(collisions)
    if len(ks) != len(vocab):
        raise SearchInputError(f"collisions: expected {len(vocab)} values (one per field); got {len(ks)}")
    emb_dim = check_positive_int("emb_dim", emb_dim)
    value_bytes = check_positive_int("value_bytes", value_bytes)
    return sum(qr_rows(v, k) for v, k in zip(vocab, ks, strict=True)) * emb_dim * value_bytes
