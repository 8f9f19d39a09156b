"""Criteo's columns and raw file formats, and :class:`FileSpec`, the description of one raw file that
the loader, the fast path and the encoder share.

Formats (``detect_format`` tells them from the first line):

* ``dac``: the original ``train.txt``: tab-separated, no header, ``label, I1..I13, C1..C26``;
* ``kaggle``: Kaggle's csv, header ``Id,Label,I1..I13,C1..C26`` (``Id`` is dropped);
* ``bars``: the BARS Criteo_x1/x4 csv splits, header ``label,I1..I13,C1..C26``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import DataFormatError
from ..readers import first_line

INT_FIELDS = tuple(f"I{i}" for i in range(1, 14))
CAT_FIELDS = tuple(f"C{i}" for i in range(1, 27))
FORMATS = {
    "dac": {"names": ("label", *INT_FIELDS, *CAT_FIELDS), "delimiter": "\t", "header": False, "label": "label"},
    "kaggle": {"names": ("Id", "Label", *INT_FIELDS, *CAT_FIELDS), "delimiter": ",", "header": True, "label": "Label"},
    "bars": {"names": ("label", *INT_FIELDS, *CAT_FIELDS), "delimiter": ",", "header": True, "label": "label"},
}


def detect_format(path) -> str:
    """'dac', 'kaggle' or 'bars', from the file's first line."""
    line = first_line(path)
    low = line.lower()
    if low.startswith("id,label,"):
        return "kaggle"
    if low.startswith("label,"):
        return "bars"
    if "\t" in line:
        return "dac"
    raise DataFormatError(path, 1, "cannot tell the Criteo format from the first line: expected a tab-separated "
                          "DAC row, a Kaggle header 'Id,Label,I1,...' or a BARS header 'label,I1,...'; "
                          f"got {line[:80]!r}")


@dataclass(frozen=True)
class FileSpec:
    """One raw file: its column names in order, delimiter, header, label column, and its split (None:
    rows are split at random by ``assign_split``)."""

    path: Path
    names: tuple[str, ...]
    delimiter: str
    header: bool
    label: str
    split: int | None = None


def file_specs(files, formats) -> list[FileSpec]:
    """Each (file, split) pair as a :class:`FileSpec`; ``formats``: file name -> format."""
    out = []
    for path, split in files:
        spec = FORMATS[formats[Path(path).name]]
        out.append(FileSpec(Path(path), tuple(spec["names"]), spec["delimiter"], spec["header"], spec["label"], split))
    return out


__all__ = ["CAT_FIELDS", "FORMATS", "INT_FIELDS", "FileSpec", "detect_format", "file_specs"]
