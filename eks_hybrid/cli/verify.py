"""`eks-hybrid verify`: check a deployed stack's real state against its intent, read-only."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eks_hybrid.components.verify_names import HUB_OUTPUTS_ENV, OUTPUTS_ENV, VERIFY_AREAS

from . import output

if TYPE_CHECKING:
    from ..verify import Finding
    from ..verify.intent import Intent, KubernetesIntent


class Format(StrEnum):
    text = "text"
    json = "json"


def verify(
    ctx: typer.Context,
    stack: Annotated[
        str,
        typer.Option(
            "--stack",
            "-s",
            metavar="STACK",
            help="The deployed stack: a name (its `Pulumi.<stack>.yaml` is in --stacks-dir) or a stack"
            " file's path.",
        ),
    ],
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", metavar="DIR", help="Where the `Pulumi.<stack>.yaml` files live.")
    ] = Path("stacks"),
    outputs: Annotated[
        str | None,
        typer.Option(
            "--outputs",
            metavar="FILE",
            help="The stack's outputs: the JSON of `pulumi stack output --json --show-secrets` (`-`: standard"
            f" input). Default: ${OUTPUTS_ENV} (the JSON itself), else `pulumi stack output --json`.",
        ),
    ] = None,
    hub_outputs: Annotated[
        str | None,
        typer.Option(
            "--hub-outputs",
            metavar="FILE",
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
    format: Annotated[Format, typer.Option("--format", "-f", help="text (a table) or json.")] = Format.text,
    debug: Annotated[
        bool, typer.Option("--debug", help="Raise unexpected errors with their traceback.")
    ] = False,
) -> None:
    """Check the deployed stack against what its config says: routes, the transit gateway, VPN tunnels,
    EKS, node identity, Palette, the hybrid nodes in Kubernetes, and quota headroom. Read-only.

    Exit status: 0 all good (warnings included), 1 a check failed, 2 a check could not run or the
    input is invalid.
    """
    # Pulumi, pydantic and the readers load here, not with the CLI (`tests/speed`).
    from eks_hybrid.components.config import SECRET_PLACEHOLDER, HubConfig, validate_stack
    from eks_hybrid.components.config.source import stack_file_label
    from eks_hybrid.components.errors import EksHybridError, ProblemsError

    from ..stack_files import read_stack_file, stack_location
    from ..verify import Sources, exit_code, hub_intent, run_checks, site_intent
    from ..verify.aws import AwsReader
    from ..verify.kube import KubernetesReader
    from ..verify.outputs import HubOutputs, OutputsSource, SiteOutputs, load_outputs
    from ..verify.palette import PaletteReader, palette_api_key

    unknown = sorted(set(skip or ()) - set(VERIFY_AREAS))
    if unknown:
        ctx.fail(f"--skip takes {', '.join(VERIFY_AREAS)} (got {', '.join(unknown)})")
    if outputs == "-" and hub_outputs == "-":
        ctx.fail("only one of --outputs and --hub-outputs can read standard input")
    try:
        directory, name = stack_location(stack, stacks_dir)
        stack_file = read_stack_file(directory, name)
        config = validate_stack(stack_file.document, stack_file_label(name), stack_file.secret_keys)
        document = load_outputs(OutputsSource(name, outputs, OUTPUTS_ENV))
        if isinstance(config, HubConfig):
            intent = hub_intent(name, config, HubOutputs.from_outputs(document))
        else:
            hub_document = load_outputs(OutputsSource(config.hub, hub_outputs, HUB_OUTPUTS_ENV))
            intent = site_intent(name, config, SiteOutputs.model_validate(document), hub_document)
    except ProblemsError as error:
        output.fail(error.render())
    except ValueError as error:
        coded = f" [{error.code}]" if isinstance(error, EksHybridError) else ""
        output.fail(f"{stack}: {error}{coded}")

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
    results = run_checks(intent, sources, skip=skip or (), debug=debug)
    _show(intent, results, format)
    raise typer.Exit(code=exit_code(results))


def _show(intent: Intent, results: list[Finding], format: Format) -> None:
    from ..verify.report import report_json, report_table, summary_line

    if format is Format.json:
        typer.echo(json.dumps(report_json(intent.stack, intent.role, results), indent=2))
        return
    unicode = output.stdout.encoding.lower().replace("-", "").startswith("utf")
    output.stdout.print(report_table(intent.stack, intent.role, results, unicode=unicode))
    output.stdout.print(summary_line(results))
