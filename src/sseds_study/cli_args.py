"""The command line's shared options: the data, model and training arguments of ``sseds`` and the
configs built from them. A value the user typed wrongly raises SsedsError naming the option."""

from __future__ import annotations

import argparse

from .config import DataConfig, ModelConfig, TrainConfig
from .data import DATASETS, load_dataset_from_config
from .errors import SsedsError
from .models.registry import MODELS


def parse_value(text: str):
    """'3' -> 3, '0.5' -> 0.5, 'true' -> True, 'a,b' -> ['a', 'b'], anything else stays a string
    (',' alone too: it is a separator, as in multi_sep=,)."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    if "," in text and text.strip(","):
        return [parse_value(t) for t in text.split(",") if t]
    return text


def parse_options(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs or []:
        k, _, v = pair.partition("=")
        if "=" not in pair or not k.strip():
            raise SsedsError(f"--option {pair!r}: expected KEY=VALUE (for example rows=20000)")
        # The value is not stripped: a tab or a space can be the value (delimiter=<TAB>).
        out[k.strip().replace("-", "_")] = parse_value(v)
    return out


def add_data_args(p: argparse.ArgumentParser) -> None:
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


def data_config(args) -> DataConfig:
    options = parse_options(args.option)
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


def load_data(args):
    return load_dataset_from_config(data_config(args), progress=not args.quiet)


def add_model_train_args(p: argparse.ArgumentParser) -> None:
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
    g.add_argument("--optimizer", default="adam", choices=("adam", "sparse_adam", "auto"),
                   help="adam (dense, the study's), sparse_adam (SparseAdam for the embedding tables) or auto "
                        "(sparse only for tables of at least 200,000 rows)")
    g.add_argument("--device", default="auto", help="auto (cuda, then cpu), cpu or cuda")


def parse_ints(text: str | None, what: str) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise SsedsError(f"{what}: expected comma-separated integers; got {text!r}") from None


def model_config(args, num_fields: int | None = None) -> ModelConfig:
    emb_dims = parse_ints(args.emb_dims, "--emb-dims")
    if emb_dims is not None and num_fields is not None and len(emb_dims) != num_fields:
        raise SsedsError(f"--emb-dims: the dataset has {num_fields} fields; got {len(emb_dims)} widths")
    return ModelConfig(name=args.model, emb_dim=args.emb_dim, emb_dims=emb_dims,
                       hidden_dims=parse_ints(args.hidden_dims, "--hidden-dims") or ())


def train_config(args) -> TrainConfig:
    return TrainConfig(batch_size=args.batch_size, lr=args.lr, max_epochs=args.epochs, patience=args.patience,
                       seed=args.seed, device=args.device, progress=not args.quiet,
                       optimizer=getattr(args, "optimizer", "adam"))
