"""The regime map's designed experiment: 24 settings of the ``regime`` generator's knobs and the base
width D, and the profiles that run them (configs/regime_d16.yaml, configs/regime_d64.yaml).

Why this design: eight factors and about 25 minutes of compute on 2 cores allow a few dozen small
datasets, not a grid. The five continuous knobs get a Latin hypercube (each knob takes 24 distinct,
evenly spread values, so its map has no gaps), the best of a fixed number of seeded candidates by the
maximin distance (no two settings close together). The three categorical ones (logit form, base width
D, vocabulary order: 2 x 2 x 3 = 12 combinations) are balanced: each combination occurs twice. Every
fourth setting is held out of the fit of the gain model (``HELD_OUT``), spread over the design by
construction, to check its predictions on settings it has not seen.

``python scripts/make_regime_profiles.py`` writes the two profiles from ``design()``; a test keeps the
committed files equal to it.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

SETTINGS = 24
DESIGN_SEED = 2510
CANDIDATES = 400
# (name, low, high, log scale): the continuous knobs' ranges. concentration 0..1.2 runs from every
# relevant field equally important to one field of rank 8 and the rest at rank 1 to 2; noise share up
# to half the fields; vocabularies from equal (spread 1) to the largest field holding about 45% of
# the rows (1.8); Zipf skew 0.6 (flat) to 1.4 (a few values carry most traffic); 5 to 60 training rows
# per embedding row (MovieLens-100K has about 22; MovieLens-1M lies above the map's range).
CONTINUOUS = (
    ("concentration", 0.0, 1.2, False),
    ("noise_share", 0.0, 0.5, False),
    ("vocab_spread", 1.0, 1.8, False),
    ("zipf", 0.6, 1.4, False),
    ("rows_per_row", 5.0, 60.0, True),
)
FORMS = ("fm", "mlp")
WIDTHS = (16, 64)
ORDERS = ("random", "importance", "reverse")
# Fixed for every setting: 10 fields, 1000 values in all, at least 10 per field, ranks up to 8
# (MovieLens-100K: 7 fields, 2,690 values; the total sets the cost, rows = rows_per_row * 1000 / 0.8).
FIXED = {"fields": 10, "vocab_total": 1000, "vocab_min": 10, "max_rank": 8}
HELD_OUT = tuple(range(3, SETTINGS, 4))  # settings 3, 7, ..., 23: not used to fit the gain model


def _latin_hypercube(rng, n: int, k: int) -> np.ndarray:
    """(n, k) points in [0, 1): each column a random permutation of the n strata's centres."""
    return np.stack([(rng.permutation(n) + 0.5) / n for _ in range(k)], axis=1)


def _min_distance(points: np.ndarray) -> float:
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    return float(d[np.triu_indices(len(points), 1)].min())


def unit_design(seed: int = DESIGN_SEED, candidates: int = CANDIDATES) -> np.ndarray:
    """The maximin Latin hypercube of the continuous knobs in [0, 1)^5, one row per setting."""
    rng = np.random.default_rng(seed)
    best, best_d = None, -1.0
    for _ in range(candidates):
        points = _latin_hypercube(rng, SETTINGS, len(CONTINUOUS))
        d = _min_distance(points)
        if d > best_d:
            best, best_d = points, d
    return best


def _scale(u: float, low: float, high: float, log: bool) -> float:
    if log:
        return float(math.exp(math.log(low) + u * (math.log(high) - math.log(low))))
    return float(low + u * (high - low))


def design(seed: int = DESIGN_SEED) -> list[dict]:
    """The 24 settings: each a dict of the generator's options (rounded to 3 significant digits, as the
    profiles write them) plus ``emb_dim`` and ``setting`` (its index)."""
    unit = unit_design(seed)
    combos = list(itertools.product(FORMS, WIDTHS, ORDERS)) * 2
    out = []
    for i, (row, (form, width, order)) in enumerate(zip(unit, combos, strict=True)):
        knobs = {name: float(f"{_scale(u, lo, hi, log):.3g}") for u, (name, lo, hi, log) in zip(row, CONTINUOUS,
                                                                                                  strict=True)}
        out.append({"setting": i, "emb_dim": width, **FIXED, **knobs, "vocab_order": order, "form": form,
                    "seed": 100 + i})
    return out


# The SSEDS variant chapter 5's factorial screen chose for FM on validation AUC (configs/headline_best_fm.yaml).
# DeepFM's choice differs only in its estimator, ``exact``, whose cost (one forward pass per column and
# batch) the design cannot afford at 24 settings: FM's choice stands for both models.
CHOSEN_VARIANT = {"score_split": "valid", "estimator": "taylor", "min_dim": 0, "init": "inherit"}


def variant_profile_text(width: int) -> str:
    """The profile of the chosen SSEDS variant and uniform widths under its rules (min_dim 0, fine-tuned
    from the pretrained model), on the datasets of ``regime_d{width}``; its full-model runs are copied."""
    variant = ", ".join(f"{k}: {v}" for k, v in CHOSEN_VARIANT.items())
    return "\n".join([
        f"# Regime map, base width D = {width}: the SSEDS variant chapter 5 chose for FM ({variant})",
        f"# and uniform widths under the same rules, on the settings of regime_d{width}.yaml (written by",
        "# scripts/make_regime_profiles.py; do not edit by hand). The full models are the same runs (copied).",
        f"extends: regime_d{width}",
        f"name: regime_d{width}_best",
        "methods: [full, sseds, uniform]",
        "search: {estimator: taylor, score_split: valid, num_batches: 32, min_dim: 0, init: inherit}",
        f"reuse: [regime_d{width}]",
        "",
    ])


def profile_text(width: int, settings: list[dict]) -> str:
    """The YAML profile of the settings at base width ``width``."""
    rows = [s for s in settings if s["emb_dim"] == width]
    name = f"regime_d{width}"
    lines = [
        f"# Regime map, base width D = {width}: {len(rows)} of the {SETTINGS} settings of the designed experiment of",
        "# chapter 10 (\"When does a width search pay?\"), written by scripts/make_regime_profiles.py from",
        "# sseds_study.study.regime_design (do not edit by hand; a test keeps this file equal to it).",
        "# Each dataset is one setting of the `regime` generator's knobs (src/sseds_study/data/regime.py).",
        "# Methods: full, the planted ranks (oracle), SSEDS with the book's default settings and the four",
        "# allocations it is compared with under the same rules; FM and DeepFM; budgets 0.2 and 0.1;",
        "# three seeds, each with its own split. Tuning as the default profile, on a smaller grid (one",
        "# learning rate, three embedding weight decays) for the 120-minute `make reproduce`.",
        "extends: default",
        f"name: {name}",
        "datasets:",
    ]
    for s in rows:
        opts = {k: v for k, v in s.items() if k not in ("setting", "emb_dim")}
        body = ", ".join(f"{k}: {v}" for k, v in opts.items())
        lines.append(f"  - name: regime  # setting {s['setting']}")
        lines.append(f"    options: {{{body}}}")
    lines += [
        "models: [FM, DeepFM]",
        "methods: [full, oracle, sseds, uniform, frequency, magnitude]",
        "budgets: [0.2, 0.1]",
        "seeds: [0, 1, 2]",
        "tune: {lr: [0.005], emb_weight_decay: [0.0, 0.0001, 0.001]}",
        f"model: {{emb_dim: {width}, hidden_dims: [64, 32]}}",
        "reuse: []",
        "",
    ]
    return "\n".join(lines)
