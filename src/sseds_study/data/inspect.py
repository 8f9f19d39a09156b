"""What kind each column of a user table looks like, from its header and a bounded sample of rows.

``inspect_table`` reads the header and the first ``sample_rows`` rows of a csv/tsv or parquet file
(the table dataset's formats, ``data.table``) and proposes a kind for every column but the label:

* ``numeric``: every sampled value parses as a number, not all of them whole numbers;
* ``categorical``: anything else with repeated values, whole numbers too: integer ids (a user, an
  item) would lose their identity in numeric buckets, so a column of whole numbers with many levels
  is kept categorical and flagged (it may be a count or an age, better declared numeric);
* ``multi``: a share of the cells hold a separator (``|``, ``;`` or ``,`` when it is not the
  file's delimiter), so one cell holds several values;
* ``ignore``: no value, one value, or a value in nearly every row of its own (an identifier).

Each proposal carries its evidence (distinct values, missing values, the share that parses as a
number, the share holding the separator) and a reason, and the proposals the sample cannot settle
are flagged ``ambiguous``: nothing is decided silently. Kinds the user declares (``declare``) replace
the proposals and are marked as declared; a declaration the sample contradicts is flagged too.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import DataFormatError, OptionError

# The readers (pyarrow) are imported when a table is read: ``sseds --help`` reads SAMPLE_ROWS from here.

KINDS = ("categorical", "numeric", "multi", "ignore")
SAMPLE_ROWS = 20_000
# Candidate separators of a multi-valued cell, in order of preference on a tie.
SEPARATORS = ("|", ";", ",")
# A separator in at least this share of a column's values makes it multi-valued; in fewer (but some)
# the column is flagged: a few values with a '|' may be text that happens to hold one.
MULTI_SHARE = 0.05
MULTI_SURE = 0.2
# Integer columns with at most this many distinct values are codes (categories), not quantities.
CODE_LEVELS = 20
# A column whose distinct values reach this share of its values is an identifier (or free text): each
# value would be seen once, so a model learns nothing from it and test rows meet unseen values.
IDENTIFIER_SHARE = 0.9
IDENTIFIER_MIN_ROWS = 100
# Numbers at or below 2 keep their own value under the log-square bucketing (``encode``): a column
# with more distinct small fractional values than this (and than a tenth of its distinct values)
# gets a bucket per value, which is flagged.
SMALL_VALUES = 20
LABEL_VALUES = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "true": 1, "false": 0}
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class ColumnReport:
    """One column's proposal and its evidence in the sample.

    rows: sampled rows; missing: of them, empty cells; distinct: distinct non-empty values;
    numeric_rate: share of the non-empty values that parse as a finite number; integer: all of those
    are whole numbers; separator / separator_rate: the likeliest multi-value separator and the share
    of non-empty values holding it; max_values: the most values one cell holds with it;
    text_example: the first sampled value that is not a number. kind: the
    proposal (or the declaration, ``declared``); reason: why, in a few words; ambiguous: the sample
    does not settle it (check it).
    """

    name: str
    rows: int
    missing: int
    distinct: int
    numeric_rate: float
    integer: bool
    small_values: int
    separator: str | None
    separator_rate: float
    max_values: int
    text_example: str | None = None  # a sampled value that is not a number
    kind: str = "categorical"
    reason: str = ""
    ambiguous: bool = False
    declared: bool = False

    @property
    def present(self) -> int:
        return self.rows - self.missing


@dataclass(frozen=True)
class TableReport:
    """The proposal for a whole table: the file, its delimiter (None for parquet), how many rows were
    sampled and whether that was the whole file, the label's positive share in the sample, and one
    ColumnReport per feature column in header order."""

    path: Path
    delimiter: str | None
    label: str
    rows: int
    whole_file: bool
    positive_rate: float
    columns: tuple[ColumnReport, ...]

    def names(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.kind == kind]

    @property
    def multi_separator(self) -> str | None:
        """The one separator the table's multi-valued columns share (the loader takes one)."""
        seps = Counter(c.separator for c in self.columns if c.kind == "multi" and c.separator)
        return seps.most_common(1)[0][0] if seps else None

    @property
    def ambiguous(self) -> list[ColumnReport]:
        return [c for c in self.columns if c.ambiguous]


# -- reading the sample -------------------------------------------------------------------------------

def file_delimiter(path: Path, delimiter: str | None = None) -> str:
    """The table loader's rule: the given one, else a tab for .tsv/.tab and a comma otherwise."""
    if delimiter:
        return "\t" if delimiter in ("\\t", "tab", "TAB", "Tab") else delimiter
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","


def _read_delimited(path: Path, delimiter: str, limit: int) -> tuple[list[str], list[list[str | None]], bool]:
    from .readers import first_line

    header = [c.strip() for c in next(csv.reader([first_line(path)], delimiter=delimiter))]
    rows: list[list[str | None]] = []
    whole = True
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            next(reader, None)
            for row in reader:
                if not row:
                    continue
                if len(rows) >= limit:
                    whole = False
                    break
                if len(row) != len(header):
                    raise DataFormatError(path, reader.line_num, f"expected {len(header)} columns (as many as the "
                                          f"header), got {len(row)}")
                rows.append([v if v.strip() else None for v in row])
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as "
                              "UTF-8") from None
    except csv.Error as exc:
        raise DataFormatError(path, None, f"cannot parse the file as delimited text ({exc})") from None
    return header, rows, whole


def _read_parquet(path: Path, limit: int) -> tuple[list[str], list[list[str | None]], bool]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataFormatError(path, None, f"not a readable parquet file ({exc})") from None
    header = list(pf.schema_arrow.names)
    columns: dict[str, list] = {n: [] for n in header}
    taken = 0
    for batch in pf.iter_batches(batch_size=min(limit, 65536)):
        batch = batch.slice(0, limit - taken)
        for i, name in enumerate(header):
            columns[name].extend(batch.column(i).to_pylist())
        taken += batch.num_rows
        if taken >= limit:
            break
    whole = taken >= pf.metadata.num_rows
    rows = [[None if v is None or str(v).strip() == "" else _text(v) for v in values]
            for values in zip(*(columns[n] for n in header), strict=True)]
    return header, rows, whole


def _text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _sample(path: Path, delimiter: str | None, limit: int):
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return (*_read_parquet(path, limit), None)
    d = file_delimiter(path, delimiter)
    return (*_read_delimited(path, d, limit), d)


# -- evidence and proposal ----------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        v = float(text.strip())
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def column_evidence(name: str, values: list[str | None], delimiter: str | None) -> ColumnReport:
    """The evidence of one column's sampled values (kind not yet proposed)."""
    present = [v for v in values if v is not None]
    parsed = [_number(v) for v in present]
    numbers = [n for n in parsed if n is not None]
    text = next((v for v, n in zip(present, parsed, strict=True) if n is None), None)
    distinct = set(present)
    small = {n for n in numbers if n <= 2 and n != int(n)}
    best, best_rate, best_max = None, 0.0, 0
    for sep in SEPARATORS:
        if sep == delimiter:
            continue
        holding = [v for v in present if sep in v]
        rate = len(holding) / len(present) if present else 0.0
        if rate > best_rate:
            best, best_rate = sep, rate
            best_max = max(len([t for t in v.split(sep) if t.strip()]) for v in holding)
    return ColumnReport(name=name, rows=len(values), missing=len(values) - len(present), distinct=len(distinct),
                        numeric_rate=len(numbers) / len(present) if present else 0.0,
                        integer=bool(numbers) and all(n == int(n) for n in numbers), small_values=len(small),
                        separator=best, separator_rate=best_rate, max_values=best_max, text_example=text)


def _count(n: int) -> str:
    return f"{n:,}"


def _share(rate: float) -> str:
    """A share as a percentage that never rounds a part to none or to all ('99.98%', not '100.0%')."""
    text = f"{rate:.1%}"
    return f"{rate:.2%}" if text in ("0.0%", "100.0%") and 0 < rate < 1 else text


def propose(col: ColumnReport) -> ColumnReport:
    """The column with its proposed kind, the reason and whether the sample settles it."""
    n = col.present
    if n == 0:
        return replace(col, kind="ignore", reason="no value in the sampled rows", ambiguous=True)
    if col.distinct == 1:
        return replace(col, kind="ignore", reason="one value in every sampled row: it says nothing")
    unique = col.distinct / n
    identifier = n >= IDENTIFIER_MIN_ROWS and unique >= IDENTIFIER_SHARE
    if col.numeric_rate == 1.0:
        if col.integer and col.distinct <= CODE_LEVELS:
            return replace(col, kind="categorical", reason=f"whole numbers with {col.distinct} levels: codes, "
                                                            "kept as categories")
        if col.integer and identifier:
            return replace(col, kind="ignore", ambiguous=True,
                           reason=f"a whole number of its own in nearly every row ({_count(col.distinct)} of "
                                  f"{_count(n)}): an identifier or a timestamp? declare it numeric to bucket it")
        if col.integer:  # a user or item id, or a count: bucketing an id would merge its values
            return replace(col, kind="categorical", ambiguous=True,
                           reason=f"whole numbers, {_count(col.distinct)} distinct: ids or codes, kept as categories; "
                                  "a quantity (a count, an age) can be declared numeric (log-square buckets)")
        if col.small_values > max(SMALL_VALUES, col.distinct // 10):
            return replace(col, kind="numeric", ambiguous=True,
                           reason=f"numbers ({_count(col.distinct)} distinct), {_count(col.small_values)} of them "
                                  "fractions at or below 2, which the log-square bucketing keeps one bucket each: "
                                  "rescale, or declare it categorical")
        return replace(col, kind="numeric", reason=f"every value a number, {_count(col.distinct)} distinct: "
                                                   "bucketed by log-square")
    if col.numeric_rate >= 0.9:
        return replace(col, kind="categorical", ambiguous=True,
                       reason=f"{_share(col.numeric_rate)} numbers, the rest text (such as {col.text_example!r}): "
                              "categorical (a numeric column stops at its first text value); clean it and declare it "
                              "numeric if it is a quantity")
    if col.separator is not None and col.separator_rate >= MULTI_SHARE:
        return replace(col, kind="multi", ambiguous=col.separator_rate < MULTI_SURE,
                       reason=f"{col.separator_rate:.0%} of its values hold {col.separator!r} (up to "
                              f"{col.max_values} in one cell)")
    if identifier:
        return replace(col, kind="ignore", ambiguous=True,
                       reason=f"a value of its own in nearly every row ({_count(col.distinct)} of {_count(n)}): an "
                              "identifier or free text? ignored: its test rows would meet unseen values")
    if col.separator is not None and col.separator_rate > 0:
        return replace(col, kind="categorical", ambiguous=True,
                       reason=f"{_count(col.distinct)} distinct values; {_share(col.separator_rate)} hold "
                              f"{col.separator!r}: categorical, or multi-valued?")
    return replace(col, kind="categorical", reason=f"{_count(col.distinct)} distinct values")


def _label_rate(path: Path, label: str, values: list[str | None], first_row_line: int) -> float:
    ones = 0
    for i, v in enumerate(values):
        key = None if v is None else v.strip().lower()
        if key not in LABEL_VALUES:
            shown = "an empty value" if v is None else repr(v)
            line = first_row_line + i if first_row_line else None
            raise DataFormatError(path, line, f"label column {label!r}: expected 0 or 1 (or true/false), got {shown}")
        ones += LABEL_VALUES[key]
    return ones / len(values) if values else float("nan")


def inspect_table(path, label: str, *, sample_rows: int = SAMPLE_ROWS, delimiter: str | None = None) -> TableReport:
    """Read the header and the first ``sample_rows`` rows of ``path`` and propose a kind for every
    column but ``label`` (DataFormatError naming the file, line or column on bad input)."""
    from .readers import check_file

    path = check_file(path)
    if isinstance(sample_rows, bool) or not isinstance(sample_rows, int) or sample_rows < 1:
        raise OptionError(f"sample rows: expected a positive integer; got {sample_rows!r}")
    header, rows, whole, delim = _sample(path, delimiter, sample_rows)
    if label not in header:
        raise DataFormatError(path, 1, f"no label column {label!r}; the header has {', '.join(header)}")
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise DataFormatError(path, 1, f"column(s) {', '.join(map(repr, twice))} appear more than once in the header; "
                              "expected each name once")
    if not rows:
        raise DataFormatError(path, None, "no data rows after the header")
    at = header.index(label)
    rate = _label_rate(path, label, [r[at] for r in rows], 0 if delim is None else 2)
    columns = tuple(propose(column_evidence(name, [r[i] for r in rows], delim))
                    for i, name in enumerate(header) if i != at)
    return settle_separator(TableReport(path=path, delimiter=delim, label=label, rows=len(rows), whole_file=whole,
                                        positive_rate=rate, columns=columns))


# -- declarations --------------------------------------------------------------------------------------

def _declared_reason(col: ColumnReport, kind: str) -> tuple[str, bool]:
    """A declaration stands; the reason says what the sample shows against it, if anything."""
    if kind == "numeric" and col.numeric_rate < 1.0 and col.present:
        return (f"declared numeric, but {_share(1 - col.numeric_rate)} of its sampled values are not numbers (such as "
                f"{col.text_example!r}): encoding stops at the first", True)
    if kind == "multi" and not col.separator_rate:
        return "declared multi-valued, but no sampled value holds a separator", True
    return f"declared {kind}", False


def declare(report: TableReport, declared: dict[str, list[str]]) -> TableReport:
    """The report with the kinds the user declared (kind -> columns, by option name) in place of the
    proposals. OptionError naming the option and column for a column not in the header, the label, or
    a column declared twice."""
    kinds: dict[str, str] = {}
    header = [c.name for c in report.columns]
    for kind, names in declared.items():
        if kind not in KINDS:
            raise OptionError(f"unknown column kind {kind!r}; expected one of {', '.join(KINDS)}")
        for name in names:
            if name == report.label:
                raise OptionError(f"--{kind}: {name!r} is the label column; a label is not a feature")
            if name not in header:
                raise OptionError(f"--{kind}: no column {name!r} in {report.path}; its columns are "
                                  f"{', '.join([report.label, *header])}")
            if name in kinds:
                raise OptionError(f"--{kind}: column {name!r} is also given to --{kinds[name]}; give each column "
                                  "one kind")
            kinds[name] = kind
    columns = []
    for col in report.columns:
        if col.name in kinds:
            reason, doubt = _declared_reason(col, kinds[col.name])
            col = replace(col, kind=kinds[col.name], reason=reason, ambiguous=doubt, declared=True)
        columns.append(col)
    return settle_separator(replace(report, columns=tuple(columns)))


def settle_separator(report: TableReport) -> TableReport:
    """The loader takes one ``multi_sep`` for the whole table: a multi-valued column whose values hold
    another separator than the one most of them share is flagged."""
    sep = report.multi_separator
    columns = tuple(replace(c, ambiguous=True, reason=f"{c.reason}; but the loader splits every multi-valued "
                                                      f"column at one separator, here {sep!r}")
                    if c.kind == "multi" and sep and c.separator and c.separator != sep else c
                    for c in report.columns)
    return replace(report, columns=columns)


def check_features(report: TableReport) -> None:
    """At least one column is a feature."""
    if not any(c.kind != "ignore" for c in report.columns):
        raise OptionError(f"{report.path}: every column is ignored; declare at least one with --categorical, "
                          "--numeric or --multi")


# -- display -------------------------------------------------------------------------------------------

def format_report(report: TableReport) -> str:
    """The proposal as a plain-text table, one row per column, ambiguous ones marked '?'."""
    sample = (f"all {report.rows:,} rows" if report.whole_file else f"the first {report.rows:,} rows")
    lines = [f"{report.path}: {sample}; label {report.label!r} (positive share {report.positive_rate:.3f})"]
    head = ("column", "kind", "", "distinct", "missing", "numbers", "separator", "why")
    rows = []
    for c in report.columns:
        sep = f"{c.separator!r} {c.separator_rate:.0%}" if c.separator else "-"
        rows.append((c.name, c.kind, "?" if c.ambiguous else ("*" if c.declared else ""), f"{c.distinct:,}",
                     f"{c.missing / c.rows:.0%}" if c.rows else "-", f"{c.numeric_rate:.0%}", sep, c.reason))
    widths = [max(len(str(r[i])) for r in (head, *rows)) for i in range(len(head) - 1)]
    for r in (head, *rows):
        lines.append("  " + "  ".join(str(v).ljust(w) for v, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1])
    doubt = report.ambiguous
    if doubt:
        lines.append(f"? {len(doubt)} column(s) the sample does not settle: "
                     f"{', '.join(c.name for c in doubt)}; check them (flags or the profile's comments)")
    if any(c.declared for c in report.columns):
        lines.append("* declared by an option")
    return "\n".join(lines)
