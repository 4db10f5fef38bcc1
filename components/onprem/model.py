"""What a site's on-prem and edge files are rendered from: plain, frozen records, no Pulumi.

`render` fills an `OnPremSite` from the site and hub stack files and, once they are deployed, from their
outputs; every renderer in this package is a pure function of it. A value only AWS knows before deploy
(a tunnel's outside address, a generated pre-shared key, an ARN) is a `Placeholder` token such as
`<TUNNEL1_OUTSIDE_ADDRESS>` until the deployed outputs are supplied, and each file that still carries one
says so at its top.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # importing eks_hybrid.components.network at run time would load pulumi
    from ..network.tunnels import TunnelProposals

PLACEHOLDER_TOKEN = re.compile(r"<[A-Z][A-Z0-9_]*>")
ROUTER_HOSTNAME_SUFFIX = "-router"


@dataclass(frozen=True)
class Placeholder:
    """A value not known yet: `token` appears in the files in its place."""

    token: str
    meaning: str
    source: str
    from_outputs: bool = True
    """False for a value no stack output carries (a Direct Connect VIF's): the user fills it in by hand."""

    def __post_init__(self) -> None:
        if not PLACEHOLDER_TOKEN.fullmatch(self.token):
            raise ValueError(f"placeholder token {self.token!r} must look like <UPPER_CASE>")


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and PLACEHOLDER_TOKEN.fullmatch(value) is not None


@dataclass(frozen=True)
class Tunnel:
    """One of the two tunnels of an AWS Site-to-Site VPN connection, as AWS reports it.

    AWS gives each tunnel a /30 inside CIDR: its first host is the AWS end, the second the customer end
    (the BGP neighbours with dynamic routing).
    """

    number: int
    outside_address: str
    aws_inside_address: str
    customer_inside_address: str
    preshared_key: str = field(repr=False)
    inside_prefix_length: int = 30

    @property
    def name(self) -> str:
        return f"aws-tunnel{self.number}"


@dataclass(frozen=True)
class VpnLink:
    """The site's Site-to-Site VPN connection: what the on-prem router must match."""

    routing: Literal["static", "bgp"]
    customer_gateway_address: str
    customer_asn: int
    amazon_asn: int
    tunnels: tuple[Tunnel, ...]
    proposals: TunnelProposals
    """The proposals the VPN connection was created with (`network.tunnels.STRONG_PROPOSALS`)."""
    policy_based: bool = False
    """Policy-based tunnels (one selector pair, no tunnel interfaces): static routing only, when the site
    asks (`siteToSiteVpn.policyBased`) and one selector pair carries its traffic
    (`domain.tunnel_selectors`). Otherwise tunnels are route-based: 0/0 selectors on an XFRM interface per
    tunnel, with BGP or static routes."""

    def __post_init__(self) -> None:
        if self.policy_based and self.routing == "bgp":
            raise ValueError("BGP runs over route-based tunnels: a BGP VpnLink cannot be policy-based")

    @property
    def route_based(self) -> bool:
        """Route-based unless the site asked for policy-based tunnels (AWS's VPN is route-based)."""
        return not self.policy_based


@dataclass(frozen=True)
class DirectConnectLink:
    """The private virtual interface a Direct Connect site's router peers over: a private VIF always runs
    BGP (AWS Direct Connect user guide, "Virtual interfaces": the customer side needs the VIF's VLAN, its
    own ASN, the Amazon-side ASN and the peer IPs, with an optional MD5 key that AWS generates when none is
    given).

    AWS assigns the VLAN, the peer IPs and the key when the VIF is created, outside these stacks, and the peer
    ASN is the Direct Connect gateway's (its `amazonSideAsn`: "The Direct Connect gateway advertises all
    connected VPCs over the ASN assigned to it", user guide, "Create a virtual private gateway"), a gateway
    the site names by id only: so these are placeholders until filled in by hand.
    """

    vlan: str
    customer_address: str
    """The router's BGP peer IP on the VIF, without its prefix length."""
    amazon_address: str
    amazon_asn: int | str
    customer_asn: int | str
    auth_key: str = field(repr=False)


@dataclass(frozen=True)
class CiliumBgpPeering:
    """Cilium's BGP control plane on the site's nodes, peering with the on-prem router: the values of the
    hub's `CiliumBGPClusterConfig` for the site (`eks-hybrid:sites.<site>.bgpPeer`, `cilium.clusterAsn`).

    `router_address` is the router's address in the node CIDR, which the nodes dial. `shared_pod_cidrs` are
    the other sites' pod CIDRs when Cilium's cluster-pool IPAM spans several sites: it may hand this site's
    nodes blocks of them, so the router accepts those blocks too and passes every node block on to AWS
    (which then routes each block to the site of the node that holds it).
    """

    cluster_asn: int
    router_address: str
    router_asn: int
    chart_version: str
    ipam: Literal["clusterPool", "multiPool"] = "clusterPool"
    shared_pod_cidrs: tuple[str, ...] = ()
    declared_by_site: bool = False
    """True when the site stack declares the site's own BGP objects (the hub's Cilium operator on hybrid
    nodes, per-site names); false when the hub declares them (shared peer config and advertisement)."""


@dataclass(frozen=True)
class EdgeHost:
    pool: str
    uid: str
    name: str
    architecture: Literal["amd64", "arm64"]
    labels: Mapping[str, str] = field(default_factory=dict)
    origin: tuple[str, str] = field(default=("", ""), compare=False)
    """The stack file and key `node_name` was read from, for errors about the file named after it."""

    @property
    def node_name(self) -> str:
        """The Kubernetes node name: the host's name, else its Palette uid."""
        return self.name or self.uid

    @property
    def node_config_path(self) -> str:
        """Where `render` writes the host's NodeConfig, relative to --out: named after `node_name`."""
        return f"edge/nodeconfig/{self.node_name}.yaml"


@dataclass(frozen=True)
class NodeIdentity:
    """The hub's node credentials, as nodeadm needs them (values may be placeholders)."""

    provider: Literal["ssm", "iamRolesAnywhere"]
    ssm_activation_id: str = ""
    ssm_activation_code: str = field(default="", repr=False)
    trust_anchor_arn: str = ""
    profile_arn: str = ""
    role_arn: str = ""


@dataclass(frozen=True)
class ClusterEndpoint:
    """With all three, nodeadm skips its DescribeCluster call on `init`."""

    api_server_endpoint: str
    certificate_authority: str
    service_cidr: str


@dataclass(frozen=True)
class OnPremSite:
    """Everything the on-prem router, the edge hosts' images and their node config depend on."""

    name: str
    hub: str
    connectivity: str
    cluster_name: str
    region: str
    kubernetes_version: str
    node_cidr: str
    pod_cidr: str
    vpc_cidr: str
    service_cidr: str
    pod_block_prefix_length: int
    identity: NodeIdentity
    vpn: VpnLink | None = None
    cilium_bgp: CiliumBgpPeering | None = None
    direct_connect: DirectConnectLink | None = None
    edge_hosts: tuple[EdgeHost, ...] = ()
    cluster_endpoint: ClusterEndpoint | None = None
    provider_image: str | None = None
    profile_kubernetes_version: str | None = None
    placeholders: tuple[Placeholder, ...] = ()
    other_site_networks: tuple[str, ...] = ()
    """The node and pod CIDRs of the hub's other sites that this site reaches through AWS (its transit
    gateway routes them to their own attachments); empty where AWS gives no such path."""

    @property
    def aws_networks(self) -> tuple[str, ...]:
        """Every network the router reaches through AWS: the VPC CIDR, then `other_site_networks`."""
        return (self.vpc_cidr, *self.other_site_networks)

    @property
    def router_hostname(self) -> str:
        return f"{self.name}{ROUTER_HOSTNAME_SUFFIX}"

    @property
    def architectures(self) -> tuple[str, ...]:
        return tuple(sorted({host.architecture for host in self.edge_hosts}))

    @property
    def router_asn(self) -> int | str | None:
        """The on-prem router's ASN: its `bgpPeer.asn` with Cilium BGP (the hub's config requires it equal
        to the customer gateway's with BGP to AWS), else the customer gateway's for a VPN site, else the
        private VIF's customer ASN (a placeholder) for a Direct Connect site."""
        if self.cilium_bgp is not None:
            return self.cilium_bgp.router_asn
        if self.vpn is not None:
            return self.vpn.customer_asn
        return self.direct_connect.customer_asn if self.direct_connect is not None else None


def placeholders_in(text: str) -> list[str]:
    """The placeholder tokens a rendered file still contains, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER_TOKEN.findall(text)))


def inside_addresses(inside_cidr: str) -> tuple[str, str]:
    """(AWS end, customer end) of a tunnel's /30 inside CIDR: its first and second host."""
    network = ipaddress.IPv4Network(inside_cidr)
    first = network.network_address
    return str(first + 1), str(first + 2)
