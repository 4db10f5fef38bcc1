"""Cilium BGP control plane objects: shape per Cilium's v2 BGP docs and AWS's hybrid nodes BGP page."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import eks_hybrid.components.cni.bgp as bgp_module
from eks_hybrid.components.cni.bgp import (
    ADVERTISE_LABEL,
    PEER_CONFIG_NAME,
    SITE_LABEL,
    bgp_api_version,
    cluster_config,
    site_bgp_objects,
)


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
    assert advertisement["metadata"]["labels"] == selector == {ADVERTISE_LABEL[0]: ADVERTISE_LABEL[1]}
    assert advertisement["spec"]["advertisements"] == [{"advertisementType": "PodCIDR"}]
    assert peer["spec"]["families"][0] | {"advertisements": None} == {
        "afi": "ipv4",
        "safi": "unicast",
        "advertisements": None,
    }
    # AWS's page: hold 30 s, keepalive 10 s, graceful restart 120 s
    assert peer["spec"]["timers"] == {"holdTimeSeconds": 30, "keepAliveTimeSeconds": 10}
    assert peer["spec"]["gracefulRestart"] == {"enabled": True, "restartTimeSeconds": 120}


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
    with pytest.raises(ValueError, match="outside"):
        cluster_config("d", cluster_asn=0, router_address="10.0.0.1", router_asn=65010, api_version="v")


def test_the_module_imports_nothing_from_pulumi():
    tree = ast.parse(Path(bgp_module.__file__).read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not any(name.startswith("pulumi") for name in imported)


def test_the_objects_apply_as_custom_resources_named_by_kind_and_name(mock_engine):
    import pulumi
    import pulumi_kubernetes as k8s

    from eks_hybrid.components.cni.bgp_peering import (
        CILIUM_BGP_PEERING,
        CiliumBgpPeering,
        CiliumBgpPeeringArgs,
    )

    objects = site_bgp_objects(
        "austin", cluster_asn=65100, router_address="10.60.0.1", router_asn=65030, chart_version="1.18.4"
    )

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig='{"apiVersion": "v1", "kind": "Config"}')
        peering = CiliumBgpPeering(
            "austin-bgp", CiliumBgpPeeringArgs(objects=objects), pulumi.ResourceOptions(providers=[provider])
        )
        for resource in peering.resources:
            assert resource.get_provider("kubernetes:cilium.io/v2:CiliumBGPPeerConfig") is provider

    run = mock_engine.run(program, stack="bgp")
    component = run.named("austin-bgp")
    assert component.type == CILIUM_BGP_PEERING
    cluster = run.named("austin-bgp-ciliumbgpclusterconfig-eks-hybrid-austin")
    assert cluster.type == "kubernetes:cilium.io/v2:CiliumBGPClusterConfig"
    assert cluster.parent == component.urn
    assert cluster.inputs["spec"] == objects[2]["spec"]
    assert (
        run.named("austin-bgp-ciliumbgppeerconfig-eks-hybrid-onprem-router").inputs["spec"]
        == objects[0]["spec"]
    )
    assert run.named("austin-bgp-ciliumbgpadvertisement-eks-hybrid-pod-cidr").inputs["metadata"][
        "labels"
    ] == {ADVERTISE_LABEL[0]: ADVERTISE_LABEL[1]}
