"""Quotient-remainder (QR) compositional embeddings at full width D (Shi et al., KDD 2020,
"Compositional Embeddings Using Complementary Partitions for Memory-Efficient Recommendation Systems").

A field f of V_f values with ``collisions`` k_f > 1 has no per-value table. It keeps a quotient table
Q_f of ceil(V_f / k_f) rows and a remainder table R_f of k_f rows, both of width D, and value i gets

    e_f(i) = Q_f[i // k_f] * R_f[i % k_f]        (element-wise: the paper's default "mult" operation)

The pair (i // k, i % k) differs for any two values (the two partitions are complementary), so every
value still has its own vector, from ceil(V_f / k_f) + k_f rows instead of V_f. A field with k_f == 1
keeps its plain table of V_f rows. Every field has width D, so the embedding is a drop-in for a
uniform ``FieldEmbedding``: ``lookup`` returns ONE group (B, F, D) in the uniform model's group order
(single-valued fields, then multi-valued ones), and ``aligned`` / ``concat`` / ``masked`` / the gates
are FieldEmbedding's own code. ``attach_qr`` puts one into a model built by ``build_model``.

Choices, and where they differ from the public code (DLRM's ``tricks/qr_embedding_bag.py``):

* Initialisation. Quotient rows (and plain tables) are drawn N(0, 0.01^2), the plain tables' own
  ``EMB_INIT_STD``; remainder rows start at exactly 1, the identity of the product. So at step 0 every
  value's vector is its quotient row: each entry has the plain tables' distribution, and under Adam
  the quotient rows move at the plain tables' relative rate (a step of about lr on entries of scale
  0.01), so a QR model starts where a plain model of ceil(V/k) rows would. Values that share a quotient
  row start equal and separate at once: remainder row j's gradient sums over the values with remainder
  j only, so different remainder rows get different updates (no noise is needed to break symmetry).
  DLRM calls ``nn.init.uniform_(w, sqrt(1/n))`` on both tables, which reads as U(sqrt(1/n), 1) (the
  argument is the LOWER bound): all-positive entries of about 0.5, whose products are far from the
  U(-sqrt(1/n), sqrt(1/n)) of its plain tables; we do not follow it. Note that weight decay on the
  embeddings (``train.emb_weight_decay``) pulls remainder rows towards 0, not towards their start 1.
* Multi-valued fields: each value's vector is composed first and the composed vectors are mean-pooled
  (as FieldEmbedding pools its rows), so a bag's vector is the mean of its values' embeddings. DLRM's
  ``QREmbeddingBag`` pools the quotient rows and the remainder rows separately and multiplies the two
  pooled vectors, which for a bag of more than one value is not the pooled per-value embeddings.
* Quotients are integer floor divisions of the int64 ids (DLRM divides in floating point and
  truncates, which is inexact for ids beyond float precision).
* k_f is per field (chosen by ``search.qr.qr_allocation`` for a parameter budget); DLRM uses one k for
  every table above a size threshold.

Storage: the quotient tables and the plain tables of all fields are stacked in ONE ``nn.Embedding``
(``tables[0]``, rows in the uniform model's field order), and the remainder tables in a second one
(``tables[1]``, only when some k_f > 1), so a batch costs two gathers whatever F is, and the training
code (parameter groups, SparseAdam) sees ordinary embedding tables. With every k_f == 1 the layout,
the initial draws and the ``state_dict`` keys are those of the uniform FieldEmbedding.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import torch
from torch import nn

from ..data.spec import FieldSpec
from ..errors import ConfigError
from .embedding import EMB_INIT_STD, FieldEmbedding
from .gather import gather_rows

__all__ = ["QRFieldEmbedding", "attach_qr", "quotient_rows"]


def quotient_rows(vocab_size: int, collisions: int) -> int:
    """Rows of field f's first table: ceil(V_f / k_f) quotient rows for k_f > 1, V_f for k_f == 1."""
    return -(-int(vocab_size) // int(collisions))


def _check_collisions(fields: Sequence[FieldSpec], collisions) -> tuple[int, ...]:
    try:
        items = list(collisions)
    except TypeError:
        raise ConfigError(f"qr.collisions: expected one integer per field; got {collisions!r}") from None
    if len(items) != len(fields):
        raise ConfigError(f"qr.collisions: expected {len(fields)} values (one per field); got {len(items)}")
    out = []
    for spec, k in zip(fields, items, strict=True):
        if isinstance(k, torch.Tensor) and k.numel() == 1:
            k = k.item()
        if isinstance(k, bool) or not isinstance(k, numbers.Integral):  # numpy integers are Integral
            raise ConfigError(f"qr.collisions: field {spec.name!r}: expected an integer; got {k!r}")
        if not 1 <= int(k) <= spec.vocab_size:
            # k > V_f would give one quotient row and k remainder rows: more rows than the plain table
            raise ConfigError(
                f"qr.collisions: field {spec.name!r} has {spec.vocab_size} values; "
                f"expected collisions in 1..{spec.vocab_size}, got {int(k)}"
            )
        out.append(int(k))
    return tuple(out)


class QRFieldEmbedding(FieldEmbedding):
    """Per-field QR embeddings of uniform width D with FieldEmbedding's interface.

    Args:
        fields: the dataset's field specs.
        emb_dim: D, the width of every field.
        collisions: k_f per field, each in 1..V_f; 1 keeps the field's plain table.
        gates: apply the (F, D) gate buffer to the composed vectors (FieldEmbedding's semantics).
        align: recorded for ``extra_repr`` only: every field has width D, so there are no maps.

    Only FieldEmbedding's interface is shared, not its constructor (which would allocate the plain
    V_f x D tables that QR exists to avoid): ``__init__`` sets the attributes that the inherited
    ``to_aligned`` / ``to_concat`` / ``aligned`` / ``concat`` / ``masked`` read, for one width group.
    """

    def __init__(
        self,
        fields: Sequence[FieldSpec],
        emb_dim: int,
        collisions: Sequence[int],
        gates: bool = False,
        align: bool = False,
    ):
        nn.Module.__init__(self)
        self.fields = tuple(fields)
        self.emb_dim = int(emb_dim)
        num_fields = len(self.fields)
        if num_fields == 0:
            raise ConfigError("model: a model needs at least one field")
        if self.emb_dim < 1:
            raise ConfigError(f"model.emb_dim: expected a positive integer; got {emb_dim!r}")
        self.collisions: tuple[int, ...] = _check_collisions(self.fields, collisions)
        self.emb_dims = (self.emb_dim,) * num_fields
        self.gates = bool(gates)
        self.align = bool(align)
        self.register_buffer("gate", torch.ones(num_fields, self.emb_dim), persistent=False)
        self.align_maps = nn.ModuleDict()  # every field has width D: nothing to align

        # -- one width group, in the uniform model's order: singles, then multis ----------------------
        singles = [f for f in range(num_fields) if not self.fields[f].is_multi]
        multis = [f for f in range(num_fields) if self.fields[f].is_multi]
        order = singles + multis
        self.group_dims: list[int] = [self.emb_dim]
        self._group_fields: list[list[int]] = [order]
        self._qoff: dict[int, int] = {}  # field -> first row in tables[0]
        self._roff: dict[int, int] = {}  # field -> first row in tables[1] (fields with k > 1 only)
        qrows = rrows = 0
        for f in order:
            k = self.collisions[f]
            self._qoff[f] = qrows
            qrows += quotient_rows(self.fields[f].vocab_size, k)
            if k > 1:
                self._roff[f] = rrows
                rrows += k
        base = nn.Embedding(qrows, self.emb_dim)
        nn.init.normal_(base.weight, std=EMB_INIT_STD)  # the plain tables' draw (see the module docstring)
        self.tables = nn.ModuleList([base])
        if rrows:
            # built from a tensor of ones: no random draw is spent on rows that are overwritten anyway
            self.tables.append(nn.Embedding(rrows, self.emb_dim, _weight=torch.ones(rrows, self.emb_dim)))

        def buffer(name, values, dtype=torch.long):
            self.register_buffer(name, torch.tensor(values, dtype=dtype), persistent=False)

        buffer("_cols", [self.fields[f].column for f in singles])
        buffer("_k", [self.collisions[f] for f in singles])
        buffer("_qoffs", [self._qoff[f] for f in singles])
        # a plain field reads remainder row 0 (any valid row) and the product is masked to 1 for it
        buffer("_roffs", [self._roff.get(f, 0) for f in singles])
        buffer("_is_qr", [[self.collisions[f] > 1] for f in singles], torch.bool)  # (n_single, 1)
        buffer("_gidx", order)
        self._single_qr = [self.collisions[f] > 1 for f in singles]
        self._multi = [
            (self.fields[f].column, self.fields[f].width, self.collisions[f], self._qoff[f], self._roff.get(f, 0))
            for f in multis
        ]

        # -- output orderings: group-major -> field order (as FieldEmbedding computes them) -----------
        self.kept_fields: tuple[int, ...] = tuple(range(num_fields))
        rank = {f: i for i, f in enumerate(order)}
        field_perm = [rank[f] for f in range(num_fields)]
        col_perm = [rank[f] * self.emb_dim + j for f in range(num_fields) for j in range(self.emb_dim)]
        self._field_perm_identity = field_perm == list(range(num_fields))
        self._col_perm_identity = self._field_perm_identity
        buffer("_field_perm", field_perm)
        buffer("_col_perm", col_perm)

    # -- sizes ---------------------------------------------------------------------------------------
    def field_rows(self) -> tuple[int, ...]:
        """Rows per field: ceil(V_f / k_f) + k_f for k_f > 1, V_f for k_f == 1."""
        return tuple(
            quotient_rows(spec.vocab_size, k) + (k if k > 1 else 0)
            for spec, k in zip(self.fields, self.collisions, strict=True)
        )

    def field_params(self) -> tuple[int, ...]:
        """Embedding parameters per field: rows * D."""
        return tuple(r * self.emb_dim for r in self.field_rows())

    def embedding_params(self) -> int:
        """sum_f rows_f * D: the parameters of the quotient, remainder and plain tables."""
        return sum(self.field_params())

    # -- per-field views -----------------------------------------------------------------------------
    def quotient_weight(self, f: int) -> torch.Tensor:
        """Field f's quotient table (ceil(V_f / k_f), D), or its plain table (V_f, D) when k_f == 1:
        a view into ``tables[0]``."""
        rows = quotient_rows(self.fields[f].vocab_size, self.collisions[f])
        return self.tables[0].weight[self._qoff[f] : self._qoff[f] + rows]

    def remainder_weight(self, f: int) -> torch.Tensor | None:
        """Field f's remainder table (k_f, D), a view into ``tables[1]``; None when k_f == 1."""
        if f not in self._roff:
            return None
        return self.tables[1].weight[self._roff[f] : self._roff[f] + self.collisions[f]]

    def composed_weight(self, f: int) -> torch.Tensor:
        """Field f's (V_f, D) effective table: row i = Q[i // k] * R[i % k] (a computed tensor that
        keeps the graph, not a view; for analysis, not for the forward pass)."""
        q, r = self.quotient_weight(f), self.remainder_weight(f)
        if r is None:
            return q
        i = torch.arange(self.fields[f].vocab_size, device=q.device)
        k = self.collisions[f]
        return q.index_select(0, i // k) * r.index_select(0, i % k)

    def field_weight(self, f: int) -> torch.Tensor:
        raise ConfigError(
            "QR embeddings have no per-value table to slice (value i is Q[i // k] * R[i % k]); "
            "methods that read field tables (magnitude scores, PEP) do not apply; "
            "composed_weight(f) computes the effective (V_f, D) table"
        )

    def field_weights(self) -> list[torch.Tensor]:
        return [self.field_weight(f) for f in range(self.num_fields)]

    # -- forward passes ------------------------------------------------------------------------------
    def lookup(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """ids (B, C) int64 -> [(B, F, D)], fields in group order (singles then multis), gated."""
        qtab = self.tables[0]
        rtab = self.tables[1] if len(self.tables) > 1 else None
        parts = []
        if self._cols.numel():
            vals = ids.index_select(1, self._cols)  # (B, n_single)
            e = gather_rows(qtab, vals // self._k + self._qoffs)  # (B, n_single, D)
            if rtab is not None and any(self._single_qr):
                r = gather_rows(rtab, vals % self._k + self._roffs)  # (B, n_single, D)
                if not all(self._single_qr):
                    # plain fields multiply by 1; where() also hands remainder row 0 no gradient from them
                    r = torch.where(self._is_qr, r, torch.ones((), dtype=r.dtype, device=r.device))
                e = e * r
            parts.append(e)
        for col, width, k, qoff, roff in self._multi:
            vals = ids[:, col : col + width]  # (B, w), -1 = padding
            v = vals.clamp(min=0)
            emb = gather_rows(qtab, v // k + qoff)  # (B, w, D)
            if k > 1:
                emb = emb * gather_rows(rtab, v % k + roff)  # compose each value, then pool
            mask = (vals >= 0).unsqueeze(-1).to(emb.dtype)  # (B, w, 1)
            count = mask.sum(1).clamp(min=1.0)  # (B, 1); an all-padding row gives 0 / 1 = 0
            parts.append(((emb * mask).sum(1) / count).unsqueeze(1))  # (B, 1, D)
        e = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)  # (B, F, D)
        if self.gates:
            e = e * self.gate.index_select(0, self._gidx)  # (F, D) broadcast over B
        return [e]

    def extra_repr(self) -> str:
        return (
            f"fields={self.num_fields}, emb_dim={self.emb_dim}, collisions={list(self.collisions)}, "
            f"rows={list(self.field_rows())}, gates={self.gates}"
        )


def attach_qr(model: nn.Module, collisions) -> nn.Module:
    """Replace ``model.embedding`` (a uniform-width FieldEmbedding: ``build_model(fields, cfg)`` with
    ``cfg.emb_dims=None``) by a QRFieldEmbedding of the same fields, D, gates and device; return model.

    ``collisions``: k_f per field, or anything with a ``collisions`` attribute (a
    ``search.qr.QRAllocation``). Every model reads its embeddings only through ``aligned`` /
    ``concat``, and a uniform model has no alignment maps, so no other layer changes; the new tables
    draw from torch's global generator (seed first, as for ``build_model``). ``count_params`` then
    counts the QR tables as the embedding parameters.
    """
    old = getattr(model, "embedding", None)
    if not isinstance(old, FieldEmbedding):
        raise ConfigError(f"{type(model).__name__}: attach_qr expects a model with a FieldEmbedding `embedding`")
    if any(d != old.emb_dim for d in old.emb_dims):
        raise ConfigError(
            f"attach_qr: expected a uniform-width model (every field at D={old.emb_dim}); "
            f"got widths {list(old.emb_dims)}"
        )
    collisions = getattr(collisions, "collisions", collisions)
    weight = old.tables[0].weight
    new = QRFieldEmbedding(old.fields, old.emb_dim, collisions, gates=old.gates, align=old.align)
    model.embedding = new.to(device=weight.device, dtype=weight.dtype)
    return model
