"""The outputs this stack's previous `pulumi up` wrote, read the way a real `pulumi up` can.

A stack may hold a StackReference to itself: it reads the outputs of the stack's last completed update,
before this one writes any (Pulumi's own integration test does this, pulumi/pulumi
`tests/integration/stack_reference_secrets/nodejs/step2/index.ts`: "we are getting a stack reference to
ourselves, and referencing the result of the /previous/ deployment"). A stack never deployed has no
outputs: `{}`, which every reader takes as a first deploy (no constraint). The offline `plan` answers this
reference with the outputs it is given for the stack itself, else `{}` (`eks_hybrid.offline.mocks`).

A hub judges upgrades against what it deployed (Cilium's routing mode and line: `domain.cilium_upgrade`);
read it once per program, before anything is declared.
"""

from __future__ import annotations

from typing import Any, Final

import pulumi

from .inventory import read_outputs

PREVIOUS_OUTPUTS: Final = "eks-hybrid-previous-outputs"
"""The self-reference's resource name: a constant, so its URN never depends on the organization."""


def own_stack_name() -> str:
    """This stack's fully qualified name, `org/project/stack` (a DIY backend's organization is
    `organization`); the bare stack name, which Pulumi resolves in the current organization and project,
    when the engine names no organization."""
    organization = pulumi.get_organization()
    if not organization:
        return pulumi.get_stack()
    return f"{organization}/{pulumi.get_project()}/{pulumi.get_stack()}"


def previous_outputs(names: tuple[str, ...]) -> dict[str, Any]:
    """The named outputs of this stack's previous update, resolved now (those it did not write are absent;
    `{}` on a first deploy)."""
    reference = pulumi.StackReference(PREVIOUS_OUTPUTS, stack_name=own_stack_name())
    return read_outputs(reference, names)
