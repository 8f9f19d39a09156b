"""The ``sseds`` command: prepare data, train one model, search widths, run and summarise sweeps.

Errors caused by the user's input (a missing file, a bad option, a malformed config) print one line
``sseds: error: ...`` and exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

from .config import (
    BUDGET_UNITS,
    ESTIMATORS,
    EXECUTORS,
    RANK_BY,
    SCORE_SPLITS,
    DataConfig,
    ModelConfig,
    SearchConfig,
    TrainConfig,
    load_study,
    to_dict,
)
from .data import DATASETS, dataset_summary, load_dataset_from_config
from .errors import SsedsError
from .fileio import atomic_write_text
from .models.registry import MODELS, build_model
from .study import (
    GroupCache,
    RunSpec,
    aggregate,
    default_results_dir,
    get_method,
    load_or_pretrain,
    load_results,
    method_names,
    sweep,
)
from .study.methods import MethodInput
from .train import fit, save_checkpoint, seed_everything


# ----------------------------------------------------------------------------------------------
# Shared options
# ----------------------------------------------------------------------------------------------
def _parse_value(text: str):
    """'3' -> 3, '0.5' -> 0.5, 'true' -> True, 'a,b' -> ['a', 'b'], anything else stays a string."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if "," in text:
        return [_parse_value(t) for t in text.split(",") if t]
    return text


def _options(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SsedsError(f"--option {pair!r}: expected KEY=VALUE (for example rows=20000)")
        k, v = pair.split("=", 1)
        out[k.strip().replace("-", "_")] = _parse_value(v.strip())
    return out


def _add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--dataset", default="movielens100k", help=f"one of {', '.join(DATASETS)} (default movielens100k)")
    g.add_argument("--path", help="local raw file or folder (criteo, avazu, frappe, table)")
    g.add_argument("--label", help="table: the label column")
    g.add_argument("--categorical", help="table: comma-separated categorical columns")
    g.add_argument("--numeric", help="table: comma-separated numeric columns")
    g.add_argument("--multi", help="table: comma-separated multi-valued columns")
    g.add_argument("--spec", help="table: a YAML file declaring label and columns")
    g.add_argument("--min-count", type=int, help="values seen fewer times in training become OOV")
    g.add_argument("--split-seed", type=int, help="seed of the 8:1:1 split")
    g.add_argument("--option", action="append", metavar="KEY=VALUE",
                   help="any other dataset option, e.g. --option rows=20000 (repeatable)")


def _data_config(args) -> DataConfig:
    options = _options(args.option)
    for name in ("path", "label", "spec"):
        if getattr(args, name):
            options[name] = getattr(args, name)
    for name in ("categorical", "numeric", "multi"):
        if getattr(args, name):
            options[name] = [c for c in getattr(args, name).split(",") if c]
    kw = {"name": args.dataset, "options": options}
    if args.min_count is not None:
        kw["min_count"] = args.min_count
    if args.split_seed is not None:
        kw["split_seed"] = args.split_seed
    return DataConfig(**kw)


def _load(args):
    return load_dataset_from_config(_data_config(args), progress=not args.quiet)


def _add_model_train_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model and training")
    g.add_argument("--model", default="DeepFM", help=", ".join(MODELS))
    g.add_argument("--emb-dim", type=int, default=16, help="base width D")
    g.add_argument("--emb-dims", help="mixed widths, one per field, comma-separated (e.g. 16,8,0,4,...)")
    g.add_argument("--hidden-dims", default="64,32", help="MLP widths, comma-separated")
    g.add_argument("--epochs", type=int, default=20, help="maximum epochs (early stopping on valid AUC)")
    g.add_argument("--patience", type=int, default=2)
    g.add_argument("--batch-size", type=int, default=2048)
    g.add_argument("--lr", type=float, default=1e-3)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--device", default="auto", help="auto (cuda, then cpu), cpu or cuda")


def _ints(text: str | None, what: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise SsedsError(f"{what}: expected comma-separated integers; got {text!r}") from None


def _model_config(args, num_fields: int | None = None) -> ModelConfig:
    emb_dims = _ints(args.emb_dims, "--emb-dims")
    if emb_dims is not None and num_fields is not None and len(emb_dims) != num_fields:
        raise SsedsError(f"--emb-dims: the dataset has {num_fields} fields; got {len(emb_dims)} widths")
    return ModelConfig(name=args.model, emb_dim=args.emb_dim, emb_dims=emb_dims,
                       hidden_dims=_ints(args.hidden_dims, "--hidden-dims") or ())


def _train_config(args) -> TrainConfig:
    return TrainConfig(batch_size=args.batch_size, lr=args.lr, max_epochs=args.epochs, patience=args.patience,
                       seed=args.seed, device=args.device, progress=not args.quiet)


# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------
def cmd_data(args) -> int:
    ds = _load(args)
    m = ds.manifest
    print(f"{ds.name}: {len(ds):,} rows, {ds.num_fields} fields")
    counts = m.get("rows") or {}
    if counts:
        print("  splits: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(dataset_summary(ds).to_string(index=False))
    if args.manifest:
        print(json.dumps(m, indent=2, sort_keys=True, default=str))
    return 0


def cmd_train(args) -> int:
    ds = _load(args)
    model_cfg = _model_config(args, ds.num_fields)
    train_cfg = _train_config(args)
    seed_everything(train_cfg.seed)
    model = build_model(ds.fields, model_cfg)
    out = Path(args.out) if args.out else Path("runs") / f"{ds.name}-{model_cfg.name}-seed{train_cfg.seed}"
    config = {"data": to_dict(_data_config(args)), "model": to_dict(model_cfg), "train": to_dict(train_cfg)}
    result = fit(model, ds, train_cfg)
    save_checkpoint(out / "model.pt", model, config=config, fit_result=result)
    counts = model.count_params()
    metrics = {
        "dataset": ds.name, "model": model_cfg.name, "emb_dims": list(model_cfg.emb_dims or []),
        "valid": result.valid, "test": result.test, "best_epoch": result.best_epoch,
        "epochs": len(result.history), "history": [dataclasses.asdict(h) for h in result.history],
        "train_seconds": result.train_seconds,
        "rows_per_second": result.rows_per_second, "params": counts, "config": config,
    }
    atomic_write_text(out / "metrics.json", json.dumps(metrics, indent=2, default=float))
    print(f"test AUC {result.test['auc']:.4f}  logloss {result.test['logloss']:.4f}  "
          f"(valid AUC {result.valid['auc']:.4f}, best epoch {result.best_epoch}, "
          f"{counts['embedding']:,} embedding / {counts['total']:,} total parameters)")
    print(f"wrote {out / 'metrics.json'} and {out / 'model.pt'}")
    return 0


def cmd_search(args) -> int:
    """Pretrain (or reuse the cached pretrained model), score, allocate; print widths per field."""
    ds = _load(args)
    search = SearchConfig(estimator=args.estimator, score_split=args.score_split, num_batches=args.num_batches,
                          budget_unit=args.budget_unit, rank_by=args.rank_by, min_dim=args.min_dim)
    spec = RunSpec(_data_config(args), dataclasses.replace(_model_config(args), emb_dims=None),
                   _train_config(args), search, args.method, float(args.budget))
    cache_dir = Path(args.results) if args.results else Path(os.environ.get("SSEDS_RESULTS_DIR", "results")) / "search"
    pre = load_or_pretrain(ds, spec, cache_dir)
    inputs = MethodInput(ds, pre, spec, GroupCache())
    start = time.perf_counter()
    alloc = get_method(args.method).allocate(inputs)
    seconds = inputs.search_seconds + time.perf_counter() - start
    print(f"{ds.name} / {spec.model.name} / {args.method}: budget {args.budget:g} -> achieved "
          f"{alloc.achieved_budget:.4f} ({alloc.kept_params:,} of {alloc.base_params:,} embedding parameters), "
          f"search {seconds:.2f} s")
    width = max(len(f.name) for f in ds.fields)
    for f, d in zip(ds.fields, alloc.emb_dims, strict=True):
        print(f"  {f.name:<{width}}  V={f.vocab_size:>8,}  d={d:>3}  {'#' * int(d)}")
    return 0


def cmd_sweep(args) -> int:
    study = load_study(args.config)
    report = sweep(study, args.results, executor=args.executor, workers=args.workers, progress=not args.quiet)
    print(f"{study.name}: {report.executed} run(s) executed, {report.skipped} already done, "
          f"{report.failed} failed, {report.seconds:.1f} s")
    if report.failed:
        bad = report.table[report.table["status"] != "ok"]
        for _, r in bad.head(5).iterrows():
            print(f"  failed: {r['dataset']}/{r['model']}/{r['method']}/b={r['budget']}/seed={r['seed']}: {r['error']}")
    return 1 if report.failed else 0


def cmd_results(args) -> int:
    target = Path(args.target)
    if target.suffix in (".yaml", ".yml"):
        results_dir = Path(args.results) if args.results else default_results_dir(load_study(target))
    else:
        results_dir = target
    # Variants are named relative to the search settings of the study that made the results.
    saved = results_dir / "study.json"
    reference = SearchConfig(**json.loads(saved.read_text())["search"]) if saved.exists() else None
    table = aggregate(load_results(results_dir), reference=reference)
    if table.empty:
        print(f"{results_dir}: no finished runs yet")
        return 0
    cols = ["dataset", "model", "method", "variant", "budget", "seeds", "test_auc_mean", "test_auc_ci95",
            "test_logloss_mean", "kept_emb_params_mean"]
    with pd.option_context("display.width", 200, "display.max_rows", 500, "display.float_format", "{:.4f}".format):
        print(table[cols].to_string(index=False))
    return 0


# ----------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sseds", description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("data", help="prepare (download, encode, cache) a dataset and summarise it")
    _add_data_args(p)
    p.add_argument("--manifest", action="store_true", help="also print the manifest")
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("train", help="train one model and write its metrics and checkpoint")
    _add_data_args(p)
    _add_model_train_args(p)
    p.add_argument("--out", help="output folder (default runs/<dataset>-<model>-seed<seed>)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("search", help="pretrain, score and allocate; print the width of each field")
    _add_data_args(p)
    _add_model_train_args(p)
    p.add_argument("--budget", type=float, default=0.1, help="fraction of embedding parameters kept, in (0, 1]")
    p.add_argument("--method", default="sseds", choices=method_names(evaluation="retrain"),
                   help="how widths are chosen (the methods that retrain a slim model)")
    p.add_argument("--estimator", default="mean_abs", choices=ESTIMATORS)
    p.add_argument("--score-split", default="train", choices=SCORE_SPLITS)
    p.add_argument("--num-batches", type=int, default=32)
    p.add_argument("--budget-unit", default="params", choices=BUDGET_UNITS)
    p.add_argument("--rank-by", default="saliency", choices=RANK_BY)
    p.add_argument("--min-dim", type=int, default=0)
    p.add_argument("--results", help="where the pretrained model is cached (default results/search)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("sweep", help="run a study profile (resumable; finished runs are never repeated)")
    p.add_argument("config", help="a study profile, e.g. configs/default.yaml")
    p.add_argument("--results", help="results folder (default results/<profile name>)")
    p.add_argument("--executor", choices=EXECUTORS, help="local processes (default) or Ray")
    p.add_argument("--workers", type=int, help="parallel workers (default: the profile's)")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("results", help="summary table: mean and 95%% interval over seeds")
    p.add_argument("target", help="a study profile (YAML) or a results folder")
    p.add_argument("--results", help="results folder, when TARGET is a profile stored elsewhere")
    p.set_defaults(func=cmd_results)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SsedsError as exc:
        print(f"sseds: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"sseds: error: {exc.filename or exc}: file not found", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sseds: interrupted; finished runs are saved, rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
