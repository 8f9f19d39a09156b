"""``sseds init``: a study profile for one's own table, written from ``data.inspect``'s proposal.

The profile runs the book's protocol (``tiers.book_protocol``: every setting of
``configs/default.yaml``) at a tier (``tiers``: ``full`` by default, ``quick``), on one ``table``
dataset whose path is written relative to the profile's folder (as profiles read it). Every choice
carries a comment: each column's kind with its evidence (a '?' where the sample does not settle it),
the columns left out and why, and where each protocol setting comes from. The file is checked by
loading it as a profile before it replaces anything, and is written atomically; an existing file is
kept unless ``force``.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import yaml

from ..data.inspect import TableReport
from ..errors import ConfigError, SsedsError
from ..fileio import atomic_path
from .profile import load_study
from .tiers import book_protocol, get_tier

# Why each protocol setting is what it is, one line each (the profile's comments).
PROTOCOL_NOTES = {
    "split_per_seed": "seed s splits the table 8:1:1 with split_seed + s, so the intervals include the split",
    "tune": "lr x embedding weight decay, chosen per base model on the full model's validation AUC first",
    "model": "base width D of every field before the search, and the MLP of the deep models",
    "train": "every fit early-stops on validation AUC",
    "search": "SSEDS's settings; min_dim 1: every field keeps at least one dimension",
    "pep": "PEP's search run, as chosen for the book on MovieLens-100K",
    "workers": "parallel processes (one core each)",
}
TIER_NOTES = {
    "models": "base models",
    "methods": "full: the reference; sseds and what it is set against at equal parameters",
    "budgets": "fractions of the full model's embedding parameters",
    "seeds": "each seed: its own split, pretrained model and retrains",
}
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


def profile_name(out: Path) -> str:
    """A profile's name from its file name: letters, digits, '_', '-' and '.' (it names a results folder)."""
    name = _NAME_CHARS.sub("_", out.stem).strip("._-")
    if not name:
        raise ConfigError(f"--out {out}: cannot make a profile name of {out.stem!r}; use letters and digits")
    return name


def _flow(value) -> str:
    """A value as one line of YAML (flow style)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()
    return text.removesuffix("...").strip()


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _column_lines(report: TableReport, kind: str) -> list[str]:
    cols = [c for c in report.columns if c.kind == kind]
    if not cols:
        return []
    width = max(len(_flow(c.name)) for c in cols)
    lines = [f"      {kind}:"]
    for c in cols:
        mark = "? " if c.ambiguous else ""
        lines.append(f"        - {_flow(c.name):<{width}}  # {mark}{_comment(c.reason)}")
    return lines


def profile_text(report: TableReport, *, name: str, data_path: str, tier: str = "full", source: str = "") -> str:
    """The profile's YAML with its comments."""
    t = get_tier(tier)
    protocol = book_protocol()
    sample = f"all {report.rows:,} rows" if report.whole_file else f"its first {report.rows:,} rows"
    doubt = report.ambiguous
    lines = [
        f"# Written by `sseds init` on {datetime.date.today().isoformat()} from {report.path.name} ({sample} sampled).",
        f"# The book's protocol (configs/default.yaml) on your table, {t.name} tier: {t.what}.",
        "# Edit any line (a column's kind: move it between the lists below), then run",
        f"#   sseds report <this file>           # the {t.name} tier, as written here",
    ]
    lines.append("#   sseds report <this file> --quick   # the quick tier first (its own results, as <name>-quick)"
                 if tier == "full" else "# (the full tier: `sseds init` again without --quick)")
    if doubt:
        lines.append(f"# '?' marks {len(doubt)} column(s) the sample did not settle: "
                     f"{', '.join(c.name for c in doubt)}. Check them.")
    if source:
        lines.append(f"# Command: {source}")
    lines += [
        f"name: {_flow(name)}",
        "datasets:",
        "  - name: table",
        "    options:",
        f"      path: {_flow(data_path):<20}  # relative to this file's folder",
        f"      label: {_flow(report.label):<19}  # 0/1 (or true/false); positive share {report.positive_rate:.3f} "
        "in the sample",
    ]
    for kind in ("categorical", "numeric", "multi"):
        lines += _column_lines(report, kind)
    sep = report.multi_separator
    if report.names("multi"):
        lines.append(f"      multi_sep: {_flow(sep or '|'):<15}  # one separator for every multi-valued column")
    if report.delimiter not in (None, ",", "\t"):
        lines.append(f"      delimiter: {_flow(report.delimiter)}")
    ignored = [c for c in report.columns if c.kind == "ignore"]
    if ignored:
        lines.append("      # Left out (columns not listed are ignored; list one above to use it):")
        width = max(len(c.name) for c in ignored)
        lines += [f"      #   {c.name:<{width}}  {'? ' if c.ambiguous else ''}{_comment(c.reason)}" for c in ignored]
    settings = t.settings()
    for key in ("models", "methods", "budgets", "seeds"):
        lines.append(f"{key}: {_flow(settings[key])}  # {TIER_NOTES[key]}")
    for key, value in protocol.items():
        lines.append(f"{key}: {_flow(value)}  # {PROTOCOL_NOTES.get(key, 'as in configs/default.yaml')}")
    return "\n".join(lines) + "\n"


def relative_data_path(data: Path, out: Path) -> str:
    """The data file's path as the profile at ``out`` reads it: relative to the profile's folder."""
    return Path(os.path.relpath(Path(data).resolve(), Path(out).resolve().parent)).as_posix()


def write_profile(out: Path, text: str, *, force: bool = False) -> Path:
    """Write the profile atomically, after loading it as a profile (so a bad one never lands); an
    existing file is kept unless ``force``."""
    out = Path(out)
    if out.exists() and not force:
        raise SsedsError(f"--out {out}: exists; pass --force to replace it")
    if out.is_dir():
        raise SsedsError(f"--out {out}: is a folder; expected a .yaml file")
    if out.suffix not in (".yaml", ".yml"):
        raise SsedsError(f"--out {out}: expected a file name ending in .yaml")
    with atomic_path(out) as tmp:
        tmp.write_text(text)
        try:  # read where it will live: the data path is relative to this folder
            load_study(tmp)
        except ConfigError as exc:
            raise SsedsError(f"sseds init wrote a profile it cannot read: {str(exc).replace(str(tmp), str(out))}"
                             ) from None
    return out
