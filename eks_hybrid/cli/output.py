"""Where the CLI writes: results to stdout, problems to stderr, one exit path for failures.

Styled on a terminal; plain text into a pipe or file, and plain text (no escapes at all, bold
included) when NO_COLOR is set to anything non-empty (https://no-color.org).
"""

from __future__ import annotations

import os
from typing import Literal, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from ..components.errors import printable, printable_lines

EXIT_FAILURE = 1  # the program itself failed
EXIT_PROBLEMS = 2  # invalid input, as click's UsageError

# Off a terminal (pipes, CI logs) rich would assume 80 columns and crop long resource names.
_WIDE = 240
_COLOR_SYSTEM: Literal["auto"] | None = None if os.environ.get("NO_COLOR") else "auto"
stdout = Console(
    soft_wrap=True,
    highlight=False,
    color_system=_COLOR_SYSTEM,
    width=None if Console().is_terminal else _WIDE,
)
stderr = Console(stderr=True, soft_wrap=True, highlight=False, color_system=_COLOR_SYSTEM)


def plain(console: Console) -> bool:
    """Whether `console` prints no styles at all (a pipe, a file, NO_COLOR): then text is written as is."""
    return console.color_system is None


def terminal(text: str) -> str:
    """`text` safe for a terminal: line breaks kept, every other non-printable character (an escape
    sequence from a stack file's name, a NUL, a bidi control) escaped as `printable` does (`\\x1b`)."""
    return printable_lines(text)


def write(text: str) -> None:
    """Text to stdout as it is (no markup, no wrapping, no layout), as `stdout.print` would when `plain`;
    control characters escaped (`terminal`)."""
    stdout.file.write(terminal(text))
    stdout.file.flush()


def say(text: str, console: Console = stdout) -> None:
    """One line or more of plain text (never markup), control characters escaped (`terminal`)."""
    console.print(terminal(text), markup=False)


def problem(stack: str, message: str) -> None:
    """A stack's failure: its name as a header line, then the message, never read as markup."""
    mark = "✗" if stderr.encoding.lower().replace("-", "").startswith("utf") else "x"
    stderr.print(Text.assemble((f"{mark} {printable(stack)}", "bold red"), "\n", terminal(message)))


def note(message: str) -> None:
    stderr.print(Text(terminal(message), style="yellow"))


def fail(message: str, code: int = EXIT_PROBLEMS) -> NoReturn:
    stderr.print(terminal(message), markup=False)
    raise typer.Exit(code=code)
