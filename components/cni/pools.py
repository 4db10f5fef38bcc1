"""Cilium multi-pool IPAM, one pool per site: the objects, decided before anything is declared. Pure.

Per Cilium's "Per-Node Default Pool" (multi-pool IPAM docs, written for nodes in several datacenters): each
site gets a `CiliumPodIPPool` over its pod CIDR, and a `CiliumNodeConfig` that sets `ipam-default-ip-pool`
to that pool on the nodes labelled `eks-hybrid/site=<site>` (the label every node of the site's Palette
pools carries). A node can draw pod addresses only from its own site's pool; a hybrid node without the
label would ask for the pool `default`, which does not exist, so its pods get no address rather than
another site's. Adding a site adds its two objects and changes no other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.labels import SITE_LABEL

POOL_API_VERSION = "cilium.io/v2alpha1"
POOL_KIND = "CiliumPodIPPool"
NODE_CONFIG_API_VERSION = "cilium.io/v2"
NODE_CONFIG_KIND = "CiliumNodeConfig"
NODE_CONFIG_NAMESPACE = "kube-system"
DEFAULT_POOL_OPTION = "ipam-default-ip-pool"
MANAGED_BY = {"app.kubernetes.io/managed-by": "eks-hybrid"}


@dataclass(frozen=True)
class SitePodPool:
    """One site's pod pool and the node config that makes it the default of the site's nodes. The site's
    name decides every name; the CIDR and mask size are only carried into the pool's spec (either may be a
    value known later, such as a Pulumi Output)."""

    site: str
    cidr: Any
    mask_size: Any

    @property
    def pool_name(self) -> str:
        # Prefixed, so no site can be named into Cilium's fallback pool `default`.
        return f"eks-hybrid-{self.site}"

    @property
    def node_config_name(self) -> str:
        return f"eks-hybrid-{self.site}-ip-pool"

    def labels(self) -> dict[str, str]:
        return {**MANAGED_BY, SITE_LABEL: self.site}

    def pool_object(self) -> dict[str, Any]:
        return {
            "apiVersion": POOL_API_VERSION,
            "kind": POOL_KIND,
            "metadata": {"name": self.pool_name, "labels": self.labels()},
            "spec": {"ipv4": {"cidrs": [self.cidr], "maskSize": self.mask_size}},
        }

    def node_config_object(self) -> dict[str, Any]:
        return {
            "apiVersion": NODE_CONFIG_API_VERSION,
            "kind": NODE_CONFIG_KIND,
            "metadata": {
                "name": self.node_config_name,
                "namespace": NODE_CONFIG_NAMESPACE,
                "labels": self.labels(),
            },
            "spec": {
                "defaults": {DEFAULT_POOL_OPTION: self.pool_name},
                "nodeSelector": {"matchLabels": {SITE_LABEL: self.site}},
            },
        }


def site_pod_pools(pod_cidrs: Mapping[str, Any], mask_size: Any) -> list[SitePodPool]:
    """One pool per site over its pod CIDR (`pod_cidrs` by site name), ordered by site name (resources are
    named by site, not order)."""
    return [SitePodPool(site, pod_cidrs[site], mask_size) for site in sorted(pod_cidrs)]
