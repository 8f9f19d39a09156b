"""Small raw-file writers and checks shared by the data tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from sseds_study.data.criteo import CAT_FIELDS, INT_FIELDS
from sseds_study.data.readers import frame_chunks


def column_stream(columns, labels, chunk_rows=3):
    """A restartable chunk stream over in-memory columns (raw values, None = missing)."""
    return lambda: frame_chunks(columns, np.asarray(labels, dtype=np.float32), path="<test>", chunk_rows=chunk_rows)


def encoded_entries(cache: Path) -> list[str]:
    """Everything in <cache>/encoded (must stay empty after a failed load)."""
    d = cache / "encoded"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def criteo_row(label, ints, cats, sep="\t") -> str:
    ints = list(ints) + [""] * (len(INT_FIELDS) - len(ints))
    cats = list(cats) + [""] * (len(CAT_FIELDS) - len(cats))
    return sep.join(str(v) for v in [label, *ints, *cats])


def write_criteo(path: Path, n: int = 200, seed: int = 0, sep="\t", header: str | None = None) -> Path:
    """A small DAC-format file: label, 13 integers (some missing), 26 hashed categories."""
    rng = np.random.default_rng(seed)
    lines = [header] if header else []
    for i in range(n):
        ints = [("" if rng.random() < 0.2 else int(rng.integers(-2, 300))) for _ in INT_FIELDS]
        cats = [("" if rng.random() < 0.1 else f"{int(rng.integers(0, 5 + 3 * j)):08x}") for j in range(len(CAT_FIELDS))]
        prefix = [str(10_000_000 + i)] if header and header.lower().startswith("id,") else []
        lines.append(sep.join(prefix + [criteo_row(int(rng.random() < 0.25), ints, cats, sep)]))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_zip(path: Path, members: dict[str, str]) -> Path:
    """A zip archive with the given text members."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    path.write_bytes(buf.getvalue())
    return path


def write_wheel(folder: Path, project: str, version: str, members: dict[str, str]) -> Path:
    """A minimal pure-python wheel (the files pip reads: METADATA, WHEEL, RECORD) with ``members``."""
    dist = f"{project.replace('-', '_')}-{version}"
    path = Path(folder) / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
        zf.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n")
        zf.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                    "Tag: py3-none-any\n")
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return path
