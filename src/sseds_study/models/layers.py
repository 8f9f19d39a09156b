"""Building blocks shared by the models: FM term, first-order term, MLP, cross network, inner products.

Every block states its shape contract; B = batch, F = fields, D = the base width (emb_dim), K = flat
input width.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import torch
from torch import nn

from ..data.spec import FieldSpec
from .embedding import FieldEmbedding


def fm_interaction(emb: torch.Tensor) -> torch.Tensor:
    """Second-order FM term: sum over field pairs f < g of <v_f, v_g>.

    emb (B, F, D) -> (B,). Vectorised as 0.5 * ((sum_f v_f)^2 - sum_f v_f^2), summed over D:
    O(F D) per row instead of O(F^2 D). With gradients, ``_FMInteraction`` computes the same forward
    and writes the backward out by hand.
    """
    if emb.requires_grad and torch.is_grad_enabled():
        return _FMInteraction.apply(emb)
    return _fm_with_sum(emb)[0]


def _fm_with_sum(emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(the FM term (B,), sum_f v_f (B, D)); squares as x * x, which is how torch computes pow(x, 2)."""
    summed = emb.sum(dim=1)  # (B, D)
    square_of_sum = summed * summed
    sum_of_square = (emb * emb).sum(dim=1)  # (B, D)
    return 0.5 * (square_of_sum - sum_of_square).sum(dim=1), summed


class _FMInteraction(torch.autograd.Function):
    """The FM term with its gradient written out: d/d v_fd = g * s_d - g * v_fd, s = sum_f v_f.

    Autograd derives the same gradient through six saved intermediates (two pows, their backward
    multiplies, an expand and a sum of the two paths); this does it in two multiplies and a subtract.
    It is the same to the bit: autograd's two paths are 0.5 g * (2 s) and -0.5 g * (2 v), products
    whose factors only differ by powers of two, so each rounds to g * s and -(g * v) exactly; their
    sum is g * s - g * v (tests/models/test_layers.py compares both on random inputs)."""

    @staticmethod
    def forward(ctx, emb: torch.Tensor) -> torch.Tensor:
        out, summed = _fm_with_sum(emb)
        ctx.save_for_backward(emb, summed)
        return out

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        emb, summed = ctx.saved_tensors
        g_summed = (grad[:, None] * summed).unsqueeze(1)  # (B, 1, D): g * s once per row, not per field
        # not addcmul: it fuses the multiply into the add (one rounding), autograd rounds twice. Both
        # steps write one (B, F, D) buffer: a second one of that size cost more than the arithmetic
        # (a fresh allocation the size of the batch's embeddings, on every step).
        if torch.is_grad_enabled():  # a double backward (create_graph=True) cannot write in place
            return g_summed - grad[:, None, None] * emb
        out = torch.mul(emb, grad[:, None, None])  # g * v
        return torch.sub(g_summed, out, out=out)  # g * s - g * v, (B, F, D)


class FirstOrder(nn.Module):
    """First-order (linear) term: global bias + sum_f w_f[x_f], one V_f x 1 table per field.

    Reuses FieldEmbedding at width 1, so all tables are one gather and multi-valued fields are
    mean-pooled like the embeddings. Every field keeps its first-order weight whatever its embedding
    width: these V_f parameters per field count as "other", not as embedding parameters.
    ids (B, C) -> (B,).
    """

    def __init__(self, fields: Sequence[FieldSpec]):
        super().__init__()
        self.weights = FieldEmbedding(fields, emb_dim=1)
        nn.init.zeros_(self.weights.tables[0].weight)
        self.bias = nn.Parameter(torch.zeros(()))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.weights.concat(ids).sum(dim=1) + self.bias  # (B, F) -> (B,)


def _linear(in_dim: int, out_dim: int) -> nn.Linear:
    """nn.Linear that accepts in_dim == 0 quietly (a slim model may drop every field)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Initializing zero-element tensors is a no-op")
        return nn.Linear(in_dim, out_dim)


class MLP(nn.Module):
    """Linear -> ReLU -> [Dropout] per hidden layer, then an optional output Linear.

    x (B, in_dim) -> (B, out_dim) when ``out_dim`` is given, else (B, hidden_dims[-1]) (or the input
    itself when there are no hidden layers). ``output_dim`` says which.
    """

    def __init__(
        self,
        in_dim: int,
        hidden_dims: Sequence[int],
        dropout: float = 0.0,
        out_dim: int | None = 1,
    ):
        super().__init__()
        layers: list[nn.Module] = []
        width = in_dim
        for h in hidden_dims:
            layers.append(_linear(width, h))
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = h
        if out_dim is not None:
            layers.append(_linear(width, out_dim))
            width = out_dim
        self.net = nn.Sequential(*layers)
        self.output_dim = width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CrossNetwork(nn.Module):
    """DCN-v1 cross network: x_{l+1} = x_0 * (x_l . w_l + s_l) + b_l + x_l.

    x0 (B, K) -> (B, K). Each layer has 2K parameters (w_l, b_l). The scalar offsets s_l are absent
    (0) in a model built from a config; ``inherit`` adds them, see there.
    """

    def __init__(self, in_dim: int, num_layers: int):
        super().__init__()
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.empty(in_dim).uniform_(-1.0, 1.0) / max(in_dim, 1) ** 0.5) for _ in range(num_layers)]
        )
        self.biases = nn.ParameterList([nn.Parameter(torch.zeros(in_dim)) for _ in range(num_layers)])
        self.register_parameter("offsets", None)  # (num_layers - 1,): s_1.. (s_0 is always 0)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        x = x0
        for layer, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            xw = x @ w  # (B,)
            if self.offsets is not None and layer > 0:
                xw = xw + self.offsets[layer - 1]
            x = x0 * xw.unsqueeze(1) + b + x  # (B, K)
        return x

    @torch.no_grad()
    def inherit(self, src: CrossNetwork, kept: torch.Tensor, dropped: torch.Tensor) -> torch.Tensor:
        """Become ``src`` restricted to the input positions ``kept``, where ``src`` sees zeros at the
        positions ``dropped`` (a pruned field's block). Returns x_L on the dropped positions, a
        constant the caller folds into whatever reads the output.

        On a dropped block x_0 = 0, so x_l there is the constant c_l = b_0 + .. + b_{l-1}: it adds
        the constant c_l . w_l to every layer's x_l . w_l. Nothing in x_0 * (x_l . w_l) + b_l + x_l
        can absorb a constant times x_0, so when fields are dropped the slim network keeps those
        constants as trainable offsets s_l (one scalar per layer after the first; c_0 = 0): exactly
        what the pruned blocks still contribute.
        """
        if len(self.weights) != len(src.weights):
            raise ValueError(f"inherit: the cross network has {len(src.weights)} layers in the pretrained model; "
                             f"the slim model expects {len(self.weights)}")
        width = len(kept) + len(dropped)
        const = torch.zeros(len(dropped), dtype=torch.float64)  # c_l on the dropped positions
        offsets = []
        for layer, (w, b) in enumerate(zip(src.weights, src.biases, strict=True)):
            w, b = w.detach().cpu().double(), b.detach().cpu().double()
            if w.shape[0] != width:
                raise ValueError(f"inherit: cross layer {layer} has {w.shape[0]} inputs in the pretrained model; "
                                 f"expected {width} (fields x emb_dim)")
            self.weights[layer].copy_(w[kept])
            self.biases[layer].copy_(b[kept])
            if layer > 0:
                offsets.append(const @ w[dropped])
            const = const + b[dropped]
        self.offsets = None
        if len(dropped) and offsets:
            self.offsets = nn.Parameter(torch.stack(offsets).to(self.weights[0]))
        return const


class InnerProduct(nn.Module):
    """Pairwise inner products <v_f, v_g> for f < g (the product layer of IPNN).

    emb (B, F, D) -> (B, F (F - 1) / 2), pairs in row-major order of the upper triangle.
    """

    def __init__(self, num_fields: int):
        super().__init__()
        rows, cols = torch.triu_indices(num_fields, num_fields, offset=1)
        self.register_buffer("rows", rows, persistent=False)
        self.register_buffer("cols", cols, persistent=False)
        self.num_pairs = int(rows.numel())

    def forward(self, emb: torch.Tensor) -> torch.Tensor:
        left = emb.index_select(1, self.rows)  # (B, P, D)
        right = emb.index_select(1, self.cols)  # (B, P, D)
        return (left * right).sum(dim=2)  # (B, P)
