"""The example estate's site-to-site reachability, built from what is planned and rendered, agrees with
`domain.reachability` and with the notes of `plan --all`.

The estate: example-hub (dallas on the transit gateway, chicago a VPN on the virtual private gateway,
denver Direct Connect through a Direct Connect gateway on it) and example-hub-ssm (austin, and seattle,
which has no stack among the examples: the test gives it one, a BGP VPN on the transit gateway like
austin's). A site A reaches a site B when, for each of B's node and pod CIDRs:
- A's rendered router sends it to AWS: a static site's tunnel selectors (or, over 0/0 route-based tunnels,
  an `ip route` in its files) cover it; a BGP or Direct Connect router's `AWS-IN` accepts it and AWS
  advertises it to A (a transit gateway advertises the route table A's attachment is associated with; a
  Direct Connect gateway on a virtual private gateway only the VPC CIDR: Direct Connect guide, "Allowed
  prefixes interactions"; a virtual private gateway the other BGP VPNs' prefixes: VPN CloudHub);
- A's gateway forwards it to B: the transit gateway route table associated with A's attachment has a
  route for it to B's attachment (a planned static route, or B's propagation with B's router advertising
  it), or the virtual private gateway knows it from B (a planned VPN connection route, or B's BGP).
A pair reaches each other when each reaches the other.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.components.config.site import SiteSpec
from eks_hybrid.components.domain.reachability import site_reachability
from eks_hybrid.render import gather_site
from eks_hybrid.site_reach import hub_inventory, hub_site_paths, reach_notes, site_path
from eks_hybrid.stack_files import read_stack_file
from eks_hybrid.topology.model import build_topology
from tests.conftest import STACKS, copy_examples
from tests.onprem.conftest import render

SEATTLE = {
    "aws:region": "us-east-2",
    "eks-hybrid:role": "site",
    "eks-hybrid:hub": "example-hub-ssm",
    "eks-hybrid:site": {
        "name": "seattle",
        "connectivity": {
            "type": "siteToSiteVpn",
            "siteToSiteVpn": {
                "attachTo": "transitGateway",
                "customerGateway": {"ipAddress": "198.51.100.31", "bgpAsn": 65031},
                "routing": "bgp",
            },
        },
        "onPremRouter": {"kind": "strongswan"},
        "nodePools": [
            {
                "name": "seattle-workers",
                "architecture": "amd64",
                "edgeHosts": [{"uid": "edge-6b7c8d01", "name": "seattle-01"}],
                "labels": {"site": "seattle"},
            }
        ],
    },
}


def estate(tmp_path: Path) -> Path:
    stacks = copy_examples(tmp_path)
    (stacks / "Pulumi.example-seattle.yaml").write_text(yaml.safe_dump({"config": SEATTLE}))
    return stacks


def _net(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr)


@dataclass
class Router:
    """A site's rendered router files, read for what they send to AWS and what they accept from it."""

    files: dict[str, str]

    @property
    def frr(self) -> str:
        return self.files.get("router/frr.conf", "")

    def prefix_list(self, name: str) -> list[str]:
        return re.findall(rf"^ip prefix-list {name} seq \d+ permit (\S+(?: ge \d+ le \d+)?)$", self.frr, re.M)

    def route_map_lists(self, name: str) -> list[str]:
        blocks = re.findall(rf"^route-map {name} permit \d+\n((?: .*\n)*)", self.frr, re.M)
        return [m for block in blocks for m in re.findall(r"match ip address prefix-list (\S+)", block)]

    def accepts_from_aws(self, cidr: str) -> bool:
        return any(cidr in self.prefix_list(name) for name in self.route_map_lists("AWS-IN"))

    def advertises_to_aws(self) -> set[str]:
        return {
            entry
            for name in self.route_map_lists("AWS-OUT")
            for entry in self.prefix_list(name)
            if " " not in entry  # exact prefixes (node blocks come and go with the nodes)
        }

    def remote_selectors(self) -> set[str]:
        text = self.files.get("router/swanctl.conf", "")
        return {ts for line in re.findall(r"remote_ts = (\S+)", text) for ts in line.split(",")}

    def routes_statically(self, cidr: str) -> bool:
        """A static site sends `cidr` into its tunnels: its selectors cover it, or over 0/0 selectors one
        of its files routes it."""
        selectors = self.remote_selectors()
        if "0.0.0.0/0" in selectors:
            return any(
                re.search(rf"ip route replace {re.escape(cidr)} ", text) for text in self.files.values()
            )
        return any(_net(cidr).subnet_of(_net(ts)) for ts in selectors)


@dataclass
class Site:
    name: str
    hub: str
    cidrs: tuple[str, str]
    document: dict[str, Any]
    router: Router
    gateway: tuple[str, str] = ("", "")
    """("tgw" | "vgw" | "dx", gateway id)."""
    routing: str = "bgp"
    attachment: str = ""
    asn: int | None = None
    table: str = ""
    propagates: set[str] = field(default_factory=set)

    def resources(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.document["resources"] if r["type"] == type_token]


def _sites(documents: list[dict[str, Any]], routers: Mapping[str, Router]) -> dict[str, Site]:
    hubs = {d["stack"] for d in documents if d["role"] == "hub"}
    sites = {}
    for document in documents:
        if document["role"] != "site":
            continue
        outputs = document["outputs"]
        (reference,) = [r for r in document["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
        hub = str(reference["inputs"]["name"]).rsplit("/", 1)[-1]
        assert hub in hubs
        site = Site(
            outputs["site"],
            hub,
            (outputs["nodeCidr"], outputs["podCidr"]),
            document,
            routers[document["stack"]],
        )
        for vpn in site.resources("aws:ec2/vpnConnection:VpnConnection"):
            inputs = vpn["inputs"]
            site.routing = "static" if inputs["staticRoutesOnly"] else "bgp"
            if inputs.get("transitGatewayId"):
                site.gateway = ("tgw", inputs["transitGatewayId"])
                site.attachment = outputs["transitGatewayAttachmentId"]
            else:
                site.gateway = ("vgw", inputs["vpnGatewayId"])
        for gateway in site.resources("aws:ec2/customerGateway:CustomerGateway"):
            site.asn = int(gateway["inputs"]["bgpAsn"])
        for association in site.resources("aws:directconnect/gatewayAssociation:GatewayAssociation"):
            site.gateway = ("dx", association["inputs"]["associatedGatewayId"])
        for association in site.resources(
            "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
        ):
            site.table = association["inputs"]["transitGatewayRouteTableId"]
        for propagation in site.resources(
            "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
        ):
            site.propagates.add(propagation["inputs"]["transitGatewayRouteTableId"])
        sites[site.name] = site
    return sites


def _tgw_routes(documents: list[dict[str, Any]], sites: Mapping[str, Site]) -> dict[str, dict[str, str]]:
    """Each transit gateway route table: destination -> attachment, from the planned static routes and
    from each propagating attachment's advertised prefixes."""
    tables: dict[str, dict[str, str]] = {}
    for document in documents:
        for route in document["resources"]:
            if route["type"] == "aws:ec2transitgateway/route:Route":
                inputs = route["inputs"]
                tables.setdefault(inputs["transitGatewayRouteTableId"], {})[
                    inputs["destinationCidrBlock"]
                ] = inputs["transitGatewayAttachmentId"]
    for site in sites.values():
        for table in site.propagates:
            for prefix in site.router.advertises_to_aws():
                tables.setdefault(table, {})[prefix] = site.attachment
    return tables


def _vgw_known(sites: Mapping[str, Site]) -> dict[str, dict[str, str]]:
    """What each virtual private gateway routes to a site: its VPN connections' planned static routes,
    and the prefixes its BGP VPN and Direct Connect sites advertise. Destination -> site."""
    known: dict[str, dict[str, str]] = {}
    for site in sites.values():
        kind, gateway = site.gateway
        if kind not in ("vgw", "dx"):
            continue
        for route in site.resources("aws:ec2/vpnConnectionRoute:VpnConnectionRoute"):
            known.setdefault(gateway, {})[route["inputs"]["destinationCidrBlock"]] = site.name
        if site.routing == "bgp" or kind == "dx":
            for prefix in site.router.advertises_to_aws():
                known.setdefault(gateway, {})[prefix] = site.name
    return known


def _advertised_to(site: Site, sites: Mapping[str, Site], tables, vgws) -> set[str]:
    """What AWS advertises to `site`'s BGP router, besides the VPC CIDR."""
    kind, gateway = site.gateway
    if kind == "tgw":
        return {
            prefix
            for prefix, attachment in tables.get(site.table, {}).items()
            if attachment != site.attachment
        }
    if kind == "vgw":  # VPN CloudHub: what the other BGP VPNs of the gateway advertise, ASNs distinct
        return {
            prefix
            for prefix, owner in vgws.get(gateway, {}).items()
            if owner != site.name
            and sites[owner].gateway[0] == "vgw"
            and sites[owner].routing == "bgp"
            and sites[owner].asn != site.asn
        }
    return set()  # a Direct Connect gateway on a virtual private gateway: only the VPC CIDR


def _reaches(a: Site, b: Site, sites, tables, vgws) -> bool:
    kind, gateway = a.gateway
    for cidr in b.cidrs:
        if a.routing == "static" and kind != "dx":
            sent = a.router.routes_statically(cidr)
        else:
            sent = a.router.accepts_from_aws(cidr) and cidr in _advertised_to(a, sites, tables, vgws)
        if kind == "tgw":
            forwarded = tables.get(a.table, {}).get(cidr) == b.attachment and bool(b.attachment)
        else:
            forwarded = vgws.get(gateway, {}).get(cidr) == b.name
        if not (sent and forwarded):
            return False
    return True


def planned_matrix(stacks: Path, tmp_path: Path) -> tuple[dict[tuple[str, str], bool], list[dict[str, Any]]]:
    """Every pair of sites of each hub, reachable or not, from the plan and the rendered routers; and the
    plan's notes."""
    planned = CliRunner().invoke(
        app, ["plan", "--all", "--stacks-dir", str(stacks), "--offline-secrets", "--format", "json"]
    )
    assert planned.exit_code == 0, planned.output
    plans = json.loads(planned.stdout)
    documents = plans["stacks"]
    routers = {}
    for document in documents:
        if document["role"] == "site":
            result, out = render(tmp_path / document["stack"], document["stack"], stacks_dir=stacks)
            assert result.exit_code == 0, result.output
            routers[document["stack"]] = Router(
                {str(p.relative_to(out)): p.read_text() for p in out.rglob("*") if p.is_file()}
            )
    sites = _sites(documents, routers)
    tables, vgws = _tgw_routes(documents, sites), _vgw_known(sites)
    matrix = {}
    for a, b in combinations(sorted(sites.values(), key=lambda s: (s.hub, s.name)), 2):
        if a.hub == b.hub:
            matrix[(a.name, b.name)] = _reaches(a, b, sites, tables, vgws) and _reaches(
                b, a, sites, tables, vgws
            )
    return matrix, plans["notes"]


def test_the_planned_and_rendered_estate_reaches_what_the_rules_say_and_the_plan_notes(tmp_path):
    stacks = estate(tmp_path)
    matrix, notes = planned_matrix(stacks, tmp_path / "rendered")
    assert matrix == {
        ("chicago", "dallas"): False,
        ("chicago", "denver"): False,
        ("dallas", "denver"): False,
        ("austin", "seattle"): True,  # both on the transit gateway: every router accepts the other's CIDRs
    }
    files = [
        read_stack_file(stacks, p.name[len("Pulumi.") : -len(".yaml")]) for p in stacks.glob("Pulumi.*.yaml")
    ]
    hubs = {s.name: s for s in files if s.role == "hub"}
    specs = {
        s.document["eks-hybrid:site"]["name"]: SiteSpec.model_validate(s.document["eks-hybrid:site"])
        for s in files
        if s.role == "site"
    }
    ruled = {
        pair.sites: pair.reachable
        for hub in hubs.values()
        for pair in site_reachability(hub_site_paths(hub_inventory(hub), specs))
    }
    assert ruled == matrix
    assert {(n["site"], n["peer"]) for n in notes if n["code"].startswith("sites-")} == {
        pair for pair, reachable in matrix.items() if not reachable
    }
    assert {n["code"] for n in notes if n["site"] == "chicago" and n["peer"] == "dallas"} == {
        "sites-unreachable-gateways"
    }
    assert [n.reach.sites for n in reach_notes(files)] == sorted(p for p, r in matrix.items() if not r)
    assert site_path(specs["seattle"]).routing == "bgp"


def test_render_gives_a_transit_gateway_site_the_other_transit_gateway_sites_networks():
    austin, _ = gather_site(STACKS, "example-austin")
    assert austin.other_site_networks == ("10.61.0.0/16", "172.24.0.0/16")  # seattle's, numerically
    assert austin.aws_networks == ("10.50.0.0/16", "10.61.0.0/16", "172.24.0.0/16")
    for stack in ("example-dallas", "example-chicago", "example-denver"):  # no other TGW site, or not on it
        site, _ = gather_site(STACKS, stack)
        assert site.other_site_networks == (), stack


def test_the_topology_shows_which_sites_reach_which(tmp_path):
    planned = CliRunner().invoke(
        app, ["plan", "--all", "--stacks-dir", str(estate(tmp_path)), "--offline-secrets", "--format", "json"]
    )
    assert planned.exit_code == 0, planned.output
    topology = build_topology(json.loads(planned.stdout)["stacks"])
    boxes = {e.id: e for e in topology.elements}
    assert boxes["reach_example_hub"].parent == "hub_example_hub"
    assert boxes["reach_example_hub"].lines == (
        "sites through AWS",
        "chicago -x- dallas: the VGW routes only its own sites",
        "chicago -x- denver: DX gateway on the VGW: VPC CIDR only",
        "dallas -x- denver: DX gateway on the VGW: VPC CIDR only",
    )
    assert boxes["reach_example_hub_ssm"].lines == ("sites through AWS", "austin <-> seattle")
