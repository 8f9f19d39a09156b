"""Tables for reading: what a chapter shows instead of a data-frame dump.

``compact_table`` turns a long results frame (one row per cell: keys, a mean, its 95% half-width,
perhaps a verdict) into a wide one: the compared things (methods, baselines, variants) as columns,
the keys (model, budget, ...) as the first columns of each row, every cell one string such as
``0.7761 ± 0.0032`` or ``+0.0123 ± 0.0040 ▲``, and the best entry of each row in bold.
``plain_table`` formats any frame the same way without pivoting it. Both return a ``BookTable``,
which a notebook displays as HTML (pandas' Styler, no index column, narrow enough for the page) and
whose plain-text form is the same strings, so that nbval compares rounded text, not floats.

A table keeps the code's identifiers as its column names (``cells["vocab_size"]``: what code and tests
address); only what the reader sees is translated, in one place: ``COLUMN_LABELS`` (a column's words
and unit) and ``VALUE_LABELS`` (a dataset's or method's name in a cell), both through ``label``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..data.registry import DISPLAY_NAMES
from ..study.methods import METHODS

# A verdict of ``study.compare`` as the mark after a cell: better, worse, indistinguishable.
MARKS = {"better": "▲", "worse": "▼", "indistinguishable": "·"}
# After the mark of a borderline verdict (``statistics.borderline``): its adjusted p-value is near the level.
BORDERLINE_MARK = "†"
BORDERLINE_NOTE = "† borderline: the Holm-adjusted p-value lies between 0.025 and 0.10, so the verdict could move"
MISSING = "–"
# The most columns a table may have and stay readable in the book's text column (the referee's limit).
MAX_COLUMNS = 8

# The reader's words (and unit) for every identifier a table builder uses as a column name. A builder
# names its columns as the code does; the book shows them through this map (``label``), so a new
# table needs only an entry here. Shares are fractions of 1 unless the label says otherwise.
COLUMN_LABELS: dict[str, str] = {
    # data (chapter 1)
    "name": "field", "vocab_size": "vocabulary size", "V_f": "vocabulary size", "width": "columns per row",
    "missing_rate": "missing (share of rows)", "oov_rate_valid": "unseen in validation (share)",
    "oov_rate_test": "unseen in test (share)", "values_seen": "values seen", "top_value_share": "top value's share",
    "rare_value_share": "share of rows with a rare value", "positive_rate_spread": "spread of click rates",
    "excess_spread": "click-rate spread beyond noise", "outside_band": "values outside the 2-SE band (share)",
    "planted_rank": "planted rank", "embedding_share": "share of embedding rows",
    "rows": "rows", "positive_rate": "positive rate",
    # training and tuning (chapter 2)
    "lr": "learning rate", "emb_weight_decay": "embedding weight decay", "weight_decay": "weight decay",
    "valid_auc": "validation AUC", "test_auc": "test AUC", "bayes_auc": "Bayes AUC", "batch_size": "batch size",
    "max_epochs": "max epochs",
    # search and budgets (chapters 3 to 6)
    "vs_oracle": "width against planted rank", "achieved_budget": "budget kept", "spearman": "Spearman ρ",
    "spearman_relevant": "Spearman ρ, relevant fields", "relevant_share": "share on relevant fields",
    "irrelevant_max_width": "widest irrelevant field (dims)", "kendall": "Kendall τ",
    "top_k_overlap": "top-k overlap", "score_split": "scoring split", "kept_fraction": "kept fraction",
    "description": "what it does", "reads_pretrained": "needs pretraining?", "searches": "needs a search?",
    # the ablation's ten-seed rerun (chapter 5): main effects pooled over the model × budget cells
    "valid_effect": "validation AUC", "effect_verdict": "verdict", "cells_raised": "cells raised",
    "test_effect": "test AUC (read once)", "detectable": "detectable (80% power)",
    # reproduction (chapter 8)
    "finished_at": "finished at", "git_commit": "git commit", "sseds_study": "sseds-study", "cpu": "processor",
    "seconds": "seconds", "minutes": "minutes", "first_checksum": "first checksum",
}
# The reader's name for a dataset or method id in a cell or a pivoted column ("movielens100k",
# "prune_only"), taken from the registries so that it is the name the figures and the prose use.
VALUE_LABELS: dict[str, str] = {**DISPLAY_NAMES, "synthetic2": "planted truth",
                                **{m.name: m.label for m in METHODS.values() if m.name != m.label},
                                # the stages of PEP's settings (configs/pep_selection/<stage>.csv)
                                "1_schedule": "1. threshold schedule", "2_granularity": "2. granularity"}


def label(name) -> str:
    """What the reader sees for a column or cell identifier: its entry in ``COLUMN_LABELS`` or
    ``VALUE_LABELS``, else the text as it is."""
    text = str(name)
    head, at, budget = text.partition(" @ ")  # a method at a budget ('sseds @ 0.2'), as chapter 6 heads columns
    if at and head in VALUE_LABELS:
        return f"{VALUE_LABELS[head]} @ {budget}"
    return COLUMN_LABELS.get(text, VALUE_LABELS.get(text, text))
WIDE_COLUMNS, WIDE_FONT = 10, "0.72em"
NARROW_COLUMNS, NARROW_CAPTION = 4, 120  # at most this many columns, a caption longer than this (characters)
GROUP_CSS = "font-weight: bold; height: 1.7em; border-top: 1px solid #ccc; vertical-align: top; padding-top: 4px;"
CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.8em; margin-bottom: 1em;"},
    {"selector": "th, td", "props": "padding: 2px 5px; text-align: right; line-height: 1.25;"},
    # A number never breaks (its interval and mark are joined by no-break spaces, on a line of their own:
    # ``_html_cells``); a text cell ('not supported') may, so that a wide table fits the column.
    {"selector": "td", "props": "white-space: normal; overflow-wrap: normal;"},
    {"selector": "thead th", "props": "border-bottom: 1px solid #888; vertical-align: bottom;"},
    {"selector": "caption", "props": "caption-side: bottom; text-align: left; white-space: normal; "
                                     "font-size: 0.9em; color: #555; padding-top: 4px;"},
]


@dataclass
class BookTable:
    """A table as the book shows it. cells: the text of every cell; bold: which cells are marked
    best (same shape); source: the numbers it was built from; note: its caption (units, marks);
    keys: the leading columns that name a row (left-aligned)."""

    cells: pd.DataFrame
    bold: pd.DataFrame
    source: pd.DataFrame
    note: str = ""
    keys: tuple[str, ...] = ()
    left: tuple[str, ...] = ()  # further columns of text (a description), left-aligned like the keys

    def styler(self) -> Styler:
        shown, styles = self._html_cells()
        st = shown.style.hide(axis="index").apply(lambda _: styles.to_numpy(), axis=None)
        keys = [i for i, c in enumerate(shown.columns) if c in self.keys or c in self.left]
        left = [{"selector": ", ".join(f"{t}.col{i}" for i in keys for t in ("td", "th")),
                 "props": "text-align: left;"}] if keys else []
        # The reader's words (``label``); a header may break after an underscore, never inside 'b = 0.2'.
        st = st.format_index(lambda c: label(c).replace("_", "_\u200b").replace(" = ", "\u00a0=\u00a0"),
                             axis="columns")
        # A uuid from the content, not a random one: the HTML is then the same on every run.
        digest = hashlib.sha1((self.cells.to_csv() + self.note).encode()).hexdigest()[:10]
        # Ten columns or more at the usual size run past the book's text column (720 px): a smaller font.
        size = [{"selector": "", "props": f"font-size: {WIDE_FONT};"}] if len(shown.columns) >= WIDE_COLUMNS else []
        # A caption is as wide as its table: under a table of a few narrow columns a long one would run
        # down the page in a tall strip, so such a table takes a reading width of the column.
        if len(shown.columns) <= NARROW_COLUMNS and len(self.note) > NARROW_CAPTION:
            size.append({"selector": "", "props": "min-width: min(100%, 34em);"})
        st = st.set_table_styles(CSS + size + left).set_uuid(digest)
        return st.set_caption(self.note) if self.note else st

    def _html_cells(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The cells as HTML and their CSS, narrowed for the book's column: a cell's interval and mark
        go on a second, smaller line under its mean (a column is then one number wide), and with two
        keys or more the first one heads its group of rows instead of taking a column of its own."""
        shown = self.cells.map(lambda text: _html_cell(VALUE_LABELS.get(text, text)))
        styles = pd.DataFrame(np.where(self.bold.to_numpy(), "font-weight: bold;", ""), columns=shown.columns)
        if len(self.keys) < 2:
            return shown, styles
        first, second = self.keys[0], self.keys[1]
        rows, css = [], []
        for i in range(len(shown)):
            if self.cells.at[i, first]:  # a group starts: a row holding its name alone
                # Positioned out of the flow, the name takes no column width and may run across.
                name = label(self.cells.at[i, first])
                group = f"<span style='position: absolute; white-space: nowrap;'>{name}</span>"
                rows.append(dict.fromkeys(shown.columns, "") | {second: group})
                css.append(dict.fromkeys(shown.columns, GROUP_CSS))
            rows.append(shown.iloc[i].to_dict())
            css.append(styles.iloc[i].to_dict())
        columns = [c for c in shown.columns if c != first]  # an empty table still has its header
        return pd.DataFrame(rows, columns=shown.columns)[columns], pd.DataFrame(css, columns=shown.columns)[columns]

    def _repr_html_(self) -> str:
        return self.styler().to_html()

    def shown(self) -> pd.DataFrame:
        """The cells as the reader sees them: column names and dataset or method ids in words."""
        return self.cells.map(lambda text: VALUE_LABELS.get(text, text)).rename(columns=label)

    def __repr__(self) -> str:
        text = self.shown().to_string(index=False)
        return f"{text}\n{self.note}" if self.note else text


def _html_cell(text: str) -> str:
    """A cell as HTML: '0.7761 ± 0.0032 ▲' as its mean over a smaller '± 0.0032 ▲' that never breaks;
    a number and its mark ('+0.0004 ·') kept on one line."""
    if " ± " not in text:
        return _joined_mark(text)
    mean, rest = text.split(" ± ", 1)
    return f"{mean}<br><span style='font-size: 0.85em; color: #666;'>±\u00a0{rest.replace(' ', chr(0xa0))}</span>"


def _joined_mark(text: str) -> str:
    """'+0.0004 ·' -> '+0.0004\u00a0·': a verdict mark stays beside its number when a text cell wraps."""
    head, _, tail = text.rpartition(" ")
    return f"{head}\u00a0{tail}" if head and tail in MARKS.values() else text


def number(value, digits: int = 4, signed: bool = False) -> str:
    """A cell's number: fixed decimals (with a sign when ``signed``), thousands separators for integers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{value:+,}" if signed else f"{value:,}"
    if isinstance(value, (float, np.floating)):
        if digits == 0:  # a whole number held as a float: shown as the integer it is
            return number(int(round(value)), signed=signed)
        if round(float(value), digits) == 0:
            value = 0.0  # rounds to zero: no "-0.0000"
        return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return str(value)


def plus_minus(mean: float, half: float, digits: int = 4) -> str:
    """'+0.0012 ± 0.0034' (the half-width left out when there is none)."""
    text = number(float(mean), digits, signed=True)
    return text if half != half else f"{text} ± {number(float(half), digits)}"


def count_text(n: int, singular: str, plural: str | None = None) -> str:
    """'1 cell', '4 cells'."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def key_text(value) -> str:
    """A row key as text: a budget 0.2 stays '0.2'."""
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def _rank(values: pd.Series, order: Sequence | None) -> pd.Series:
    """Sort key of a key column: its position in ``order``, else its first appearance."""
    seen = list(order) if order is not None else []
    seen += [v for v in dict.fromkeys(values) if v not in seen]
    return values.map({v: i for i, v in enumerate(seen)})


def compact_table(long: pd.DataFrame, *, index: Sequence[str], columns: str, value: str, half: str | None = None,
                  verdict: str | None = None, order: Sequence[str] | None = None,
                  orders: Mapping[str, Sequence] | None = None,
                  best: str | Callable[[tuple], str | None] | None = "max", best_among: Sequence[str] | None = None,
                  digits: int = 4, signed: bool | Callable[[tuple], bool] = False, note: str = "") -> BookTable:
    """Pivot a long frame (one row per ``index`` x ``columns`` cell) into a table for reading.

    value, half: the columns of the mean and its 95% half-width (shown as ``mean ± half``); verdict:
    a column of ``study.compare`` verdicts, shown as a mark (``MARKS``); order: the compared things,
    in column order (default: as they appear); orders: {key column: its values in row order} (other
    key columns keep their order of appearance); best: 'max' or 'min' to set the best entry of each
    row in bold (ties all bold), a function of the row's keys returning one of them, or None;
    best_among: the columns that compete for it (default: all); signed: show a sign (changes), or a
    function of the row's keys saying whether to.
    """
    if long.empty:
        frame = pd.DataFrame(columns=list(index))
        return BookTable(frame, frame.astype(bool), long, note, tuple(index))
    orders = orders or {}
    cols = [c for c in (order or dict.fromkeys(long[columns])) if c in set(long[columns])]
    ranks = pd.DataFrame({k: _rank(long[k], orders.get(k)) for k in index})
    long = long.iloc[np.lexsort([ranks[k].to_numpy() for k in reversed(index)])]
    rows = list(dict.fromkeys(map(tuple, long[list(index)].itertuples(index=False))))
    by_cell = {(tuple(r[k] for k in index), r[columns]): r for r in long.to_dict("records")}
    cells, bold = [], []
    for key in rows:
        means = {c: by_cell[(key, c)][value] if (key, c) in by_cell else math.nan for c in cols}
        sign = signed(key) if callable(signed) else signed
        text = {c: _cell(by_cell.get((key, c)), value, half, verdict, digits, sign) for c in cols}
        cells.append({**dict(zip(index, map(key_text, key), strict=True)), **text})
        direction = best(key) if callable(best) else best
        winners = _best(means, best_among or cols, direction, digits)
        bold.append({**dict.fromkeys(index, False), **{c: c in winners for c in cols}})
    frame = _sparse(pd.DataFrame(cells, columns=[*index, *cols]), index[:-1])
    return BookTable(frame, pd.DataFrame(bold, columns=frame.columns), long.reset_index(drop=True), note, tuple(index))


def _sparse(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Blank a key where it repeats the row above (and the keys before it do too), as a grouped index
    is printed: the eye finds where each group starts."""
    shown = frame.copy()
    for i in range(len(frame) - 1, 0, -1):
        for k in keys:
            if frame.at[i, k] != frame.at[i - 1, k]:
                break
            shown.at[i, k] = ""
    return shown


def _cell(row: Mapping | None, value: str, half: str | None, verdict: str | None, digits: int, signed: bool) -> str:
    if row is None or pd.isna(row[value]):
        return MISSING
    text = number(float(row[value]), digits, signed)
    if half is not None and not pd.isna(row[half]):
        text += f" ± {number(float(row[half]), digits)}"
    if verdict is not None and row.get(verdict) in MARKS:
        text += f" {MARKS[row[verdict]]}"
        if bool(row.get("borderline", False)):
            text += BORDERLINE_MARK
    return text


def _best(means: Mapping[str, float], among: Sequence[str], direction: str | None, digits: int) -> set[str]:
    """The columns holding the best mean of a row as shown (rounded): none when all shown are equal."""
    shown = {c: round(means[c], digits) for c in among if c in means and not math.isnan(means[c])}
    if direction not in ("max", "min") or len(set(shown.values())) < 2:  # nothing to choose between
        return set()
    target = max(shown.values()) if direction == "max" else min(shown.values())
    return {c for c, v in shown.items() if v == target}


def column_digits(values: pd.Series, digits: int = 4) -> int:
    """The decimals a float column needs, at most ``digits``: none when every value is whole (a width
    '2', not '2.0000'), else the fewest that show every value exactly (budgets '0.1', '0.05'), else
    ``digits``. Integers are shown as integers in any case (``number``)."""
    finite = pd.to_numeric(values, errors="coerce").dropna() if values.dtype.kind == "f" else pd.Series([], dtype=float)
    if finite.empty:
        return digits
    for d in range(digits):
        if np.allclose(finite.round(d), finite, rtol=0, atol=1e-12):
            return d
    return digits


def plain_table(frame: pd.DataFrame, *, digits: int | Mapping[str, int] = 4,
                formats: Mapping[str, Callable[[object], str]] | None = None, keys: Sequence[str] = (),
                note: str = "") -> BookTable:
    """A frame as a book table, unpivoted: a named index becomes columns, numbers get ``digits``
    decimals (per column as given, else at most that many: ``column_digits``) and ``formats``
    overrides a column's text; ``keys`` name the leading columns that group rows (left-aligned,
    blank where they repeat). Headers are shown through ``label``."""
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    formats = formats or {}
    cells = pd.DataFrame({str(c): [formats[c](v) if c in formats else number(v, d)
                                   for v in frame[c]]
                          for c in frame.columns
                          for d in [digits[c] if isinstance(digits, Mapping) and c in digits
                                    else column_digits(frame[c], digits if isinstance(digits, int) else 4)]})
    keys = [str(k) for k in keys]
    return BookTable(_sparse(cells, keys), pd.DataFrame(False, index=cells.index, columns=cells.columns),
                     frame.reset_index(drop=True), note, tuple(keys))
