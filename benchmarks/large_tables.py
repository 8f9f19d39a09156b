"""Large tables: dense Adam against the sparse path (SparseAdam on the embedding tables), ours only.

With Criteo-like vocabularies (about a million table rows) dense Adam reads and writes every row of
every table at every step, though a batch of 4096 touches a few tens of thousands. ``optimizer:
sparse_adam`` (TrainConfig) gives the tables sparse gradients and SparseAdam. Same data, model and
settings as throughput.py's Criteo-shaped rows (batch 4096, D = 16, MLP 400-400-400, 2 threads), each
run in a fresh process; rows/s and peak RSS for FM and DeepFM with each optimizer.

    python benchmarks/large_tables.py            # writes results/large_tables.json
    python benchmarks/large_tables.py --quick
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import versions, write_result  # noqa: E402
from throughput import EMB_DIM, HIDDEN, prepare, run_one  # noqa: E402

OPTIMIZERS = ("adam", "sparse_adam")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--models", nargs="+", default=["DeepFM", "FM"])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--criteo-rows", type=int, default=150_000)
    parser.add_argument("--timeout", type=float, default=420)
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args(argv)
    args.fuxictr_workers, args.device = 0, "cpu"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path, facts = prepare("criteo_shaped", args.quick, Path(tmp), args.criteo_rows)
        for model in args.models:
            for opt in OPTIMIZERS:
                t = time.perf_counter()
                res = run_one("ours", path, model, args, optimizer=opt)
                rows.append({"dataset": "criteo_shaped", "model": model, "optimizer": opt, **facts, **res,
                             "wall_s": time.perf_counter() - t})
                print(json.dumps(rows[-1], default=float), flush=True)
    payload = {"quick": args.quick, "settings": {"batch_size": args.batch_size, "emb_dim": EMB_DIM, "hidden": HIDDEN,
                                                 "threads": args.threads, "epochs": args.epochs,
                                                 "criteo_rows": args.criteo_rows},
               "versions": versions("torch", "numpy", "sseds-study"), "rows": rows}
    print(write_result("large_tables", payload, args.results))


if __name__ == "__main__":
    main()
