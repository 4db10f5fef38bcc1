"""`eks-hybrid stacks`: the stacks of a directory with their role and hub, for CI matrices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from . import output


def stacks(
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", metavar="DIR", help="Where the `Pulumi.<stack>.yaml` files live.")
    ] = Path("stacks"),
) -> None:
    """Print the stacks as JSON: `{"hubs": [...], "sites": [{"stack", "hub"}...], "environments": [{"hub",
    "sites"}...]}`, hubs first. CI builds its job matrices from it (hub before its sites).

    Exit status: 0 listed, 2 a stack file that cannot be read.
    """
    from eks_hybrid.components.errors import ProblemsError

    from ..plan_documents import stack_order
    from ..stack_files import read_stack_file

    if not stacks_dir.is_dir():
        output.fail(f"{stacks_dir}: no such stacks directory")
    hubs: list[str] = []
    sites: list[dict[str, str | None]] = []
    try:
        for name in stack_order(stacks_dir):
            stack = read_stack_file(stacks_dir, name)
            if stack.role == "hub":
                hubs.append(name)
            else:
                sites.append({"stack": name, "hub": stack.hub})
    except ProblemsError as error:
        output.fail(error.render())
    environments = [{"hub": hub, "sites": [s["stack"] for s in sites if s["hub"] == hub]} for hub in hubs]
    typer.echo(json.dumps({"hubs": hubs, "sites": sites, "environments": environments}))
