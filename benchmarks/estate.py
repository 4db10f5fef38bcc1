"""A generated estate for the benchmarks: one hub stack and `sites` site stacks, valid up to 2,048 sites.

Sites take their CIDRs from two aggregates: a /20 node CIDR each from 10.0.0.0/9 and a /22 pod CIDR each
from 100.64.0.0/10 (CGNAT space, which EKS accepts for remote networks). Past 15 sites the hub lists those
aggregates as `eks-hybrid:remoteNetworks`, as an estate of that size must (EKS takes at most 15 remote
networks of each kind). Five in eight sites are Site-to-Site VPNs on the transit gateway; the others are a
VPN on the hub's virtual private gateway, Direct Connect and a software VPN, so every connectivity kind is
planned at every size from 8 sites on.
"""

from __future__ import annotations

import ipaddress
import uuid
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
HUB = "bench-hub"
NODE_AGGREGATE = ipaddress.ip_network("10.0.0.0/9")
POD_AGGREGATE = ipaddress.ip_network("100.64.0.0/10")
NODE_PREFIX = 20
POD_PREFIX = 22
MAX_SITES = 2 ** (NODE_PREFIX - NODE_AGGREGATE.prefixlen)
EKS_REMOTE_NETWORKS = 15
KINDS = ("tgw", "vgw", "tgw", "dx", "tgw", "software", "tgw", "tgw")


def site_cidrs(index: int) -> tuple[str, str]:
    """Site `index`'s node and pod CIDRs: the `index`-th subnet of each aggregate."""
    if not 0 <= index < MAX_SITES:
        raise ValueError(f"the generated estate holds at most {MAX_SITES} sites")
    node = ipaddress.ip_network(
        (int(NODE_AGGREGATE.network_address) + (index << (32 - NODE_PREFIX)), NODE_PREFIX)
    )
    pod = ipaddress.ip_network(
        (int(POD_AGGREGATE.network_address) + (index << (32 - POD_PREFIX)), POD_PREFIX)
    )
    return str(node), str(pod)


def site_kind(index: int) -> str:
    return KINDS[index % len(KINDS)]


def _connectivity(kind: str, index: int) -> dict[str, Any]:
    if kind == "tgw":
        return {"type": "siteToSiteVpn", "siteToSiteVpn": {"customerGateway": {"ipAddress": "203.0.113.10"}}}
    if kind == "vgw":
        return {
            "type": "siteToSiteVpn",
            "siteToSiteVpn": {
                "attachTo": "virtualPrivateGateway",
                "customerGateway": {"ipAddress": "203.0.113.11"},
            },
        }
    if kind == "dx":
        gateway = uuid.uuid5(uuid.NAMESPACE_URL, f"eks-hybrid-bench-dx-{index}")
        return {"type": "directConnect", "directConnect": {"gatewayId": str(gateway)}}
    return {"type": "softwareVpn", "softwareVpn": {"networkInterfaceId": f"eni-{index:017x}"}}


def hub_config(sites: int) -> dict[str, Any]:
    """The example hub with a generated inventory (and, past 15 sites, the aggregates)."""
    hub: dict[str, Any] = yaml.safe_load((REPO / "stacks" / "Pulumi.example-hub.yaml").read_text())["config"]
    inventory = {}
    for index in range(sites):
        node, pod = site_cidrs(index)
        inventory[f"site{index:04d}"] = {
            "nodeCidr": node,
            "podCidr": pod,
            "routeVia": "transitGateway" if site_kind(index) == "tgw" else "site",
        }
    hub["eks-hybrid:sites"] = inventory
    if sites > EKS_REMOTE_NETWORKS:
        hub["eks-hybrid:remoteNetworks"] = {
            "nodeCidrs": [str(NODE_AGGREGATE)],
            "podCidrs": [str(POD_AGGREGATE)],
        }
    # An estate this large has raised its adjustable quotas: a VPN connection and a customer gateway per
    # transit-gateway site, and the VPC routes the other sites own in every route table (2 each).
    hub["eks-hybrid:quotas"] = {
        "routesPerRouteTable": 1000,
        "vpnConnectionsPerRegion": max(50, sites),
        "customerGatewaysPerRegion": max(50, sites),
    }
    hub["eks-hybrid:cluster"]["vpcCidr"] = "10.200.0.0/16"
    hub["eks-hybrid:cilium"]["podCidrMaskSize"] = 26
    return hub


def site_config(index: int) -> dict[str, Any]:
    name = f"site{index:04d}"
    return {
        "aws:region": "us-west-2",
        "eks-hybrid:role": "site",
        "eks-hybrid:hub": HUB,
        "eks-hybrid:site": {
            "name": name,
            "connectivity": _connectivity(site_kind(index), index),
            "nodePools": [{"name": f"{name}-workers", "edgeHosts": [{"uid": f"edge-{name}"}]}],
        },
    }


def write_estate(directory: Path, sites: int) -> list[str]:
    """Write the stack files into `directory`; returns the stack names, the hub first."""
    dump = yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper
    (directory / f"Pulumi.{HUB}.yaml").write_text(yaml.dump({"config": hub_config(sites)}, Dumper=dump))
    names = [HUB]
    for index in range(sites):
        name = f"bench-site{index:04d}"
        (directory / f"Pulumi.{name}.yaml").write_text(yaml.dump({"config": site_config(index)}, Dumper=dump))
        names.append(name)
    return names
