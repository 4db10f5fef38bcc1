"""Path arguments and options: a path the system cannot look up is a usage error naming the option.

A path too long for the file system (ENAMETOOLONG), a symlink loop (ELOOP), a file used as a folder
(ENOTDIR), a folder that may not be searched (EACCES) or a NUL character (which no POSIX path holds) is
refused as the command line is read, with exit status 2 (click's `BadParameter`), before a command opens
anything. A path that does not exist yet passes: each command says what it needs there.

`Group` checks every option and argument annotated `Path` (typer's `type_descriptor`); one that takes a
path as text (a stack name or a file, a git revision or a file) passes `callback=checked`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from ..components.errors import printable

SHOWN = 80
"""A refused path is quoted up to this many characters."""


def path_problem(value: str | os.PathLike[str]) -> str | None:
    """Why `value` cannot be used as a path (None when it can, or when nothing is there yet)."""
    text = os.fspath(value)
    try:
        os.stat(text)
    except FileNotFoundError:
        return None
    except ValueError:  # an embedded NUL
        return f"{printable(text, SHOWN)!s}: a path cannot hold a NUL character"
    except OSError as error:
        return f"{printable(text, SHOWN)}: {error.strerror or type(error).__name__}"
    return None


def checked(ctx: typer.Context, param: Any, value: Any) -> Any:
    """A click callback: `value` (one path, a list of them, or None) as given, or `BadParameter`."""
    for item in value if isinstance(value, list | tuple) else [value]:
        if item is None:
            continue
        problem = path_problem(item)
        if problem is not None:
            raise typer.BadParameter(problem, ctx=ctx, param=param)
    return value


def check_paths(params: list[Any]) -> list[Any]:
    """Every `Path` parameter of `params` checked by `checked` (then by its own callback, if any)."""
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if getattr(descriptor, "annotation", None) is not Path or getattr(param, "_eks_hybrid_paths", False):
            continue
        own = param.callback

        def callback(ctx: typer.Context, param: Any, value: Any, own: Any = own) -> Any:
            value = checked(ctx, param, value)
            return own(ctx, param, value) if own is not None else value

        param.callback = callback
        param._eks_hybrid_paths = True
    return params
