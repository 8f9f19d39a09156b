"""Synthetic CTR data with knobs (dataset ``regime``): the family behind the regime map of chapter 10.

``synthetic2`` plants one layout. This generator turns each property that could decide whether a
per-field width search beats equal widths into an option, and documents the statistic a user can
measure on real data for it:

* ``concentration`` c >= 0, how unequal the relevant fields' importance is. Relevant fields, most
  important first, get planted ranks r_i = max(1, round(max_rank * exp(-c * i))): c = 0 gives every
  relevant field rank ``max_rank`` (all equally important); c = 1 gives 8, 3, 1, 1, ... On real data:
  the Gini coefficient of the per-field saliency of a pretrained full model
  (``search.regime_rule.regime_inputs``).
* ``noise_share``: the share of fields (rounded, at least two relevant) that never touch the label
  (rank 0). On real data it shows in the same Gini (noise fields have little saliency).
* vocabulary layout: ``vocab_total`` raw values over all fields, ``vocab_min`` per field, and
  ``vocab_spread`` g >= 1, the ratio between consecutive fields' shares (1: equal vocabularies; 1.8:
  the largest field holds about half the rows). On real data: the largest field's share of the
  embedding rows. ``zipf``: popularity of a field's values ~ (v + 1)^-zipf.
* ``vocab_order``: which field gets which vocabulary. ``importance`` gives the largest vocabulary to
  the most important field (vocabulary size and importance correlate positively), ``reverse`` to the
  least important one (negatively: the large fields are noise), ``random`` a seeded permutation. On
  real data: the Spearman correlation between fields' vocabulary sizes and their saliency.
* ``rows_per_row``: training rows per embedding row (rows = rows_per_row * vocab_total / 0.8, as
  80% of the rows are training rows). On real data: training rows over the summed vocabulary.
* ``form``: the logit's form. ``fm`` is synthetic2's: exactly an FM whose field f has width r_f.
  ``mlp`` is not an FM: a random one-hidden-layer ReLU network over the concatenated latent codes
  of the relevant fields, so the interactions are not pairwise inner products and an FM cannot
  represent the truth exactly (the map should not favour one base model's form).

In both forms a field's planted rank is the number of independent latent directions it feeds into
the logit, so the planted ranks are the oracle widths (``oracle`` method) and the per-field
importance is ordered by rank. Everything else follows synthetic2 (whitened latents, random streams
split by purpose, population-scaled signal, Bayes metrics in the manifest's ``truth``).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import OptionError
from ..metrics import log_loss, roc_auc
from .cache import build_or_load
from .encode import SPLIT_FRACTIONS, assign_split
from .options import choice_option, float_option, int_option, seed_option
from .raw import RawField
from .readers import frame_chunks
from .spec import SPLITS
from .synthetic2 import plant_model

NAME = "regime"
VERSION = 1
FORMS = ("fm", "mlp")
VOCAB_ORDERS = ("random", "importance", "reverse")
MLP_HIDDEN = 64
# Monte-Carlo draws from the population that set the MLP form's scale and centre (fixed, so the
# planted model does not depend on ``rows``).
POPULATION_DRAWS = 200_000


def _fail(key: str, expected: str, value):
    raise OptionError(f"dataset {NAME!r}: option {key}: expected {expected}; got {value!r}")


def planted_ranks(fields: int, concentration: float, noise_share: float, max_rank: int) -> list[int]:
    """Ranks in importance order (most important first), noise fields (rank 0) last."""
    noise = min(int(round(noise_share * fields)), fields - 2)
    relevant = fields - noise
    ranks = [max(1, int(round(max_rank * math.exp(-concentration * i)))) for i in range(relevant)]
    return ranks + [0] * noise


def vocabulary_sizes(fields: int, vocab_total: int, vocab_min: int, vocab_spread: float) -> list[int]:
    """Sizes in decreasing order summing to ``vocab_total``: ``vocab_min`` each, the rest shared in a
    geometric progression of ratio ``vocab_spread`` (the largest field takes the rounding remainder)."""
    spare = vocab_total - fields * vocab_min
    weights = vocab_spread ** -np.arange(fields, dtype=np.float64)
    extra = np.floor(spare * weights / weights.sum()).astype(int)
    extra[0] += spare - int(extra.sum())
    return [int(vocab_min + e) for e in extra]


def field_layout(fields: int, concentration: float, noise_share: float, max_rank: int, vocab_total: int,
                 vocab_min: int, vocab_spread: float, vocab_order: str, seed: int) -> tuple[list[int], list[int]]:
    """(vocab sizes, ranks) per field. Fields are listed most important first; ``vocab_order`` decides
    which of them gets which vocabulary."""
    ranks = planted_ranks(fields, concentration, noise_share, max_rank)
    sizes = vocabulary_sizes(fields, vocab_total, vocab_min, vocab_spread)  # largest first
    if vocab_order == "reverse":
        sizes = sizes[::-1]
    elif vocab_order == "random":
        sizes = [sizes[i] for i in np.random.default_rng([seed, 4]).permutation(fields)]
    return sizes, ranks


class MlpTruth:
    """The ``mlp`` form's interaction term: w2 . relu(W1 u + b1) over the concatenated latent codes u
    of the relevant fields, centred and scaled on a population sample to standard deviation
    ``signal``."""

    def __init__(self, ranks, latent, popularity, signal: float, seed: int):
        rng = np.random.default_rng([seed, 3])
        width = sum(r for r in ranks if r > 0)
        # Unit-variance latent coordinates and weights of variance 1/width: pre-activations ~ N(0, 1).
        self.w1 = rng.standard_normal((width, MLP_HIDDEN)) / np.sqrt(width)
        self.b1 = 0.5 * rng.standard_normal(MLP_HIDDEN)
        self.w2 = rng.standard_normal(MLP_HIDDEN)
        self.latent = latent
        sample = np.stack([np.minimum(np.searchsorted(np.cumsum(p), rng.random(POPULATION_DRAWS), side="right"),
                                      len(p) - 1) for p in popularity], axis=1)
        raw = self._raw(sample)
        self.centre = float(raw.mean())
        self.scale = signal / float(raw.std())

    def _raw(self, values: np.ndarray) -> np.ndarray:
        u = np.concatenate([t[values[:, f]] for f, t in enumerate(self.latent) if t is not None], axis=1)
        return np.maximum(u @ self.w1 + self.b1, 0.0) @ self.w2

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return self.scale * (self._raw(values) - self.centre)


def true_logits(model, form: str, values: np.ndarray, mlp: MlpTruth | None) -> np.ndarray:
    """The true logit of rows of raw values (N, F) -> (N,)."""
    if form == "fm":
        return model.logits(values)
    first = np.zeros(len(values))
    for f, table in enumerate(model.latent):
        if table is not None:
            first += table[values[:, f]] @ model.first_order[f]
    return model.base_logit + first + mlp(values)


def check_settings(fields, concentration, noise_share, max_rank, vocab_total, vocab_min, vocab_spread,
                   vocab_order, zipf, rows_per_row, form, signal, bias_scale, base_logit, seed) -> None:
    """Validate the options; each error names its option and what was expected."""
    int_option(NAME, "fields", fields, minimum=3)
    int_option(NAME, "max_rank", max_rank, minimum=1)
    int_option(NAME, "vocab_min", vocab_min, minimum=2)
    int_option(NAME, "vocab_total", vocab_total, minimum=2)
    seed_option(NAME, "seed", seed)
    choice_option(NAME, "vocab_order", vocab_order, VOCAB_ORDERS)
    choice_option(NAME, "form", form, FORMS)
    for key, value in (("concentration", concentration), ("noise_share", noise_share),
                       ("vocab_spread", vocab_spread), ("zipf", zipf), ("rows_per_row", rows_per_row),
                       ("signal", signal), ("bias_scale", bias_scale), ("base_logit", base_logit)):
        float_option(NAME, key, value)
    if concentration < 0:
        _fail("concentration", "a number >= 0", concentration)
    if not 0 <= noise_share < 1:
        _fail("noise_share", "a number in [0, 1)", noise_share)
    if vocab_spread < 1:
        _fail("vocab_spread", "a number >= 1 (1: equal vocabularies)", vocab_spread)
    if vocab_min <= max_rank:
        _fail("vocab_min", f"more values than max_rank ({max_rank}), so every rank fits its field", vocab_min)
    if vocab_total < fields * vocab_min:
        _fail("vocab_total", f"at least fields * vocab_min = {fields * vocab_min}", vocab_total)
    for key, value in (("zipf", zipf), ("rows_per_row", rows_per_row), ("signal", signal)):
        if value <= 0:
            _fail(key, "a number > 0", value)
    if bias_scale < 0:
        _fail("bias_scale", "a number >= 0", bias_scale)


def generate_regime(fields: int = 10, concentration: float = 0.5, noise_share: float = 0.2, max_rank: int = 8,
                    vocab_total: int = 1500, vocab_min: int = 12, vocab_spread: float = 1.3,
                    vocab_order: str = "random", zipf: float = 1.1, rows_per_row: float = 20.0,
                    form: str = "fm", signal: float = 3.0, bias_scale: float = 0.5, base_logit: float = -1.5,
                    seed: int = 0, split_seed: int = 2022):
    """Draw the raw data. Returns (values int64 (rows, F), labels float32, logits float64, truth)."""
    settings = {"fields": fields, "concentration": concentration, "noise_share": noise_share, "max_rank": max_rank,
                "vocab_total": vocab_total, "vocab_min": vocab_min, "vocab_spread": vocab_spread,
                "vocab_order": vocab_order, "zipf": zipf, "rows_per_row": rows_per_row, "form": form,
                "signal": signal, "bias_scale": bias_scale, "base_logit": base_logit, "seed": seed}
    check_settings(**settings)
    vocab, ranks = field_layout(fields, concentration, noise_share, max_rank, vocab_total, vocab_min,
                                vocab_spread, vocab_order, seed)
    rows = int(math.ceil(rows_per_row * vocab_total / SPLIT_FRACTIONS[0]))
    model = plant_model(vocab, ranks, [float(zipf)] * fields, signal, bias_scale, base_logit, seed)
    mlp = MlpTruth(ranks, model.latent, model.popularity, signal, seed) if form == "mlp" else None
    values = np.empty((rows, fields), dtype=np.int64)
    for f, p in enumerate(model.popularity):
        u = np.random.default_rng([seed, 1, f]).random(rows)
        values[:, f] = np.minimum(np.searchsorted(np.cumsum(p), u, side="right"), len(p) - 1)
    logits = true_logits(model, form, values, mlp)
    labels = (np.random.default_rng([seed, 2]).random(rows) < 1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    split = assign_split(np.arange(rows), split_seed)
    names = [f"f{f}" for f in range(fields)]
    bayes = {name: {"auc": roc_auc(labels[split == s], logits[split == s]),
                    "logloss": log_loss(labels[split == s], logits[split == s])} for s, name in enumerate(SPLITS)}
    truth = {
        "generator": NAME, "version": VERSION,
        "ranks": dict(zip(names, ranks, strict=True)),
        "relevant": {n: r > 0 for n, r in zip(names, ranks, strict=True)},
        "vocab_sizes": dict(zip(names, vocab, strict=True)),
        "settings": {**settings, "rows": rows},
        "positive_rate": float(labels.mean()),
        "bayes_auc": bayes["test"]["auc"],
        "bayes": bayes,
    }
    return values, labels, logits, truth


def load_regime(*, cache_dir, progress: bool = True, min_count=1, split_seed: int = 2022, use_cache: bool = True,
                **settings):
    """The ``regime`` dataset, encoded (fields f0..f{F-1}, most important first, all categorical)."""
    values, labels, _, truth = generate_regime(**settings, split_seed=split_seed)
    names = [f"f{f}" for f in range(values.shape[1])]

    def stream():
        return frame_chunks({n: values[:, f] for f, n in enumerate(names)}, labels, path=f"<{NAME}>")

    return build_or_load(
        NAME, stream=stream, fields=[RawField(n) for n in names], cache_dir=cache_dir, options=truth["settings"],
        source={"generator": "sseds_study.data.regime", "version": VERSION}, source_checksums={},
        min_count=min_count, split_seed=split_seed, progress=progress, extra={"truth": truth}, use_cache=use_cache)


load_regime.settings = ("fields", "concentration", "noise_share", "max_rank", "vocab_total", "vocab_min",
                        "vocab_spread", "vocab_order", "zipf", "rows_per_row", "form", "signal", "bias_scale",
                        "base_logit", "seed")
load_regime.planted_truth = True
