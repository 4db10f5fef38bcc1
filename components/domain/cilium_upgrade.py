"""Cilium upgrades on a running hub, judged from what the hub deployed before: pure.

Three rules, each from upstream:

- **The routing mode is pinned at install.** A hub keeps the routing mode its Cilium first ran (its
  `ciliumRoutingMode` output; for hubs deployed before that output, what eks-hybrid deployed for their
  line and IPAM mode), whatever line the chart moves to: a hub created on 1.17 with multi-pool keeps native
  routing on 1.18, although a new 1.18 hub gets tunnel. Multi-pool gained tunnel support only in 1.18
  (cilium/cilium#38483, compatibility table in #39513), no Cilium document migrates a running cluster
  between routing modes (inferred: none found), and AWS's procedure upgrades with the same values
  ("Upgrade Cilium on hybrid nodes", EKS user guide `hybrid-nodes-cni`). During a DaemonSet roll-out
  that switched modes, tunnel agents encapsulate to nodes that have no VXLAN device and native agents send
  unencapsulated traffic tunnel agents expect encapsulated: cross-node pod traffic breaks until every node
  at every site has rolled. A change that cannot keep the mode (a line or IPAM mode that does not run it)
  is refused, unless the stack asks for the migration with `eks-hybrid:cilium.routingMode`.
- **`upgradeCompatibility` is the version first installed.** Cilium's Upgrade Guide (Step 2): "To minimize
  datapath disruption during the upgrade, the `upgradeCompatibility` option should be set to the initial
  Cilium version which was installed in this cluster" (`--set upgradeCompatibility=1.X`); AWS, "Upgrade
  Cilium on hybrid nodes": "set the upgradeCompatibility option to the initial Cilium version".
- **One minor line at a time.** Cilium's Upgrade Guide (docs.cilium.io/en/stable/operations/upgrade/):
  "The only tested rollback and upgrade path is between consecutive minor releases. Always perform rollbacks
  and upgrades between one minor release at a time"; "Always update to the latest patch release of your
  current version before attempting an upgrade".

`cilium_upgrade` applies all three; `deployed_cilium` reads what a hub deployed from its earlier outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..codes import Code
from ..errors import Reason, shown
from .defaults import CILIUM_IPAM_MODES, CILIUM_ROUTING_MODES, CiliumIpam, CiliumRoutingMode
from .hub_outputs import HubOutput
from .versions import cilium_line

MULTI_POOL_ROUTING_MODES: Final[Mapping[str, tuple[CiliumRoutingMode, ...]]] = {
    # Cilium docs, "Multi-Pool (Beta)", Limitations (1.17): "Tunnel mode is not supported. Multi-Pool IPAM
    # may only be used in direct routing mode".
    "1.17": ("native",),
    # 1.18: tunnel routing works with multi-pool (cilium/cilium#38483, #39513); a new hub keeps the VXLAN
    # encapsulation AWS supports for hybrid nodes, a hub created on 1.17 keeps native routing.
    "1.18": ("tunnel", "native"),
}
"""The routing modes multi-pool IPAM runs on each Cilium line, a new hub's first."""

CLUSTER_POOL_ROUTING_MODE: Final[CiliumRoutingMode] = "tunnel"
"""Cluster-pool keeps the chart's default, VXLAN tunnel: the networking mode AWS supports for hybrid nodes
(EKS user guide, "Configure CNI for hybrid nodes", Supported capabilities: "VXLAN")."""

CHART_DEFAULT_ROUTING_MODE: Final[CiliumRoutingMode] = "tunnel"
"""What the chart runs when its values name no routing mode (cilium/cilium `install/kubernetes/cilium/
values.yaml`: `routingMode: ""`, tunnel unless set)."""

DEPLOYED_OUTPUTS: Final = (
    HubOutput.CILIUM_CHART_VERSION,
    HubOutput.CILIUM_IPAM_MODE,
    HubOutput.CILIUM_ROUTING_MODE,
    HubOutput.CILIUM_INSTALLED_VERSION,
)
"""The hub's own earlier outputs `deployed_cilium` reads."""

FIELD_CHART_VERSION: Final = "chartVersion"
FIELD_ROUTING_MODE: Final = "routingMode"
FIELD_IPAM: Final = "ipam"
"""The `eks-hybrid:cilium` keys a problem of `cilium_upgrade` may name."""

ROUTING_SOURCES = (
    "multi-pool tunnel routing is new in Cilium 1.18 (cilium/cilium#38483, #39513), no Cilium document"
    " migrates a running cluster between routing modes (inferred: none found); AWS's \"Upgrade Cilium on"
    ' hybrid nodes" (EKS user guide, hybrid-nodes-cni) upgrades with the values first installed'
)
UPGRADE_GUIDE = (
    '"Always perform rollbacks and upgrades between one minor release at a time" (Cilium Upgrade Guide,'
    " docs.cilium.io/en/stable/operations/upgrade/)"
)


def routing_modes(ipam: CiliumIpam, line: str) -> tuple[CiliumRoutingMode, ...]:
    """The routing modes eks-hybrid runs Cilium `line` in with `ipam`, a new hub's first; empty for a
    multi-pool line eks-hybrid pins no datapath values for."""
    if ipam == "clusterPool":
        return (CLUSTER_POOL_ROUTING_MODE,)
    return MULTI_POOL_ROUTING_MODES.get(line, ())


def new_hub_routing_mode(ipam: CiliumIpam, line: str) -> CiliumRoutingMode:
    """The routing mode a hub created on `line` with `ipam` runs (the chart's default for a line eks-hybrid
    pins nothing for)."""
    modes = routing_modes(ipam, line)
    return modes[0] if modes else CHART_DEFAULT_ROUTING_MODE


def _why_only(ipam: CiliumIpam, line: str) -> str:
    modes = routing_modes(ipam, line)
    if ipam == "clusterPool":
        return (
            "eks-hybrid's cluster-pool values keep the chart's VXLAN tunnel, the networking mode AWS supports"
            " for hybrid nodes"
        )
    if not modes:
        pinned = ", ".join(MULTI_POOL_ROUTING_MODES)
        return f"multi-pool datapath values are pinned for Cilium {pinned} only"
    if modes == ("native",):
        return (
            f'Cilium {line}\'s multi-pool IPAM routes natively only ("Tunnel mode is not supported", Cilium'
            " docs, Multi-Pool (Beta), Limitations)"
        )
    return f"Cilium {line} with {ipam} IPAM runs {' or '.join(modes)}"


def routing_mode_reason(ipam: CiliumIpam, line: str, mode: str) -> Reason | None:
    """Why `eks-hybrid:cilium.routingMode: mode` cannot run on Cilium `line` with `ipam`; None when it can."""
    if mode in routing_modes(ipam, line):
        return None
    return Reason(
        Code.CILIUM_ROUTING_MODE, f"routingMode {shown(mode)} does not run here: {_why_only(ipam, line)}"
    )


def values_routing_mode(values: Mapping[str, Any]) -> CiliumRoutingMode:
    """The routing mode Cilium's Helm `values` run: their `routingMode`, else the chart's default."""
    mode = values.get("routingMode")
    return mode if mode in CILIUM_ROUTING_MODES else CHART_DEFAULT_ROUTING_MODE


def _minor(version: str) -> tuple[int, int] | None:
    try:
        major, minor = cilium_line(version).split(".")
        return int(major), int(minor)
    except ValueError:
        return None


def line_jump_reason(deployed_version: str, chart_version: str) -> Reason | None:
    """Why moving the hub's Cilium from `deployed_version` to `chart_version` is refused: more than one minor
    line apart (either way, or another major); None for a patch change or one line up or down."""
    old, new = _minor(deployed_version), _minor(chart_version)
    if old is None or new is None or (old[0] == new[0] and abs(old[1] - new[1]) <= 1):
        return None
    if old[0] == new[0]:
        step = f"{old[0]}.{old[1] + (1 if new[1] > old[1] else -1)}"
        path = (
            f"take {cilium_line(deployed_version)}'s latest patch, then {step}'s, with a `pulumi up` after"
            f" each, before {cilium_line(chart_version)}"
        )
    else:
        path = "move within the deployed major line first"
    return Reason(
        Code.CILIUM_LINE_JUMP,
        f"Cilium {shown(chart_version)} is more than one minor line from {shown(deployed_version)}, the"
        f" chart this hub deployed: {UPGRADE_GUIDE}; {path}",
    )


@dataclass(frozen=True)
class DeployedCilium:
    """What the hub's Cilium ran at its last `pulumi up` (read from its own earlier outputs)."""

    chart_version: str
    ipam: CiliumIpam
    routing_mode: CiliumRoutingMode
    installed_version: str
    """The chart version first installed (a hub deployed before eks-hybrid recorded it: the version it last
    deployed, the earliest known)."""


def deployed_cilium(outputs: Mapping[str, Any], ipam: CiliumIpam) -> DeployedCilium | None:
    """What the hub deployed, from its earlier outputs; None when they name no Cilium chart (a first deploy).

    A hub deployed before `ciliumRoutingMode` existed runs what eks-hybrid deployed for its line and IPAM mode
    (`new_hub_routing_mode`); one deployed before `ciliumIpamMode` existed is taken to run `ipam`, the mode
    its stack asks for now."""
    chart = outputs.get(HubOutput.CILIUM_CHART_VERSION)
    if not isinstance(chart, str) or _minor(chart) is None:
        return None
    exported_ipam = outputs.get(HubOutput.CILIUM_IPAM_MODE)
    ran: CiliumIpam = exported_ipam if exported_ipam in CILIUM_IPAM_MODES else ipam
    exported_mode = outputs.get(HubOutput.CILIUM_ROUTING_MODE)
    mode: CiliumRoutingMode = (
        exported_mode
        if exported_mode in CILIUM_ROUTING_MODES
        else new_hub_routing_mode(ran, cilium_line(chart))
    )
    installed = outputs.get(HubOutput.CILIUM_INSTALLED_VERSION)
    first = installed if isinstance(installed, str) and _minor(installed) is not None else chart
    return DeployedCilium(chart_version=chart, ipam=ran, routing_mode=mode, installed_version=first)


@dataclass(frozen=True)
class CiliumUpgrade:
    """What the hub's Cilium runs after this update, and what stops or accompanies it."""

    routing_mode: CiliumRoutingMode
    installed_version: str
    """The chart version first installed (this one on a first deploy): the `ciliumInstalledVersion` output."""
    problems: tuple[tuple[str, Reason], ...] = ()
    """Refusals, each with the `eks-hybrid:cilium` key it is about (`FIELD_*`)."""
    notes: tuple[str, ...] = ()
    """Warnings for the plan (a routing-mode migration the stack asked for)."""

    @property
    def upgrade_compatibility(self) -> str:
        """Cilium's `upgradeCompatibility` value: the line first installed (`1.17`)."""
        return cilium_line(self.installed_version)


def migration_note(deployed: DeployedCilium, mode: CiliumRoutingMode) -> str:
    """What a stack asking to move the running Cilium from its deployed routing mode to `mode` is told."""
    return (
        f"eks-hybrid:cilium.routingMode: {mode} migrates the hub's running Cilium from routingMode"
        f" {deployed.routing_mode}: while the agents roll, nodes in one mode drop the pod traffic of nodes"
        " still in the other (tunnel agents encapsulate to nodes without a VXLAN device, native agents send"
        " unencapsulated traffic tunnel agents expect encapsulated), so cross-node pod traffic breaks until"
        " every node at every site has rolled (longer over WAN links); "
        f"{ROUTING_SOURCES}: take a maintenance window [{Code.CILIUM_ROUTING_MODE_MIGRATION}]"
    )


def _flip_reason(
    deployed: DeployedCilium, chart_version: str, ipam: CiliumIpam, mode: CiliumRoutingMode
) -> Reason:
    line = cilium_line(chart_version)
    return Reason(
        Code.CILIUM_ROUTING_MODE_FLIP,
        f"the hub's running Cilium ({deployed.chart_version}, {deployed.ipam} IPAM) routes in routingMode"
        f" {deployed.routing_mode}, and Cilium {shown(chart_version)} with {ipam} IPAM would switch it to"
        f" {mode} ({_why_only(ipam, line)}): while the agents roll, cross-node pod traffic between nodes in"
        f" different modes breaks until every node at every site has rolled; {ROUTING_SOURCES}. Keep a chart"
        f" and IPAM mode that run {deployed.routing_mode}, or set eks-hybrid:cilium.routingMode: {mode} to"
        " migrate on purpose",
    )


def cilium_upgrade(
    *,
    chart_version: str,
    ipam: CiliumIpam,
    routing_mode: str | None,
    deployed: DeployedCilium | None,
) -> CiliumUpgrade:
    """The hub's Cilium after this update: the routing mode (the stack's `routing_mode` when set, else the
    one deployed, else a new hub's), the version first installed, and every refusal (a jump of more than
    one minor line, a routing mode the line does not run, a flip of the running mode nobody asked for)."""
    line = cilium_line(chart_version)
    problems: list[tuple[str, Reason]] = []
    notes: list[str] = []
    if deployed is not None and (jump := line_jump_reason(deployed.chart_version, chart_version)):
        problems.append((FIELD_CHART_VERSION, jump))
    installed = deployed.installed_version if deployed else chart_version
    if routing_mode is not None:
        reason = routing_mode_reason(ipam, line, routing_mode)
        if reason is not None:
            problems.append((FIELD_ROUTING_MODE, reason))
            return CiliumUpgrade(new_hub_routing_mode(ipam, line), installed, tuple(problems))
        chosen: CiliumRoutingMode = "native" if routing_mode == "native" else "tunnel"
        if deployed is not None and chosen != deployed.routing_mode:
            notes.append(migration_note(deployed, chosen))
        return CiliumUpgrade(chosen, installed, tuple(problems), tuple(notes))
    if deployed is None or not routing_modes(ipam, line):
        # A first deploy; or a multi-pool line eks-hybrid runs no datapath for, refused as unsupported
        # (`versions.cilium_problem`) before any routing mode matters.
        return CiliumUpgrade(new_hub_routing_mode(ipam, line), installed, tuple(problems))
    if deployed.routing_mode in routing_modes(ipam, line):
        return CiliumUpgrade(deployed.routing_mode, installed, tuple(problems))
    flipped = new_hub_routing_mode(ipam, line)
    field = FIELD_IPAM if ipam != deployed.ipam else FIELD_CHART_VERSION
    problems.append((field, _flip_reason(deployed, chart_version, ipam, flipped)))
    return CiliumUpgrade(flipped, installed, tuple(problems))
