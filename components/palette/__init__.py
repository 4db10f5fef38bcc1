"""Palette (Spectro Cloud) for EKS Hybrid Nodes: a typed client, pure payload builders, dynamic providers
and the `PaletteHub` / `PaletteNodePools` components."""

from ._api import PaletteApi
from ._client import PaletteClient, RetryPolicy
from ._credentials import PaletteCredentials, PaletteCredentialsError, resolve_credentials
from .hub import (
    HUB_TYPE,
    PaletteHub,
    PaletteHubArgs,
    PaletteIamRolesAnywhere,
    PaletteProfile,
    PaletteProfileCni,
    PaletteProfileKubernetes,
    PaletteProfileOs,
    PaletteSsmActivation,
    iam_roles_anywhere_of,
    ssm_activation_of,
)
from .node_pools import NODE_POOLS_TYPE, EdgeHost, NodePool, NodeTaint, PaletteNodePools, PaletteNodePoolsArgs
from .payloads import HybridIdentity

__all__ = [
    "HUB_TYPE",
    "NODE_POOLS_TYPE",
    "EdgeHost",
    "HybridIdentity",
    "NodePool",
    "NodeTaint",
    "PaletteApi",
    "PaletteClient",
    "PaletteCredentials",
    "PaletteCredentialsError",
    "PaletteHub",
    "PaletteHubArgs",
    "PaletteIamRolesAnywhere",
    "PaletteNodePools",
    "PaletteNodePoolsArgs",
    "PaletteProfile",
    "PaletteProfileCni",
    "PaletteProfileKubernetes",
    "PaletteProfileOs",
    "PaletteSsmActivation",
    "RetryPolicy",
    "iam_roles_anywhere_of",
    "resolve_credentials",
    "ssm_activation_of",
]
