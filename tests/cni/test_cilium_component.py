"""`Cilium` and `HybridConfig` under the mock engine."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from eks_hybrid.components.cni import Cilium, CiliumArgs, HybridConfig, HybridConfigArgs
from eks_hybrid.components.cni.values import cilium_values
from eks_hybrid.offline.engine import OfflineRun
from tests.conftest import MockEngine

PODS = ["172.18.0.0/16", "192.168.0.0/16"]
KUBECONFIG = '{"apiVersion": "v1", "kind": "Config"}'


def run_cni(engine: MockEngine, args: CiliumArgs | None = None) -> OfflineRun:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig=KUBECONFIG)
        in_cluster = pulumi.ResourceOptions(providers=[provider])
        cilium = Cilium("cni", args or CiliumArgs(pod_cidrs=PODS), in_cluster)
        hybrid = HybridConfig(
            "palette", HybridConfigArgs(service_cidr="172.20.0.0/16", vpc_cidr="10.100.0.0/16"), in_cluster
        )
        # Both in-cluster resources go through the cluster's provider, never an ambient kubeconfig.
        assert cilium.release.get_provider("kubernetes:helm.sh/v3:Release") is provider
        assert hybrid.config_map.get_provider("kubernetes:core/v1:ConfigMap") is provider

    return engine.run(program, stack="cni")


def test_the_default_is_awss_build_of_a_line_aws_supports(mock_engine: MockEngine) -> None:
    # AWS supports Cilium 1.17.x and 1.18.x on hybrid nodes, from its own build in ECR Public; AWS's E2E
    # installs v1.18.5-0.
    inputs = run_cni(mock_engine).named("cni-release").inputs
    assert inputs["chart"] == "oci://public.ecr.aws/eks/cilium/cilium"
    assert inputs["version"] == "1.18.5-0"
    assert not inputs.get("repositoryOpts")


def test_release_from_the_upstream_repository(mock_engine: MockEngine) -> None:
    args = CiliumArgs(
        pod_cidrs=PODS, chart_version="1.18.4", repository="https://helm.cilium.io/", pod_cidr_mask_size=25
    )
    run = run_cni(mock_engine, args)
    release = run.named("cni-release")
    assert release.type == "kubernetes:helm.sh/v3:Release"
    assert release.parent == run.named("cni").urn
    inputs = release.inputs
    assert inputs["chart"] == "cilium"
    assert inputs["repositoryOpts"] == {"repo": "https://helm.cilium.io/"}
    assert inputs["version"] == "1.18.4"
    assert inputs["namespace"] == "kube-system"
    assert inputs["name"] == "cilium"
    assert inputs["skipAwait"] is True
    assert inputs["values"] == cilium_values(PODS, 25)


def test_release_from_aws_oci_registry(mock_engine: MockEngine) -> None:
    args = CiliumArgs(
        pod_cidrs=PODS,
        chart_version="1.17.13-1",
        repository="oci://public.ecr.aws/eks/cilium/cilium",
        bgp_control_plane=True,
    )
    inputs = run_cni(mock_engine, args).named("cni-release").inputs
    assert inputs["chart"] == "oci://public.ecr.aws/eks/cilium/cilium"
    assert "repositoryOpts" not in inputs or not inputs["repositoryOpts"].get("repo")
    assert inputs["version"] == "1.17.13-1"
    assert inputs["values"]["bgpControlPlane"] == {"enabled": True}


def test_release_uses_the_cluster_provider(mock_engine: MockEngine) -> None:
    run = run_cni(mock_engine)  # the program asserts the provider of each resource
    [provider] = run.by_type("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == KUBECONFIG


def test_hybrid_config_map(mock_engine: MockEngine) -> None:
    run = run_cni(mock_engine)
    config_map = run.named("palette-configmap")
    assert config_map.type == "kubernetes:core/v1:ConfigMap"
    assert config_map.parent == run.named("palette").urn
    assert run.named("palette").type == "eks-hybrid:cni:HybridConfig"
    assert config_map.inputs["metadata"]["name"] == "hybrid-config"
    assert config_map.inputs["metadata"]["namespace"] == "kube-system"
    assert config_map.inputs["data"] == {"serviceCIDR": "172.20.0.0/16", "vpcCIDR": "10.100.0.0/16"}
