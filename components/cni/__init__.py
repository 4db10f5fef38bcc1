"""Cilium on hybrid nodes, and the `kube-system/hybrid-config` ConfigMap Palette reads."""

from .component import CILIUM, HYBRID_CONFIG, Cilium, CiliumArgs, HybridConfig, HybridConfigArgs
from .values import chart_source, cilium_values, hybrid_config_data

__all__ = [
    "CILIUM",
    "HYBRID_CONFIG",
    "Cilium",
    "CiliumArgs",
    "HybridConfig",
    "HybridConfigArgs",
    "chart_source",
    "cilium_values",
    "hybrid_config_data",
]
