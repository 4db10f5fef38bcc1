"""The EKS side of hybrid nodes, decided before anything is declared: pure functions, no Pulumi.

- `remote_networks`: the cluster's remoteNodeNetworks and remotePodNetworks, the union of the sites'
  CIDRs in one deterministic order (by address), so adding a site appends to these two lists and changes
  nothing else about the cluster.
- `security_group_rules`: the cluster security group's inbound rules for the hybrid networks, one per
  network, port and protocol, each named by role, port and the key of the site or aggregate the network
  belongs to (never by list position, never by a value that may be an Output). Outbound needs none: the
  cluster security group EKS creates keeps its allow-all egress rule.
- `api_access_rules`: the cluster security group's inbound rules on 443 for whoever runs `pulumi up`
  against a private endpoint, one per CIDR or security group, named by it.
- `dns_rules`, `cluster_group_rules`: which rules go in the cloud nodes' DNS group and which in the cluster
  security group, each counted against its own quota.
- `instance_type_problem`, `ami_type_for`: the cloud node group's size floor and AMI.
- `existing_cluster_problems`: whether a cluster adopted by name can host the sites' hybrid nodes.
- `kubeconfig`: a kubeconfig that authenticates with `aws eks get-token`.

No config models: callers pass plain values and keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any, Literal

from ..codes import Code
from ..domain.cluster_rules import api_access_problem as api_access_problem
from ..domain.cluster_rules import public_endpoint_problem as public_endpoint_problem
from ..domain.defaults import AUTHENTICATION_MODES, ENDPOINT_ACCESS_VALUES, OPEN_TO_THE_INTERNET
from ..domain.labels import CLOUD_CAPACITY_LABEL as CLOUD_CAPACITY_LABEL
from ..domain.labels import CLOUD_CAPACITY_VALUE
from ..domain.naming import cidr_slug
from ..domain.patterns import INSTANCE_TYPE
from ..errors import Reason

# Fields of aws.eks.Cluster whose change makes the provider replace the cluster (terraform-provider-aws
# `internal/service/eks/cluster.go`: ForceNew). Remote networks are NOT among them since
# hashicorp/terraform-provider-aws#42928 (2025-06, pulumi/pulumi-aws#5879 fixed): EKS updates them in place
# with UpdateClusterConfig. We therefore set these once from config and never derive them from the sites.
REPLACING_FIELDS = (
    "name",
    "roleArn",
    "kubernetesNetworkConfig.serviceIpv4Cidr",
    "kubernetesNetworkConfig.ipFamily",
    "accessConfig.bootstrapClusterCreatorAdminPermissions",
    "bootstrapSelfManagedAddons",
)

HTTPS = 443
DNS = 53
KUBELET = 10250
# The rules EKS itself puts in the cluster security group it creates: inbound all traffic from the group
# itself, outbound all traffic to 0.0.0.0/0 (EKS user guide `sec-group-reqs.adoc`). They count against the
# group's rule quotas beside ours.
EKS_DEFAULT_INBOUND_RULES = 1
EKS_DEFAULT_OUTBOUND_RULES = 1

# Ports on which the EKS control plane reaches webhooks and aggregated APIs in hybrid pods, i.e. what the
# on-premises firewall must admit from the EKS network interfaces to the remote pod CIDRs. AWS's networking
# tables (`hybrid-nodes-networking.adoc`) only say "webhook ports"; this is our own list of the defaults of
# common webhook owners, not a list AWS publishes. AWS's E2E setup (aws/eks-hybrid
# test/e2e/cluster/cfn-templates/setup-cfn.yaml) opens 9443, 10250, 10251 and 10260 on its hybrid subnet,
# plus scrape ports (8080, 9100, 9402, 9403) that are not webhooks. The cluster security group needs no
# rule for them: its default egress allows all.
WEBHOOK_PORTS: Mapping[int, str] = {
    443: "webhooks served on the HTTPS default port",
    9443: "controller-runtime's default webhook port (AWS Load Balancer Controller, most operators)",
    10250: "metrics-server's secure port in its upstream chart; cert-manager's webhook default",
    10251: "metrics-server as the EKS community add-on serves it (opened by AWS's E2E setup)",
    10260: "cert-manager's webhook as AWS's E2E setup and EKS's webhook guide run it",
}

HYBRID_ACCESS_ENTRY_TYPE = "HYBRID_LINUX"


def sorted_cidrs(cidrs: Iterable[str]) -> list[str]:
    """Distinct CIDRs ordered by address, then prefix length: the same list whatever order they came in."""
    networks = {IPv4Network(c) for c in cidrs}
    return [str(n) for n in sorted(networks, key=lambda n: (int(n.network_address), n.prefixlen))]


@dataclass(frozen=True)
class RemoteNetworks:
    node_cidrs: tuple[str, ...]
    pod_cidrs: tuple[str, ...]

    def as_inputs(self) -> dict[str, Any]:
        """The `remoteNetworkConfig` shape of pulumi-aws (single nested objects, not lists)."""
        return {
            "remote_node_networks": {"cidrs": list(self.node_cidrs)},
            "remote_pod_networks": {"cidrs": list(self.pod_cidrs)},
        }


def remote_networks(node_cidrs: Iterable[str], pod_cidrs: Iterable[str]) -> RemoteNetworks:
    """The cluster's remote networks, each kind distinct and ordered by address: per kind, the aggregates
    when there are any, else every site's CIDRs (the caller chooses which it passes)."""
    return RemoteNetworks(
        node_cidrs=tuple(sorted_cidrs(node_cidrs)), pod_cidrs=tuple(sorted_cidrs(pod_cidrs))
    )


def endpoint_flags(endpoint_access: str) -> tuple[bool, bool]:
    """(private, public): exactly one is true. Both would make the endpoint resolve to public addresses
    off the VPC, and hybrid nodes fail to join."""
    if endpoint_access not in ENDPOINT_ACCESS_VALUES:
        raise ValueError(f"endpoint access must be private or public, got {endpoint_access!r}")
    return endpoint_access == "private", endpoint_access == "public"


def public_endpoint_warnings(endpoint_access: str, public_access_cidrs: Sequence[str] | None) -> list[str]:
    """A public endpoint open to every address was asked for explicitly; say so in every plan."""
    if endpoint_access != "public" or OPEN_TO_THE_INTERNET not in (public_access_cidrs or ()):
        return []
    return [
        f"the cluster's public endpoint is open to {OPEN_TO_THE_INTERNET}"
        " (eks-hybrid:cluster.publicAccessCidrs): anyone on the internet can reach the Kubernetes API; narrow"
        " it to the networks that need it"
    ]


def partition_for(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def managed_policy_arn(partition: str, policy: str) -> str:
    return f"arn:{partition}:iam::aws:policy/{policy}"


CLUSTER_POLICIES = ("AmazonEKSClusterPolicy",)
NODE_GROUP_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
)


def service_trust_policy(service: str, actions: Sequence[str] = ("sts:AssumeRole",)) -> dict[str, Any]:
    """A role the AWS service `service` (eks.amazonaws.com, ec2.amazonaws.com) may assume."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": list(actions),
            }
        ],
    }


def cluster_trust_policy() -> dict[str, Any]:
    """The EKS cluster role: `sts:TagSession` too, as AWS's current cluster role template has it."""
    return service_trust_policy("eks.amazonaws.com", ("sts:AssumeRole", "sts:TagSession"))


def node_trust_policy() -> dict[str, Any]:
    return service_trust_policy("ec2.amazonaws.com")


# --- security group rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecurityGroupRule:
    """One rule of the cluster security group, from the network of `role` that the site or aggregate keyed
    `source` has. `key` names it by direction, port, protocol (when not TCP), role and source:
    `ingress-443-from-node-dallas`, `ingress-53-udp-from-pod-dallas`."""

    direction: Literal["ingress", "egress"]
    role: Literal["node", "pod"]
    source: str
    port: int
    protocol: Literal["tcp", "udp"] = "tcp"

    @property
    def key(self) -> str:
        return self._key(self.source)

    def legacy_key(self, cidr: str) -> str:
        """The key 0.1 gave this rule, by its CIDR (`ingress-443-from-node-10.200.0.0-16`)."""
        return self._key(cidr_slug(cidr))

    def _key(self, source: str) -> str:
        verb = "from" if self.direction == "ingress" else "to"
        protocol = "" if self.protocol == "tcp" else f"-{self.protocol}"
        return f"{self.direction}-{self.port}{protocol}-{verb}-{self.role}-{source}"

    def description(self, cidr: str) -> str:
        if self.port == DNS:
            return f"Hybrid pods' DNS ({self.protocol.upper()}) from {cidr} to CoreDNS on cloud nodes"
        who = "nodes" if self.role == "node" else "pods"
        return f"Hybrid {who} in {cidr} to the API server"


PodTrafficSource = Literal["node", "pod"]


def security_group_rules(
    node_sources: Sequence[str],
    pod_sources: Sequence[str],
    *,
    pod_traffic_source: PodTrafficSource = "pod",
    core_dns: str = "cloud",
) -> list[SecurityGroupRule]:
    """Inbound rules for the node and pod networks of the sites (or aggregates) keyed `node_sources` and
    `pod_sources`: the 443 rules for the cluster security group, the group EKS puts on its control-plane
    interfaces (and our cloud node group's launch template on its nodes); the DNS rules for the cloud nodes'
    DNS group (`dns_rules`, and the cluster security group while they fit: `cluster_group_rules`).

    `pod_traffic_source` is the address hybrid pods' traffic carries when it reaches the VPC: `node` when
    the CNI masquerades it (Cilium's cluster-pool default), `pod` when it does not (multi-pool). Following
    the cluster security group table of `hybrid-nodes-networking.adoc`:

    - TCP 443 from every node network (kubelets to the API server), and from every pod network when pods
      keep their addresses ("Pods requiring access to K8s API server when the CNI is not using NAT").
    - With `core_dns: cloud`, TCP and UDP 53 from the networks pods' DNS queries arrive from, so hybrid
      pods reach CoreDNS on the cloud nodes (networking table: "Pod to CoreDNS ... allow DNS traffic to the
      VPC where CoreDNS is running").

    No outbound rule: the API server's traffic to kubelets (10250) and webhooks leaves through the group's
    default allow-all egress, which EKS creates and AWS's guide keeps.
    """
    rules = [SecurityGroupRule("ingress", "node", source, HTTPS) for source in sorted(node_sources)]
    if pod_traffic_source == "pod":
        rules += [SecurityGroupRule("ingress", "pod", source, HTTPS) for source in sorted(pod_sources)]
    if core_dns == "cloud":
        dns_role: Literal["node", "pod"] = pod_traffic_source
        sources = pod_sources if dns_role == "pod" else node_sources
        rules += [
            SecurityGroupRule("ingress", dns_role, source, DNS, protocol)
            for source in sorted(sources)
            for protocol in ("tcp", "udp")
        ]
    return rules


@dataclass(frozen=True)
class ApiAccessRule:
    """An inbound rule of the cluster security group on TCP 443 from the deployer: exactly one of `cidr` (a
    network) and `security_group_id` (the members of a group, such as a bastion's or a CI runner's). `key`
    names it by that source: `ingress-443-from-api-10.0.8.0-22`, `ingress-443-from-api-sg-0123456789abcdef0`.

    EKS user guide, cluster-endpoint.html, "Accessing a private only API server": the control plane
    security group must allow ingress on 443 from the bastion host or the connected network."""

    cidr: str | None = None
    security_group_id: str | None = None
    direction: Literal["ingress"] = "ingress"
    port: int = HTTPS
    protocol: Literal["tcp"] = "tcp"

    def __post_init__(self) -> None:
        if (self.cidr is None) == (self.security_group_id is None):
            raise ValueError("an API access rule has exactly one source: a CIDR or a security group id")

    @property
    def source(self) -> str:
        return cidr_slug(self.cidr) if self.cidr is not None else str(self.security_group_id)

    @property
    def key(self) -> str:
        return f"{self.direction}-{self.port}-from-api-{self.source}"

    @property
    def description(self) -> str:
        return f"Kubernetes API access from {self.cidr or self.security_group_id} (the deployer)"


def api_access_rules(
    cidrs: Sequence[str] = (), security_group_ids: Sequence[str] = ()
) -> list[ApiAccessRule]:
    """One 443 rule per distinct CIDR (ordered by address) and per distinct security group (ordered by id):
    the same rules, with the same names, whatever order the sources came in."""
    return [ApiAccessRule(cidr=cidr) for cidr in sorted_cidrs(cidrs)] + [
        ApiAccessRule(security_group_id=group) for group in sorted(set(security_group_ids))
    ]


# VPC user guide, "Amazon VPC quotas" (amazon-vpc-limits.html), Security groups: 60 inbound and 60 outbound
# rules per security group and 5 security groups per network interface by default (both adjustable; their
# product may not exceed 1,000).
DEFAULT_SECURITY_GROUP_RULES = 60
DEFAULT_SECURITY_GROUPS_PER_INTERFACE = 5
CLOUD_NODE_SECURITY_GROUPS = 2
"""The groups the cloud node group's launch template puts on its nodes: the cluster security group and the
DNS group (`dns_rules`)."""


def dns_rules(rules: Sequence[SecurityGroupRule]) -> list[SecurityGroupRule]:
    """The DNS rules of `rules` (TCP and UDP 53, for CoreDNS on the cloud nodes): they also go in a security
    group of their own that only the cloud node group carries (through its launch template), so 15 sites
    fit the cluster security group's 60 inbound rules (1 + 2 x 15 for 443 + the deployer's, not
    1 + 4 x 15 + the deployer's)."""
    return [rule for rule in rules if rule.port == DNS]


def cluster_group_keeps_dns_rules(
    rules: Sequence[SecurityGroupRule], api_rules: Sequence[ApiAccessRule] = ()
) -> bool:
    """Whether the DNS rules also stay in the cluster security group: while every rule fits its default
    quota. They admitted DNS there before the DNS group existed, and a hub updated from then replaces its
    cloud node group (a managed node group created without a launch template cannot be given one: EKS user
    guide, "Customize managed nodes with launch templates"); the old nodes carry only the cluster security
    group until EKS has drained them, so removing the rules in that update would leave their CoreDNS pods
    unreachable from hybrid pods. A hub that outgrows the quota drops them in a later update, when every
    cloud node carries the DNS group. Decided from AWS's default (not an account's raised value), so the
    component needs no quota argument; the plan counts the same rules against the account's value."""
    inbound, _ = security_group_rule_counts([*rules, *api_rules])
    return inbound <= DEFAULT_SECURITY_GROUP_RULES


def cluster_group_rules(
    rules: Sequence[SecurityGroupRule], api_rules: Sequence[ApiAccessRule] = ()
) -> list[SecurityGroupRule | ApiAccessRule]:
    """Every rule the cluster security group holds: the hybrid networks' 443 rules, the DNS rules while
    `cluster_group_keeps_dns_rules`, and the deployer's."""
    keep = cluster_group_keeps_dns_rules(rules, api_rules)
    return [*(rule for rule in rules if keep or rule.port != DNS), *api_rules]


def security_group_rule_counts(rules: Sequence[SecurityGroupRule | ApiAccessRule]) -> tuple[int, int]:
    """(inbound, outbound) rules the cluster security group holds with `rules` beside EKS's defaults (a
    rule whose source is a security group counts as one, as a CIDR's does)."""
    inbound = sum(1 for r in rules if r.direction == "ingress")
    return EKS_DEFAULT_INBOUND_RULES + inbound, EKS_DEFAULT_OUTBOUND_RULES + len(rules) - inbound


# --- cloud node group -----------------------------------------------------------------------------------

_SMALL_SIZES = frozenset({"nano", "micro", "small", "medium", "large"})
_INSTANCE_TYPE = re.compile(INSTANCE_TYPE)
_GRAVITON = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*$")


def cloud_node_group_name(name: str) -> str:
    """The cloud node group's resource name in a `HybridCluster` named `name` (the hub's: its cluster's
    name), also its `Name` tag; AWS's node group name is it with a random suffix (Pulumi's auto-naming), so
    `verify` finds the node group by the tag."""
    return f"{name}-cloud-nodes"


def cloud_launch_template_name(name: str) -> str:
    """The cloud node group's launch template's resource name (and `Name` tag)."""
    return f"{cloud_node_group_name(name)}-template"


CLOUD_NODE_LABELS: Mapping[str, str] = {CLOUD_CAPACITY_LABEL: CLOUD_CAPACITY_VALUE}
"""The cloud node group's labels. Cilium's agent and operator require `eks.amazonaws.com/compute-type In
[hybrid]`, a label only nodeadm puts on hybrid nodes, so Cilium never lands on these nodes; the VPC CNI runs
there instead."""


def ami_type_for(instance_type: str) -> str:
    """AL2023 (nodeadm) for the instance's architecture: Graviton families (m7g, t4g, c7gn) are arm64."""
    match = _INSTANCE_TYPE.fullmatch(instance_type)
    family = match.group("family") if match else ""
    return "AL2023_ARM_64_STANDARD" if _GRAVITON.match(family) else "AL2023_x86_64_STANDARD"


def instance_type_problem(instance_type: str) -> Reason | None:
    """The Palette agent needs an always-on worker of at least t3.xlarge (4 vCPU, 16 GiB) and 40 GB."""
    match = _INSTANCE_TYPE.fullmatch(instance_type)
    if match is None:
        return Reason(Code.INVALID_INSTANCE_TYPE, f"{instance_type!r} is not an EC2 instance type")
    if match.group("size") in _SMALL_SIZES:
        return Reason(
            Code.INSTANCE_TYPE_TOO_SMALL,
            f"{instance_type} is smaller than the Palette agent needs: use an xlarge size or larger"
            " (t3.xlarge: 4 vCPU, 16 GiB)",
        )
    return None


# --- adopting an existing cluster -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExistingCluster:
    """What `aws.eks.get_cluster` tells us about a running cluster, reduced to what hybrid nodes need."""

    name: str
    authentication_mode: str
    endpoint_private_access: bool
    endpoint_public_access: bool
    service_cidr: str | None
    vpc_id: str
    remote_node_cidrs: tuple[str, ...]
    remote_pod_cidrs: tuple[str, ...]
    version: str


def uncovered(wanted: Sequence[str], present: Sequence[str]) -> list[str]:
    """CIDRs of `wanted` that no network of `present` contains."""
    networks = [IPv4Network(p) for p in present]
    return [w for w in wanted if not any(IPv4Network(w).subnet_of(n) for n in networks)]


ClusterFinding = tuple[Literal["name", "sites", "service_cidr"], Reason]
"""(what is wrong: the cluster's name, the sites' networks or the service CIDR; why)."""


def existing_cluster_problems(
    cluster: ExistingCluster, networks: RemoteNetworks, service_cidr: str
) -> list[ClusterFinding]:
    """What stops the adopted cluster from hosting the sites' nodes. We do not change the cluster, so each
    problem says what to change on it (or in the caller's arguments)."""
    problems: list[ClusterFinding] = []
    if cluster.authentication_mode not in AUTHENTICATION_MODES:
        problems.append(
            (
                "name",
                Reason(
                    Code.EXISTING_CLUSTER_AUTH_MODE,
                    f"cluster {cluster.name} uses authentication mode {cluster.authentication_mode}: hybrid"
                    f" nodes need {' or '.join(AUTHENTICATION_MODES)} (change it on the cluster; eks-hybrid"
                    " does not)",
                ),
            )
        )
    for role, wanted, present in (
        ("node", networks.node_cidrs, cluster.remote_node_cidrs),
        ("pod", networks.pod_cidrs, cluster.remote_pod_cidrs),
    ):
        missing = uncovered(wanted, present)
        if missing:
            have = ", ".join(present) or "none"
            problems.append(
                (
                    "sites",
                    Reason(
                        Code.EXISTING_CLUSTER_NETWORKS,
                        f"cluster {cluster.name}'s remote {role} networks ({have}) do not contain"
                        f" {', '.join(missing)}: add them to the cluster's remoteNetworkConfig"
                        " (aws eks update-cluster-config), or use mode: create",
                    ),
                )
            )
    if cluster.service_cidr and cluster.service_cidr != service_cidr:
        problems.append(
            (
                "service_cidr",
                Reason(
                    Code.EXISTING_CLUSTER_SERVICE_CIDR,
                    f"{service_cidr} differs from cluster {cluster.name}'s service CIDR"
                    f" {cluster.service_cidr}: set serviceCidr to the cluster's, so overlap checks and"
                    " Palette's hybrid-config use it",
                ),
            )
        )
    return problems


def existing_cluster_warnings(cluster: ExistingCluster, vpc_id: str, kubernetes_version: str) -> list[str]:
    """Things worth saying about an adopted cluster that do not stop planning."""
    warnings: list[str] = []
    if cluster.endpoint_private_access and cluster.endpoint_public_access:
        warnings.append(
            f"cluster {cluster.name} has both public and private endpoint access: off the VPC its endpoint"
            " resolves to public addresses, and hybrid nodes may fail to join. eks-hybrid does not change"
            " endpoint access on an adopted cluster."
        )
    if cluster.vpc_id and cluster.vpc_id != vpc_id:
        warnings.append(
            f"cluster {cluster.name} is in {cluster.vpc_id}, but eks-hybrid:cluster.vpcId is {vpc_id}: the"
            " cloud node group uses subnetIds, which must be in the cluster's VPC."
        )
    if cluster.version and cluster.version != kubernetes_version:
        warnings.append(
            f"cluster {cluster.name} runs Kubernetes {cluster.version}, but kubernetesVersion is"
            f" {kubernetes_version}: hybrid nodes should run the cluster's version."
        )
    return warnings


# --- kubeconfig -----------------------------------------------------------------------------------------


def kubeconfig(cluster_name: str, endpoint: str, certificate_authority: str, region: str) -> dict[str, Any]:
    """A kubeconfig for the cluster that gets a token from `aws eks get-token` (AWS CLI v2 on PATH)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority},
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [
                            "eks",
                            "get-token",
                            "--cluster-name",
                            cluster_name,
                            "--region",
                            region,
                            "--output",
                            "json",
                        ],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }
