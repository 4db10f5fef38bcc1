"""Where the CLI writes: results to stdout, problems to stderr, one exit path for failures."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

EXIT_PROBLEMS = 2  # invalid input, as click's UsageError

# Off a terminal (pipes, CI logs) rich would assume 80 columns and crop long resource names.
_WIDE = 240
stdout = Console(soft_wrap=True, highlight=False, width=None if Console().is_terminal else _WIDE)
stderr = Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, code: int = EXIT_PROBLEMS) -> NoReturn:
    stderr.print(message, markup=False)
    raise typer.Exit(code=code)
