"""Root of the `eks-hybrid` CLI: one module per command, one way to fail."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from . import diff, plan, render, stacks, verify
from .group import Group

app = typer.Typer(
    name="eks-hybrid",
    help="Amazon EKS Hybrid Nodes with Spectro Cloud Palette, on Pulumi.",
    cls=Group,
    # Markdown: paragraphs reflow to the terminal, and "[secret]" stays text (rich markup would eat it).
    rich_markup_mode="markdown",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command(name="plan")(plan.plan)
app.command(name="render")(render.render)
app.command(name="diff")(diff.diff)
app.command(name="stacks")(stacks.stacks)
app.command(name="verify")(verify.verify)


def package_version() -> str:
    try:
        return version("eks-hybrid")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


def _print_version(requested: bool) -> None:
    if requested:
        typer.echo(f"eks-hybrid {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print eks-hybrid's version and exit.",
        ),
    ] = False,
) -> None:
    """Plan and manage eks-hybrid stacks."""


def main() -> None:
    app()
