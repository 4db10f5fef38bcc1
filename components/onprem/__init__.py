"""The on-prem and edge side of a site: router, image, user-data and node config files, rendered purely.

The renderers (`strongswan`, `frr`, `edgeforge`, `userdata`, `pod_routes`, `site_readme`) and `model` never
import Pulumi. `bundle.render_site` composes them with the Cilium BGP objects of
`eks_hybrid.components.cni.bgp`, whose package loads Pulumi, so it is imported on first use.
"""

from typing import Any

from .model import (
    CiliumBgpPeering,
    ClusterEndpoint,
    EdgeHost,
    NodeIdentity,
    OnPremSite,
    Placeholder,
    Tunnel,
    VpnLink,
)

_FROM_BUNDLE = ("RenderedFile", "SiteBundle", "render_site")


def __getattr__(name: str) -> Any:
    if name in _FROM_BUNDLE:
        from . import bundle

        return getattr(bundle, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CiliumBgpPeering",
    "ClusterEndpoint",
    "EdgeHost",
    "NodeIdentity",
    "OnPremSite",
    "Placeholder",
    "RenderedFile",
    "SiteBundle",
    "Tunnel",
    "VpnLink",
    "render_site",
]
