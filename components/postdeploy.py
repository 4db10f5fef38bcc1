"""`PostDeployVerify`: run `eks-hybrid verify` once a stack's resources are in place (opt-in).

With `eks-hybrid:verify: true` the hub or site declares a pulumi-command `local.Command` that depends on
everything the stack declares, so it runs last; a non-zero exit (a check failed, or could not run) fails
`pulumi up` with verify's report in the log. The command gets the stack's outputs (and a site its hub's)
as JSON in its environment, secrets left out: they are known to the program before they are exported.
It runs on every `pulumi up` (a trigger changes each run; `SOURCE_DATE_EPOCH` pins it for reproducible
offline plans), never in a preview, and never receives the Palette key as an input: `verify` reads that
from the stack's config through the Pulumi CLI, or from `PALETTE_API_KEY`, as the providers do.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pulumi
from pulumi_command import local

from .config.hub_outputs import HUB_INVENTORY_OUTPUTS, HUB_PALETTE_OUTPUTS
from .config.source import stack_file_label
from .eks_hub import EKS_EXPORTS

__all__ = [
    "HUB_OUTPUTS_ENV",
    "OUTPUTS_ENV",
    "POST_DEPLOY_VERIFY",
    "SECRET_OUTPUTS",
    "VERIFY_HUB_OUTPUTS",
    "PostDeployVerify",
    "PostDeployVerifyArgs",
    "run_stamp",
    "verify_command",
]

POST_DEPLOY_VERIFY = "eks-hybrid:verify:PostDeployVerify"
OUTPUTS_ENV = "EKS_HYBRID_OUTPUTS"
HUB_OUTPUTS_ENV = "EKS_HYBRID_HUB_OUTPUTS"
SECRET_OUTPUTS = frozenset({"tunnelPresharedKeys", "ssmActivationCode"})
"""Secret exports: verify never needs them, so they never reach the command's inputs."""
VERIFY_HUB_OUTPUTS = tuple(
    name
    for name in (*HUB_INVENTORY_OUTPUTS, "vpcAttachmentId", *EKS_EXPORTS, *HUB_PALETTE_OUTPUTS)
    if name not in SECRET_OUTPUTS
)
"""What a site's verify reads of its hub: the inventory, the cluster and the Palette cluster."""


def verify_command(stack: str, python: str, skip: Sequence[str] = ()) -> str:
    """The shell command the step runs: this environment's Python, so no PATH set-up is needed."""
    stacks_dir = os.path.dirname(stack_file_label(stack))
    words = [python, "-m", "eks_hybrid.cli", "verify", "--stack", stack, "--stacks-dir", stacks_dir]
    for area in skip:
        words += ["--skip", area]
    return " ".join(shlex.quote(word) for word in words)


def run_stamp(environ: Mapping[str, str], now: datetime) -> str:
    """Changes every run (so the step runs after every `pulumi up`), unless SOURCE_DATE_EPOCH pins it."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).isoformat()
    return now.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class PostDeployVerifyArgs:
    stack: str
    """The stack's name (`pulumi.get_stack()`): verify reads `stacks/Pulumi.<stack>.yaml`."""
    outputs: Mapping[str, pulumi.Input[Any]]
    """The stack's exports; the ones in `SECRET_OUTPUTS` are left out."""
    hub_outputs: Mapping[str, Any] | None = None
    """A site's hub's outputs, as the site read them through its StackReference (no secrets)."""
    skip: Sequence[str] = ()
    python: str = field(default_factory=lambda: sys.executable)
    working_directory: str = field(default_factory=os.getcwd)
    """Where `pulumi up` runs the program (the project directory, with `stacks/`)."""
    stamp: str | None = None


class PostDeployVerify(pulumi.ComponentResource):
    """Child: `<name>-verify` (command:local:Command)."""

    def __init__(
        self, name: str, args: PostDeployVerifyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(POST_DEPLOY_VERIFY, name, None, opts)
        outputs = {key: value for key, value in args.outputs.items() if key not in SECRET_OUTPUTS}
        environment: dict[str, pulumi.Input[str]] = {OUTPUTS_ENV: pulumi.Output.json_dumps(outputs)}
        if args.hub_outputs is not None:
            hub = {key: value for key, value in args.hub_outputs.items() if key not in SECRET_OUTPUTS}
            environment[HUB_OUTPUTS_ENV] = pulumi.Output.json_dumps(hub)
        command = verify_command(args.stack, args.python, args.skip)
        self.command = local.Command(
            f"{name}-verify",
            create=command,
            update=command,
            dir=args.working_directory,
            environment=environment,
            triggers=[args.stamp or run_stamp(os.environ, datetime.now(UTC))],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"stdout": self.command.stdout})
