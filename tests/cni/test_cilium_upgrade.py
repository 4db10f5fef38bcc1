"""Cilium upgrades judged against what the hub deployed (`domain.cilium_upgrade`): the routing mode pinned
at install, `upgradeCompatibility` from the version first installed, one minor line at a time."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from eks_hybrid.components.cni import values
from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.cilium_upgrade import (
    DEPLOYED_OUTPUTS,
    DeployedCilium,
    cilium_upgrade,
    deployed_cilium,
    line_jump_reason,
    new_hub_routing_mode,
    routing_mode_reason,
    routing_modes,
    values_routing_mode,
)
from eks_hybrid.components.domain.defaults import CILIUM_IPAM_MODES, CILIUM_ROUTING_MODES
from eks_hybrid.components.domain.hub_outputs import HubOutput

PODS = ["172.16.0.0/16", "172.17.0.0/16"]
CHARTS = {"1.16": "1.16.9", "1.17": "1.17.13-1", "1.18": "1.18.5-0"}


def deployed(
    line: str, ipam: str = "multiPool", mode: str | None = None, installed: str | None = None
) -> Any:
    outputs: dict[str, Any] = {HubOutput.CILIUM_CHART_VERSION: CHARTS[line], HubOutput.CILIUM_IPAM_MODE: ipam}
    if mode is not None:
        outputs[HubOutput.CILIUM_ROUTING_MODE] = mode
    if installed is not None:
        outputs[HubOutput.CILIUM_INSTALLED_VERSION] = installed
    return deployed_cilium(outputs, "multiPool")


def test_routing_modes_per_line_and_ipam() -> None:
    assert routing_modes("multiPool", "1.17") == ("native",)  # "Tunnel mode is not supported" in 1.17
    assert routing_modes("multiPool", "1.18") == ("tunnel", "native")
    assert routing_modes("multiPool", "1.16") == ()
    assert all(routing_modes("clusterPool", line) == ("tunnel",) for line in ("1.16", "1.17", "1.18"))
    assert new_hub_routing_mode("multiPool", "1.17") == "native"
    assert new_hub_routing_mode("multiPool", "1.18") == "tunnel"
    assert new_hub_routing_mode("multiPool", "1.16") == "tunnel"  # the chart's default


@pytest.mark.parametrize(
    ("old", "new", "refused"),
    [
        ("1.17.6", "1.17.13-1", False),
        ("1.17.13-1", "1.18.5-0", False),
        ("1.18.5-0", "1.17.13-1", False),  # one line back: Cilium's tested rollback
        ("1.16.9", "1.18.5-0", True),
        ("1.18.5-0", "1.16.9", True),
        ("1.15.0", "1.18.0", True),
        ("1.18.5-0", "2.0.0", True),
        ("1.18.5-0", "1.18.5-0", False),
    ],
)
def test_one_minor_line_at_a_time(old: str, new: str, refused: bool) -> None:
    reason = line_jump_reason(old, new)
    assert (reason is not None) == refused
    if reason is not None:
        assert reason.code == Code.CILIUM_LINE_JUMP
        assert "one minor release at a time" in reason.text and old in reason.text and new in reason.text


def test_a_jump_names_the_line_to_take_first() -> None:
    up = line_jump_reason("1.16.9", "1.18.5-0")
    down = line_jump_reason("1.18.5-0", "1.16.9")
    assert up is not None and "take 1.16's latest patch, then 1.17's" in up.text and "before 1.18" in up.text
    assert down is not None and "take 1.18's latest patch, then 1.17's" in down.text


def test_a_first_deploy_has_no_deployed_cilium() -> None:
    assert deployed_cilium({}, "multiPool") is None
    assert deployed_cilium({HubOutput.CILIUM_CHART_VERSION: "not-a-version"}, "multiPool") is None
    assert set(DEPLOYED_OUTPUTS) >= {HubOutput.CILIUM_CHART_VERSION, HubOutput.CILIUM_ROUTING_MODE}


def test_a_hub_deployed_before_the_routing_mode_output_runs_its_lines_mode() -> None:
    """Hubs of earlier versions exported the chart and the IPAM mode only: a 1.17 multi-pool hub ran native
    routing, what eks-hybrid deployed for that line."""
    assert deployed("1.17") == DeployedCilium("1.17.13-1", "multiPool", "native", "1.17.13-1")
    assert deployed("1.18") == DeployedCilium("1.18.5-0", "multiPool", "tunnel", "1.18.5-0")
    assert deployed("1.17", "clusterPool") == DeployedCilium(
        "1.17.13-1", "clusterPool", "tunnel", "1.17.13-1"
    )
    # Without ciliumIpamMode: the IPAM mode the stack asks for now.
    legacy = deployed_cilium({HubOutput.CILIUM_CHART_VERSION: "1.17.6"}, "clusterPool")
    assert legacy is not None and (legacy.ipam, legacy.routing_mode) == ("clusterPool", "tunnel")


def test_the_exported_mode_and_first_version_win() -> None:
    found = deployed("1.18", mode="native", installed="1.17.6")
    assert found is not None and (found.routing_mode, found.installed_version) == ("native", "1.17.6")
    odd = deployed("1.18", mode="geneve", installed="one")  # not outputs eks-hybrid writes: ignored
    assert odd is not None and (odd.routing_mode, odd.installed_version) == ("tunnel", "1.18.5-0")


def test_a_hub_created_on_1_17_keeps_native_routing_on_1_18() -> None:
    upgrade = cilium_upgrade(
        chart_version="1.18.5-0", ipam="multiPool", routing_mode=None, deployed=deployed("1.17")
    )
    assert upgrade.problems == () and upgrade.notes == ()
    assert upgrade.routing_mode == "native"
    assert (upgrade.installed_version, upgrade.upgrade_compatibility) == ("1.17.13-1", "1.17")


def test_a_new_hub_gets_its_lines_mode_and_its_own_line_for_compatibility() -> None:
    for line, mode in (("1.17", "native"), ("1.18", "tunnel")):
        upgrade = cilium_upgrade(
            chart_version=CHARTS[line], ipam="multiPool", routing_mode=None, deployed=None
        )
        assert (upgrade.routing_mode, upgrade.upgrade_compatibility, upgrade.problems) == (mode, line, ())


def test_upgrade_compatibility_stays_the_first_installed_line() -> None:
    upgrade = cilium_upgrade(
        chart_version="1.18.5-0",
        ipam="clusterPool",
        routing_mode=None,
        deployed=deployed("1.18", "clusterPool", installed="1.17.6"),
    )
    assert upgrade.upgrade_compatibility == "1.17" and upgrade.installed_version == "1.17.6"


def test_a_chart_change_that_cannot_keep_the_mode_is_refused() -> None:
    """A 1.18 multi-pool hub (tunnel) moved back to 1.17, where multi-pool routes natively only."""
    upgrade = cilium_upgrade(
        chart_version="1.17.13-1", ipam="multiPool", routing_mode=None, deployed=deployed("1.18")
    )
    [(field, reason)] = upgrade.problems
    assert field == "chartVersion" and reason.code == Code.CILIUM_ROUTING_MODE_FLIP
    for words in (
        "routingMode tunnel",
        "switch it to native",
        "#38483",
        "#39513",
        "Upgrade Cilium on hybrid",
    ):
        assert words in reason.text
    assert "eks-hybrid:cilium.routingMode: native" in reason.text


def test_an_ipam_change_that_cannot_keep_the_mode_is_refused_on_ipam() -> None:
    upgrade = cilium_upgrade(
        chart_version="1.18.5-0", ipam="clusterPool", routing_mode=None, deployed=deployed("1.17")
    )
    [(field, reason)] = upgrade.problems
    assert field == "ipam" and reason.code == Code.CILIUM_ROUTING_MODE_FLIP


def test_an_explicit_mode_migrates_with_a_note() -> None:
    upgrade = cilium_upgrade(
        chart_version="1.18.5-0", ipam="multiPool", routing_mode="tunnel", deployed=deployed("1.17")
    )
    assert upgrade.problems == () and upgrade.routing_mode == "tunnel"
    [note] = upgrade.notes
    assert "from routingMode native" in note and note.endswith(f"[{Code.CILIUM_ROUTING_MODE_MIGRATION}]")
    same = cilium_upgrade(
        chart_version="1.18.5-0", ipam="multiPool", routing_mode="native", deployed=deployed("1.17")
    )
    assert same.notes == () and same.routing_mode == "native"


@pytest.mark.parametrize(
    ("ipam", "chart", "mode"),
    [
        ("multiPool", "1.17.13-1", "tunnel"),
        ("clusterPool", "1.18.5-0", "native"),
        ("multiPool", "1.16.9", "native"),
    ],
)
def test_an_explicit_mode_the_line_does_not_run_is_refused(ipam: Any, chart: str, mode: str) -> None:
    upgrade = cilium_upgrade(chart_version=chart, ipam=ipam, routing_mode=mode, deployed=None)
    [(field, reason)] = upgrade.problems
    assert field == "routingMode" and reason.code == Code.CILIUM_ROUTING_MODE
    assert routing_mode_reason(ipam, chart[:4], mode) == reason


def test_a_jump_is_refused_whatever_the_mode() -> None:
    upgrade = cilium_upgrade(
        chart_version="1.18.5-0",
        ipam="clusterPool",
        routing_mode=None,
        deployed=deployed("1.16", "clusterPool"),
    )
    assert [(field, reason.code) for field, reason in upgrade.problems] == [
        ("chartVersion", Code.CILIUM_LINE_JUMP)
    ]


LINES = ("1.16", "1.17", "1.18")


@pytest.mark.parametrize(
    ("old_line", "old_ipam", "old_mode", "line", "ipam", "configured"),
    list(
        itertools.product(
            LINES,
            CILIUM_IPAM_MODES,
            (None, *CILIUM_ROUTING_MODES),
            LINES,
            CILIUM_IPAM_MODES,
            (None, *CILIUM_ROUTING_MODES),
        )
    ),
)
def test_every_upgrade_keeps_the_running_mode_or_says_why(
    old_line: str, old_ipam: Any, old_mode: str | None, line: str, ipam: Any, configured: str | None
) -> None:
    """Over every deployed state and every change: the routing mode never switches silently."""
    before = deployed(old_line, old_ipam, old_mode)
    upgrade = cilium_upgrade(chart_version=CHARTS[line], ipam=ipam, routing_mode=configured, deployed=before)
    fields = {field for field, _ in upgrade.problems}
    jump = abs(int(old_line[2:]) - int(line[2:])) > 1
    assert (
        "chartVersion" in fields and any(r.code == Code.CILIUM_LINE_JUMP for _, r in upgrade.problems)
    ) == jump
    if configured is not None and configured not in routing_modes(ipam, line):
        assert "routingMode" in fields
        return
    flips = [r for _, r in upgrade.problems if r.code == Code.CILIUM_ROUTING_MODE_FLIP]
    if configured is not None:
        assert upgrade.routing_mode == configured and not flips
        assert bool(upgrade.notes) == (configured != before.routing_mode)
    elif not routing_modes(ipam, line):  # a multi-pool line eks-hybrid refuses as unsupported anyway
        assert not flips and not upgrade.notes
    elif before.routing_mode in routing_modes(ipam, line):
        assert upgrade.routing_mode == before.routing_mode and not flips and not upgrade.notes
    else:
        assert len(flips) == 1 and upgrade.routing_mode != before.routing_mode
    assert upgrade.upgrade_compatibility == old_line


def test_values_routing_mode_reads_the_chart_default() -> None:
    assert values_routing_mode({}) == "tunnel"
    assert values_routing_mode({"routingMode": "native"}) == "native"
    assert (
        values_routing_mode(values.cilium_values(PODS, 24, ipam="multiPool", cilium_line="1.17")) == "native"
    )
    assert (
        values_routing_mode(values.cilium_values(PODS, 24, ipam="clusterPool", cilium_line="1.17"))
        == "tunnel"
    )


def test_the_values_take_the_pinned_mode_and_the_compatibility_line() -> None:
    native = values.cilium_values(
        PODS, 24, ipam="multiPool", cilium_line="1.18", routing_mode="native", upgrade_compatibility="1.17"
    )
    assert native["upgradeCompatibility"] == "1.17"
    assert (
        native["routingMode"],
        native["autoDirectNodeRoutes"],
        native["directRoutingSkipUnreachable"],
    ) == (
        "native",
        True,
        True,
    )
    assert "tunnelProtocol" not in native
    assert "upgradeCompatibility" not in values.cilium_values(PODS, 24, ipam="multiPool", cilium_line="1.18")
    with pytest.raises(ValueError, match="routingMode 'native' does not run here"):
        values.cilium_values(PODS, 24, ipam="clusterPool", cilium_line="1.18", routing_mode="native")
    with pytest.raises(ValueError, match="routes natively only"):
        values.cilium_values(PODS, 24, ipam="multiPool", cilium_line="1.17", routing_mode="tunnel")
