"""Cilium BGP control plane objects for hybrid sites: pure builders, no Pulumi.

Each site's nodes peer with that site's on-prem router and advertise the pod blocks Cilium gave them, as in
AWS's "Configure Cilium BGP for hybrid nodes" (awsdocs/amazon-eks-user-guide
`latest/ug/nodes/hybrid-nodes-cilium-bgp.adoc`) and Cilium's "BGP Control Plane Resources"
(https://docs.cilium.io/en/v1.18/network/bgp-control-plane/bgp-control-plane-v2/, source
cilium/cilium `Documentation/network/bgp-control-plane/bgp-control-plane-v2.rst`):

- one `CiliumBGPClusterConfig` per site, selecting the site's hybrid nodes by the site label, with one BGP
  instance (`localASN` = the cluster's ASN) and one peer (the router's address and ASN);
- one `CiliumBGPPeerConfig`: IPv4 unicast, AWS's timers (hold 30 s, keepalive 10 s) and graceful restart,
  advertising what the advertisement below selects;
- one `CiliumBGPAdvertisement` of the node's pod blocks. Its type follows the IPAM mode (same page, "Pod
  CIDR Ranges"): `PodCIDR` with cluster-pool IPAM; with multi-pool IPAM `PodCIDR` "doesn't have any
  effect", so it is `CiliumPodIPPool`, selecting the pools eks-hybrid made (`pools.py`). Either way a node
  advertises only the blocks allocated to it, never a whole pool.

Declared by the hub (operator on the cloud node group), the peer config and the advertisement are shared by
every site (`eks-hybrid-onprem-router`, `eks-hybrid-pod-cidr`). Declared by each site stack (operator on
hybrid nodes, `values.bgp_objects_in_sites`), they are the site's own (`per_site`:
`eks-hybrid-<site>-onprem-router`, `eks-hybrid-<site>-pod-cidr`, the advertisement labelled and selected by
the site label too), so no Kubernetes object is owned by two stacks.

Cilium 1.18 serves these kinds as `cilium.io/v2` (the v1.18 page above); 1.16 and 1.17 only as
`cilium.io/v2alpha1` (https://docs.cilium.io/en/v1.17/network/bgp-control-plane/bgp-control-plane-v2/;
AWS's page above still uses v2alpha1, which 1.18 keeps serving, deprecated).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from ..codes import Code
from ..domain.fields import reserved_asn_problem
from ..domain.labels import SITE_LABEL
from ..errors import Reason, RuleError
from .pools import MANAGED_BY
from .values import COMPUTE_TYPE_LABEL

__all__ = [
    "ADVERTISEMENT_KIND",
    "ADVERTISEMENT_NAME",
    "ADVERTISE_LABEL",
    "BGP_KINDS",
    "CLUSTER_CONFIG_KIND",
    "PEER_CONFIG_KIND",
    "PEER_CONFIG_NAME",
    "SITE_LABEL",
    "advertisement_name",
    "asn_problem",
    "bgp_api_version",
    "cluster_config",
    "cluster_config_metadata",
    "cluster_config_name",
    "cluster_config_spec",
    "peer_config",
    "peer_config_name",
    "pod_advertisement",
    "site_bgp_objects",
]

ADVERTISE_LABEL = ("eks-hybrid/advertise", "pod-cidr")
PEER_CONFIG_NAME = "eks-hybrid-onprem-router"
ADVERTISEMENT_NAME = "eks-hybrid-pod-cidr"
HOLD_TIME_SECONDS = 30
KEEPALIVE_TIME_SECONDS = 10
GRACEFUL_RESTART_SECONDS = 120
CLUSTER_CONFIG_KIND = "CiliumBGPClusterConfig"
PEER_CONFIG_KIND = "CiliumBGPPeerConfig"
ADVERTISEMENT_KIND = "CiliumBGPAdvertisement"
BGP_KINDS = (CLUSTER_CONFIG_KIND, PEER_CONFIG_KIND, ADVERTISEMENT_KIND)
"""Every kind `CiliumBgpPeering` creates."""
_V2_SINCE = (1, 18)
_MAX_ASN = 4_294_967_294


def bgp_api_version(chart_version: str) -> str:
    """`cilium.io/v2` from Cilium 1.18, `cilium.io/v2alpha1` before (`1.17.13-1` -> v2alpha1)."""
    match = re.match(r"^(\d+)\.(\d+)\.", chart_version)
    if match is None:
        raise RuleError(
            f"Cilium chart version {chart_version!r} is not major.minor.patch", Code.INVALID_CHART_VERSION
        )
    minor = (int(match[1]), int(match[2]))
    return "cilium.io/v2" if minor >= _V2_SINCE else "cilium.io/v2alpha1"


def cluster_config_name(site: str) -> str:
    return f"eks-hybrid-{site}"


def peer_config_name(site: str | None = None) -> str:
    """The shared `CiliumBGPPeerConfig` (site None: the hub declares it for every site), or `site`'s own."""
    return PEER_CONFIG_NAME if site is None else f"eks-hybrid-{site}-onprem-router"


def advertisement_name(site: str | None = None) -> str:
    """The shared `CiliumBGPAdvertisement` (site None), or `site`'s own."""
    return ADVERTISEMENT_NAME if site is None else f"eks-hybrid-{site}-pod-cidr"


def _advertise_labels(site: str | None) -> dict[str, str]:
    return {ADVERTISE_LABEL[0]: ADVERTISE_LABEL[1], **({SITE_LABEL: site} if site is not None else {})}


def asn_problem(asn: object) -> Reason | None:
    """Why `asn` cannot be a BGP speaker's ASN, or None."""
    if isinstance(asn, bool) or not isinstance(asn, int) or not 1 <= asn <= _MAX_ASN:
        return Reason(Code.INVALID_ASN, f"{asn!r} is not an ASN (1 to {_MAX_ASN})")
    return reserved_asn_problem(asn)


def _check_asns(cluster_asn: int, router_asn: int | str) -> None:
    for label, asn in (("cluster ASN", cluster_asn), ("router ASN", router_asn)):
        problem = asn_problem(asn) if isinstance(asn, int) else None
        if problem:
            raise RuleError(f"{label}: {problem}", problem.code)
    if cluster_asn == router_asn:
        raise RuleError(
            f"the cluster's ASN and the router's are both {cluster_asn}: the nodes and the router peer"
            " over eBGP, so they need different ASNs",
            Code.ASN_CLASH,
        )


def cluster_config_metadata(site: str) -> dict[str, Any]:
    return {"name": cluster_config_name(site), "labels": {**MANAGED_BY, SITE_LABEL: site}}


def cluster_config_spec(
    site: str, *, cluster_asn: int, router_address: str, router_asn: int | str, per_site: bool = False
) -> dict[str, Any]:
    """The site's hybrid nodes (by the site label) peer with its router, with the shared peer config or
    (`per_site`) the site's own. Raises `RuleError` (a ValueError) on ASNs that cannot peer."""
    _check_asns(cluster_asn, router_asn)
    return {
        "nodeSelector": {"matchLabels": {SITE_LABEL: site, COMPUTE_TYPE_LABEL: "hybrid"}},
        "bgpInstances": [
            {
                "name": site,
                "localASN": cluster_asn,
                "peers": [
                    {
                        "name": f"{site}-router",
                        "peerASN": router_asn,
                        "peerAddress": router_address,
                        "peerConfigRef": {"name": peer_config_name(site if per_site else None)},
                    }
                ],
            }
        ],
    }


def cluster_config(
    site: str,
    *,
    cluster_asn: int,
    router_address: str,
    router_asn: int | str,
    api_version: str,
    per_site: bool = False,
) -> dict[str, Any]:
    """The site's `CiliumBGPClusterConfig`: its hybrid nodes peer with its router."""
    return {
        "apiVersion": api_version,
        "kind": CLUSTER_CONFIG_KIND,
        "metadata": cluster_config_metadata(site),
        "spec": cluster_config_spec(
            site,
            cluster_asn=cluster_asn,
            router_address=router_address,
            router_asn=router_asn,
            per_site=per_site,
        ),
    }


def peer_config(api_version: str, site: str | None = None) -> dict[str, Any]:
    """The `CiliumBGPPeerConfig` every site's router peering shares (site None), or `site`'s own, which
    selects only `site`'s advertisement."""
    labels = {**MANAGED_BY, **({SITE_LABEL: site} if site is not None else {})}
    return {
        "apiVersion": api_version,
        "kind": PEER_CONFIG_KIND,
        "metadata": {"name": peer_config_name(site), "labels": labels},
        "spec": {
            "timers": {"holdTimeSeconds": HOLD_TIME_SECONDS, "keepAliveTimeSeconds": KEEPALIVE_TIME_SECONDS},
            "gracefulRestart": {"enabled": True, "restartTimeSeconds": GRACEFUL_RESTART_SECONDS},
            "families": [
                {
                    "afi": "ipv4",
                    "safi": "unicast",
                    "advertisements": {"matchLabels": _advertise_labels(site)},
                }
            ],
        },
    }


def pod_advertisement(
    api_version: str, ipam: Literal["clusterPool", "multiPool"], site: str | None = None
) -> dict[str, Any]:
    """The `CiliumBGPAdvertisement` (shared, or `site`'s own): every node advertises the pod blocks
    allocated to it."""
    if ipam == "multiPool":
        # The pools of `CiliumSitePools` carry the managed-by label; each node has blocks of its site's only.
        advertisement: dict[str, Any] = {
            "advertisementType": "CiliumPodIPPool",
            "selector": {"matchLabels": dict(MANAGED_BY)},
        }
    else:
        advertisement = {"advertisementType": "PodCIDR"}
    return {
        "apiVersion": api_version,
        "kind": ADVERTISEMENT_KIND,
        "metadata": {"name": advertisement_name(site), "labels": {**MANAGED_BY, **_advertise_labels(site)}},
        "spec": {"advertisements": [advertisement]},
    }


def site_bgp_objects(
    site: str,
    *,
    cluster_asn: int,
    router_address: str,
    router_asn: int | str,
    chart_version: str,
    ipam: Literal["clusterPool", "multiPool"] = "clusterPool",
    per_site: bool = False,
) -> list[dict[str, Any]]:
    """The peer config and advertisement (shared, or the site's own with `per_site`), then the site's
    cluster config (apply in this order)."""
    api_version = bgp_api_version(chart_version)
    own = site if per_site else None
    return [
        peer_config(api_version, own),
        pod_advertisement(api_version, ipam, own),
        cluster_config(
            site,
            cluster_asn=cluster_asn,
            router_address=router_address,
            router_asn=router_asn,
            api_version=api_version,
            per_site=per_site,
        ),
    ]
