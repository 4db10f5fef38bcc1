"""Each dynamic provider against the emulator over real HTTP: CRUD, adoption, drift, invalid hosts, faults."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.errors import PaletteError
from components.palette import providers as p
from palette_emulator import EmulatorState, FaultRule, LiveServer

from .conftest import API_KEY, PROJECT, ProviderFactory, register_hosts

PROFILE = {
    "name": "eks-hybrid-nodes",
    "version": "1.0.0",
    "os": {"providerImage": "r/x:1"},
    "kubernetes": {"version": "1.31.0"},
}


def _where(live: LiveServer) -> dict[str, Any]:
    return {"endpoint": live.url, "projectUid": PROJECT}


@pytest.fixture
def hub(provider: ProviderFactory, live: LiveServer) -> dict[str, str]:
    """An imported, healthy, hybrid-enabled cluster and a published profile."""
    imported = provider(p.ClusterImportProvider).create({**_where(live), "clusterName": "edge-prod"})
    assert imported.outs is not None
    provider(p.ClusterReadinessProvider).create({**_where(live), "clusterUid": imported.id})
    cloud = imported.outs["cloudConfigUid"]
    provider(p.HybridSettingsProvider).create(
        {
            **_where(live),
            "clusterUid": imported.id,
            "cloudConfigUid": cloud,
            "vpcCidr": "10.100.0.0/16",
            "nodeCidrs": ["10.200.0.0/16"],
            "podCidrs": ["192.168.0.0/16"],
            "identity": {"provider": "ssm", "activationId": "id", "activationCode": "code"},
        }
    )
    profile = provider(p.ProfileProvider).create({**_where(live), "profile": PROFILE})
    return {"cluster": imported.id, "cloud": cloud, "profile": profile.id}


def _pool_props(
    live: LiveServer, hub: dict[str, str], hosts: list[dict[str, Any]], **pool: Any
) -> dict[str, Any]:
    return {
        **_where(live),
        "cloudConfigUid": hub["cloud"],
        "profileUid": hub["profile"],
        "pool": {"name": "dallas-workers", "architecture": "amd64", "edgeHosts": hosts, **pool},
    }


def test_providers_pickle_by_reference_without_the_key(provider: ProviderFactory) -> None:
    for instance in (
        provider(cls) for cls in (p.ClusterImportProvider, p.NodePoolProvider, p.ProfileProvider)
    ):
        raw = base64.b64decode(serialize_provider(instance))
        assert len(raw) < 200 and API_KEY.encode() not in raw and b"components.palette.providers" in raw
    assert len(base64.b64decode(serialize_provider(p.NODE_POOL))) < 200


def test_import_create_read_adopt_delete(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    prov = provider(p.ClusterImportProvider)
    props = {**_where(live), "clusterName": "edge-prod"}
    created = prov.create(props)
    assert created.outs and "kind: Namespace" in created.outs["importManifest"]
    again = prov.create(props)  # a retried create adopts, never duplicates
    assert again.id == created.id and len(state.clusters) == 1
    assert prov.read(created.id, created.outs).outs["clusterName"] == "edge-prod"
    assert prov.diff(created.id, props, {**props, "clusterName": "other"}).replaces == ["clusterName"]
    prov.delete(created.id, props)
    prov.delete(created.id, props)  # 404 is done
    assert prov.read(created.id, props).id == "" and state.clusters == {}


def test_import_adopts_after_a_lost_response(
    provider: ProviderFactory, live: LiveServer, app: Any, state: EmulatorState
) -> None:
    app.state.faults.add(FaultRule("drop", path="/v1/spectroclusters/aws/import", after_handling=True))
    created = provider(p.ClusterImportProvider).create({**_where(live), "clusterName": "edge-prod"})
    assert list(state.clusters) == [created.id]


def test_readiness_times_out_with_a_clear_message(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    state.import_polls = 10**6
    imported = provider(p.ClusterImportProvider).create({**_where(live), "clusterName": "c"})
    with pytest.raises(PaletteError, match="Pending/Unknown"):
        provider(p.ClusterReadinessProvider).create(
            {**_where(live), "clusterUid": imported.id, "timeoutSeconds": 0.01, "pollSeconds": 0}
        )


def test_hybrid_settings_apply_read_and_drift(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    prov = provider(p.HybridSettingsProvider)
    cluster = state.clusters[hub["cluster"]]
    assert cluster["spec"]["clusterConfig"]["hybridClusterConfig"]["enable"] is True
    props = {
        **_where(live),
        "clusterUid": hub["cluster"],
        "cloudConfigUid": hub["cloud"],
        "vpcCidr": "10.100.0.0/16",
        "nodeCidrs": ["10.200.0.0/16"],
        "podCidrs": ["192.168.0.0/16"],
    }
    state.cloud_configs[hub["cloud"]]["spec"]["clusterConfig"]["hybridConfig"]["remoteNodeCidrs"] = [
        "10.9.0.0/16"
    ]
    assert prov.read(hub["cloud"], props).outs["nodeCidrs"] == ["10.9.0.0/16"]
    failures = prov.check({}, {**props, "identity": {"provider": "iamRolesAnywhere"}}).failures
    assert {f.property for f in failures} == {"identity"}


def test_profile_adopts_and_versions(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    prov = provider(p.ProfileProvider)
    props = {**_where(live), "profile": PROFILE}
    assert prov.create(props).id == hub["profile"] and len(state.profiles) == 1
    bumped = {**props, "profile": {**PROFILE, "version": "1.1.0", "kubernetes": {"version": "1.31.1"}}}
    diff = prov.diff(hub["profile"], props, bumped)
    assert diff.replaces == ["profile.version"]
    same_version = {**props, "profile": {**PROFILE, "os": {"providerImage": "r/x:2"}}}
    assert prov.check(props, same_version).failures
    new = prov.create(bumped)
    assert new.id != hub["profile"] and state.profiles[new.id]["status"]["isPublished"]


def test_pool_lifecycle(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_hosts(state, "edge-1", "edge-2", "edge-3")
    prov = provider(p.NodePoolProvider)
    props = _pool_props(live, hub, [{"uid": "edge-1", "vpnServerIp": "10.200.0.1"}, {"uid": "edge-2"}])
    created = prov.create(props)
    assert created.outs and created.outs["poolClusterUid"]
    assert state.edge_hosts["edge-1"]["status"]["state"] == "in-use"

    read = prov.read(created.id, created.outs)
    assert read.outs and prov.diff(created.id, read.outs, props).changes is False

    caplog.set_level(logging.WARNING)
    changed = _pool_props(live, hub, [{"uid": "edge-1", "vpnServerIp": "10.200.0.9"}, {"uid": "edge-3"}])
    diff = prov.diff(created.id, created.outs, changed)
    assert diff.changes and not diff.replaces and "repave" in caplog.text
    prov.update(created.id, created.outs, changed)
    assert state.edge_hosts["edge-2"]["status"]["state"] == "ready"
    assert state.edge_hosts["edge-3"]["status"]["state"] == "in-use"

    renamed = {**changed, "pool": {**changed["pool"], "name": "other"}}
    diff = prov.diff(created.id, changed, renamed)
    assert diff.replaces == ["pool.name"] and diff.delete_before_replace

    prov.delete(created.id, changed)
    prov.delete(created.id, changed)
    assert state.pools == {} and all(h["status"]["state"] == "ready" for h in state.edge_hosts.values())


def test_pool_drift_is_reported(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    props = _pool_props(live, hub, [{"uid": "edge-1"}], labels={"site": "dallas"})
    created = prov.create(props)
    next(iter(state.pools.values()))["poolConfig"]["additionalLabels"] = {"site": "elsewhere"}
    read = prov.read(created.id, created.outs)
    assert read.outs and read.outs["pool"]["labels"] == {"site": "elsewhere"}
    assert prov.diff(created.id, read.outs, props).changes is True


def test_pool_profile_change_repaves_through_the_pool_cluster(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    created = prov.create(_pool_props(live, hub, [{"uid": "edge-1"}]))
    assert created.outs
    new_profile = provider(p.ProfileProvider).create(
        {**_where(live), "profile": {**PROFILE, "version": "2.0.0"}}
    )
    prov.update(created.id, created.outs, {**created.outs, "profileUid": new_profile.id})
    assert next(iter(state.pools.values()))["profileUid"] == new_profile.id


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({}, "does not exist"),
        ({"arch": "arm64"}, "'arm64' but the pool's architecture is 'amd64'"),
        ({"health": "unhealthy"}, "is not healthy"),
        ({"host_state": "unpaired"}, "is not ready"),
        ({"host_type": "unknown"}, "not registered in appliance or agent mode"),
    ],
)
def test_invalid_hosts_are_named(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    setup: dict[str, Any],
    message: str,
) -> None:
    if setup:
        register_hosts(state, "edge-bad", **setup)
    with pytest.raises(PaletteError, match="edge-bad") as info:
        provider(p.NodePoolProvider).create(_pool_props(live, hub, [{"uid": "edge-bad"}]))
    assert message in str(info.value) and state.pools == {}


def test_host_in_another_pool_is_refused(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    prov.create(_pool_props(live, hub, [{"uid": "edge-1"}]))
    other = _pool_props(live, hub, [{"uid": "edge-1"}])
    other["pool"]["name"] = "second"
    with pytest.raises(PaletteError, match="already in use by dallas-workers"):
        prov.create(other)


def test_faults_never_duplicate_or_orphan(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], app: Any, state: EmulatorState
) -> None:
    register_hosts(state, "edge-1", "edge-2")
    faults = app.state.faults
    faults.add(FaultRule("drop", path="/v1/cloudconfigs/", method="POST", after_handling=True))
    faults.add(FaultRule("status", path="/v1/cloudconfigs/", method="PUT", status=503, times=2))
    faults.add(FaultRule("status", path="/v1/edgehosts/", status=429, retry_after="0", times=3))
    faults.rate_limit("/v1/dashboard", burst=2, per_second=1000)
    prov = provider(p.NodePoolProvider)
    props = _pool_props(live, hub, [{"uid": "edge-1"}, {"uid": "edge-2"}])
    created = prov.create(props)
    assert len(state.pools) == 1 and created.outs
    assert prov.create(props).id == created.id and len(state.pools) == 1  # a re-run adopts
    faults.add(FaultRule("drop", path="/v1/cloudconfigs/", method="DELETE", after_handling=True))
    prov.delete(created.id, props)
    assert state.pools == {} and {h["status"]["state"] for h in state.edge_hosts.values()} == {"ready"}
    assert any(f.startswith("drop POST") for f in faults.fired)
