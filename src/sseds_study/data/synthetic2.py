"""Synthetic CTR data, version 2 (dataset ``synthetic2``): a planted truth in a learnable regime.

The first generator (``synthetic``) gives every field the same vocabulary, so a parameter budget and
a dimension budget coincide, and its full models stay far below its Bayes AUC. This one is built so
that a full-width model comes close to the Bayes AUC and vocabulary size can mislead an allocator:

* field f has ``vocab_sizes[f]`` raw values (by default 10 to 2000, not ordered by importance), drawn
  with Zipf popularity p_f(v) ~ (v + 1)^-zipf_f;
* field f has a planted rank r_f (``ranks``; 0 = a noise field that never touches the label). A
  relevant field owns a latent table U_f (V_f x r_f), centred and whitened under p_f, so that its
  r_f directions are equally strong in the population, and an orthonormal projection A_f
  (r_f x R, R = max rank) into a shared space: z_f(v) = U_f[v] A_f;
* logit = base_logit + sum_f bias_scale * <U_f[v_f], w_f> + scale * sum_{f<g} <z_f, z_g>, with w_f a
  random unit vector. The logit is exactly an FM whose field f has width r_f, so the planted ranks
  are the oracle widths: narrower loses signal, wider gains nothing;
* ``scale`` is set from the population (not the sample), so the interaction term has standard
  deviation ``signal`` whatever ``rows`` is; every term has population mean 0, so the population
  mean logit is ``base_logit``;
* label ~ Bernoulli(sigmoid(logit)).

Why the vocabularies stop at thousands: a full model estimates D + 1 parameters per value, and the
traffic-weighted mean of 1 / (a value's count) is (values seen) / (training rows), so its excess
error grows with the summed vocabulary over the rows. Measured with the study's training settings
(the default profile's) at D = 16 and 10^6 rows, a full FM or DeepFM is about 0.01 test AUC below
Bayes with these defaults (3,678 embedding rows in all); with a layout whose largest field has 10^5
raw values (88,000 rows in all; signal 2) a full FM was 0.036 below it. Keeping 0.01 with such a
field would take tens of millions of rows. ``vocab_sizes`` asks for any other layout.

Random streams are split by purpose (planted model, each field's values, labels), so the planted
model does not depend on ``rows`` and a smaller dataset is a prefix of a larger one.

The manifest's ``truth`` holds each field's rank, relevance and vocabulary size, the settings, and
the Bayes metrics (AUC and logloss of the true logits) on each split; ``bayes_auc`` is the test
split's, the ceiling of any model's test AUC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import OptionError
from ..metrics import log_loss, roc_auc
from .cache import build_or_load
from .encode import assign_split
from .options import float_option, int_option, seed_option
from .raw import RawField
from .readers import frame_chunks
from .spec import SPLITS

NAME = "synthetic2"
VERSION = 2
# Vocabulary and rank are deliberately unrelated: the biggest field is noise, the most important
# (rank 8) and the second (rank 6) are small, and a big field of rank 1 makes a width allocator pay
# for its rows. Parameters and dimensions part ways: the noise field of 2000 values holds more than
# half of the embedding rows.
DEFAULT_VOCAB_SIZES = (20, 2000, 400, 10, 150, 800, 40, 250)
DEFAULT_RANKS = (6, 0, 4, 0, 8, 1, 2, 3)
DEFAULT_ROWS = 1_000_000


def _fail(key: str, expected: str, value):
    raise OptionError(f"dataset {NAME!r}: option {key}: expected {expected}; got {value!r}")


def _int_list(key: str, value, minimum: int) -> list[int]:
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    for v in items:
        int_option(NAME, key, v)
        if v < minimum:
            _fail(key, f"integers >= {minimum}", value)
    return [int(v) for v in items]


def _per_field(key: str, value, num_fields: int) -> list[float]:
    """A number for every field, or one list entry per field."""
    items = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value] * num_fields
    if len(items) != num_fields:
        _fail(key, f"one number or {num_fields} (one per field)", value)
    for v in items:
        float_option(NAME, key, v)
        if v <= 0:
            _fail(key, "numbers > 0", value)
    return [float(v) for v in items]


@dataclass(frozen=True)
class PlantedModel:
    """The true click model. Per field f: popularity (V_f,); for a relevant field latent (V_f, r_f),
    projection (r_f, R) and first_order (r_f,), for a noise field None. ``logits`` gives the true
    logit of any rows of raw values."""

    popularity: tuple[np.ndarray, ...]
    latent: tuple[np.ndarray | None, ...]
    projection: tuple[np.ndarray | None, ...]
    first_order: tuple[np.ndarray | None, ...]
    scale: float
    base_logit: float

    def logits(self, values: np.ndarray) -> np.ndarray:
        """values int64 (N, F) of raw values -> true logits float64 (N,). Noise fields are not read."""
        n = len(values)
        width = max(p.shape[1] for p in self.projection if p is not None)
        z_sum, z_sq, first = np.zeros((n, width)), np.zeros(n), np.zeros(n)
        for f, table in enumerate(self.latent):
            if table is None:
                continue
            u = table[values[:, f]]  # (N, r_f)
            z = u @ self.projection[f]  # (N, R): in an r_f-dim subspace
            z_sum += z
            z_sq += (z * z).sum(1)
            first += u @ self.first_order[f]
        pairwise = 0.5 * ((z_sum * z_sum).sum(1) - z_sq)  # sum over field pairs f < g of <z_f, z_g>
        return self.base_logit + first + self.scale * pairwise


def _whitened_latent(rng, p: np.ndarray, rank: int) -> np.ndarray:
    """(V, rank) Gaussian rows, centred and whitened under p: E_p[u] = 0, E_p[u u^T] = I."""
    g = rng.standard_normal((len(p), rank))
    g -= p @ g
    cov = g.T @ (p[:, None] * g)
    return g @ np.linalg.inv(np.linalg.cholesky(cov)).T


def plant_model(vocab_sizes: Sequence[int], ranks: Sequence[int], zipf: Sequence[float], signal: float,
                bias_scale: float, base_logit: float, seed: int) -> PlantedModel:
    """Draw the true click model from ``seed`` (its own random stream per field)."""
    width = max(ranks)
    popularity, latent, projection, first_order = [], [], [], []
    traces = []  # per relevant field, its projector P_f = A_f^T A_f (R, R)
    for f, (v, r, s) in enumerate(zip(vocab_sizes, ranks, zipf, strict=True)):
        p = np.arange(1, v + 1, dtype=np.float64) ** -s
        popularity.append(p / p.sum())
        if r == 0:
            latent.append(None), projection.append(None), first_order.append(None)
            continue
        rng = np.random.default_rng([seed, 0, f])
        latent.append(_whitened_latent(rng, popularity[-1], r))
        q, _ = np.linalg.qr(rng.standard_normal((width, r)))  # (R, r), orthonormal columns
        projection.append(q.T)
        w = rng.standard_normal(r)
        first_order.append(bias_scale * w / np.linalg.norm(w))
        traces.append(q @ q.T)
    # Population variance of the interaction: centred, independent fields make the pair terms
    # uncorrelated, and E[<z_f, z_g>^2] = tr(P_f P_g) for whitened latents.
    variance = sum(float(np.sum(traces[i] * traces[j])) for i in range(len(traces)) for j in range(i))
    return PlantedModel(tuple(popularity), tuple(latent), tuple(projection), tuple(first_order),
                        scale=signal / np.sqrt(variance), base_logit=base_logit)


def check_settings(rows, vocab_sizes, ranks, zipf, signal, bias_scale, base_logit, seed):
    """Validate the options (each error names its option); returns the per-field lists."""
    int_option(NAME, "rows", rows, minimum=1000)
    seed_option(NAME, "seed", seed)
    ranks = _int_list("ranks", ranks, 0)
    num_fields = len(ranks)
    vocab = _int_list("vocab_sizes", vocab_sizes, 2)
    vocab = vocab * num_fields if len(vocab) == 1 and not isinstance(vocab_sizes, (list, tuple)) else vocab
    if len(vocab) != num_fields:
        _fail("vocab_sizes", f"one integer or {num_fields} (one per entry of ranks)", vocab_sizes)
    if sum(r > 0 for r in ranks) < 2:
        _fail("ranks", "at least two relevant fields (rank > 0)", ranks)
    too_big = [f"f{f}" for f, (v, r) in enumerate(zip(vocab, ranks, strict=True)) if r >= v]
    if too_big:
        _fail("ranks", f"each rank below its field's vocabulary size (not so for {', '.join(too_big)})", ranks)
    zipf = _per_field("zipf", zipf, num_fields)
    for key, value in (("signal", signal), ("bias_scale", bias_scale), ("base_logit", base_logit)):
        float_option(NAME, key, value)
    if signal <= 0:
        _fail("signal", "a number > 0", signal)
    if bias_scale < 0:
        _fail("bias_scale", "a number >= 0", bias_scale)
    return vocab, ranks, zipf


def bayes_metrics(labels: np.ndarray, logits: np.ndarray, split: np.ndarray) -> dict:
    """AUC and logloss of the true logits on each split: what a perfect model would score."""
    out = {}
    for s, name in enumerate(SPLITS):
        mask = split == s
        out[name] = {"auc": roc_auc(labels[mask], logits[mask]), "logloss": log_loss(labels[mask], logits[mask])}
    return out


def generate_synthetic2(rows: int = DEFAULT_ROWS, vocab_sizes=DEFAULT_VOCAB_SIZES, ranks=DEFAULT_RANKS,
                        zipf=1.1, signal: float = 3.0, bias_scale: float = 0.5, base_logit: float = -1.5,
                        seed: int = 0, split_seed: int = 2022):
    """Draw the raw data. Returns (values int64 (rows, F), labels float32 (rows,), logits float64
    (rows,), truth dict); the truth's Bayes metrics are per split of ``split_seed``, the split the
    encoder assigns."""
    vocab, ranks, zipf_f = check_settings(rows, vocab_sizes, ranks, zipf, signal, bias_scale, base_logit, seed)
    model = plant_model(vocab, ranks, zipf_f, signal, bias_scale, base_logit, seed)
    values = np.empty((rows, len(ranks)), dtype=np.int64)
    for f, p in enumerate(model.popularity):
        u = np.random.default_rng([seed, 1, f]).random(rows)
        values[:, f] = np.minimum(np.searchsorted(np.cumsum(p), u, side="right"), len(p) - 1)
    logits = model.logits(values)
    labels = (np.random.default_rng([seed, 2]).random(rows) < 1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    names = [f"f{f}" for f in range(len(ranks))]
    bayes = bayes_metrics(labels, logits, assign_split(np.arange(rows), split_seed))
    truth = {
        "generator": NAME, "version": VERSION,
        "ranks": dict(zip(names, ranks, strict=True)),
        "relevant": {n: r > 0 for n, r in zip(names, ranks, strict=True)},
        "vocab_sizes": dict(zip(names, vocab, strict=True)),
        "settings": {"rows": rows, "vocab_sizes": vocab, "ranks": ranks, "zipf": zipf, "signal": signal,
                     "bias_scale": bias_scale, "base_logit": base_logit, "seed": seed},
        "positive_rate": float(labels.mean()),
        "bayes_auc": bayes["test"]["auc"],
        "bayes": bayes,
    }
    return values, labels, logits, truth


def load_synthetic2(*, cache_dir, progress: bool = True, min_count=1, split_seed: int = 2022,
                    use_cache: bool = True, **settings):
    """The synthetic2 dataset, encoded (fields f0..f{F-1}, all categorical). See the module doc for
    the settings (rows, vocab_sizes, ranks, zipf, signal, bias_scale, base_logit, seed)."""
    values, labels, _, truth = generate_synthetic2(**settings, split_seed=split_seed)
    names = [f"f{f}" for f in range(values.shape[1])]

    def stream():
        return frame_chunks({n: values[:, f] for f, n in enumerate(names)}, labels, path=f"<{NAME}>")

    ds = build_or_load(
        NAME, stream=stream, fields=[RawField(n) for n in names], cache_dir=cache_dir, options=truth["settings"],
        source={"generator": "sseds_study.data.synthetic2", "version": VERSION}, source_checksums={},
        min_count=min_count, split_seed=split_seed, progress=progress, extra={"truth": truth}, use_cache=use_cache)
    # The Bayes metrics were computed on the split the encoder is expected to assign: make sure.
    if not np.array_equal(np.asarray(ds.split), assign_split(np.arange(len(labels)), split_seed)):
        raise RuntimeError(f"{NAME}: the encoded split differs from the one the Bayes metrics were computed on")
    return ds


# The settings load_synthetic2 passes on to generate_synthetic2: the dataset's options.
load_synthetic2.settings = ("rows", "vocab_sizes", "ranks", "zipf", "signal", "bias_scale", "base_logit", "seed")
load_synthetic2.planted_truth = True  # its manifest carries per-field planted ranks
