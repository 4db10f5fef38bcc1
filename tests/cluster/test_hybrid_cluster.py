"""`HybridCluster` under the mock engine: the inputs each resource would be created with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from eks_hybrid.components.cluster import HybridCluster, hybrid_node_access_entry
from eks_hybrid.components.cluster import component as cluster_component
from eks_hybrid.components.config import HubConfig
from eks_hybrid.components.config._stack_args import hybrid_cluster_args
from eks_hybrid.components.errors import ArgumentsError
from eks_hybrid.offline import mocks
from eks_hybrid.offline.engine import OfflineRun
from tests.conftest import MockEngine

from .hubs import hub_config

EKS = "aws:eks/cluster:Cluster"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def run_cluster(engine: MockEngine, hub: HubConfig, role_arn: str | None = None) -> OfflineRun:
    def program() -> None:
        cluster = HybridCluster("edge", hybrid_cluster_args(hub))
        if role_arn:
            hybrid_node_access_entry("edge", cluster, role_arn)
        pulumi.export("securityGroup", cluster.cluster_security_group_id)
        pulumi.export("arn", cluster.cluster_arn)
        pulumi.export("endpoint", cluster.endpoint)
        pulumi.export("ca", cluster.certificate_authority)

    return engine.run(program, stack="example-hub")


def test_cluster_inputs(mock_engine: MockEngine) -> None:
    run = run_cluster(mock_engine, hub_config())
    [cluster] = run.by_type(EKS)
    inputs = cluster.inputs
    assert cluster.name == "edge-eks"
    assert inputs["name"] == "edge-test"
    assert inputs["version"] == "1.35"
    assert inputs["remoteNetworkConfig"] == {
        "remoteNodeNetworks": {"cidrs": ["10.200.0.0/16", "10.201.0.0/16"]},
        "remotePodNetworks": {"cidrs": ["172.18.0.0/16", "192.168.0.0/16"]},
    }
    assert inputs["accessConfig"] == {
        "authenticationMode": "API_AND_CONFIG_MAP",
        "bootstrapClusterCreatorAdminPermissions": True,
    }
    assert inputs["kubernetesNetworkConfig"] == {"ipFamily": "ipv4", "serviceIpv4Cidr": "172.20.0.0/16"}
    assert inputs["vpcConfig"] == {
        "endpointPrivateAccess": True,
        "endpointPublicAccess": False,
        "subnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    }
    assert inputs["tags"] == {"Name": "edge-test", "environment": "test"}


@pytest.mark.parametrize(("access", "private", "public"), [("private", True, False), ("public", False, True)])
@pytest.mark.parametrize("mode", ["API", "API_AND_CONFIG_MAP"])
def test_endpoint_and_authentication_mode(
    mock_engine: MockEngine, access: str, private: bool, public: bool, mode: str
) -> None:
    cluster: dict[str, Any] = {"endpointAccess": access, "authenticationMode": mode}
    if public:
        cluster.update(publicAccessCidrs=["203.0.113.0/24"], apiAccess=None)
    run = run_cluster(mock_engine, hub_config(cluster=cluster))
    inputs = run.named("edge-eks").inputs
    assert (inputs["vpcConfig"]["endpointPrivateAccess"], inputs["vpcConfig"]["endpointPublicAccess"]) == (
        private,
        public,
    )
    assert inputs["vpcConfig"].get("publicAccessCidrs") == (["203.0.113.0/24"] if public else None)
    assert inputs["accessConfig"]["authenticationMode"] == mode
    assert run.warnings == ()


def test_public_endpoint_open_to_the_internet_is_planned_with_a_warning(mock_engine: MockEngine) -> None:
    open_to_all = {"endpointAccess": "public", "publicAccessCidrs": ["0.0.0.0/0"], "apiAccess": None}
    office = {"endpointAccess": "public", "publicAccessCidrs": ["203.0.113.0/24"], "apiAccess": None}
    run = run_cluster(mock_engine, hub_config(cluster=open_to_all))
    assert run.named("edge-eks").inputs["vpcConfig"]["publicAccessCidrs"] == ["0.0.0.0/0"]
    [warning] = [w for w in run.warnings if "0.0.0.0/0" in w]
    assert "anyone on the internet" in warning
    assert not [w for w in run_cluster(mock_engine, hub_config(cluster=office)).warnings if "0.0.0.0/0" in w]


def test_cluster_role_has_the_eks_cluster_policy(mock_engine: MockEngine) -> None:
    run = run_cluster(mock_engine, hub_config())
    role = run.named("edge-cluster-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "eks.amazonaws.com"}
    attachment = run.named("edge-cluster-AmazonEKSClusterPolicy")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    assert attachment.urn in run.named("edge-eks").dependencies


def test_adding_a_site_changes_only_the_remote_networks(mock_engine: MockEngine) -> None:
    before = run_cluster(mock_engine, hub_config())
    sites = {
        "dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"},
        "chicago": {"nodeCidr": "10.201.0.0/16", "podCidr": "172.18.0.0/16"},
        "austin": {"nodeCidr": "10.9.0.0/16", "podCidr": "172.19.0.0/16"},
    }
    after = run_cluster(mock_engine, hub_config(sites=sites))
    old, new = before.named("edge-eks").inputs, after.named("edge-eks").inputs
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    assert changed == {"remoteNetworkConfig"}
    assert new["remoteNetworkConfig"]["remoteNodeNetworks"]["cidrs"] == [
        "10.9.0.0/16",
        "10.200.0.0/16",
        "10.201.0.0/16",
    ]
    # Every resource that existed keeps its URN and, the cluster apart, its inputs.
    old_resources = {r.urn: r.inputs for r in before.resources}
    new_resources = {r.urn: r.inputs for r in after.resources}
    assert old_resources.keys() < new_resources.keys()
    changed_resources = [u for u in old_resources if old_resources[u] != new_resources[u]]
    assert changed_resources == [before.named("edge-eks").urn]


def test_site_order_does_not_change_the_cluster(mock_engine: MockEngine) -> None:
    forward = hub_config()
    sites = {
        "chicago": {"nodeCidr": "10.201.0.0/16", "podCidr": "172.18.0.0/16"},
        "dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"},
    }
    backward = hub_config(sites=sites)
    assert list(backward.sites) != list(forward.sites)
    assert (
        run_cluster(mock_engine, forward).named("edge-eks").inputs
        == run_cluster(mock_engine, backward).named("edge-eks").inputs
    )


def rules(run: OfflineRun, token: str) -> dict[tuple[str, int], dict[str, Any]]:
    return {(r.inputs["cidrIpv4"], r.inputs["fromPort"]): r.inputs for r in run.by_type(token)}


def test_security_group_rules_per_cidr(mock_engine: MockEngine) -> None:
    # Two sites: multi-pool, so pods keep their addresses; CoreDNS runs in the cloud (the default).
    run = run_cluster(mock_engine, hub_config())
    sg = run.outputs["securityGroup"]
    ingress = {
        (r.inputs["cidrIpv4"], r.inputs["fromPort"], r.inputs["ipProtocol"]): r.inputs
        for r in run.by_type(INGRESS)
    }
    pods = ("172.18.0.0/16", "192.168.0.0/16")
    assert set(ingress) == (
        {("10.200.0.0/16", 443, "tcp"), ("10.201.0.0/16", 443, "tcp")}
        | {(cidr, 443, "tcp") for cidr in pods}
        | {(cidr, 53, protocol) for cidr in pods for protocol in ("tcp", "udp")}
        | {("10.100.8.0/24", 443, "tcp")}  # the deployer (apiAccess)
    )
    assert run.by_type(EGRESS) == []
    for rule in ingress.values():
        assert rule["securityGroupId"] == sg
        assert rule["fromPort"] == rule["toPort"]
    # Named by the site's key; the Name tag and the description read as before, by CIDR.
    rule = run.named("edge-ingress-443-from-node-dallas").inputs
    assert rule["tags"]["Name"] == "edge-ingress-443-from-node-10.200.0.0-16"
    assert rule["description"] == "Hybrid nodes in 10.200.0.0/16 to the API server"


def test_access_entry_is_hybrid_linux_without_groups_or_policies(mock_engine: MockEngine) -> None:
    role = "arn:aws:iam::123456789012:role/hybrid"
    run = run_cluster(mock_engine, hub_config(), role_arn=role)
    entry = run.named("edge-hybrid-nodes")
    assert entry.inputs["type"] == "HYBRID_LINUX"
    assert entry.inputs["principalArn"] == role
    assert entry.inputs["clusterName"] == "edge-test"
    assert "kubernetesGroups" not in entry.inputs and "userName" not in entry.inputs
    assert run.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation") == []
    assert entry.parent == run.named("edge").urn


def test_cloud_node_group(mock_engine: MockEngine) -> None:
    hub = hub_config(
        cluster={
            "nodeGroup": {
                "instanceType": "m7g.xlarge",
                "diskSizeGib": 64,
                "desiredSize": 2,
                "minSize": 2,
                "maxSize": 4,
            }
        }
    )
    run = run_cluster(mock_engine, hub)
    group = run.named("edge-cloud-nodes")
    assert group.inputs["clusterName"] == "edge-test"
    assert group.inputs["instanceTypes"] == ["m7g.xlarge"]
    assert group.inputs["amiType"] == "AL2023_ARM_64_STANDARD"
    # The disk size and the nodes' security groups are the launch template's (EKS refuses diskSize beside
    # one): the cluster security group and the DNS group.
    assert "diskSize" not in group.inputs
    template = run.named("edge-cloud-nodes-template")
    assert set(group.inputs["launchTemplate"]) == {"id", "version"}
    assert template.inputs["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {"deleteOnTermination": "true", "volumeSize": 64, "volumeType": "gp3"},
        }
    ]
    assert run.named("edge-dns").type == "aws:ec2/securityGroup:SecurityGroup"
    assert len(template.inputs["vpcSecurityGroupIds"]) == 2
    # The nodes come up once the DNS group admits DNS: the template waits for its rules.
    assert any(d.endswith("::edge-dns-ingress-53-udp-from-pod-dallas") for d in template.dependencies)
    assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2
    assert group.inputs["scalingConfig"] == {"desiredSize": 2, "maxSize": 4, "minSize": 2}
    assert group.inputs["labels"] == {"eks-hybrid/capacity": "cloud"}
    assert group.inputs["subnetIds"] == ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    assert "taints" not in group.inputs
    role = run.named("edge-node-role")
    assert group.inputs["nodeRoleArn"].endswith(":role/edge-node-role")
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    attached = {
        r.inputs["policyArn"].rsplit("/", 1)[-1]
        for r in run.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.name.startswith("edge-node-")
    }
    assert attached == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKS_CNI_Policy",
    }
    assert {f"{run.named(f'edge-node-{p}').urn}" for p in attached} <= set(group.dependencies)


def test_a_node_group_too_small_for_the_palette_agent_is_refused(mock_engine: MockEngine) -> None:
    with pytest.raises(ArgumentsError, match=r"HybridCluster 'edge': node_group\.instance_type: .*xlarge"):
        run_cluster(mock_engine, hub_config(cluster={"nodeGroup": {"instanceType": "t3.large"}}))


def test_kubernetes_provider_uses_the_cluster_endpoint_and_aws_cli(mock_engine: MockEngine) -> None:
    run = run_cluster(mock_engine, hub_config())
    [provider] = run.by_type("pulumi:providers:kubernetes")
    kubeconfig = json.loads(provider.inputs["kubeconfig"])
    assert kubeconfig["clusters"][0]["cluster"]["server"] == run.outputs["endpoint"]
    assert kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"] == run.outputs["ca"]
    assert kubeconfig["users"][0]["user"]["exec"]["args"][:4] == [
        "eks",
        "get-token",
        "--cluster-name",
        "edge-test",
    ]
    assert provider.parent == run.named("edge").urn


def test_every_child_is_parented_to_the_component(mock_engine: MockEngine) -> None:
    run = run_cluster(mock_engine, hub_config())
    component = run.named("edge")
    assert component.type == "eks-hybrid:cluster:HybridCluster"
    assert {r.parent for r in run.resources if r is not component} == {component.urn}
    assert all(r.name.startswith("edge-") for r in run.children_of(component))


# --- mode: existing -------------------------------------------------------------------------------------


def test_existing_cluster_is_read_not_created(mock_engine: MockEngine) -> None:
    run = run_cluster(mock_engine, hub_config(cluster={"mode": "existing", "name": "legacy"}))
    assert run.by_type(EKS) == []
    assert [r for r in run.by_type("aws:iam/role:Role") if "cluster" in r.name] == []
    seed = mocks.stable_hex("existing-cluster", "legacy")
    assert run.outputs["securityGroup"] == f"sg-{seed}"
    assert run.outputs["arn"] == "arn:aws:eks:us-west-2:123456789012:cluster/legacy"
    assert {r["securityGroupId"] for r in rules(run, INGRESS).values()} == {f"sg-{seed}"}
    assert run.named("edge-cloud-nodes").inputs["clusterName"] == "legacy"


def _narrow_cluster(
    node_cidrs: list[str], pod_cidrs: list[str], **extra: Any
) -> Callable[[mocks.OfflineMocks, dict[str, Any]], dict[str, Any]]:
    original = mocks._INVOKES["aws:eks/getCluster:getCluster"]

    def answer(engine: mocks.OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
        result = original(engine, args)
        result["remoteNetworkConfigs"] = [
            {"remoteNodeNetworks": [{"cidrs": node_cidrs}], "remotePodNetworks": [{"cidrs": pod_cidrs}]}
        ]
        result.update(extra)
        return result

    return answer


def test_existing_cluster_missing_a_site_fails_with_every_problem(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        mocks._INVOKES,
        "aws:eks/getCluster:getCluster",
        _narrow_cluster(["10.200.0.0/16"], [], accessConfigs=[{"authenticationMode": "CONFIG_MAP"}]),
    )
    with pytest.raises(ArgumentsError) as caught:
        run_cluster(mock_engine, hub_config(cluster={"mode": "existing", "name": "legacy"}))
    message = str(caught.value)
    assert "HybridCluster 'edge': sites: cluster legacy's remote node networks" in message
    assert "do not contain 10.201.0.0/16" in message
    assert "remote pod networks (none)" in message
    assert "CONFIG_MAP" in message


def test_existing_cluster_covering_the_sites_with_wider_networks_plans(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        mocks._INVOKES,
        "aws:eks/getCluster:getCluster",
        _narrow_cluster(["10.200.0.0/15"], ["172.16.0.0/12", "192.168.0.0/16"]),
    )
    run = run_cluster(mock_engine, hub_config(cluster={"mode": "existing", "name": "legacy"}))
    # 443 from 2 node + 2 pod CIDRs and the deployer's, DNS (TCP, UDP) from 2 pod CIDRs, the DNS rules
    # again in the cloud nodes' DNS group
    assert len(run.by_type(INGRESS)) == 9 + 4


def test_existing_cluster_says_what_it_will_not_change(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        mocks._INVOKES,
        "aws:eks/getCluster:getCluster",
        _narrow_cluster(
            ["10.0.0.0/8"],
            ["172.16.0.0/12", "192.168.0.0/16"],
            vpcConfig={
                "clusterSecurityGroupId": "sg-0aaaaaaaaaaaaaaaa",
                "vpcId": "vpc-0bbbbbbbbbbbbbbbb",
                "endpointPrivateAccess": True,
                "endpointPublicAccess": True,
                "subnetIds": [],
                "securityGroupIds": [],
                "publicAccessCidrs": [],
                "controlPlaneEgressMode": "AWS_MANAGED",
            },
        ),
    )
    run = run_cluster(mock_engine, hub_config(cluster={"mode": "existing", "name": "legacy"}))
    warnings = " ".join(run.warnings)
    assert "both public and private" in warnings
    assert "vpc-0bbbbbbbbbbbbbbbb" in warnings


def test_a_version_near_its_end_of_support_warns_without_changing_the_plan(
    mock_engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1.34 leaves EKS standard support on 2026-12-02. The check takes the date, so this is deterministic.
    from datetime import date

    # Validated against the test's dates only (model_copy skips the clock-based version check).
    base = hub_config()
    hub = base.model_copy(update={"cluster": base.cluster.model_copy(update={"kubernetes_version": "1.34"})})

    def run_on(day: date) -> OfflineRun:
        monkeypatch.setattr(cluster_component, "today_utc", lambda: day)
        args = hybrid_cluster_args(hub)
        return mock_engine.run(lambda: HybridCluster("edge", args) and None, stack="example-hub")

    near, far = run_on(date(2026, 11, 29)), run_on(date(2026, 6, 1))
    [warning] = near.warnings
    assert "Kubernetes 1.34 reaches the end of EKS standard support on 2026-12-02 (in 3 days)" in warning
    assert far.warnings == ()
    assert [(r.urn, r.inputs) for r in near.resources] == [(r.urn, r.inputs) for r in far.resources]


def test_a_program_building_a_public_cluster_without_access_cidrs_is_refused(mock_engine: MockEngine) -> None:
    # The stack's config rules refuse this first; a program that builds ClusterConfig itself meets the
    # same refusal from the component, before anything is declared.
    base = hub_config()
    hub = base.model_copy(
        update={"cluster": base.cluster.model_copy(update={"endpoint_access": "public", "api_access": None})}
    )
    caught: list[ArgumentsError] = []

    def program() -> None:
        try:
            HybridCluster("edge", hybrid_cluster_args(hub))
        except ArgumentsError as exc:
            caught.append(exc)

    run = mock_engine.run(program, stack="example-hub")
    assert [r for r in run.resources if r.custom] == []
    [problem] = caught[0].problems
    assert (problem.file, problem.path) == ("HybridCluster 'edge'", "public_access_cidrs")
    assert "a public endpoint needs public_access_cidrs" in problem.rule
