"""The topology of planned stacks as boxes and links, read from plan documents alone.

Each hub is a box holding its VPC (with the EKS cluster), its transit gateway and its virtual private
gateway; each site is a box holding its on-prem network and its node pools with their hosts; a link joins a
site to the gateway it reaches, labelled with the connection type, the routing and the networks it
carries. A hub with two sites or more also holds a "sites through AWS" box: which of its sites reach each
other through AWS and, for each pair that does not, why (`domain.reachability`). In a diff, the boxes and
links of both sides are merged and each carries its status.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.hub_outputs import HubOutput, hub_sites
from eks_hybrid.components.domain.reachability import (
    Routing,
    SiteKind,
    SitePath,
    inventory_site_path,
    site_reachability,
)

Status = Literal["same", "added", "removed", "changed"]
CONNECTIONS = {
    "transitGatewayVpn": "Site-to-Site VPN",
    "vpnGatewayVpn": "Site-to-Site VPN",
    "directConnect": "Direct Connect",
    "softwareVpn": "software VPN",
}


@dataclass(frozen=True)
class Element:
    """A box (`group`) or a node; `lines` are its label, one fact a line."""

    id: str
    kind: Literal["group", "node", "gateway"]
    lines: tuple[str, ...]
    parent: str | None = None
    status: Status = "same"


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    lines: tuple[str, ...]
    status: Status = "same"

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)


@dataclass(frozen=True)
class Topology:
    elements: tuple[Element, ...]
    links: tuple[Link, ...]

    def children(self, parent: str | None) -> list[Element]:
        return [e for e in self.elements if e.parent == parent]

    def labelled(self, text: str) -> bool:
        return any(text in line for e in self.elements for line in e.lines)


def safe_id(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def _resources(document: Mapping[str, Any], type_token: str) -> list[dict[str, Any]]:
    return [r for r in document.get("resources", []) if r["type"] == type_token]


def _hub_elements(document: Mapping[str, Any]) -> tuple[list[Element], list[Link]]:
    stack, outputs = document["stack"], document.get("outputs") or {}
    hub, vpc = safe_id("hub", stack), safe_id("vpc", stack)
    elements = [
        Element(hub, "group", (f"hub {stack}", str(outputs.get(HubOutput.REGION, "")))),
        Element(
            vpc,
            "group",
            (f"VPC {outputs.get(HubOutput.VPC_ID, '')}", str(outputs.get(HubOutput.VPC_CIDR, ""))),
            hub,
        ),
    ]
    clusters: list[dict[str, Any] | None] = list(_resources(document, "aws:eks/cluster:Cluster"))
    for cluster in clusters or [None]:
        inputs = (cluster or {}).get("inputs") or {}
        vpc_config = inputs.get("vpcConfig") or {}
        endpoint = "public" if vpc_config.get("endpointPublicAccess") else "private"
        remote = inputs.get("remoteNetworkConfig") or {}
        nodes = ", ".join((remote.get("remoteNodeNetworks") or {}).get("cidrs") or [])
        pods = ", ".join((remote.get("remotePodNetworks") or {}).get("cidrs") or [])
        lines = [
            f"EKS {outputs.get(HubOutput.CLUSTER_NAME, inputs.get('name', ''))}",
            f"Kubernetes {inputs.get('version', '?')}, {endpoint} endpoint" if cluster else "adopted cluster",
            f"Cilium {outputs.get(HubOutput.CILIUM_IPAM_MODE, '')}".strip(),
        ]
        lines += [f"remote nodes {nodes}"] if nodes else []
        lines += [f"remote pods {pods}"] if pods else []
        elements.append(Element(safe_id("cluster", stack), "node", tuple(lines), vpc))
    links: list[Link] = []
    if outputs.get(HubOutput.TRANSIT_GATEWAY_ID) or outputs.get(HubOutput.AMAZON_SIDE_ASN):
        tgw = safe_id("tgw", stack)
        elements.append(
            Element(tgw, "gateway", ("Transit gateway", f"ASN {outputs.get(HubOutput.AMAZON_SIDE_ASN)}"), hub)
        )
        links.append(Link(safe_id("cluster", stack), tgw, ("VPC attachment",)))
    if outputs.get(HubOutput.VPN_GATEWAY_ID):
        vgw = safe_id("vgw", stack)
        propagation = ", routes propagated" if outputs.get(HubOutput.VPN_GATEWAY_PROPAGATES_ROUTES) else ""
        elements.append(
            Element(
                vgw,
                "gateway",
                ("Virtual private gateway", f"ASN {outputs.get(HubOutput.VPN_GATEWAY_ASN)}"),
                hub,
            )
        )
        links.append(Link(safe_id("cluster", stack), vgw, (f"attached{propagation}",)))
    return elements, links


def _hub_of(document: Mapping[str, Any]) -> str | None:
    for reference in _resources(document, "pulumi:pulumi:StackReference"):
        return str(reference["inputs"].get("name", "")).rsplit("/", 1)[-1] or None
    return None


def _routing(document: Mapping[str, Any]) -> str:
    vpns = _resources(document, "aws:ec2/vpnConnection:VpnConnection")
    if not vpns:
        return "BGP"
    return "static routes" if vpns[0]["inputs"].get("staticRoutesOnly") else "BGP"


def _site_elements(
    document: Mapping[str, Any], hub: str, inventory: Mapping[str, Any]
) -> tuple[list[Element], list[Link]]:
    outputs = document.get("outputs") or {}
    site = str(outputs.get("site") or document["stack"])
    group, edge = safe_id("site", hub, site), safe_id("edge", hub, site)
    route_via = (inventory.get(site) or {}).get("routeVia", "")
    elements = [
        Element(group, "group", (f"site {site}", f"stack {document['stack']}")),
        Element(
            edge,
            "node",
            (
                f"{site} network",
                f"nodes {outputs.get('nodeCidr', '?')}",
                f"pods {outputs.get('podCidr', '?')}",
            ),
            group,
        ),
    ]
    for pool_resource in (
        r for r in _resources(document, "pulumi-python:dynamic:Resource") if "pool" in r["inputs"]
    ):
        pool = pool_resource["inputs"]["pool"]
        pool_id = safe_id("pool", hub, site, str(pool.get("name")))
        elements.append(
            Element(pool_id, "group", (f"pool {pool.get('name')}", str(pool.get("architecture", ""))), group)
        )
        for host in pool.get("edgeHosts") or []:
            elements.append(
                Element(
                    safe_id("host", hub, site, str(host.get("uid"))),
                    "node",
                    (f"{host.get('name')}", f"{host.get('uid')}"),
                    pool_id,
                )
            )
    kind = str(outputs.get("kind") or "")
    associations = _resources(document, "aws:directconnect/gatewayAssociation:GatewayAssociation")
    to_tgw = kind == "transitGatewayVpn" or any(
        str(a["inputs"].get("associatedGatewayId", "")).startswith("tgw-") for a in associations
    )
    target = safe_id("tgw" if to_tgw else "vgw", hub)
    connection = CONNECTIONS.get(kind, kind or "connection")
    routing = "BGP" if kind == "directConnect" else _routing(document)
    label = [f"{connection}, {routing}"]
    if route_via:
        label.append(f"VPC routes via {'the site stack' if route_via == 'site' else 'the TGW (hub)'}")
    return elements, [Link(edge, target, tuple(label))]


_WHY_NOT = {
    Code.SITES_UNREACHABLE_GATEWAYS: "the VGW routes only its own sites",
    Code.SITES_UNREACHABLE_DIRECT_CONNECT: "DX gateway on the VGW: VPC CIDR only",
    Code.SITES_UNREACHABLE_CLOUDHUB: "no VPN CloudHub (BGP, own ASNs)",
    Code.SITES_UNREACHABLE_SAME_ASN: "one BGP ASN for both",
    Code.SITES_REACH_UNKNOWN: "not known",
}


def _site_path(document: Mapping[str, Any]) -> SitePath:
    outputs = document.get("outputs") or {}
    name = str(outputs.get("site") or document["stack"])
    kind = outputs.get("kind")
    site_kind: SiteKind | None = kind if kind in CONNECTIONS else None
    asns = [
        int(r["inputs"]["bgpAsn"])
        for r in _resources(document, "aws:ec2/customerGateway:CustomerGateway")
        if str(r["inputs"].get("bgpAsn", "")).isdigit()
    ]
    if not _resources(document, "aws:ec2/vpnConnection:VpnConnection"):
        return SitePath(name, site_kind)
    routing: Routing = "static" if _routing(document) == "static routes" else "bgp"
    return SitePath(name, site_kind, routing, asns[0] if asns else None)


def _reach_element(hub: str, inventory: Mapping[str, Any], sites: Mapping[str, SitePath]) -> Element | None:
    """The hub's "sites through AWS" box: every pair of its sites, reachable or why not."""
    paths = [
        sites.get(name)
        or inventory_site_path(
            name, str((entry if isinstance(entry, dict) else {}).get("routeVia", "transitGateway"))
        )
        for name, entry in sorted(inventory.items())
    ]
    paths += [path for name, path in sorted(sites.items()) if name not in inventory]
    pairs = site_reachability(paths)
    if not pairs:
        return None
    lines = ["sites through AWS"]
    for pair in pairs:
        first, second = pair.sites
        if pair.reachable:
            lines.append(f"{first} <-> {second}")
        else:
            assert pair.code is not None
            lines.append(f"{first} -x- {second}: {_WHY_NOT[pair.code]}")
    return Element(safe_id("reach", hub), "node", tuple(lines), safe_id("hub", hub))


def _planned_only_site(hub: str, name: str, entry: Mapping[str, Any]) -> Element:
    return Element(
        safe_id("site", hub, name),
        "group",
        (
            f"site {name}",
            f"nodes {entry.get('nodeCidr', '?')}, pods {entry.get('podCidr', '?')}",
            "in the hub's inventory, no site stack planned",
        ),
    )


def build_topology(documents: Iterable[Mapping[str, Any]]) -> Topology:
    documents = list(documents)
    hubs = {d["stack"]: d for d in documents if d.get("role") == "hub"}
    elements: list[Element] = []
    links: list[Link] = []
    for document in hubs.values():
        hub_elements, hub_links = _hub_elements(document)
        elements += hub_elements
        links += hub_links
    seen_sites: set[tuple[str, str]] = set()
    paths: dict[str, dict[str, SitePath]] = {}
    for document in documents:
        if document.get("role") != "site":
            continue
        hub = _hub_of(document) or "unknown"
        inventory = hub_sites((hubs.get(hub) or {}).get("outputs") or {})
        site_elements, site_links = _site_elements(document, hub, inventory)
        elements += site_elements
        links += site_links
        seen_sites.add((hub, str((document.get("outputs") or {}).get("site") or document["stack"])))
        path = _site_path(document)
        paths.setdefault(hub, {})[path.name] = path
    for hub, document in hubs.items():
        reach = _reach_element(hub, hub_sites(document.get("outputs") or {}), paths.get(hub, {}))
        if reach is not None:
            elements.append(reach)
    for hub, document in hubs.items():
        for name, entry in sorted(hub_sites(document.get("outputs") or {}).items()):
            if (hub, name) not in seen_sites and isinstance(entry, dict):
                elements.append(_planned_only_site(hub, name, entry))
    known = {e.id for e in elements}
    return Topology(tuple(elements), tuple(link for link in links if link.target in known))


def merge(base: Topology, head: Topology) -> Topology:
    """Both sides' boxes and links, each marked added, removed, changed or the same."""
    old = {e.id: e for e in base.elements}
    new = {e.id: e for e in head.elements}
    elements = []
    for element in head.elements:
        before = old.get(element.id)
        status: Status = "added" if before is None else "changed" if before.lines != element.lines else "same"
        elements.append(replace(element, status=status))
    elements += [replace(e, status="removed") for e in base.elements if e.id not in new]
    old_links = {link.key: link for link in base.links}
    new_links = {link.key: link for link in head.links}
    links = []
    for link in head.links:
        before_link = old_links.get(link.key)
        link_status: Status = (
            "added" if before_link is None else "changed" if before_link.lines != link.lines else "same"
        )
        links.append(replace(link, status=link_status))
    links += [replace(link, status="removed") for link in base.links if link.key not in new_links]
    return Topology(tuple(elements), tuple(links))
