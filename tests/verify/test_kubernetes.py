"""Hybrid nodes in Kubernetes: documents shaped and validated by the Kubernetes OpenAPI (v1.34 core) and
Cilium's CiliumNode CRD schemas, served over real HTTP to the official client for the adapter's tests."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from eks_hybrid.components.cluster.planning import kubeconfig
from eks_hybrid.components.cni.pools import site_pod_pools
from eks_hybrid.verify.checks.kubernetes import ClusterState, check_kubernetes
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import KubernetesIntent
from eks_hybrid.verify.kube import KubernetesReader
from palette_emulator import LiveServer

from .conftest import assert_valid, cilium_node_validator, hub_config, only, validator_for

SITES = hub_config().sites  # dallas 10.200/16 + 192.168/16, chicago 10.201/16 + 172.18/16, denver ...


def node(name: str, ip: str, *, site: str | None, ready: bool = True) -> dict[str, Any]:
    labels = {"eks.amazonaws.com/compute-type": "hybrid", "kubernetes.io/hostname": name}
    if site:
        labels["eks-hybrid/site"] = site
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels, "uid": f"uid-{name}", "resourceVersion": "1"},
        "spec": {"providerID": f"eks-hybrid:///us-west-2/edge-prod/{name}"},
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True" if ready else "Unknown",
                    "reason": "KubeletReady" if ready else "NodeStatusUnknown",
                    "message": "kubelet is posting ready status"
                    if ready
                    else "Kubelet stopped posting node status.",
                    "lastHeartbeatTime": "2026-11-29T06:00:00Z",
                    "lastTransitionTime": "2026-11-29T05:00:00Z",
                }
            ],
        },
    }


def agent(node_name: str, *, ready: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"cilium-{node_name[-2:]}",
            "namespace": "kube-system",
            "labels": {"k8s-app": "cilium"},
        },
        "spec": {
            "nodeName": node_name,
            "containers": [{"name": "cilium-agent", "image": "quay.io/cilium/cilium:v1.17.6"}],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "cilium-agent",
                    "ready": ready,
                    "restartCount": 0 if ready else 7,
                    "image": "quay.io/cilium/cilium:v1.17.6",
                    "imageID": "quay.io/cilium/cilium@sha256:0",
                    "started": ready,
                    "state": {"running": {"startedAt": "2026-11-29T05:00:00Z"}}
                    if ready
                    else {"waiting": {"reason": "CrashLoopBackOff"}},
                }
            ],
        },
    }


def cilium_node(name: str, pod_cidrs: list[str], *, pool: str | None = None) -> dict[str, Any]:
    """Multi-pool when `pool` names the pool the node drew from, else cluster-pool (`spec.ipam.podCIDRs`)."""
    ipam: dict[str, Any] = (
        {
            "pools": {
                "allocated": [{"pool": pool, "cidrs": pod_cidrs}],
                "requested": [{"pool": pool, "needed": {"ipv4-addrs": 16}}],
            }
        }
        if pool
        else {"podCIDRs": pod_cidrs}
    )
    return {
        "apiVersion": "cilium.io/v2",
        "kind": "CiliumNode",
        "metadata": {"name": name},
        "spec": {"addresses": [{"ip": "10.200.0.11", "type": "InternalIP"}], "ipam": ipam},
    }


def validated(nodes: list[Any], pods: list[Any], cilium_nodes: list[Any]) -> ClusterState:
    assert_valid(
        validator_for("io.k8s.api.core.v1.NodeList"),
        {"apiVersion": "v1", "kind": "NodeList", "metadata": {}, "items": nodes},
    )
    assert_valid(
        validator_for("io.k8s.api.core.v1.PodList"),
        {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": pods},
    )
    for item in cilium_nodes:
        assert_valid(cilium_node_validator(), item)
    return ClusterState(nodes=nodes, cilium_pods=pods, cilium_nodes=cilium_nodes)


# The hub's per-site pools, named by the program's own planner.
POOLS = {pool.site: pool.pool_name for pool in site_pod_pools(SITES, 25)}


def intent(**changes: Any) -> KubernetesIntent:
    values: dict[str, Any] = {
        "cluster_name": "edge-prod",
        "endpoint": None,
        "certificate_authority": None,
        "region": "us-west-2",
        "sites": SITES,
        "ipam": "multiPool",
        "pools": POOLS,
    }
    return KubernetesIntent(**{**values, **changes})


def healthy() -> ClusterState:
    return validated(
        [node("dallas-01", "10.200.0.11", site="dallas"), node("chicago-01", "10.201.0.11", site="chicago")],
        [agent("dallas-01"), agent("chicago-01")],
        [
            cilium_node("dallas-01", ["192.168.0.0/25"], pool="eks-hybrid-dallas"),
            cilium_node("chicago-01", ["172.18.0.0/25"], pool="eks-hybrid-chicago"),
        ],
    )


def test_ready_labelled_nodes_with_agents_and_their_own_sites_pod_cidrs_pass() -> None:
    results = check_kubernetes(intent(), healthy())
    assert all(f.status is Status.ok for f in results), [
        (f.check, f.detail) for f in results if f.status is not Status.ok
    ]
    assert (
        only(results, "chicago-01 pod CIDRs").detail
        == "172.18.0.0/25 from pool eks-hybrid-chicago, inside chicago's pod CIDR 172.18.0.0/16"
    )
    assert len(results) == 8


def test_a_block_of_another_sites_pool_fails() -> None:
    state = validated(
        [node("dallas-01", "10.200.0.11", site="dallas")],
        [agent("dallas-01")],
        [cilium_node("dallas-01", ["172.18.0.128/25"], pool="eks-hybrid-chicago")],
    )
    finding = only(check_kubernetes(intent(), state), "pod CIDRs")
    assert finding.status is Status.fail
    assert finding.detail == (
        "drew from pool eks-hybrid-chicago, not dallas's pool eks-hybrid-dallas; allocated 172.18.0.128/25"
        " (chicago's pod CIDR), outside dallas's pod CIDR 192.168.0.0/16: the VPC and the transit gateway"
        " route those addresses to another site, so pod traffic to this node is lost"
    )
    assert finding.remedy.startswith(
        "dallas's CiliumNodeConfig makes eks-hybrid-dallas the default pool of the nodes labelled"
        " eks-hybrid/site=dallas"
    )


def test_multi_pool_reads_pools_allocated_not_cluster_pool_pod_cidrs() -> None:
    """A node allocated under cluster-pool before the hub moved to multi-pool (a second site)."""
    state = validated(
        [node("dallas-01", "10.200.0.11", site="dallas")],
        [agent("dallas-01")],
        [cilium_node("dallas-01", ["192.168.0.0/25"])],
    )
    finding = only(check_kubernetes(intent(), state), "pod CIDRs")
    assert (finding.status, finding.detail) == (
        Status.fail,
        "allocated 192.168.0.0/25 in spec.ipam.podCIDRs (clusterPool IPAM), but the hub runs Cilium with"
        " multiPool IPAM: the node was allocated before the mode changed",
    )


def test_cluster_pool_checks_pod_cidrs_against_the_sites() -> None:
    one_site = {"dallas": SITES["dallas"]}
    single = intent(ipam="clusterPool", sites=one_site, pools={})
    own = validated(
        [node("dallas-01", "10.200.0.11", site="dallas")],
        [agent("dallas-01")],
        [cilium_node("dallas-01", ["192.168.0.0/25"])],
    )
    assert only(check_kubernetes(single, own), "pod CIDRs").detail == (
        "192.168.0.0/25 inside dallas's pod CIDR 192.168.0.0/16"
    )
    stray = validated(
        [node("dallas-01", "10.200.0.11", site="dallas")],
        [agent("dallas-01")],
        [cilium_node("dallas-01", ["10.99.0.0/25"])],
    )
    finding = only(check_kubernetes(single, stray), "pod CIDRs")
    assert finding.status is Status.fail
    assert finding.detail.startswith("allocated 10.99.0.0/25 (in no site's pod CIDR), outside dallas's")
    assert "eks-hybrid:cilium.ipam: multiPool" in finding.remedy
    # Several sites on cluster-pool means every site is on BGP (the config refuses it otherwise): the
    # node's block is advertised from its own site, whichever site's pod CIDR it lies in.
    bgp = validated(
        [node("dallas-01", "10.200.0.11", site="dallas")],
        [agent("dallas-01")],
        [cilium_node("dallas-01", ["172.18.0.128/25"])],
    )
    shared = only(check_kubernetes(intent(ipam="clusterPool", pools={}), bgp), "pod CIDRs")
    assert (shared.status, shared.detail) == (
        Status.ok,
        "172.18.0.128/25 (chicago's pod CIDR): cluster-pool IPAM over BGP, the block is advertised from"
        " dallas",
    )


def test_a_node_not_ready_without_its_site_label_or_a_running_agent_fails() -> None:
    state = validated(
        [node("dallas-01", "10.200.0.11", site=None, ready=False)],
        [agent("dallas-01", ready=False)],
        [cilium_node("dallas-01", ["192.168.0.0/25"], pool="eks-hybrid-dallas")],
    )
    results = check_kubernetes(intent(), state)
    assert only(results, "Ready").detail == "not Ready: Kubelet stopped posting node status."
    assert (
        only(results, "site label").detail
        == "no eks-hybrid/site label (its address is in dallas's node CIDR)"
    )
    assert only(results, "Cilium agent").detail == "cilium-01 is Running, containers not ready: cilium-agent"
    assert only(results, "pod CIDRs").status is Status.ok  # the address tells the site


def test_a_label_naming_another_site_than_the_address_fails() -> None:
    state = validated([node("dallas-01", "10.200.0.11", site="chicago")], [agent("dallas-01")], [])
    results = check_kubernetes(intent(), state)
    assert only(results, "site label").detail == (
        "eks-hybrid/site=chicago, but the node's address is in dallas's node CIDR"
    )
    assert (
        only(results, "pod CIDRs").detail
        == "no CiliumNode for this node: Cilium has not allocated it pod addresses"
    )


def test_no_agent_on_a_node_fails() -> None:
    state = validated(
        [node("dallas-01", "10.200.0.11", site="dallas")],
        [],
        [cilium_node("dallas-01", ["192.168.0.0/25"], pool="eks-hybrid-dallas")],
    )
    assert (
        only(check_kubernetes(intent(), state), "Cilium agent").detail
        == "no Cilium agent pod runs on the node"
    )


def test_a_site_checks_only_its_nodes_and_counts_them_against_its_edge_hosts() -> None:
    results = check_kubernetes(intent(only_site="dallas", expected_nodes=2), healthy())
    assert not [f for f in results if "chicago" in f.check]
    count = only(results, "site dallas nodes")
    assert (count.status, count.detail) == (
        Status.fail,
        "1 Ready hybrid node(s) for 2 edge host(s) in its pools",
    )
    assert (
        only(check_kubernetes(intent(only_site="dallas", expected_nodes=1), healthy()), "site dallas").status
        is Status.ok
    )


def test_a_hub_without_hybrid_nodes_warns() -> None:
    [finding] = check_kubernetes(intent(), validated([], [], []))
    assert (finding.status, finding.detail) == (Status.warn, "no hybrid node has joined the cluster")


# --- the adapter over real HTTP -----------------------------------------------------------------------

TOKEN = "k8s-aws-v1.ZmFrZS10b2tlbg"


@pytest.fixture
def api_server() -> Iterator[tuple[LiveServer, list[str]]]:
    """A Kubernetes API stand-in serving `healthy()`: nodes in two pages, checking selectors and the token."""
    state = healthy()
    seen: list[str] = []

    def authorised(request: Request) -> bool:
        seen.append(f"{request.url.path}?{request.url.query}")
        return request.headers.get("authorization") == f"Bearer {TOKEN}"

    async def nodes(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"kind": "Status", "code": 401}, status_code=401)
        assert request.query_params["labelSelector"] == "eks.amazonaws.com/compute-type=hybrid"
        first = request.query_params.get("continue") is None
        items = state.nodes[:1] if first else state.nodes[1:]
        meta = {"resourceVersion": "9", **({"continue": "page-2"} if first else {})}
        return JSONResponse({"apiVersion": "v1", "kind": "NodeList", "metadata": meta, "items": items})

    async def pods(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"kind": "Status", "code": 401}, status_code=401)
        assert request.query_params["labelSelector"] == "k8s-app=cilium"
        return JSONResponse(
            {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": list(state.cilium_pods)}
        )

    async def cilium(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"kind": "Status", "code": 401}, status_code=401)
        body = {
            "apiVersion": "cilium.io/v2",
            "kind": "CiliumNodeList",
            "metadata": {},
            "items": state.cilium_nodes,
        }
        return JSONResponse(body)

    app = Starlette(
        routes=[
            Route("/api/v1/nodes", nodes),
            Route("/api/v1/namespaces/kube-system/pods", pods),
            Route("/apis/cilium.io/v2/ciliumnodes", cilium),
        ]
    )
    with LiveServer(app) as server:
        yield server, seen


def test_the_adapter_reads_every_page_through_a_kubeconfig_file(api_server: Any, tmp_path: Path) -> None:
    server, seen = api_server
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server.url}}],
        "users": [{"name": "u", "user": {"token": TOKEN}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps(kubeconfig))
    reader = KubernetesReader.from_file(str(path), "ctx")
    state = reader.state()
    reader.close()
    assert [n["metadata"]["name"] for n in state.nodes] == ["dallas-01", "chicago-01"]
    assert len(state.cilium_pods) == 2 and len(state.cilium_nodes) == 2
    assert any("continue=page-2" in s for s in seen)
    assert all(f.status is Status.ok for f in check_kubernetes(intent(), state))


def test_the_built_kubeconfig_gets_its_token_from_aws_eks_get_token(
    api_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _ = api_server
    aws = tmp_path / "aws"
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": {"token": TOKEN},
    }
    aws.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/argv\necho '{json.dumps(credential)}'\n")
    aws.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    target = intent(endpoint=server.url, certificate_authority="LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t")
    reader = KubernetesReader.for_cluster(target)
    state = reader.state()
    reader.close()
    assert len(state.nodes) == 2
    built = kubeconfig("edge-prod", server.url, "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", "us-west-2")
    assert (tmp_path / "argv").read_text().split() == built["users"][0]["user"]["exec"]["args"]


def test_a_kubeconfig_needs_the_hubs_endpoint() -> None:
    with pytest.raises(ValueError, match="pass --kubeconfig FILE"):
        KubernetesReader.for_cluster(intent())
