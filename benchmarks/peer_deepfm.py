"""Our DeepFM against DeepCTR-Torch's DeepFM on the same encoded split, side by side.

Both get the same encoded MovieLens-100K split (the default dataset), the same widths (D = 16, MLP
64-32), Adam at the same learning rate and batch size, no weight decay, no dropout, and the same
protocol: up to ``--epochs`` epochs, early stopping on validation AUC with patience 2, test metrics
of the best epoch. Multi-valued genres are mean-pooled in both. Results are mean and 95% interval
over seeds; wall time per epoch is on this machine's CPU with one thread for both.

    pip install deepctr-torch==0.3.0      # benchmark-only dependency (needs torch >= 2.4, tqdm, sklearn)
    python benchmarks/peer_deepfm.py --seeds 0 1 2 --out benchmarks/results/peer_deepfm.csv
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from sseds_study.config import ModelConfig, TrainConfig
from sseds_study.data import load_dataset
from sseds_study.fileio import atomic_write_text
from sseds_study.metrics import roc_auc
from sseds_study.models.registry import build_model
from sseds_study.statistics import t_interval
from sseds_study.train import fit, seed_everything


def run_ours(ds, seed, args) -> dict:
    seed_everything(seed)
    model = build_model(ds.fields, ModelConfig(name="DeepFM", emb_dim=16, hidden_dims=(64, 32)))
    cfg = TrainConfig(batch_size=args.batch_size, lr=args.lr, max_epochs=args.epochs, patience=2, seed=seed,
                      progress=False)
    result = fit(model, ds, cfg)
    return {"test_auc": result.test["auc"], "test_logloss": result.test["logloss"],
            "epochs": len(result.history), "seconds_per_epoch": result.train_seconds / len(result.history)}


def _peer_inputs(ds, idx):
    """DeepCTR-Torch wants a dict of named columns; its padding id for sequences is 0, so shift
    multi-valued ids by one (our padding is -1 and our OOV is 0)."""
    x = {}
    for f in ds.fields:
        cols = ds.ids[idx, f.column:f.column + f.width]
        x[f.name] = cols + 1 if f.is_multi else cols[:, 0]
    return x


def run_peer(ds, seed, args) -> dict:
    from deepctr_torch.inputs import SparseFeat, VarLenSparseFeat, get_feature_names
    from deepctr_torch.models import DeepFM

    columns = []
    for f in ds.fields:
        if f.is_multi:
            columns.append(VarLenSparseFeat(SparseFeat(f.name, vocabulary_size=f.vocab_size + 1, embedding_dim=16),
                                            maxlen=f.width, combiner="mean"))
        else:
            columns.append(SparseFeat(f.name, vocabulary_size=f.vocab_size, embedding_dim=16))
    names = get_feature_names(columns)
    split = {s: ds.split_index(s) for s in ("train", "valid", "test")}
    data = {s: ({k: v for k, v in _peer_inputs(ds, i).items() if k in names}, ds.labels[i]) for s, i in split.items()}
    torch.manual_seed(seed)
    model = DeepFM(columns, columns, dnn_hidden_units=(64, 32), l2_reg_linear=0, l2_reg_embedding=0,
                   l2_reg_dnn=0, dnn_dropout=0, seed=seed, task="binary", device="cpu")
    model.compile(torch.optim.Adam(model.parameters(), lr=args.lr), "binary_crossentropy")
    best, best_state, bad, epochs, seconds = -1.0, None, 0, 0, 0.0
    for _ in range(args.epochs):
        start = time.perf_counter()
        model.fit(data["train"][0], data["train"][1], batch_size=args.batch_size, epochs=1, verbose=0)
        seconds += time.perf_counter() - start
        epochs += 1
        auc = roc_auc(data["valid"][1], model.predict(data["valid"][0], batch_size=8192).ravel())
        if auc > best:
            best, best_state, bad = auc, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= 2:
                break
    model.load_state_dict(best_state)
    p = np.clip(model.predict(data["test"][0], batch_size=8192).ravel(), 1e-7, 1 - 1e-7)
    y = data["test"][1]
    return {"test_auc": roc_auc(y, p), "test_logloss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
            "epochs": epochs, "seconds_per_epoch": seconds / epochs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=2048)
    parser.add_argument("--lr", type=float, default=0.002)
    parser.add_argument("--out", default="benchmarks/results/peer_deepfm.csv")
    args = parser.parse_args()
    torch.set_num_threads(1)
    ds = load_dataset("movielens100k", progress=False)
    rows = []
    for seed in args.seeds:
        for impl, run in (("sseds_study", run_ours), ("deepctr-torch 0.3.0", run_peer)):
            rows.append({"implementation": impl, "seed": seed, **run(ds, seed, args)})
            print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(Path(args.out), df.to_csv(index=False))
    summary = []
    for impl, g in df.groupby("implementation", sort=False):
        auc, ci = t_interval(g["test_auc"].tolist())
        ll, ll_ci = t_interval(g["test_logloss"].tolist())
        summary.append({"implementation": impl, "seeds": len(g), "test_auc": f"{auc:.4f} ± {ci:.4f}",
                        "test_logloss": f"{ll:.4f} ± {ll_ci:.4f}", "epochs": g["epochs"].mean(),
                        "s/epoch": round(g["seconds_per_epoch"].mean(), 2)})
    print(f"DeepFM on movielens100k ({len(ds):,} rows, same split), D=16, MLP 64-32, lr {args.lr}, "
          f"batch {args.batch_size}")
    print(pd.DataFrame(summary).to_markdown(index=False) if hasattr(pd.DataFrame, "to_markdown")
          else pd.DataFrame(summary).to_string(index=False))


if __name__ == "__main__":
    main()
