"""`declare_eks_side` for both example hubs: what it declares, how it is wired, what it exports."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pytest
import yaml

from eks_hybrid.components.cni.values import cloud_affinity, hybrid_affinity
from eks_hybrid.components.config import HubConfig
from eks_hybrid.components.config._eks_hub import (
    EKS_EXPORTS,
    EksSide,
    check_eks_side,
    declare_eks_side,
    eks_side_problems,
)
from eks_hybrid.offline.engine import OfflineRun
from eks_hybrid.offline.mocks import KNOWN_AFTER_APPLY
from tests.cluster.hubs import hub_config, load_hub
from tests.conftest import STACKS, MockEngine

COMMON = {
    "clusterName",
    "clusterArn",
    "clusterEndpoint",
    "clusterCertificateAuthority",
    "clusterSecurityGroupId",
    "dnsSecurityGroupId",
    "hybridNodeRoleArn",
    "credentialsProvider",
    "enableCredentialsFile",
    "ciliumIpamMode",
    "ciliumRoutingMode",
    "ciliumInstalledVersion",
}


Side = tuple[OfflineRun, HubConfig, dict[str, object]]
POOL = "kubernetes:cilium.io/v2alpha1:CiliumPodIPPool"


def run_side(engine: MockEngine, stack: str, path: Path | None = None) -> Side:
    hub, secret_keys = load_hub(path or STACKS / f"Pulumi.{stack}.yaml")
    seen: dict[str, object] = {}

    def program() -> None:
        side = declare_eks_side(hub.cluster.name, hub)
        seen["side"] = side
        for key, value in side.exports().items():
            pulumi.export(key, value)

    config = {key: "[secret]" for key in secret_keys}
    return engine.run(program, stack=stack, config=config, secret_keys=secret_keys), hub, seen


# Module-scoped: each example hub runs once under the mock engine (a fresh loop per run, as the fixture).
@pytest.fixture(scope="module")
def ira() -> Side:
    return run_side(MockEngine(), "example-hub")


@pytest.fixture(scope="module")
def ssm() -> Side:
    return run_side(MockEngine(), "example-hub-ssm")


@pytest.fixture(scope="module")
def ssm_cloud(tmp_path_factory: pytest.TempPathFactory) -> Side:
    """example-hub-ssm with `operatorPlacement: cloud`: eks-hybrid 0.2's layout (the hub declares BGP)."""
    document = yaml.safe_load((STACKS / "Pulumi.example-hub-ssm.yaml").read_text())
    document["config"]["eks-hybrid:cilium"]["operatorPlacement"] = "cloud"
    path = tmp_path_factory.mktemp("ssm-cloud") / "Pulumi.example-hub-ssm.yaml"
    path.write_text(yaml.safe_dump(document))
    return run_side(MockEngine(), "example-hub-ssm", path)


@pytest.fixture(scope="module")
def ssm_pod_identity(tmp_path_factory: pytest.TempPathFactory) -> Side:
    """example-hub-ssm with EKS Pod Identity on, which needs the nodes outside Palette (Palette's nodeadm
    provider writes enableCredentialsFile false): without `eks-hybrid:palette`."""
    document = yaml.safe_load((STACKS / "Pulumi.example-hub-ssm.yaml").read_text())
    document["config"].pop("eks-hybrid:palette")
    document["config"]["eks-hybrid:credentials"]["enableCredentialsFile"] = True
    path = tmp_path_factory.mktemp("pod-identity") / "Pulumi.example-hub-ssm.yaml"
    path.write_text(yaml.safe_dump(document))
    return run_side(MockEngine(), "example-hub-ssm", path)


def test_the_ssm_example_stack_validates() -> None:
    hub, secret_keys = load_hub(STACKS / "Pulumi.example-hub-ssm.yaml")
    assert hub.credentials.provider == "ssm"
    assert hub.credentials.ssm is not None
    assert secret_keys == []  # the Palette key comes from config set --secret or PALETTE_API_KEY
    example, _ = load_hub(STACKS / "Pulumi.example-hub.yaml")
    assert hub.cluster.name != example.cluster.name and hub.cluster.vpc_cidr != example.cluster.vpc_cidr


def test_iam_roles_anywhere_hub_exports(ira: Side) -> None:
    run, _hub, _ = ira
    # The example generates its CA: the certificate is exported, and the key as a secret (no other copy).
    assert set(run.outputs) == COMMON | {
        "trustAnchorArn",
        "profileArn",
        "rootCaCertificate",
        "rootCaPrivateKey",
    }
    assert set(run.outputs) <= set(EKS_EXPORTS)
    assert run.outputs["clusterName"] == "edge-prod"
    assert run.outputs["credentialsProvider"] == "iamRolesAnywhere"
    assert run.outputs["trustAnchorArn"].startswith("arn:aws:rolesanywhere:")
    assert run.outputs["profileArn"].startswith("arn:aws:rolesanywhere:")
    assert run.secret_outputs == frozenset({"rootCaPrivateKey"})
    assert run.outputs["rootCaCertificate"].startswith("-----BEGIN CERTIFICATE-----")


def test_ssm_hub_exports(ssm: Side) -> None:
    run, _hub, _ = ssm
    assert set(run.outputs) == COMMON | {"ssmActivationId", "ssmActivationCode"}
    assert run.outputs["clusterName"] == "edge-lab"
    assert run.outputs["credentialsProvider"] == "ssm"
    assert run.secret_outputs == frozenset({"ssmActivationCode"})
    assert run.outputs["ssmActivationCode"] == "[secret]"


def test_pod_identity_follows_enable_credentials_file(ira: Side, ssm: Side, ssm_pod_identity: Side) -> None:
    # With it on the role may AssumeRoleForPodIdentity on this cluster, and the export NodeConfigs are built
    # from says so; the example hubs (Palette-managed nodes) leave it off and grant nothing of the kind.
    for (run, hub, _), wanted in ((ssm_pod_identity, True), (ssm, False), (ira, False)):
        assert run.outputs["enableCredentialsFile"] is wanted
        policy = json.loads(run.named(f"{hub.cluster.name}-node-identity-node-policy").inputs["policy"])
        granted = [s for s in policy["Statement"] if s["Action"] == "eks-auth:AssumeRoleForPodIdentity"]
        assert granted == (
            [
                {
                    "Sid": "AssumeRoleForPodIdentity",
                    "Effect": "Allow",
                    "Action": "eks-auth:AssumeRoleForPodIdentity",
                    "Resource": run.outputs["clusterArn"],
                }
            ]
            if wanted
            else []
        )


def test_side_fields(ira: Side, ssm: Side) -> None:
    ira_side = ira[2]["side"]
    ssm_side = ssm[2]["side"]
    assert isinstance(ira_side, EksSide) and isinstance(ssm_side, EksSide)
    assert (ira_side.credentials_provider, ssm_side.credentials_provider) == ("iamRolesAnywhere", "ssm")
    # Identity outputs that do not apply resolve to nothing and are not exported.
    assert {"trustAnchorArn", "profileArn"} <= set(ira[0].outputs) and "ssmActivationId" not in ira[0].outputs
    assert {"ssmActivationId", "ssmActivationCode"} <= set(ssm[0].outputs) and "profileArn" not in ssm[
        0
    ].outputs
    assert ira_side.k8s_provider is ira_side.cluster.k8s_provider


@pytest.mark.parametrize("which", ["ira", "ssm"])
def test_access_entry_maps_the_node_role(which: str, request: pytest.FixtureRequest) -> None:
    run, hub, _ = request.getfixturevalue(which)
    entry = run.named(f"{hub.cluster.name}-hybrid-nodes")
    assert entry.inputs["type"] == "HYBRID_LINUX"
    assert entry.inputs["principalArn"] == run.outputs["hybridNodeRoleArn"]
    assert entry.inputs["clusterName"] == hub.cluster.name
    assert entry.parent == run.named(hub.cluster.name).urn


@pytest.mark.parametrize("which", ["ira", "ssm"])
def test_node_policy_is_scoped_to_this_cluster(which: str, request: pytest.FixtureRequest) -> None:
    run, hub, _ = request.getfixturevalue(which)
    policy = json.loads(run.named(f"{hub.cluster.name}-node-identity-node-policy").inputs["policy"])
    assert policy["Statement"][0]["Resource"] == run.outputs["clusterArn"]


def test_cluster_pool_is_the_remote_pod_networks_in_inventory_order(ssm: Side) -> None:
    # example-hub-ssm: cluster-pool, both sites on BGP through the transit gateway.
    run, hub, _ = ssm
    cluster = run.named(f"{hub.cluster.name}-eks").inputs
    release = run.named(f"{hub.cluster.name}-cilium-release").inputs
    pool = release["values"]["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"]
    assert pool == [entry.pod_cidr for entry in hub.sites.values()]
    assert sorted(pool) == sorted(cluster["remoteNetworkConfig"]["remotePodNetworks"]["cidrs"])
    assert release["values"]["ipam"]["operator"]["clusterPoolIPv4MaskSize"] == hub.cilium.pod_cidr_mask_size
    assert run.outputs["ciliumIpamMode"] == "clusterPool"
    # No pools (one cluster pool), and no BGP objects: with the operator on hybrid nodes each site stack
    # declares its own (composition/site_cilium.py).
    assert [r for r in run.resources if r.type.startswith("kubernetes:cilium.io")] == []
    assert release["values"]["operator"]["affinity"] == hybrid_affinity()
    assert (
        run.named(f"{hub.cluster.name}-cloud-nodes").urn
        not in run.named(f"{hub.cluster.name}-cilium-release").dependencies
    )


def test_cluster_pool_bgp_hub_leaves_the_bgp_objects_to_its_sites(ssm: Side) -> None:
    _run, hub, seen = ssm
    side = seen["side"]
    assert isinstance(side, EksSide) and side.bgp_peering is None
    assert hub.bgp_peers and hub.bgp_peers_in_hub == {}


@pytest.mark.parametrize("which", ["ira", "ssm_cloud"])
def test_each_site_with_a_bgp_peer_gets_its_cluster_config_after_cilium(
    which: str, request: pytest.FixtureRequest
) -> None:
    # example-hub: Cilium 1.18 (cilium.io/v2), multi-pool, only denver peers; example-hub-ssm with
    # operatorPlacement: cloud: 1.17 (v2alpha1), cluster-pool, both sites peer.
    run, hub, seen = request.getfixturevalue(which)
    name = hub.cluster.name
    side = seen["side"]
    assert isinstance(side, EksSide) and side.bgp_peering is not None
    api = "cilium.io/v2" if hub.cilium.chart_version.startswith("1.18.") else "cilium.io/v2alpha1"
    configs = run.by_type(f"kubernetes:{api}:CiliumBGPClusterConfig")
    assert {r.name: r.inputs["metadata"]["name"] for r in configs} == {
        f"{name}-cilium-bgp-{site}-cluster-config": f"eks-hybrid-{site}" for site in hub.bgp_peers
    }
    for resource in configs:
        site = resource.inputs["metadata"]["labels"]["eks-hybrid/site"]
        [instance] = resource.inputs["spec"]["bgpInstances"]
        assert instance["localASN"] == hub.cilium.cluster_asn
        [peer] = instance["peers"]
        wanted_peer = hub.bgp_peers[site]
        assert (peer["peerAddress"], peer["peerASN"]) == (wanted_peer.address, wanted_peer.asn)
        assert resource.inputs["spec"]["nodeSelector"]["matchLabels"]["eks-hybrid/site"] == site
    [advertisement] = run.by_type(f"kubernetes:{api}:CiliumBGPAdvertisement")
    wanted = "CiliumPodIPPool" if hub.cilium_ipam == "multiPool" else "PodCIDR"
    assert advertisement.inputs["spec"]["advertisements"][0]["advertisementType"] == wanted
    # After the release, through the cluster's provider; the operator that registers the CRDs runs on the
    # cloud node group, which exists first.
    release = run.named(f"{name}-cilium-release")
    component = run.named(f"{name}-cilium-bgp")
    assert all(release.urn in r.dependencies for r in configs)
    assert all(r.parent == component.urn for r in configs)
    assert all(r.provider and r.provider.startswith(run.named(f"{name}-k8s").urn) for r in configs)
    assert release.inputs["values"]["operator"]["affinity"] == cloud_affinity()
    assert run.named(f"{name}-cloud-nodes").urn in release.dependencies
    exported = run.outputs
    assert "ciliumClusterAsn" not in exported  # the EKS side's exports; the composition adds the config's


def test_multi_pool_declares_one_pool_per_site_over_its_pod_cidr(ira: Side) -> None:
    # example-hub: three statically routed sites, so multi-pool (the default with more than one site).
    run, hub, _ = ira
    release = run.named(f"{hub.cluster.name}-cilium-release").inputs
    assert release["values"]["ipam"] == {"mode": "multi-pool"}
    assert run.outputs["ciliumIpamMode"] == "multiPool"
    pools = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in run.by_type(POOL)}
    assert pools == {
        f"eks-hybrid-{site}": {"ipv4": {"cidrs": [entry.pod_cidr], "maskSize": hub.cilium.pod_cidr_mask_size}}
        for site, entry in hub.sites.items()
    }
    # The operator (which registers the pools' CRD) runs on the cloud node group, created first.
    assert (
        run.named(f"{hub.cluster.name}-cloud-nodes").urn
        in run.named(f"{hub.cluster.name}-cilium-release").dependencies
    )


def test_the_ssm_hub_pulls_cilium_from_aws_oci(ssm: Side) -> None:
    run, _, _ = ssm
    release = run.named("edge-lab-cilium-release").inputs
    assert release["chart"] == "oci://public.ecr.aws/eks/cilium/cilium"
    assert release["values"]["bgpControlPlane"] == {"enabled": True}
    cluster = run.named("edge-lab-eks").inputs
    assert cluster["vpcConfig"]["endpointPublicAccess"] is True
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is False
    assert cluster["accessConfig"]["authenticationMode"] == "API"


@pytest.mark.parametrize("which", ["ira", "ssm"])
def test_hybrid_config(which: str, request: pytest.FixtureRequest) -> None:
    run, hub, _ = request.getfixturevalue(which)
    config_map = run.named(f"{hub.cluster.name}-hybrid-config-configmap").inputs
    assert config_map["data"] == {"serviceCIDR": hub.cluster.service_cidr, "vpcCIDR": hub.cluster.vpc_cidr}


@pytest.mark.parametrize("which", ["ira", "ssm", "ssm_cloud"])
def test_type_tokens_and_names(which: str, request: pytest.FixtureRequest) -> None:
    run, hub, _ = request.getfixturevalue(which)
    name = hub.cluster.name
    components = {r.type: r.name for r in run.resources if not r.custom}
    assert components == {
        "eks-hybrid:cluster:HybridCluster": name,
        "eks-hybrid:identity:NodeIdentity": f"{name}-node-identity",
        "eks-hybrid:cni:Cilium": f"{name}-cilium",
        "eks-hybrid:cni:HybridConfig": f"{name}-hybrid-config",
        **(
            {"eks-hybrid:cni:CiliumSitePools": f"{name}-cilium-pools"}
            if hub.cilium_ipam == "multiPool"
            else {}
        ),
        **({"eks-hybrid:cni:CiliumBgpPeering": f"{name}-cilium-bgp"} if hub.bgp_peers_in_hub else {}),
    }
    assert all(r.name.startswith(f"{name}-") or r.name == name for r in run.resources)
    assert all(r.parent is not None for r in run.resources if r.custom)


def test_the_activation_expiry_counts_from_apply_time(ssm: Side) -> None:
    """The expiry is a `time` offset of the moment of creation: a plan shows it unknown, never a clock."""
    run, hub, _ = ssm
    assert hub.credentials.ssm is not None
    offset = run.named("edge-lab-node-identity-activation-expiry")
    assert offset.type == "time:index/offset:Offset"
    assert offset.inputs == {"offsetDays": hub.credentials.ssm.expiration_days}
    activation = run.named("edge-lab-node-identity-activation")
    assert activation.inputs["expirationDate"] == KNOWN_AFTER_APPLY
    assert offset.urn in activation.dependencies
    # Tags replace an activation (no update in the provider): they are set at creation only.
    assert activation.options["ignoreChanges"] == ["tags"]


def test_a_hub_that_cannot_be_planned_declares_nothing(mock_engine: MockEngine) -> None:
    hub = hub_config(
        cluster={"nodeGroup": {"instanceType": "t3.medium"}},
        credentials={"provider": "iamRolesAnywhere", "iamRolesAnywhere": {"certificateAuthorityPem": "nope"}},
    )
    run, error = mock_engine.run_refused(lambda: declare_eks_side("edge", hub), stack="broken")
    assert run.resources == ()
    assert {p.path for p in error.problems} == {
        "eks-hybrid:cluster.nodeGroup.instanceType",
        "eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPem",
    }
    assert all(p.file == "stacks/Pulumi.broken.yaml" for p in error.problems)


def test_check_eks_side_needs_no_resources(mock_engine: MockEngine) -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        seen["problems"] = eks_side_problems(hub_config(cluster={"mode": "existing", "name": "legacy"}), "f")
        check_eks_side(hub_config())

    run = mock_engine.run(program, stack="check")
    assert seen["problems"] == []
    assert run.resources == ()
