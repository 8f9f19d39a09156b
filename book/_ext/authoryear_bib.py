"""A Sphinx extension of this book: author-year labels in the bibliography, the same in the text.

sphinxcontrib-bibtex cites author-year in the text ("[Qu et al., 2022]") but labels the list with
pybtex's alpha style ("[QYT+22]"), which garbles organisations ("{nteract}" -> "[nteract]") and
sorts braced names after Z. This extension registers:

- a pybtex label style, ``authoryear``: "Surname", "A and B" or "A et al.", then the year; a
  software entry without a year shows the version the book pins ("version 2.7.0") instead of
  "n.d."; two entries that would share a label get "a", "b" after the year (2021a, 2021b);
- a pybtex formatting style, ``authoryear``: pybtex's plain entries, sorted by author (braces,
  accents and case ignored), labelled as above, "and others" printed as "et al.";
- a referencing style, ``authoryear``, for ``{cite:p}`` and ``{cite:t}``: a parenthetical citation
  is the entry's label, so text and list always agree (2021a included).

Selected in _config.yml with ``bibtex_default_style`` and ``bibtex_reference_style``.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import latexcodec  # noqa: F401  (registers the "ulatex" codec; a dependency of pybtex)
from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import FieldIsMissing, join, node, sentence
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import (
    BaseReferenceStyle,
    BracketStyle,
    GroupReferenceStyle,
    PersonStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_author import ExtraAuthorReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import entry_label, join2, post_text, pre_text, reference

NAME = "authoryear"
ET_AL = "et al."


def plain(latex: str) -> str:
    """BibTeX text as a reader sees it: accent commands decoded, braces dropped (``K{\\"o}pf`` -> Köpf)."""
    return codecs.decode(latex, "ulatex").replace("{", "").replace("}", "")


def _is_others(person) -> bool:
    return [plain(name) for name in person.last_names] == ["others"]


def surname(person) -> str:
    """The part of a name a citation shows: von part and last name (``van der Walt``, ``Ferrari Dacrema``)."""
    return " ".join(plain(name) for name in person.prelast_names + person.last_names)


def _people(entry) -> list:
    return entry.persons.get("author") or entry.persons.get("editor") or []


def names_part(entry) -> str:
    """"Rendle", "Harper and Konstan", "Qu et al." (three or more, or a list ending in "others")."""
    people = _people(entry)
    if not people:
        return plain(entry.fields.get("title", entry.key))
    named = [surname(p) for p in people if not _is_others(p)]
    if len(named) >= 3 or len(named) < len(people):
        return f"{named[0]} {ET_AL}"
    return " and ".join(named)


def date_part(entry) -> str:
    """The year; for software cited without one, the version the book pins."""
    if entry.fields.get("year"):
        return plain(entry.fields["year"])
    if entry.fields.get("version"):
        return f"version {plain(entry.fields['version'])}"
    return "n.d."


class LabelStyle(BaseLabelStyle):
    """Author-year labels, unique within a bibliography: "Zhao et al., 2021a", "Zhao et al., 2021b"."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        bases = [(names_part(e), date_part(e)) for e in entries]
        counts = Counter(bases)
        seen: Counter = Counter()
        for names, date in bases:
            suffix = ""
            if counts[(names, date)] > 1:
                suffix = "abcdefghijklmnopqrstuvwxyz"[seen[(names, date)]]
                seen[(names, date)] += 1
            yield f"{names}, {date}{suffix}"


def sort_key(text: str) -> str:
    """Alphabetical as a reader expects it: no braces, no accents, no case."""
    decomposed = unicodedata.normalize("NFKD", plain(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class SortingStyle(BaseSortingStyle):
    """By the names the label shows ("Cheng" before "Cheng et al."), then year, then title: a reader
    finds "Liu et al., 2020" just before "Liu et al., 2021", and a/b suffixes follow the list order."""

    def sorting_key(self, entry):
        return (sort_key(names_part(entry)), entry.fields.get("year", ""), sort_key(entry.fields.get("title", "")))


@node
def names_et_al(children, context, role, **kwargs):
    """pybtex's ``names``, with a closing "and others" printed as "et al."."""
    assert not children
    style = context["style"]
    try:
        people = context["entry"].persons[role]
    except KeyError:
        # As pybtex's names: a missing role lets an optional[...] around it fall through.
        raise FieldIsMissing(role, context["entry"]) from None
    named = [p for p in people if not _is_others(p)]
    formatted = [style.format_name(p, style.abbreviate_names) for p in named]
    if len(named) < len(people):
        return Text(join(sep=", ")[formatted].format_data(context), " ", ET_AL)
    return join(**kwargs)[formatted].format_data(context)


class Style(PlainStyle):
    """pybtex's plain entries with author-year labels and a reader's alphabetical order."""

    default_label_style = LabelStyle
    default_sorting_style = SortingStyle

    def format_names(self, role, as_sentence=True):
        formatted = names_et_al(role, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[formatted] if as_sentence else formatted


@node
def label_names(children, data):
    """The names part of the entry's label ("Zhao et al."), for a textual citation."""
    assert not children
    return Text(data["formatted_entry"].label.rsplit(", ", 1)[0])


@node
def label_date(children, data):
    """The date part of the entry's label ("2021a", "version 2.7.0"), for a textual citation."""
    assert not children
    return Text(data["formatted_entry"].label.rsplit(", ", 1)[-1])


@dataclass
class _Parenthetical(BaseReferenceStyle):
    bracket: BracketStyle = field(default_factory=BracketStyle)

    def role_names(self):
        return ["p", "ps", "alp", "alps"]

    def outer(self, role_name, children):
        return self.bracket.outer(children, brackets="al" not in role_name, capfirst=False)

    def inner(self, role_name):
        return join2(sep1=" ", sep2=", ")[pre_text, reference[entry_label], post_text]


@dataclass
class _Textual(BaseReferenceStyle):
    """"Zhao et al. [2021b]": the label's two parts, so that "and others" reads as in the list."""

    bracket: BracketStyle = field(default_factory=BracketStyle)
    person: PersonStyle = field(default_factory=PersonStyle)

    def role_names(self):
        return ["t", "ct"]

    def outer(self, role_name, children):
        return self.bracket.outer(children, brackets=False, capfirst="c" in role_name)

    def inner(self, role_name):
        return join(sep=" ")[
            label_names,
            join[self.bracket.left, join2(sep1=" ", sep2=", ")[pre_text, reference[label_date], post_text],
                 self.bracket.right],
        ]


@dataclass
class _TextualFull(_Textual):
    """``{cite:ts}``: every author's name, then the label's date."""

    def role_names(self):
        return ["ts", "cts"]

    def inner(self, role_name):
        return join(sep=" ")[
            self.person.author_or_editor_or_title(full=True),
            join[self.bracket.left, join2(sep1=" ", sep2=", ")[pre_text, reference[label_date], post_text],
                 self.bracket.right],
        ]


@dataclass
class ReferenceStyle(GroupReferenceStyle):
    """Citations by the bibliography's own labels; several in one bracket are separated by "; "."""

    bracket: BracketStyle = field(default_factory=lambda: BracketStyle(sep="; "))
    person: PersonStyle = field(default_factory=PersonStyle)

    def __post_init__(self):
        self.styles.extend([
            _Parenthetical(bracket=self.bracket),
            _Textual(bracket=self.bracket, person=self.person),
            _TextualFull(bracket=self.bracket, person=self.person),
            ExtraAuthorReferenceStyle(bracket=self.bracket, person=self.person),
            ExtraLabelReferenceStyle(bracket=self.bracket),
            ExtraYearReferenceStyle(bracket=self.bracket),
            ExtraEmptyReferenceStyle(),
        ])
        super().__post_init__()


def register() -> None:
    """Make the styles findable by name (idempotent: a second Sphinx run in one process re-registers)."""
    register_pybtex_plugin("pybtex.style.labels", NAME, LabelStyle, force=True)
    register_pybtex_plugin("pybtex.style.sorting", NAME, SortingStyle, force=True)
    register_pybtex_plugin("pybtex.style.formatting", NAME, Style, force=True)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", NAME, ReferenceStyle, force=True)


def setup(app):
    register()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
