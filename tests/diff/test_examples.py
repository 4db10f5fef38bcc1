"""Deliberate changes to the example stacks, each diffed as a reviewer would see it.

A site added, a site removed, a host added, a profile version bumped, a key rotated, gateways and the
cluster replaced, Cilium's pool list edited in the middle: each produces the expected resource changes and,
where it should, a dangerous-change entry. The base plans are planned once per module.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_hybrid.diff.engine import PlanSet, ResourceDiff
from eks_hybrid.diff.format import COMMENT_MARKER, to_markdown, to_text
from eks_hybrid.diff.report import DiffReport, compare
from eks_hybrid.diff.sample import reno_site
from eks_hybrid.diff.sources import plan_directory
from eks_hybrid.topology.mermaid import to_mermaid

from ..conftest import STACKS

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def base() -> PlanSet:
    return plan_directory(STACKS, label="main")


def head(
    tmp_path: Path, edits: dict[str, Edit | None], new: dict[str, dict[str, Any]] | None = None
) -> PlanSet:
    """The examples with `edits` (None deletes that stack's file) and `new` stack files."""
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS, stacks)
    for name, edit in edits.items():
        path = stacks / f"Pulumi.{name}.yaml"
        if edit is None:
            path.unlink()
            continue
        document = yaml.safe_load(path.read_text())
        edit(document["config"])
        path.write_text(yaml.safe_dump(document))
    for name, config in (new or {}).items():
        (stacks / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))
    return plan_directory(stacks, label="head")


def changes(report: DiffReport, stack: str) -> dict[str, ResourceDiff]:
    [diff] = [s for s in report.stacks if s.stack == stack]
    return {r.name: r for r in diff.resources}


def kinds(report: DiffReport) -> list[str]:
    return sorted(d.kind for d in report.dangers)


def reno_config() -> dict[str, Any]:
    return reno_site(yaml.safe_load((STACKS / "Pulumi.example-chicago.yaml").read_text())["config"])


def add_reno_to_hub(config: dict[str, Any]) -> None:
    config["eks-hybrid:sites"]["reno"] = {
        "nodeCidr": "10.203.0.0/16",
        "podCidr": "172.17.0.0/16",
        "routeVia": "site",
    }


def test_nothing_changed_is_an_empty_diff(base: PlanSet) -> None:
    report = compare(base, base)
    assert report.totals() == {"create": 0, "replace": 0, "update": 0, "delete": 0}
    assert report.dangers == () and all(s.status == "unchanged" for s in report.stacks)


def test_a_site_added(base: PlanSet, tmp_path: Path) -> None:
    report = compare(base, head(tmp_path, {"example-hub": add_reno_to_hub}, {"example-reno": reno_config()}))
    [reno] = [s for s in report.stacks if s.stack == "example-reno"]
    assert reno.status == "added"
    created = {r.type for r in reno.resources if r.action == "create"}
    assert {"aws:ec2/customerGateway:CustomerGateway", "aws:ec2/vpnConnection:VpnConnection"} <= created
    hub = changes(report, "example-hub")
    # Remote networks change in place since terraform-provider-aws PR #42928: no cluster replacement.
    assert hub["edge-prod-eks"].action == "update"
    paths = {c.path: c for c in hub["edge-prod-eks"].changes}
    assert paths["remoteNetworkConfig.remoteNodeNetworks.cidrs[3]"].new == "10.203.0.0/16"
    assert paths["remoteNetworkConfig.remotePodNetworks.cidrs[0]"].new == "172.17.0.0/16"
    assert hub["edge-prod-cilium-pools-reno-pool"].action == "create"
    assert report.dangers == ()
    mermaid = to_mermaid(report.topology)
    assert '"+ site reno<br/>stack example-reno"' in mermaid and "class " in mermaid


def test_a_site_removed(base: PlanSet, tmp_path: Path) -> None:
    def drop_denver(config: dict[str, Any]) -> None:
        del config["eks-hybrid:sites"]["denver"]

    report = compare(base, head(tmp_path, {"example-hub": drop_denver, "example-denver": None}))
    [denver] = [s for s in report.stacks if s.stack == "example-denver"]
    assert denver.status == "removed" and {r.action for r in denver.resources} == {"delete"}
    association = changes(report, "example-denver")["denver-dx-association"]
    assert any("protected" in note for note in association.notes)
    assert changes(report, "example-hub")["edge-prod-eks"].action == "update"
    dangers = kinds(report)
    assert "remote-network-removal" not in dangers  # nothing uses denver's networks any more
    assert "cilium-pool-reorder" in dangers and "protected" in dangers
    assert '"- site denver<br/>stack example-denver"' in to_mermaid(report.topology)


def test_a_remote_network_removed_while_its_site_still_uses_it(base: PlanSet, tmp_path: Path) -> None:
    def drop_denver(config: dict[str, Any]) -> None:
        del config["eks-hybrid:sites"]["denver"]

    report = compare(base, head(tmp_path, {"example-hub": drop_denver}))
    [danger] = [
        d for d in report.dangers if d.kind == "remote-network-removal" and "10.202.0.0/16" in d.message
    ]
    assert "site denver (stack example-denver) still uses 10.202.0.0/16" in danger.message


def test_a_host_added(base: PlanSet, tmp_path: Path) -> None:
    def add_host(config: dict[str, Any]) -> None:
        config["eks-hybrid:site"]["nodePools"][0]["edgeHosts"].append(
            {"uid": "edge-8f3a2b1e", "name": "dallas-03"}
        )

    report = compare(base, head(tmp_path, {"example-dallas": add_host}))
    [pool] = changes(report, "example-dallas").values()
    assert (pool.name, pool.action) == ("dallas-workers", "update")
    [change] = pool.changes
    assert (change.path, change.kind, change.new) == (
        "pool.edgeHosts[2]",
        "added",
        {"name": "dallas-03", "uid": "edge-8f3a2b1e"},
    )
    assert report.dangers == ()
    assert '"+ dallas-03<br/>edge-8f3a2b1e"' in to_mermaid(report.topology)


def test_a_profile_version_bumped(base: PlanSet, tmp_path: Path) -> None:
    def bump(config: dict[str, Any]) -> None:
        config["eks-hybrid:palette"]["profile"]["version"] = "1.1.0"

    report = compare(base, head(tmp_path, {"example-hub": bump}))
    [profile] = changes(report, "example-hub").values()
    assert profile.action == "update"  # a new version is cloned: the profile resource is not replaced
    assert [(c.path, c.old, c.new) for c in profile.changes] == [("profile.version", "1.0.0", "1.1.0")]
    assert report.dangers == ()  # nothing replaced, nothing cascades


def set_key(ciphertext: str) -> Edit:
    def edit(config: dict[str, Any]) -> None:
        config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"][0]["presharedKey"] = {
            "secure": ciphertext
        }

    return edit


def test_a_key_set_then_rotated(tmp_path: Path) -> None:
    keyed = head(tmp_path / "a", {"example-dallas": set_key("v1:bm9uY2Ux:Y2lwaGVyMQ==")})
    unkeyed = plan_directory(STACKS)
    report = compare(unkeyed, keyed)
    [vpn] = changes(report, "example-dallas").values()
    assert vpn.action == "update"  # ModifyVpnTunnelOptions: in place, but the tunnel restarts
    assert [(c.path, c.kind, c.new) for c in vpn.changes] == [("tunnel1PresharedKey", "added", "[secret]")]
    assert kinds(report) == ["preshared-key-rotation", "preshared-key-rotation"]
    rotated = head(tmp_path / "b", {"example-dallas": set_key("v1:bm9uY2Uy:Y2lwaGVyMg==")})
    report = compare(keyed, rotated)
    assert changes(report, "example-dallas") == {}  # the same "[secret]" on both sides
    [secret] = next(s for s in report.stacks if s.stack == "example-dallas").secrets
    assert secret.path == "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[0].presharedKey"
    assert secret.kind == "changed"
    [danger] = report.dangers
    assert danger.kind == "preshared-key-rotation" and "rotated" in danger.message
    assert "v1:" not in to_text(report) + to_markdown(report)  # ciphertexts stay in the stack file


def test_a_replacement_is_flagged(base: PlanSet, tmp_path: Path) -> None:
    def new_asn_and_service_cidr(config: dict[str, Any]) -> None:
        config["eks-hybrid:transitGateway"]["amazonSideAsn"] = 64514
        config["eks-hybrid:cluster"]["serviceCidr"] = "172.22.0.0/16"

    report = compare(base, head(tmp_path, {"example-hub": new_asn_and_service_cidr}))
    hub = changes(report, "example-hub")
    assert (hub["edge-prod-tgw"].action, hub["edge-prod-tgw"].replace_reasons) == (
        "replace",
        ["amazonSideAsn"],
    )
    cluster = hub["edge-prod-eks"]
    assert cluster.action == "replace"
    assert cluster.replace_reasons == ["kubernetesNetworkConfig.serviceIpv4Cidr"]
    assert {"cluster-replacement", "asn-change", "protected"} <= set(kinds(report))
    markdown = to_markdown(report)
    assert markdown.startswith(COMMENT_MARKER)
    assert (
        "| +- replace | `edge-prod-eks` | `aws:eks/cluster:Cluster` |"
        " `kubernetesNetworkConfig.serviceIpv4Cidr` |" in markdown
    )
    assert ":warning: Dangerous changes" in markdown


def test_a_transit_gateway_asn_change_cascades_to_every_attachment_and_site(
    base: PlanSet, tmp_path: Path
) -> None:
    def new_asn(config: dict[str, Any]) -> None:
        config["eks-hybrid:transitGateway"]["amazonSideAsn"] = 64514

    report = compare(base, head(tmp_path, {"example-hub": new_asn}))
    hub = changes(report, "example-hub")
    replaced = {name for name, r in hub.items() if r.action == "replace"}
    assert replaced == {
        "edge-prod-tgw",
        "edge-prod-route-table",
        "edge-prod-vpc-attachment",
        "edge-prod-tgw-route-vpc",
        "edge-prod-vpc-association",
    }
    # VPC routes to the gateway change their target in place (ReplaceRoute).
    assert {r.action for name, r in hub.items() if name.startswith("edge-prod-route-rtb-")} == {"update"}
    dallas = changes(report, "example-dallas")
    assert dallas["dallas-vpn"].action == "update"  # ModifyVpnConnection onto the new gateway
    assert [c.path for c in dallas["dallas-vpn"].changes] == ["transitGatewayId"]
    assert {name: r.action for name, r in dallas.items() if name != "dallas-vpn"} == {
        "dallas-tgw-route-node": "replace",
        "dallas-tgw-route-pod": "replace",
        "dallas-vpn-association": "replace",
    }
    assert report.totals()["replace"] == 8  # was "1 to replace" before replacements cascaded
    [cascade] = [d for d in report.dangers if d.kind == "replacement-cascade"]
    assert cascade.stack == "example-hub"
    assert cascade.message.startswith("transit gateway edge-prod-tgw replaced -> (")
    for part in (
        "transit gateway route table edge-prod-route-table replaced -> (",
        "VPN connection dallas-vpn (example-dallas) updated (transitGatewayId) -> (",
        "transit gateway route dallas-tgw-route-node (example-dallas) replaced",
        "transit gateway route table association dallas-vpn-association (example-dallas) replaced",
    ):
        assert part in cascade.message
    [moved] = [d for d in report.dangers if d.kind == "vpn-gateway-change"]
    assert moved.stack == "example-dallas" and "transit gateway (transitGatewayId)" in moved.message
    outputs = {c.path: c.new for s in report.stacks for c in s.outputs}
    assert outputs["transitGatewayId"] == outputs["transitGatewayAttachmentId"] == "(known after apply)"
    assert "transit gateway edge-prod-tgw replaced -> (" in to_markdown(report)


def test_a_customer_gateway_ip_change_moves_the_vpn_connection(base: PlanSet, tmp_path: Path) -> None:
    def new_ip(config: dict[str, Any]) -> None:
        config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["customerGateway"]["ipAddress"] = (
            "203.0.113.20"
        )

    report = compare(base, head(tmp_path, {"example-dallas": new_ip}))
    dallas = changes(report, "example-dallas")
    assert {name: r.action for name, r in dallas.items()} == {
        "dallas-customer-gateway": "replace",
        "dallas-vpn": "update",  # customerGatewayId is not ForceNew: ModifyVpnConnection
    }
    assert [(c.path, c.new) for c in dallas["dallas-vpn"].changes] == [
        ("customerGatewayId", "(known after apply)")
    ]
    assert kinds(report) == ["replacement-cascade", "vpn-gateway-change"]
    cascade = next(d for d in report.dangers if d.kind == "replacement-cascade")
    assert cascade.message.startswith(
        "customer gateway dallas-customer-gateway replaced -> VPN connection dallas-vpn updated"
        " (customerGatewayId)"
    )
    moved = next(d for d in report.dangers if d.kind == "vpn-gateway-change")
    assert "both tunnels are down while AWS provisions new tunnel endpoints" in moved.message


def test_a_tunnel_inside_cidr_change_replaces_the_vpn_connection_and_its_routes(
    base: PlanSet, tmp_path: Path
) -> None:
    def new_cidr(config: dict[str, Any]) -> None:
        tunnels = config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
        tunnels[0]["insideCidr"] = "169.254.11.0/30"

    def hub_inventory(config: dict[str, Any]) -> None:
        config["eks-hybrid:sites"]["dallas"]["tunnelInsideCidrs"][0] = "169.254.11.0/30"

    report = compare(base, head(tmp_path, {"example-dallas": new_cidr, "example-hub": hub_inventory}))
    dallas = changes(report, "example-dallas")
    assert {name for name, r in dallas.items() if r.action == "replace"} == {
        "dallas-vpn",
        "dallas-tgw-route-node",
        "dallas-tgw-route-pod",
        "dallas-vpn-association",
    }
    assert {"vpn-replacement", "replacement-cascade", "protected"} <= set(kinds(report))
    [vpn] = [d for d in report.dangers if d.kind == "vpn-replacement"]
    assert "re-render the on-prem router" in vpn.message


def test_the_stack_region_is_in_every_mock_endpoint_and_arn(base: PlanSet) -> None:
    """example-hub-ssm runs in us-east-2: nothing of its plan may name another region."""
    text = json.dumps(base.stacks["example-hub-ssm"])
    assert ".gr7.us-east-2.eks.amazonaws.com" in text
    assert "us-west-2" not in text


def test_a_cilium_pool_inserted_in_the_middle(base: PlanSet, tmp_path: Path) -> None:
    """A new site's pod CIDR lands in the middle of clusterPoolIPv4PodCIDRList, which reorders the pools."""

    def add_site(config: dict[str, Any]) -> None:
        # cluster-pool over several sites: every site's nodes advertise their blocks to its router
        config["eks-hybrid:sites"]["reno"] = {
            "nodeCidr": "10.62.0.0/16",
            "podCidr": "172.25.0.0/16",
            "bgpPeer": {"address": "10.62.0.1", "asn": 65032},
        }

    report = compare(base, head(tmp_path, {"example-hub-ssm": add_site}))
    release = changes(report, "example-hub-ssm")["edge-lab-cilium-release"]
    [change] = [c for c in release.changes if "clusterPoolIPv4PodCIDRList" in c.path]
    assert (change.path, change.kind, change.new) == (
        "values.ipam.operator.clusterPoolIPv4PodCIDRList[1]",
        "added",
        "172.25.0.0/16",
    )
    [danger] = [d for d in report.dangers if d.kind == "cilium-pool-reorder"]
    assert "only appending is safe" in danger.message


def test_a_hub_handing_its_bgp_objects_to_its_sites_is_flagged(tmp_path: Path) -> None:
    """example-hub-ssm planned with eks-hybrid 0.2's layout (`operatorPlacement: cloud`), then moved to the
    operator on hybrid nodes: the hub deletes its BGP objects, which drops the sites' sessions unless they are
    removed from its state first (docs/concepts/cilium.md, Operator placement)."""

    def cloud(config: dict[str, Any]) -> None:
        config["eks-hybrid:cilium"]["operatorPlacement"] = "cloud"

    old = head(tmp_path / "old", {"example-hub-ssm": cloud})
    report = compare(old, head(tmp_path / "new", {}))
    removed = [d for d in report.dangers if d.kind == "cilium-bgp-removal"]
    assert {d.stack for d in removed} == {"example-hub-ssm"}
    assert len(removed) == 4  # the shared peer config and advertisement, austin's and seattle's configs
    assert all("pulumi state delete" in d.message for d in removed)
    hub = changes(report, "example-hub-ssm")
    assert hub["edge-lab-cilium-bgp-austin-cluster-config"].action == "delete"
    # austin's own stack creates its objects: a create is not dangerous.
    assert changes(report, "example-austin")["austin-cilium-bgp-austin-cluster-config"].action == "create"


def test_a_control_plane_downgrade_is_flagged(base: PlanSet, tmp_path: Path) -> None:
    def older(config: dict[str, Any]) -> None:
        config["eks-hybrid:cluster"]["kubernetesVersion"] = "1.34"

    report = compare(base, head(tmp_path, {"example-hub": older}))
    [danger] = [d for d in report.dangers if d.kind == "control-plane-version"]
    assert danger.stack == "example-hub"
    assert danger.urn == changes(report, "example-hub")["edge-prod-eks"].urn
    assert "Kubernetes 1.35 -> 1.34" in danger.message and "EKS cannot downgrade" in danger.message
    # The cloud nodes follow the control plane: their managed version changes with it.
    group = changes(report, "example-hub")["edge-prod-cloud-nodes"]
    assert [(c.path, c.old, c.new) for c in group.changes] == [("version", "1.35", "1.34")]


def test_a_two_minor_control_plane_jump_is_flagged() -> None:
    from eks_hybrid.diff.danger import find_dangers
    from eks_hybrid.diff.engine import StackDiff
    from eks_hybrid.diff.values import Change

    urn = "urn:pulumi:hub::eks-hybrid::eks-hybrid:cluster:HybridCluster$aws:eks/cluster:Cluster::edge-eks"
    cluster = ResourceDiff(
        "update",
        urn,
        "aws:eks/cluster:Cluster",
        "edge-eks",
        changes=[Change("version", "changed", "1.34", "1.36")],
    )
    one_step = ResourceDiff(
        "update",
        urn,
        "aws:eks/cluster:Cluster",
        "edge-eks",
        changes=[Change("version", "changed", "1.35", "1.36")],
    )
    empty = PlanSet(label="x")
    [danger] = find_dangers([StackDiff("hub", "hub", "changed", resources=[cluster])], empty, empty)
    assert danger.kind == "control-plane-version" and danger.urn == urn
    assert "1.34 -> 1.36" in danger.message and "EKS updates one minor version at a time" in danger.message
    assert find_dangers([StackDiff("hub", "hub", "changed", resources=[one_step])], empty, empty) == []


def test_a_cilium_routing_mode_flip_is_flagged(base: PlanSet, tmp_path: Path) -> None:
    """example-hub (multi-pool, 1.18: tunnel) planned on 1.17, where multi-pool routes natively only."""

    def on_1_17(config: dict[str, Any]) -> None:
        config["eks-hybrid:cilium"]["chartVersion"] = "1.17.13-1"

    report = compare(base, head(tmp_path, {"example-hub": on_1_17}))
    [danger] = [d for d in report.dangers if d.kind == "cilium-routing-mode-flip"]
    assert (
        danger.stack == "example-hub"
        and danger.urn is not None
        and danger.urn.endswith("edge-prod-cilium-release")
    )
    assert (
        "routingMode tunnel -> native" in danger.message and "eks-hybrid:cilium.routingMode" in danger.message
    )
    assert not [d for d in report.dangers if d.kind == "cilium-line-jump"]  # one line back


def test_a_cilium_chart_two_lines_away_is_flagged(base: PlanSet) -> None:
    """A hub whose plan ran 1.16 (an earlier eks-hybrid) moved to its 1.17 chart and on to 1.18 in one change:
    the base is the example plans with the release's version set back to 1.16."""
    old = copy.deepcopy(base)
    [release] = [
        r for r in old.stacks["example-hub-ssm"]["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release"
    ]
    release["inputs"]["version"] = "1.16.9"
    new = copy.deepcopy(base)
    [release] = [
        r for r in new.stacks["example-hub-ssm"]["resources"] if r["type"] == "kubernetes:helm.sh/v3:Release"
    ]
    release["inputs"]["version"] = "1.18.5-0"
    report = compare(old, new)
    [danger] = [d for d in report.dangers if d.kind == "cilium-line-jump"]
    assert danger.stack == "example-hub-ssm" and "1.16.9 -> 1.18.5-0" in danger.message
    assert "one minor release at a time" in danger.message
    assert not [d for d in report.dangers if d.kind == "cilium-routing-mode-flip"]  # cluster-pool: tunnel
