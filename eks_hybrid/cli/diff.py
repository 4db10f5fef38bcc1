"""`eks-hybrid diff BASE HEAD`: what would change between two plans, for a review or a PR comment."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from . import output, paths


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    svg = "svg"


def diff(
    base: Annotated[
        str,
        typer.Argument(
            metavar="BASE",
            callback=paths.checked,
            help="A plan JSON file, a stacks directory (a program directory with --program) or a git"
            " revision.",
        ),
    ],
    head: Annotated[
        str,
        typer.Argument(
            metavar="HEAD", callback=paths.checked, help="The same kinds as BASE: what BASE would become."
        ),
    ],
    format: Annotated[
        DiffFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown (a PR comment, with a Mermaid picture), json or svg (the topology of both"
            " sides, marked, drawn with Graphviz's dot).",
        ),
    ] = DiffFormat.text,
    stacks_dir: Annotated[
        str,
        typer.Option(
            "--stacks-dir",
            metavar="DIR",
            callback=paths.checked,
            help="For git revisions: where their stack files are.",
        ),
    ] = "stacks",
    program: Annotated[
        str | None,
        typer.Option(
            "--program",
            metavar="DIR",
            callback=paths.checked,
            help="Compare plans of your own Pulumi program (`plan --program`), every stack it has config"
            " for: a git revision side plans DIR in that revision; a directory side is a program directory.",
        ),
    ] = None,
    repo: Annotated[
        Path, typer.Option("--repo", metavar="DIR", help="The git repository revisions are read from.")
    ] = Path("."),
    fail_on_danger: Annotated[
        bool, typer.Option("--fail-on-danger", help="Exit 1 when a dangerous change is found.")
    ] = False,
) -> None:
    """Compare two sets of plans: resources created, replaced, updated and deleted (matched by URN, aliases
    count as the same resource), every property change down to nested keys and list elements, the dangerous
    changes, the head's policy violations, and the topology of both.

    A git revision is planned offline in a temporary copy: with its own code if it holds the eks_hybrid
    package, else (a repository of stack files) with this eks-hybrid; with --program DIR, each revision's
    program at DIR is planned with the installed eks-hybrid (every stack it has config for). The output
    names which eks-hybrid planned each side. Exit status: 0 compared, 1 a dangerous change with
    --fail-on-danger, 2 a side that cannot be read.
    """
    from ..diff.format import to_markdown, to_svg_picture, to_text
    from ..diff.report import compare
    from ..diff.sources import SourceError, load_side

    try:
        base_plans = load_side(base, repo=repo, stacks_dir=stacks_dir, program=program)
        head_plans = load_side(head, repo=repo, stacks_dir=stacks_dir, program=program)
    except SourceError as error:
        if format is DiffFormat.json:
            document = {"error": {"kind": "source", "code": error.code, "message": str(error)}}
            typer.echo(json.dumps(document, indent=2))
            raise typer.Exit(code=output.EXIT_PROBLEMS) from None
        message = str(error)  # a plan document's problems carry their own codes
        output.fail(message if message.endswith(f"[{error.code}]") else f"{message} [{error.code}]")
    report = compare(base_plans, head_plans)
    if format is DiffFormat.json:
        typer.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    elif format is DiffFormat.markdown:
        output.write(to_markdown(report))
    elif format is DiffFormat.svg:
        try:
            typer.echo(to_svg_picture(report), nl=False)
        except RuntimeError as error:
            output.fail(str(error))
    else:
        output.write(to_text(report))
    if fail_on_danger and report.dangers:
        raise typer.Exit(code=output.EXIT_FAILURE)
