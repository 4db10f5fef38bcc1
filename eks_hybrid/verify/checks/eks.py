"""The EKS cluster: ACTIVE, remote networks equal to the inventory (the aggregates when set), the hybrid
access entry, and the cluster security group admitting what the hub's rules admit: TCP 443 to the API
server, and UDP and TCP 53 to CoreDNS with `coreDns: cloud`, from the sources the planner chooses (EKS
user guide, hybrid-nodes-networking, "Cluster security group";
`components.cluster.planning.security_group_rules`), and TCP 443 from the deployer's CIDRs and security
groups (`eks-hybrid:cluster.apiAccess`; EKS user guide, cluster-endpoint, "Accessing a private only API
server")."""
# The cloud nodes' DNS group (`<cluster>-dns`) holds exactly the DNS rules the hub plans
# (`components.cluster.planning.dns_rules`), and the cloud node group's launch template lists it beside the
# cluster security group: with security groups in a launch template EKS adds no group of its own (EKS user
# guide, launch-templates.html, "Using custom security groups"). With a public endpoint limited to some
# ranges, the VPC's NAT gateways should leave from inside cloudEgressCidrs (EKS user guide,
# cluster-endpoint.html; the hub warns the same at deploy time: `nat_gateways_outside`).

from __future__ import annotations

from collections.abc import Mapping, Sequence
from ipaddress import IPv4Network
from typing import Any

from eks_hybrid.components.cluster.planning import HYBRID_ACCESS_ENTRY_TYPE, uncovered
from eks_hybrid.components.domain.cluster_rules import (
    CLOUD_EGRESS_KEY,
    nat_gateway_problem,
    nat_gateway_remedy,
    nat_gateways_outside,
)
from eks_hybrid.components.domain.hub_outputs import HubOutput

from .. import findings
from ..findings import Finding
from ..intent import CloudEgressIntent, DnsGroupIntent, EksIntent

__all__ = [
    "PrefixLists",
    "admits",
    "admits_group",
    "check_access_entry",
    "check_cloud_egress",
    "check_cloud_node_groups",
    "check_cluster",
    "check_dns_group",
    "check_security_group",
    "dns_group_skipped",
    "remote_cidrs",
]

PrefixLists = Mapping[str, Mapping[str, Any]]
"""Prefix list id -> {"MaxEntries": int, "Entries": [cidr, ...]} (DescribeManagedPrefixLists and
GetManagedPrefixListEntries)."""


def remote_cidrs(cluster: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(node CIDRs, pod CIDRs) of DescribeCluster's `remoteNetworkConfig`."""
    config = cluster.get("remoteNetworkConfig") or {}
    nodes = [c for n in config.get("remoteNodeNetworks") or [] for c in n.get("cidrs") or []]
    pods = [c for n in config.get("remotePodNetworks") or [] for c in n.get("cidrs") or []]
    return nodes, pods


def check_cluster(intent: EksIntent, cluster: Mapping[str, Any] | None) -> list[Finding]:
    """`cluster`: DescribeCluster's `cluster` (None when it does not exist)."""
    name = intent.cluster_name
    if cluster is None:
        return [
            findings.fail(
                "eks",
                f"cluster {name}",
                f"EKS cluster {name} does not exist in this account and region",
                "the hub stack declares it (eks-hybrid:cluster.name): `pulumi up` the hub",
            )
        ]
    out: list[Finding] = []
    status = cluster.get("status")
    if status == "ACTIVE":
        out.append(findings.ok("eks", f"cluster {name} status", "ACTIVE"))
    else:
        remedy = (
            "wait for the update to finish, then verify again"
            if status in ("UPDATING", "CREATING", "PENDING")
            else "see the cluster's health issues (aws eks describe-cluster) and fix them before the nodes"
        )
        out.append(findings.fail("eks", f"cluster {name} status", f"status is {status}, not ACTIVE", remedy))
    nodes, pods = remote_cidrs(cluster)
    for role, want, have, key in (
        ("node", intent.node_cidrs, nodes, intent.node_source),
        ("pod", intent.pod_cidrs, pods, intent.pod_source),
    ):
        check = f"cluster {name} remote {role} networks"
        extra = sorted(set(have) - set(want)) if intent.exact else []
        missing = sorted(set(want) - set(have)) if intent.exact else uncovered(list(want), have)
        if not missing and not extra:
            out.append(findings.ok("eks", check, ", ".join(sorted(have)) or "none"))
            continue
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if extra:
            parts.append(f"not in the stack {', '.join(extra)}")
        out.append(
            findings.fail(
                "eks",
                check,
                f"remoteNetworkConfig differs from {key}: {'; '.join(parts)}",
                "`pulumi up` the hub (it updates the remote networks in place); for an adopted cluster"
                " (mode: existing), `aws eks update-cluster-config --remote-network-config ...`",
            )
        )
    return out


def check_access_entry(intent: EksIntent, entry: Mapping[str, Any] | None) -> list[Finding]:
    """`entry`: DescribeAccessEntry's `accessEntry` for the hybrid node role (None when there is none)."""
    if intent.hybrid_role_arn is None:
        return []
    check = f"access entry {intent.hybrid_role_arn}"
    remedy = "the hub stack declares it (`<cluster>-hybrid-nodes`): `pulumi refresh` and `pulumi up` the hub"
    if entry is None:
        return [
            findings.fail(
                "eks",
                check,
                "no access entry for the hybrid node role: nodes fail to join with Unauthorized",
                remedy,
            )
        ]
    kind = entry.get("type")
    if kind != HYBRID_ACCESS_ENTRY_TYPE:
        return [
            findings.fail(
                "eks",
                check,
                f"the access entry is of type {kind}, not {HYBRID_ACCESS_ENTRY_TYPE}",
                "delete it (`aws eks delete-access-entry`), then `pulumi up` the hub to recreate it",
            )
        ]
    return [findings.ok("eks", check, f"type {HYBRID_ACCESS_ENTRY_TYPE}")]


def _ports(rule: Mapping[str, Any], protocol: str, port: int) -> bool:
    rule_protocol = str(rule.get("IpProtocol"))
    if rule_protocol == "-1":
        return True
    if rule_protocol not in (protocol, {"tcp": "6", "udp": "17"}[protocol]):
        return False
    low, high = int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1))
    return low <= port <= high


def _sources(rule: Mapping[str, Any], prefix_lists: PrefixLists) -> list[IPv4Network]:
    if rule.get("CidrIpv4"):
        return [IPv4Network(str(rule["CidrIpv4"]))]
    listed = prefix_lists.get(str(rule.get("PrefixListId") or ""))
    if listed is not None:
        return [IPv4Network(str(cidr)) for cidr in listed.get("Entries") or []]
    return []


def admits(
    rules: Sequence[Mapping[str, Any]], prefix_lists: PrefixLists, protocol: str, port: int, cidr: str
) -> bool:
    """Whether some ingress rule (DescribeSecurityGroupRules) lets all of `cidr` in on `protocol`/`port`."""
    network = IPv4Network(cidr)
    return any(
        not rule.get("IsEgress")
        and _ports(rule, protocol, port)
        and any(network.subnet_of(source) for source in _sources(rule, prefix_lists))
        for rule in rules
    )


def admits_group(rules: Sequence[Mapping[str, Any]], protocol: str, port: int, group: str) -> bool:
    """Whether some ingress rule (DescribeSecurityGroupRules) lets members of security group `group` in on
    `protocol`/`port` (its `ReferencedGroupInfo.GroupId`)."""
    return any(
        not rule.get("IsEgress")
        and _ports(rule, protocol, port)
        and (rule.get("ReferencedGroupInfo") or {}).get("GroupId") == group
        for rule in rules
    )


def _wanted(intent: EksIntent) -> dict[tuple[str, str, bool], list[tuple[str, int]]]:
    """(role, source CIDR or security group id, whether it is a group) -> the (protocol, port) pairs the
    hub's rules admit from it, in rule order."""
    wanted: dict[tuple[str, str, bool], list[tuple[str, int]]] = {}
    for rule in intent.rules:
        if rule.direction != "ingress":
            continue
        group = rule.security_group_id
        source = (group, True) if group is not None else (str(rule.cidr), False)
        wanted.setdefault((rule.role, *source), []).append((rule.protocol, rule.port))
    return wanted


_WHO = {
    "node": "kubelets",
    "pod": "pods that keep their addresses (multi-pool IPAM)",
    "api": "the deployer (pulumi up, kubectl)",
}


def _why(role: str, missing: Sequence[tuple[str, int]]) -> list[str]:
    why = []
    if any(port == 443 for _, port in missing):
        why.append(f"{_WHO[role]} cannot reach the API server")
    if any(port == 53 for _, port in missing):
        why.append("hybrid pods cannot resolve names with CoreDNS in the cloud")
    return why


def check_security_group(
    intent: EksIntent, rules: Sequence[Mapping[str, Any]] | None, prefix_lists: PrefixLists
) -> list[Finding]:
    """Each rule the hub declares (`intent.rules`) is admitted by some ingress rule of the group, one finding
    per source CIDR. `rules`: DescribeSecurityGroupRules' rules of the cluster security group (None when
    it is gone)."""
    group = intent.security_group_id
    if group is None:
        return []
    if rules is None:
        return [
            findings.fail(
                "eks",
                f"security group {group}",
                f"the cluster security group {group} does not exist",
                "it is the EKS cluster's own group: check the hub's clusterSecurityGroupId output",
            )
        ]
    out = []
    for (role, source, is_group), wanted in _wanted(intent).items():
        what = "apiAccess" if role == "api" else f"remote {role}"
        check = f"{group} from {source} ({what})"
        missing = [
            (p, port)
            for p, port in wanted
            if not (
                admits_group(rules, p, port, source)
                if is_group
                else admits(rules, prefix_lists, p, port, source)
            )
        ]
        if not missing:
            out.append(findings.ok("eks", check, f"admits {_ports_text(wanted)}"))
            continue
        remedy = "the hub stack declares these rules: `pulumi refresh` and `pulumi up` the hub"
        if all(port == 53 for _, port in missing):
            remedy += " (DNS rules come with CoreDNS in the cloud, eks-hybrid:cluster.coreDns: cloud)"
        out.append(
            findings.fail(
                "eks",
                check,
                f"no ingress rule admits {_ports_text(missing)}: {'; '.join(_why(role, missing))}",
                remedy,
            )
        )
    return out


def _ports_text(pairs: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{protocol.upper()} {port}" for protocol, port in pairs)


# --- the cloud nodes' DNS group, their launch template, their NAT egress ---------------------------------

DNS_GROUP_CHECK = "cloud nodes' DNS security group"
NAT_CHECK = "NAT gateways"
_PROTOCOLS = {"6": "tcp", "17": "udp"}
_PULUMI_UP = "the hub stack declares it: `pulumi refresh` and `pulumi up` the hub"


def dns_group_skipped() -> Finding:
    """The one line a hub deployed before the DNS group existed gets (it exports no dnsSecurityGroupId)."""
    return findings.ok(
        "eks",
        DNS_GROUP_CHECK,
        f"skipped: the hub exports no {HubOutput.DNS_SECURITY_GROUP_ID} (deployed before the cloud nodes'"
        " DNS group existed; `pulumi up` the hub with this version to create it)",
    )


def _rule_key(rule: Mapping[str, Any]) -> tuple[bool, str, int, int, str]:
    """(egress, protocol, from, to, source) of a DescribeSecurityGroupRules rule."""
    protocol = str(rule.get("IpProtocol"))
    source = (
        rule.get("CidrIpv4")
        or rule.get("CidrIpv6")
        or rule.get("PrefixListId")
        or (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
        or ""
    )
    return (
        bool(rule.get("IsEgress")),
        _PROTOCOLS.get(protocol, protocol),
        int(rule.get("FromPort", -1)),
        int(rule.get("ToPort", -1)),
        str(source),
    )


def _rule_text(key: tuple[bool, str, int, int, str]) -> str:
    egress, protocol, low, high, source = key
    ports = (
        "all traffic" if protocol == "-1" else f"{protocol.upper()} {low if low == high else f'{low}-{high}'}"
    )
    return f"{'egress' if egress else 'ingress'} {ports} {'to' if egress else 'from'} {source}"


def check_dns_group(intent: DnsGroupIntent, rules: Sequence[Mapping[str, Any]] | None) -> list[Finding]:
    """The DNS group holds exactly `intent.rules`: one finding per planned source (its TCP and UDP 53),
    and one per rule of the group the hub does not plan. `rules`: DescribeSecurityGroupRules' rules of
    the group (None when it is gone)."""
    group = intent.security_group_id
    if rules is None:
        return [
            findings.fail(
                "eks",
                DNS_GROUP_CHECK,
                f"the DNS security group {group} does not exist: hybrid pods cannot resolve names with"
                " CoreDNS on new cloud nodes",
                _PULUMI_UP,
            )
        ]
    live = {_rule_key(rule): rule for rule in rules}
    wanted: dict[tuple[str, str], list[tuple[str, int]]] = {}
    planned = set()
    for rule in intent.rules:
        wanted.setdefault((rule.role, str(rule.cidr)), []).append((rule.protocol, rule.port))
        planned.add((rule.direction == "egress", rule.protocol, rule.port, rule.port, str(rule.cidr)))
    out = []
    for (role, cidr), pairs in wanted.items():
        check = f"{group} from {cidr} (DNS, remote {role})"
        missing = [(p, port) for p, port in pairs if (False, p, port, port, cidr) not in live]
        if not missing:
            out.append(findings.ok("eks", check, f"admits {_ports_text(pairs)}"))
            continue
        out.append(
            findings.fail(
                "eks",
                check,
                f"no ingress rule admits {_ports_text(missing)}: {'; '.join(_why(role, missing))}",
                "the hub stack declares these rules: `pulumi refresh` and `pulumi up` the hub",
            )
        )
    for key, found in sorted(live.items()):
        if key in planned:
            continue
        rule_id = str(found.get("SecurityGroupRuleId") or "")
        direction = "egress" if key[0] else "ingress"
        out.append(
            findings.fail(
                "eks",
                f"{group} rule {rule_id}",
                f"{_rule_text(key)} is not a rule the hub plans: the group holds only DNS (TCP and UDP 53)"
                " from the hybrid networks, and every cloud node carries it",
                f"revoke it (`aws ec2 revoke-security-group-{direction} --group-id {group}"
                f" --security-group-rule-ids {rule_id}`); to admit another network, add it to the hub's"
                " eks-hybrid:sites or eks-hybrid:remoteNetworks",
            )
        )
    if not intent.rules and not live:
        out.append(
            findings.ok("eks", DNS_GROUP_CHECK, f"{group} has no rules (CoreDNS runs on hybrid nodes)")
        )
    return out


def _template_groups(version: Mapping[str, Any]) -> set[str]:
    """The security groups a launch template version puts on its instances."""
    data = version.get("LaunchTemplateData") or {}
    groups = set(data.get("SecurityGroupIds") or [])
    for interface in data.get("NetworkInterfaces") or []:
        groups |= set(interface.get("Groups") or [])
    return groups


def check_cloud_node_groups(
    intent: DnsGroupIntent,
    cluster_name: str,
    cluster_security_group_id: str | None,
    node_groups: Sequence[Mapping[str, Any]],
    templates: Mapping[tuple[str, str], Mapping[str, Any] | None],
) -> list[Finding]:
    """The cloud node group's launch template lists the cluster security group and the DNS group.
    `node_groups`: DescribeNodegroup's `nodegroup` of each node group tagged `Name=intent.node_group`;
    `templates`: (launch template id, version) -> DescribeLaunchTemplateVersions' version (None: gone)."""
    if not node_groups:
        return [
            findings.fail(
                "eks",
                f"node group {intent.node_group}",
                f"cluster {cluster_name} has no node group tagged Name={intent.node_group}: nothing runs"
                " CoreDNS, the Palette agent or webhooks in the cloud",
                _PULUMI_UP,
            )
        ]
    wanted = {intent.security_group_id: "the DNS group"}
    if cluster_security_group_id is not None:
        wanted = {cluster_security_group_id: "the cluster security group", **wanted}
    out = []
    for group in node_groups:
        name = str(group.get("nodegroupName"))
        check = f"node group {name} security groups"
        template = group.get("launchTemplate") or {}
        if not template.get("id"):
            out.append(
                findings.fail(
                    "eks",
                    check,
                    "the node group has no launch template: its nodes carry the cluster security group only,"
                    " not the DNS group",
                    "`pulumi up` the hub: it replaces the node group with one on its launch template",
                )
            )
            continue
        key = (str(template["id"]), str(template.get("version")))
        version = templates.get(key)
        if version is None:
            out.append(
                findings.fail(
                    "eks",
                    check,
                    f"its launch template {key[0]} version {key[1]} does not exist",
                    _PULUMI_UP,
                )
            )
            continue
        present = _template_groups(version)
        missing = [f"{what} {sg}" for sg, what in wanted.items() if sg not in present]
        where = f"launch template {key[0]} version {key[1]}"
        if missing:
            out.append(
                findings.fail(
                    "eks",
                    check,
                    f"{where} lacks {' and '.join(missing)}"
                    f" (it lists {', '.join(sorted(present)) or 'no security group'})",
                    _PULUMI_UP + " (it makes a new template version and rolls the nodes onto it)",
                )
            )
        else:
            listed = ", ".join(f"{sg} ({what})" for sg, what in wanted.items())
            out.append(findings.ok("eks", check, f"{where} lists {listed}"))
    return out


def check_cloud_egress(
    intent: CloudEgressIntent, nat_addresses: Mapping[str, Sequence[str]]
) -> list[Finding]:
    """A warning per NAT gateway of the VPC leaving from outside cloudEgressCidrs (`nat_gateways_outside`,
    the comparison the hub warns by at deploy time). `nat_addresses`: NAT gateway id -> public addresses."""
    outside = nat_gateways_outside(
        intent.endpoint_access, intent.public_access_cidrs, intent.cloud_egress_cidrs, nat_addresses
    )
    if not outside:
        listed = ", ".join(sorted(nat_addresses)) or "none available"
        return [
            findings.ok(
                "eks",
                NAT_CHECK,
                f"every NAT gateway of {intent.vpc_id} ({listed}) leaves from inside {CLOUD_EGRESS_KEY}",
            )
        ]
    return [
        findings.warn(
            "eks",
            f"{NAT_CHECK} {nat}",
            nat_gateway_problem(nat, cidrs),
            f"{nat_gateway_remedy()} (eks-hybrid:cluster), then `pulumi up` the hub",
        )
        for nat, cidrs in outside.items()
    ]
