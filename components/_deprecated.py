"""Deprecated aliases: names that moved keep working for one minor version, with a `DeprecationWarning`."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["REMOVED_IN", "moved", "warn_moved_module"]

REMOVED_IN = "0.4.0"
"""The version that drops the aliases of names moved in 0.3.0."""


def _warn(old: str, new: str, stacklevel: int) -> None:
    warnings.warn(
        f"{old} is deprecated and goes in eks-hybrid {REMOVED_IN}: {new}", DeprecationWarning, stacklevel
    )


def warn_moved_module(old: str, new: str) -> None:
    """Warn, on its import, that the module `old` is now `new` (import from an alias module's body)."""
    _warn(old, new, stacklevel=3)


def moved(package: str, names: Mapping[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name of `names` is read from `(module, why)`'s module,
    with a warning that says `why`."""

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, why = names[name]
        _warn(f"{package}.{name}", why, stacklevel=3)
        return getattr(importlib.import_module(module), name)

    return __getattr__
