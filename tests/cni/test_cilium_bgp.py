"""Cilium BGP control plane objects and `CiliumBgpPeering`: shape per Cilium's BGP control plane v2 docs
(docs.cilium.io/en/v1.18/network/bgp-control-plane/bgp-control-plane-v2/) and AWS's hybrid nodes BGP page."""

from __future__ import annotations

import ast
from pathlib import Path

import pulumi
import pytest

import eks_hybrid.components.cni.bgp as bgp_module
from eks_hybrid.components.cni.bgp import (
    ADVERTISE_LABEL,
    PEER_CONFIG_NAME,
    SITE_LABEL,
    asn_problem,
    bgp_api_version,
    cluster_config,
    pod_advertisement,
    site_bgp_objects,
)
from eks_hybrid.components.errors import ArgumentsError

MANAGED = {"app.kubernetes.io/managed-by": "eks-hybrid"}


@pytest.mark.parametrize(
    ("chart", "api"),
    [
        ("1.16.6", "cilium.io/v2alpha1"),
        ("1.17.13-1", "cilium.io/v2alpha1"),
        ("1.18.0", "cilium.io/v2"),
        ("1.18.4", "cilium.io/v2"),
        ("2.0.1", "cilium.io/v2"),
    ],
)
def test_api_version_follows_the_cilium_release(chart, api):
    assert bgp_api_version(chart) == api


def test_the_three_objects_reference_each_other():
    peer, advertisement, cluster = site_bgp_objects(
        "austin", cluster_asn=65100, router_address="10.60.0.1", router_asn=65030, chart_version="1.18.4"
    )
    assert [peer["kind"], advertisement["kind"], cluster["kind"]] == [
        "CiliumBGPPeerConfig",
        "CiliumBGPAdvertisement",
        "CiliumBGPClusterConfig",
    ]
    instance = cluster["spec"]["bgpInstances"][0]
    assert instance["localASN"] == 65100
    assert instance["peers"] == [
        {
            "name": "austin-router",
            "peerASN": 65030,
            "peerAddress": "10.60.0.1",
            "peerConfigRef": {"name": PEER_CONFIG_NAME},
        }
    ]
    assert peer["metadata"]["name"] == PEER_CONFIG_NAME
    selector = peer["spec"]["families"][0]["advertisements"]["matchLabels"]
    assert selector == {ADVERTISE_LABEL[0]: ADVERTISE_LABEL[1]}
    assert selector.items() <= advertisement["metadata"]["labels"].items()
    assert advertisement["spec"]["advertisements"] == [{"advertisementType": "PodCIDR"}]
    assert peer["spec"]["families"][0] | {"advertisements": None} == {
        "afi": "ipv4",
        "safi": "unicast",
        "advertisements": None,
    }
    # AWS's page: hold 30 s, keepalive 10 s, graceful restart 120 s
    assert peer["spec"]["timers"] == {"holdTimeSeconds": 30, "keepAliveTimeSeconds": 10}
    assert peer["spec"]["gracefulRestart"] == {"enabled": True, "restartTimeSeconds": 120}
    for document in (peer, advertisement, cluster):
        assert MANAGED.items() <= document["metadata"]["labels"].items()


def test_multi_pool_advertises_the_blocks_of_the_pools_eks_hybrid_made():
    # Cilium's page, "MultiPool IPAM": `PodCIDR` has no effect there; `CiliumPodIPPool` selects pools.
    from eks_hybrid.components.cni.pools import site_pod_pools

    advertisement = pod_advertisement("cilium.io/v2", "multiPool")
    [entry] = advertisement["spec"]["advertisements"]
    assert entry["advertisementType"] == "CiliumPodIPPool"
    pool_labels = site_pod_pools({"denver": "172.19.0.0/16"}, 25)[0].pool_object()["metadata"]["labels"]
    assert entry["selector"]["matchLabels"].items() <= pool_labels.items()


def test_each_site_selects_only_its_own_hybrid_nodes():
    config = cluster_config(
        "dallas", cluster_asn=65100, router_address="10.200.0.1", router_asn=65010, api_version="cilium.io/v2"
    )
    assert config["metadata"]["name"] == "eks-hybrid-dallas"
    assert config["spec"]["nodeSelector"] == {
        "matchLabels": {SITE_LABEL: "dallas", "eks.amazonaws.com/compute-type": "hybrid"}
    }


def test_the_nodes_and_the_router_need_different_asns():
    with pytest.raises(ValueError, match="peer over eBGP"):
        cluster_config("d", cluster_asn=65010, router_address="10.0.0.1", router_asn=65010, api_version="v")
    with pytest.raises(ValueError, match="not an ASN"):
        cluster_config("d", cluster_asn=0, router_address="10.0.0.1", router_asn=65010, api_version="v")


@pytest.mark.parametrize(
    ("asn", "problem"),
    [(65100, None), (4200000000, None), (23456, "asn-reserved"), (64500, "asn-reserved"), (0, "invalid-asn")],
)
def test_asn_rule(asn, problem):
    found = asn_problem(asn)
    assert (found is None) if problem is None else (found is not None and found.code == problem)


def test_the_module_imports_nothing_from_pulumi():
    tree = ast.parse(Path(bgp_module.__file__).read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not any(name.startswith("pulumi") for name in imported)


def _peering(args, name="edge-bgp"):
    import pulumi_kubernetes as k8s

    from eks_hybrid.components.cni import CiliumBgpPeering

    provider = k8s.Provider("k8s", kubeconfig='{"apiVersion": "v1", "kind": "Config"}')
    return CiliumBgpPeering(name, args, pulumi.ResourceOptions(providers=[provider])), provider


def test_the_component_applies_the_objects_named_by_role_and_site(mock_engine):
    from eks_hybrid.components.cni import CILIUM_BGP_PEERING, CiliumBgpPeer, CiliumBgpPeeringArgs

    args = CiliumBgpPeeringArgs(
        cluster_asn=65100,
        peers={
            "austin": CiliumBgpPeer(address="10.60.0.1", asn=65030),
            "seattle": CiliumBgpPeer(address="10.61.0.1", asn=65031),
        },
        chart_version="1.18.5-0",
    )

    def program() -> None:
        _peering(args)

    run = mock_engine.run(program, stack="bgp")
    component = run.named("edge-bgp")
    provider = run.named("k8s").urn
    assert component.type == CILIUM_BGP_PEERING
    expected = site_bgp_objects(
        "austin", cluster_asn=65100, router_address="10.60.0.1", router_asn=65030, chart_version="1.18.5-0"
    )
    for child, document in zip(
        ("edge-bgp-peer-config", "edge-bgp-advertisement", "edge-bgp-austin-cluster-config"),
        expected,
        strict=True,
    ):
        resource = run.named(child)
        assert resource.type == f"kubernetes:cilium.io/v2:{document['kind']}"
        assert resource.parent == component.urn
        assert resource.provider is not None and resource.provider.startswith(provider)  # from the options
        assert resource.inputs["spec"] == document["spec"]
        assert resource.inputs["metadata"] == document["metadata"]
    seattle = run.named("edge-bgp-seattle-cluster-config").inputs
    assert seattle["metadata"]["name"] == "eks-hybrid-seattle"
    assert seattle["spec"]["bgpInstances"][0]["peers"][0]["peerAddress"] == "10.61.0.1"
    assert len(run.by_type("kubernetes:cilium.io/v2:CiliumBGPClusterConfig")) == 2


def test_values_from_outputs_are_placed_when_they_resolve(mock_engine):
    from eks_hybrid.components.cni import CiliumBgpPeer, CiliumBgpPeeringArgs

    def program() -> None:
        _peering(
            CiliumBgpPeeringArgs(
                cluster_asn=pulumi.Output.from_input(65100),
                peers={"denver": CiliumBgpPeer(address=pulumi.Output.from_input("10.202.0.1"), asn=65040)},
                ipam="multiPool",
                chart_version="1.17.13-1",
            )
        )

    run = mock_engine.run(program, stack="bgp")
    cluster = run.named("edge-bgp-denver-cluster-config")
    assert cluster.type == "kubernetes:cilium.io/v2alpha1:CiliumBGPClusterConfig"
    assert cluster.inputs["spec"]["bgpInstances"][0]["localASN"] == 65100
    advertisement = run.named("edge-bgp-advertisement").inputs["spec"]["advertisements"][0]
    assert advertisement["advertisementType"] == "CiliumPodIPPool"


def test_bad_arguments_are_refused_all_at_once(mock_engine):
    from eks_hybrid.components.cni import CiliumBgpPeer, CiliumBgpPeeringArgs

    raised: list[ArgumentsError] = []

    def program() -> None:
        try:
            _peering(
                CiliumBgpPeeringArgs(
                    cluster_asn=65030,
                    peers={
                        "austin": CiliumBgpPeer(address="10.60.0.300", asn=65030),
                        "bad site!": CiliumBgpPeer(address="10.1.0.1", asn=23456),
                    },
                    ipam="kubernetes",
                    chart_version="latest",
                )
            )
        except ArgumentsError as error:
            raised.append(error)

    mock_engine.run(program, stack="bgp")
    [error] = raised
    paths = {problem.path: problem.rule for problem in error.problems}
    assert set(paths) == {
        "ipam",
        "chart_version",
        "peers.bad site!",
        "peers.austin.address",
        "peers.austin.asn",
        "peers.bad site!.asn",
    }
    assert "is also cluster_asn" in paths["peers.austin.asn"]
    assert "reserved" in paths["peers.bad site!.asn"]
