"""Training throughput and peak memory: ours against DeepCTR-Torch and FuxiCTR, side by side.

Rows per second of forward + backward + optimizer step, each library through its own training loop
and its own data loader, on the same encoded data (the same ids, split and vocabulary size per
field, so every library holds tables of the same number of rows; the table rows are in the result),
batch 4096, D = 16, MLP 400-400-400 (DeepFM), Adam lr 1e-3, no regularisation, no dropout, torch on
2 threads. Each (dataset, model, library) runs in a fresh process, so its peak RSS is its own.

* ours: ``sseds_study.train.fit`` (its loader is a row slice of one id matrix); rows/s is what fit
  reports (training passes only, not validation);
* DeepCTR-Torch 0.3.0: ``model.fit`` (its TensorDataset + DataLoader); FM is its DeepFM without the
  DNN (``use_dnn=False``), as DeepCTR-Torch has no separate FM;
* FuxiCTR 2.3.10: ``BaseModel.train_epoch`` over its ``NpzDataLoader``; FuxiCTR ships its models in a
  separate model zoo, so FM and DeepFM are the zoo's definitions built from the package's own layers
  (FeatureEmbedding, FactorizationMachine, MLP_Block), reproduced here.

Each library runs ``--repeats`` times (3), in interleaved rounds, each in a fresh process; the table
shows the median run's rows/s and the range of all runs (this machine's speed moves by 20-40% from
one run to the next), and the largest peak RSS.

Datasets: MovieLens-100K (the study's encoding) and ``criteo_shaped`` (bench_data.py: Criteo's 39
fields, about a million table rows, Zipf popularity). The peers run in ``benchmarks/.venv-peers``
(``make bench`` creates it); without it their rows say "not run".

    python benchmarks/throughput.py                    # everything, writes results/throughput.json
    python benchmarks/throughput.py --quick            # seconds: tiny data, one epoch, to check it runs
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import (  # noqa: E402
    median_run,
    peak_rss_mib,
    peers_available,
    python_for,
    reset_peak_rss,
    run_json_child,
    versions,
    write_result,
)

IMPLS = ("ours", "deepctr-torch", "fuxictr")
MODELS = ("DeepFM", "FM")
DATASETS = ("movielens100k", "criteo_shaped")
HIDDEN = (400, 400, 400)
EMB_DIM = 16
# Timed epochs per dataset (every library runs the same): one MovieLens-100K epoch is 20 batches, a
# fifth of a second for our FM, so start-up (first touches of memory, thread pools) would weigh on
# it far more than on a peer's 2-second epoch; five epochs measure the steady state of each.
EPOCHS = {"movielens100k": 5, "criteo_shaped": 1}


# -- the children: one library, one model, one dataset ------------------------------------------------------
def _child_ours(data: dict, args) -> dict:
    import torch

    from sseds_study.config import ModelConfig, TrainConfig
    from sseds_study.data.spec import EncodedDataset, make_field_specs
    from sseds_study.models import build_model
    from sseds_study.train import fit, seed_everything

    fields = make_field_specs([f["name"] for f in data["fields"]], [f["kind"] for f in data["fields"]],
                              [f["vocab_size"] for f in data["fields"]], [f["width"] for f in data["fields"]])
    ds = EncodedDataset(name="bench", fields=fields, ids=data["ids"], labels=data["labels"], split=data["split"])
    seed_everything(0)
    model = build_model(fields, ModelConfig(name=args.model, emb_dim=EMB_DIM, hidden_dims=HIDDEN))
    cfg = TrainConfig(batch_size=args.batch_size, lr=1e-3, max_epochs=args.epochs, patience=args.epochs + 1,
                      seed=0, device=args.device, progress=False, optimizer=args.optimizer)
    result = fit(model, ds, cfg, test=False)
    rows = int((ds.split == 0).sum()) * len(result.history)
    return {"trained_rows": rows, "seconds": sum(h.seconds for h in result.history), "rows_per_s": result.rows_per_second,
            "table_rows": _table_rows(model, torch), "final_train_loss": result.history[-1].train_loss,
            "valid_auc": result.valid["auc"]}


def _table_rows(model, torch) -> int:
    return int(sum(m.num_embeddings for m in model.modules() if isinstance(m, torch.nn.Embedding)))


def _deepctr_inputs(data: dict, idx: np.ndarray) -> dict:
    """DeepCTR-Torch wants a dict of named columns; its sequence padding id is 0, ours is -1: shift."""
    x = {}
    for f in data["fields"]:
        cols = data["ids"][idx, f["column"]:f["column"] + f["width"]]
        x[f["name"]] = cols + 1 if f["kind"] == "multi" else cols[:, 0]
    return x


def _child_deepctr(data: dict, args) -> dict:
    import torch
    from deepctr_torch.inputs import SparseFeat, VarLenSparseFeat
    from deepctr_torch.models import DeepFM

    columns = []
    for f in data["fields"]:
        if f["kind"] == "multi":
            columns.append(VarLenSparseFeat(SparseFeat(f["name"], vocabulary_size=f["vocab_size"] + 1,
                                                       embedding_dim=EMB_DIM), maxlen=f["width"], combiner="mean"))
        else:
            columns.append(SparseFeat(f["name"], vocabulary_size=f["vocab_size"], embedding_dim=EMB_DIM))
    train = np.flatnonzero(data["split"] == 0)
    x, y = _deepctr_inputs(data, train), data["labels"][train]
    torch.manual_seed(0)
    model = DeepFM(columns, columns, use_fm=True, dnn_hidden_units=HIDDEN if args.model == "DeepFM" else (),
                   l2_reg_linear=0, l2_reg_embedding=0, l2_reg_dnn=0, dnn_dropout=0, seed=0, task="binary",
                   device="cuda:0" if args.device == "cuda" else "cpu")
    if args.model == "FM":
        model.use_dnn = False  # linear + FM only: DeepCTR-Torch's FM
    model.compile(torch.optim.Adam(model.parameters(), lr=1e-3), "binary_crossentropy")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, verbose=0, shuffle=True)
    seconds = time.perf_counter() - start
    return {"trained_rows": len(train) * args.epochs, "seconds": seconds, "rows_per_s": len(train) * args.epochs / seconds,
            "table_rows": _table_rows(model, torch), "final_train_loss": float(history.history["loss"][-1])}


def _fuxictr_models():
    """FuxiCTR's model-zoo FM and DeepFM (model_zoo/FM, model_zoo/DeepFM), on the package's layers."""
    from fuxictr.pytorch.layers import FactorizationMachine, FeatureEmbedding, MLP_Block
    from fuxictr.pytorch.models import BaseModel

    class FM(BaseModel):
        def __init__(self, feature_map, model_id="FM", gpu=-1, learning_rate=1e-3, embedding_dim=10,
                     regularizer=None, **kwargs):
            super().__init__(feature_map, model_id=model_id, gpu=gpu, embedding_regularizer=regularizer,
                             net_regularizer=regularizer, **kwargs)
            self.fm_layer = FactorizationMachine(feature_map)
            self.embedding_layer = FeatureEmbedding(feature_map, embedding_dim)
            self.compile(kwargs["optimizer"], kwargs["loss"], learning_rate)
            self.reset_parameters()
            self.model_to_device()

        def forward(self, inputs):
            X = self.get_inputs(inputs)
            feature_emb = self.embedding_layer(X)
            y_pred = self.fm_layer(X, feature_emb)
            return {"y_pred": self.output_activation(y_pred)}

    class DeepFM(BaseModel):
        def __init__(self, feature_map, model_id="DeepFM", gpu=-1, learning_rate=1e-3, embedding_dim=10,
                     hidden_units=(64, 64, 64), hidden_activations="ReLU", net_dropout=0, batch_norm=False,
                     embedding_regularizer=None, net_regularizer=None, **kwargs):
            super().__init__(feature_map, model_id=model_id, gpu=gpu, embedding_regularizer=embedding_regularizer,
                             net_regularizer=net_regularizer, **kwargs)
            self.embedding_layer = FeatureEmbedding(feature_map, embedding_dim)
            self.fm = FactorizationMachine(feature_map)
            self.mlp = MLP_Block(input_dim=feature_map.sum_emb_out_dim(), output_dim=1, hidden_units=list(hidden_units),
                                 hidden_activations=hidden_activations, output_activation=None,
                                 dropout_rates=net_dropout, batch_norm=batch_norm)
            self.compile(kwargs["optimizer"], kwargs["loss"], learning_rate)
            self.reset_parameters()
            self.model_to_device()

        def forward(self, inputs):
            X = self.get_inputs(inputs)
            feature_emb = self.embedding_layer(X)
            y_pred = self.fm(X, feature_emb)
            y_pred += self.mlp(feature_emb.flatten(start_dim=1))
            return {"y_pred": self.output_activation(y_pred)}

    return {"FM": FM, "DeepFM": DeepFM}


def _child_fuxictr(data: dict, args) -> dict:
    from collections import OrderedDict

    import torch
    from fuxictr.features import FeatureMap
    from fuxictr.pytorch.dataloaders.npz_dataloader import NpzDataLoader

    tmp = Path(tempfile.mkdtemp(prefix="fuxictr-bench-"))
    fmap = FeatureMap("bench", str(tmp))
    features = OrderedDict()
    train = np.flatnonzero(data["split"] == 0)
    arrays = {}
    for f in data["fields"]:
        cols = data["ids"][train, f["column"]:f["column"] + f["width"]]
        if f["kind"] == "multi":  # FuxiCTR's sequence features pad with 0: shift ours (-1) by one
            features[f["name"]] = {"type": "sequence", "source": "", "vocab_size": f["vocab_size"] + 1,
                                   "max_len": f["width"], "padding_idx": 0,
                                   "feature_encoder": "layers.MaskedAveragePooling()"}
            arrays[f["name"]] = cols + 1
        else:
            features[f["name"]] = {"type": "categorical", "source": "", "vocab_size": f["vocab_size"]}
            arrays[f["name"]] = cols[:, 0]
    arrays["label"] = data["labels"][train].astype(np.float32)
    fmap.features, fmap.labels, fmap.default_emb_dim = features, ["label"], EMB_DIM
    fmap.num_fields = fmap.get_num_fields()
    fmap.set_column_index()
    np.savez(tmp / "train.npz", **arrays)
    loader = NpzDataLoader(fmap, str(tmp / "train.npz"), batch_size=args.batch_size, shuffle=True,
                           num_workers=args.fuxictr_workers)
    torch.manual_seed(0)
    cls = _fuxictr_models()[args.model]
    extra = {"hidden_units": HIDDEN} if args.model == "DeepFM" else {}
    model = cls(fmap, embedding_dim=EMB_DIM, learning_rate=1e-3, optimizer="adam", loss="binary_crossentropy",
                verbose=0, model_root=str(tmp), metrics=["AUC", "logloss"], gpu=0 if args.device == "cuda" else -1,
                **extra)
    # what BaseModel.fit sets up before its epochs, without its per-epoch validation
    model._max_gradient_norm, model._total_steps, model._eval_steps = 10.0, 0, 1 << 62
    model._stop_training, model._epoch_index = False, 0
    start = time.perf_counter()
    for epoch in range(args.epochs):
        model._epoch_index = epoch
        model.train_epoch(loader)
    seconds = time.perf_counter() - start
    return {"trained_rows": len(train) * args.epochs, "seconds": seconds, "rows_per_s": len(train) * args.epochs / seconds,
            "table_rows": _table_rows(model, torch)}


def child_main(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    from bench_data import load

    reset_peak_rss()
    data = load(args.data)
    run = {"ours": _child_ours, "deepctr-torch": _child_deepctr, "fuxictr": _child_fuxictr}[args.child]
    out = run(data, args)
    out["peak_rss_mib"] = peak_rss_mib()
    if args.device == "cuda":
        out["peak_gpu_mib"] = torch.cuda.max_memory_allocated() / 2**20
    out["torch"] = torch.__version__
    out["threads"] = torch.get_num_threads()
    print(json.dumps(out, default=float))


# -- the parent ----------------------------------------------------------------------------------------------
def prepare(dataset: str, quick: bool, directory: Path, criteo_rows: int) -> tuple[Path, dict]:
    """Encode (ours) and export a dataset for the children; returns (npz path, its facts)."""
    from bench_data import criteo_shaped, export

    if dataset == "movielens100k":
        from sseds_study.data import load_dataset

        ds = load_dataset("movielens100k", progress=False)
        if quick:
            ds = ds.replace(ids=ds.ids[:6000], labels=ds.labels[:6000], split=ds.split[:6000])
    else:
        ds = criteo_shaped(rows=20_000 if quick else criteo_rows, total_vocab=50_000 if quick else 1_000_000)
    path = export(ds, directory / f"{dataset}.npz")
    facts = {"rows": int(len(ds.labels)), "train_rows": int((ds.split == 0).sum()), "fields": len(ds.fields),
             "vocab_rows": int(sum(f.vocab_size for f in ds.fields))}
    return path, facts




def run_one(impl: str, data: Path, model: str, args, optimizer: str = "adam", epochs: int = 1) -> dict:
    if impl != "ours" and not peers_available():
        return {"error": "not run: no peer environment (benchmarks/.venv-peers; make bench creates it)"}
    cmd = [python_for(impl), __file__, "--child", impl, "--data", str(data), "--model", model, "--epochs",
           str(epochs), "--batch-size", str(args.batch_size), "--threads", str(args.threads),
           "--optimizer", optimizer, "--fuxictr-workers", str(args.fuxictr_workers),
           "--device", getattr(args, "device", "cpu")]
    src = str(Path(__file__).resolve().parents[1] / "src")
    return run_json_child(cmd, env={"PYTHONPATH": src, "OMP_NUM_THREADS": str(args.threads)}, timeout=args.timeout)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny data and one epoch: checks that it runs")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS)
    parser.add_argument("--epochs", type=int, default=None,
                        help="timed epochs over the train split (default: MovieLens-100K 5, Criteo-shaped 1)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs per library, interleaved; the table shows the median (default 3)")
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--criteo-rows", type=int, default=150_000, help="rows of the Criteo-shaped set")
    parser.add_argument("--optimizer", default="auto", help="ours: adam, sparse_adam or auto (default)")
    parser.add_argument("--fuxictr-workers", type=int, default=1, help="NpzDataLoader workers (FuxiCTR's default 1)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="where every library trains")
    parser.add_argument("--timeout", type=float, default=420, help="seconds per library run (then: not run)")
    parser.add_argument("--name", default="throughput", help="results/<name>.json")
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--child", choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.epochs = args.epochs or 1
        child_main(args)
        return
    rows = []
    epochs = {d: args.epochs or (1 if args.quick else EPOCHS[d]) for d in args.datasets}
    repeats = 1 if args.quick else args.repeats
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in args.datasets:
            path, facts = prepare(dataset, args.quick, Path(tmp), args.criteo_rows)
            for model in args.models:
                runs = {impl: [] for impl in args.impls}
                for _ in range(repeats):  # rounds interleave the libraries: a slow spell of the machine hits all
                    for impl in args.impls:
                        t = time.perf_counter()
                        res = run_one(impl, path, model, args, optimizer=args.optimizer if impl == "ours" else "adam",
                                      epochs=epochs[dataset])
                        runs[impl].append({**res, "wall_s": time.perf_counter() - t})
                for impl in args.impls:
                    row = {"dataset": dataset, "model": model, "impl": impl, "epochs": epochs[dataset], **facts,
                           **median_run(runs[impl]), "optimizer": args.optimizer if impl == "ours" else "adam"}
                    rows.append(row)
                    print(json.dumps(row, default=float), flush=True)
    payload = {"quick": args.quick, "settings": {"device": args.device, "batch_size": args.batch_size, "emb_dim": EMB_DIM,
                                                 "hidden": HIDDEN, "threads": args.threads, "epochs": epochs, "repeats": repeats,
                                                 "lr": 1e-3, "criteo_rows": args.criteo_rows},
               "versions": {**versions("torch", "numpy", "sseds-study"), **_peer_versions()}, "rows": rows}
    print(write_result(args.name, payload, args.results))


def _peer_versions() -> dict:
    if not peers_available():
        return {"deepctr-torch": None, "fuxictr": None}
    here = str(Path(__file__).resolve().parent)
    code = (f"import json,sys;sys.path.insert(0,{here!r});from common import versions;"
            "print(json.dumps(versions('deepctr-torch','fuxictr','torch')))")
    res = run_json_child([python_for("peer"), "-c", code], timeout=120)
    return {"deepctr-torch": res.get("deepctr-torch"), "fuxictr": res.get("fuxictr"), "peer torch": res.get("torch")}


if __name__ == "__main__":
    main()
