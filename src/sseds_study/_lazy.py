"""Package faces that import on first use.

A package's ``__init__`` re-exports its public names so that ``from sseds_study.models import FM``
works; importing every submodule up front would make the ``sseds`` command load torch, pandas and
scikit-learn before it can print ``--help``. ``lazy_face`` gives a package a module ``__getattr__``
(PEP 562) that imports a name's submodule when the name is first read, and caches it.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable


class _Face(types.ModuleType):
    """A package whose exported name equals one of its submodules' (``study.sweep``, the function, in
    ``study/sweep.py``): importing the submodule must not bind the module over the name, as the
    import system does for a parent package, or ``from sseds_study.study import sweep`` would give the
    module. An eager ``__init__`` rebound the name after the import; this keeps it unbound instead, so
    the name resolves through ``__getattr__`` as every other export does."""

    def __setattr__(self, name, value):
        exports = self.__dict__.get("_EXPORTS", {})
        if isinstance(value, types.ModuleType) and exports.get(name) == name \
                and value.__name__ == f"{self.__name__}.{name}":
            return
        super().__setattr__(name, value)


def lazy_face(namespace: dict, exports: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """(``__getattr__``, ``__dir__``) for the package whose globals are ``namespace``; ``exports`` maps
    each public name to the submodule (relative to the package) that defines it."""
    package = namespace["__name__"]
    namespace["_EXPORTS"] = exports
    sys.modules[package].__class__ = _Face

    def __getattr__(name: str):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value  # later reads skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
