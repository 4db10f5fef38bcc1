"""What the stack says should exist, derived from its validated config and its deployed outputs (pure).

The same planning functions the Pulumi program runs, on the same Args the program builds from the config
(`eks_hybrid.components.config._stack_args`), decide the intent (`site_routes`, `hub_vpc_routes`, the
cluster's `remote_networks` and `security_group_rules`, `site_pod_pools`, the quota arithmetic of
`components.config._quotas`), so `verify` checks what `pulumi up` meant to build, not a second opinion of
it. Each piece that cannot be derived (an output the stack does not export) becomes a "could not check"
finding instead, naming the output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from typing import Any, Literal

from pydantic import ValidationError

from eks_hybrid.components.cluster.planning import (
    RemoteNetworks,
    SecurityGroupRule,
    api_access_rules,
    cloud_node_group_name,
    cluster_group_keeps_dns_rules,
    dns_rules,
    remote_networks,
    security_group_rules,
)
from eks_hybrid.components.cni.pools import site_pod_pools
from eks_hybrid.components.cni.values import COMPUTE_TYPE_LABEL, pod_traffic_source
from eks_hybrid.components.codes import Code
from eks_hybrid.components.config._quotas import QuotaUse, hub_quota_uses
from eks_hybrid.components.config._site_checks import site_kind
from eks_hybrid.components.config._stack_args import remote_network_aggregates, site_connectivity_args
from eks_hybrid.components.config.hub import CiliumConfig, CiliumIpam, HubConfig, SiteInventoryEntry
from eks_hybrid.components.config.site import SiteConfig
from eks_hybrid.components.domain.cluster_rules import restricted_public_cidrs
from eks_hybrid.components.domain.hub_outputs import (
    HUB_INVENTORY_OUTPUTS,
    LEGACY_SITES,
    SITE_INVENTORY,
    HubInventory,
    HubOutput,
    hub_sites,
)
from eks_hybrid.components.domain.labels import SITE_LABEL
from eks_hybrid.components.domain.site_outputs import SiteOutput
from eks_hybrid.components.errors import RuleError
from eks_hybrid.components.network.planning import Role as SiteRole
from eks_hybrid.components.network.planning import SiteRoutes, VpcRoute, hub_vpc_routes, site_routes

from . import findings
from .findings import Finding
from .outputs import HubOutputs, SiteOutputs

__all__ = [
    "SITE_LABEL",
    "CloudEgressIntent",
    "ClusterRule",
    "DnsGroupIntent",
    "EksIntent",
    "IdentityIntent",
    "Intent",
    "KubernetesIntent",
    "PaletteHubIntent",
    "PalettePoolsIntent",
    "QuotaIntent",
    "QuotaLimit",
    "RouteIntent",
    "Target",
    "TgwRouteIntent",
    "VpnIntent",
    "api_rules",
    "cluster_networks",
    "cluster_rules",
    "dns_group_rules",
    "hub_intent",
    "site_intent",
]

TargetKind = Literal["transitGateway", "vpnGateway", "networkInterface"]
Role = Literal["node", "pod", "vpc"]

# What nodeadm labels every hybrid node with (aws/eks-hybrid, internal/kubelet: compute-type=hybrid), the
# label Cilium's affinity selects hybrid nodes by.
HYBRID_NODE_LABEL = COMPUTE_TYPE_LABEL
HYBRID_NODE_VALUE = "hybrid"

DNS_PORT = 53

_TARGET_NAMES = {
    "transitGateway": "the transit gateway",
    "vpnGateway": "the virtual private gateway",
    "networkInterface": "the VPN appliance's network interface",
}


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str

    def describe(self) -> str:
        return f"{_TARGET_NAMES[self.kind]} {self.id}"


@dataclass(frozen=True)
class RouteIntent:
    """A VPC route table must send `cidr` (or a network containing it) to one of `targets` (any, if empty)."""

    route_table_id: str
    site: str
    role: Role
    cidr: str
    targets: tuple[Target, ...]
    owner: str
    """Who declares the route, for the remedy: "the hub stack", "this site stack", "the VGW's propagation"."""
    avoid: tuple[Target, ...] = ()
    """Targets that must not serve it even when `targets` is empty (any): the transit gateway has no route
    back to a `routeVia: site` site, so an aggregate to it that covers the site's CIDR is a dead end."""


@dataclass(frozen=True)
class TgwRouteIntent:
    """The TGW route table must send `cidr` to `attachment_id` (or any attachment of `resource_types`)."""

    route_table_id: str
    site: str
    role: Role
    cidr: str
    attachment_id: str | None
    resource_types: tuple[str, ...]


@dataclass(frozen=True)
class ClusterRule:
    """A rule of the cluster security group the hub declares: for the hybrid networks
    (`security_group_rules`), with the CIDR of the site or aggregate it admits (`source`); for the deployer
    (`api_access_rules`, role `api`), with its CIDR or its security group (`security_group_id`, then `cidr`
    is None). `key` is the rule's name in the program (`<cluster>-ingress-443-from-node-dallas`)."""

    direction: Literal["ingress", "egress"]
    role: Literal["node", "pod", "api"]
    source: str
    cidr: str | None
    port: int
    protocol: Literal["tcp", "udp"]
    key: str
    security_group_id: str | None = None


@dataclass(frozen=True)
class VpnIntent:
    site: str
    connection_id: str
    on: Literal["transitGateway", "vpnGateway"]
    static_routes: tuple[str, ...]
    """Routes the VPN connection itself must carry (static routing on a VGW)."""


@dataclass(frozen=True)
class DnsGroupIntent:
    """The cloud nodes' DNS security group (`<cluster>-dns`): exactly `rules`, the DNS rules of the hub's
    planned rules (`components.cluster.planning.dns_rules`), and carried, beside the cluster security
    group, by the launch template of the cloud node group tagged `Name=node_group`."""

    security_group_id: str
    rules: tuple[ClusterRule, ...]
    node_group: str
    """The cloud node group's `Name` tag (`components.cluster.planning.cloud_node_group_name`)."""


@dataclass(frozen=True)
class CloudEgressIntent:
    """With a public endpoint limited to some ranges: the VPC's NAT gateways should leave from inside
    `eks-hybrid:cluster.cloudEgressCidrs` (`components.domain.cluster_rules.nat_gateways_outside`)."""

    vpc_id: str
    endpoint_access: str
    public_access_cidrs: tuple[str, ...]
    cloud_egress_cidrs: tuple[str, ...]


@dataclass(frozen=True)
class EksIntent:
    cluster_name: str
    node_cidrs: tuple[str, ...]
    pod_cidrs: tuple[str, ...]
    """The cluster's remote networks: the `eks-hybrid:remoteNetworks` aggregates when set, else every
    site's CIDRs (`components.cluster.planning.remote_networks`)."""
    hybrid_role_arn: str | None
    security_group_id: str | None
    rules: tuple[ClusterRule, ...]
    """The cluster security group's rules the hub declares, from the planners the program runs
    (`security_group_rules`: the remote networks, the address Cilium's IPAM mode gives hybrid pods'
    traffic, and `eks-hybrid:cluster.coreDns`; `api_access_rules`: `eks-hybrid:cluster.apiAccess`)."""
    exact: bool = True
    """A created cluster's remote networks must equal the stack's; an adopted one (`mode: existing`), which
    eks-hybrid does not change, must only contain them."""
    node_source: str = "eks-hybrid:sites"
    pod_source: str = "eks-hybrid:sites"
    """The stack keys the remote networks come from, for messages (aggregates: eks-hybrid:remoteNetworks)."""
    dns_group: DnsGroupIntent | None = None
    """None for a hub deployed before the DNS group existed (no `dnsSecurityGroupId` output): skipped."""
    cloud_egress: CloudEgressIntent | None = None
    """None unless the public endpoint is limited to some ranges and cloudEgressCidrs are given."""

    @property
    def dns_from_remote(self) -> bool:
        """Whether hybrid pods must reach CoreDNS in the cloud (UDP and TCP 53 in): `coreDns: cloud`."""
        return any(rule.port == DNS_PORT for rule in self.rules)


@dataclass(frozen=True)
class IdentityIntent:
    provider: str
    role_arn: str | None = None
    trust_anchor_arn: str | None = None
    profile_arn: str | None = None
    activation_id: str | None = None


@dataclass(frozen=True)
class PaletteHubIntent:
    endpoint: str
    project_uid: str
    cluster_uid: str
    cloud_config_uid: str
    profile_uid: str | None
    vpc_cidr: str
    node_cidrs: tuple[str, ...]
    pod_cidrs: tuple[str, ...]


@dataclass(frozen=True)
class PalettePoolsIntent:
    site: str
    endpoint: str
    project_uid: str
    cluster_uid: str | None
    cloud_config_uid: str
    pools: tuple[tuple[str, tuple[str, ...]], ...]
    """(pool name, its edge host uids), in config order."""


@dataclass(frozen=True)
class KubernetesIntent:
    cluster_name: str
    endpoint: str | None
    certificate_authority: str | None
    region: str
    sites: Mapping[str, SiteInventoryEntry]
    only_site: str | None = None
    expected_nodes: int | None = None
    """A site stack knows how many edge hosts its pools hold: at least that many nodes must be Ready."""
    ipam: CiliumIpam = "multiPool"
    """Cilium's IPAM mode as the hub deployed it (its `ciliumIpamMode` output): where a CiliumNode holds
    its allocations (`spec.ipam.pools.allocated` or `spec.ipam.podCIDRs`) and which CIDRs it may draw."""
    pools: Mapping[str, str] = field(default_factory=dict)
    """Multi-pool: site -> the name of its CiliumPodIPPool (`components.cni.pools`)."""


@dataclass(frozen=True)
class QuotaLimit:
    """One AWS quota as the plan's quota check counts it (`components.config._quotas.hub_quota_uses`)."""

    quota: str
    limit: int
    """AWS's default, or the account's raised value from the stack's `eks-hybrid:quotas`."""
    next_site: int
    """What one more transit gateway site adds, by the same arithmetic (none under aggregates)."""
    adjustable: bool
    source: str
    advice: str


@dataclass(frozen=True)
class QuotaIntent:
    cluster_name: str
    security_group_id: str | None
    route_table_ids: tuple[str, ...]
    transit_gateway_id: str | None
    site_count: int
    remote_node_networks: QuotaLimit
    remote_pod_networks: QuotaLimit
    inbound_rules: QuotaLimit
    outbound_rules: QuotaLimit
    vpc_routes: QuotaLimit
    """Per VPC route table: the local route and every static route (propagated ones do not count)."""
    tgw_routes: QuotaLimit


@dataclass(frozen=True)
class Intent:
    stack: str
    role: Literal["hub", "site"]
    region: str
    routes: tuple[RouteIntent, ...] = ()
    tgw_routes: tuple[TgwRouteIntent, ...] = ()
    vpns: tuple[VpnIntent, ...] = ()
    eks: EksIntent | None = None
    identity: IdentityIntent | None = None
    palette_hub: PaletteHubIntent | None = None
    palette_pools: PalettePoolsIntent | None = None
    kubernetes: KubernetesIntent | None = None
    quotas: QuotaIntent | None = None
    unchecked: tuple[Finding, ...] = field(default_factory=tuple)
    """Checks that cannot run because an output is missing: reported as "could not check"."""


def _missing(area: str, what: str, output: str, stack: str) -> Finding:
    return findings.error(
        area,
        what,
        f"stack {stack} exports no {output}",
        f"run `pulumi up` on {stack} with this version of eks-hybrid, then pass its current outputs"
        " (`pulumi stack output --json --show-secrets`)",
    )


# The `components.config._quotas` uses verify checks live, by their `QuotaUse.quota`; whether AWS raises each
# on request (Service Quotas): EKS's remote network limits are fixed (hybrid-nodes-overview), the VPC and
# transit gateway ones adjustable (the quota pages `components.config._quotas` cites).
_QUOTAS = {
    "remote_node_networks": ("remote node networks per cluster", False),
    "remote_pod_networks": ("remote pod networks per cluster", False),
    "inbound_rules": ("inbound rules of the cluster security group", True),
    "outbound_rules": ("outbound rules of the cluster security group", True),
    "vpc_routes": ("routes in each VPC route table", True),
    "tgw_routes": ("routes in the transit gateway's route tables", True),
}
# Where a hypothetical next site's CIDRs are taken from: any two networks no site uses will do, since the
# arithmetic counts CIDRs and never looks inside them.
_SPARE_SPACE = IPv4Network("10.0.0.0/8")


def site_destinations(entry: SiteInventoryEntry) -> tuple[tuple[SiteRole, str], ...]:
    """The two networks of a site that AWS must route back on-prem, by role: node CIDR and pod CIDR."""
    return (("node", entry.node_cidr), ("pod", entry.pod_cidr))


def _unused_cidrs(sites: Mapping[str, SiteInventoryEntry], count: int) -> list[str]:
    taken = [IPv4Network(cidr) for entry in sites.values() for _, cidr in site_destinations(entry)]
    found: list[str] = []
    for candidate in _SPARE_SPACE.subnets(new_prefix=24):
        if not any(candidate.overlaps(network) for network in taken):
            found.append(str(candidate))
            if len(found) == count:
                return found
    raise ValueError("no spare /24 in 10.0.0.0/8 to count a next site with")


def with_next_site(hub: HubConfig) -> HubConfig:
    """The hub with one more transit gateway site (the default `routeVia`), for what it would add."""
    node, pod = _unused_cidrs(hub.sites, 2)
    name = next(f"next-site-{n}" for n in range(len(hub.sites) + 1) if f"next-site-{n}" not in hub.sites)
    extra = SiteInventoryEntry(node_cidr=node, pod_cidr=pod)
    return hub.model_copy(update={"sites": {**hub.sites, name: extra}})


def quota_limits(hub: HubConfig) -> dict[str, QuotaLimit]:
    """Each quota verify checks: its limit and what the next site adds, by `hub_quota_uses` before and after
    a hypothetical next site (so aggregates, Cilium's IPAM mode flipping to multi-pool at the second site,
    and CoreDNS placement all count as the plan counts them)."""
    now: dict[str, QuotaUse] = {use.quota: use for use in hub_quota_uses(hub)}
    after: dict[str, QuotaUse] = {use.quota: use for use in hub_quota_uses(with_next_site(hub))}
    limits = {}
    for key, (quota, adjustable) in _QUOTAS.items():
        use = now[quota]
        limits[key] = QuotaLimit(
            quota=quota,
            limit=use.limit,
            next_site=after[quota].used - use.used,
            adjustable=adjustable,
            source=use.source,
            advice=use.advice,
        )
    return limits


def hub_intent(stack: str, hub: HubConfig, outputs: HubOutputs) -> Intent:
    unchecked: list[Finding] = []
    tgw = outputs.transit_gateway_id
    routes: list[RouteIntent] = []
    if tgw is None:
        unchecked.append(_missing("routes", "VPC route tables", HubOutput.TRANSIT_GATEWAY_ID, stack))
    else:
        routes = _hub_routes(hub, Target("transitGateway", tgw))

    tgw_routes: list[TgwRouteIntent] = []
    tgw_table = outputs.transit_gateway_route_table_id
    if tgw_table is None:
        unchecked.append(
            _missing(
                "transit-gateway",
                "transit gateway route table",
                HubOutput.TRANSIT_GATEWAY_ROUTE_TABLE_ID,
                stack,
            )
        )
    else:
        tgw_routes.append(
            TgwRouteIntent(tgw_table, "vpc", "vpc", hub.cluster.vpc_cidr, outputs.vpc_attachment_id, ("vpc",))
        )
        for site, entry in sorted(hub.sites.items()):
            if entry.route_via != "transitGateway":
                continue
            for role, cidr in site_destinations(entry):
                tgw_routes.append(
                    TgwRouteIntent(
                        tgw_table, site, role, cidr, None, ("vpn", "direct-connect-gateway", "connect")
                    )
                )

    # What the program's HybridCluster plans: the same remote networks and security group rules.
    networks, rules = cluster_networks(hub)
    eks = EksIntent(
        cluster_name=hub.cluster.name,
        node_cidrs=networks.node_cidrs,
        pod_cidrs=networks.pod_cidrs,
        hybrid_role_arn=outputs.hybrid_node_role_arn,
        security_group_id=outputs.cluster_security_group_id,
        rules=rules,
        exact=hub.cluster.mode == "create",
        node_source=_networks_key(hub, "nodeCidrs"),
        pod_source=_networks_key(hub, "podCidrs"),
        dns_group=(
            DnsGroupIntent(
                outputs.dns_security_group_id, dns_group_rules(hub), cloud_node_group_name(hub.cluster.name)
            )
            if outputs.dns_security_group_id is not None
            else None
        ),
        cloud_egress=cloud_egress_intent(hub),
    )
    if outputs.hybrid_node_role_arn is None:
        unchecked.append(_missing("eks", "HYBRID_LINUX access entry", HubOutput.HYBRID_NODE_ROLE_ARN, stack))
    if outputs.cluster_security_group_id is None:
        unchecked.append(
            _missing("eks", "cluster security group", HubOutput.CLUSTER_SECURITY_GROUP_ID, stack)
        )

    identity = _identity_intent(stack, hub, outputs, unchecked)
    palette = _palette_hub_intent(stack, hub, outputs, networks, unchecked)
    limits = quota_limits(hub)
    return Intent(
        stack=stack,
        role="hub",
        region=hub.region,
        routes=tuple(routes),
        tgw_routes=tuple(tgw_routes),
        eks=eks,
        identity=identity,
        palette_hub=palette,
        kubernetes=_kubernetes_intent(
            hub.cluster.name,
            hub.region,
            outputs,
            hub.sites,
            # What the hub deployed; a hub exported before `ciliumIpamMode` existed: what its config says.
            ipam=_ipam(outputs.cilium_ipam_mode) or hub.cilium_ipam,
            mask_size=hub.cilium.pod_cidr_mask_size,
        ),
        quotas=QuotaIntent(
            cluster_name=hub.cluster.name,
            security_group_id=outputs.cluster_security_group_id,
            route_table_ids=tuple(hub.cluster.route_table_ids),
            transit_gateway_id=tgw,
            site_count=len(hub.sites),
            **limits,
        ),
        unchecked=tuple(unchecked),
    )


def cluster_networks(hub: HubConfig) -> tuple[RemoteNetworks, tuple[ClusterRule, ...]]:
    """The cluster's remote networks and its security group's rules, as `HybridCluster` plans them from the
    Args the program gives it (`stack_args.hybrid_cluster_args`: per kind the aggregates, keyed by their
    CIDR as a name, else every site's CIDR, keyed by the site)."""
    node_networks, pod_networks = hub.remote_networks_by_key()
    networks = remote_networks(node_networks.values(), pod_networks.values())
    rules = cluster_rules(
        node_networks,
        pod_networks,
        pod_traffic=pod_traffic_source(hub.cilium_ipam),
        core_dns=hub.cluster.core_dns,
    )
    api = hub.cluster.api_access
    if api is not None:
        rules += api_rules(api.cidrs, api.security_group_ids)
    # Past AWS's default quota the DNS rules are only in the cloud nodes' DNS group, not in this one.
    planned = security_group_rules(
        sorted(node_networks),
        sorted(pod_networks),
        pod_traffic_source=pod_traffic_source(hub.cilium_ipam),
        core_dns=hub.cluster.core_dns,
    )
    deployer = api_access_rules(api.cidrs, api.security_group_ids) if api is not None else []
    if not cluster_group_keeps_dns_rules(planned, deployer):
        rules = tuple(rule for rule in rules if rule.port != DNS_PORT)
    return networks, rules


def dns_group_rules(hub: HubConfig) -> tuple[ClusterRule, ...]:
    """The rules of the cloud nodes' DNS group, as `HybridCluster` plans them: `dns_rules` of the planned
    `security_group_rules` (none with `eks-hybrid:cluster.coreDns: hybrid`)."""
    node_networks, pod_networks = hub.remote_networks_by_key()
    planned = security_group_rules(
        sorted(node_networks),
        sorted(pod_networks),
        pod_traffic_source=pod_traffic_source(hub.cilium_ipam),
        core_dns=hub.cluster.core_dns,
    )
    return tuple(_cluster_rule(rule, node_networks, pod_networks) for rule in dns_rules(planned))


def cloud_egress_intent(hub: HubConfig) -> CloudEgressIntent | None:
    """What the VPC's NAT gateways are checked against, when the public endpoint is limited to some ranges
    and the stack names the cloud nodes' egress (else the plan has refused it, or nothing limits it)."""
    cluster = hub.cluster
    allowed = restricted_public_cidrs(cluster.endpoint_access, cluster.public_access_cidrs)
    if allowed is None or not cluster.cloud_egress_cidrs:
        return None
    return CloudEgressIntent(
        vpc_id=cluster.vpc_id,
        endpoint_access=cluster.endpoint_access,
        public_access_cidrs=tuple(allowed),
        cloud_egress_cidrs=tuple(str(cidr) for cidr in cluster.cloud_egress_cidrs),
    )


def api_rules(cidrs: Sequence[str], security_group_ids: Sequence[str]) -> tuple[ClusterRule, ...]:
    """`api_access_rules` of the deployer's sources (`eks-hybrid:cluster.apiAccess`)."""
    return tuple(
        ClusterRule(
            direction=rule.direction,
            role="api",
            source=rule.source,
            cidr=rule.cidr,
            port=rule.port,
            protocol=rule.protocol,
            key=rule.key,
            security_group_id=rule.security_group_id,
        )
        for rule in api_access_rules(cidrs, security_group_ids)
    )


def cluster_rules(
    node_networks: Mapping[str, str],
    pod_networks: Mapping[str, str],
    *,
    pod_traffic: Literal["node", "pod"] = "pod",
    core_dns: str = "cloud",
) -> tuple[ClusterRule, ...]:
    """`security_group_rules` of the networks by key, each rule with the CIDR it admits."""
    planned = security_group_rules(
        sorted(node_networks), sorted(pod_networks), pod_traffic_source=pod_traffic, core_dns=core_dns
    )
    return tuple(_cluster_rule(rule, node_networks, pod_networks) for rule in planned)


def _cluster_rule(
    rule: SecurityGroupRule, node_networks: Mapping[str, str], pod_networks: Mapping[str, str]
) -> ClusterRule:
    """A planned rule with the CIDR its source key stands for."""
    cidr = (node_networks if rule.role == "node" else pod_networks)[rule.source]
    return ClusterRule(
        direction=rule.direction,
        role=rule.role,
        source=rule.source,
        cidr=str(cidr),
        port=rule.port,
        protocol=rule.protocol,
        key=rule.key,
    )


def _hub_routes(hub: HubConfig, tgw: Target) -> list[RouteIntent]:
    """Every site's node and pod CIDR in every VPC route table. A transit gateway site's is served by the
    route the hub declares for it (`hub_vpc_routes`: its own, or the aggregate that contains it); a
    `routeVia: site` site's by whatever its own stack routes it to, but never the transit gateway."""
    tables = hub.cluster.route_table_ids  # each id is its table's key (`stack_args.route_tables`)
    # What the program's TransitGatewayHub is given (`stack_args.transit_gateway_hub_args`).
    aggregates = remote_network_aggregates(hub.remote_networks) or {}
    by_role: dict[str, Mapping[str, Any]] = {
        "node": aggregates.get("node_cidrs") or {},
        "pod": aggregates.get("pod_cidrs") or {},
    }
    routed = [site for site, entry in hub.sites.items() if entry.route_via == "transitGateway"]
    declared = hub_vpc_routes(tables, routed, list(by_role["node"]) or None, list(by_role["pod"]) or None)
    routes: list[RouteIntent] = []
    for table in tables:
        for site, entry in sorted(hub.sites.items()):
            for role, cidr in site_destinations(entry):
                if entry.route_via == "transitGateway":
                    owner = _hub_owner(table, role, cidr, declared, by_role[role])
                    routes.append(RouteIntent(table, site, role, cidr, (tgw,), owner))
                else:
                    owner = f"site {site}'s stack (routeVia: site)"
                    routes.append(RouteIntent(table, site, role, cidr, (), owner, avoid=(tgw,)))
    return routes


def _hub_owner(
    table: str, role: str, cidr: str, declared: list[VpcRoute], aggregates: Mapping[str, Any]
) -> str:
    network = IPv4Network(cidr)
    for route in declared:
        if route.table != table or route.role != role or route.source is None:
            continue
        if route.source not in aggregates:
            continue
        aggregate = str(aggregates[route.source])
        if network.subnet_of(IPv4Network(aggregate)):
            return f"the hub stack (as its eks-hybrid:remoteNetworks aggregate {aggregate})"
    return "the hub stack"


def _networks_key(hub: HubConfig, kind: Literal["nodeCidrs", "podCidrs"]) -> str:
    aggregates = hub.remote_networks
    configured = None
    if aggregates is not None:
        configured = aggregates.node_cidrs if kind == "nodeCidrs" else aggregates.pod_cidrs
    return f"eks-hybrid:remoteNetworks.{kind}" if configured else "eks-hybrid:sites"


_IPAM_MODES: dict[str | None, CiliumIpam] = {"multiPool": "multiPool", "clusterPool": "clusterPool"}


def _ipam(value: str | None) -> CiliumIpam | None:
    return _IPAM_MODES.get(value)


def _identity_intent(
    stack: str, hub: HubConfig, outputs: HubOutputs, unchecked: list[Finding]
) -> IdentityIntent | None:
    provider = hub.credentials.provider
    if provider == "iamRolesAnywhere":
        for name, value in (
            (HubOutput.TRUST_ANCHOR_ARN, outputs.trust_anchor_arn),
            (HubOutput.PROFILE_ARN, outputs.profile_arn),
        ):
            if value is None:
                unchecked.append(_missing("identity", "IAM Roles Anywhere", name, stack))
                return None
    elif outputs.ssm_activation_id is None:
        unchecked.append(_missing("identity", "SSM hybrid activation", HubOutput.SSM_ACTIVATION_ID, stack))
        return None
    return IdentityIntent(
        provider=provider,
        role_arn=outputs.hybrid_node_role_arn,
        trust_anchor_arn=outputs.trust_anchor_arn,
        profile_arn=outputs.profile_arn,
        activation_id=outputs.ssm_activation_id,
    )


def _palette_hub_intent(
    stack: str, hub: HubConfig, outputs: HubOutputs, networks: RemoteNetworks, unchecked: list[Finding]
) -> PaletteHubIntent | None:
    if hub.palette is None:
        return None
    if outputs.palette_cluster_uid is None or outputs.palette_cloud_config_uid is None:
        unchecked.append(_missing("palette", "Palette cluster", HubOutput.PALETTE_CLUSTER_UID, stack))
        return None
    return PaletteHubIntent(
        endpoint=hub.palette.endpoint.rstrip("/"),
        project_uid=hub.palette.project_uid,
        cluster_uid=outputs.palette_cluster_uid,
        cloud_config_uid=outputs.palette_cloud_config_uid,
        profile_uid=outputs.palette_profile_uid,
        vpc_cidr=hub.cluster.vpc_cidr,
        node_cidrs=networks.node_cidrs,
        pod_cidrs=networks.pod_cidrs,
    )


def _kubernetes_intent(
    cluster_name: str,
    region: str,
    outputs: HubOutputs,
    sites: Mapping[str, SiteInventoryEntry],
    *,
    ipam: CiliumIpam,
    mask_size: int = CiliumConfig().pod_cidr_mask_size,
    only_site: str | None = None,
    expected_nodes: int | None = None,
) -> KubernetesIntent:
    return KubernetesIntent(
        cluster_name=outputs.cluster_name or cluster_name,
        endpoint=outputs.cluster_endpoint,
        certificate_authority=outputs.cluster_certificate_authority,
        region=region,
        sites=dict(sites),
        only_site=only_site,
        expected_nodes=expected_nodes,
        ipam=ipam,
        pools={pool.site: pool.pool_name for pool in site_pod_pools(sites, mask_size)},
    )


def parse_hub_inventory(hub_outputs: Mapping[str, Any], hub: str) -> HubInventory:
    """The hub's inventory as the site program reads it through its StackReference."""
    try:
        values = {
            k: v
            for k, v in hub_outputs.items()
            if k in HUB_INVENTORY_OUTPUTS and k != SITE_INVENTORY and v is not None
        }
        if SITE_INVENTORY in hub_outputs or LEGACY_SITES in hub_outputs:
            values["sites"] = hub_sites(hub_outputs)  # every site: verify checks the estate's pools too
        return HubInventory.model_validate(values)
    except ValidationError as exc:
        missing = sorted({str(error["loc"][0]) for error in exc.errors()})
        raise RuleError(
            f"hub stack {hub}'s outputs lack {', '.join(missing)}", Code.HUB_OUTPUTS_MISSING
        ) from exc


def site_intent(
    stack: str, site: SiteConfig, outputs: SiteOutputs, hub_document: Mapping[str, Any]
) -> Intent:
    """A site's intent: its own routes, link and pools, against its hub's deployed outputs."""
    hub_outputs = HubOutputs.from_outputs(hub_document)
    inventory = parse_hub_inventory(hub_document, site.hub)
    name = site.site.name
    if name not in inventory.sites:
        raise RuleError(
            f"site {name!r} is not in hub stack {site.hub}'s inventory (its `siteInventory` output)",
            Code.SITE_NOT_IN_HUB,
        )
    entry = inventory.sites[name]
    cidrs = dict(site_destinations(entry))
    plan, tables = site_plan(site, inventory)
    unchecked: list[Finding] = []

    routes: list[RouteIntent] = []
    if plan.kind == "transitGatewayVpn":
        target, owner = Target("transitGateway", inventory.transit_gateway_id), "the hub stack"
        destinations = [
            (table, role, cidr)
            for table in inventory.route_table_ids
            for role, cidr in site_destinations(entry)
        ]
    elif plan.vpc_routes:
        target = _site_target(plan.vpc_route_target, site, inventory)
        owner = "this site stack"
        destinations = [(tables[r.table], r.role, cidrs[r.role]) for r in plan.vpc_routes]
    else:  # a VGW VPN relying on the hub VGW's route propagation
        target = Target("vpnGateway", inventory.vpn_gateway_id or "")
        owner = (
            "the hub's virtual private gateway propagation (eks-hybrid:virtualPrivateGateway.propagateRoutes)"
        )
        destinations = [
            (table, role, cidr)
            for table in inventory.route_table_ids
            for role, cidr in site_destinations(entry)
        ]
    for table, role, cidr in destinations:
        routes.append(RouteIntent(table, name, role, cidr, (target,), owner))

    tgw_routes: list[TgwRouteIntent] = []
    vpns: list[VpnIntent] = []
    if plan.uses_vpn:
        if outputs.vpn_connection_id is None:
            unchecked.append(_missing("vpn", "VPN connection", SiteOutput.VPN_CONNECTION_ID, stack))
        else:
            on: Literal["transitGateway", "vpnGateway"] = (
                "transitGateway" if plan.kind == "transitGatewayVpn" else "vpnGateway"
            )
            static = tuple(cidrs[role] for role in plan.vpn_connection_routes)
            vpns.append(VpnIntent(name, outputs.vpn_connection_id, on, static))
    if plan.kind == "transitGatewayVpn":
        attachment: str | None = outputs.transit_gateway_attachment_id
        if attachment is None:
            unchecked.append(
                _missing(
                    "transit-gateway",
                    "transit gateway routes",
                    SiteOutput.TRANSIT_GATEWAY_ATTACHMENT_ID,
                    stack,
                )
            )
        for role, cidr in site_destinations(entry):
            tgw_routes.append(
                TgwRouteIntent(
                    inventory.transit_gateway_route_table_id, name, role, cidr, attachment, ("vpn",)
                )
            )

    pools = None
    if site.site.node_pools:
        if hub_outputs.palette_cloud_config_uid is None or hub_outputs.palette_project_uid is None:
            unchecked.append(
                _missing("palette", "hybrid node pools", HubOutput.PALETTE_CLOUD_CONFIG_UID, site.hub)
            )
        else:
            pools = PalettePoolsIntent(
                site=name,
                endpoint=(hub_outputs.palette_endpoint or "").rstrip("/"),
                project_uid=hub_outputs.palette_project_uid,
                cluster_uid=hub_outputs.palette_cluster_uid,
                cloud_config_uid=hub_outputs.palette_cloud_config_uid,
                pools=tuple(
                    (pool.name, tuple(host.uid for host in pool.edge_hosts)) for pool in site.site.node_pools
                ),
            )
    hosts = sum(len(pool.edge_hosts) for pool in site.site.node_pools)
    return Intent(
        stack=stack,
        role="site",
        region=site.region,
        routes=tuple(routes),
        tgw_routes=tuple(tgw_routes),
        vpns=tuple(vpns),
        palette_pools=pools,
        kubernetes=_kubernetes_intent(
            hub_outputs.cluster_name or "",
            site.region,
            hub_outputs,
            inventory.sites,
            # As the site program reads it (a hub exported before the output existed: multi-pool).
            ipam=inventory.cilium_ipam_mode,
            only_site=name,
            expected_nodes=hosts or None,
        ),
        unchecked=tuple(unchecked),
    )


def site_plan(site: SiteConfig, inventory: HubInventory) -> tuple[SiteRoutes, dict[str, str]]:
    """The site's routes as its `SiteConnectivity` plans them from the Args the program gives it
    (`stack_args.site_connectivity_args`), and the route tables they go in, by key."""
    args = site_connectivity_args(site, inventory)
    tables = {key: str(table) for key, table in (args.get("route_tables") or {}).items()}
    vpn = args.get("vpn")
    if vpn is None:
        return site_routes(site_kind(site.site), tables=sorted(tables)), tables
    routes = site_routes(
        site_kind(site.site),
        static=vpn.get("routing", "static") != "bgp",
        propagate=bool(vpn.get("propagate_routes", False)),
        tables=sorted(tables),
    )
    return routes, tables


def _site_target(kind: str | None, site: SiteConfig, inventory: HubInventory) -> Target:
    if kind == "networkInterface":
        appliance = site.site.connectivity.software_vpn
        return Target("networkInterface", appliance.network_interface_id if appliance else "")
    return Target("vpnGateway", inventory.vpn_gateway_id or "")
