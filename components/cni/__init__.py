"""Cilium on hybrid nodes (one pod pool per site with multi-pool, BGP peering with each site's router), and
the `kube-system/hybrid-config` ConfigMap Palette reads.

Public: the components, their Args and outputs. The chart values, pools and BGP objects they declare
(`values`, `pools`, `bgp`) are internal.
"""

from .._deprecated import moved as _moved
from ..sites import SiteCidrs
from .bgp_peering import CILIUM_BGP_PEERING, CiliumBgpPeer, CiliumBgpPeering, CiliumBgpPeeringArgs
from .component import (
    CILIUM,
    CILIUM_SITE_POOLS,
    HYBRID_CONFIG,
    Cilium,
    CiliumArgs,
    CiliumSitePools,
    CiliumSitePoolsArgs,
    HybridConfig,
    HybridConfigArgs,
)

__all__ = [
    "CILIUM",
    "CILIUM_BGP_PEERING",
    "CILIUM_SITE_POOLS",
    "HYBRID_CONFIG",
    "Cilium",
    "CiliumArgs",
    "CiliumBgpPeer",
    "CiliumBgpPeering",
    "CiliumBgpPeeringArgs",
    "CiliumSitePools",
    "CiliumSitePoolsArgs",
    "HybridConfig",
    "HybridConfigArgs",
    "SiteCidrs",
]

# Public until 0.3.0, internal since (what the components declare).
__getattr__ = _moved(
    __name__,
    {
        **{
            name: ("eks_hybrid.components.cni.pools", "it is internal to CiliumSitePools")
            for name in ("SitePodPool", "site_pod_pools")
        },
        **{
            name: ("eks_hybrid.components.cni.values", "it is internal to Cilium and HybridConfig")
            for name in ("chart_source", "cilium_values", "hybrid_config_data", "pod_traffic_source")
        },
    },
)
