"""The command line's shared options: the data, model and training arguments of ``sseds`` and the
configs built from them. A value the user typed wrongly raises SsedsError naming the option.

One default per setting: an option that sets a config field takes its default (and its choices) from
the config class (``add_setting``), never a literal of its own, so ``sseds`` and the profiles start
from the same values; the dataclass checks the value, as it does for a profile (one check per
setting), and its refusal is prefixed with the option that was typed (``--seed: train.seed: ...``). This module imports
only the settings and the registries' names, so ``sseds --help`` starts no torch or pandas.
"""

from __future__ import annotations

import argparse
import dataclasses

from .config.settings import (
    BUDGET_UNITS,
    ESTIMATORS,
    OPTIMIZERS,
    PEP_GRANULARITIES,
    RANK_BY,
    SCORE_SPLITS,
    DataConfig,
    ModelConfig,
    PEPConfig,
    SearchConfig,
    TrainConfig,
)
from .data.registry import DATASET_NAMES
from .errors import ConfigError, SsedsError
from .models.registry import MODEL_NAMES


def setting_default(cls, name: str):
    """The default of field ``name`` of config class ``cls``."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _show(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


# (config class, field) -> the option that sets it, for messages (``build``)
_FLAGS: dict[tuple[type, str], str] = {}
_OWNERS = {DataConfig: "data", ModelConfig: "model", TrainConfig: "train", SearchConfig: "search"}


def build(cls, **kwargs):
    """``cls(**kwargs)``; a refusal of a field set by an option names that option first."""
    try:
        return cls(**kwargs)
    except ConfigError as exc:
        owner, _, name = str(exc).partition(":")[0].partition(".")
        flag = _FLAGS.get((cls, name))
        if owner != _OWNERS.get(cls) or flag is None:
            raise
        raise ConfigError(f"{flag}: {exc}") from None


def add_setting(group, flag: str, cls, name: str, *, help: str = "", choices=None, **kwargs) -> argparse.Action:
    """An option that sets field ``name`` of ``cls``: its default is the field's, and the action records
    which field it sets (``action.setting``) so that a test can hold every option to its dataclass."""
    default = setting_default(cls, name)
    text = f"{help + ' ' if help else ''}(default {_show(default)})"
    if isinstance(default, tuple):  # typed as comma-separated text, like every list option
        default = _show(default)
    action = group.add_argument(flag, default=default, choices=choices, help=text, **kwargs)
    action.setting = (cls, name)
    _FLAGS[(cls, name)] = flag
    return action


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
    add_setting(g, "--dataset", DataConfig, "name", help=f"one of {', '.join(DATASET_NAMES)}")
    g.add_argument("--path", help="local raw file or folder (criteo, avazu, frappe, table)")
    g.add_argument("--label", help="table: the label column")
    g.add_argument("--categorical", help="table: comma-separated categorical columns")
    g.add_argument("--numeric", help="table: comma-separated numeric columns")
    g.add_argument("--multi", help="table: comma-separated multi-valued columns")
    g.add_argument("--spec", help="table: a YAML file declaring label and columns")
    add_setting(g, "--min-count", DataConfig, "min_count", type=int,
                help="values seen fewer times in training become OOV (unset: the dataset's protocol default)")
    add_setting(g, "--split-seed", DataConfig, "split_seed", type=int, help="seed of the 8:1:1 split")
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
    return build(DataConfig, name=args.dataset, min_count=args.min_count, split_seed=args.split_seed, options=options)


def load_data(args):
    from .data.registry import load_dataset_from_config

    return load_dataset_from_config(data_config(args), progress=not args.quiet)


def add_model_train_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model and training")
    add_setting(g, "--model", ModelConfig, "name", help=", ".join(MODEL_NAMES))
    add_setting(g, "--emb-dim", ModelConfig, "emb_dim", type=int, help="base width D")
    g.add_argument("--emb-dims", help="mixed widths, one per field, comma-separated (e.g. 16,8,0,4,...)")
    _FLAGS[(ModelConfig, "emb_dims")] = "--emb-dims"
    add_setting(g, "--hidden-dims", ModelConfig, "hidden_dims", help="MLP widths, comma-separated")
    add_setting(g, "--epochs", TrainConfig, "max_epochs", type=int, help="maximum epochs (early stopping on valid AUC)")
    add_setting(g, "--patience", TrainConfig, "patience", type=int)
    add_setting(g, "--batch-size", TrainConfig, "batch_size", type=int)
    add_setting(g, "--lr", TrainConfig, "lr", type=float)
    add_setting(g, "--seed", TrainConfig, "seed", type=int)
    add_setting(g, "--optimizer", TrainConfig, "optimizer", choices=OPTIMIZERS,
                help="adam (dense, the study's), sparse_adam (SparseAdam for the embedding tables) or auto "
                     "(sparse only for tables of at least 200,000 rows)")
    add_setting(g, "--device", TrainConfig, "device", help="auto (cuda, then cpu), cpu or cuda")


def add_search_args(p: argparse.ArgumentParser) -> None:
    """The search options of ``sseds search``: SearchConfig's fields, its defaults and choices."""
    g = p.add_argument_group("search")
    add_setting(g, "--estimator", SearchConfig, "estimator", choices=ESTIMATORS)
    add_setting(g, "--score-split", SearchConfig, "score_split", choices=SCORE_SPLITS)
    add_setting(g, "--num-batches", SearchConfig, "num_batches", type=int)
    add_setting(g, "--budget-unit", SearchConfig, "budget_unit", choices=BUDGET_UNITS)
    add_setting(g, "--rank-by", SearchConfig, "rank_by", choices=RANK_BY)
    add_setting(g, "--min-dim", SearchConfig, "min_dim", type=int,
                help="the narrowest width a field keeps while it keeps any (0: a field may be dropped)")


def add_pep_args(p: argparse.ArgumentParser) -> None:
    """PEP's search-run options (``sseds search --method pep``): PEPConfig's fields, its defaults."""
    g = p.add_argument_group("PEP (methods pep, pep_fresh)")
    add_setting(g, "--pep-granularity", PEPConfig, "granularity", choices=PEP_GRANULARITIES,
                help="the shape of the learnable thresholds")
    add_setting(g, "--pep-threshold-init", PEPConfig, "threshold_init", type=float)
    add_setting(g, "--pep-threshold-lr", PEPConfig, "threshold_lr", type=float)
    add_setting(g, "--pep-threshold-weight-decay", PEPConfig, "threshold_weight_decay", type=float)
    add_setting(g, "--pep-weight-decay", PEPConfig, "weight_decay", type=float,
                help="L2 on every other parameter during the search run")
    add_setting(g, "--pep-max-epochs", PEPConfig, "max_epochs", type=int,
                help="the search run stops once the budget is reached, or after this many epochs")


def pep_config(args) -> PEPConfig:
    return PEPConfig(granularity=args.pep_granularity, threshold_init=args.pep_threshold_init,
                     threshold_lr=args.pep_threshold_lr, threshold_weight_decay=args.pep_threshold_weight_decay,
                     weight_decay=args.pep_weight_decay, max_epochs=args.pep_max_epochs)


def search_config(args) -> SearchConfig:
    return build(SearchConfig, estimator=args.estimator, score_split=args.score_split, num_batches=args.num_batches,
                        budget_unit=args.budget_unit, rank_by=args.rank_by, min_dim=args.min_dim)


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
    return build(ModelConfig, name=args.model, emb_dim=args.emb_dim, emb_dims=emb_dims,
                       hidden_dims=parse_ints(args.hidden_dims, "--hidden-dims") or ())


def train_config(args) -> TrainConfig:
    return build(TrainConfig, batch_size=args.batch_size, lr=args.lr, max_epochs=args.epochs, patience=args.patience,
                       seed=args.seed, device=args.device, progress=not args.quiet, optimizer=args.optimizer)
