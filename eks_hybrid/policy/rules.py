"""Guardrails that keep hybrid nodes working and safe, as plain functions over resource inputs.

The same functions back two runners: `eks-hybrid plan` (offline, over the planned resources) and the
CrossGuard pack in `policy/` (`pulumi preview --policy-pack policy/`), which wraps them in
`ResourceValidationPolicy`/`StackValidationPolicy`. Inputs use Pulumi's wire (camelCase) names, as
CrossGuard's `ResourceValidationArgs.props` do. Standard library only (and eks-hybrid's own pure, standard
library modules, such as `components.domain.versions`): the pack's own virtualenv need not hold the rest of
eks-hybrid's dependencies.

Values unknown at preview time (ids of resources not created yet) never fail a rule: a rule judges what it
can see.
"""

from __future__ import annotations

import ipaddress
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from eks_hybrid.components.domain.versions import KUBERNETES_VERSION_OUTPUT, control_plane_change_problem

EKS_CLUSTER = "aws:eks/cluster:Cluster"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
VPC_ROUTE = "aws:ec2/route:Route"
VGW_PROPAGATION = "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation"
VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
VPN_ROUTE = "aws:ec2/vpnConnectionRoute:VpnConnectionRoute"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
IAM_DOCUMENTS = {
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
}
OWNER_TAGS = ("eks-hybrid:site", "eks-hybrid:hub")  # components/ownership.py
NODE_CIDR_TAG, POD_CIDR_TAG = "eks-hybrid:node-cidr", "eks-hybrid:pod-cidr"
OPEN = "0.0.0.0/0"
# Remote networks EKS accepts for hybrid nodes: RFC 1918 and CGNAT (EKS user guide, hybrid-nodes-networking).
PRIVATE_RANGES = tuple(
    ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)
# The AWS types eks-hybrid declares whose pulumi-aws class takes `tags` (tests/policy check it against
# pulumi_aws), and which therefore must say which hub or site they belong to.
TAGGABLE_TYPES = frozenset(
    {
        "aws:ec2/customerGateway:CustomerGateway",
        "aws:ec2/vpnConnection:VpnConnection",
        "aws:ec2/vpnGateway:VpnGateway",
        "aws:ec2transitgateway/routeTable:RouteTable",
        "aws:ec2transitgateway/transitGateway:TransitGateway",
        "aws:ec2transitgateway/vpcAttachment:VpcAttachment",
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/cluster:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:iam/role:Role",
        "aws:iam/policy:Policy",
        "aws:rolesanywhere/profile:Profile",
        "aws:rolesanywhere/trustAnchor:TrustAnchor",
        "aws:ssm/activation:Activation",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    }
)

Level = Literal["mandatory", "advisory"]


@dataclass(frozen=True)
class Resource:
    """What a rule reads of a resource: CrossGuard's `ResourceValidationArgs` or a plan's resource."""

    type: str
    urn: str
    inputs: Mapping[str, Any]
    parent: str | None = None

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str | None
    message: str
    level: Level = "mandatory"

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "urn": self.urn, "message": self.message, "level": self.level}


def _networks(values: Iterable[Any]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for value in values:
        try:
            found.append(ipaddress.ip_network(str(value), strict=False))
        except ValueError:
            continue  # unknown at preview time, or not a CIDR: other checks refuse those
    return found


def _cidrs(block: Any) -> list[str]:
    """`remoteNodeNetworks`: an object `{cidrs: [...]}` (pulumi-aws 7) or a list of them (the API)."""
    blocks = block if isinstance(block, list) else [block] if isinstance(block, dict) else []
    return [str(c) for b in blocks if isinstance(b, dict) for c in (b.get("cidrs") or [])]


def remote_networks(cluster: Resource) -> tuple[list[str], list[str]]:
    config = cluster.inputs.get("remoteNetworkConfig") or {}
    if isinstance(config, list):
        config = config[0] if config else {}
    return _cidrs(config.get("remoteNodeNetworks")), _cidrs(config.get("remotePodNetworks"))


# --- resource rules ------------------------------------------------------------------------------------


def remote_cidrs_private(resource: Resource) -> list[Violation]:
    """Remote node and pod networks inside RFC 1918 or CGNAT 100.64.0.0/10, as EKS requires."""
    if resource.type != EKS_CLUSTER:
        return []
    nodes, pods = remote_networks(resource)
    return [
        Violation(
            "remote-cidrs-private",
            resource.urn,
            f"remote network {network} is not inside RFC 1918 or CGNAT (100.64.0.0/10): EKS refuses it",
        )
        for network in _networks(nodes + pods)
        if not any(network.version == r.version and network.subnet_of(r) for r in PRIVATE_RANGES)  # type: ignore[arg-type]
    ]


def remote_cidrs_disjoint(resource: Resource) -> list[Violation]:
    """No two remote networks overlap each other or the cluster's service network: a node network inside a
    pod network, or either inside the service range, breaks routing."""
    if resource.type != EKS_CLUSTER:
        return []
    nodes, pods = remote_networks(resource)
    service = (resource.inputs.get("kubernetesNetworkConfig") or {}).get("serviceIpv4Cidr")
    labelled = [("remote node", n) for n in _networks(nodes)] + [("remote pod", n) for n in _networks(pods)]
    labelled += [("service", n) for n in _networks([service] if service else [])]
    found = []
    for i, (kind_a, a) in enumerate(labelled):
        for kind_b, b in labelled[i + 1 :]:
            if a.version == b.version and a.overlaps(b):
                found.append(
                    Violation(
                        "remote-cidrs-disjoint",
                        resource.urn,
                        f"{kind_a} network {a} overlaps {kind_b} network {b}",
                    )
                )
    return found


def endpoint_not_public_and_private(resource: Resource) -> list[Violation]:
    """Hybrid nodes resolve the endpoint to the VPC's private addresses only with private-only or public-only
    access; with both, nodes outside the VPC may get the public addresses (EKS hybrid nodes networking)."""
    if resource.type != EKS_CLUSTER:
        return []
    vpc = resource.inputs.get("vpcConfig") or {}
    public = vpc.get("endpointPublicAccess", True)  # the provider's default
    if public is True and vpc.get("endpointPrivateAccess") is True:
        return [
            Violation(
                "endpoint-not-public-and-private",
                resource.urn,
                "the cluster endpoint is both public and private: choose one"
                " (eks-hybrid:cluster.endpointAccess)",
            )
        ]
    return []


def public_endpoint_restricted(resource: Resource, *, allow_open: bool = False) -> list[Violation]:
    """A public endpoint lists who may reach it; 0.0.0.0/0 only with an explicit opt-in (`allow_open`)."""
    if resource.type != EKS_CLUSTER:
        return []
    vpc = resource.inputs.get("vpcConfig") or {}
    if vpc.get("endpointPublicAccess", True) is not True:
        return []
    allowed = [str(c) for c in vpc.get("publicAccessCidrs") or []]
    if not allowed:
        return [
            Violation(
                "public-endpoint-restricted",
                resource.urn,
                "the public endpoint has no publicAccessCidrs, so EKS opens it to 0.0.0.0/0: list the"
                " networks"
                " that need it",
            )
        ]
    if OPEN in allowed and not allow_open:
        return [
            Violation(
                "public-endpoint-restricted",
                resource.urn,
                "the public endpoint is open to 0.0.0.0/0 without an opt-in"
                " (policy config allowOpenPublicEndpoint)",
            )
        ]
    return []


def authentication_mode_not_config_map(resource: Resource) -> list[Violation]:
    """Hybrid nodes join through a HYBRID_LINUX access entry, which needs API or API_AND_CONFIG_MAP."""
    if resource.type != EKS_CLUSTER:
        return []
    mode = (resource.inputs.get("accessConfig") or {}).get("authenticationMode")
    if mode in ("API", "API_AND_CONFIG_MAP") or (mode is not None and not isinstance(mode, str)):
        return []
    shown = mode or "not set (CONFIG_MAP unless the cluster says otherwise)"
    return [
        Violation(
            "authentication-mode-not-config-map",
            resource.urn,
            f"authentication mode is {shown}: hybrid nodes need API or API_AND_CONFIG_MAP access entries",
        )
    ]


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    statements = document.get("Statement") or []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value is not None else []


def no_wildcard_iam_action(resource: Resource) -> list[Violation]:
    """No Allow statement grants every action (`*`) or every action of a service (`service:*`), and none
    allows by `NotAction`."""
    key = IAM_DOCUMENTS.get(resource.type)
    if key is None:
        return []
    found = []
    for index, statement in enumerate(_statements(resource.inputs.get(key))):
        if statement.get("Effect", "Allow") != "Allow":
            continue
        wild = [a for a in _as_list(statement.get("Action")) if a == "*" or a.endswith(":*")]
        if wild:
            found.append(
                Violation(
                    "no-wildcard-iam-action",
                    resource.urn,
                    f"{key} statement {statement.get('Sid') or index} allows {', '.join(wild)}",
                )
            )
        if "NotAction" in statement:
            found.append(
                Violation(
                    "no-wildcard-iam-action",
                    resource.urn,
                    f"{key} statement {statement.get('Sid') or index} allows everything but NotAction",
                )
            )
    return found


def owner_tagged(resource: Resource) -> list[Violation]:
    """Every taggable resource says which site (`eks-hybrid:site`) or hub (`eks-hybrid:hub`) it belongs to."""
    if resource.type not in TAGGABLE_TYPES:
        return []
    tags = resource.inputs.get("tags")
    if isinstance(tags, dict) and any(tags.get(t) for t in OWNER_TAGS):
        return []
    return [
        Violation(
            "owner-tagged",
            resource.urn,
            f"no {' or '.join(OWNER_TAGS)} tag: nothing says which hub or site it belongs to",
            level="advisory",
        )
    ]


RESOURCE_RULES = (
    remote_cidrs_private,
    remote_cidrs_disjoint,
    endpoint_not_public_and_private,
    authentication_mode_not_config_map,
    no_wildcard_iam_action,
    owner_tagged,
)


# --- stack rules ---------------------------------------------------------------------------------------


def _covered(cidr: str, destinations: Iterable[str]) -> bool:
    networks = _networks([cidr])
    if not networks:
        return True  # unknown: nothing to judge
    return any(
        networks[0].version == d.version and networks[0].subnet_of(d)  # type: ignore[arg-type]
        for d in _networks(destinations)
    )


def vpc_routes_cover_remote_networks(
    resources: Iterable[Resource], *, routed_elsewhere: Iterable[str] = ()
) -> list[Violation]:
    """Every VPC route table the stacks route in sends every remote node and pod network somewhere: a route
    whose destination contains it, or the VGW's route propagation into that table.

    `routed_elsewhere`: networks other stacks route (a site with `routeVia: site` owns its VPC routes).
    """
    resources = list(resources)
    remote = [c for r in resources if r.type == EKS_CLUSTER for part in remote_networks(r) for c in part]
    skipped = list(routed_elsewhere)
    destinations: dict[str, list[str]] = defaultdict(list)
    propagated: set[str] = set()
    for r in resources:
        table = r.inputs.get("routeTableId")
        if not isinstance(table, str):
            continue
        if r.type == VPC_ROUTE and r.inputs.get("destinationCidrBlock"):
            destinations[table].append(str(r.inputs["destinationCidrBlock"]))
        elif r.type == VGW_PROPAGATION:
            propagated.add(table)
    found = []
    for table in sorted(set(destinations) | propagated):
        if table in propagated:
            continue
        for cidr in remote:
            if not _covered(cidr, destinations[table]) and not _covered(cidr, skipped):
                found.append(
                    Violation(
                        "vpc-routes-cover-remote-networks",
                        None,
                        f"route table {table} has no route for remote network {cidr}: traffic to those"
                        " nodes or"
                        " pods leaves by the default route",
                    )
                )
    return found


def vpn_static_routes_cover_site(
    resources: Iterable[Resource], *, site_cidrs: Iterable[str] = ()
) -> list[Violation]:
    """A static-routes VPN routes both the site's node and pod networks (VGW: VPN connection routes; TGW:
    transit gateway routes beside the connection). The networks come from `site_cidrs` or the connection's
    `eks-hybrid:node-cidr`/`eks-hybrid:pod-cidr` tags."""
    resources = list(resources)
    found = []
    for vpn in (
        r for r in resources if r.type == VPN_CONNECTION and r.inputs.get("staticRoutesOnly") is True
    ):
        tags = vpn.inputs.get("tags") or {}
        wanted = list(site_cidrs) or [str(tags[t]) for t in (NODE_CIDR_TAG, POD_CIDR_TAG) if tags.get(t)]
        siblings = [r for r in resources if r.parent == vpn.parent and r.type in (VPN_ROUTE, TGW_ROUTE)]
        routes = [
            str(r.inputs.get("destinationCidrBlock"))
            for r in siblings
            if r.inputs.get("destinationCidrBlock")
        ]
        for cidr in wanted:
            if not _covered(cidr, routes):
                found.append(
                    Violation(
                        "vpn-static-routes-cover-site",
                        vpn.urn,
                        f"the static-routes VPN has no static route for {cidr}: AWS will not send that"
                        " network"
                        " down the tunnels",
                    )
                )
    return found


def _stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::...` -> `<stack>`."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def control_plane_one_minor(resources: Iterable[Resource]) -> list[Violation]:
    """The EKS cluster's Kubernetes version moves at most one minor from the one the stack deployed, and
    never down (EKS updates one minor version at a time and cannot downgrade). The deployed version is the
    stack's previous `kubernetesVersion` output, which a hub reads through a StackReference to itself; a
    stack with no such output (a first deploy) is not constrained."""
    resources = list(resources)
    deployed: str | None = None
    for reference in (r for r in resources if r.type == STACK_REFERENCE):
        name = str(reference.inputs.get("name") or "")
        outputs = reference.inputs.get("outputs")
        if name.rsplit("/", 1)[-1] == _stack_of(reference.urn) and isinstance(outputs, Mapping):
            value = outputs.get(KUBERNETES_VERSION_OUTPUT)
            deployed = value if isinstance(value, str) else None
    found = []
    for cluster in (r for r in resources if r.type == EKS_CLUSTER):
        version = cluster.inputs.get("version")
        reason = control_plane_change_problem(deployed, version) if isinstance(version, str) else None
        if reason is not None:
            found.append(Violation("control-plane-one-minor", cluster.urn, reason.text))
    return found


def check_resources(
    resources: Iterable[Resource],
    *,
    allow_open_public_endpoint: bool = False,
    routed_elsewhere: Iterable[str] = (),
    site_cidrs: Iterable[str] = (),
) -> list[Violation]:
    """Every rule over one stack's (or one environment's) resources."""
    resources = list(resources)
    found: list[Violation] = []
    for resource in resources:
        for rule in RESOURCE_RULES:
            found += rule(resource)
        found += public_endpoint_restricted(resource, allow_open=allow_open_public_endpoint)
    found += vpc_routes_cover_remote_networks(resources, routed_elsewhere=routed_elsewhere)
    found += vpn_static_routes_cover_site(resources, site_cidrs=site_cidrs)
    found += control_plane_one_minor(resources)
    return found
