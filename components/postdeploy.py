"""`PostDeployVerify`: run `eks-hybrid verify` once a stack's resources are in place (opt-in).

With `eks-hybrid:verify: true` the hub or site declares a pulumi-command `local.Command` that depends on
everything the stack declares, so it runs last; a non-zero exit (a check failed, or could not run) fails
`pulumi up` with verify's report in the log. The command gets the stack's outputs (and a site its hub's)
as JSON in its environment, secrets left out: they are known to the program before they are exported.

Its inputs are a function of the stack's config alone, so plans and previews are too: the command is
`.venv/bin/eks-hybrid` (the virtualenv `Pulumi.yaml` declares, relative to the project directory, where
Pulumi starts the command provider: `cmd.Dir = pwd` in pulumi/pulumi's `execPlugin`, and pulumi-command
runs a command without `dir` in its own working directory); no interpreter path, project path or clock.
It runs on the first `pulumi up` and again on every `up` that changes the stack's config (its digest, secrets
masked, is the trigger) or its outputs (in the command's environment); never in a preview. It never
receives the Palette key: `verify` reads that from the stack's config through the Pulumi CLI, or from
`PALETTE_API_KEY`, as the providers do.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_command import local
from pydantic import BaseModel, SecretStr

from .config.hub_outputs import HUB_INVENTORY_OUTPUTS, HUB_PALETTE_OUTPUTS
from .config.source import stack_file_label
from .eks_hub import EKS_EXPORTS

__all__ = [
    "HUB_OUTPUTS_ENV",
    "OUTPUTS_ENV",
    "POST_DEPLOY_VERIFY",
    "SECRET_OUTPUTS",
    "VERIFY_EXECUTABLE",
    "VERIFY_HUB_OUTPUTS",
    "PostDeployVerify",
    "PostDeployVerifyArgs",
    "config_digest",
    "verify_command",
]

POST_DEPLOY_VERIFY = "eks-hybrid:verify:PostDeployVerify"
OUTPUTS_ENV = "EKS_HYBRID_OUTPUTS"
HUB_OUTPUTS_ENV = "EKS_HYBRID_HUB_OUTPUTS"
SECRET_OUTPUTS = frozenset({"tunnelPresharedKeys", "ssmActivationCode", "rootCaPrivateKey"})
"""Secret exports: verify never needs them, so they never reach the command's inputs."""
VERIFY_HUB_OUTPUTS = tuple(
    name
    for name in (*HUB_INVENTORY_OUTPUTS, "vpcAttachmentId", *EKS_EXPORTS, *HUB_PALETTE_OUTPUTS)
    if name not in SECRET_OUTPUTS
)
"""What a site's verify reads of its hub: the inventory, the cluster and the Palette cluster."""


# `Pulumi.yaml` runtime.options.virtualenv (tests/test_project_file.py checks they agree): requirements.txt
# installs this project there (`-e .`), so its console script is there too.
PROJECT_VIRTUALENV = ".venv"
VERIFY_EXECUTABLE = f"{PROJECT_VIRTUALENV}/bin/eks-hybrid"


def verify_command(
    stack: str,
    skip: Sequence[str] = (),
    *,
    executable: str = VERIFY_EXECUTABLE,
    stacks_dir: str | None = None,
) -> str:
    """The shell command the step runs, relative to the project directory (the same on every machine)."""
    stacks_dir = stacks_dir or os.path.dirname(stack_file_label(stack))
    words = [executable, "verify", "--stack", stack, "--stacks-dir", stacks_dir]
    for area in skip:
        words += ["--skip", area]
    return " ".join(shlex.quote(word) for word in words)


def _without_secrets(value: Any) -> Any:
    """`value` without its secrets and unset (None) keys: a secret key set or not reads the same."""
    if isinstance(value, Mapping):
        return {
            k: _without_secrets(v) for k, v in value.items() if v is not None and not isinstance(v, SecretStr)
        }
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value if not isinstance(v, SecretStr)]
    return value


def config_digest(config: BaseModel) -> str:
    """A digest of a validated stack config, the trigger that re-runs the step when the config changes.
    Secrets are left out entirely: whether a key came from the stack or from the environment (and its
    value) must change neither the plan nor the step."""
    document = _without_secrets(config.model_dump(by_alias=True))
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class PostDeployVerifyArgs:
    stack: str
    """The stack's name (`pulumi.get_stack()`): verify reads `stacks/Pulumi.<stack>.yaml`."""
    outputs: Mapping[str, pulumi.Input[Any]]
    """The stack's exports; the ones in `SECRET_OUTPUTS` are left out."""
    hub_outputs: Mapping[str, Any] | None = None
    """A site's hub's outputs, as the site read them through its StackReference (no secrets)."""
    skip: Sequence[str] = ()
    config_digest: str | None = None
    """`config_digest(<the stack's validated config>)`: the step runs again whenever it changes."""
    executable: str = VERIFY_EXECUTABLE
    """`eks-hybrid`, relative to the project directory or found on PATH (never a machine's absolute path)."""
    working_directory: str | None = None
    """Relative to the project directory; None runs the command there (it holds `stacks/`)."""


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
        command = verify_command(args.stack, args.skip, executable=args.executable)
        self.command = local.Command(
            f"{name}-verify",
            create=command,
            update=command,
            dir=args.working_directory,
            environment=environment,
            triggers=[args.config_digest] if args.config_digest else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"stdout": self.command.stdout})
