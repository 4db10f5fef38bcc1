"""The root command group: typer's rich help, with flags shown as flags.

typer 0.29 prints every boolean flag in rich help with a value placeholder (`--all <bool>`,
`--help <bool>`), although a flag takes no value (`--all true` is refused). A flag gets an empty
metavar here, for the group and for every subcommand, so new commands need nothing of their own. Every
subcommand's path parameters are checked as the command line is read (`paths.check_paths`).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup, TyperOption

from .paths import check_paths


def _show_flags_bare(params: list[Any]) -> list[Any]:
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _show_flags_bare(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            check_paths(_show_flags_bare(command.get_params(ctx)))
        return command
