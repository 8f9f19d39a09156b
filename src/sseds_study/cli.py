"""The ``sseds`` command: prepare data, train one model, search widths, run and summarise sweeps.

Errors caused by the user's input (a missing file, a bad option, a malformed config) print one line
``sseds: error: ...`` and exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import os
import sys
import time
from pathlib import Path

from . import numerics
from .cli_args import (
    add_data_args,
    add_model_train_args,
    add_pep_args,
    add_search_args,
    data_config,
    load_data,
    model_config,
    pep_config,
    search_config,
    train_config,
)
from .config.settings import EXECUTORS, SearchConfig, check_budget, to_dict
from .data.inspect import SAMPLE_ROWS
from .errors import SsedsError, is_environment_error, one_line
from .fileio import atomic_write_text, check_writable_dir
from .study.methods import method_names

# The commands import torch, pandas and the study runner when they run, not when the parser is
# built: ``sseds --help`` and ``sseds <command> --help`` answer without them.


# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------
def cmd_data(args) -> int:
    from .data.stats import dataset_summary

    ds = load_data(args)
    m = ds.manifest
    print(f"{ds.name}: {len(ds):,} rows, {ds.num_fields} fields")
    counts = m.get("rows") or {}
    if counts:
        print("  splits: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    for split, rate in (m.get("positive_rate") or {}).items():
        if rate in (0.0, 1.0):  # training refuses such data: say so now
            print(f"  note: every label in the {split} split is {rate:g}; training needs both 0 and 1 in every split")
    print(dataset_summary(ds).to_string(index=False))
    if args.manifest:
        print(json.dumps(m, indent=2, sort_keys=True, default=str))
    return 0


def _check_out(out: Path) -> Path:
    """The output folder can take metrics.json and model.pt: checked before any training."""
    check_writable_dir(out, "--out")
    for name in ("metrics.json", "model.pt"):
        if (out / name).is_dir():
            raise SsedsError(f"--out {out}: {out / name} is a folder; expected a file there or nothing")
    return out


def cmd_train(args) -> int:
    from .models.registry import build_model
    from .train import fit, save_checkpoint, seed_everything

    out = _check_out(Path(args.out)) if args.out else None  # before the data: encoding can take long
    ds = load_data(args)
    model_cfg = model_config(args, ds.num_fields)
    train_cfg = train_config(args)
    out = out or _check_out(Path("runs") / f"{ds.name}-{model_cfg.name}-seed{train_cfg.seed}")
    seed_everything(train_cfg.seed)
    model = build_model(ds.fields, model_cfg)
    config = {"data": to_dict(data_config(args)), "model": to_dict(model_cfg), "train": to_dict(train_cfg),
              "numerics": numerics.identity()}
    with numerics.pinned():
        result = fit(model, ds, train_cfg)
    save_checkpoint(out / "model.pt", model, config=config, fit_result=result)
    counts = model.count_params()
    metrics = {
        "dataset": ds.name, "model": model_cfg.name, "emb_dims": list(model_cfg.emb_dims or []),
        "valid": result.valid, "test": result.test, "best_epoch": result.best_epoch,
        "epochs": len(result.history), "history": [dataclasses.asdict(h) for h in result.history],
        "train_seconds": result.train_seconds,
        "rows_per_second": result.rows_per_second, "params": counts, "config": config,
        "numerics": numerics.state(),
    }
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2, default=float))
    print(f"test AUC {result.test['auc']:.4f}  logloss {result.test['logloss']:.4f}  "
          f"(valid AUC {result.valid['auc']:.4f}, best epoch {result.best_epoch}, "
          f"{counts['embedding']:,} embedding / {counts['total']:,} total parameters)")
    print(f"wrote {out / 'metrics.json'} and {out / 'model.pt'}")
    return 0


def searchable_methods() -> tuple[str, ...]:
    """The methods ``sseds search`` runs: every registered one that chooses widths (retrained) or an
    element mask (PEP), not the references' evaluations."""
    return method_names(evaluation="retrain") + method_names(evaluation="masked")


def cmd_search(args) -> int:
    """Pretrain (or reuse the cached pretrained model), score, allocate; print widths per field (or,
    for a method that masks entries, the entries it keeps per field), then the regime rule's advice
    (``regime_advice``; ``--no-advice`` skips it). The budget, min_dim and the results folder are
    checked first: pretraining can take hours."""
    from .study.methods import MethodInput, check_allocation_inputs, get_method
    from .study.pep import resolve_pep
    from .study.pretrain import GroupCache, load_or_pretrain
    from .study.runs import RunSpec

    search = search_config(args)
    check_budget(args.budget, "--budget")
    method = get_method(args.method)
    pep = resolve_pep(pep_config(args), [args.budget]) if method.reads_pep else None
    spec = RunSpec(data_config(args), dataclasses.replace(model_config(args), emb_dims=None),
                   train_config(args), method.run_search(search), args.method, args.budget, pep)
    cache_dir = Path(args.results) if args.results else Path(os.environ.get("SSEDS_RESULTS_DIR", "results")) / "search"
    check_writable_dir(cache_dir, "--results")
    ds = load_data(args)
    check_allocation_inputs(ds.vocab_sizes, spec)
    with numerics.pinned():
        pre = load_or_pretrain(ds, spec, cache_dir)
        inputs = MethodInput(ds, pre, spec, GroupCache(results_dir=cache_dir))
        start = time.perf_counter()
        alloc = method.allocate(inputs)
        seconds = inputs.search_seconds + time.perf_counter() - start
        # after the search's seconds: the advice's own scoring is not part of the method's cost
        advice = None if args.no_advice else regime_advice(ds, pre, spec, search.num_batches, inputs.cache)
    print(f"{ds.name} / {spec.model.name} / {args.method}: budget {args.budget:g} -> achieved "
          f"{alloc.achieved_budget:.4f} ({alloc.kept_params:,} of {alloc.base_params:,} embedding parameters), "
          f"search {seconds:.2f} s")
    _print_allocation(ds, spec, alloc, masked=method.evaluation == "masked")
    if advice:
        print(advice)
    return 0


def _print_allocation(ds, spec, alloc, masked: bool) -> None:
    width = max(len(f.name) for f in ds.fields)
    if masked:  # entries, not widths: the share of each field's table kept
        for f, kept in zip(ds.fields, alloc.field_params, strict=True):
            share = kept / (f.vocab_size * spec.model.emb_dim)
            print(f"  {f.name:<{width}}  V={f.vocab_size:>8,}  kept {kept:>9,} entries ({share:6.1%})  "
                  f"{'#' * round(share * 20)}")
        return
    collisions = getattr(alloc, "collisions", None)
    if collisions is not None:  # QR: full width, fewer rows (a quotient and a remainder table)
        for f, k, rows in zip(ds.fields, collisions, alloc.rows, strict=True):
            share = rows / f.vocab_size
            print(f"  {f.name:<{width}}  V={f.vocab_size:>8,}  k={k:>5}  rows {rows:>8,} ({share:6.1%})  "
                  f"{'#' * round(share * 20)}")
        return
    for f, d in zip(ds.fields, alloc.emb_dims, strict=True):
        print(f"  {f.name:<{width}}  V={f.vocab_size:>8,}  d={d:>3}  {'#' * int(d)}")


def regime_advice(ds, pre, spec, num_batches: int, cache) -> str:
    """The regime rule's one line for this dataset, base width D and budget (``search.regime_rule``).

    Its inputs: the pretrained model's mean_abs saliency on ``num_batches`` training batches (an SSEDS
    run that scored so reuses its scores through ``cache``), the vocabularies, the training rows, D and
    b. A rule that is missing or unreadable, or inputs it cannot take, give a line saying so, never an
    error: the allocation printed above is the command's answer, the rule only advice on it.
    """
    from .search.regime_rule import FIT_HINT, field_importance, load_rule, regime_inputs, rule_path
    from .study.pretrain import saliency_for_spec

    try:
        rule = load_rule()
        if rule is None:
            return (f"regime rule: not fitted in this installation (no {rule_path()}); fit it with `{FIT_HINT}` "
                    "to get advice on whether a width search pays here")
        scoring = SearchConfig(estimator="mean_abs", score_split="train", num_batches=num_batches)
        scores, _ = saliency_for_spec(ds, pre, dataclasses.replace(spec, search=scoring), cache)
        inputs = regime_inputs(field_importance(scores), ds.vocab_sizes, len(ds.split_index("train")),
                               spec.model.emb_dim, spec.budget)
        return rule.recommend(inputs).line()
    except SsedsError as exc:
        return f"regime rule: no advice ({one_line(exc)})"


def cmd_sweep(args) -> int:
    import pandas as pd

    from .study.profile import load_study
    from .study.sweep import sweep

    study = load_study(args.config)
    report = sweep(study, args.results, executor=args.executor, workers=args.workers, progress=not args.quiet)
    print(f"{study.name}: {report.executed} run(s) executed, {report.skipped} already done, "
          f"{report.failed} failed, {report.seconds:.1f} s")
    bad = report.table[report.table["status"] != "ok"]
    # A method that could not reach a budget (NotReached) is a result the chapters report, not a fault.
    not_reached = bad["not_reached"].fillna(False).astype(bool) if "not_reached" in bad else pd.Series(False, bad.index)
    for _, r in bad[not_reached].iterrows():
        print(f"  not reached: {r['dataset']}/{r['model']}/{r['method']}/b={r['budget']}/seed={r['seed']}: {r['error']}")
    for _, r in bad[~not_reached].head(5).iterrows():
        print(f"  failed: {r['dataset']}/{r['model']}/{r['method']}/b={r['budget']}/seed={r['seed']}: {r['error']}")
    return 1 if (~not_reached).any() else 0


def cmd_results(args) -> int:
    import pandas as pd

    from .study.journal import load_results, saved_study
    from .study.profile import load_study
    from .study.stats import aggregate
    from .study.sweep import default_results_dir
    from .study.tune import resolve_tuned

    target = Path(args.target)
    study = None
    if target.suffix in (".yaml", ".yml"):
        study = load_study(target)
        results_dir = Path(args.results) if args.results else default_results_dir(study)
        # A profile that tunes has its runs only with the settings its sweep chose (saved there).
        study = resolve_tuned(study, results_dir)
    else:
        results_dir = target
    results = load_results(results_dir, study)
    # Variants are named relative to the search settings of the study that made the results.
    saved = study or saved_study(results_dir)
    table = aggregate(results, reference=saved.search if saved else None)
    if table.empty:
        print(f"{results_dir}: no finished runs yet")
        return 0
    cols = ["dataset", "model", "method", "variant", "budget", "seeds", "test_auc_mean", "test_auc_ci95",
            "test_logloss_mean", "kept_emb_params_mean"]
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.4f}".format):
        print(table[cols].to_string(index=False))
    return 0


def _names(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def cmd_init(args) -> int:
    """Propose each column's kind from a sample of the table, print the proposal, write the profile."""
    import shlex

    from .data.inspect import check_features, declare, format_report, inspect_table
    from .study.init_profile import profile_name, profile_text, relative_data_path, write_profile

    data = Path(args.data)
    out = Path(args.out) if args.out else Path(f"{data.stem}.yaml")
    if out.exists() and not args.force:  # before reading anything
        raise SsedsError(f"--out {out}: exists; pass --force to replace it")
    name = profile_name(out)
    report = inspect_table(data, args.label, sample_rows=args.sample_rows, delimiter=args.delimiter)
    declared = {k: _names(getattr(args, k)) for k in ("categorical", "numeric", "multi", "ignore")}
    report = declare(report, {k: v for k, v in declared.items() if v})
    print(format_report(report))
    check_features(report)
    command = "sseds " + shlex.join(a for a in args.argv if a not in ("-q", "--quiet"))
    text = profile_text(report, name=name, data_path=relative_data_path(data, out),
                        tier="quick" if args.quick else "full", source=command)
    write_profile(out, text, force=args.force)
    print(f"wrote {out} (profile {name!r}, {'quick' if args.quick else 'full'} tier); check the columns marked '?', "
          f"then: sseds report {out}" + ("" if args.quick else f"   (or first: sseds report {out} --quick)"))
    return 0


def cmd_report(args) -> int:
    """Estimate, sweep (resumable) and build the report of a profile; see ``sseds_study.report``."""
    from .report.profile import report_plan
    from .study.estimate import estimate
    from .study.sweep import sweep

    start = time.perf_counter()
    plan = report_plan(Path(args.profile), quick=args.quick)
    study = plan.study
    check_writable_dir(plan.results_dir, "results folder")
    print(f"{study.name}: {plan.tier} tier; {plan.data}; models {', '.join(study.models)}; "
          f"{len(study.methods)} methods; budgets {', '.join(f'{b:g}' for b in study.budgets)}; "
          f"{len(study.seeds)} seeds")
    est = estimate(study, plan.results_dir)
    print(f"estimate: {est.describe()} (probe {est.probe.seconds:.0f} s)")
    if args.estimate:
        return 0
    plan.write_profile()
    report = sweep(study, plan.results_dir, workers=args.workers, progress=not args.quiet)
    swept = time.perf_counter() - start
    print(f"{study.name}: {report.executed} run(s) executed, {report.skipped} already done, {report.failed} failed, "
          f"{report.seconds / 60:.1f} min (estimated {est.typical_minutes:.1f})")
    bad = report.table[report.table["status"] != "ok"]
    not_reached = bad["not_reached"].fillna(False).astype(bool) if "not_reached" in bad else bad["status"] != bad["status"]
    if (~not_reached).any():  # as sweep: a failed run is a fault to look at, not a result to report
        r = bad[~not_reached].iloc[0]
        print(f"sseds: error: {study.name}: {int((~not_reached).sum())} run(s) failed, the first "
              f"{r['model']}/{r['method']}/b={r['budget']}/seed={r['seed']}: {r['error']}; no report built (run the "
              "command again to retry them; finished runs are kept)", file=sys.stderr)
        return 1
    from .report.build import build_report

    built = build_report(plan.profile_path, plan.results_dir / "report", results_root=plan.results_dir.parent,
                         data=plan.data, profile=study.name, pdf=not args.no_pdf,
                         log=(lambda m: None) if args.quiet else print)
    for note in built.notes:
        print(f"note: {note}")
    total = time.perf_counter() - start
    print(f"report: {built.html}" + (f" and {built.pdf}" if built.pdf else "")
          + f" ({total / 60:.1f} min in all: estimate and sweep {swept / 60:.1f}, chapters and book "
            f"{(total - swept) / 60:.1f})")
    return 0


# ----------------------------------------------------------------------------------------------
def cmd_check_reproduction(args) -> int:
    """Recompute the committed reference rows of a profile and compare them bit for bit (or write them)."""
    from .study.reproduce import check_reference, read_reference, reference_path, write_reference

    path = Path(args.reference) if args.reference else reference_path(args.profile)
    if args.write:
        results = Path(args.results) if args.results else Path(os.environ.get("SSEDS_RESULTS_DIR", "results")) / args.profile
        out = write_reference(args.profile, results, path)
        print(f"wrote {out} from {results}")
        return 0
    from .study.provenance import cpu_model

    ref = read_reference(path)
    if not ref.empty:
        first = ref.iloc[0]
        print(f"{path}: {len(ref)} run(s) computed on {first['cpu']} at commit {first['git_commit'][:12]}, "
              f"numerical mode {first['numerics_detail']}")
    result = check_reference(path, ref=ref)
    print(f"recomputed on {cpu_model()} in {result.seconds:.0f} s, numerical mode {result.numerics}")
    if result.ok:
        print(f"every compared value of the {result.rows} run(s) equals the committed one to the last bit")
        return 0
    print(f"{len(result.differences)} value(s) differ:")
    for line in result.differences:
        print(f"  {line}")
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sseds", description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--numerics", choices=numerics.MODE_NAMES, default=None,
                        help="numerical mode: reproducible (the default: the same bits on every x86-64 "
                             "machine with AVX2), compatible (any x86-64, slower) or fast (this CPU's "
                             "fastest path); default $SSEDS_NUMERICS or reproducible")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("data", help="prepare (download, encode, cache) a dataset and summarise it")
    add_data_args(p)
    p.add_argument("--manifest", action="store_true", help="also print the manifest")
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("train", help="train one model and write its metrics and checkpoint")
    add_data_args(p)
    add_model_train_args(p)
    p.add_argument("--out", help="output folder (default runs/<dataset>-<model>-seed<seed>)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("search", help="pretrain, score and allocate; print the width of each field")
    add_data_args(p)
    add_model_train_args(p)
    p.add_argument("--budget", type=float, default=0.1, help="fraction of embedding parameters kept, in (0, 1] "
                                                               "(default 0.1)")
    p.add_argument("--method", default="sseds", choices=searchable_methods(),
                   help="how widths (or, for pep and pep_fresh, the kept entries) are chosen (default sseds)")
    add_search_args(p)
    add_pep_args(p)
    p.add_argument("--results", help="where the pretrained model is cached (default results/search)")
    p.add_argument("--no-advice", action="store_true",
                   help="skip the regime rule's line: its prediction of whether a width search pays on this data "
                        "(it scores the pretrained model with mean_abs on training batches unless the search "
                        "already did; the rule is $SSEDS_REGIME_RULE or the package's regime_rule.json)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("check-reproduction",
                       help="recompute a profile's committed reference rows and compare them to the last bit")
    p.add_argument("profile", help="a profile with a reference file, e.g. default or smoke")
    p.add_argument("--reference", help="the reference file (default reference/<profile>.csv)")
    p.add_argument("--write", action="store_true", help="(re)write the reference from the profile's results")
    p.add_argument("--results", help="with --write: the sweep's results folder (default results/<profile>)")
    p.set_defaults(func=cmd_check_reproduction)

    p = sub.add_parser("sweep", help="run a study profile (resumable; finished runs are never repeated)")
    p.add_argument("config", help="a study profile, e.g. configs/default.yaml")
    p.add_argument("--results", help="results folder (default results/<profile name>)")
    p.add_argument("--executor", choices=EXECUTORS, help="local processes (default) or Ray")
    p.add_argument("--workers", type=int, help="parallel workers (default: the profile's)")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("init", help="propose each column's kind from a sample of a table; write a profile for it")
    p.add_argument("--data", required=True, help="the table: csv, tsv or parquet with a header")
    p.add_argument("--label", required=True, help="the 0/1 label column")
    for kind, what in (("categorical", "categorical"), ("numeric", "numeric (bucketed)"),
                       ("multi", "multi-valued"), ("ignore", "left out")):
        p.add_argument(f"--{kind}", metavar="COLS", help=f"comma-separated columns to declare {what}, "
                                                           "whatever the sample suggests")
    p.add_argument("--out", help="the profile to write (default <table name>.yaml here)")
    p.add_argument("--quick", action="store_true", help="write the quick tier (minutes) instead of the full one")
    p.add_argument("--force", action="store_true", help="replace the profile if it exists")
    p.add_argument("--sample-rows", type=int, default=SAMPLE_ROWS,
                   help=f"rows read to propose the kinds, from the top (default {SAMPLE_ROWS:,})")
    p.add_argument("--delimiter", help="text files: one character (default by extension: tab for .tsv, else ',')")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("report", help="run a profile's sweep and build its report (HTML and PDF) under "
                                      "results/<profile>/report/")
    p.add_argument("profile", help="a study profile, e.g. one written by sseds init")
    p.add_argument("--quick", action="store_true", help="run the quick tier of the profile (as <name>-quick)")
    p.add_argument("--estimate", action="store_true", help="print the estimate of the sweep's time and stop")
    p.add_argument("--workers", type=int, help="parallel workers (default: the profile's)")
    p.add_argument("--no-pdf", action="store_true", help="build the HTML report only")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("results", help="summary table: mean and 95%% interval over seeds")
    p.add_argument("target", help="a study profile (YAML) or a results folder")
    p.add_argument("--results", help="results folder, when TARGET is a profile stored elsewhere")
    p.set_defaults(func=cmd_results)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv  # the command line as typed (sseds init records it in the profile)
    try:
        # before any command imports torch: the mode is read when torch first computes
        numerics.apply(args.numerics or numerics.requested_mode())
        return args.func(args)
    except SsedsError as exc:
        print(f"sseds: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"sseds: error: {exc.filename or exc}: file not found", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`sseds results ... | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except OSError as exc:
        if not is_environment_error(exc):
            raise
        hint = "; free some space and run the command again" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        where = exc.filename or "writing a file"
        print(f"sseds: error: {where}: {exc.strerror}{hint} (finished work is kept)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sseds: interrupted; finished runs are saved, rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
