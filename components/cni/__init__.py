"""Cilium on hybrid nodes (one pod pool per site with multi-pool, BGP peering with each site's router), and
the `kube-system/hybrid-config` ConfigMap Palette reads."""

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
from .pools import SitePodPool, site_pod_pools
from .values import chart_source, cilium_values, hybrid_config_data, pod_traffic_source

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
    "SitePodPool",
    "chart_source",
    "cilium_values",
    "hybrid_config_data",
    "pod_traffic_source",
    "site_pod_pools",
]
