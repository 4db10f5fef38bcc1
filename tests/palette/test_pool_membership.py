"""Who a hybrid pool belongs to and which hosts may join it, against the emulator over HTTP.

- Every site's pools live under the hub's one AWS cloud config, addressed by name: a pool labelled for
  another site (`eks-hybrid/site`) is never adopted, changed or deleted.
- Readiness, health, architecture and registration mode are checked for joining hosts only: a member
  that turned unhealthy never blocks the change that repaves or removes it.
- Agent Mode hosts (SPEC v1DeviceSpec.hostType `agent-mode`) are refused: the hybrid profile is
  Appliance Mode's.
"""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.labels import SITE_LABEL
from eks_hybrid.components.errors import PaletteError
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette.decisions import host_problems, pool_members, pool_owner_problem
from palette_emulator import EmulatorState, LiveServer

from .conftest import PROFILE, PROJECT, ProviderFactory, hybrid_hub, register_hosts


@pytest.fixture
def hub(provider: ProviderFactory, live: LiveServer) -> dict[str, str]:
    return hybrid_hub(provider, live, PROFILE)


def site_pool(
    live: LiveServer, hub: dict[str, str], site: str, hosts: list[str], name: str = "workers"
) -> dict[str, Any]:
    """A pool's props as `PaletteNodePools` gives them: the site, and its label on the pool."""
    return {
        "endpoint": live.url,
        "projectUid": PROJECT,
        "pollSeconds": 0,
        "cloudConfigUid": hub["cloud"],
        "profileUid": hub["profile"],
        "site": site,
        "pool": {
            "name": name,
            "architecture": "amd64",
            "edgeHosts": [{"uid": uid} for uid in hosts],
            "labels": {SITE_LABEL: site},
        },
    }


def live_pool(state: EmulatorState, hub: dict[str, str], name: str = "workers") -> dict[str, Any]:
    return state.pool(hub["cloud"], name, PROJECT)


def members(state: EmulatorState, hub: dict[str, str]) -> list[str]:
    return [h["hostUid"] for h in live_pool(state, hub)["cloudConfig"]["edgeHosts"]]


# --- one pool name, two sites ---------------------------------------------------------------------------


def test_a_second_site_never_takes_a_pool_of_the_same_name_nor_deletes_it(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-a1", "edge-b1")
    prov = provider(p.NodePoolProvider)
    dallas = site_pool(live, hub, "dallas", ["edge-a1"])
    created = prov.create(dallas)

    chicago = site_pool(live, hub, "chicago", ["edge-b1"])
    with pytest.raises(PaletteError) as info:
        prov.create(chicago)
    assert info.value.code is Code.POOL_OF_ANOTHER_SITE
    assert "hybrid pool 'workers' under this hub belongs to site 'dallas'" in str(info.value)
    assert "'chicago-workers'" in str(info.value)
    # Dallas's pool is as it was: its host, its label; chicago's host is free.
    assert members(state, hub) == ["edge-a1"]
    assert live_pool(state, hub)["poolConfig"]["additionalLabels"] == {SITE_LABEL: "dallas"}
    assert state.edge_hosts["edge-b1"]["status"]["state"] == "ready"

    # Chicago's stack going away (a destroy, or the delete of a replace) leaves dallas's pool alone.
    prov.delete("workers", chicago)
    assert members(state, hub) == ["edge-a1"]

    # An update of chicago's pool (state from before this check) never rewrites dallas's.
    with pytest.raises(PaletteError, match="belongs to site 'dallas'"):
        prov.update("workers", chicago, {**chicago, "pool": {**chicago["pool"], "taints": []}})
    assert members(state, hub) == ["edge-a1"]

    prov.delete(created.id, created.outs or dallas)
    assert state.pools == {}


def test_a_pool_of_the_same_site_or_without_a_site_label_is_still_adopted(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-a1", "edge-a2")
    prov = provider(p.NodePoolProvider)
    prov.create(site_pool(live, hub, "dallas", ["edge-a1"]))
    adopted = prov.create(site_pool(live, hub, "dallas", ["edge-a1", "edge-a2"]))  # a lost create
    assert adopted.outs and members(state, hub) == ["edge-a1", "edge-a2"]

    # A pool made in Palette's UI carries no site label: adopted as before, and labelled.
    next(iter(state.pools.values())).pool_config["additionalLabels"] = {}
    prov.create(site_pool(live, hub, "dallas", ["edge-a1"]))
    assert live_pool(state, hub)["poolConfig"]["additionalLabels"] == {SITE_LABEL: "dallas"}


# --- hosts already in the pool are not re-checked -------------------------------------------------------


def test_an_unhealthy_member_does_not_block_a_profile_swap_or_its_removal(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1", "edge-2", "edge-3")
    prov = provider(p.NodePoolProvider)
    created = prov.create(site_pool(live, hub, "dallas", ["edge-1", "edge-2"]))
    assert created.outs
    state.edge_hosts["edge-2"]["status"]["health"] = {"state": "unhealthy", "message": "heartbeat lost"}

    # A new profile version (the Kubernetes upgrade that may fix the host) goes through.
    newer = provider(p.ProfileProvider).create(
        {"endpoint": live.url, "projectUid": PROJECT, "profile": {**PROFILE, "name": "other-profile"}}
    )
    swapped = prov.update(created.id, created.outs, {**created.outs, "profileUid": newer.id})
    assert swapped.outs and state.clusters[created.outs["poolClusterUid"]].profile_uids == [newer.id]

    # So does removing the unhealthy host.
    removed = site_pool(live, hub, "dallas", ["edge-1"])
    removed["profileUid"] = newer.id
    prov.update(created.id, swapped.outs, removed)
    assert members(state, hub) == ["edge-1"]
    assert state.edge_hosts["edge-2"]["status"]["state"] == "ready"

    # An unhealthy host joining the pool is refused, by name.
    state.edge_hosts["edge-3"]["status"]["health"] = {"state": "unhealthy", "message": "heartbeat lost"}
    joining = site_pool(live, hub, "dallas", ["edge-1", "edge-3"])
    joining["profileUid"] = newer.id
    with pytest.raises(PaletteError, match=r"edge host 'edge-3' \(pool 'workers'\) is not healthy") as info:
        prov.update(created.id, removed, joining)
    assert "edge-1" not in str(info.value) and members(state, hub) == ["edge-1"]


def test_a_member_in_use_by_another_cluster_is_still_refused(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    created = prov.create(site_pool(live, hub, "dallas", ["edge-1"]))
    assert created.outs
    state.edge_hosts["edge-1"]["status"]["inUseClustersRef"].append({"uid": "elsewhere", "name": "other"})
    changed = site_pool(live, hub, "dallas", ["edge-1"])
    changed["pool"]["taints"] = [{"key": "k", "value": "v", "effect": "NoSchedule"}]
    with pytest.raises(PaletteError, match="already in use by other"):
        prov.update(created.id, created.outs, changed)


# --- Agent Mode hosts -----------------------------------------------------------------------------------


def test_agent_mode_hosts_are_refused_naming_the_host_and_the_fix(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    register_hosts(state, "edge-agent", host_type="agent-mode")
    # The emulator reports the mode where Palette's API has it (SPEC v1DeviceSpec.hostType).
    assert state.edge_hosts["edge-agent"]["spec"]["device"]["hostType"] == "agent-mode"
    prov = provider(p.NodePoolProvider)
    with pytest.raises(PaletteError) as info:
        prov.create(site_pool(live, hub, "dallas", ["edge-agent"]))
    message = str(info.value)
    assert info.value.code is Code.EDGE_HOST_UNUSABLE
    assert "edge host 'edge-agent' (pool 'workers') is registered in Agent Mode" in message
    assert "Appliance Mode" in message and "K8S_DISTRIBUTION=nodeadm" in message
    assert state.pools == {}

    # Nor may one join an existing pool.
    created = prov.create(site_pool(live, hub, "dallas", ["edge-1"]))
    assert created.outs
    with pytest.raises(PaletteError, match=r"'edge-agent' .* Agent Mode"):
        prov.update(created.id, created.outs, site_pool(live, hub, "dallas", ["edge-1", "edge-agent"]))
    assert members(state, hub) == ["edge-1"]


# --- the pure decisions ---------------------------------------------------------------------------------


def _device(**status: Any) -> dict[str, Any]:
    return {
        "spec": {"device": {"archType": "amd64", "hostType": status.pop("host_type", "appliance")}},
        "status": {"state": "in-use", "health": {"state": "healthy"}, "inUseClustersRef": [], **status},
    }


@pytest.mark.parametrize(
    "device",
    [
        _device(health={"state": "unhealthy"}),
        _device(state="unpaired"),
        _device(host_type="agent-mode"),
        {**_device(), "spec": {"device": {"archType": "arm64"}}},
    ],
)
def test_a_member_is_checked_only_for_existence_and_other_clusters(device: dict[str, Any]) -> None:
    args: dict[str, Any] = {"pool_name": "workers", "architecture": "amd64", "own_cluster_uids": ["c1"]}
    assert host_problems("h", device, joining=False, **args) == []
    assert len(host_problems("h", device, joining=True, **args)) == 1
    assert host_problems("h", None, joining=False, **args)  # gone from Palette
    taken = {**device, "status": {**device["status"], "inUseClustersRef": [{"uid": "c2", "name": "x"}]}}
    assert any("in use by x" in p for p in host_problems("h", taken, joining=False, **args))


def test_pool_owner_problem_reads_the_site_label() -> None:
    live = {"poolConfig": {"name": "workers", "additionalLabels": {SITE_LABEL: "dallas"}}}
    assert pool_owner_problem(live, "dallas") is None
    assert pool_owner_problem(None, "chicago") is None
    assert pool_owner_problem({"poolConfig": {"name": "workers"}}, "chicago") is None
    assert "belongs to site 'dallas'" in (pool_owner_problem(live, "chicago") or "")
    assert pool_members({"cloudConfig": {"edgeHosts": [{"hostUid": "a"}, {"hostUid": "b"}]}}) == ["a", "b"]
