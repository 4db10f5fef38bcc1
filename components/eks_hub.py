"""Deprecated alias of `eks_hybrid.components.config._eks_hub` (internal to the stack-file programs since
0.3.0; this alias goes in 0.4.0).

Compose the EKS side from the components yourself (`HybridCluster`, `NodeIdentity`, `Cilium`, ...); the hub
stack program declares it from validated config with these functions.
"""

from ._deprecated import warn_moved_module
from .config._eks_hub import *  # noqa: F403
from .config._eks_hub import __all__ as __all__

warn_moved_module(
    __name__, "it declares a hub stack file's EKS side and is internal to the stack-file programs"
)
