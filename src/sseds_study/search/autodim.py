"""AutoDim: a width per field from a supernet of candidate widths trained with a bi-level search.

Reference: X. Zhao, H. Liu, H. Liu, J. Tang, W. Guo, J. Shi, S. Wang, H. Gao, B. Long, "AutoDim:
Field-aware Embedding Dimension Search in Recommender Systems", WWW 2021 (its arXiv version, 2020:
"Memory-efficient Embedding for Recommendations"). Read beside it: the re-implementation in the public
code of DimGrow (github goldenNormal/Autogrow, models/fs/autodim.py), which uses every width 1..D as
a candidate, one D x D map per field truncated per candidate, a batch norm per candidate, Gumbel-softmax
with a temperature annealed from 1, and an architecture step every 10th training step.

The supernet. Field f's embedding becomes the mixture of its K candidates (widths d_1 < ... < d_K = D)

    e'_f = sum_k p_{f,k} * BN_{f,k}(W_{f,k} E_f[x_f, :d_k]),     p_f = softmax(alpha_f),

* weight sharing (the paper's "weight-sharing embedding"): candidate k reads the first d_k columns of
  the field's one D-wide table E_f, so the tables are the pretrained model's tables;
* W_{f,k}: a per-field, per-candidate linear map d_k -> D without bias (the batch norm that follows
  subtracts the batch mean, so a bias would do nothing);
* BN_{f,k}: batch normalisation of the D outputs with a learned scale and shift, as the paper does so
  that candidates of different widths give outputs on one scale (a wide candidate's raw output would
  otherwise dominate the sum). In train mode -- the whole search -- it uses the batch's statistics;
* the (B, F, D) mixture replaces the model's uniform lookup (``supernet.attach``), so the rest of the
  model (FM, DeepFM, WideDeep, DCN, IPNN: all read ``aligned``/``concat``) is unchanged;
* plain softmax, not the paper's Gumbel-softmax: the relaxation's expected value, without the noise
  and the temperature schedule, so a seed fixes the result and no annealing constant is needed. The
  probabilities are what the scores read, and softmax gives them directly.

Warm start from the pretrained model, so that at the first step every candidate reproduces the
truncated pretrained embedding: W_{f,k} = [I_{d_k}; R] (identity on the first d_k outputs, R a random
(D - d_k) x d_k block, N(0, 1/d_k)); the batch norm's scale and shift are the pretrained column's
standard deviation sqrt(var + eps) and mean on the first d_k outputs, and 0 on the others. So
BN(W e) ~ (e[:d_k], 0, ..., 0): the mixture starts as the pretrained embedding with column j scaled by
P_f(width > j), and the loss's gradient w.r.t. alpha compares truncations of the model actually
trained. The zero scale keeps the other outputs silent at the start while its gradient (the batch-
normalised random projection) lets a narrow candidate learn to fill them (a zero map would instead
need BN to divide a zero-variance column by sqrt(eps)). The column statistics come from one
forward-only lookup of up to ``CALIBRATION_ROWS`` training rows (a seeded sample); alpha starts at 0
(uniform probabilities).

Optimisation: bi-level, FIRST ORDER (DARTS with xi = 0; ``supernet.bilevel``): one Adam step of every
weight (tables, maps, batch norms, the rest of the model) on a training batch, then one Adam step of
alpha on a validation batch, alternating for ``epochs`` passes over the training split. A pass
(``passes``) is one forward+backward over a training batch; ``valid_passes`` counts the alpha steps.

Defaults: lr = 1e-3 (Adam's usual rate, and ``TrainConfig``'s) for the weights; arch_lr = 3e-2 for
alpha, not from the paper: the papers search for many epochs, and this rate moves alpha decisively in
one epoch of a few dozen steps (tried on a planted synthetic FM, 32 steps, three candidates: at 3e-3,
1e-2 and 3e-2 the fields ranked nearly alike and the largest probability reached 0.38, 0.48 and 0.75, from
a uniform 0.33).

Scores. The paper keeps argmax_k p_{f,k}; the allocator here needs a score per column, so
score[f, j] = P_f(width > j) = sum of p_{f,k} over the candidates with d_k > j: the probability that
field f's chosen width covers column j. It is non-increasing in j (an allocation keeps prefixes) and
column j < d_1 scores 1 in every field.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..data.spec import EncodedDataset
from ..train.runtime import model_device
from ._checks import SearchInputError, check_positive_int
from .supernet import (
    WidthSearch,
    attach,
    bilevel,
    check_rate,
    check_search_inputs,
    derived_seed,
    private_rng,
    search_copy,
    to_field_order,
)

__all__ = ["CALIBRATION_ROWS", "DEFAULT_CANDIDATES", "AutoDimMix", "autodim_search", "candidate_widths",
           "width_scores"]

DEFAULT_CANDIDATES = (2, 4, 8, 16)
CALIBRATION_ROWS = 65_536  # training rows whose lookups set the warm start's column statistics
BN_EPS = 1e-5
BN_MOMENTUM = 0.1  # torch's default; the running statistics are kept but the search never reads them
_CALIBRATION_CHUNK = 8192


def candidate_widths(candidates: Sequence[int], emb_dim: int) -> tuple[int, ...]:
    """The candidate widths for base width D = ``emb_dim``: those <= D, plus D itself, sorted, unique."""
    try:
        items = list(candidates)
    except TypeError:
        raise SearchInputError(f"candidates: expected a sequence of positive integers; got {candidates!r}") from None
    widths = {check_positive_int(f"candidates[{i}]", d) for i, d in enumerate(items)}
    return tuple(sorted({d for d in widths if d <= emb_dim} | {int(emb_dim)}))


def width_scores(probabilities: torch.Tensor, candidates: Sequence[int], emb_dim: int) -> torch.Tensor:
    """(F, K) probabilities over the candidate widths -> (F, D) float64 scores P_f(width > j)."""
    widths = torch.tensor(list(candidates), dtype=torch.float64)
    covers = (widths[:, None] > torch.arange(emb_dim, dtype=torch.float64)[None, :]).double()  # (K, D)
    return probabilities.detach().to("cpu", torch.float64) @ covers


class AutoDimMix(nn.Module):
    """The supernet layer: (B, F, D) uniform lookup -> (B, F, D) mixture of the candidates.

    Parameters (fields in the order of the lookup's rows): ``alpha`` (F, K), the architecture; per
    candidate k: ``maps[k]`` (F, D, d_k), the linear maps (output x input, as ``nn.Linear.weight``),
    ``bn_weight[k]`` and ``bn_bias[k]`` (F, D), the batch norm's scale and shift; buffers
    ``running_mean{k}``/``running_var{k}`` (F * D), used in eval mode only.
    """

    def __init__(self, num_fields: int, emb_dim: int, candidates: Sequence[int]):
        super().__init__()
        self.candidates = tuple(int(d) for d in candidates)
        self.num_fields, self.emb_dim = int(num_fields), int(emb_dim)
        n, D = self.num_fields, self.emb_dim
        self.alpha = nn.Parameter(torch.zeros(n, len(self.candidates)))
        self.maps = nn.ParameterList([nn.Parameter(torch.zeros(n, D, d)) for d in self.candidates])
        self.bn_weight = nn.ParameterList([nn.Parameter(torch.ones(n, D)) for _ in self.candidates])
        self.bn_bias = nn.ParameterList([nn.Parameter(torch.zeros(n, D)) for _ in self.candidates])
        for k in range(len(self.candidates)):
            self.register_buffer(f"running_mean{k}", torch.zeros(n * D))
            self.register_buffer(f"running_var{k}", torch.ones(n * D))

    def probabilities(self) -> torch.Tensor:
        """p (F, K) = softmax(alpha) over the candidates."""
        return torch.softmax(self.alpha, dim=1)

    @torch.no_grad()
    def warm_start(self, mean: torch.Tensor, var: torch.Tensor, generator: torch.Generator) -> None:
        """Make every candidate reproduce the truncated embedding whose columns have these (F, D)
        moments (the module docstring). ``generator`` (CPU) draws the maps' random blocks."""
        D = self.emb_dim
        for k, d in enumerate(self.candidates):
            w = torch.zeros(self.num_fields, D, d)
            w[:, :d, :] = torch.eye(d)
            if d < D:
                w[:, d:, :] = torch.randn(self.num_fields, D - d, d, generator=generator) / math.sqrt(d)
            self.maps[k].copy_(w)
            scale, shift = torch.zeros(self.num_fields, D), torch.zeros(self.num_fields, D)
            scale[:, :d] = (var[:, :d] + BN_EPS).sqrt()
            shift[:, :d] = mean[:, :d]
            self.bn_weight[k].copy_(scale)
            self.bn_bias[k].copy_(shift)
            rm, rv = torch.zeros(self.num_fields, D), torch.ones(self.num_fields, D)
            rm[:, :d], rv[:, :d] = mean[:, :d], var[:, :d]
            getattr(self, f"running_mean{k}").copy_(rm.reshape(-1))
            getattr(self, f"running_var{k}").copy_(rv.reshape(-1))

    def candidate(self, k: int, e: torch.Tensor) -> torch.Tensor:
        """Candidate k's output BN(W_k e[..., :d_k]): (B, F, D) -> (B, F, D)."""
        d = self.candidates[k]
        x = torch.einsum("bfi,foi->bfo", e[..., :d], self.maps[k])  # (B, F, D)
        flat = F.batch_norm(
            x.reshape(x.shape[0], -1), getattr(self, f"running_mean{k}"), getattr(self, f"running_var{k}"),
            self.bn_weight[k].reshape(-1), self.bn_bias[k].reshape(-1), training=self.training,
            momentum=BN_MOMENTUM, eps=BN_EPS,
        )
        return flat.view_as(x)

    def forward(self, e: torch.Tensor) -> torch.Tensor:
        p = self.probabilities()  # (F, K)
        out = None
        for k in range(len(self.candidates)):
            term = p[:, k, None] * self.candidate(k, e)  # (F, 1) broadcast over (B, F, D)
            out = term if out is None else out + term
        return out


def autodim_search(
    model: nn.Module,
    ds: EncodedDataset,
    *,
    batch_size: int,
    seed: int,
    candidates: Sequence[int] = DEFAULT_CANDIDATES,
    epochs: int = 1,
    lr: float = 1e-3,
    arch_lr: float = 3e-2,
    weight_decay: float = 0.0,
) -> WidthSearch:
    """AutoDim scores (the module docstring) for a pretrained uniform model; ``model`` is not changed.

    model: a CTR model with a uniform ``FieldEmbedding`` (width D every field) and an all-ones gate.
    ds: its dataset; the train split trains the weights, the valid split alpha (both >= 2 rows).
    candidates: widths to choose from; those > D are dropped and D is always added.
    epochs: passes over the training split. lr: Adam's rate for the weights (the pretrained model's
    and the supernet's maps and batch norms; weight_decay is its L2). arch_lr: Adam's rate for alpha.

    Returns a WidthSearch: scores (F, D) float64, score[f, j] = P_f(width > j); detail holds the
    candidates, the per-field probabilities and alpha (field order), the mean losses per epoch and
    the settings.
    """
    start = time.perf_counter()
    batch_size, seed, epochs = check_search_inputs(model, ds, batch_size, seed, epochs)
    lr, arch_lr = check_rate("lr", lr), check_rate("arch_lr", arch_lr)
    weight_decay = check_rate("weight_decay", weight_decay, allow_zero=True)
    emb_dim = model.embedding.emb_dim
    widths = candidate_widths(candidates, emb_dim)
    device = model_device(model)
    with private_rng(seed, device):
        net = search_copy(model)
        mean, var, rows = _column_moments(net, ds, seed, device)
        mix = AutoDimMix(net.embedding.num_fields, emb_dim, widths)
        mix.warm_start(mean, var, torch.Generator().manual_seed(derived_seed(seed, 3)))
        attach(net, "autodim", mix.to(device))
        log = bilevel(net, ds, [mix.alpha], batch_size=batch_size, seed=seed, epochs=epochs, lr=lr,
                      arch_lr=arch_lr, weight_decay=weight_decay)
    with torch.no_grad():
        alpha = to_field_order(mix.alpha, net).to("cpu", torch.float64)
        probs = torch.softmax(alpha, dim=1)  # in float64, so column 0 (every candidate covers it) scores 1
    detail = {
        "method": "autodim",
        "candidates": list(widths),
        "probabilities": probs.tolist(),
        "alpha": alpha.tolist(),
        "fields": [f.name for f in ds.fields],
        "train_loss": log.train_loss,
        "valid_loss": log.valid_loss,
        "calibration_rows": rows,
        "relaxation": "softmax",
        "bilevel": "first-order",
        "settings": {"batch_size": batch_size, "seed": seed, "epochs": epochs, "lr": lr, "arch_lr": arch_lr,
                     "weight_decay": weight_decay},
    }
    return WidthSearch(width_scores(probs, widths, emb_dim), log.passes, log.valid_passes,
                       time.perf_counter() - start, detail)


@torch.no_grad()
def _column_moments(net: nn.Module, ds: EncodedDataset, seed: int, device: torch.device
                    ) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Mean and (biased) variance (F, D) of every looked-up column, fields in the lookup's order, over
    a seeded sample of at most CALIBRATION_ROWS training rows; and the sample's size."""
    ids, _ = ds.subset("train")
    ids = torch.from_numpy(ids).long()
    n = ids.shape[0]
    rows = torch.randperm(n, generator=torch.Generator().manual_seed(derived_seed(seed, 2)))[:CALIBRATION_ROWS]
    total = sq = None
    for start in range(0, len(rows), _CALIBRATION_CHUNK):
        e = net.embedding.lookup(ids[rows[start : start + _CALIBRATION_CHUNK]].to(device))[0].double()  # (b, F, D)
        s, q = e.sum(0), (e * e).sum(0)
        total, sq = (s, q) if total is None else (total + s, sq + q)
    mean = total / len(rows)
    var = (sq / len(rows) - mean * mean).clamp(min=0.0)
    return mean.float().cpu(), var.float().cpu(), len(rows)
