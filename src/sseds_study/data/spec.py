"""The one encoded form shared by every dataset.

Every field, whatever its raw kind, is encoded as integer ids into its own vocabulary:

* id 0 is the field's out-of-vocabulary (OOV) id: values seen fewer than ``min_count`` times in the
  training split, and values never seen in training, map to it;
* ids 1..V_f-1 are the kept values; ``vocab_size`` V_f counts the OOV row;
* numeric fields are bucketised into categories first (Criteo: floor(ln(v)^2) for v > 2);
* a multi-valued field (e.g. movie genres) occupies ``width`` columns, padded with -1.

All fields sit side by side in one ``int64`` matrix ``ids`` of shape (N, C), C = sum of widths, so a
batch is one row slice; ``FieldSpec.column`` says where a field starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

KINDS = ("categorical", "numeric", "multi")
SPLITS = ("train", "valid", "test")
PAD = -1  # padding id in the columns of a multi-valued field


@dataclass(frozen=True)
class FieldSpec:
    """One feature field of an encoded dataset.

    name: the raw column name; kind: one of KINDS (before encoding); vocab_size: V_f, including the
    OOV row 0; column: first column in ``EncodedDataset.ids``; width: number of columns (1, or the
    maximum number of values for a multi-valued field).
    """

    name: str
    kind: str
    vocab_size: int
    column: int
    width: int = 1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"field {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.vocab_size < 1:
            raise ValueError(f"field {self.name!r}: vocab_size must be >= 1, got {self.vocab_size}")
        if self.width < 1:
            raise ValueError(f"field {self.name!r}: width must be >= 1, got {self.width}")

    @property
    def is_multi(self) -> bool:
        return self.kind == "multi"


@dataclass
class EncodedDataset:
    """Encoded arrays plus the manifest that says how they were made.

    ids: int64 (N, C); labels: float32 (N,) in {0, 1}; split: int8 (N,) with 0/1/2 = train/valid/test.
    vocabularies: per field, the raw value (as a string) of each id, index 0 = "<OOV>".
    manifest: JSON-serialisable provenance (dataset name, options, source checksums, row counts,
    vocabulary sizes, and for synthetic data the planted truth).
    cache_path: the encoded-cache directory this dataset lives in (None if not cached);
    from_cache: True when it was read from that cache instead of being parsed (runtime facts, kept
    out of the manifest so the manifest stays identical between the first and later loads).
    """

    name: str
    fields: tuple[FieldSpec, ...]
    ids: np.ndarray
    labels: np.ndarray
    split: np.ndarray
    manifest: dict[str, Any] = field(default_factory=dict)
    vocabularies: dict[str, list[str]] | None = None
    cache_path: str | None = None
    from_cache: bool = False

    def __post_init__(self):
        n = len(self.labels)
        if self.ids.ndim != 2 or self.ids.shape[0] != n or len(self.split) != n:
            raise ValueError(
                f"dataset {self.name!r}: ids {self.ids.shape}, labels {self.labels.shape} and "
                f"split {self.split.shape} must agree on the number of rows"
            )
        expected_cols = sum(f.width for f in self.fields)
        if self.ids.shape[1] != expected_cols:
            raise ValueError(
                f"dataset {self.name!r}: ids has {self.ids.shape[1]} columns, fields need {expected_cols}"
            )

    # -- shape helpers -------------------------------------------------------------------------
    @property
    def num_fields(self) -> int:
        return len(self.fields)

    @property
    def vocab_sizes(self) -> list[int]:
        return [f.vocab_size for f in self.fields]

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def __len__(self) -> int:
        return len(self.labels)

    def split_index(self, name: str) -> np.ndarray:
        """Row indices of one split ('train', 'valid' or 'test'), in file order."""
        if name not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {name!r}")
        return np.flatnonzero(self.split == SPLITS.index(name))

    def subset(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, labels) of one split."""
        idx = self.split_index(name)
        return self.ids[idx], self.labels[idx]

    def field_columns(self, f: int) -> np.ndarray:
        spec = self.fields[f]
        return self.ids[:, spec.column : spec.column + spec.width]

    def replace(self, **changes) -> EncodedDataset:
        return dataclasses.replace(self, **changes)


def make_field_specs(names, kinds, vocab_sizes, widths=None) -> tuple[FieldSpec, ...]:
    """Lay fields out side by side: each field's column is the sum of the widths before it."""
    widths = widths or [1] * len(names)
    specs, col = [], 0
    for name, kind, v, w in zip(names, kinds, vocab_sizes, widths, strict=True):
        specs.append(FieldSpec(name=name, kind=kind, vocab_size=int(v), column=col, width=int(w)))
        col += int(w)
    return tuple(specs)
