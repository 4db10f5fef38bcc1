"""Type tokens of the components: stable public API.

A Python program registers each component under `eks-hybrid:<area>:<Name>` (`eks-hybrid:network:
TransitGatewayHub`), as every release has. Pulumi's component package schema puts every component in the
`index` module, so a program in another language declares `eks-hybrid:index:<Name>`; when the component
provider hosts the components for such a program (`eks_hybrid.provider`), they register under that token,
so the URN's type is the one the program declared.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["PACKAGE", "ResourceKind", "component_type", "host_as_package"]

PACKAGE = "eks-hybrid"


class ResourceKind(NamedTuple):
    """What a dynamic resource is. Every dynamic resource registers as `pulumi-python:dynamic:Resource`
    (the SDK's one type token for them), so a provider class says what it manages (its `KIND`) for plans
    and diffs to show beside that token; the token itself never changes (URNs keep it)."""

    token: str
    """A type-token-shaped name: `palette:HybridNodePool`."""
    description: str
    """For a person: `Palette hybrid node pool`."""


_hosted_by_package = False


def host_as_package() -> None:
    """Called once by the component provider before it serves any component."""
    global _hosted_by_package
    _hosted_by_package = True


def component_type(token: str) -> str:
    """The token a component registers under: `token` itself, or its `index` form when hosted."""
    package, _, name = token.split(":")
    return f"{package}:index:{name}" if _hosted_by_package else token
