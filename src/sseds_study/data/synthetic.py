"""Synthetic CTR data with a planted truth: the right embedding width of every field is known.

Generator (all seeded by ``seed``):

* field f has ``vocab_sizes[f]`` raw values drawn with Zipf-like popularity p(v) ~ (v + 1)^-zipf;
* field f has a rank r_f. A relevant field (r_f > 0) owns a latent table U_f (V_f x r_f) and a
  projection A_f (r_f x R), R = max rank, so its value v acts through z_f(v) = U_f[v] A_f, a vector
  confined to an r_f-dimensional subspace: an embedding narrower than r_f cannot represent it, a
  wider one gains nothing;
* logit = scale * sum_{f<g} <z_f, z_g> + sum_f b_f[v_f] + b0, over relevant fields only; the
  biases b_f are small (``bias_scale``). Irrelevant fields (rank 0) never touch the label;
* label ~ Bernoulli(sigmoid(logit)); ``scale`` is set so that the interaction term has standard
  deviation ``signal``, and b0 centres the logits at ``base_logit``.

The manifest's ``truth`` records every field's rank and relevance, the settings, the positive
rate, and the Bayes AUC (the AUC of the true logits), the ceiling any model can reach.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import OptionError
from ..metrics import roc_auc
from .cache import build_or_load
from .options import float_option, int_option, seed_option
from .raw import RawField
from .readers import frame_chunks

DEFAULT_RANKS = (8, 4, 2, 1, 0, 0, 0, 0)


def _per_field(value, num_fields: int, name: str) -> list[int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return [int(value)] * num_fields
    values = [int(v) for v in _int_list(name, value)]
    if len(values) != num_fields:
        raise OptionError(f"synthetic: {name} has {len(values)} entries for {num_fields} fields")
    return values


def _int_list(name: str, value) -> list:
    if not isinstance(value, (list, tuple, np.ndarray)):
        value = [value]
    for v in value:
        int_option("synthetic", name, v)
    return list(value)


def generate_synthetic(rows: int = 50_000, num_fields: int | None = None, vocab_sizes: int | Sequence[int] = 500,
                       ranks: Sequence[int] = DEFAULT_RANKS, zipf: float = 1.1, signal: float = 2.0,
                       bias_scale: float = 0.3, base_logit: float = -0.5, seed: int = 0):
    """Draw the raw data. Returns (values int64 (rows, F), labels float32 (rows,), logits float64
    (rows,), truth dict)."""
    int_option("synthetic", "rows", rows, minimum=10)
    seed_option("synthetic", "seed", seed)
    for key, value in (("zipf", zipf), ("signal", signal), ("bias_scale", bias_scale), ("base_logit", base_logit)):
        float_option("synthetic", key, value)
    ranks = [int(r) for r in _int_list("ranks", ranks)]
    num_fields = len(ranks) if num_fields is None else int(int_option("synthetic", "num_fields", num_fields, 2))
    if len(ranks) != num_fields:
        raise OptionError(f"synthetic: ranks has {len(ranks)} entries for {num_fields} fields")
    if any(r < 0 for r in ranks) or sum(r > 0 for r in ranks) < 2:
        raise OptionError("synthetic: ranks must be >= 0 with at least two relevant fields (rank > 0)")
    vocab = _per_field(vocab_sizes, num_fields, "vocab_sizes")
    if min(vocab) < 2:
        raise OptionError(f"synthetic: option vocab_sizes: expected integers >= 2; got {vocab_sizes!r}")
    rng = np.random.default_rng(seed)
    width = max(ranks)
    values = np.empty((rows, num_fields), dtype=np.int64)
    z_sum = np.zeros((rows, width))
    z_sq = np.zeros(rows)
    bias = np.zeros(rows)
    for f in range(num_fields):
        p = 1.0 / np.arange(1, vocab[f] + 1) ** zipf
        values[:, f] = rng.choice(vocab[f], size=rows, p=p / p.sum())
        if ranks[f] == 0:
            continue
        table = rng.standard_normal((vocab[f], ranks[f]))
        proj = rng.standard_normal((ranks[f], width)) / np.sqrt(ranks[f])
        z = (table @ proj)[values[:, f]]  # (rows, R), in an r_f-dim subspace
        z_sum += z
        z_sq += (z * z).sum(1)
        bias += bias_scale * rng.standard_normal(vocab[f])[values[:, f]]
    pairwise = 0.5 * ((z_sum * z_sum).sum(1) - z_sq)  # sum over field pairs f < g of <z_f, z_g>
    scale = signal / max(pairwise.std(), 1e-12)
    logits = scale * (pairwise - pairwise.mean()) + (bias - bias.mean()) + base_logit
    labels = (rng.random(rows) < 1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    truth = {
        "ranks": dict(zip([f"f{f}" for f in range(num_fields)], ranks, strict=True)),
        "relevant": {f"f{f}": ranks[f] > 0 for f in range(num_fields)},
        "settings": {"rows": rows, "num_fields": num_fields, "vocab_sizes": vocab, "zipf": zipf, "signal": signal,
                     "bias_scale": bias_scale, "base_logit": base_logit, "seed": seed},
        "positive_rate": float(labels.mean()),
        "bayes_auc": roc_auc(labels, logits),
    }
    return values, labels, logits, truth


def load_synthetic(*, cache_dir, progress: bool = True, min_count=1, split_seed: int = 2022, use_cache: bool = True,
                   **settings):
    """The synthetic dataset, encoded (fields f0..f{F-1}, all categorical). See module doc for the
    settings (rows, num_fields, vocab_sizes, ranks, zipf, signal, bias_scale, base_logit, seed)."""
    values, labels, _, truth = generate_synthetic(**settings)
    names = [f"f{f}" for f in range(values.shape[1])]

    def stream():
        return frame_chunks({n: values[:, f] for f, n in enumerate(names)}, labels, path="<synthetic>")

    return build_or_load(
        "synthetic", stream=stream, fields=[RawField(n) for n in names], cache_dir=cache_dir,
        options=truth["settings"], source={"generator": "sseds_study.data.synthetic"}, source_checksums={},
        min_count=min_count, split_seed=split_seed, progress=progress, extra={"truth": truth}, use_cache=use_cache)


# The settings load_synthetic passes on to generate_synthetic: the dataset's options.
load_synthetic.settings = ("rows", "num_fields", "vocab_sizes", "ranks", "zipf", "signal", "bias_scale", "base_logit",
                           "seed")
# Its manifest carries per-field planted ranks (``data.has_planted_truth``).
load_synthetic.planted_truth = True
