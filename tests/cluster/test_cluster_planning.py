"""The cluster planner: remote networks, security group rules, node group shape, adopted clusters."""

from __future__ import annotations

import ast
import ipaddress
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eks_hybrid.components.cluster import planning
from eks_hybrid.components.cluster.planning import (
    CLOUD_NODE_LABELS,
    ExistingCluster,
    RemoteNetworks,
    existing_cluster_problems,
    existing_cluster_warnings,
    instance_type_problem,
    remote_networks,
    security_group_rules,
)
from eks_hybrid.components.codes import Code

PURE_MODULES = [
    "components/cluster/planning.py",
    "components/identity/policies.py",
    "components/cni/values.py",
    "components/nodeconfig/nodeconfig.py",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_planning_modules_never_import_pulumi(module: str) -> None:
    tree = ast.parse((Path(__file__).resolve().parents[2] / module).read_text())
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert not [name for name in imported if name.split(".")[0].startswith("pulumi")]


def sites(**entries: tuple[str, str]) -> RemoteNetworks:
    """The remote networks of sites given as `name=(node CIDR, pod CIDR)`."""
    return remote_networks((n for n, _ in entries.values()), (p for _, p in entries.values()))


# --- remote networks ------------------------------------------------------------------------------------


def test_remote_networks_are_the_union_of_site_cidrs_ordered_by_address() -> None:
    networks = sites(
        dallas=("10.200.0.0/16", "192.168.0.0/16"),
        chicago=("10.201.0.0/16", "172.18.0.0/16"),
        austin=("10.9.0.0/16", "172.19.0.0/16"),
    )
    assert networks.node_cidrs == ("10.9.0.0/16", "10.200.0.0/16", "10.201.0.0/16")
    # By address, not as strings: 172.x before 192.168.x.
    assert networks.pod_cidrs == ("172.18.0.0/16", "172.19.0.0/16", "192.168.0.0/16")


def test_remote_networks_as_pulumi_inputs_are_single_nested_objects() -> None:
    networks = RemoteNetworks(node_cidrs=("10.200.0.0/16",), pod_cidrs=("192.168.0.0/16",))
    assert networks.as_inputs() == {
        "remote_node_networks": {"cidrs": ["10.200.0.0/16"]},
        "remote_pod_networks": {"cidrs": ["192.168.0.0/16"]},
    }


def test_sorted_cidrs_drops_duplicates() -> None:
    assert planning.sorted_cidrs(["10.1.0.0/16", "10.0.0.0/16", "10.1.0.0/16"]) == [
        "10.0.0.0/16",
        "10.1.0.0/16",
    ]


# Non-overlapping /16s inside 10.0.0.0/8 (nodes) and 172.16.0.0/12 + 192.168.0.0/16 (pods), as the config
# rules guarantee for a real inventory.
_site = st.tuples(st.integers(0, 255), st.integers(0, 15))
_inventories = st.lists(_site, min_size=1, max_size=12, unique_by=(lambda s: s[0], lambda s: s[1]))


@given(_inventories, st.randoms())
@settings(max_examples=60, deadline=None)
def test_remote_networks_do_not_depend_on_site_order(entries: list[tuple[int, int]], rnd: Random) -> None:
    inventory = {f"s{n}": (f"10.{n}.0.0/16", f"172.{16 + p}.0.0/16") for n, p in entries}
    names = list(inventory)
    shuffled = names[:]
    rnd.shuffle(shuffled)
    first = sites(**{k: inventory[k] for k in names})
    second = sites(**{k: inventory[k] for k in shuffled})
    assert first == second
    starts = [int(ipaddress.IPv4Network(c).network_address) for c in first.node_cidrs]
    assert starts == sorted(starts)


def test_adding_a_site_only_appends_its_cidrs() -> None:
    before = sites(dallas=("10.200.0.0/16", "192.168.0.0/16"))
    after = sites(dallas=("10.200.0.0/16", "192.168.0.0/16"), denver=("10.202.0.0/16", "172.19.0.0/16"))
    assert set(before.node_cidrs) < set(after.node_cidrs)
    assert set(before.pod_cidrs) < set(after.pod_cidrs)


def test_remote_networks_never_force_a_replacement() -> None:
    assert not [f for f in planning.REPLACING_FIELDS if f.startswith("remoteNetworkConfig")]


# --- endpoint, partition, trust -------------------------------------------------------------------------


@pytest.mark.parametrize(("access", "flags"), [("private", (True, False)), ("public", (False, True))])
def test_endpoint_flags_are_never_both(access: str, flags: tuple[bool, bool]) -> None:
    assert planning.endpoint_flags(access) == flags


def test_endpoint_flags_reject_both() -> None:
    with pytest.raises(ValueError, match="private or public"):
        planning.endpoint_flags("both")


@pytest.mark.parametrize(
    ("region", "partition"), [("us-west-2", "aws"), ("us-gov-west-1", "aws-us-gov"), ("cn-north-1", "aws-cn")]
)
def test_partition_for(region: str, partition: str) -> None:
    assert planning.partition_for(region) == partition


def test_cluster_and_node_trust_policies() -> None:
    cluster = planning.cluster_trust_policy()["Statement"]
    assert cluster == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
        }
    ]
    node = planning.node_trust_policy()["Statement"]
    assert node == [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": ["sts:AssumeRole"]}
    ]


def test_managed_policy_arn() -> None:
    assert (
        planning.managed_policy_arn("aws-us-gov", "AmazonEKSClusterPolicy")
        == "arn:aws-us-gov:iam::aws:policy/AmazonEKSClusterPolicy"
    )
    assert planning.NODE_GROUP_POLICIES == (
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKS_CNI_Policy",
    )


# --- security group rules -------------------------------------------------------------------------------

# Two sites, keyed by name: their networks are what the rules admit, their names what names the rules.
SITES = {"dallas": ("10.200.0.0/16", "192.168.0.0/16"), "chicago": ("10.201.0.0/16", "172.18.0.0/16")}
NODE, POD = list(SITES), list(SITES)
NETWORKS = sites(**SITES)


def rule_set(rules: list[planning.SecurityGroupRule]) -> set[tuple[str, str, int, str]]:
    return {(r.role, r.source, r.port, r.protocol) for r in rules}


def expected(https: dict[str, list[str]], dns: tuple[str, list[str]]) -> set[tuple[str, str, int, str]]:
    role, sources = dns
    return {(r, s, 443, "tcp") for r, keys in https.items() for s in keys} | {
        (role, s, 53, protocol) for s in sources for protocol in ("tcp", "udp")
    }


@pytest.mark.parametrize(
    ("source", "https", "dns"),
    [
        # Multi-pool: pods keep their addresses, so their API and DNS traffic arrives from the pod CIDRs.
        ("pod", {"node": NODE, "pod": POD}, ("pod", POD)),
        # Cluster-pool keeps Cilium's masquerading: pod traffic leaves with the node's address, so no pod
        # CIDR rule for 443 (EKS table: only "when the CNI is not using NAT") and DNS comes from the nodes.
        ("node", {"node": NODE}, ("node", NODE)),
    ],
)
def test_https_and_dns_arrive_from_where_pod_traffic_comes_from(
    source: planning.PodTrafficSource,
    https: dict[str, list[str]],
    dns: tuple[str, list[str]],
) -> None:
    rules = security_group_rules(NODE, POD, pod_traffic_source=source, core_dns="cloud")
    assert rule_set(rules) == expected(https, dns)
    assert len(rules) == len(rule_set(rules))


@pytest.mark.parametrize("source", ["node", "pod"])
def test_coredns_on_hybrid_nodes_needs_no_dns_rule(source: planning.PodTrafficSource) -> None:
    rules = security_group_rules(NODE, POD, pod_traffic_source=source, core_dns="hybrid")
    assert all(r.port == 443 for r in rules)


def test_no_egress_rules_the_group_keeps_its_allow_all_egress() -> None:
    # The cluster security group EKS creates allows all egress; an egress rule per site added nothing but
    # quota use (the old plan: six per site, so the tenth site failed at apply).
    for source in ("node", "pod"):
        for dns in ("cloud", "hybrid"):
            rules = security_group_rules(NODE, POD, pod_traffic_source=source, core_dns=dns)  # type: ignore[arg-type]
            assert {r.direction for r in rules} == {"ingress"}


def test_rule_counts_include_eks_defaults() -> None:
    rules = security_group_rules(NODE, POD, pod_traffic_source="pod", core_dns="cloud")
    assert planning.security_group_rule_counts(rules) == (1 + 8, 1)


def test_rule_keys_are_unique_and_named_by_key_not_position_nor_value() -> None:
    rules = security_group_rules(NODE, POD)
    keys = [r.key for r in rules]
    assert len(keys) == len(set(keys))
    assert "ingress-443-from-node-dallas" in keys
    assert "ingress-443-from-pod-dallas" in keys
    assert "ingress-53-from-pod-dallas" in keys
    assert "ingress-53-udp-from-pod-dallas" in keys
    # A new site adds rules and leaves every existing key as it was.
    assert set(keys) < {r.key for r in security_group_rules([*NODE, "austin"], [*POD, "austin"])}


def test_a_rule_keeps_its_0_1_name_as_its_legacy_key() -> None:
    # 0.1 named rules by CIDR; the alias of each renamed rule is built from this.
    rule = planning.SecurityGroupRule("ingress", "pod", "dallas", 53, "udp")
    assert rule.legacy_key("192.168.0.0/16") == "ingress-53-udp-from-pod-192.168.0.0-16"
    assert rule.key == "ingress-53-udp-from-pod-dallas"


def test_webhook_ports_say_who_listens_on_each() -> None:
    # They are the on-premises firewall's list, with where each port comes from; not AWS's E2E set.
    assert set(planning.WEBHOOK_PORTS) == {443, 9443, 10250, 10251, 10260}
    assert all(owner.strip() for owner in planning.WEBHOOK_PORTS.values())


def test_every_rule_is_described_with_its_cidr() -> None:
    assert all("10.9.0.0/16" in r.description("10.9.0.0/16") for r in security_group_rules(NODE, POD))
    assert planning.SecurityGroupRule("ingress", "node", "dallas", 443).description("10.9.0.0/16") == (
        "Hybrid nodes in 10.9.0.0/16 to the API server"
    )


# --- node group -----------------------------------------------------------------------------------------


def test_cloud_nodes_carry_the_cloud_label_never_the_hybrid_one() -> None:
    assert CLOUD_NODE_LABELS == {"eks-hybrid/capacity": "cloud"}
    # Never the label Cilium selects on: cloud nodes must not look hybrid.
    assert "eks.amazonaws.com/compute-type" not in CLOUD_NODE_LABELS


@pytest.mark.parametrize(
    ("instance_type", "ami"),
    [
        ("t3.xlarge", "AL2023_x86_64_STANDARD"),
        ("m7g.xlarge", "AL2023_ARM_64_STANDARD"),
        ("t4g.2xlarge", "AL2023_ARM_64_STANDARD"),
        ("c7gn.xlarge", "AL2023_ARM_64_STANDARD"),
        ("g5.xlarge", "AL2023_x86_64_STANDARD"),
        ("m6a.4xlarge", "AL2023_x86_64_STANDARD"),
    ],
)
def test_ami_type_follows_the_architecture(instance_type: str, ami: str) -> None:
    assert planning.ami_type_for(instance_type) == ami


@pytest.mark.parametrize("instance_type", ["t3.large", "m5.medium", "t3.micro", "c6i.large"])
def test_node_group_too_small_for_the_palette_agent(instance_type: str) -> None:
    problem = instance_type_problem(instance_type)
    assert problem is not None and problem.code is Code.INSTANCE_TYPE_TOO_SMALL and "xlarge" in problem.text


@pytest.mark.parametrize("instance_type", ["t3.xlarge", "m6i.2xlarge", "m7g.metal", "r6i.24xlarge"])
def test_node_group_large_enough(instance_type: str) -> None:
    assert instance_type_problem(instance_type) is None


def test_node_group_instance_type_must_parse() -> None:
    problem = instance_type_problem("big")
    assert problem is not None and problem.code is Code.INVALID_INSTANCE_TYPE
    assert "not an EC2 instance type" in problem.text


# --- adopted clusters -----------------------------------------------------------------------------------


def existing(**changes: object) -> ExistingCluster:
    base: dict[str, object] = {
        "name": "legacy",
        "authentication_mode": "API_AND_CONFIG_MAP",
        "endpoint_private_access": True,
        "endpoint_public_access": False,
        "service_cidr": "172.20.0.0/16",
        "vpc_id": "vpc-0123456789abcdef0",
        "remote_node_cidrs": ("10.200.0.0/15",),
        "remote_pod_cidrs": ("172.18.0.0/16", "192.168.0.0/16"),
        "version": "1.31",
    }
    return ExistingCluster(**{**base, **changes})  # type: ignore[arg-type]


def test_an_adopted_cluster_that_covers_the_sites_has_no_problems() -> None:
    assert existing_cluster_problems(existing(), NETWORKS, "172.20.0.0/16") == []


def test_an_adopted_cluster_missing_remote_networks_names_them() -> None:
    problems = existing_cluster_problems(
        existing(remote_node_cidrs=("10.200.0.0/16",), remote_pod_cidrs=()), NETWORKS, "172.20.0.0/16"
    )
    rules = [reason.text for _, reason in problems]
    assert len(problems) == 2
    assert {reason.code for _, reason in problems} == {Code.EXISTING_CLUSTER_NETWORKS}
    assert "remote node networks (10.200.0.0/16) do not contain 10.201.0.0/16" in rules[0]
    assert "remote pod networks (none) do not contain 172.18.0.0/16, 192.168.0.0/16" in rules[1]
    assert all(what == "sites" for what, _ in problems)


def test_an_adopted_cluster_in_config_map_mode_is_refused() -> None:
    [(what, rule)] = existing_cluster_problems(
        existing(authentication_mode="CONFIG_MAP"), NETWORKS, "172.20.0.0/16"
    )
    assert what == "name" and "CONFIG_MAP" in rule.text and rule.code is Code.EXISTING_CLUSTER_AUTH_MODE


def test_an_adopted_cluster_with_another_service_cidr_is_refused() -> None:
    [(what, reason)] = existing_cluster_problems(existing(), NETWORKS, "172.21.0.0/16")
    assert what == "service_cidr" and reason.code is Code.EXISTING_CLUSTER_SERVICE_CIDR


def test_adopted_cluster_warnings() -> None:
    assert existing_cluster_warnings(existing(), "vpc-0123456789abcdef0", "1.31") == []
    warnings = existing_cluster_warnings(
        existing(endpoint_public_access=True, vpc_id="vpc-0aaaaaaaaaaaaaaaa", version="1.30"),
        "vpc-0123456789abcdef0",
        "1.31",
    )
    assert len(warnings) == 3
    assert "both public and private" in warnings[0]


def test_kubeconfig_uses_aws_eks_get_token() -> None:
    config = planning.kubeconfig("edge-prod", "https://x.eks.amazonaws.com", "Q0E=", "us-west-2")
    assert config["clusters"][0]["cluster"] == {
        "server": "https://x.eks.amazonaws.com",
        "certificate-authority-data": "Q0E=",
    }
    exec_ = config["users"][0]["user"]["exec"]
    assert exec_["command"] == "aws"
    assert exec_["args"] == [
        "eks",
        "get-token",
        "--cluster-name",
        "edge-prod",
        "--region",
        "us-west-2",
        "--output",
        "json",
    ]
    assert config["current-context"] == "edge-prod"
