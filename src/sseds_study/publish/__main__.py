"""``python -m sseds_study.publish``: check the built book in headless Chromium, or print it to PDF.

    check [HTML]           every page of the HTML build (``make browser-check``)
    pdf [SINGLEHTML]       the single-page build to one PDF (``make pdf``)
    hide-injected NB...    tag papermill's injected-parameters cell ``remove-cell`` (``make chapters``)
    stamp NB...            record the commit a chapter was executed at (``make chapters``)
    time-stage NAME -- CMD run CMD; when it succeeds, record its wall time as stage NAME
                           ($SSEDS_RESULTS_DIR/reproduce-times.csv; ``make reproduce``)

Exits 1 when a page has a problem (each printed on one line, naming the page), 2 when the browser
cannot be used at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import SsedsError
from ..study.provenance import git_commit
from .check import check_book
from .notebooks import hide_injected_parameters
from .pdf import print_pdf
from .report import format_report, plural
from .stages import time_stage
from .stamps import stamp_chapter


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sseds_study.publish", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="open every page of the HTML build in headless Chromium")
    check.add_argument("html", nargs="?", default="book/_build/html", type=Path, help="the HTML build (default: %(default)s)")
    check.add_argument(
        "--screenshots",
        type=Path,
        default=Path("book/_build/screenshots"),
        help="where a full-page PNG of each content page goes (default: %(default)s)",
    )
    check.add_argument("--no-screenshots", action="store_true", help="check only, photograph nothing")
    check.add_argument("--timeout", type=float, default=60.0, help="seconds a page may take to load (default: %(default)s)")
    pdf = commands.add_parser("pdf", help="print the single-page build to one PDF")
    pdf.add_argument("singlehtml", nargs="?", default="book/_build/singlehtml", type=Path, help="the singlehtml build (default: %(default)s)")
    pdf.add_argument("--out", type=Path, default=Path("book/_build/pdf/book.pdf"), help="the PDF to write (default: %(default)s)")
    pdf.add_argument("--timeout", type=float, default=180.0, help="seconds loading and printing may take (default: %(default)s)")
    hide = commands.add_parser("hide-injected", help="leave papermill's injected-parameters cell out of the book")
    hide.add_argument("notebooks", nargs="+", type=Path, help="executed notebooks, changed in place")
    stamp = commands.add_parser("stamp", help="record the git commit an executed chapter ran at")
    stamp.add_argument("notebooks", nargs="+", type=Path, help="executed notebooks, changed in place")
    timed = commands.add_parser("time-stage", help="run a command and record its wall time as a stage of make reproduce")
    timed.add_argument("stage", help="the stage's name (data, sweep default, chapter 04_budget, book, ...)")
    timed.add_argument("--times", type=Path, default=None,
                       help="the CSV to update (default: $SSEDS_RESULTS_DIR/reproduce-times.csv)")
    timed.epilog = "The command follows a '--': time-stage NAME [--times CSV] -- COMMAND [ARG...]"
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # time-stage's command is everything after '--', its options included: argparse must not read them.
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    args = _parser().parse_args(argv)
    if args.command == "time-stage":
        if not command:
            print("publish time-stage: no command given (write it after --)", file=sys.stderr)
            return 2
        return time_stage(args.stage, command, args.times)
    if args.command == "stamp":
        commit = git_commit()
        for nb in args.notebooks:
            stamp_chapter(nb, commit)
        return 0
    if args.command == "hide-injected":
        for nb in args.notebooks:
            hide_injected_parameters(nb)
        return 0
    try:
        if args.command == "check":
            result = check_book(args.html, None if args.no_screenshots else args.screenshots, timeout=args.timeout)
            print(format_report(result.pages, result.problems, len(result.screenshots)))
            return 1 if result.problems else 0
        printed = print_pdf(args.singlehtml, args.out, timeout=args.timeout)
    except SsedsError as exc:
        print(f"publish {args.command}: {exc}", file=sys.stderr)
        return 2
    for problem in printed.problems:
        print(f"{'note' if printed.pages else 'error'}: {problem}")
    if not printed.pages:
        print(f"pdf: not written ({args.out}): the page has problems that would be printed")
        return 1
    holds = ", ".join(plural(n, noun) for n, noun in [(printed.pages, "page"), (printed.images, "image"), (printed.formulas, "formula")])
    print(f"pdf: {args.out} ({holds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
