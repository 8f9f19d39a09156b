"""Inference cost of the slim models SSEDS deploys, as ratios to the full-width model.

For each base model and budget, builds the mixed-width model of the SSEDS allocation (default search
settings, seed 0, from the default profile's cached pretrained model: run `make sweeps` or
`sseds sweep configs/default.yaml` first) and measures, on one CPU thread:

- parameter memory: bytes of all parameters (float32), and of the embedding tables alone;
- latency: median wall time to score one batch of ``--batch`` test rows (``--repeats`` timings after a
  warm-up), and the matching rows per second.

    python benchmarks/slim_inference.py --dataset movielens100k --models FM DeepFM DCN
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import pandas as pd
import torch

from sseds_study.analysis import load_pretrained, saliency_scores
from sseds_study.models.registry import build_model
from sseds_study.search import allocate_dims
from sseds_study.study.profile import load_profile


def param_bytes(model: torch.nn.Module) -> int:
    return sum(p.numel() * p.element_size() for p in model.parameters())


@torch.no_grad()
def batch_latency(model: torch.nn.Module, x: torch.Tensor, repeats: int) -> float:
    """Median seconds to score one batch (eval mode, after three warm-up calls)."""
    model.eval()
    for _ in range(3):
        model(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="movielens100k")
    parser.add_argument("--models", nargs="+", default=["FM", "DeepFM", "DCN"])
    parser.add_argument("--budgets", type=float, nargs="+", default=[1.0, 0.5, 0.2, 0.1])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(1)
    study = load_profile("default")
    rows = []
    for model_name in args.models:
        ds, pre, spec = load_pretrained(study, args.dataset, model_name, seed=0)
        scores = saliency_scores(ds, pre, spec)
        x = torch.from_numpy(ds.subset("test")[0][: args.batch])
        for budget in args.budgets:
            alloc = allocate_dims(scores, ds.vocab_sizes, budget)
            slim = build_model(ds.fields, dataclasses.replace(spec.model, emb_dims=alloc.emb_dims))
            seconds = batch_latency(slim, x, args.repeats)
            counts = slim.count_params()
            rows.append({"model": model_name, "budget": budget, "emb_params": counts["embedding"],
                         "total_params": counts["total"], "param_KiB": param_bytes(slim) / 1024,
                         "ms_per_batch": seconds * 1e3, "rows_per_s": len(x) / seconds})
    df = pd.DataFrame(rows)
    full = df[df["budget"] == 1.0].set_index("model")
    df["memory_vs_full"] = df["param_KiB"] / df["model"].map(full["param_KiB"])
    df["latency_vs_full"] = df["ms_per_batch"] / df["model"].map(full["ms_per_batch"])
    print(f"{args.dataset} ({len(ds):,} rows), SSEDS widths (profile default, seed 0), batch {len(x)}, "
          f"1 thread, median of {args.repeats}")
    print(df.round({"param_KiB": 1, "ms_per_batch": 3, "rows_per_s": 0, "memory_vs_full": 3,
                    "latency_vs_full": 3}).to_markdown(index=False))


if __name__ == "__main__":
    main()
