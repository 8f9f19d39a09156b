"""One default per setting: every option of every ``sseds`` subcommand that sets a config field takes
the field's default and choices from the config class, and ``--help`` loads no heavy library."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from sseds_study.cli import build_parser
from sseds_study.cli_args import setting_default
from sseds_study.config.settings import ESTIMATORS, SCORE_SPLITS, DataConfig, SearchConfig

# Options that set no config field: each is the command's own (what to run, where to write).
CLI_ONLY = {"help", "quiet", "manifest", "out", "budget", "method", "results", "executor", "workers", "config",
            "target", "path", "label", "categorical", "numeric", "multi", "spec", "option", "emb_dims",
            # sseds init: the table and what to declare about its columns (written into the profile, whose
            # settings are the book's), how much of it to read, where to write and whether over a file
            "data", "ignore", "delimiter", "sample_rows", "quick", "force",
            # sseds report: the profile (which holds every setting), its quick tier, stop after the
            # estimate, the HTML without the PDF
            "profile", "estimate", "no_pdf",
            # sseds --numerics (the process's numerical mode, not a study setting); sseds
            # check-reproduction: the reference file and whether to write it
            "numerics", "reference", "write",
            # sseds search: skip the regime rule's advice (printed after the widths; no setting of the run)
            "no_advice"}


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _expected(action) -> object:
    cls, name = action.setting
    default = setting_default(cls, name)
    return ",".join(map(str, default)) if isinstance(default, tuple) else default


def test_every_option_is_a_setting_or_the_commands_own():
    commands = _subcommands(build_parser())
    assert set(commands) == {"data", "train", "search", "sweep", "results", "init", "report", "check-reproduction"}
    seen = 0
    for command, parser in commands.items():
        for action in parser._actions:
            if hasattr(action, "setting"):
                assert action.default == _expected(action), (command, action.option_strings)
                seen += 1
            else:
                assert action.dest in CLI_ONLY, f"sseds {command} {action.option_strings}: sets no config field"
    assert seen >= 26  # data (3) + train (14) + search (3 + 10 + 6 + 6 PEP)


def test_search_defaults_are_the_profiles():
    """The bug this guards against: --min-dim defaulted to 0 while every profile used SearchConfig's 1."""
    args = build_parser().parse_args(["search"])
    assert args.min_dim == SearchConfig().min_dim == 1
    assert args.estimator == SearchConfig().estimator and args.num_batches == SearchConfig().num_batches
    assert args.dataset == DataConfig().name and args.split_seed == DataConfig().split_seed


def test_choices_come_from_the_settings():
    parser = _subcommands(build_parser())["search"]
    choices = {a.dest: a.choices for a in parser._actions if a.choices}
    assert tuple(choices["estimator"]) == ESTIMATORS and tuple(choices["score_split"]) == SCORE_SPLITS
    # every method that chooses widths or an element mask; not the references' evaluations
    assert {"sseds", "uniform", "pep", "pep_fresh"} <= set(choices["method"])
    assert "full" not in choices["method"] and "prune_only" not in choices["method"]


def test_a_value_out_of_range_is_refused_by_the_dataclass(capsys):
    from sseds_study.cli import main

    assert main(["search", "--num-batches", "0"]) == 2
    assert "search.num_batches: expected a positive value" in capsys.readouterr().err


def test_pep_options_are_pepconfigs():
    from sseds_study.config.settings import PEPConfig

    args = build_parser().parse_args(["search", "--method", "pep"])
    assert (args.pep_granularity, args.pep_threshold_init, args.pep_max_epochs) == (
        PEPConfig().granularity, PEPConfig().threshold_init, PEPConfig().max_epochs)


@pytest.mark.parametrize("argv", [["--help"], ["search", "--help"], ["train", "--help"], ["sweep", "--help"],
                                  ["init", "--help"], ["report", "--help"]])
def test_help_imports_no_heavy_library(argv):
    heavy = ("torch", "pandas", "sklearn", "matplotlib", "polars", "scipy")
    code = (f"import sys\nfrom sseds_study.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
