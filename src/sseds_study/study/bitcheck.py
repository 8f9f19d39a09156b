"""Is a numerical mode machine-independent? Train every base model under imitated instruction sets and
compare the results bit for bit.

One machine can imitate the code paths of others: MKL's branch (``MKL_CBWR``) and its dispatch cap
(``MKL_ENABLE_INSTRUCTIONS``), ATen's vector width (``ATEN_CPU_CAPABILITY``), oneDNN's instruction set
(``ONEDNN_MAX_CPU_ISA``) and the thread count. Each setting below runs in a fresh process (the libraries
read them once), trains each model with one seed, evaluates it, and reports its validation and test
metrics to the last bit and a digest of its trained weights. Under ``fast`` (nothing pinned) the
imitations show which settings move the bits; under ``reproducible`` they must all agree.

    python -m sseds_study.study.bitcheck                      # ML-100K, 5 models, 2 epochs: a markdown table
    python -m sseds_study.study.bitcheck --dataset synthetic --rows 6000 --epochs 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence

from .. import numerics
from ..models.registry import MODEL_NAMES

# name -> (what it imitates, environment). Every numerics variable not named is unset first.
IMITATIONS: dict[str, tuple[str, dict[str, str]]] = {
    "native": ("this CPU's own choices", {}),
    "aten-default": ("ATen without AVX2 (an older CPU)", {"ATEN_CPU_CAPABILITY": "default"}),
    # On a non-Intel CPU MKL runs these as AUTO, its reproducible branch for that CPU (state() says which)
    "mkl-avx": ("MKL's reproducible AVX branch (AUTO on AMD)", {"MKL_CBWR": "AVX"}),
    "mkl-sse42": ("MKL's reproducible SSE4.2 branch (AUTO on AMD)", {"MKL_CBWR": "SSE4_2"}),
    "mkl-cap-avx": ("MKL dispatch capped at AVX", {"MKL_ENABLE_INSTRUCTIONS": "AVX"}),
    "onednn-sse41": ("oneDNN capped at SSE4.1", {"ONEDNN_MAX_CPU_ISA": "SSE41"}),
    # torch's own thread count on a 4-core machine; SSEDS_THREADS (a user's explicit choice) stays unset
    "threads-4": ("torch's default on four cores", {"OMP_NUM_THREADS": "4"}),
    "all-baseline": ("every library on its baseline path",
                     {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}),
}
# What "the same result" means: every metric to the last bit and the trained weights' digest.
BIT_COLUMNS = ("valid_auc", "valid_logloss", "test_auc", "test_logloss", "weights")


def same_bits(a: dict, b: dict) -> bool:
    """Whether two models' results of ``train_digests`` are identical in every ``BIT_COLUMNS``."""
    return all(a[k] == b[k] for k in BIT_COLUMNS)


_CLEARED = ("MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "SSEDS_THREADS",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", numerics.ENV_MODE)


def train_digests(dataset: str, models: Sequence[str], epochs: int, rows: int | None = None, seed: int = 0,
                  emb_dim: int = 16, hidden_dims: Sequence[int] = (64, 32)) -> dict:
    """Train and evaluate each model once in this process; its metrics (as exact as ``repr``) and a
    sha256 of its trained weights, with the numerical state the libraries were in."""
    import torch

    from ..config import DataConfig, ModelConfig, TrainConfig
    from ..data import load_dataset_from_config
    from ..models.registry import build_model
    from ..train import fit, seed_everything

    options = {"rows": rows} if rows else {}
    ds = load_dataset_from_config(DataConfig(name=dataset, options=options), progress=False)
    out = {"numerics": numerics.state(), "models": {}}
    with numerics.pinned():
        for name in models:
            seed_everything(seed)
            model = build_model(ds.fields, ModelConfig(name=name, emb_dim=emb_dim, hidden_dims=tuple(hidden_dims)))
            result = fit(model, ds, TrainConfig(max_epochs=epochs, patience=epochs, seed=seed, progress=False))
            h = hashlib.sha256()
            for key, tensor in sorted(model.state_dict().items()):
                h.update(key.encode())
                h.update(tensor.detach().to("cpu").contiguous().numpy().tobytes())
            out["models"][name] = {
                "valid_auc": repr(float(result.valid["auc"])), "valid_logloss": repr(float(result.valid["logloss"])),
                "test_auc": repr(float(result.test["auc"])), "test_logloss": repr(float(result.test["logloss"])),
                "weights": h.hexdigest()[:16], "torch_threads": torch.get_num_threads(),
            }
    return out


def run_imitation(name: str, mode: str, dataset: str, models: Sequence[str], epochs: int,
                  rows: int | None = None, timeout: float = 1800) -> dict:
    """``train_digests`` in a fresh process under imitation ``name`` and numerical mode ``mode``."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(IMITATIONS[name][1])
    env[numerics.ENV_MODE] = mode
    args = [sys.executable, "-m", "sseds_study.study.bitcheck", "--child", "--dataset", dataset,
            "--epochs", str(epochs), "--models", ",".join(models)] + (["--rows", str(rows)] if rows else [])
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"imitation {name} ({mode}) failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def table(results: dict[tuple[str, str], dict], models: Sequence[str]) -> str:
    """Markdown: one row per (mode, imitation), one column per model; each cell the test log loss to the
    last digit, with "=" where every metric and the weights equal that mode's ``native`` run, else "≠"."""
    lines = ["| mode | imitated | settings | " + " | ".join(models) + " |", "|---|---|---|" + "---|" * len(models)]
    for (mode, imit) in results:
        what, env = IMITATIONS.get(imit, (imit, {}))
        settings = ", ".join(f"{k}={v}" for k, v in env.items()) or "–"
        cells = []
        for m in models:
            got, ref = results[(mode, imit)]["models"][m], results[(mode, "native")]["models"][m]
            cells.append(f"{got['test_logloss']} {'=' if same_bits(got, ref) else '≠'}")
        lines.append(f"| {mode} | {what} | {settings} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sseds_study.study.bitcheck", description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="movielens100k")
    p.add_argument("--rows", type=int, default=None)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--models", default=",".join(MODEL_NAMES))
    p.add_argument("--modes", default="fast,reproducible")
    p.add_argument("--imitations", default=",".join(IMITATIONS))
    p.add_argument("--out", help="also write the table and the raw results (JSON beside it) here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    models = args.models.split(",")
    if args.child:
        print(json.dumps(train_digests(args.dataset, models, args.epochs, args.rows)))
        return 0
    results = {}
    for mode in args.modes.split(","):
        for imit in args.imitations.split(","):
            results[(mode, imit)] = run_imitation(imit, mode, args.dataset, models, args.epochs, args.rows)
            print(f"{mode:>12} {imit:<14} {numerics.describe(results[(mode, imit)]['numerics'])}", file=sys.stderr)
    text = table(results, models)
    print(text)
    if args.out:
        from pathlib import Path

        from ..fileio import atomic_write_text

        atomic_write_text(Path(args.out), text + "\n")
        atomic_write_text(Path(args.out).with_suffix(".json"),
                          json.dumps({f"{m}|{i}": r for (m, i), r in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
