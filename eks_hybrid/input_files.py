"""Read a file a command is given (an outputs file, a user-data file) within the bounds stack files have.

A path may name something that is not a file: a FIFO blocks the reader until a writer comes, `/dev/zero`
never ends, a directory cannot be read. Each is refused from its `stat` before it is opened, and the file
is opened without blocking and checked again (it may have been swapped in between). A regular file is
refused above `safe_yaml.MAX_BYTES` (the stack files' limit), and at most one byte more is ever read, so a
file growing while it is read is refused too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import PlanError, Problem

from .safe_yaml import MAX_BYTES

__all__ = ["MAX_BYTES", "read_input_file"]

_NOT_A_FILE = "is not a regular file (a directory, FIFO or device): give the path of a saved file"


def _refuse(label: str, rule: str, code: Code) -> PlanError:
    return PlanError([Problem(label, "(file)", rule, code)])


def _too_large(label: str, size: int | None, limit: int) -> PlanError:
    measured = f"is {size} bytes" if size is not None else f"is more than {limit} bytes"
    return _refuse(
        label, f"{measured}: an input file is at most {limit} bytes, as a stack file is", Code.INPUT_TOO_LARGE
    )


def read_input_file(path: Path, label: str | None = None, *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; anything else is a `PlanError`
    naming the file (`label`, else the path) and the rule."""
    label = label or str(path)
    try:
        found = os.stat(path)
        if not stat.S_ISREG(found.st_mode):
            raise _refuse(label, _NOT_A_FILE, Code.INPUT_NOT_REGULAR_FILE)
        if found.st_size > limit:  # refused before reading it into memory
            raise _too_large(label, found.st_size, limit)
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the stat
                raise _refuse(label, _NOT_A_FILE, Code.INPUT_NOT_REGULAR_FILE)
            data = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _refuse(label, f"cannot be read: {reason}", Code.FILE_UNREADABLE) from None
    except ValueError:  # a path holding a NUL byte
        raise _refuse(label, "cannot be read: the path holds a NUL byte", Code.FILE_UNREADABLE) from None
    if len(data) > limit:
        raise _too_large(label, None, limit)
    return data
