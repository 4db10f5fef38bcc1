"""Cilium BGP control plane objects for hybrid sites: pure builders, no Pulumi.

Each site's nodes peer with that site's on-prem router and advertise the pod block Cilium gave them, as in
AWS's "Configure Cilium BGP for hybrid nodes" (awsdocs/amazon-eks-user-guide
`latest/ug/nodes/hybrid-nodes-cilium-bgp.adoc`) and Cilium's "BGP Control Plane Resources"
(cilium/cilium `Documentation/network/bgp-control-plane/bgp-control-plane-v2.rst`):

- one `CiliumBGPClusterConfig` per site, selecting the site's hybrid nodes by the site label, with one BGP
  instance (`localASN` = the cluster's ASN) and one peer (the router's address and ASN);
- one `CiliumBGPPeerConfig` shared by every site: IPv4 unicast, AWS's timers (hold 30 s, keepalive 10 s)
  and graceful restart, advertising what the advertisement below selects;
- one `CiliumBGPAdvertisement` of type `PodCIDR` (each node advertises only the block it owns).

Cilium 1.18 serves these kinds as `cilium.io/v2`; 1.16 and 1.17 only as `cilium.io/v2alpha1` (AWS's page
above still uses v2alpha1, which 1.18 keeps serving, deprecated).
"""

from __future__ import annotations

import re
from typing import Any

from .values import COMPUTE_TYPE_LABEL

SITE_LABEL = "eks-hybrid/site"
ADVERTISE_LABEL = ("eks-hybrid/advertise", "pod-cidr")
PEER_CONFIG_NAME = "eks-hybrid-onprem-router"
ADVERTISEMENT_NAME = "eks-hybrid-pod-cidr"
HOLD_TIME_SECONDS = 30
KEEPALIVE_TIME_SECONDS = 10
GRACEFUL_RESTART_SECONDS = 120
_V2_SINCE = (1, 18)
_MAX_ASN = 4_294_967_295


def bgp_api_version(chart_version: str) -> str:
    """`cilium.io/v2` from Cilium 1.18, `cilium.io/v2alpha1` before (`1.17.13-1` -> v2alpha1)."""
    match = re.match(r"^(\d+)\.(\d+)\.", chart_version)
    if match is None:
        raise ValueError(f"Cilium chart version {chart_version!r} is not major.minor.patch")
    minor = (int(match[1]), int(match[2]))
    return "cilium.io/v2" if minor >= _V2_SINCE else "cilium.io/v2alpha1"


def cluster_config_name(site: str) -> str:
    return f"eks-hybrid-{site}"


def _check_asns(cluster_asn: int, router_asn: int | str) -> None:
    for label, asn in (("cluster ASN", cluster_asn), ("router ASN", router_asn)):
        if isinstance(asn, int) and not 1 <= asn <= _MAX_ASN:
            raise ValueError(f"{label} {asn} is outside 1-{_MAX_ASN}")
    if cluster_asn == router_asn:
        raise ValueError(
            f"the cluster's ASN and the router's are both {cluster_asn}: the nodes and the router peer"
            " over eBGP, so they need different ASNs"
        )


def cluster_config(
    site: str, *, cluster_asn: int, router_address: str, router_asn: int | str, api_version: str
) -> dict[str, Any]:
    """The site's `CiliumBGPClusterConfig`: its hybrid nodes peer with its router."""
    _check_asns(cluster_asn, router_asn)
    return {
        "apiVersion": api_version,
        "kind": "CiliumBGPClusterConfig",
        "metadata": {"name": cluster_config_name(site)},
        "spec": {
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
                            "peerConfigRef": {"name": PEER_CONFIG_NAME},
                        }
                    ],
                }
            ],
        },
    }


def peer_config(api_version: str) -> dict[str, Any]:
    """The `CiliumBGPPeerConfig` every site's router peering shares."""
    return {
        "apiVersion": api_version,
        "kind": "CiliumBGPPeerConfig",
        "metadata": {"name": PEER_CONFIG_NAME},
        "spec": {
            "timers": {"holdTimeSeconds": HOLD_TIME_SECONDS, "keepAliveTimeSeconds": KEEPALIVE_TIME_SECONDS},
            "gracefulRestart": {"enabled": True, "restartTimeSeconds": GRACEFUL_RESTART_SECONDS},
            "families": [
                {
                    "afi": "ipv4",
                    "safi": "unicast",
                    "advertisements": {"matchLabels": {ADVERTISE_LABEL[0]: ADVERTISE_LABEL[1]}},
                }
            ],
        },
    }


def pod_cidr_advertisement(api_version: str) -> dict[str, Any]:
    """The `CiliumBGPAdvertisement`: every node advertises the pod block it owns."""
    return {
        "apiVersion": api_version,
        "kind": "CiliumBGPAdvertisement",
        "metadata": {"name": ADVERTISEMENT_NAME, "labels": {ADVERTISE_LABEL[0]: ADVERTISE_LABEL[1]}},
        "spec": {"advertisements": [{"advertisementType": "PodCIDR"}]},
    }


def site_bgp_objects(
    site: str, *, cluster_asn: int, router_address: str, router_asn: int | str, chart_version: str
) -> list[dict[str, Any]]:
    """The shared peer config and advertisement, then the site's cluster config (apply in this order)."""
    api_version = bgp_api_version(chart_version)
    return [
        peer_config(api_version),
        pod_cidr_advertisement(api_version),
        cluster_config(
            site,
            cluster_asn=cluster_asn,
            router_address=router_address,
            router_asn=router_asn,
            api_version=api_version,
        ),
    ]
