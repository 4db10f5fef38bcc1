"""`eks-hybrid verify`: check a deployed stack's real state against its intent, read-only."""

from __future__ import annotations

import contextlib
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from eks_hybrid.components.errors import printable
from eks_hybrid.components.verify_names import HUB_OUTPUTS_ENV, OUTPUTS_ENV, VERIFY_AREAS

from . import output, paths

if TYPE_CHECKING:
    from ..verify import Finding
    from ..verify.fleet import StackHealth
    from ..verify.intent import Intent, KubernetesIntent


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def verify(
    ctx: typer.Context,
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            "-s",
            metavar="STACK",
            callback=paths.checked,
            help="The deployed stack: a name (its `Pulumi.<stack>.yaml` is in --stacks-dir) or a stack"
            " file's path.",
        ),
    ] = None,
    all_stacks: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Verify every stack in --stacks-dir, hubs first, each with its outputs from --outputs-dir.",
        ),
    ] = False,
    outputs_dir: Annotated[
        Path | None,
        typer.Option(
            "--outputs-dir",
            metavar="DIR",
            help="With --all: the directory holding each stack's outputs as <stack>.json (`pulumi stack"
            " output --json --stack <stack>`); a site's hub's are <hub>.json there.",
        ),
    ] = None,
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", metavar="DIR", help="Where the `Pulumi.<stack>.yaml` files live.")
    ] = Path("stacks"),
    outputs: Annotated[
        str | None,
        typer.Option(
            "--outputs",
            metavar="FILE",
            callback=paths.checked,
            help="The stack's outputs: the JSON of `pulumi stack output --json --show-secrets` (`-`: standard"
            f" input). Default: ${OUTPUTS_ENV} (the JSON itself), else `pulumi stack output --json`.",
        ),
    ] = None,
    hub_outputs: Annotated[
        str | None,
        typer.Option(
            "--hub-outputs",
            metavar="FILE",
            callback=paths.checked,
            help=f"A site's hub's outputs, likewise (default: ${HUB_OUTPUTS_ENV}, else the Pulumi CLI).",
        ),
    ] = None,
    kubeconfig: Annotated[
        Path | None,
        typer.Option(
            "--kubeconfig",
            metavar="FILE",
            help="Kubeconfig for the cluster. Default: built from the hub's outputs, authenticating with"
            " `aws eks get-token`.",
        ),
    ] = None,
    context: Annotated[
        str | None, typer.Option("--context", metavar="NAME", help="The kubeconfig context to use.")
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip", metavar="AREA", help=f"An area not to check (repeatable): {', '.join(VERIFY_AREAS)}."
        ),
    ] = None,
    format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="text (a table), json, or html (one self-contained page: the topology, a row per site,"
            " each hub's checks).",
        ),
    ] = Format.text,
    debug: Annotated[
        bool, typer.Option("--debug", help="Raise unexpected errors with their traceback.")
    ] = False,
) -> None:
    """Check the deployed stack against what its config says: routes, the transit gateway, VPN tunnels,
    EKS, node identity, Palette, the hybrid nodes in Kubernetes, and quota headroom. Read-only.

    Exit status: 0 all good (warnings included), 1 a check failed, 2 a check could not run or the
    input is invalid.
    """
    unknown = sorted(set(skip or ()) - set(VERIFY_AREAS))
    if unknown:
        ctx.fail(f"--skip takes {', '.join(VERIFY_AREAS)} (got {', '.join(unknown)})")
    if all_stacks:
        if stack or outputs or hub_outputs:
            ctx.fail("--all verifies every stack in --stacks-dir from --outputs-dir: drop --stack/--outputs")
        if outputs_dir is None:
            ctx.fail("--all reads each stack's outputs from --outputs-dir DIR (DIR/<stack>.json)")
        _verify_all(stacks_dir, outputs_dir, kubeconfig, context, skip or [], format, debug)
    if stack is None:
        ctx.fail("name a stack with --stack STACK, or verify them all with --all --outputs-dir DIR")
    if outputs_dir is not None:
        ctx.fail("--outputs-dir goes with --all; for one stack give --outputs FILE")
    if outputs == "-" and hub_outputs == "-":
        ctx.fail("only one of --outputs and --hub-outputs can read standard input")
    from eks_hybrid.components.errors import ProblemsError

    from ..stack_files import stack_location
    from ..verify import exit_code

    try:
        directory, name = stack_location(stack, stacks_dir)
    except ProblemsError as error:
        output.fail(error.render())
    checked = _check_stack(directory, name, outputs, hub_outputs, kubeconfig, context, skip or [], debug)
    if isinstance(checked, str):
        output.fail(checked)
    intent, results, hub = checked
    if format is Format.html:
        from ..verify.fleet import StackHealth

        health = StackHealth(intent.stack, intent.role, hub, tuple(results))
        _show_fleet([health], directory, {name: outputs if outputs != "-" else None}, format)
    _show(intent, results, format)
    raise typer.Exit(code=exit_code(results))


def _check_stack(
    directory: Path,
    name: str,
    outputs: str | None,
    hub_outputs: str | None,
    kubeconfig: Path | None,
    context: str | None,
    skip: list[str],
    debug: bool,
) -> tuple[Intent, list[Finding], str | None] | str:
    """One stack's intent, findings and hub (a site's), or why it cannot be verified (invalid input)."""
    # Pulumi, pydantic and the readers load here, not with the CLI (`tests/speed`).
    from eks_hybrid.components.config import SECRET_PLACEHOLDER, HubConfig, validate_stack
    from eks_hybrid.components.config.source import stack_file_label
    from eks_hybrid.components.errors import ConfigError, EksHybridError, ProblemsError

    from ..stack_files import read_stack_file
    from ..verify import Sources, hub_intent, run_checks, site_intent
    from ..verify.aws import AwsReader
    from ..verify.kube import KubernetesReader
    from ..verify.outputs import HubOutputs, OutputsSource, SiteOutputs, load_outputs
    from ..verify.palette import PaletteReader, palette_api_key

    try:
        stack_file = read_stack_file(directory, name)
        config = validate_stack(stack_file.document, stack_file_label(name), stack_file.secret_keys)
        document = load_outputs(OutputsSource(name, outputs, OUTPUTS_ENV))
        if isinstance(config, HubConfig):
            intent = hub_intent(name, config, HubOutputs.from_outputs(document))
        else:
            hub_document = load_outputs(OutputsSource(config.hub, hub_outputs, HUB_OUTPUTS_ENV))
            intent = site_intent(name, config, SiteOutputs.model_validate(document), hub_document)
    except ConfigError as error:
        return error.render()
    except ProblemsError as error:  # valid stack files, outputs that cannot be read or do not fit them
        return error.render(headline="cannot verify this stack")
    except ValueError as error:
        coded = f" [{error.code}]" if isinstance(error, EksHybridError) else ""
        return f"{name}: {error}{coded}"

    palette_key = (stack_file.document.get("eks-hybrid:palette") or {}).get("apiKey") == SECRET_PLACEHOLDER
    secrets: list[str] = []

    def palette(endpoint: str, project: str) -> PaletteReader:
        key = palette_api_key(name, palette_key, os.environ)
        secrets.append(key)
        return PaletteReader.connect(endpoint, project, key, deadline_seconds=60.0)

    def kubernetes(target: KubernetesIntent) -> KubernetesReader:
        if kubeconfig is not None:
            return KubernetesReader.from_file(str(kubeconfig), context)
        return KubernetesReader.for_cluster(target)

    # `secrets` fills as keys are resolved, so any error text quoting one is redacted.
    sources = Sources(
        aws=lambda: AwsReader(intent.region), palette=palette, kubernetes=kubernetes, secrets=secrets
    )
    return intent, run_checks(intent, sources, skip=skip, debug=debug), stack_file.hub


def _verify_all(
    stacks_dir: Path,
    outputs_dir: Path,
    kubeconfig: Path | None,
    context: str | None,
    skip: list[str],
    format: Format,
    debug: bool,
) -> None:
    """Every stack of `stacks_dir`, hubs first, each with `outputs_dir/<stack>.json` (a site's hub's:
    `outputs_dir/<hub>.json`). A stack without its file, or with an invalid one, could not be checked."""
    from eks_hybrid.components.errors import ProblemsError

    from ..plan_documents import stack_order
    from ..stack_files import read_stack_file
    from ..verify.fleet import StackHealth

    if not stacks_dir.is_dir():
        output.fail(f"{stacks_dir}: no such stacks directory")
    names = stack_order(stacks_dir)
    if not names:
        output.fail(f"{stacks_dir}: no Pulumi.<stack>.yaml files to verify")
    stacks: list[StackHealth] = []
    files: dict[str, str | None] = {}
    for name in names:
        try:
            stack_file = read_stack_file(stacks_dir, name)
            role, hub = stack_file.role or "hub", stack_file.hub
        except ProblemsError as error:
            stacks.append(StackHealth(name, "stack", problem=error.render(), remedy="fix the stack file"))
            continue
        wanted = [name] if role == "hub" else [name, hub or ""]
        missing = [n for n in wanted if not (outputs_dir / f"{n}.json").is_file()]
        if missing:
            path = outputs_dir / f"{missing[0]}.json"
            stacks.append(
                StackHealth(
                    name,
                    role,
                    hub,
                    problem=f"no outputs file {path}",
                    remedy=f"pulumi stack output --json --stack {missing[0]} > {path}",
                )
            )
            continue
        files[name] = str(outputs_dir / f"{name}.json")
        hub_file = str(outputs_dir / f"{hub}.json") if hub else None
        checked = _check_stack(stacks_dir, name, files[name], hub_file, kubeconfig, context, skip, debug)
        if isinstance(checked, str):
            stacks.append(
                StackHealth(name, role, hub, problem=checked, remedy="fix the stack file or the outputs file")
            )
            continue
        intent, results, _ = checked
        stacks.append(StackHealth(name, intent.role, hub, tuple(results)))
    _show_fleet(stacks, stacks_dir, files, format)


def _show_fleet(
    stacks: list[StackHealth], stacks_dir: Path, files: dict[str, str | None], format: Format
) -> NoReturn:
    from ..verify.fleet import fleet_exit_code, fleet_html, fleet_json
    from ..verify.report import report_table, summary_line

    if format is Format.html:
        svg, note = _topology(stacks_dir, [s.stack for s in stacks], files)
        typer.echo(fleet_html(stacks, topology_svg=svg, topology_note=note), nl=False)
    elif format is Format.json:
        typer.echo(json.dumps(fleet_json(stacks), indent=2))
    else:
        unicode = output.stdout.encoding.lower().replace("-", "").startswith("utf")
        for health in stacks:
            if health.problem:
                output.say(f"eks-hybrid verify: {health.stack}: could not verify")
                output.say(f"{health.problem}\n-> {health.remedy}")
                continue
            output.stdout.print(
                report_table(printable(health.stack), health.role, health.findings, unicode=unicode)
            )
            output.stdout.print(summary_line(health.findings))
    raise typer.Exit(code=fleet_exit_code(stacks))


def _topology(stacks_dir: Path, names: list[str], files: dict[str, str | None]) -> tuple[str | None, str]:
    """The picture `plan --format svg` draws of these stacks (planned offline), labelled with the deployed
    outputs where a stack has them; or None and why not."""
    from ..plan_documents import plan_document, plan_stacks
    from ..planner import Planner
    from ..topology import build_topology
    from ..topology.graphviz import to_svg
    from ..verify.outputs import OutputsSource, load_outputs

    documents = []
    for planned in plan_stacks(Planner(stacks_dir, offline_secrets=True), names):
        if planned.plan is None:
            continue
        document = plan_document(planned.plan, policy=False)
        if files.get(planned.stack):
            # An unreadable file keeps the planned outputs: the stack's row says what is wrong with it.
            with contextlib.suppress(ValueError):
                document["outputs"] = load_outputs(OutputsSource(planned.stack, files[planned.stack], ""))
        documents.append(document)
    if not documents:
        return None, "no stack could be planned"
    try:
        return to_svg(build_topology(documents), title="eks-hybrid: " + ", ".join(names)), ""
    except RuntimeError as error:
        return None, str(error)


def _show(intent: Intent, results: list[Finding], format: Format) -> None:
    from ..verify.report import report_json, report_table, summary_line

    if format is Format.json:
        typer.echo(json.dumps(report_json(intent.stack, intent.role, results), indent=2))
        return
    unicode = output.stdout.encoding.lower().replace("-", "").startswith("utf")
    output.stdout.print(report_table(printable(intent.stack), intent.role, results, unicode=unicode))
    output.stdout.print(summary_line(results))
