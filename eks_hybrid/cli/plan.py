"""`eks-hybrid plan`: show every resource a stack would declare, with no cloud account."""

from __future__ import annotations

import json
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from eks_hybrid.components.errors import ProblemsError

from ..planner import HubNotPlannedError, Planner, StackPlan
from ..stack_files import list_stacks, read_stack_file, stack_location
from ..text_tree import plan_tree
from . import output


class Format(StrEnum):
    text = "text"
    json = "json"


def _stack_order(stacks_dir: Path) -> list[str]:
    """Hubs first, then sites, each alphabetically; a file that cannot be read goes last (and fails there)."""

    def rank(name: str) -> tuple[int, str]:
        try:
            role = read_stack_file(stacks_dir, name).role
        except ProblemsError:
            return (2, name)
        return (0 if role == "hub" else 1, name)

    return sorted(list_stacks(stacks_dir), key=rank)


@dataclass
class _Outcome:
    """What happened to each stack of one `plan` run, and the exit status it adds up to."""

    debug: bool
    code: int = 0
    reported: set[str] = field(default_factory=set)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def failed(self, stack: str, error: Exception) -> None:
        if stack in self.reported:
            return
        self.reported.add(stack)
        if isinstance(error, ProblemsError):
            output.problem(stack, error.render())
            self.code = self.code or output.EXIT_PROBLEMS
        else:  # the program itself broke: say so plainly, trace on demand
            if self.debug:
                traceback.print_exception(error)
            output.problem(stack, f"planning failed: {type(error).__name__}: {error}")
            self.code = output.EXIT_FAILURE

    def skip(self, error: HubNotPlannedError) -> None:
        self.failed(error.hub, error.cause)
        self.skipped[error.hub].append(error.site)

    def report_skipped(self) -> None:
        for hub, sites in self.skipped.items():
            noun = "site" if len(sites) == 1 else "sites"
            names = ", ".join(sites)
            output.note(f"skipped {noun} {names}: hub stack {hub} could not be planned (see above)")


def plan(
    ctx: typer.Context,
    stack: Annotated[
        list[str] | None,
        typer.Option(
            "--stack",
            "-s",
            metavar="STACK",
            help="Stack to plan: a name (its `Pulumi.<stack>.yaml` is in --stacks-dir) or a stack file's"
            " path. Repeatable.",
        ),
    ] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Plan every stack in --stacks-dir, hubs first.")
    ] = False,
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", metavar="DIR", help="Where the `Pulumi.<stack>.yaml` files live.")
    ] = Path("stacks"),
    format: Annotated[Format, typer.Option("--format", "-f", help="text (a tree) or json.")] = Format.text,
    offline_secrets: Annotated[
        bool,
        typer.Option(
            "--offline-secrets",
            help="Plan as a preview even when a secret a real run needs is missing: it stands in as"
            " [secret] and is listed as missing, instead of failing the plan.",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    """Run the stack's program under Pulumi's mock engine and print what it would declare.

    A site's hub stack (from the same directory) is planned first and its outputs feed the site's
    StackReference. Secrets are never decrypted: they show as [secret]. Each plan ends with the
    secrets a real `pulumi up` needs and where it would find them.

    Exit status: 0 planned, 1 the program failed, 2 invalid input or usage.
    """
    if all_stacks and stack:
        ctx.fail("--all plans every stack in --stacks-dir: give either --all or --stack")
    if not all_stacks and not stack:
        ctx.fail("name a stack with --stack STACK, or plan them all with --all")
    try:
        targets = (
            [(stacks_dir, name) for name in _stack_order(stacks_dir)]
            if all_stacks
            else [stack_location(argument, stacks_dir) for argument in stack or []]
        )
    except ProblemsError as error:
        output.fail(error.render())
    for directory in sorted({directory for directory, _ in targets}):
        if not directory.is_dir():
            output.fail(f"{directory}: no such stacks directory")
    if not targets:
        output.fail(f"{stacks_dir}: no Pulumi.<stack>.yaml files to plan")
    if format is Format.json and len(targets) != 1:
        ctx.fail("--format json writes one stack's document: give exactly one --stack")

    planners: dict[Path, Planner] = {}
    outcome = _Outcome(debug=debug)
    for directory, name in targets:
        planner = planners.setdefault(directory, Planner(directory, offline_secrets=offline_secrets))
        try:
            result = planner.plan(name)
        except HubNotPlannedError as error:
            outcome.skip(error)
            continue
        except Exception as error:
            outcome.failed(name, error)
            continue
        _show(result, format)
    outcome.report_skipped()
    if outcome.code:
        raise typer.Exit(code=outcome.code)


def _show(result: StackPlan, format: Format) -> None:
    # Warnings (a Kubernetes version near its end of support, an endpoint open to the internet) go to
    # stderr, so the plan itself stays the same document whatever the date.
    for warning in dict.fromkeys(result.run.warnings):
        output.stderr.print(f"warning: {result.stack}: {warning}", markup=False)
    if format is Format.json:
        typer.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        output.stdout.print(plan_tree(result))
