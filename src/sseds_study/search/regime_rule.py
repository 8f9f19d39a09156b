"""The regime rule: will a width search pay on *this* data? (issue 25, chapter 10's regime map)

The regime map compares SSEDS with equal (uniform) widths at the same parameter budget over many
synthetic settings (dataset ``regime``) and fits a small linear model of the gain, SSEDS test AUC
minus uniform's, on quantities a user can measure on their own data before choosing. ``sseds search``
prints that model's prediction as one line (``RegimeRule.recommend(...).line()``).

The inputs (``regime_inputs``), each measurable on any dataset with one pretrained full-width model:

* ``importance_gini``: the Gini coefficient of the fields' importance shares. A field's importance is
  the sum over its D dimensions of the absolute gate-gradient saliency of the pretrained full model
  (estimator ``mean_abs`` on training batches, as SSEDS scores them; ``field_importance``). 0: every
  field equally important; (F - 1) / F: one field has all of it.
* ``largest_row_share``: the largest field's vocabulary over the total vocabulary (the share of the
  embedding rows in the largest field; vocabularies count the out-of-vocabulary row, as ``V_f`` does).
* ``log10_rows_per_row``: log10 of training rows over the total vocabulary (how often an embedding
  row is seen per epoch, on average).
* ``size_importance_rho``: Spearman correlation between the fields' vocabulary sizes and their
  importance (ties get average ranks; 0 when either is constant). Negative: the large fields matter
  little, where a width search can save the most.
* ``floor_share``: the share of the budget that the ``min_dim`` = 1 floor spends before any ranking
  can choose: one column of every field costs sum_f V_f, the budget b * D * sum_f V_f, so
  1 / (b * D), clipped to [0, 1]. D and b enter the rule through it alone.

This module holds the arithmetic and the rule's JSON file (``regime_rule.json`` beside it, shipped
as package data; ``SSEDS_REGIME_RULE`` names another): it is the one module of ``search/`` that reads
and writes a file, because the fitted rule is data the package ships, not a study result.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataFormatError
from ..fileio import atomic_write_text, read_text
from ._checks import SearchInputError, check_budget, check_positive_int, check_vocab_sizes

__all__ = [
    "FEATURES",
    "Recommendation",
    "RegimeRule",
    "field_importance",
    "fit_rule",
    "gini",
    "leave_out_check",
    "load_rule",
    "regime_inputs",
    "rule_path",
    "spearman",
]

# The rule's features, in the order of its coefficients: the fit and the predictor read this one tuple.
FEATURES = ("importance_gini", "largest_row_share", "log10_rows_per_row", "size_importance_rho", "floor_share")
# What regime_inputs returns: the features plus D and b, kept for the line (they enter through floor_share).
INPUTS = (*FEATURES, "emb_dim", "budget")
# A predicted gain within +-DEFAULT_MARGIN AUC of zero is "either": the regime map's cells differ by
# less than seed noise there, so the rule should not pretend to call them.
DEFAULT_MARGIN = 0.001
# Ridge penalty on the standardised coefficients, per unit of total weight: small, only to keep the
# fit defined when two features move together across the synthetic settings (they are designed apart).
DEFAULT_RIDGE = 1e-3
VERDICTS = ("search", "uniform", "either")
RULE_ENV = "SSEDS_REGIME_RULE"
RULE_FORMAT = "sseds-regime-rule"
RULE_VERSION = 1
# How to fit the rule where it is missing (the Makefile target that runs the regime sweep and the fit).
FIT_HINT = "make regime-rule"


# -- the inputs ----------------------------------------------------------------------------------------
def field_importance(scores) -> np.ndarray:
    """Per-field importance of an (F, D) saliency matrix: sum over dimensions of |score| (float64, F)."""
    s = np.abs(np.asarray(scores.detach().cpu() if hasattr(scores, "detach") else scores, dtype=np.float64))
    if s.ndim != 2:
        raise SearchInputError(f"scores: expected an (F, D) matrix; got shape {s.shape}")
    return s.sum(axis=1)


def gini(values) -> float:
    """Gini coefficient of non-negative values' shares, by the standard formula on sorted shares:
    G = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n (x ascending, i from 1). 0 for equal values, (n - 1) / n
    when one value has everything."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n, total = len(x), float(x.sum())
    if n == 0 or total <= 0:
        raise SearchInputError("gini: expected at least one value and a positive total")
    return float(2.0 * np.dot(np.arange(1, n + 1), x) / (n * total) - (n + 1) / n)


def spearman(a, b) -> float:
    """Spearman rank correlation (average ranks for ties); 0 when either side is constant, since a
    constant has no order to agree with."""
    from scipy.stats import rankdata

    ra, rb = rankdata(a), rankdata(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = math.sqrt(float(np.dot(ra, ra)) * float(np.dot(rb, rb)))
    return float(np.dot(ra, rb) / denom) if denom > 0 else 0.0


def _check_importance(field_importance, fields: int) -> np.ndarray:
    try:
        x = np.asarray(field_importance, dtype=np.float64)
    except (TypeError, ValueError):
        raise SearchInputError(f"field_importance: expected numbers; got {field_importance!r}") from None
    if x.ndim != 1 or len(x) != fields:
        raise SearchInputError(f"field_importance: expected {fields} values, one per field (as vocab_sizes); "
                               f"got shape {x.shape}")
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise SearchInputError("field_importance: expected finite non-negative values (sums of |saliency|); "
                               f"got {x.tolist()}")
    if x.sum() <= 0:
        raise SearchInputError("field_importance: every field's importance is 0; no shares to compare")
    return x


def regime_inputs(field_importance, vocab_sizes, train_rows: int, emb_dim: int, budget: float) -> dict:
    """The rule's inputs for one dataset, base width and budget (the module docstring says how each is
    measured). field_importance: one non-negative number per field (``field_importance(scores)``);
    vocab_sizes: the fields' table rows; train_rows: rows of the training split."""
    vocab = np.asarray(check_vocab_sizes(vocab_sizes), dtype=np.float64)
    importance = _check_importance(field_importance, len(vocab))
    train_rows = check_positive_int("train_rows", train_rows)
    emb_dim = check_positive_int("emb_dim", emb_dim)
    budget = check_budget(budget)
    total = float(vocab.sum())
    return {
        "importance_gini": gini(importance),
        "largest_row_share": float(vocab.max() / total),
        "log10_rows_per_row": math.log10(train_rows / total),
        "size_importance_rho": spearman(vocab, importance),
        "floor_share": min(1.0, max(0.0, 1.0 / (budget * emb_dim))),
        "emb_dim": emb_dim,
        "budget": budget,
    }


# -- the rule ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegimeRule:
    """A fitted linear rule: predicted gain = intercept + sum_k coefs[k] (x_k - means[k]) / scales[k].

    ranges: (min, max) of each feature over the fitted cells (a prediction outside them extrapolates).
    residual_sd: weighted root mean square of the fit's residuals. n_cells: cells fitted.
    provenance: free-form, filled by the caller (profiles, commit, settings, held-out accuracy).
    """

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    coefs: tuple[float, ...]
    intercept: float
    ranges: tuple[tuple[float, float], ...]
    residual_sd: float
    n_cells: int
    margin: float = DEFAULT_MARGIN
    ridge: float = DEFAULT_RIDGE
    target: str = "gain"
    provenance: dict = field(default_factory=dict, compare=False)

    def _vector(self, inputs: Mapping) -> np.ndarray:
        missing = [f for f in self.features if f not in inputs]
        if missing:
            raise SearchInputError(f"regime rule: inputs lack {', '.join(missing)} (see regime_inputs)")
        x = np.array([float(inputs[f]) for f in self.features])
        if not np.all(np.isfinite(x)):
            raise SearchInputError(f"regime rule: expected finite inputs; got {dict(zip(self.features, x.tolist(), strict=True))}")
        return x

    def predict(self, inputs: Mapping) -> float:
        """The predicted gain (SSEDS minus uniform test AUC) for one dataset's ``regime_inputs``."""
        z = (self._vector(inputs) - np.array(self.means)) / np.array(self.scales)
        return float(self.intercept + np.dot(np.array(self.coefs), z))

    def outside(self, inputs: Mapping) -> tuple[str, ...]:
        """The features of ``inputs`` outside the range seen in the fit."""
        x = self._vector(inputs)
        return tuple(f for f, v, (lo, hi) in zip(self.features, x, self.ranges, strict=True) if not lo <= v <= hi)

    def recommend(self, inputs: Mapping) -> Recommendation:
        predicted = self.predict(inputs)
        verdict = "search" if predicted >= self.margin else "uniform" if predicted <= -self.margin else "either"
        return Recommendation(predicted, verdict, self.margin, dict(inputs), self.outside(inputs),
                              dict(zip(self.features, self.ranges, strict=True)), self._fitted_on() + self._held_out())

    def _fitted_on(self) -> str:
        """What the rule was fitted on, for its line: the synthetic settings of the fit (provenance's
        ``fit_settings``, else ``settings``), else its cells."""
        settings = self.provenance.get("fit_settings") or self.provenance.get("settings")
        return f"{settings} synthetic settings" if settings else f"{self.n_cells} cells"

    def _held_out(self) -> str:
        """The held-out check, for the line: '' when the provenance has none."""
        accuracy = self.provenance.get("held_out_sign_accuracy")
        if not isinstance(accuracy, (int, float)) or not math.isfinite(accuracy):
            return ""
        held = self.provenance.get("held_out_settings")
        text = f", held-out sign accuracy {accuracy:.0%}" + (f" on {held} other settings" if held else "")
        constant = self.provenance.get("held_out_constant_sign_accuracy")
        if isinstance(constant, (int, float)) and math.isfinite(constant) and accuracy <= constant:
            # a rule no better than always predicting the mean gain must not read as advice
            text += (f", no better than a constant ({constant:.0%}): a description of the table, not advice "
                     "(chapter 10)")
        return text

    def to_json(self) -> dict:
        return {"format": RULE_FORMAT, "version": RULE_VERSION, "features": list(self.features),
                "means": list(self.means), "scales": list(self.scales), "coefs": list(self.coefs),
                "intercept": self.intercept, "ranges": [list(r) for r in self.ranges],
                "residual_sd": self.residual_sd, "n_cells": self.n_cells, "margin": self.margin,
                "ridge": self.ridge, "target": self.target, "provenance": self.provenance}

    @classmethod
    def from_json(cls, data) -> RegimeRule:
        """The rule of a ``to_json`` dict; SearchInputError saying what is wrong otherwise."""
        return _rule_from_json(data)

    def save(self, path) -> Path:
        """Write the rule as JSON, atomically (``fileio.atomic_write_text``); returns the path."""
        path = Path(path)
        atomic_write_text(path, json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")
        return path


def _numbers(data: dict, key: str, n: int | None) -> tuple[float, ...]:
    values = data.get(key)
    ok = isinstance(values, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if not ok or (n is not None and len(values) != n) or not all(math.isfinite(v) for v in values):
        raise SearchInputError(f"{key}: expected a list of {n} finite numbers, one per feature")
    return tuple(float(v) for v in values)


def _number(data: dict, key: str) -> float:
    v = data.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise SearchInputError(f"{key}: expected a finite number; got {v!r}")
    return float(v)


def _ranges(ranges, n: int) -> tuple[tuple[float, float], ...]:
    def pair(r) -> bool:
        return (isinstance(r, list) and len(r) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                             and math.isfinite(v) for v in r) and r[0] <= r[1])

    if not isinstance(ranges, list) or len(ranges) != n or not all(pair(r) for r in ranges):
        raise SearchInputError(f"ranges: expected {n} [min, max] pairs of finite numbers, one per feature")
    return tuple((float(lo), float(hi)) for lo, hi in ranges)


def _rule_from_json(data) -> RegimeRule:
    if not isinstance(data, dict) or data.get("format") != RULE_FORMAT:
        raise SearchInputError(f"not a regime rule (expected a JSON object with format {RULE_FORMAT!r})")
    if data.get("version") != RULE_VERSION:
        raise SearchInputError(f"version {data.get('version')!r}; this package reads version {RULE_VERSION}")
    features = data.get("features")
    if not isinstance(features, list) or not features or not all(f in INPUTS for f in features):
        raise SearchInputError(f"features: expected names among {', '.join(INPUTS)}; got {features!r}")
    n = len(features)
    pairs = _ranges(data.get("ranges"), n)
    scales = _numbers(data, "scales", n)
    if any(s <= 0 for s in scales):
        raise SearchInputError("scales: expected positive numbers")
    n_cells = data.get("n_cells")
    if isinstance(n_cells, bool) or not isinstance(n_cells, int) or n_cells < 1:
        raise SearchInputError(f"n_cells: expected a positive integer; got {n_cells!r}")
    provenance = data.get("provenance", {})
    if not isinstance(provenance, dict):
        raise SearchInputError("provenance: expected a JSON object")
    if _number(data, "margin") < 0:
        raise SearchInputError("margin: expected a non-negative number")
    return RegimeRule(tuple(features), _numbers(data, "means", n), scales, _numbers(data, "coefs", n),
                      _number(data, "intercept"), pairs, _number(data, "residual_sd"), n_cells,
                      margin=_number(data, "margin"), ridge=_number(data, "ridge"),
                      target=str(data.get("target", "gain")), provenance=provenance)


# How the line shows each input (those a caller's inputs lack are left out).
_SHOWN = (
    ("importance_gini", "importance Gini {:.2f}"),
    ("largest_row_share", "largest field {:.0%} of rows"),
    ("log10_rows_per_row", "10^{:.1f} rows per row"),
    ("size_importance_rho", "size-importance rho {:+.2f}"),
    ("floor_share", "floor {:.0%} of the budget"),
)


@dataclass(frozen=True)
class Recommendation:
    """What the rule says for one dataset: the predicted gain and its verdict (``VERDICTS``: "search"
    at predicted >= +margin, "uniform" at <= -margin, else "either"), with what ``line`` shows."""

    predicted: float
    verdict: str
    margin: float
    inputs: dict
    outside: tuple[str, ...]
    ranges: dict
    fitted_on: str  # e.g. "18 synthetic settings, held-out sign accuracy 83% on 6 other settings"

    def line(self) -> str:
        """One line for the terminal: prediction, verdict, inputs, what the rule was fitted on."""
        verdict = {"search": "the rule calls for a width search",
                   "uniform": "the rule calls for equal widths",
                   "either": f"within {self.margin:.4f} of zero: either choice"}[self.verdict]
        return (f"regime rule: predicted SSEDS - uniform test AUC {self.predicted:+.4f} -> {verdict} "
                f"({self._shown_inputs()}; fitted on {self.fitted_on}{self._caution()})")

    def _shown_inputs(self) -> str:
        return ", ".join(shown.format(float(self.inputs[name])) for name, shown in _SHOWN if name in self.inputs)

    def _caution(self) -> str:
        if not self.outside:
            return ""
        shown = ", ".join(f"{f} {float(self.inputs[f]):.2f} (fitted {self.ranges[f][0]:.2f} to {self.ranges[f][1]:.2f})"
                          for f in self.outside)
        return f"; outside the fitted range, an extrapolation: {shown}"


# -- fitting -------------------------------------------------------------------------------------------
def _design(table, target: str, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, w) of a table, every value checked finite (a failed cell must be left out by the caller)."""
    missing = [c for c in (*features, target) if c not in table.columns]
    if missing:
        raise SearchInputError(f"regime table: missing column(s) {', '.join(missing)}")
    if len(table) == 0:
        raise SearchInputError("regime table: no cells to fit")
    x = table[list(features)].to_numpy(dtype=np.float64)
    y = table[target].to_numpy(dtype=np.float64)
    w = table["weight"].to_numpy(dtype=np.float64) if "weight" in table.columns else np.ones(len(y))
    for name, values in (("features", x), (target, y), ("weight", w)):
        if not np.all(np.isfinite(values)):
            raise SearchInputError(f"regime table: {name} hold NaN or infinite values; leave such cells out")
    if np.any(w < 0) or w.sum() <= 0:
        raise SearchInputError("regime table: weights must be non-negative with a positive sum")
    return x, y, w


def _ridge_solve(z: np.ndarray, y: np.ndarray, w: np.ndarray, ridge: float) -> np.ndarray:
    """argmin sum_i w_i (y_i - b0 - z_i . b)^2 / sum w + ridge |b|^2, intercept b0 unpenalised, as one
    least-squares problem (rows of penalty appended): lstsq's minimum-norm answer also gives a
    constant feature coefficient 0 when ridge is 0."""
    n, p = z.shape
    sw = np.sqrt(w / w.sum())
    a = np.hstack([np.ones((n, 1)), z]) * sw[:, None]
    penalty = np.hstack([np.zeros((p, 1)), math.sqrt(ridge) * np.eye(p)])
    solution, *_ = np.linalg.lstsq(np.vstack([a, penalty]), np.concatenate([y * sw, np.zeros(p)]), rcond=None)
    return solution


def fit_rule(table, target: str = "gain", ridge: float = DEFAULT_RIDGE, margin: float = DEFAULT_MARGIN,
             features: Sequence[str] = FEATURES, provenance: dict | None = None) -> RegimeRule:
    """Fit the rule on a table with one row per (setting, model, budget) cell: the ``features`` columns,
    the ``target`` column and an optional non-negative ``weight`` column. Features are standardised
    (weighted mean and standard deviation; a constant one gets scale 1 and, with any ridge, coefficient
    0), then ridge least squares with the intercept unpenalised (``_ridge_solve``)."""
    for name, value in (("ridge", ridge), ("margin", margin)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise SearchInputError(f"{name}: expected a finite non-negative number; got {value!r}")
    unknown = [f for f in features if f not in INPUTS]
    if unknown or not features:
        raise SearchInputError(f"features: expected names among {', '.join(INPUTS)}; got {list(features)}")
    x, y, w = _design(table, target, features)
    means = np.average(x, axis=0, weights=w)
    sds = np.sqrt(np.average((x - means) ** 2, axis=0, weights=w))
    scales = np.where(sds > 1e-12 * np.maximum(1.0, np.abs(means)), sds, 1.0)
    z = (x - means) / scales
    solution = _ridge_solve(z, y, w, float(ridge))
    residuals = y - solution[0] - z @ solution[1:]
    ranges = tuple((float(lo), float(hi)) for lo, hi in zip(x.min(axis=0), x.max(axis=0), strict=True))
    return RegimeRule(tuple(features), tuple(means.tolist()), tuple(scales.tolist()), tuple(solution[1:].tolist()),
                      float(solution[0]), ranges, float(math.sqrt(np.average(residuals**2, weights=w))), int(len(y)),
                      margin=float(margin), ridge=float(ridge), target=target, provenance=dict(provenance or {}))


def leave_out_check(table, held_out_mask, target: str = "gain", ridge: float = DEFAULT_RIDGE) -> dict:
    """Fit on the cells outside ``held_out_mask`` and predict the held-out ones.

    Returns {"rule", "predictions" (DataFrame: measured, predicted, sign_ok for the held-out cells, in
    table order), "sign_accuracy" (share of held-out cells with a nonzero measured gain whose predicted
    sign matches; NaN when none is nonzero), "mean_abs_error", "n_held_out", "n_signed"}.
    """
    import pandas as pd

    mask = np.asarray(held_out_mask, dtype=bool)
    if mask.shape != (len(table),):
        raise SearchInputError(f"held_out_mask: expected {len(table)} booleans, one per cell; got shape {mask.shape}")
    if not mask.any() or mask.all():
        raise SearchInputError("held_out_mask: expected some cells held out and some left to fit")
    rule = fit_rule(table[~mask], target=target, ridge=ridge)
    held = table[mask]
    measured = held[target].to_numpy(dtype=np.float64)
    predicted = np.array([rule.predict(row) for row in held[list(rule.features)].to_dict("records")])
    signed = measured != 0
    sign_ok = np.sign(predicted) == np.sign(measured)
    predictions = pd.DataFrame({"measured": measured, "predicted": predicted, "sign_ok": sign_ok}, index=held.index)
    return {
        "rule": rule,
        "predictions": predictions,
        "sign_accuracy": float(sign_ok[signed].mean()) if signed.any() else math.nan,
        "mean_abs_error": float(np.abs(predicted - measured).mean()),
        "n_held_out": int(mask.sum()),
        "n_signed": int(signed.sum()),
    }


# -- the shipped file ----------------------------------------------------------------------------------
def rule_path() -> Path:
    """Where the rule is read from: $SSEDS_REGIME_RULE, else ``regime_rule.json`` beside this module
    (package data, so an installed package carries the rule it was fitted with)."""
    override = os.environ.get(RULE_ENV)
    return Path(override) if override else Path(__file__).with_name("regime_rule.json")


def load_rule(path=None) -> RegimeRule | None:
    """The fitted rule, or None when its file does not exist (not fitted in this installation). A file
    that is not a rule raises DataFormatError naming it."""
    path = Path(path) if path is not None else rule_path()
    if not path.exists():
        return None
    text = read_text(path, "regime rule (JSON)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, exc.lineno, f"not valid JSON ({exc.msg}); refit it with {FIT_HINT}") from None
    try:
        return _rule_from_json(data)
    except SearchInputError as exc:
        raise DataFormatError(path, None, f"not a usable regime rule: {exc}; refit it with {FIT_HINT}") from None
