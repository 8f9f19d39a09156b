"""Checks of dataset options, so that a wrong option is one clear line instead of a traceback.

Options reach a loader from ``--option KEY=VALUE`` (parsed into numbers, booleans, lists or strings),
from a profile's ``options:`` mapping, or as keyword arguments. Each check names the dataset and the
option, says what was expected and returns the value unchanged: values enter the cache key, so a
check must never turn a good value into another one (``3`` into ``3.0``).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Mapping
from pathlib import Path

from ..config.settings import SEED_RULE, is_seed
from ..errors import OptionError, show, show_names

# Every loader takes these from the caller, never as a dataset option.
_NOT_OPTIONS = ("cache_dir", "progress")


def option_names(loader: Callable) -> tuple[str, ...]:
    """The options a loader accepts: its keyword parameters, plus ``loader.settings`` when it takes
    ``**settings`` (synthetic data)."""
    params = inspect.signature(loader).parameters.values()
    names = [p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names += list(getattr(getattr(loader, "func", loader), "settings", ()))
    return tuple(n for n in names if n not in _NOT_OPTIONS and n != "name")


def check_option_names(dataset: str, loader: Callable, options: Mapping) -> None:
    known = option_names(loader)
    unknown = sorted(map(str, set(options) - set(known)))
    if unknown:
        raise OptionError(f"dataset {dataset!r}: unknown option(s) {show_names(unknown)}; "
                          f"valid options: {', '.join(sorted(known))}")


def _fail(dataset: str, key: str, expected: str, value):
    raise OptionError(f"dataset {dataset!r}: option {key}: expected {expected}; got {show(value)}")


def int_option(dataset: str, key: str, value, minimum: int | None = None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or (minimum is not None and value < minimum):
        _fail(dataset, key, "an integer" + (f" >= {minimum}" if minimum is not None else ""), value)
    return value


def seed_option(dataset: str, key: str, value):
    """A seed: the rule of every seed (``config.settings.is_seed``)."""
    if not is_seed(value):
        _fail(dataset, key, SEED_RULE, value)
    return value


def float_option(dataset: str, key: str, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        _fail(dataset, key, "a number", value)
    return value


def bool_option(dataset: str, key: str, value):
    if not isinstance(value, bool):
        _fail(dataset, key, "true or false", value)
    return value


def choice_option(dataset: str, key: str, value, choices):
    if value not in choices:
        _fail(dataset, key, "one of " + ", ".join(map(str, choices)), value)
    return value


def path_option(dataset: str, key: str, value):
    if value is not None and not isinstance(value, (str, Path)):
        _fail(dataset, key, "a file or folder path", value)
    return value


def min_count_option(dataset: str, value):
    """min_count: a positive integer, or a mapping field -> positive integer (``default`` for the rest)."""
    if value is None:  # the dataset's own default
        return value
    if isinstance(value, Mapping):
        for k, v in value.items():
            int_option(dataset, f"min_count.{k}", v, minimum=1)
        return value
    return int_option(dataset, "min_count", value, minimum=1)


def check_common(dataset: str, options: Mapping) -> None:
    """Options several loaders share."""
    checks = {
        "split_seed": lambda v: seed_option(dataset, "split_seed", v),
        "min_count": lambda v: min_count_option(dataset, v),
        "use_cache": lambda v: bool_option(dataset, "use_cache", v),
        "block_bytes": lambda v: int_option(dataset, "block_bytes", v, minimum=1),
        **{k: (lambda v, k=k: path_option(dataset, k, v)) for k in ("path", "train", "valid", "test", "spec")},
    }
    for key, check in checks.items():
        if key in options:
            check(options[key])
