"""Palette (Spectro Cloud) for EKS Hybrid Nodes: a typed client, pure payload builders, dynamic providers
and the `PaletteHub` / `PaletteNodePools` components."""

from ._api import PaletteApi
from ._client import PaletteClient, RetryPolicy
from ._credentials import PaletteCredentials, PaletteCredentialsError, resolve_credentials
from .hub import HUB_TYPE, PaletteHub, PaletteHubArgs
from .node_pools import NODE_POOLS_TYPE, PaletteNodePools, PaletteNodePoolsArgs
from .payloads import HybridIdentity

__all__ = [
    "HUB_TYPE",
    "NODE_POOLS_TYPE",
    "HybridIdentity",
    "PaletteApi",
    "PaletteClient",
    "PaletteCredentials",
    "PaletteCredentialsError",
    "PaletteHub",
    "PaletteHubArgs",
    "PaletteNodePools",
    "PaletteNodePoolsArgs",
    "RetryPolicy",
    "resolve_credentials",
]
