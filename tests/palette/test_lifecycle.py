"""The example hub and two of its sites, end to end against the emulator over real HTTP with Palette's own
timing (a pool up in 15 minutes, a repave in an hour, on a virtual clock the providers' polls move): create,
a profile version bump (the old version kept while the sites' pools use it, as its in-use clusters say, and
each site's update done only when its nodes are repaved), a host added and one removed, a site removed, then
destroy (the hub's refused while a site's pool uses its profile), with nothing left behind.

Every request body is validated strictly by the emulator against the operation's definition in the Palette
spec, and every response it gives against the operation's response definition (the `app` fixture fails the
test on any contract violation); this test also checks that each call it made is a spec operation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from eks_hybrid.components.config import SECRET_PLACEHOLDER, HubConfig, SiteConfig, validate_stack
from eks_hybrid.components.config._stack_args import node_pool
from eks_hybrid.components.errors import PaletteError
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette.node_pools import pool_input
from palette_emulator import EmulatorState, LiveServer
from palette_emulator.spec import OPERATIONS
from palette_emulator.timing import Timing, VirtualClock

from .conftest import ProviderFactory

STACKS = Path(__file__).resolve().parents[2] / "stacks"
CA = "-----BEGIN CERTIFICATE-----\nMIIBgenerated\n-----END CERTIFICATE-----\n"
CA_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEgenerated\n-----END PRIVATE KEY-----\n"
MACHINE_DELETE = (
    "DELETE /v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines/{machineUid}"
)
PROFILE_PATH = "/v1/clusterprofiles/{uid}"
POOL_PUT = "PUT /v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"
PALETTE = Timing()  # Palette's own durations
POLL_SECONDS = 15.0  # PaletteNodePools' default interval


def _placeholders(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v) for v in value]
    return value


def _load(name: str) -> Any:
    path = STACKS / f"Pulumi.{name}.yaml"
    return validate_stack(_placeholders(yaml.safe_load(path.read_text())["config"]), str(path))


def _hosts(outs: dict[str, Any], hosts: list[dict[str, Any]]) -> dict[str, Any]:
    return {**outs, "pool": {**outs["pool"], "edgeHosts": hosts}}


def _machines_ready(state: EmulatorState, outs: dict[str, Any]) -> list[bool]:
    pool = next(p for p in state.pools.values() if p.cluster_uid == outs["poolClusterUid"])
    return [state._machine_status(pool, m)["ready"] for m in pool.machines.values()]


def test_hub_and_two_sites_lifecycle(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState, clock: VirtualClock, reports: list[str]
) -> None:
    hub = _load("example-hub")
    assert isinstance(hub, HubConfig) and hub.palette is not None
    sites = [_load(f"example-{n}") for n in ("dallas", "chicago")]
    assert all(isinstance(s, SiteConfig) for s in sites)
    state.timing = PALETTE
    where = {"endpoint": live.url, "projectUid": hub.palette.project_uid, "pollSeconds": POLL_SECONDS}

    # --- the hub: import, readiness, hybrid mode with the IRA root CA, the profile ------------------------
    importer, readiness = provider(p.ClusterImportProvider), provider(p.ClusterReadinessProvider)
    settings, profiles = provider(p.HybridSettingsProvider), provider(p.ProfileProvider)
    imported = importer.create({**where, "clusterName": hub.cluster.name})
    assert imported.outs is not None
    cloud = imported.outs["cloudConfigUid"]
    ready = readiness.create({**where, "clusterUid": imported.id})
    assert ready.outs and (ready.outs["state"], ready.outs["health"]) == ("Running", "Healthy")
    hybrid_props = {
        **where,
        "clusterUid": imported.id,
        "cloudConfigUid": cloud,
        "vpcCidr": hub.cluster.vpc_cidr,
        "nodeCidrs": hub.remote_node_cidrs,
        "podCidrs": hub.remote_pod_cidrs,
        "identity": {
            "provider": "iamRolesAnywhere",
            "roleArn": "arn:aws:iam::123456789012:role/edge-prod-node-identity-role",
            "trustAnchorArn": "arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/ta",
            "profileArn": "arn:aws:rolesanywhere:us-west-2:123456789012:profile/pr",
            "rootCaCertificate": CA,
            "rootCaPrivateKey": CA_KEY,
        },
    }
    assert settings.check({}, hybrid_props).failures == []
    settings.create(hybrid_props)
    hybrid = state.aws_configs[cloud].hybrid_config or {}
    assert hybrid["remoteNodeCidrs"] == ["10.200.0.0/16", "10.201.0.0/16", "10.202.0.0/16"]
    assert hybrid["iamRolesAnywhere"]["rootCaPrivateKey"] == CA_KEY
    assert settings.read(cloud, hybrid_props).outs["nodeCidrs"] == hub.remote_node_cidrs
    v1 = hub.palette.profile.model_dump(by_alias=True, mode="json")
    profile = profiles.create({**where, "profile": v1})
    assert profile.outs is not None
    profile_outs = profile.outs
    assert profiles.read(profile.id, profile_outs).outs["published"] is True

    # --- two sites: one pool each, no drift on read ---------------------------------------------------------
    pools: dict[str, dict[str, Any]] = {}
    for site in sites:
        for pool in site.site.node_pools:
            for host in pool.edge_hosts:
                state.register_edge_host(host.uid, project=hub.palette.project_uid, arch=pool.architecture)
            props = {
                **where,
                "cloudConfigUid": cloud,
                "clusterUid": imported.id,
                "profileUid": profile_outs["profileUid"],
                "pool": pool_input(pool.name, node_pool(pool), site.site.name),
            }
            started = clock.now()
            created = provider(p.NodePoolProvider).create(props)
            assert created.outs
            # Done only when Palette is: the pool Running with every host's machine ready (15 minutes).
            assert clock.now() - started >= PALETTE.pool_ready
            assert all(_machines_ready(state, created.outs))
            # The uid the hub lists the pool under, as an adopted pool would get.
            listed = profiles.api(where).hybrid_pools(imported.id)
            assert created.id == next(e["uid"] for e in listed if e["name"] == pool.name)
            pools[pool.name] = created.outs
    assert sorted(name for _, name in state.pools) == ["chicago-workers", "dallas-workers"]
    for outs in pools.values():
        read = provider(p.NodePoolProvider).read(outs["poolUid"], outs)
        assert (
            read.outs and provider(p.NodePoolProvider).diff(outs["poolUid"], read.outs, outs).changes is False
        )

    # --- a profile version bump: hub, then the sites, then the hub again ------------------------------------
    kubelet = {"nodeadm": {"kubelet": {"flags": ["--v=2"]}}}
    v2 = {**v1, "version": "1.1.0", "kubernetes": {**v1["kubernetes"], "values": kubelet}}
    assert profiles.check(profile_outs, {**where, "profile": v2}).failures == []
    bumped = profiles.update(profile.id, profile_outs, {**where, "profile": v2}).outs
    assert bumped is not None
    v2_uid = bumped["profileUid"]
    # Both sites still use 1.0.0. The emulator, like Palette, would delete it: the hub reads the version's
    # in-use clusters first and keeps it.
    assert bumped["retainedVersions"] == {"1.0.0": profile_outs["profileUid"]}
    assert profile_outs["profileUid"] in state.profiles and ("DELETE", PROFILE_PATH) not in state.operations
    in_use = profiles.api(where).get_profile(profile_outs["profileUid"]) or {}
    assert sorted(c["name"] for c in in_use["status"]["inUseClusters"]) == [
        "chicago-workers",
        "dallas-workers",
    ]
    for name, outs in pools.items():
        started = clock.now()
        moved = (
            provider(p.NodePoolProvider).update(outs["poolUid"], outs, {**outs, "profileUid": v2_uid}).outs
        )
        assert moved is not None
        pools[name] = moved
        assert state.clusters[moved["poolClusterUid"]].profile_uids == [v2_uid]
        # Done when the repave is (up to an hour after the download), not when Palette can apply the profile.
        assert clock.now() - started >= PALETTE.profile_download + PALETTE.repave
        cluster = profiles.api(where).get_cluster(moved["poolClusterUid"]) or {}
        assert {pack["profileUid"] for pack in cluster["status"]["packs"]} == {v2_uid}
        assert all(_machines_ready(state, moved))
    # Progress was shown as it went (at Pulumi's default level), a line per state, not one per poll.
    repaving = [r for r in reports if "the profile swap of pool 'dallas-workers'" in r]
    assert any("repaving" in r for r in repaving) and len(repaving) < 3600 / POLL_SECONDS / 2
    cleaned = profiles.update(profile.id, bumped, {**where, "profile": v2}).outs
    assert cleaned and cleaned["retainedVersions"] == {} and list(state.profiles) == [v2_uid]

    # --- add a host to dallas, then remove one (machines first) ---------------------------------------------
    dallas = pools["dallas-workers"]
    state.register_edge_host("edge-8f3a2b1e", project=hub.palette.project_uid)
    grown = _hosts(dallas, [*dallas["pool"]["edgeHosts"], {"uid": "edge-8f3a2b1e", "name": "dallas-03"}])
    started = clock.now()
    dallas = provider(p.NodePoolProvider).update(dallas["poolUid"], dallas, grown).outs or {}
    assert state.edge_hosts["edge-8f3a2b1e"]["status"]["state"] == "in-use"
    assert clock.now() - started >= PALETTE.host_join and all(_machines_ready(state, dallas))
    shrunk = _hosts(dallas, [h for h in dallas["pool"]["edgeHosts"] if h["uid"] != "edge-8f3a2b1d"])
    before = len(state.operations)
    dallas = provider(p.NodePoolProvider).update(dallas["poolUid"], dallas, shrunk).outs or {}
    step = [f"{m} {path}" for m, path in state.operations[before:]]
    assert step.index(MACHINE_DELETE) < step.index(POOL_PUT)
    assert state.edge_hosts["edge-8f3a2b1d"]["status"]["state"] == "ready"
    pools["dallas-workers"] = dallas
    read = provider(p.NodePoolProvider).read(dallas["poolUid"], dallas)
    assert read.outs and [h["uid"] for h in read.outs["pool"]["edgeHosts"]] == [
        "edge-8f3a2b1c",
        "edge-8f3a2b1e",
    ]

    # --- a site removed: chicago's pool goes, its hosts are free again, dallas is untouched ----------------
    chicago = pools.pop("chicago-workers")
    provider(p.NodePoolProvider).delete(chicago["poolUid"], chicago)
    assert sorted(name for _, name in state.pools) == ["dallas-workers"]
    assert {state.edge_hosts[h["uid"]]["status"]["state"] for h in chicago["pool"]["edgeHosts"]} == {"ready"}
    read = provider(p.NodePoolProvider).read(dallas["poolUid"], dallas)
    assert (
        read.outs and provider(p.NodePoolProvider).diff(dallas["poolUid"], read.outs, dallas).changes is False
    )

    # --- destroy: the hub refuses while dallas's pool uses its profile, then the site, then the hub ---------
    with pytest.raises(PaletteError, match="destroy the site stacks first") as refused:
        profiles.delete(profile.id, cleaned)
    assert "dallas-workers" in str(refused.value) and "chicago-workers" not in str(refused.value)
    assert list(state.profiles) == [v2_uid]
    for outs in pools.values():
        provider(p.NodePoolProvider).delete(outs["poolUid"], outs)
    profiles.delete(profile.id, cleaned)
    settings.delete(cloud, hybrid_props)
    assert state.clusters[imported.id].hybrid_enabled is False  # no pool left, so hybrid mode goes off
    readiness.delete(imported.id, {**where, "clusterUid": imported.id})
    importer.delete(imported.id, {**where, "clusterName": hub.cluster.name})
    assert (state.pools, state.profiles) == ({}, {})
    assert [c for c in state.clusters.values() if not c.deleted] == []
    assert {h["status"]["state"] for h in state.edge_hosts.values()} == {"ready"}

    # --- every call was a spec operation, validated both ways -----------------------------------------------
    assert state.contract_violations == []
    used = set(state.operations)
    assert used <= set(OPERATIONS)
    # All but the edge-host search (the providers read hosts one by one), both read back above.
    assert set(OPERATIONS) - used == {("POST", "/v1/dashboard/edgehosts/search")}
