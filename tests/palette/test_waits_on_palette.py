"""The pool provider waits on what says Palette's work is done, against the emulator with Palette's timing
shortened (`FAST_TIMING`): a pool's link to its cluster that comes late, hosts that join minutes after the
update, a repave after the profile download, a pool uid that is the same created or adopted."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.errors import PaletteWaitError
from eks_hybrid.components.palette import providers as p
from palette_emulator import EmulatorState, LiveServer
from palette_emulator.timing import VirtualClock

from .conftest import FAST_TIMING, PROFILE, PROJECT, ProviderFactory, hybrid_hub, register_hosts, slow

MACHINES = "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines"
PATCH_PROFILES = ("PATCH", "/v1/spectroclusters/{uid}/profiles")


@pytest.fixture
def hub(provider: ProviderFactory, live: LiveServer) -> dict[str, str]:
    return hybrid_hub(provider, live, PROFILE)


def _props(live: LiveServer, hub: dict[str, str], hosts: list[str], *, listed: bool = True) -> dict[str, Any]:
    return {
        "endpoint": live.url,
        "projectUid": PROJECT,
        "pollSeconds": 10,
        "cloudConfigUid": hub["cloud"],
        **({"clusterUid": hub["cluster"]} if listed else {}),
        "profileUid": hub["profile"],
        "pool": {"name": "dallas-workers", "architecture": "amd64", "edgeHosts": [{"uid": h} for h in hosts]},
    }


def _running_pool(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState, hosts: list[str]
) -> tuple[p.PaletteProvider, dict[str, Any]]:
    """edge-1 and edge-2 registered, and a pool of `hosts` created and up: its provider and outputs."""
    register_hosts(state, "edge-1", "edge-2")
    pools = provider(p.NodePoolProvider)
    return pools, pools.create(_props(live, hub, hosts)).outs or {}


def _ready(state: EmulatorState) -> list[bool]:
    pool = next(iter(state.pools.values()))
    return [state._machine_status(pool, m)["ready"] for m in pool.machines.values()]


@pytest.mark.parametrize("listed", [True, False], ids=["hub-listing", "pool-get"])
def test_a_pool_whose_cluster_palette_links_late_is_waited_for_not_taken_as_deleted(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    clock: VirtualClock,
    listed: bool,
) -> None:
    # Palette fills a new pool's child-cluster reference after the POST (the Terraform provider sleeps after
    # an import for the same reason); read too early it is empty, which used to read as "Deleted".
    slow(state, pool_link=45)
    register_hosts(state, "edge-1")
    started = clock.now()
    created = provider(p.NodePoolProvider).create(_props(live, hub, ["edge-1"], listed=listed))
    assert created.outs and created.outs["poolClusterUid"] and created.outs["poolCloudConfigUid"]
    assert clock.now() - started >= FAST_TIMING.pool_ready and all(_ready(state))


def test_created_and_adopted_pools_get_the_uid_the_hub_lists_them_under(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    props = _props(live, hub, ["edge-1"])
    created = provider(p.NodePoolProvider).create(props)
    # The same pool adopted by a re-run whose state was lost (it exists, so the create adopts it).
    adopted = provider(p.NodePoolProvider).create(props)
    listed = provider(p.NodePoolProvider).api(props).hybrid_pools(hub["cluster"])
    assert created.id == adopted.id == listed[0]["uid"] != "dallas-workers"


def test_a_host_added_is_done_when_its_machine_is_ready_not_when_the_put_returns(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    clock: VirtualClock,
    reports: list[str],
) -> None:
    pools, outs = _running_pool(provider, live, hub, state, ["edge-1"])
    started = clock.now()
    grown = {**outs, "pool": {**outs["pool"], "edgeHosts": [{"uid": "edge-1"}, {"uid": "edge-2"}]}}
    pools.update(outs["poolUid"], outs, grown)
    assert clock.now() - started >= FAST_TIMING.host_join and _ready(state) == [True, True]
    assert any("1 of 2 hosts ready (edge-2 Provisioning)" in r for r in reports)


def test_a_host_that_never_joins_times_out_naming_it(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    pools, outs = _running_pool(provider, live, hub, state, ["edge-1"])
    slow(state, host_join=1e9)
    grown = {
        **outs,
        "waitTimeoutSeconds": 120,
        "pool": {**outs["pool"], "edgeHosts": [{"uid": "edge-1"}, {"uid": "edge-2"}]},
    }
    with pytest.raises(PaletteWaitError, match=r"still Running, 1 of 2 hosts ready \(edge-2 Provisioning\)"):
        pools.update(outs["poolUid"], outs, grown)


def _second_version(provider: ProviderFactory, live: LiveServer) -> str:
    other = provider(p.ProfileProvider).create(
        {
            "endpoint": live.url,
            "projectUid": PROJECT,
            "pollSeconds": 0,
            "profile": {**PROFILE, "version": "1.1.0"},
        }
    )
    assert other.outs is not None
    return str(other.outs["profileUid"])


def test_a_profile_swap_is_done_when_the_repave_is(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    clock: VirtualClock,
    reports: list[str],
) -> None:
    pools, outs = _running_pool(provider, live, hub, state, ["edge-1", "edge-2"])
    v2 = _second_version(provider, live)
    started = clock.now()
    moved = pools.update(outs["poolUid"], outs, {**outs, "profileUid": v2}).outs or {}
    # Not at `canBeApplied` (the download): at the end of the repave, every layer on the new profile.
    assert clock.now() - started >= FAST_TIMING.profile_download + FAST_TIMING.repave
    cluster = pools.api(outs).get_cluster(moved["poolClusterUid"]) or {}
    assert {pack["profileUid"] for pack in cluster["status"]["packs"]} == {v2}
    lines = [r for r in reports if "profile swap of pool 'dallas-workers'" in r]
    assert any("downloading the new profile" in r for r in lines)
    assert any("edge-1 repave" in r or "edge-2 repave" in r for r in lines)
    assert lines[-1].startswith("palette: the profile swap of pool 'dallas-workers' is on the new profile")


def test_a_re_run_after_a_repave_timed_out_waits_again_without_a_second_swap(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    pools = provider(p.NodePoolProvider)
    outs = pools.create(_props(live, hub, ["edge-1"])).outs or {}
    v2 = _second_version(provider, live)
    with pytest.raises(PaletteWaitError, match="repave"):
        pools.update(outs["poolUid"], outs, {**outs, "profileUid": v2, "repaveTimeoutSeconds": 20})
    # Pulumi keeps the old inputs after a failed update: the re-run sees the same change again.
    moved = pools.update(outs["poolUid"], outs, {**outs, "profileUid": v2}).outs or {}
    assert state.operations.count(PATCH_PROFILES) == 1
    assert state.clusters[moved["poolClusterUid"]].profile_uids == [v2]


def test_removing_hosts_when_palette_lists_no_machine_pool_goes_on_with_the_update(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState, monkeypatch: Any
) -> None:
    pools, outs = _running_pool(provider, live, hub, state, ["edge-1", "edge-2"])
    original = state.machines
    calls = {"n": 0}

    def unlisted(config_uid: str, pool_name: str, project: str) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 1:  # the removal's listing: Palette has no machine pool of that name [I]
            from palette_emulator.state import not_found

            raise not_found("MachinePool", pool_name)
        return original(config_uid, pool_name, project)

    monkeypatch.setattr(state, "machines", unlisted)
    shrunk = {**outs, "pool": {**outs["pool"], "edgeHosts": [{"uid": "edge-1"}]}}
    pools.update(outs["poolUid"], outs, shrunk)
    assert [h["hostUid"] for h in next(iter(state.pools.values())).edge_hosts] == ["edge-1"]
    assert state.edge_hosts["edge-2"]["status"]["state"] == "ready"
