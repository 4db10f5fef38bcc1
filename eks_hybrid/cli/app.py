"""Root of the `eks-hybrid` CLI: one module per command, one way to fail."""

from __future__ import annotations

import typer

from . import plan, render

app = typer.Typer(
    name="eks-hybrid",
    help="Amazon EKS Hybrid Nodes with Spectro Cloud Palette, on Pulumi.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command(name="plan")(plan.plan)
app.command(name="render")(render.render)


@app.callback()
def _root() -> None:
    """Plan and manage eks-hybrid stacks."""


def main() -> None:
    app()
