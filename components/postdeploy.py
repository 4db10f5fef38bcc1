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
masked, is the trigger: `eks_hybrid.components.stack_args.config_digest`) or its outputs (in the command's
environment); never in a preview. It never receives the Palette key: `verify` reads that from the stack's
config through the Pulumi CLI, or from `PALETTE_API_KEY`, as the providers do.

The step reads the stack's file (`<stacks_dir>/Pulumi.<stack>.yaml`), so it belongs to programs run from
stack files (`eks_hybrid.components.composition`); it is not part of the component package for other
languages.

No `from __future__ import annotations` here, as in the other component modules.
"""

import shlex
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
from pulumi_command import local

from ._inputs import Arguments, is_known
from ._tokens import component_type
from .codes import Code
from .domain.site_outputs import SiteOutput
from .errors import Reason
from .verify_names import HUB_OUTPUTS_ENV, OUTPUTS_ENV, VERIFY_AREAS

__all__ = [
    "HUB_OUTPUTS_ENV",
    "OUTPUTS_ENV",
    "POST_DEPLOY_VERIFY",
    "PROJECT_VIRTUALENV",
    "SECRET_OUTPUTS",
    "STACKS_DIR",
    "VERIFY_EXECUTABLE",
    "PostDeployVerify",
    "PostDeployVerifyArgs",
    "verify_command",
]

POST_DEPLOY_VERIFY = "eks-hybrid:verify:PostDeployVerify"
SECRET_OUTPUTS = frozenset({SiteOutput.TUNNEL_PRESHARED_KEYS, "ssmActivationCode", "rootCaPrivateKey"})
"""Secret exports: verify never needs them, so they never reach the command's inputs."""

# `Pulumi.yaml` runtime.options.virtualenv and stackConfigDir (tests/verify/test_postdeploy.py checks they
# agree): requirements.txt installs this project in the virtualenv (`-e .`), so its console script is there.
PROJECT_VIRTUALENV = ".venv"
VERIFY_EXECUTABLE = f"{PROJECT_VIRTUALENV}/bin/eks-hybrid"
STACKS_DIR = "stacks"


def verify_command(
    stack: str,
    skip: Sequence[str] = (),
    *,
    executable: str = VERIFY_EXECUTABLE,
    stacks_dir: str = STACKS_DIR,
) -> str:
    """The shell command the step runs, relative to the project directory (the same on every machine)."""
    words = [executable, "verify", "--stack", stack, "--stacks-dir", stacks_dir]
    for area in skip:
        words += ["--skip", area]
    return " ".join(shlex.quote(word) for word in words)


class PostDeployVerifyArgs(TypedDict):
    """The arguments of `PostDeployVerify`."""

    stack: pulumi.Input[str]
    """The stack's name (`pulumi.get_stack()`): verify reads `<stacks_dir>/Pulumi.<stack>.yaml`."""
    outputs: Mapping[str, pulumi.Input[Any]]
    """The stack's exports, by export name; the secret ones (`SECRET_OUTPUTS`) are left out."""
    hub_outputs: NotRequired[Mapping[str, pulumi.Input[Any]]]
    """A site's hub's outputs, as the site read them through its StackReference (secret ones left out)."""
    skip: NotRequired[Sequence[pulumi.Input[str]]]
    """Areas verify leaves out (`routes`, `transit-gateway`, `vpn`, `eks`, `identity`, `palette`,
    `kubernetes`, `quotas`): those the deploying machine cannot reach."""
    config_digest: NotRequired[pulumi.Input[str]]
    """A digest of the stack's validated config (`stack_args.config_digest`): the step runs again whenever
    it changes."""
    executable: NotRequired[pulumi.Input[str]]
    """`eks-hybrid`, relative to the project directory or found on PATH (default `.venv/bin/eks-hybrid`;
    never a machine's absolute path, which would make the plan depend on the machine)."""
    stacks_dir: NotRequired[pulumi.Input[str]]
    """Where the stack files are, relative to the project directory (default `stacks`)."""
    working_directory: NotRequired[pulumi.Input[str]]
    """Where the command runs, relative to the project directory (default: the project directory)."""


class PostDeployVerify(pulumi.ComponentResource):
    """Runs `eks-hybrid verify` on the stack after everything it depends on (give them in `depends_on`).
    Child: `<name>-verify` (`command:local:Command`)."""

    stdout: pulumi.Output[str]
    """Verify's report of the last run."""
    command: local.Command
    """The step (Python only)."""

    def __init__(
        self, name: str, args: PostDeployVerifyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(POST_DEPLOY_VERIFY), name, None, opts)
        arguments = Arguments("PostDeployVerify", name)
        outputs = _without_secrets(arguments.plain_mapping("outputs", args["outputs"]))
        hub = args.get("hub_outputs")
        hub_outputs = None if hub is None else _without_secrets(arguments.plain_mapping("hub_outputs", hub))
        skip = [
            arguments.check(f"skip[{index}]", area, _area)
            for index, area in enumerate(arguments.plain_list("skip", args.get("skip")))
        ]
        stack = arguments.check("stack", args["stack"], _nonempty)
        executable = arguments.check("executable", args.get("executable", VERIFY_EXECUTABLE), _nonempty)
        stacks_dir = arguments.check("stacks_dir", args.get("stacks_dir", STACKS_DIR), _nonempty)
        arguments.raise_problems()

        environment: dict[str, pulumi.Input[str]] = {OUTPUTS_ENV: pulumi.Output.json_dumps(outputs)}
        if hub_outputs is not None:
            environment[HUB_OUTPUTS_ENV] = pulumi.Output.json_dumps(hub_outputs)
        command = _command(stack, skip, executable, stacks_dir)
        digest = args.get("config_digest")
        self.command = local.Command(
            f"{name}-verify",
            create=command,
            update=command,
            dir=args.get("working_directory"),
            environment=environment,
            triggers=[digest] if digest is not None else None,
            # A child does not inherit its parent's `depends_on`: the step itself must wait for everything.
            opts=pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None),
        )
        self.stdout = self.command.stdout
        self.register_outputs({"stdout": self.stdout})


def _without_secrets(outputs: Mapping[str, pulumi.Input[Any]]) -> dict[str, pulumi.Input[Any]]:
    return {key: value for key, value in outputs.items() if key not in SECRET_OUTPUTS}


def _command(
    stack: pulumi.Input[str],
    skip: Sequence[pulumi.Input[str]],
    executable: pulumi.Input[str],
    stacks_dir: pulumi.Input[str],
) -> pulumi.Input[str]:
    """`verify_command` of the arguments: now when they are known, else when they resolve."""
    if all(is_known(value) for value in (stack, executable, stacks_dir, *skip)):
        return verify_command(
            str(stack), [str(area) for area in skip], executable=str(executable), stacks_dir=str(stacks_dir)
        )
    return pulumi.Output.all(stack, executable, stacks_dir, *skip).apply(
        lambda values: verify_command(
            str(values[0]), [str(v) for v in values[3:]], executable=str(values[1]), stacks_dir=str(values[2])
        )
    )


def _area(value: object) -> Reason | None:
    if value not in VERIFY_AREAS:
        return Reason(Code.NOT_ALLOWED, f"{value!r} is not an area verify checks ({', '.join(VERIFY_AREAS)})")
    return None


def _nonempty(value: object) -> Reason | None:
    if isinstance(value, str) and value.strip():
        return None
    return Reason(Code.VALUE_REQUIRED, f"{value!r} is not a non-empty string")
