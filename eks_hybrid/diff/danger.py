"""Changes eks-hybrid knows are dangerous, called out above everything else in a diff.

- the EKS cluster replaced or removed (every node, pod and Palette object on it goes with it);
- a remote network removed from the cluster while a site still uses it (its nodes can no longer join);
- Cilium's pod CIDR pools reordered or shrunk: `clusterPoolIPv4PodCIDRList` allocates in list order, so
  anything but appending moves or drops allocations; a `CiliumPodIPPool` losing or reordering CIDRs or
  going away strands the pods holding addresses from it (Cilium docs, IPAM cluster-pool and multi-pool);
- the transit gateway's (or VGW's) Amazon-side ASN changed: a new gateway, every attachment and BGP session
  rebuilt;
- a VPN pre-shared key rotated: the tunnel drops until the on-prem router has the new key;
- a Cilium BGP object (`CiliumBGPClusterConfig`, `...PeerConfig`, `...Advertisement`) deleted or replaced:
  the site's nodes stop advertising their pod blocks to its router until one exists again (as when a hub
  moves Cilium's operator to hybrid nodes and its sites take over their BGP objects: docs/concepts/cilium.md,
  "Operator placement", says how without a drop);
- Cilium's routing mode switched (native <-> tunnel) or its chart moved more than one minor line: while the
  agents roll, nodes in different modes drop each other's pod traffic; Cilium upgrades one minor line at a
  time (`components.domain.cilium_upgrade`, whose rules a hub's `pulumi up` applies against what it
  deployed);
- a protected resource deleted or replaced: `pulumi up` stops there until protect is turned off;
- the EKS cluster's Kubernetes version moved by more than one minor, or down: EKS updates one minor version
  at a time and cannot downgrade (`versions.control_plane_change_problem`), so `pulumi up` fails at
  UpdateClusterVersion;
- a VPN connection replaced: its tunnels go down, and the new connection has new tunnel outside addresses
  and (unless the stack sets them) new pre-shared keys, so the on-prem router must be re-rendered;
- a VPN connection moved to another customer or transit gateway (ModifyVpnConnection): both tunnels are
  down while AWS provisions new tunnel endpoints (AWS Site-to-Site VPN User Guide, "Tunnel endpoint
  replacements"); its outside addresses and tunnel options stay (EC2 API reference, ModifyVpnConnection);
- a replacement that cascades: the resources that read the replaced one's id or ARN are updated or replaced
  in turn (`engine.cascade`), named as a chain from the first replacement.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eks_hybrid.components.domain.cilium_upgrade import line_jump_reason, values_routing_mode
from eks_hybrid.components.domain.hub_outputs import HubOutput, hub_sites
from eks_hybrid.components.domain.versions import control_plane_change_problem

from ..policy.rules import EKS_CLUSTER, remote_networks
from ..policy.rules import Resource as PolicyResource
from .cascade import UNKNOWN, chain, label
from .engine import PlanSet, ResourceDiff, StackDiff
from .values import MISSING, is_reordering_or_removal

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
VPN_CONNECTION = "aws:ec2/vpnConnection:VpnConnection"
VPN_GATEWAY_INPUTS = {
    "customerGatewayId": "customer gateway",
    "transitGatewayId": "transit gateway",
    "vpnGatewayId": "virtual private gateway",
}
"""What ModifyVpnConnection changes in place (terraform-provider-aws vpnsite_connection.go, Update)."""
POD_IP_POOL = "kubernetes:cilium.io/v2alpha1:CiliumPodIPPool"
ASN_TYPES = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": "transit gateway",
    "aws:ec2/vpnGateway:VpnGateway": "virtual private gateway",
}
CLUSTER_POOL_PATH = ("values", "ipam", "operator", "clusterPoolIPv4PodCIDRList")


@dataclass(frozen=True)
class Danger:
    kind: str
    stack: str
    message: str
    urn: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "stack": self.stack, "urn": self.urn, "message": self.message}


def _resources(document: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in (document or {}).get("resources", [])}


def _dig(value: Any, path: Iterable[str]) -> Any:
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def _old(base: Mapping[str, dict[str, Any]], change: ResourceDiff) -> dict[str, Any]:
    return base.get(change.old_urn or change.urn) or {}


def _cluster(stack: str, change: ResourceDiff) -> list[Danger]:
    if change.type != EKS_CLUSTER or change.action not in ("replace", "delete"):
        return []
    why = f" ({', '.join(change.replace_reasons)})" if change.replace_reasons else ""
    verb = "replaced" if change.action == "replace" else "deleted"
    return [
        Danger(
            "cluster-replacement",
            stack,
            f"EKS cluster {change.name} is {verb}{why}: every hybrid node, pod and Palette pool on it"
            " goes with it",
            change.urn,
        )
    ]


def _asn(stack: str, change: ResourceDiff) -> list[Danger]:
    what = ASN_TYPES.get(change.type)
    return [
        Danger(
            "asn-change",
            stack,
            f"{what} {change.name}: Amazon-side ASN {c.old} -> {c.new}; the gateway is replaced and every"
            " attachment and BGP session with it",
            change.urn,
        )
        for c in change.changes
        if what and c.path == HubOutput.AMAZON_SIDE_ASN and c.kind == "changed"
    ]


def _preshared_keys(stack: str, change: ResourceDiff) -> list[Danger]:
    if change.type != "aws:ec2/vpnConnection:VpnConnection" or change.action == "create":
        return []
    return [
        Danger(
            "preshared-key-rotation",
            stack,
            f"VPN {change.name}: {c.path} {c.kind} ({'set' if c.kind == 'added' else 'was set'} as a secret):"
            " the tunnel drops until the on-prem router has the new key (eks-hybrid render, then reload it)",
            change.urn,
        )
        for c in change.changes
        if c.path.endswith("PresharedKey") and c.kind != "changed"
    ]


def _cidrs(value: Any) -> str:
    return "[" + ", ".join(str(v) for v in value) + "]" if isinstance(value, list) else "(removed)"


def _pools(
    stack: str, change: ResourceDiff, base: Mapping[str, dict[str, Any]], head: Mapping[str, Any]
) -> list[Danger]:
    found: list[Danger] = []
    if change.type == HELM_RELEASE and change.action in ("update", "replace"):
        old = _dig(_old(base, change).get("inputs"), CLUSTER_POOL_PATH)
        new = _dig((head.get(change.urn) or {}).get("inputs"), CLUSTER_POOL_PATH)
        if isinstance(old, list) and (not isinstance(new, list) or is_reordering_or_removal(old, new)):
            found.append(
                Danger(
                    "cilium-pool-reorder",
                    stack,
                    f"Cilium clusterPoolIPv4PodCIDRList {_cidrs(old)} -> {_cidrs(new)}:"
                    " only appending is safe; anything else moves or drops the node blocks Cilium handed out",
                    change.urn,
                )
            )
    if change.type == POD_IP_POOL:
        old = _dig(_old(base, change).get("inputs"), ("spec", "ipv4", "cidrs"))
        new = _dig((head.get(change.urn) or {}).get("inputs"), ("spec", "ipv4", "cidrs"))
        if change.action == "delete" or (
            isinstance(old, list) and (not isinstance(new, list) or is_reordering_or_removal(old, new))
        ):
            shown = "(pool removed)" if change.action == "delete" else _cidrs(new)
            found.append(
                Danger(
                    "cilium-pool-reorder",
                    stack,
                    f"CiliumPodIPPool {change.name}: {_cidrs(old)} -> {shown}; pods holding addresses from it"
                    " lose them",
                    change.urn,
                )
            )
    return found


def _cilium_release(inputs: Any) -> dict[str, Any] | None:
    """A Helm release's inputs when it installs Cilium's chart (`cilium`, or an OCI path ending in it)."""
    if not isinstance(inputs, dict) or not str(inputs.get("chart", "")).rstrip("/").endswith("cilium"):
        return None
    return inputs


def _cilium_upgrade(
    stack: str, change: ResourceDiff, base: Mapping[str, dict[str, Any]], head: Mapping[str, Any]
) -> list[Danger]:
    if change.type != HELM_RELEASE or change.action not in ("update", "replace"):
        return []
    old = _cilium_release(_old(base, change).get("inputs"))
    new = _cilium_release((head.get(change.urn) or {}).get("inputs"))
    if old is None or new is None:
        return []
    found: list[Danger] = []
    old_mode = values_routing_mode(old.get("values") or {})
    new_mode = values_routing_mode(new.get("values") or {})
    if old_mode != new_mode:
        found.append(
            Danger(
                "cilium-routing-mode-flip",
                stack,
                f"Cilium release {change.name}: routingMode {old_mode} -> {new_mode}: while the agents roll,"
                " nodes in different modes drop each other's pod traffic until every node at every site has"
                " rolled. On a running hub `pulumi up` keeps the routing mode it deployed where the new chart"
                " runs it (these plans, made without the hub's state, do not know it) and refuses a switch"
                " unless eks-hybrid:cilium.routingMode asks for it (docs/concepts/cilium.md, Upgrades)",
                change.urn,
            )
        )
    versions = str(old.get("version") or ""), str(new.get("version") or "")
    if all(versions) and (jump := line_jump_reason(*versions)) is not None:
        found.append(
            Danger(
                "cilium-line-jump",
                stack,
                f"Cilium release {change.name}: {versions[0]} -> {versions[1]}: {jump.text}; the hub's"
                " `pulumi up` refuses it",
                change.urn,
            )
        )
    return found


def _bgp_removal(stack: str, change: ResourceDiff) -> list[Danger]:
    kind = change.type.rsplit(":", 1)[-1]
    if not kind.startswith("CiliumBGP") or change.action not in ("delete", "replace"):
        return []
    return [
        Danger(
            "cilium-bgp-removal",
            stack,
            f"{kind} {change.name} would be {change.action}d: the nodes it configures stop advertising their"
            " pod blocks to the site's router (routes to those pods withdrawn) until one exists again. Moving"
            " a hub's BGP objects to its site stacks (operatorPlacement hybrid)? `pulumi state delete` them"
            " from the hub first (docs/concepts/cilium.md, Operator placement)",
            change.urn,
        )
    ]


def _control_plane_version(stack: str, change: ResourceDiff) -> list[Danger]:
    if change.type != EKS_CLUSTER or change.action not in ("update", "replace"):
        return []
    found = []
    for c in change.changes:
        if c.path != "version" or c.kind != "changed":
            continue
        reason = control_plane_change_problem(str(c.old), str(c.new))
        if reason is not None:
            found.append(
                Danger(
                    "control-plane-version",
                    stack,
                    f"EKS cluster {change.name}: Kubernetes {c.old} -> {c.new}; {reason.text}",
                    change.urn,
                )
            )
    return found


def _vpn_connection(stack: str, change: ResourceDiff) -> list[Danger]:
    if change.type != VPN_CONNECTION:
        return []
    if change.action == "replace":
        return [
            Danger(
                "vpn-replacement",
                stack,
                f"VPN connection {change.name} is replaced ({', '.join(change.replace_reasons)}): both"
                " tunnels go down; the new connection has new tunnel outside addresses and, unless the"
                " stack sets them, new pre-shared keys: re-render the on-prem router (eks-hybrid render)"
                " and reload it",
                change.urn,
            )
        ]
    moved = [
        f"{VPN_GATEWAY_INPUTS[c.path]} ({c.path})"
        for c in change.changes
        if c.path in VPN_GATEWAY_INPUTS and c.kind == "changed"
    ]
    if change.action != "update" or not moved:
        return []
    return [
        Danger(
            "vpn-gateway-change",
            stack,
            f"VPN connection {change.name} moves to a new {' and '.join(moved)} in place"
            " (ModifyVpnConnection): both tunnels are down while AWS provisions new tunnel endpoints;"
            " outside addresses and tunnel options stay",
            change.urn,
        )
    ]


def _phrase(change: ResourceDiff, root_stack: str, stack: str) -> str:
    where = "" if stack == root_stack else f" ({stack})"
    what = f"{label(change.type)} {change.name}{where}"
    if change.action == "replace":
        return f"{what} replaced"
    unknown = [c.path for c in change.changes if c.new == UNKNOWN]
    return f"{what} updated ({', '.join(unknown)})" if unknown else f"{what} updated"


def cascade_dangers(stacks: list[StackDiff]) -> list[Danger]:
    """One per replacement whose new id or ARN reaches other resources: the chain, each resource under the
    one that reached it first."""
    changes = {r.urn: (s.stack, r) for s in stacks for r in s.resources}
    children: dict[str, list[str]] = {}
    for urn, (_, change) in sorted(changes.items()):
        if change.cascade_from and change.cascade_from[0] in changes:
            children.setdefault(change.cascade_from[0], []).append(urn)
    found = []
    for root in sorted(children):
        stack, change = changes[root]
        if change.cascade_from:
            continue  # part of a longer chain
        names = {urn: _phrase(c, stack, s) for urn, (s, c) in changes.items()}
        found.append(
            Danger(
                "replacement-cascade",
                stack,
                f"{chain(root, children, names)}: each reads the new id or ARN of the one before it",
                root,
            )
        )
    return found


def _protected(stack: str, change: ResourceDiff) -> list[Danger]:
    if not change.protect or change.action not in ("replace", "delete"):
        return []
    return [
        Danger(
            "protected",
            stack,
            f"{change.name} is protected and would be {change.action}d: `pulumi up` stops until"
            " protect is off",
            change.urn,
        )
    ]


def _reads_hub(document: Mapping[str, Any], hub: str) -> bool:
    if document.get("role") == "hub":
        return False  # a hub's reference to itself (its previous outputs) makes it no site of its own
    references = [r for r in document.get("resources", []) if r["type"] == "pulumi:pulumi:StackReference"]
    return any(str(r["inputs"].get("name", "")).rsplit("/", 1)[-1] == hub for r in references)


def _site_cidrs(base: PlanSet, head: PlanSet, hub: str) -> dict[str, list[str]]:
    """site -> its node and pod CIDRs: the hub's head inventory, and every site stack of the hub still in the
    head (planned, or failing to plan now: then its base plan says what it uses)."""
    used: dict[str, list[str]] = {}
    hub_doc = head.stacks.get(hub) or {}
    for name, site in hub_sites(hub_doc.get("outputs") or {}).items():
        if isinstance(site, dict):
            used[f"site {name} (hub inventory)"] = [
                str(site[k]) for k in ("nodeCidr", "podCidr") if site.get(k)
            ]
    stacks = {**{n: d for n, d in base.stacks.items() if n in head.errors}, **head.stacks}
    for stack, doc in sorted(stacks.items()):
        # The hub reads its own previous outputs through a StackReference: it is not its own site.
        if stack != hub and _reads_hub(doc, hub):
            outputs = doc.get("outputs") or {}
            used[f"site {outputs.get('site', stack)} (stack {stack})"] = [
                str(outputs[k]) for k in ("nodeCidr", "podCidr") if outputs.get(k)
            ]
    return used


def _inside(cidr: str, networks: Iterable[str]) -> bool:
    try:
        network = ipaddress.ip_network(cidr, strict=False)
        return any(network.subnet_of(ipaddress.ip_network(n, strict=False)) for n in networks)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return False


def _remote_network_removal(stack: str, base: PlanSet, head: PlanSet) -> list[Danger]:
    old_clusters = [r for r in _resources(base.stacks.get(stack)).values() if r["type"] == EKS_CLUSTER]
    new_clusters = [r for r in _resources(head.stacks.get(stack)).values() if r["type"] == EKS_CLUSTER]
    if not old_clusters:
        return []

    def networks(resources: list[dict[str, Any]]) -> list[str]:
        return [
            c
            for r in resources
            for part in remote_networks(PolicyResource(r["type"], r["urn"], r.get("inputs") or {}))
            for c in part
        ]

    old, new = networks(old_clusters), networks(new_clusters)
    removed = [c for c in old if c not in new]
    found = []
    for site, cidrs in sorted(_site_cidrs(base, head, stack).items()):
        for cidr in cidrs:
            gone = [r for r in removed if _inside(cidr, [r])]
            if gone and not _inside(cidr, new):
                found.append(
                    Danger(
                        "remote-network-removal",
                        stack,
                        f"remote network {', '.join(gone)} leaves the cluster while {site} still uses {cidr}:"
                        " its nodes can no longer join and its pods drop out of routing",
                        new_clusters[0]["urn"] if new_clusters else old_clusters[0]["urn"],
                    )
                )
    return found


def _secrets(stack: str, diff: StackDiff) -> list[Danger]:
    return [
        Danger(
            "preshared-key-rotation",
            stack,
            f"config secret {c.path} {'rotated' if c.kind == 'changed' else c.kind} in the stack file: the"
            " tunnel drops until the on-prem router has the new key",
        )
        for c in diff.secrets
        if "presharedkey" in c.path.lower()
    ]


def find_dangers(stacks: list[StackDiff], base: PlanSet, head: PlanSet) -> list[Danger]:
    found: list[Danger] = []
    for diff in stacks:
        old = _resources(base.stacks.get(diff.stack))
        new = _resources(head.stacks.get(diff.stack))
        for change in diff.resources:
            found += _cluster(diff.stack, change)
            found += _asn(diff.stack, change)
            found += _preshared_keys(diff.stack, change)
            found += _pools(diff.stack, change, old, new)
            found += _cilium_upgrade(diff.stack, change, old, new)
            found += _bgp_removal(diff.stack, change)
            found += _vpn_connection(diff.stack, change)
            found += _protected(diff.stack, change)
            found += _control_plane_version(diff.stack, change)
        found += _secrets(diff.stack, diff)
        if diff.role == "hub":
            found += _remote_network_removal(diff.stack, base, head)
    return found + cascade_dangers(stacks)
