"""Cilium per-site pod pools: the objects, and from the rendered plans, each site's nodes draw only from
their own site's pod CIDR."""

from __future__ import annotations

import ast
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.components.cni import values
from eks_hybrid.components.cni.pools import site_pod_pools
from eks_hybrid.components.domain.hub_outputs import hub_sites

SITES = {"dallas": "192.168.0.0/16", "chicago": "172.18.0.0/16"}  # each site's pod CIDR
POOL = "kubernetes:cilium.io/v2alpha1:CiliumPodIPPool"
NODE_CONFIG = "kubernetes:cilium.io/v2:CiliumNodeConfig"


def test_pools_module_never_imports_pulumi() -> None:
    tree = ast.parse((Path(__file__).resolve().parents[2] / "components/cni/pools.py").read_text())
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in modules if m.startswith("pulumi")]


def test_one_pool_and_one_node_config_per_site() -> None:
    [chicago, dallas] = site_pod_pools(SITES, 25)
    assert dallas.pool_object() == {
        "apiVersion": "cilium.io/v2alpha1",
        "kind": "CiliumPodIPPool",
        "metadata": {
            "name": "eks-hybrid-dallas",
            "labels": {"app.kubernetes.io/managed-by": "eks-hybrid", "eks-hybrid/site": "dallas"},
        },
        "spec": {"ipv4": {"cidrs": ["192.168.0.0/16"], "maskSize": 25}},
    }
    assert chicago.node_config_object() == {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNodeConfig",
        "metadata": {
            "name": "eks-hybrid-chicago-ip-pool",
            "namespace": "kube-system",
            "labels": {"app.kubernetes.io/managed-by": "eks-hybrid", "eks-hybrid/site": "chicago"},
        },
        "spec": {
            "defaults": {"ipam-default-ip-pool": "eks-hybrid-chicago"},
            "nodeSelector": {"matchLabels": {"eks-hybrid/site": "chicago"}},
        },
    }


def test_no_site_can_be_named_into_the_fallback_pool() -> None:
    default = {"default": "10.2.0.0/16"}
    [pool] = site_pod_pools(default, 24)
    assert pool.pool_name != "default"


def test_adding_a_site_only_adds_its_objects() -> None:
    before = {p.site: (p.pool_object(), p.node_config_object()) for p in site_pod_pools(SITES, 25)}
    grown = {"austin": "172.19.0.0/16", **SITES}
    after = {p.site: (p.pool_object(), p.node_config_object()) for p in site_pod_pools(grown, 25)}
    assert set(after) - set(before) == {"austin"}
    assert all(after[site] == before[site] for site in before)


# --- Helm values ------------------------------------------------------------------------------------


def test_multi_pool_values_for_the_118_line() -> None:
    result = values.cilium_values(["192.168.0.0/16"], 25, ipam="multiPool", cilium_line="1.18")
    assert result["ipam"] == {"mode": "multi-pool"}
    # 1.18 supports multi-pool in tunnel mode: AWS's VXLAN stays.
    assert (result["routingMode"], result["tunnelProtocol"]) == ("tunnel", "vxlan")
    assert result["endpointRoutes"] == {"enabled": True}
    assert result["enableIPv4Masquerade"] is False
    assert result["affinity"] == values.hybrid_affinity()
    # The operator registers the CRDs of the pools: on the cloud node group it runs before hybrid nodes.
    assert result["operator"]["affinity"] == values.cloud_affinity()


def test_multi_pool_values_for_the_117_line() -> None:
    result = values.cilium_values(["192.168.0.0/16"], 25, ipam="multiPool", cilium_line="1.17")
    # 1.17: "Multi-Pool IPAM may only be used in direct routing mode".
    assert result["routingMode"] == "native"
    assert result["autoDirectNodeRoutes"] is True
    assert result["directRoutingSkipUnreachable"] is True
    assert "tunnelProtocol" not in result


def test_multi_pool_values_refuse_an_unpinned_line() -> None:
    with pytest.raises(ValueError, match=r"pinned for Cilium 1\.17, 1\.18"):
        values.cilium_values(["192.168.0.0/16"], 25, ipam="multiPool", cilium_line="1.19")


def test_cluster_pool_keeps_the_order_it_is_given_so_new_sites_append() -> None:
    # Cilium: never change existing elements of clusterPoolIPv4PodCIDRList, only append. Sorting by address
    # would put a new 10.x site at index 0 and shift every other element.
    first = values.cilium_values(["192.168.0.0/16", "172.18.0.0/16"], 25)
    grown = values.cilium_values(["192.168.0.0/16", "172.18.0.0/16", "10.9.0.0/16"], 25)
    old = first["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"]
    new = grown["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"]
    assert new[: len(old)] == old


# --- from the rendered plans of the example stacks ------------------------------------------------------


def node_labels_of_site(plan: Any) -> list[dict[str, str]]:
    """The labels Palette puts on the nodes of each pool of a site stack (its HybridNodePool inputs)."""
    return [r.inputs["pool"].get("labels", {}) for r in plan.run.resources if "pool" in r.inputs]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector["matchLabels"].items())


def test_every_sites_nodes_draw_only_from_that_sites_pod_cidr(example_plans: dict[str, Any]) -> None:
    hub = example_plans["example-hub"]
    pools = {r.inputs["metadata"]["name"]: r.inputs["spec"]["ipv4"] for r in hub.run.by_type(POOL)}
    node_configs = [r.inputs for r in hub.run.by_type(NODE_CONFIG)]
    inventory = hub_sites(hub.run.outputs)
    release = next(r for r in hub.run.resources if r.type == "kubernetes:helm.sh/v3:Release")
    assert release.inputs["values"]["ipam"] == {"mode": "multi-pool"}
    assert "default" not in pools  # a node without the site label gets no address, never another site's

    for stack in ("example-dallas", "example-chicago", "example-denver"):
        plan = example_plans[stack]
        site = plan.run.outputs["site"]
        labels = node_labels_of_site(plan)
        assert labels, f"{stack} declares no node pools"
        for node in labels:
            assert node["eks-hybrid/site"] == site
            # Exactly one node config applies to this site's nodes, and it names this site's pool ...
            [config] = [c for c in node_configs if selects(c["spec"]["nodeSelector"], node)]
            assert config["metadata"]["namespace"] == "kube-system"
            pool = pools[config["spec"]["defaults"]["ipam-default-ip-pool"]]
            # ... whose only CIDR is this site's pod CIDR, which the VPC and TGW route to this site.
            assert pool["cidrs"] == [inventory[site]["podCidr"]]
            others = [IPv4Network(inventory[s]["podCidr"]) for s in inventory if s != site]
            assert not any(IPv4Network(pool["cidrs"][0]).overlaps(o) for o in others)


def test_the_users_own_labels_stay_beside_the_site_label(example_plans: dict[str, Any]) -> None:
    [dallas] = node_labels_of_site(example_plans["example-dallas"])
    assert dallas == {"site": "dallas", "eks-hybrid/site": "dallas"}
