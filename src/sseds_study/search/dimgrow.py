"""DimGrow's shuffle gate: an importance per embedding column from gates that swap a column for noise.

References: Y. Huang, C. Chu, "DimGrow: Memory-Efficient Field-level Embedding Dimension Search",
arXiv 2505.12683 (2025), public code github goldenNormal/Autogrow, models/fs/shuffle_dim.py and its
trainer common/fs_trainer.py; the field-level original, "Shuffle Gate" (arXiv 2503.09315, public code
github goldenNormal/ShuffleGate, models/fs/shuffle_gate.py, utils/fs_trainer.py). Both were read for
the choices below.

The gate. Column j of field f gets a gate g_{f,j} = sigmoid(5 * theta_{f,j}), and during the search
the looked-up value is mixed with the same column of other examples of the batch:

    e'[b, f, j] = g_{f,j} * e[b, f, j] + (1 - g_{f,j}) * e[pi_{f,j}(b), f, j],

pi_{f,j} a random permutation of the batch drawn afresh for every column and every forward pass (the
public code's ``shuffle_batch``: an independent shuffle per column, so a closed gate replaces the
column by a draw from its marginal, breaking its link to the example and to the other columns). The
shuffled copy is detached, as in the public code: the gradient reaches the table only through the
unshuffled term. A gate near 0 turns the column into noise, so the loss stays low only if the column
does not matter; an L1 penalty, ``l1 * mean_{f,j} g_{f,j}`` (the Shuffle Gate code's ``fs_loss``, a
mean over all gates times the weight), pushes every gate down. d(loss)/d(g_{f,j}) = sum_b
upstream[b, f, j] * (e[b, f, j] - e[pi(b), f, j]).

Parameterisation and start, as the public code: the temperature 5 inside the sigmoid, and theta = 1 at
the start (the Shuffle Gate code's ``torch.ones``; g = sigmoid(5) = 0.993), so the search starts at
the pretrained model with hardly any noise. (The DimGrow code starts theta at 0, g = 0.5, because its
columns are grown from scratch; here every column of the pretrained model exists from the start.)

Training, as the public trainers do it (their "darts" mode): the model's weights are trained too, warm
started from the pretrained model (a deep copy): one Adam step of every weight on a training batch
(forward through the gates), then one Adam step of theta on a validation batch with the L1 penalty,
first order (``supernet.bilevel``), for ``epochs`` passes over the training split. ``passes`` counts
the training batches, ``valid_passes`` the theta steps.

Defaults: lr = 1e-3 for the weights (the public codes' rate); gate_lr = 0.1 and l1 = 0.1 (the
Shuffle Gate code's penalty weight for MovieLens-1M) for the gates. The public codes step theta at
1e-3 for up to 100 epochs; at the start sigmoid(5 theta) is saturated (dg/dtheta = 0.033), so in one
epoch of a few dozen steps a rate of 1e-3 or 1e-2 left every gate within 0.04 of the start, while
0.1 ranked the fields as dropping each from the model did (tried on a planted synthetic FM, 32 steps).

Not taken from DimGrow: its growing (a field starts at one column and gains or loses one when its
gates cross 0.6 / 0.01, under a total budget) and its penalty weight 1/(j + 1) on column j of the
columns grown so far. Here the budget belongs to the allocator, every column is scored at once, and
the penalty is the same for every column, so the scores are not ordered by position in advance.

Scores: the final gate values g (F, D), higher = more important; they need not fall along a field's
columns, so an allocation may keep any subset of columns. At evaluation the gates are not used (the
layer passes the lookup through in eval mode); the scores are only read.
"""

from __future__ import annotations

import time

import torch
from torch import nn

from ..data.spec import EncodedDataset
from ..train.runtime import model_device
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

__all__ = ["GATE_INIT", "GATE_TEMPERATURE", "ShuffleGate", "column_permutations", "dimgrow_search",
           "shuffle_mix"]

GATE_TEMPERATURE = 5.0  # g = sigmoid(5 * theta), as in both public codes
GATE_INIT = 1.0  # theta at the start: g = sigmoid(5) = 0.993, the Shuffle Gate code's start


def shuffle_mix(e: torch.Tensor, gate: torch.Tensor, perm: torch.Tensor) -> torch.Tensor:
    """e' = gate * e + (1 - gate) * shuffled, shuffled[b, f, j] = e[perm[b, f, j], f, j] (detached).

    e (B, F, D); gate (F, D), broadcast over the batch; perm (B, F, D) long, for every (f, j) a
    permutation of 0..B-1. Returns (B, F, D)."""
    shuffled = torch.gather(e, 0, perm).detach()  # the noise carries no gradient back to the table
    return gate * e + (1.0 - gate) * shuffled


def column_permutations(batch: int, num_fields: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    """(B, F, D) long: an independent random permutation of the batch for every column, drawn on the
    generator's device (argsort of uniform keys, stable, so a seed fixes it)."""
    keys = torch.rand(num_fields, dim, batch, generator=generator, device=generator.device)
    return keys.argsort(dim=-1, stable=True).permute(2, 0, 1)


class ShuffleGate(nn.Module):
    """The search layer: (B, F, D) lookup -> (B, F, D), each column gated against its shuffled copy in
    train mode, passed through unchanged in eval mode. ``theta`` (F, D) holds the gate logits, fields
    in the lookup's order; ``generator`` (on the model's device) draws the permutations."""

    def __init__(self, num_fields: int, emb_dim: int, generator: torch.Generator,
                 temperature: float = GATE_TEMPERATURE, init: float = GATE_INIT):
        super().__init__()
        self.theta = nn.Parameter(torch.full((num_fields, emb_dim), float(init)))
        self.temperature = float(temperature)
        self.generator = generator

    def gates(self) -> torch.Tensor:
        """g (F, D) = sigmoid(temperature * theta)."""
        return torch.sigmoid(self.temperature * self.theta)

    def forward(self, e: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return e
        perm = column_permutations(e.shape[0], e.shape[1], e.shape[2], self.generator)
        return shuffle_mix(e, self.gates(), perm)


def dimgrow_search(
    model: nn.Module,
    ds: EncodedDataset,
    *,
    batch_size: int,
    seed: int,
    epochs: int = 1,
    lr: float = 1e-3,
    gate_lr: float = 0.1,
    l1: float = 0.1,
) -> WidthSearch:
    """Shuffle-gate scores (the module docstring) for a pretrained uniform model; ``model`` is not changed.

    model: a CTR model with a uniform ``FieldEmbedding`` and an all-ones gate buffer.
    ds: its dataset; the train split trains the weights, the valid split the gates (both >= 2 rows).
    epochs: passes over the training split. lr: Adam's rate for the model's weights. gate_lr: Adam's
    rate for the gate logits theta. l1: the weight of the penalty l1 * mean(g) (0 switches it off).

    Returns a WidthSearch: scores (F, D) float64, the final gates g in [0, 1] (field order); detail
    holds the gates, the mean losses per epoch and the settings.
    """
    start = time.perf_counter()
    batch_size, seed, epochs = check_search_inputs(model, ds, batch_size, seed, epochs)
    lr, gate_lr = check_rate("lr", lr), check_rate("gate_lr", gate_lr)
    l1 = check_rate("l1", l1, allow_zero=True)
    emb = model.embedding
    device = model_device(model)
    with private_rng(seed, device):
        net = search_copy(model)
        shuffles = torch.Generator(device=device).manual_seed(derived_seed(seed, 2))
        gate = ShuffleGate(emb.num_fields, emb.emb_dim, shuffles).to(device)
        attach(net, "shuffle_gate", gate)
        penalty = (lambda: l1 * gate.gates().mean()) if l1 > 0 else None
        log = bilevel(net, ds, [gate.theta], batch_size=batch_size, seed=seed, epochs=epochs, lr=lr,
                      arch_lr=gate_lr, penalty=penalty)
    with torch.no_grad():
        # float64 sigmoid of the learned logits: float32 rounds every gate above 1 - 6e-8 to exactly 1,
        # a tie the allocator would then break by position instead of by the search
        theta = to_field_order(gate.theta, net).to("cpu", torch.float64)
        gates = torch.sigmoid(GATE_TEMPERATURE * theta)
    detail = {
        "method": "dimgrow",
        "gates": gates.tolist(),
        "fields": [f.name for f in ds.fields],
        "train_loss": log.train_loss,
        "valid_loss": log.valid_loss,
        "temperature": GATE_TEMPERATURE,
        "theta_init": GATE_INIT,
        "settings": {"batch_size": batch_size, "seed": seed, "epochs": epochs, "lr": lr, "gate_lr": gate_lr,
                     "l1": l1},
    }
    return WidthSearch(gates, log.passes, log.valid_passes, time.perf_counter() - start, detail)
