"""The router `render` writes and the Cilium BGP objects applied for the site agree: same ASNs, the router's
address inside the listen range, the same per-node block size, and the very same objects.

Every example site whose nodes peer with their router (austin on example-hub-ssm: Cilium 1.17,
cluster-pool over two sites, the operator on hybrid nodes, so austin's own stack applies its objects;
denver on example-hub: Cilium 1.18, multi-pool, no VPN, the hub applies them) is checked against the
offline plans of its hub and its own stack, so a change to either side alone fails here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_hybrid.planner import StackPlan

from .conftest import render

BGP_SITES = [("example-austin", "example-hub-ssm", "austin"), ("example-denver", "example-hub", "denver")]


def _applied(plans: Mapping[str, StackPlan], *stacks: str) -> dict[str, dict[str, Any]]:
    """The Cilium BGP objects the stacks (a hub, a site) apply, by `<kind>/<metadata.name>`."""
    objects = {}
    for resource in (r for stack in stacks for r in plans[stack].run.resources):
        if ":CiliumBGP" in resource.type:
            inputs = resource.inputs
            objects[f"{inputs['kind']}/{inputs['metadata']['name']}"] = {
                key: inputs[key] for key in ("apiVersion", "kind", "metadata", "spec")
            }
    return objects


def _one(pattern: str, text: str) -> str:
    found = re.search(pattern, text, re.M)
    assert found is not None, pattern
    return found[1]


def _frr(path: Path) -> dict[str, Any]:
    text = path.read_text()
    return {
        "asn": int(_one(r"^router bgp (\d+)$", text)),
        "nodes_asn": int(_one(r"^ neighbor CILIUM remote-as (\d+)$", text)),
        "listen": _one(r"^ bgp listen range (\S+) peer-group CILIUM$", text),
        "blocks": re.findall(
            r"^ip prefix-list EKS-HYBRID-POD-BLOCKS seq \d+ permit (\S+) ge (\d+) le (\d+)$", text, re.M
        ),
    }


@pytest.mark.parametrize(("stack", "hub", "site"), BGP_SITES)
def test_the_rendered_router_accepts_exactly_the_sessions_the_hub_configures(
    tmp_path, example_plans, stack, hub, site
):
    result, out = render(tmp_path, stack)
    assert result.exit_code == 0, result.output
    applied = _applied(example_plans, hub, stack)
    cluster = applied[f"CiliumBGPClusterConfig/eks-hybrid-{site}"]
    [instance] = cluster["spec"]["bgpInstances"]
    [peer] = instance["peers"]
    frr = _frr(out / "router/frr.conf")

    assert frr["asn"] == peer["peerASN"], "the router speaks under the ASN the nodes expect"
    assert frr["nodes_asn"] == instance["localASN"], "the router expects the nodes' ASN"
    assert ipaddress.IPv4Address(peer["peerAddress"]) in ipaddress.IPv4Network(frr["listen"])
    node_cidr = example_plans[stack].run.outputs["nodeCidr"]
    assert frr["listen"] == node_cidr, "every node of the site may peer, and only they"
    assert cluster["spec"]["nodeSelector"]["matchLabels"]["eks-hybrid/site"] == site

    # Blocks the router accepts: the hub's per-node block size, from every CIDR its nodes draw from.
    hub_plan = example_plans[hub].run
    release = next(r for r in hub_plan.resources if r.type == "kubernetes:helm.sh/v3:Release").inputs
    ipam = release["values"]["ipam"]
    if ipam["mode"] == "cluster-pool":
        mask = ipam["operator"]["clusterPoolIPv4MaskSize"]
        drawn_from = set(ipam["operator"]["clusterPoolIPv4PodCIDRList"])
    else:
        pool = next(r for r in hub_plan.resources if r.name.endswith(f"-cilium-pools-{site}-pool")).inputs
        mask, drawn_from = pool["spec"]["ipv4"]["maskSize"], set(pool["spec"]["ipv4"]["cidrs"])
    assert {cidr for cidr, _, _ in frr["blocks"]} == drawn_from
    assert {(int(ge), int(le)) for _, ge, le in frr["blocks"]} == {(mask, mask)}

    # The reference copy render writes is what the hub applies, object for object.
    rendered = list(yaml.safe_load_all((out / "cluster/cilium-bgp.yaml").read_text()))
    assert {f"{d['kind']}/{d['metadata']['name']}": d for d in rendered} == {
        key: value
        for key, value in applied.items()
        if not key.startswith("CiliumBGPClusterConfig/") or key.endswith(f"/eks-hybrid-{site}")
    }


def test_the_node_labels_the_config_selects_are_the_ones_the_hosts_join_with(tmp_path, example_plans):
    result, out = render(tmp_path, "example-denver")
    assert result.exit_code == 0, result.output
    selector = _applied(example_plans, "example-hub")["CiliumBGPClusterConfig/eks-hybrid-denver"]["spec"][
        "nodeSelector"
    ]
    node = yaml.safe_load((out / "edge/nodeconfig/denver-01.yaml").read_text())
    [flag] = node["spec"]["kubelet"]["flags"]
    labels = dict(pair.split("=", 1) for pair in flag.removeprefix("--node-labels=").split(","))
    # nodeadm sets eks.amazonaws.com/compute-type=hybrid itself; the site label comes from the NodeConfig.
    wanted = dict(selector["matchLabels"])
    assert wanted.pop("eks.amazonaws.com/compute-type") == "hybrid"
    assert wanted.items() <= labels.items()
