"""Cluster-pool + BGP keeps Cilium's operator on hybrid nodes, as AWS supports it ("Configure CNI for hybrid
nodes": "Cilium is not supported by AWS when running on nodes in AWS Cloud"): the hub then declares no BGP
object, and each BGP site stack declares its own, after its node pools, behind a wait for the CRDs.
`eks-hybrid:cilium.operatorPlacement: cloud` keeps eks-hybrid 0.2's layout, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.components.cluster.planning import kubeconfig
from eks_hybrid.components.cni import bgp
from eks_hybrid.components.codes import Code
from eks_hybrid.components.composition.site_cilium import site_bgp
from eks_hybrid.components.domain.hub_outputs import HubOutput
from eks_hybrid.components.domain.inventory import SiteInventoryEntry
from eks_hybrid.components.errors import ConfigError, PlanError
from eks_hybrid.planner import Planner
from tests.conftest import copy_examples

OLD_LAYOUT = json.loads((Path(__file__).parent / "cilium-0.2-example-hub-ssm.json").read_text())
AUSTIN_BGP = {
    "CiliumBGPPeerConfig/eks-hybrid-austin-onprem-router",
    "CiliumBGPAdvertisement/eks-hybrid-austin-pod-cidr",
    "CiliumBGPClusterConfig/eks-hybrid-austin",
}


def _placement(value: str):
    def edit(config: dict[str, Any]) -> None:
        config["eks-hybrid:cilium"]["operatorPlacement"] = value

    return edit


def _wait_minutes(config: dict[str, Any]) -> None:
    config["eks-hybrid:site"]["ciliumCrdWaitMinutes"] = 90


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    default = Planner(copy_examples(tmp_path_factory.mktemp("default")), offline_secrets=True)
    kept = Planner(
        copy_examples(
            tmp_path_factory.mktemp("cloud"),
            {"example-hub-ssm": _placement("cloud"), "example-austin": _wait_minutes},
        ),
        offline_secrets=True,
    )
    longer = Planner(
        copy_examples(tmp_path_factory.mktemp("longer"), {"example-austin": _wait_minutes}),
        offline_secrets=True,
    )
    return {
        "hub": default.plan("example-hub-ssm").run,
        "austin": default.plan("example-austin").run,
        "hub cloud": kept.plan("example-hub-ssm").run,
        "austin cloud": kept.plan("example-austin").run,
        "austin longer": longer.plan("example-austin").run,
    }


def _bgp_objects(run: Any) -> dict[str, Any]:
    return {
        f"{r.inputs['kind']}/{r.inputs['metadata']['name']}": r
        for r in run.resources
        if ":CiliumBGP" in r.type
    }


def _operator_affinity(run: Any) -> str:
    release = next(r for r in run.resources if r.type == "kubernetes:helm.sh/v3:Release")
    return json.dumps(release.inputs["values"]["operator"]["affinity"])


def test_a_cluster_pool_bgp_hub_runs_the_operator_on_hybrid_nodes_and_declares_no_bgp_object(runs):
    hub = runs["hub"]
    assert _bgp_objects(hub) == {}
    assert not [r for r in hub.resources if r.name.endswith("-cilium-crds")]
    assert "eks.amazonaws.com/compute-type" in _operator_affinity(hub)
    assert "eks-hybrid/capacity" not in _operator_affinity(hub)
    # Cilium no longer waits for the cloud node group.
    release = hub.named("edge-lab-cilium-release")
    assert not [d for d in release.dependencies if "nodeGroup" in d]
    assert hub.outputs[HubOutput.CILIUM_OPERATOR_PLACEMENT] == "hybrid"
    # The plan says who declares them, and that a site without a stack gets none (seattle has no stack).
    [note] = [w for w in hub.warnings if f"[{Code.CILIUM_BGP_IN_SITES}]" in w]
    assert "austin, seattle" in note and "without a site stack" in note
    assert not [w for w in runs["hub cloud"].warnings if f"[{Code.CILIUM_BGP_IN_SITES}]" in w]


def test_the_bgp_site_declares_its_own_objects_after_its_node_pools(runs):
    austin = runs["austin"]
    objects = _bgp_objects(austin)
    assert set(objects) == AUSTIN_BGP
    wait = austin.named("austin-cilium-crds")
    for resource in objects.values():
        assert wait.urn in resource.dependencies, resource.urn
        assert resource.provider is not None and resource.provider.endswith("::austin-k8s")
    pools = [r.urn for r in austin.resources if r.parent and "PaletteNodePools" in r.parent]
    assert pools and set(pools) <= set(wait.dependencies), "the wait follows the node pools"
    assert wait.inputs["operatorPlacement"] == "hybrid"  # its error names the hybrid nodes not joined
    assert wait.inputs["timeoutSeconds"] == 45 * 60
    assert set(wait.inputs["crds"]) == {
        "ciliumbgpadvertisements.cilium.io",
        "ciliumbgpclusterconfigs.cilium.io",
        "ciliumbgppeerconfigs.cilium.io",
    }
    # The cluster config uses the site's own peer config, which selects only the site's advertisement.
    cluster = objects["CiliumBGPClusterConfig/eks-hybrid-austin"].inputs["spec"]
    assert cluster["bgpInstances"][0]["peers"][0]["peerConfigRef"] == {
        "name": "eks-hybrid-austin-onprem-router"
    }
    peer = objects["CiliumBGPPeerConfig/eks-hybrid-austin-onprem-router"].inputs["spec"]
    advertisement = objects["CiliumBGPAdvertisement/eks-hybrid-austin-pod-cidr"].inputs["metadata"]
    assert peer["families"][0]["advertisements"]["matchLabels"].items() <= advertisement["labels"].items()
    assert advertisement["labels"]["eks-hybrid/site"] == "austin"


def test_the_sites_provider_uses_the_kubeconfig_the_hub_builds_for_itself(runs):
    hub, austin = runs["hub"].outputs, runs["austin"]
    provider = austin.named("austin-k8s")
    expected = kubeconfig(
        hub[HubOutput.CLUSTER_NAME],
        hub[HubOutput.CLUSTER_ENDPOINT],
        hub[HubOutput.CLUSTER_CERTIFICATE_AUTHORITY],
        "us-east-2",
    )
    assert json.loads(provider.inputs["kubeconfig"]) == expected


def test_the_wait_is_configurable(runs):
    assert runs["austin longer"].named("austin-cilium-crds").inputs["timeoutSeconds"] == 90 * 60


def test_two_sites_never_own_one_kubernetes_object():
    def names(site: str, per_site: bool) -> set[str]:
        objects = bgp.site_bgp_objects(
            site,
            cluster_asn=65100,
            router_address="10.0.0.1",
            router_asn=65001,
            chart_version="1.18.5-0",
            per_site=per_site,
        )
        return {f"{o['kind']}/{o['metadata']['name']}" for o in objects}

    assert names("austin", per_site=True).isdisjoint(names("seattle", per_site=True))
    # Declared by the hub, the peer config and advertisement are shared: one stack owns them.
    assert len(names("austin", per_site=False) & names("seattle", per_site=False)) == 2


def test_operator_placement_cloud_keeps_the_layout_of_0_2_byte_for_byte(runs):
    hub = runs["hub cloud"]
    kept = {r["urn"]: r for r in OLD_LAYOUT["resources"]}
    now = {r.urn: json.loads(json.dumps(r.to_json())) for r in hub.resources if r.urn in kept}
    assert set(now) == set(kept), "every URN of the 0.2 layout"
    # One value is new since 0.2: Cilium's upgradeCompatibility, the line the hub first installed.
    [release] = [urn for urn in now if urn.endswith("::edge-lab-cilium-release")]
    assert now[release]["inputs"]["values"].pop("upgradeCompatibility") == "1.17"
    # Plan documents say what a dynamic resource is since 0.2 (`kind`): the document's, not the resource's.
    [crds] = [urn for urn in now if urn.endswith("::edge-lab-cilium-crds")]
    assert now[crds].pop("kind") == {
        "token": "cilium:CrdsEstablished",
        "description": "Cilium CRDs established wait",
    }
    for urn, resource in kept.items():
        assert now[urn] == resource, urn
    assert hub.outputs[HubOutput.CILIUM_OPERATOR_PLACEMENT] == "cloud"
    # Its sites leave the BGP objects to the hub.
    assert _bgp_objects(runs["austin cloud"]) == {}
    assert not [r for r in runs["austin cloud"].resources if r.name.endswith("-cilium-crds")]


def test_multi_pool_with_the_operator_on_hybrid_nodes_is_refused(tmp_path):
    planner = Planner(copy_examples(tmp_path, {"example-hub": _placement("hybrid")}), offline_secrets=True)
    with pytest.raises(ConfigError) as raised:
        planner.plan("example-hub")
    [problem] = raised.value.problems
    assert problem.path == "eks-hybrid:cilium.operatorPlacement"
    assert problem.code == Code.OPERATOR_PLACEMENT


ENTRY = SiteInventoryEntry.model_validate(
    {
        "nodeCidr": "10.60.0.0/16",
        "podCidr": "192.168.0.0/17",
        "bgpPeer": {"address": "10.60.0.1", "asn": 65030},
    }
)
HUB = {
    HubOutput.CILIUM_OPERATOR_PLACEMENT: "hybrid",
    HubOutput.CILIUM_BGP_CONTROL_PLANE: True,
    HubOutput.CILIUM_CLUSTER_ASN: 65100.0,  # numbers arrive as doubles through a StackReference
    HubOutput.CILIUM_CHART_VERSION: "1.17.13-1",
    HubOutput.CLUSTER_NAME: "edge-lab",
    HubOutput.CLUSTER_ENDPOINT: "https://example.eks.amazonaws.com",
    HubOutput.CLUSTER_CERTIFICATE_AUTHORITY: "Q0E=",
    HubOutput.REGION: "us-east-2",
}


def _site_bgp(outputs: dict[str, Any], entry: SiteInventoryEntry = ENTRY) -> Any:
    return site_bgp(
        "austin", entry, outputs, ipam="clusterPool", wait_minutes=45, file="Pulumi.x.yaml", hub="hub"
    )


def test_who_declares_a_sites_bgp_objects():
    found = _site_bgp(HUB)
    assert found is not None and found.cluster_asn == 65100 and found.wait_seconds == 2700
    # A hub of 0.2 exports no placement: it declares them itself, as does a hub with the operator on cloud.
    assert _site_bgp({k: v for k, v in HUB.items() if k != HubOutput.CILIUM_OPERATOR_PLACEMENT}) is None
    assert _site_bgp({**HUB, HubOutput.CILIUM_OPERATOR_PLACEMENT: "cloud"}) is None
    assert _site_bgp({**HUB, HubOutput.CILIUM_BGP_CONTROL_PLANE: False}) is None
    assert _site_bgp(HUB, ENTRY.model_copy(update={"bgp_peer": None})) is None
    with pytest.raises(PlanError) as raised:
        _site_bgp({k: v for k, v in HUB.items() if k != HubOutput.CLUSTER_ENDPOINT})
    [problem] = raised.value.problems
    assert problem.code == Code.HUB_OUTPUTS_MISSING and HubOutput.CLUSTER_ENDPOINT in problem.rule
