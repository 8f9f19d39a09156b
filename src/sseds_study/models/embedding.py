"""Field embeddings of uniform or mixed width, with optional saliency gates and alignment maps.

Shape contract (B = batch, C = id columns, F = fields, F' = fields of non-zero width, D = the base width ``emb_dim``,
d_f = width of field f):

* ``lookup(ids (B, C))`` -> one tensor per width group, ``(B, n_g, d_g)``, gates already applied;
* ``aligned(ids)`` -> ``(B, F', D)``: every kept field mapped to D by its own bias-free
  ``nn.Linear(d_f, D)`` (no map where d_f == D); fields of width 0 are left out;
* ``concat(ids)`` -> ``(B, sum_f d_f)``: the fields side by side in field order, field f's d_f
  columns contiguous (the input of an MLP).

Storage: fields of equal width share ONE ``nn.Embedding`` whose rows are the fields' tables stacked
(row offsets per field), so a uniform model does a single gather per batch. A field of width 0 has
no table and no parameters. Multi-valued fields (kind "multi", padded with -1) are mean-pooled over
their non-padding values; a row with no values gives a zero vector.

Gates: a (F, D) buffer of ones. When gating is on, field f's vector is ``e_f * gate[f, :d_f]``, so
``embedding.gate.requires_grad_(True)`` followed by a backward pass gives d(loss)/d(gate) of shape
(F, D), the SSEDS saliency signal. The buffer is not persistent (not in ``state_dict``), so a
checkpoint loads into a model built with or without gates. ``with embedding.masked(keep_mask):``
zeroes the dropped (field, dim) pairs for the length of a block (the ``prune_only`` evaluation).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import torch
from torch import nn

from ..data.spec import FieldSpec
from ..errors import ConfigError
from .gather import gather_rows

EMB_INIT_STD = 0.01  # N(0, 0.01^2) for embedding rows, the same for every width


class FieldEmbedding(nn.Module):
    """Per-field embedding tables of uniform (``emb_dims=None``) or mixed widths.

    Args:
        fields: the dataset's field specs (column, width, vocab_size, kind).
        emb_dim: D, the base width; also the width of the aligned output.
        emb_dims: d_f per field, each in 0..D; ``None`` gives every field D.
        gates: apply the (F, D) gate buffer to the looked-up vectors.
        align: build the per-field ``Linear(d_f, D)`` maps that ``aligned`` needs for d_f < D.
            Without them ``aligned`` is only available when every kept field has width D.
    """

    def __init__(
        self,
        fields: Sequence[FieldSpec],
        emb_dim: int,
        emb_dims: Sequence[int] | None = None,
        gates: bool = False,
        align: bool = False,
    ):
        super().__init__()
        self.fields = tuple(fields)
        self.emb_dim = int(emb_dim)
        num_fields = len(self.fields)
        if num_fields == 0:
            raise ConfigError("model: a model needs at least one field")
        if emb_dims is None:
            emb_dims = [self.emb_dim] * num_fields
        emb_dims = [int(d) for d in emb_dims]
        if len(emb_dims) != num_fields:
            raise ConfigError(f"model.emb_dims: expected {num_fields} widths (one per field); got {len(emb_dims)}")
        for spec, d in zip(self.fields, emb_dims, strict=True):
            if not 0 <= d <= self.emb_dim:
                raise ConfigError(f"model.emb_dims: field {spec.name!r} has width {d}; expected 0..{self.emb_dim}")
        self.emb_dims = tuple(emb_dims)
        self.gates = bool(gates)
        self.align = bool(align)
        self.register_buffer("gate", torch.ones(num_fields, self.emb_dim), persistent=False)

        # -- width groups: one table per distinct non-zero width ---------------------------------------
        widths = sorted({d for d in emb_dims if d > 0}, reverse=True)
        self.group_dims: list[int] = widths
        self.tables = nn.ModuleList()
        self._group_fields: list[list[int]] = []  # field indices per group: singles first, then multis
        self._group_multi: list[list[tuple[int, int, int, int]]] = []  # (field, column, width, row offset)
        self._field_group: dict[int, tuple[int, int]] = {}  # field -> (group, row offset)
        for g, d in enumerate(widths):
            members = [f for f in range(num_fields) if emb_dims[f] == d]
            singles = [f for f in members if not self.fields[f].is_multi]
            multis = [f for f in members if self.fields[f].is_multi]
            order = singles + multis
            offsets, rows = [], 0
            for f in order:
                offsets.append(rows)
                self._field_group[f] = (g, rows)
                rows += self.fields[f].vocab_size
            table = nn.Embedding(rows, d)
            nn.init.normal_(table.weight, std=EMB_INIT_STD)
            self.tables.append(table)
            self._group_fields.append(order)
            self.register_buffer(f"_cols{g}", torch.tensor([self.fields[f].column for f in singles], dtype=torch.long), persistent=False)
            self.register_buffer(f"_offs{g}", torch.tensor(offsets[: len(singles)], dtype=torch.long), persistent=False)
            self.register_buffer(f"_gidx{g}", torch.tensor(order, dtype=torch.long), persistent=False)
            self._group_multi.append(
                [(f, self.fields[f].column, self.fields[f].width, offsets[len(singles) + i]) for i, f in enumerate(multis)]
            )

        # -- output orderings: group-major -> field order ---------------------------------------------
        self.kept_fields: tuple[int, ...] = tuple(f for f in range(num_fields) if emb_dims[f] > 0)
        group_major = [f for order in self._group_fields for f in order]
        rank = {f: i for i, f in enumerate(group_major)}
        field_perm = [rank[f] for f in self.kept_fields]  # aligned[:, k] = group_major_stack[:, field_perm[k]]
        col_start, start = {}, 0
        for f in group_major:
            col_start[f] = start
            start += emb_dims[f]
        col_perm = [col_start[f] + j for f in self.kept_fields for j in range(emb_dims[f])]
        self._field_perm_identity = field_perm == list(range(len(field_perm)))
        self._col_perm_identity = col_perm == list(range(len(col_perm)))
        self.register_buffer("_field_perm", torch.tensor(field_perm, dtype=torch.long), persistent=False)
        self.register_buffer("_col_perm", torch.tensor(col_perm, dtype=torch.long), persistent=False)

        # -- alignment maps d_f -> D, one per kept field with d_f < D ----------------------------------
        self.align_maps = nn.ModuleDict()
        if self.align:
            for f in self.kept_fields:
                d = emb_dims[f]
                if d < self.emb_dim:
                    lin = nn.Linear(d, self.emb_dim, bias=False)
                    # orthonormal columns: the map preserves norms, so a slim model starts at the
                    # same scale as the uniform one whatever its widths
                    nn.init.orthogonal_(lin.weight)
                    self.align_maps[str(f)] = lin

    # -- sizes ---------------------------------------------------------------------------------------
    @property
    def num_fields(self) -> int:
        return len(self.fields)

    @property
    def num_kept_fields(self) -> int:
        """F', the number of fields of non-zero width (the second axis of ``aligned``)."""
        return len(self.kept_fields)

    @property
    def concat_dim(self) -> int:
        """sum_f d_f, the width of ``concat``."""
        return sum(self.emb_dims)

    def embedding_params(self) -> int:
        """sum_f V_f * d_f: the parameters in the embedding tables."""
        return sum(t.weight.numel() for t in self.tables)

    def alignment_params(self) -> int:
        """sum of d_f * D over the fields that have an alignment map."""
        return sum(p.numel() for p in self.align_maps.parameters())

    # -- per-field views -----------------------------------------------------------------------------
    def field_weight(self, f: int) -> torch.Tensor:
        """Field f's table, a (V_f, d_f) view into its group's table (empty (V_f, 0) for width 0)."""
        if self.emb_dims[f] == 0:
            device = self.gate.device
            return torch.empty(self.fields[f].vocab_size, 0, device=device)
        g, off = self._field_group[f]
        return self.tables[g].weight[off : off + self.fields[f].vocab_size]

    def field_weights(self) -> list[torch.Tensor]:
        """All tables as (V_f, d_f) views, in field order."""
        return [self.field_weight(f) for f in range(self.num_fields)]

    def align_map(self, f: int) -> nn.Linear | None:
        """Field f's ``Linear(d_f, D)``, or None (no map: d_f == D, d_f == 0, or align=False)."""
        key = str(f)
        return self.align_maps[key] if key in self.align_maps else None

    # -- gates ---------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def masked(self, keep_mask: torch.Tensor) -> Iterator[FieldEmbedding]:
        """Within the block, (field, dim) pairs where ``keep_mask`` (bool (F, D)) is False are zeroed.

        Sets the gate to the mask and switches gating on; on exit (normal or by an exception) the
        gate's values and the ``gates`` flag are restored. Used for the ``prune_only`` evaluation of
        a pretrained model::

            with model.embedding.masked(alloc.kept):
                metrics = evaluate(model, ids, labels)
        """
        mask = torch.as_tensor(keep_mask, device=self.gate.device)
        if mask.dtype != torch.bool:
            raise ValueError(f"masked expects a bool keep-mask; got dtype {mask.dtype}")
        if mask.shape != self.gate.shape:
            raise ValueError(f"keep-mask must have shape {tuple(self.gate.shape)}; got {tuple(mask.shape)}")
        saved_gate, saved_gates = self.gate.detach().clone(), self.gates
        with torch.no_grad():
            self.gate.copy_(mask.to(self.gate.dtype))
        self.gates = True
        try:
            yield self
        finally:
            with torch.no_grad():
                self.gate.copy_(saved_gate)
            self.gates = saved_gates

    # -- forward passes ------------------------------------------------------------------------------
    def lookup(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """ids (B, C) int64 -> per width group a (B, n_g, d_g) tensor, fields in group order, gated."""
        out = []
        for g, table in enumerate(self.tables):
            parts = []
            cols = getattr(self, f"_cols{g}")
            if cols.numel():
                idx = ids.index_select(1, cols) + getattr(self, f"_offs{g}")  # (B, n_single)
                parts.append(gather_rows(table, idx))  # (B, n_single, d_g)
            for _f, col, width, off in self._group_multi[g]:
                vals = ids[:, col : col + width]  # (B, w), -1 = padding
                emb = gather_rows(table, vals.clamp(min=0) + off)  # (B, w, d_g)
                mask = (vals >= 0).unsqueeze(-1).to(emb.dtype)  # (B, w, 1)
                emb = emb * mask
                count = mask.sum(1).clamp(min=1.0)  # (B, 1); an all-padding row gives 0 / 1 = 0
                parts.append((emb.sum(1) / count).unsqueeze(1))  # (B, 1, d_g)
            e = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)  # (B, n_g, d_g)
            if self.gates:
                d = self.group_dims[g]
                e = e * self.gate[getattr(self, f"_gidx{g}"), :d]  # (n_g, d_g) broadcast over B
            out.append(e)
        return out

    def to_aligned(self, groups: list[torch.Tensor]) -> torch.Tensor:
        """Per-group lookups (non-empty list) -> (B, F', D) in field order."""
        mapped = []
        for g, e in enumerate(groups):
            d = self.group_dims[g]
            if d == self.emb_dim:
                mapped.append(e)
                continue
            if not self.align:
                raise RuntimeError("aligned() needs align=True when some field is narrower than emb_dim")
            weights = torch.stack([self.align_maps[str(f)].weight for f in self._group_fields[g]])  # (n_g, D, d_g)
            mapped.append(torch.einsum("bnd,nkd->bnk", e, weights))  # (B, n_g, D)
        out = mapped[0] if len(mapped) == 1 else torch.cat(mapped, dim=1)  # (B, F', D), group-major
        if not self._field_perm_identity:
            out = out.index_select(1, self._field_perm)
        return out

    def to_concat(self, groups: list[torch.Tensor]) -> torch.Tensor:
        """Per-group lookups -> (B, sum_f d_f), field f's columns contiguous, fields in order."""
        flat = [e.flatten(1) for e in groups]  # (B, n_g * d_g) each
        out = flat[0] if len(flat) == 1 else torch.cat(flat, dim=1)
        if not self._col_perm_identity:
            out = out.index_select(1, self._col_perm)
        return out

    def aligned(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, C) -> (B, F', D)."""
        return self._empty_or(ids, self.to_aligned, (self.emb_dim,))

    def concat(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, C) -> (B, sum_f d_f)."""
        return self._empty_or(ids, self.to_concat, ())

    def aligned_and_concat(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both views from one lookup: ((B, F', D), (B, sum_f d_f))."""
        if not self.tables:
            return self.aligned(ids), self.concat(ids)
        groups = self.lookup(ids)
        return self.to_aligned(groups), self.to_concat(groups)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Default view: ``concat`` (B, sum_f d_f)."""
        return self.concat(ids)

    def _empty_or(self, ids, fn, tail):
        """fn(lookup(ids)), or an empty (B, 0, *tail) tensor when every field has width 0."""
        if not self.tables:
            shape = (ids.shape[0], 0) + tail
            return torch.zeros(shape, dtype=self.gate.dtype, device=self.gate.device)
        return fn(self.lookup(ids))

    def extra_repr(self) -> str:
        return (
            f"fields={self.num_fields}, emb_dim={self.emb_dim}, emb_dims={list(self.emb_dims)}, "
            f"gates={self.gates}, align={self.align}"
        )
