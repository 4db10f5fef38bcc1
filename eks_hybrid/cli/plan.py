"""`eks-hybrid plan`: show every resource a stack would declare, with no cloud account."""

from __future__ import annotations

import json
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from eks_hybrid.components.codes import Code

from . import output, paths

if TYPE_CHECKING:
    from ..planner import HubNotPlannedError, StackPlan
    from ..site_claims import UnclaimedSite
    from ..site_reach import ReachNote


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    svg = "svg"


@dataclass
class _Outcome:
    """What happened to each stack of one `plan` run, and the exit status it adds up to."""

    debug: bool
    code: int = 0
    reported: set[str] = field(default_factory=set)
    skipped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def failed(self, stack: str, error: Exception) -> None:
        from eks_hybrid.components.errors import EksHybridError, ProblemsError

        if stack in self.reported:
            return
        self.reported.add(stack)
        if isinstance(error, ProblemsError):
            output.problem(stack, error.render())
            self.code = self.code or output.EXIT_PROBLEMS
        else:  # the program itself broke: say so plainly, trace on demand
            if self.debug:
                traceback.print_exception(error)
            coded = f" [{error.code}]" if isinstance(error, EksHybridError) else ""
            output.problem(stack, f"planning failed: {type(error).__name__}: {error}{coded}")
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
            callback=paths.checked,
            help="Stack to plan: a name (its `Pulumi.<stack>.yaml` is in --stacks-dir) or a stack file's"
            " path. Repeatable.",
        ),
    ] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all", help="Plan every stack in --stacks-dir, hubs first.")
    ] = False,
    program: Annotated[
        Path | None,
        typer.Option(
            "--program",
            metavar="DIR",
            help="Plan your own Pulumi program instead of stack files: DIR holds its Pulumi.yaml, __main__.py"
            " and `Pulumi.<stack>.yaml` config; --stack names the stack (optional when DIR has one).",
        ),
    ] = None,
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", metavar="DIR", help="Where the `Pulumi.<stack>.yaml` files live.")
    ] = Path("stacks"),
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="text (a tree), json (one stack's document, or all of them with --all), markdown (with a"
            " Mermaid picture of the topology) or svg (the same picture, drawn with Graphviz's dot).",
        ),
    ] = Format.text,
    policy: Annotated[
        bool,
        typer.Option(
            "--policy/--no-policy",
            help="Check the planned resources against the policy pack's rules (policy/); a mandatory"
            " violation exits 1.",
        ),
    ] = True,
    offline_secrets: Annotated[
        bool,
        typer.Option(
            "--offline-secrets",
            help="Plan as a preview even when a secret a real run needs is missing: it stands in as"
            " [secret] and is listed as missing, instead of failing the plan.",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Validate only: print no tree, only problems (refusals, policy violations, warnings) and a"
            " count per stack and in all (text format).",
        ),
    ] = False,
    outputs_dir: Annotated[
        Path | None,
        typer.Option(
            "--outputs-dir",
            metavar="DIR",
            help="Also write each planned stack's outputs to DIR/<stack>.json, as `pulumi stack output"
            " --json` prints a deployed stack's (secrets as [secret]): the files `verify --outputs` and"
            " `verify --all --outputs-dir` read, for trying verify against a local AWS (moto_server).",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    """Run the stack's program under Pulumi's mock engine and print what it would declare.

    A site's hub stack (from the same directory) is planned first and its outputs feed the site's
    StackReference. Secrets are never decrypted: they show as [secret]. Each plan ends with the
    secrets a real `pulumi up` needs and where it would find them.

    With --program DIR, your own Pulumi program (which imports eks-hybrid's components) is planned instead:
    as the stack --stack names, of the project DIR/Pulumi.yaml names, with the config of
    DIR/Pulumi.<stack>.yaml (`secure:` values stand in as [secret]); the same tree, JSON and policy check.

    Exit status: 0 planned, 1 the program failed, 2 invalid input or usage.
    """
    # Loaded here, not at import: `eks-hybrid --help` and the other commands need none of it.
    from eks_hybrid.components.errors import ProblemsError

    from ..plan_documents import Planned, error_document, plan_document, plans_document
    from ..plan_documents import stack_order as _stack_order
    from ..planner import HubNotPlannedError, Planner
    from ..program import ProgramPlanner, choose_stack, read_program
    from ..runtime_tuning import tune_gc
    from ..stack_files import stack_location
    from ..text_tree import plan_node, render_text, to_rich
    from .plan_views import plan_markdown, plan_svg, policy_lines, quiet_line, quiet_summary

    tune_gc()
    if program is not None and (all_stacks or len(stack or []) > 1):
        ctx.fail("--program plans one stack of the program: name it with --stack (not --all)")
    if all_stacks and stack:
        ctx.fail("--all plans every stack in --stacks-dir: give either --all or --stack")
    if not all_stacks and not stack and program is None:
        ctx.fail("name a stack with --stack STACK, or plan them all with --all")
    fail = _json_fail if format is Format.json else output.fail
    planners: dict[Path, Planner | ProgramPlanner] = {}

    def planner_for(directory: Path) -> Planner | ProgramPlanner:
        if directory not in planners:
            planners[directory] = (
                ProgramPlanner(directory)
                if directory == program
                else Planner(directory, offline_secrets=offline_secrets)
            )
        return planners[directory]

    try:
        if program is not None:
            targets = [(program, choose_stack(read_program(program), stack[0] if stack else None))]
        elif all_stacks:
            stack_planner = Planner(stacks_dir, offline_secrets=offline_secrets)
            planners[stacks_dir] = stack_planner
            targets = [(stacks_dir, name) for name in _stack_order(stacks_dir, stack_planner.read)]
        else:
            targets = [stack_location(argument, stacks_dir) for argument in stack or []]
    except ProblemsError as error:
        if format is Format.json:
            _json_fail(error.render(), error_code=error.code)
        fail(error.render())
    for directory in sorted({directory for directory, _ in targets}):
        if not directory.is_dir():
            fail(f"{directory}: no such stacks directory")
    if not targets:
        fail(f"{stacks_dir}: no Pulumi.<stack>.yaml files to plan")

    # Checked from the files before any stack is planned: two site stacks claiming one site are both
    # refused, and with --all each inventory site that no stack claims is noted, and each pair of a hub's
    # sites that does not reach the other through AWS.
    refused: dict[tuple[Path, str], Exception] = {}
    for directory in sorted({directory for directory, _ in targets}):
        names = [name for where, name in targets if where == directory]
        for name, refusal in planner_for(directory).refusals(names).items():
            refused[(directory, name)] = refusal
    notes: list[UnclaimedSite | ReachNote] | None = None
    if all_stacks:
        names = [name for _, name in targets]
        planner = planners[stacks_dir]
        assert isinstance(planner, Planner)
        notes = [*planner.unclaimed_sites(names), *planner.reach_notes(names)]

    outcome = _Outcome(debug=debug)
    results: list[Planned] = []
    documents_of: dict[int, dict[str, Any]] = {}  # each plan's document, built once (policy checked once)

    def document_of(plan: StackPlan) -> dict[str, Any]:
        if id(plan) not in documents_of:
            documents_of[id(plan)] = plan_document(plan, policy=policy)
        return documents_of[id(plan)]

    for directory, name in targets:
        if (directory, name) in refused:
            outcome.failed(name, refused[(directory, name)])
            results.append(Planned(name, error=refused[(directory, name)]))
            continue
        try:
            result = planner_for(directory).plan(name)
        except HubNotPlannedError as error:
            outcome.skip(error)
            results.append(Planned(name, error=error))
            continue
        except Exception as error:
            outcome.failed(name, error)
            results.append(Planned(name, error=error))
            continue
        results.append(Planned(name, plan=result))
        _warn(result)
        if format is Format.text and quiet:
            checked = document_of(result) if policy else {}
            violations = (checked.get("policy") or {}).get("violations") or []
            for line in policy_lines(checked) if violations else []:
                output.say(line)
            output.say(quiet_line(result, len(violations)))
        elif format is Format.text:
            tree = plan_node(result)
            text = None
            if output.plain(output.stdout):
                text = render_text(
                    tree, width=output.stdout.width, ascii_only=output.stdout.options.ascii_only
                )
            if text is not None:
                output.write(text)
            else:
                output.stdout.print(to_rich(tree))
            if policy:
                for line in policy_lines(document_of(result)):
                    output.say(line)
    documents = [document_of(r.plan) for r in results if r.plan is not None]
    if outputs_dir is not None:
        _write_outputs(outputs_dir, documents)
    if format is Format.json:
        single = len(targets) == 1 and not all_stacks
        if single and results[0].plan is None and results[0].error is not None:
            document: dict[str, Any] = error_document(results[0].stack, results[0].error, debug=debug)
        else:
            document = (
                documents[0]
                if single
                else plans_document(results, policy=policy, documents=document_of, notes=notes)
            )
        typer.echo(json.dumps(document, indent=2, sort_keys=True))
    elif format is Format.markdown:
        output.write(plan_markdown(documents, {r.stack: r.error for r in results if r.error}))
    elif format is Format.svg:
        typer.echo(plan_svg(documents), nl=False)
    outcome.report_skipped()
    if format is Format.text and quiet:
        output.say(quiet_summary(results, documents))
    for note in notes or ():
        output.note(f"note: {note.message} [{note.code}]")
    mandatory = sum(d.get("policy", {}).get("mandatory", 0) for d in documents)
    if outcome.code:
        raise typer.Exit(code=outcome.code)
    if mandatory:
        if format is Format.text:
            output.note(f"{mandatory} mandatory policy violation(s): see above (--no-policy skips the check)")
        raise typer.Exit(code=output.EXIT_FAILURE)


def _json_fail(message: str, code: int = output.EXIT_PROBLEMS, *, error_code: Code = Code.USAGE) -> NoReturn:
    """The JSON error document of a run that planned nothing; `error_code` is the catalogued code."""
    typer.echo(json.dumps({"error": {"kind": "usage", "code": error_code, "message": message}}, indent=2))
    raise typer.Exit(code=code)


def _warn(result: StackPlan) -> None:
    # Warnings (a Kubernetes version near its end of support, an endpoint open to the internet) go to
    # stderr, so the plan itself stays the same document whatever the date.
    for warning in dict.fromkeys(result.run.warnings):
        output.say(f"warning: {result.stack}: {warning}", output.stderr)


def _write_outputs(directory: Path, documents: list[dict[str, Any]]) -> None:
    """Each planned stack's outputs as `DIR/<stack>.json`: the document `pulumi stack output --json`
    prints (one key per output, secrets masked as `[secret]`)."""
    directory.mkdir(parents=True, exist_ok=True)
    for document in documents:
        path = directory / f"{document['stack']}.json"
        path.write_text(json.dumps(document.get("outputs") or {}, indent=2, sort_keys=True) + "\n")
        output.note(f"wrote {path}")
