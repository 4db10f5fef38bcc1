"""`eks-hybrid plan`: show every resource a stack would declare, with no cloud account."""

from __future__ import annotations

import json
import traceback
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from components.errors import ProblemsError

from ..planner import Planner, StackPlan
from ..stack_files import list_stacks, read_stack_file
from ..text_tree import plan_tree
from . import output


class Format(StrEnum):
    text = "text"
    json = "json"


def _stack_order(stacks_dir: Path) -> list[str]:
    """Hubs first, then sites, each alphabetically."""
    names = list_stacks(stacks_dir)
    roles = {name: read_stack_file(stacks_dir, name).role for name in names}
    return sorted(names, key=lambda name: (roles[name] != "hub", name))


def plan(
    stack: Annotated[
        list[str] | None, typer.Option("--stack", "-s", help="Stack to plan (repeatable).")
    ] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Plan every stack in the stacks directory.")
    ] = False,
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", help="Where the Pulumi.<stack>.yaml files live.")
    ] = Path("stacks"),
    format: Annotated[Format, typer.Option("--format", "-f", help="text (a tree) or json.")] = Format.text,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    """Run the stack's program under Pulumi's mock engine and print what it would declare.

    A site's hub stack (from the same directory) is planned first and its outputs feed the site's
    StackReference. `secure:` values are never decrypted: they show as [secret].
    """
    if not stacks_dir.is_dir():
        output.fail(f"{stacks_dir}: no such stacks directory")
    try:
        names = _stack_order(stacks_dir) if all_stacks else list(stack or [])
    except ProblemsError as error:
        output.fail(str(error))
    if not names:
        output.fail("name a stack with --stack NAME, or plan them all with --all")
    if format is Format.json and len(names) != 1:
        output.fail("--format json writes one stack's document: give exactly one --stack")

    planner = Planner(stacks_dir)
    failures = 0
    for name in names:
        try:
            result = planner.plan(name)
        except ProblemsError as error:
            failures += 1
            output.stderr.print(str(error), markup=False)
            continue
        except Exception as error:  # the program itself broke: say so plainly, trace on demand
            if debug:
                traceback.print_exc()
            output.fail(f"{name}: planning failed: {type(error).__name__}: {error}", code=1)
        _show(result, format)
    if failures:
        raise typer.Exit(code=output.EXIT_PROBLEMS)


def _show(result: StackPlan, format: Format) -> None:
    # Warnings (a Kubernetes version near its end of support, an endpoint open to the internet) go to
    # stderr, so the plan itself stays the same document whatever the date.
    for warning in dict.fromkeys(result.run.warnings):
        output.stderr.print(f"warning: {result.stack}: {warning}", markup=False)
    if format is Format.json:
        typer.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        output.stdout.print(plan_tree(result))
