"""Each dynamic provider against the emulator over real HTTP: CRUD, adoption, drift, invalid hosts, faults,
packs, the IRA root CA, auth versus absence, profile versions, lookups and waits."""

from __future__ import annotations

import base64
import logging
from dataclasses import replace
from typing import Any

import pytest
import yaml
from pulumi.dynamic.dynamic import serialize_provider

from eks_hybrid.components.domain.palette import PaletteProfileConfig
from eks_hybrid.components.errors import PaletteAuthError, PaletteError, PaletteScopeError, PaletteWaitError
from eks_hybrid.components.palette import RetryPolicy, payloads
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette.decisions import profile_changes
from palette_emulator import EmulatorState, FaultRule, LiveServer
from palette_emulator.catalog import default_catalog

from .conftest import (
    API_KEY,
    OTHER_PROJECT,
    PROFILE,
    PROJECT,
    ProviderFactory,
    hybrid_hub,
    register_hosts,
    slow,
    where,
    with_key,
)

CA = "-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----\n"
CA_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n"


def live_clusters(state: EmulatorState) -> dict[str, Any]:
    return {u: c for u, c in state.clusters.items() if not c.deleted}


def paths(state: EmulatorState, method: str | None = None) -> list[str]:
    return [path for m, path in state.operations if method in (None, m)]


@pytest.fixture
def hub(provider: ProviderFactory, live: LiveServer) -> dict[str, str]:
    """An imported, healthy, hybrid-enabled cluster and a published profile."""
    return hybrid_hub(provider, live, PROFILE)


def _pool_props(
    live: LiveServer, hub: dict[str, str], hosts: list[dict[str, Any]], **pool: Any
) -> dict[str, Any]:
    return {
        **where(live),
        "cloudConfigUid": hub["cloud"],
        "profileUid": hub["profile"],
        "pool": {"name": "dallas-workers", "architecture": "amd64", "edgeHosts": hosts, **pool},
    }


def test_providers_pickle_by_reference_without_the_key(provider: ProviderFactory) -> None:
    for instance in (
        provider(cls) for cls in (p.ClusterImportProvider, p.NodePoolProvider, p.ProfileProvider)
    ):
        raw = base64.b64decode(serialize_provider(instance))
        assert (
            len(raw) < 200
            and API_KEY.encode() not in raw
            and b"eks_hybrid.components.palette.providers" in raw
        )
    assert len(base64.b64decode(serialize_provider(p.NODE_POOL))) < 200


# --- cluster import: lookup by search, deletes that finish ----------------------------------------------


def test_import_create_read_adopt_delete(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    prov = provider(p.ClusterImportProvider)
    props = {**where(live), "clusterName": "edge-prod"}
    created = prov.create(props)
    assert created.outs and "kind: Namespace" in created.outs["importManifest"]
    again = prov.create(props)  # a retried create adopts, never duplicates
    assert again.id == created.id and len(state.clusters) == 1
    assert prov.read(created.id, created.outs).outs["clusterName"] == "edge-prod"
    assert prov.diff(created.id, props, {**props, "clusterName": "other"}).replaces == ["clusterName"]
    prov.delete(created.id, props)
    prov.delete(created.id, props)  # gone is done
    assert prov.read(created.id, props).id == "" and live_clusters(state) == {}
    assert "/v1/dashboard/spectroclusters/search" in paths(state, "POST")


def test_import_adopts_after_a_lost_response(
    provider: ProviderFactory, live: LiveServer, app: Any, state: EmulatorState
) -> None:
    app.state.faults.add(FaultRule("drop", path="/v1/spectroclusters/aws/import", after_handling=True))
    created = provider(p.ClusterImportProvider).create({**where(live), "clusterName": "edge-prod"})
    assert list(state.clusters) == [created.id]


def test_a_deleted_cluster_of_the_same_name_is_never_adopted(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    prov = provider(p.ClusterImportProvider)
    props = {**where(live), "clusterName": "edge-prod"}
    first = prov.create(props)
    prov.delete(first.id, props)
    # Palette keeps a soft-deleted record; the SDK's search with isDeleted=false skips it.
    assert state.search_clusters(PROJECT, []) and state.clusters[first.id].deleted
    second = prov.create(props)
    assert second.id != first.id and list(live_clusters(state)) == [second.id]


def test_delete_waits_until_palette_has_finished(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState, reports: list[str]
) -> None:
    slow(state, cluster_delete=40)
    prov = provider(p.ClusterImportProvider)
    props = {**where(live), "clusterName": "edge-prod"}
    created = prov.create(props)
    prov.delete(created.id, props)
    assert state.clusters[created.id].deleted
    assert any("Deleting" in r and "elapsed" in r for r in reports)


def test_a_delete_that_does_not_finish_times_out_clearly(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    slow(state, cluster_delete=1e9)
    prov = provider(p.ClusterImportProvider)
    props = {**where(live), "clusterName": "edge-prod", "deleteTimeoutSeconds": 0.05}
    created = prov.create(props)
    with pytest.raises(PaletteWaitError) as info:
        prov.delete(created.id, props)
    message = str(info.value)
    assert "still Deleting after" in message and "timeout" in message and "forceDelete=true" in message


def test_an_up_after_a_destroy_waits_for_the_old_cluster_to_go(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    prov = provider(p.ClusterImportProvider)
    props = {**where(live), "clusterName": "edge-prod"}
    old = prov.create(props)
    state.delete_cluster(old.id, PROJECT)  # a destroy that returned before Palette finished
    slow(state, cluster_delete=30)
    new = prov.create(props)
    assert new.id != old.id and state.clusters[old.id].deleted and list(live_clusters(state)) == [new.id]


# --- readiness: fail fast, report progress ----------------------------------------------------------------


def test_readiness_times_out_with_a_clear_message(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    slow(state, import_ready=1e9)
    imported = provider(p.ClusterImportProvider).create({**where(live), "clusterName": "c"})
    with pytest.raises(PaletteError, match="Pending/Unknown") as info:
        provider(p.ClusterReadinessProvider).create(
            {**where(live), "clusterUid": imported.id, "timeoutSeconds": 0.01}
        )
    assert "is the import manifest applied" in str(info.value)


def test_readiness_stops_at_once_on_a_terminal_state_with_palettes_message(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    slow(state, import_ready=1e9)
    imported = provider(p.ClusterImportProvider).create({**where(live), "clusterName": "c"})
    state.set_cluster_state(
        imported.id, "Error", "palette agent: x509: certificate signed by unknown authority"
    )
    before = len(state.requests)
    with pytest.raises(PaletteWaitError) as info:
        provider(p.ClusterReadinessProvider).create({**where(live), "clusterUid": imported.id})
    assert "is Error/Unknown" in str(info.value) and "x509: certificate signed by unknown authority" in str(
        info.value
    )
    assert len(state.requests) - before <= 3  # one poll (cluster and overview), never 30 minutes of them


def test_readiness_reports_progress_with_elapsed_time(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState, reports: list[str]
) -> None:
    slow(state, import_ready=30)
    imported = provider(p.ClusterImportProvider).create({**where(live), "clusterName": "c"})
    provider(p.ClusterReadinessProvider).create({**where(live), "clusterUid": imported.id})
    waiting = [r for r in reports if r.startswith("palette: waiting for Palette cluster")]
    assert len(waiting) >= 1 and all("elapsed" in r and "up to 30m" in r for r in waiting)
    assert any("is Running/Healthy after" in r for r in reports)


# --- hybrid settings: the IRA root CA, hybrid off only when unused ----------------------------------------


def _hybrid_props(live: LiveServer, hub: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        **where(live),
        "clusterUid": hub["cluster"],
        "cloudConfigUid": hub["cloud"],
        "vpcCidr": "10.100.0.0/16",
        "nodeCidrs": ["10.200.0.0/16"],
        "podCidrs": ["192.168.0.0/16"],
        **extra,
    }


def test_hybrid_settings_apply_read_and_drift(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    prov = provider(p.HybridSettingsProvider)
    assert state.clusters[hub["cluster"]].hybrid_enabled is True
    props = _hybrid_props(live, hub)
    hybrid = state.aws_configs[hub["cloud"]].hybrid_config
    assert hybrid is not None
    hybrid["remoteNodeCidrs"] = ["10.9.0.0/16"]
    assert prov.read(hub["cloud"], props).outs["nodeCidrs"] == ["10.9.0.0/16"]
    failures = prov.check({}, {**props, "identity": {"provider": "iamRolesAnywhere"}}).failures
    assert {f.property for f in failures} == {"identity"}


def test_iam_roles_anywhere_sends_palette_the_root_ca(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    identity = {
        "provider": "iamRolesAnywhere",
        "roleArn": "arn:aws:iam::1:role/r",
        "trustAnchorArn": "arn:ta",
        "profileArn": "arn:p",
        "rootCaCertificate": CA,
        "rootCaPrivateKey": CA_KEY,
    }
    props = _hybrid_props(live, hub, identity=identity)
    prov = provider(p.HybridSettingsProvider)
    assert prov.check({}, props).failures == []
    prov.update(hub["cloud"], props, props)
    sent = (state.aws_configs[hub["cloud"]].hybrid_config or {})["iamRolesAnywhere"]
    assert (sent["rootCaCertificate"], sent["rootCaPrivateKey"]) == (CA, CA_KEY)
    no_key = {**props, "identity": {k: v for k, v in identity.items() if k != "rootCaPrivateKey"}}
    assert [f.reason for f in prov.check({}, no_key).failures] == [
        "root_ca_private_key is required for credentials provider iamRolesAnywhere"
    ]
    read = prov.read(hub["cloud"], props)
    assert read.outs["identity"]["rootCaPrivateKey"] == CA_KEY  # write-only: kept as last applied


def test_hybrid_mode_stays_on_while_pools_use_it(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    reports: list[str],
) -> None:
    register_hosts(state, "edge-1")
    pool_props = _pool_props(live, hub, [{"uid": "edge-1"}])
    pool = provider(p.NodePoolProvider).create(pool_props)
    settings = {**where(live), "clusterUid": hub["cluster"]}
    provider(p.HybridSettingsProvider).delete(hub["cloud"], settings)
    assert state.clusters[hub["cluster"]].hybrid_enabled is True
    assert any("hybrid mode stays on" in r and "dallas-workers" in r for r in reports)
    provider(p.NodePoolProvider).delete(pool.id, pool_props)
    provider(p.HybridSettingsProvider).delete(hub["cloud"], settings)
    assert state.clusters[hub["cluster"]].hybrid_enabled is False


# --- the profile: packs by registry, versions -------------------------------------------------------------


def test_profile_packs_are_resolved_in_their_registry_with_real_defaults(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    catalog = default_catalog()
    public = next(r["uid"] for r in catalog.registry_list() if r["name"] == "Public Repo")
    profile = state.profiles[hub["profile"]]
    assert profile.published is not None
    packs = {pack["layer"]: pack for pack in profile.published["packs"]}
    assert {layer: pack["registryUid"] for layer, pack in packs.items()} == dict.fromkeys(
        ("os", "k8s", "cni"), public
    )
    assert packs["k8s"]["uid"] == catalog.pack_uid(public, "edge-nodeadm", "1.31.0")
    cni = yaml.safe_load(packs["cni"]["values"])["manifests"]["byo-cni"]["contents"]
    assert (
        cni["data"] == {"custom-cni": "dummy"} and cni["kind"] == "ConfigMap"
    )  # the pack's own manifest kept
    assert yaml.safe_load(packs["os"]["values"])["options"] == {"system.uri": "r/x:1"}
    assert "/v1/registries/metadata" in paths(
        state
    ) and "/v1/packs/{packName}/registries/{registryUid}" in paths(state)


def test_a_layer_can_name_its_registry_by_uid(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    mirror = next(r["uid"] for r in default_catalog().registry_list() if r["name"] == "Edge Mirror")
    profile = {**PROFILE, "os": {"providerImage": "r/x:1", "registryUid": mirror}}
    created = provider(p.ProfileProvider).create({**where(live), "profile": profile})
    assert created.outs
    packs = (state.profiles[created.outs["profileUid"]].published or {})["packs"]
    assert next(pk for pk in packs if pk["layer"] == "os")["registryUid"] == mirror


def test_a_missing_pack_version_fails_naming_the_layer(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    profile = {**PROFILE, "kubernetes": {"version": "1.27.0"}, "cni": {"registryName": "Edge Mirror"}}
    with pytest.raises(PaletteError) as info:
        provider(p.ProfileProvider).create({**where(live), "profile": profile})
    message = str(info.value)
    assert "profile layer kubernetes (eks-hybrid:palette.profile.kubernetes)" in message
    assert "no version '1.27.0'" in message and "1.31.0" in message
    assert "profile layer cni" in message and "no pack named 'cni-custom'" in message  # every layer at once
    assert state.profiles == {}


def test_a_version_bump_clones_and_keeps_the_old_version_while_pools_use_it(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    register_hosts(state, "edge-1")
    pools = provider(p.NodePoolProvider)
    pool_props = _pool_props(live, hub, [{"uid": "edge-1"}])
    pool = pools.create(pool_props)
    assert pool.outs
    prov = provider(p.ProfileProvider)
    olds = {**where(live), "profile": PROFILE, "profileUid": hub["profile"], "retainedVersions": {}}
    news = {**where(live), "profile": {**PROFILE, "version": "1.1.0", "kubernetes": {"version": "1.30.0"}}}
    diff = prov.diff(hub["profile"], olds, news)
    assert diff.changes and diff.replaces == []  # an update of the lineage, not a replace
    with caplog.at_level(logging.WARNING, logger="eks_hybrid.components.palette.providers"):
        bumped = prov.update(hub["profile"], olds, news).outs
    assert bumped is not None
    new_uid = bumped["profileUid"]
    assert new_uid != hub["profile"] and "/v1/clusterprofiles/{uid}/clone" in paths(state, "POST")
    assert state.profiles[new_uid].version == "1.1.0" and state.profiles[new_uid].published is not None
    # Palette would delete a version in use (the emulator does too): the hub reads who uses it first.
    assert bumped["retainedVersions"] == {"1.0.0": hub["profile"]} and hub["profile"] in state.profiles
    assert "/v1/clusterprofiles/{uid}" not in paths(state, "DELETE")
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "keeping hybrid profile" in w and "version 1.0.0" in w and "in use by dallas-workers" in w
        for w in warned
    )

    # The site moves its pool to the new version; the hub's next update deletes the old one.
    pools.update(pool.id, pool.outs, {**pool.outs, "profileUid": new_uid})
    diff = prov.diff(hub["profile"], bumped, news)
    assert diff.changes  # retained versions make a change, so each `up` retries the cleanup
    cleaned = prov.update(hub["profile"], bumped, news).outs
    assert cleaned and cleaned["retainedVersions"] == {} and hub["profile"] not in state.profiles


def test_a_refused_delete_of_an_old_version_keeps_it_with_palettes_message(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    app: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    prov = provider(p.ProfileProvider)
    olds = {**where(live), "profile": PROFILE, "profileUid": hub["profile"], "retainedVersions": {}}
    news = {**where(live), "profile": {**PROFILE, "version": "1.1.0", "kubernetes": {"version": "1.30.0"}}}
    app.state.faults.add(FaultRule("status", path="/v1/clusterprofiles/", method="DELETE", status=400))
    with caplog.at_level(logging.WARNING, logger="eks_hybrid.components.palette.providers"):
        bumped = prov.update(hub["profile"], olds, news).outs
    assert bumped and bumped["retainedVersions"] == {"1.0.0": hub["profile"]}
    assert state.profiles[bumped["profileUid"]].published is not None and hub["profile"] in state.profiles
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("version 1.0.0" in w and "Palette refused" in w and "injected fault" in w for w in warned)
    cleaned = prov.update(hub["profile"], bumped, news).outs  # the next `up` deletes it
    assert cleaned and cleaned["retainedVersions"] == {} and hub["profile"] not in state.profiles


def test_a_version_the_hub_is_told_to_keep_stays_published_until_dropped_from_the_list(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    prov = provider(p.ProfileProvider)
    olds = {**where(live), "profile": PROFILE, "profileUid": hub["profile"], "retainedVersions": {}}
    v2 = {**PROFILE, "version": "1.1.0", "kubernetes": {"version": "1.30.0"}}
    news = {**where(live), "profile": v2, "keepVersions": ["1.0.0"]}
    assert profile_changes(olds, news).changed == ["profile", "keepVersions"]
    bumped = prov.update(hub["profile"], olds, news).outs
    # No pool uses 1.0.0, and it is kept: a site stack may pin it.
    assert (
        bumped
        and bumped["retainedVersions"] == {"1.0.0": hub["profile"]}
        and hub["profile"] in state.profiles
    )
    assert ("DELETE", "/v1/clusterprofiles/{uid}") not in state.operations
    # A kept version is no pending deletion: the next preview shows no change.
    assert profile_changes(bumped, news).any is False
    dropped = {**news, "keepVersions": []}
    assert profile_changes(bumped, dropped).changed == ["keepVersions", "retainedVersions"]
    cleaned = prov.update(hub["profile"], bumped, dropped).outs
    assert cleaned and cleaned["retainedVersions"] == {} and hub["profile"] not in state.profiles


def test_destroying_a_profile_pools_still_use_fails_and_says_what_to_do(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    provider(p.NodePoolProvider).create(_pool_props(live, hub, [{"uid": "edge-1"}]))
    props = {**where(live), "profile": PROFILE, "profileUid": hub["profile"]}
    with pytest.raises(PaletteError) as info:
        provider(p.ProfileProvider).delete(hub["profile"], props)
    assert "destroy the site stacks first" in str(info.value)
    assert "version 1.0.0" in str(info.value) and "used by dallas-workers" in str(info.value)
    assert hub["profile"] in state.profiles and "/v1/clusterprofiles/{uid}" not in paths(state, "DELETE")


def test_a_rerun_after_a_failed_put_publishes_the_new_packs(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState, app: Any
) -> None:
    # The clone copies the source version's packs; its PUT fails once, so 1.1.0 stays a draft of 1.0.0.
    prov = provider(p.ProfileProvider)
    olds = {**where(live), "profile": PROFILE, "profileUid": hub["profile"], "retainedVersions": {}}
    news = {**where(live), "profile": {**PROFILE, "version": "1.1.0", "kubernetes": {"version": "1.30.0"}}}
    app.state.faults.add(FaultRule("status", path="/v1/clusterprofiles/", method="PUT", status=500))
    with pytest.raises(PaletteError):
        prov.update(hub["profile"], olds, news)
    draft = next(pr for pr in state.profiles.values() if pr.version == "1.1.0")
    assert draft.published is None
    rerun = prov.update(hub["profile"], olds, news).outs
    assert rerun and rerun["profileUid"] == draft.uid
    k8s = next(pk for pk in (state.profiles[draft.uid].published or {})["packs"] if pk["layer"] == "k8s")
    assert k8s["tag"] == "1.30.0" and rerun["packUids"]["k8s"] == k8s["uid"]


def test_a_published_version_with_other_layers_is_refused(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    # 1.0.0 is published with Kubernetes 1.31.0; a config giving 1.0.0 other layers (a lost state, say).
    other = {**where(live), "profile": {**PROFILE, "kubernetes": {"version": "1.30.0"}}}
    with pytest.raises(PaletteError) as info:
        provider(p.ProfileProvider).create(other)
    assert "version 1.0.0 exists with other layers: bump the version" in str(info.value)
    assert "edge-nodeadm:1.31.0" in str(info.value) and len(state.profiles) == 1
    assert provider(p.ProfileProvider).create({**where(live), "profile": PROFILE}).id == hub["profile"]


def test_a_version_published_with_the_nested_system_uri_is_adopted(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    # A version eks-hybrid published before it spelled the key as Palette does: same image, no refusal.
    prov = provider(p.ProfileProvider)
    profile = PaletteProfileConfig.model_validate(PROFILE)
    api = prov.api(where(live))
    packs = [
        replace(pk, values=yaml.safe_dump({"options": {"system": {"uri": "r/x:1"}}}))
        if pk.layer == "os"
        else pk
        for pk in p.resolve_packs(api, profile)
    ]
    uid = api.create_profile(payloads.cluster_profile_body(profile, packs))
    api.publish_profile(uid)
    assert prov.create({**where(live), "profile": PROFILE}).id == uid and len(state.profiles) == 1
    moved = {**where(live), "profile": {**PROFILE, "os": {"providerImage": "r/x:2"}}}
    with pytest.raises(PaletteError, match="image r/x:1"):
        prov.create(moved)


def test_profile_adopts_an_existing_version(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    prov = provider(p.ProfileProvider)
    props = {**where(live), "profile": PROFILE}
    assert prov.create(props).id == hub["profile"] and len(state.profiles) == 1
    same_version = {**props, "profile": {**PROFILE, "os": {"providerImage": "r/x:2"}}}
    assert prov.check({**props, "profileUid": hub["profile"]}, same_version).failures


# --- node pools: lifecycle, drift, machines first and profile apply ----------------------------------------


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
    assert created.outs and created.outs["poolClusterUid"] and created.outs["poolCloudConfigUid"]
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


def test_pool_with_ntp_servers_does_not_drift(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    props = _pool_props(live, hub, [{"uid": "edge-1"}], ntpServers=["pool.ntp.org", "time.example.com"])
    created = prov.create(props)
    read = prov.read(created.id, created.outs or {})
    assert read.outs and read.outs["pool"]["ntpServers"] == ["pool.ntp.org", "time.example.com"]
    assert prov.diff(created.id, read.outs, props).changes is False
    # A change made in Palette shows: the servers live in the pool's own edge-native cloud config.
    next(iter(state.pools.values())).cluster_config["ntpServers"] = ["10.0.0.1"]
    drifted = prov.read(created.id, created.outs or {})
    assert drifted.outs and drifted.outs["pool"]["ntpServers"] == ["10.0.0.1"]
    assert prov.diff(created.id, drifted.outs, props).changes is True


def test_pool_drift_is_reported(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    props = _pool_props(live, hub, [{"uid": "edge-1"}], labels={"site": "dallas"})
    created = prov.create(props)
    next(iter(state.pools.values())).pool_config["additionalLabels"] = {"site": "elsewhere"}
    read = prov.read(created.id, created.outs)
    assert read.outs and read.outs["pool"]["labels"] == {"site": "elsewhere"}
    assert prov.diff(created.id, read.outs, props).changes is True


def test_hosts_leave_a_pool_machines_first(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1", "edge-2")
    prov = provider(p.NodePoolProvider)
    props = _pool_props(live, hub, [{"uid": "edge-1"}, {"uid": "edge-2", "name": "dallas-02"}])
    created = prov.create(props)
    assert created.outs
    pool = next(iter(state.pools.values()))
    machine = next(m.uid for m in pool.machines.values() if m.host_uid == "edge-2")
    start = len(state.requests)
    prov.update(created.id, created.outs, _pool_props(live, hub, [{"uid": "edge-1"}]))
    calls = [f"{m} {path}" for m, path in state.requests[start:]]
    machines = f"/v1/cloudconfigs/edge-native/{pool.config_uid}/machinePools/dallas-workers/machines"
    delete = calls.index(f"DELETE {machines}/{machine}")
    put = calls.index(f"PUT /v1/cloudconfigs/aws/{hub['cloud']}/edge-native/machinePools/dallas-workers")
    assert delete < put  # as the Terraform provider's edge-native pools: machines, then the pool
    assert (
        state.edge_hosts["edge-2"]["status"]["state"] == "ready"
        and next(iter(pool.machines.values())).host_uid == "edge-1"
    )


def test_a_profile_swap_waits_until_palette_can_apply_it(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    prov = provider(p.NodePoolProvider)
    created = prov.create(_pool_props(live, hub, [{"uid": "edge-1"}]))
    assert created.outs
    new_profile = provider(p.ProfileProvider).create(
        {**where(live), "profile": {**PROFILE, "name": "other-profile"}}
    )
    slow(state, profile_download=30)
    prov.update(created.id, created.outs, {**created.outs, "profileUid": new_profile.id})
    child = state.clusters[created.outs["poolClusterUid"]]
    assert child.profile_uids == [new_profile.id]
    assert child.spc_apply == {"actionType": "DownloadAndInstall", "canBeApplied": True}


def test_a_failed_pool_stops_the_wait_with_palettes_message(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    register_hosts(state, "edge-1")
    slow(state, pool_ready=1e9)

    original = state.create_pool

    def failing(config_uid: str, project: str, body: dict[str, Any]) -> str:
        uid = original(config_uid, project, body)
        pool = next(iter(state.pools.values()))
        state.set_cluster_state(pool.cluster_uid, "Failed", "nodeadm init: access entry not found for role")
        return uid

    state.create_pool = failing  # type: ignore[method-assign]
    with pytest.raises(PaletteWaitError) as info:
        provider(p.NodePoolProvider).create(_pool_props(live, hub, [{"uid": "edge-1"}]))
    assert "hybrid pool 'dallas-workers' is Failed" in str(info.value)
    assert "access entry not found for role" in str(info.value)


def test_hosts_without_a_host_type_are_accepted(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    # v1DeviceSpec.hostType is optional (default appliance): a host that does not report it is fine.
    register_hosts(state, "edge-1", host_type=None)
    assert "hostType" not in state.edge_hosts["edge-1"]["spec"]["device"]
    created = provider(p.NodePoolProvider).create(_pool_props(live, hub, [{"uid": "edge-1"}]))
    assert created.outs and state.pools


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({}, "does not exist"),
        ({"arch": "arm64"}, "'arm64' but the pool's architecture is 'amd64'"),
        ({"health": "unhealthy"}, "is not healthy"),
        ({"host_state": "unpaired"}, "is not ready"),
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


# --- auth and scope failures never drop a resource or finish a delete ------------------------------------


@pytest.mark.parametrize("bad_key_status", [401, 404])
def test_a_rejected_key_never_drops_state_or_finishes_a_delete(
    provider: ProviderFactory,
    live: LiveServer,
    hub: dict[str, str],
    state: EmulatorState,
    bad_key_status: int,
) -> None:
    # Palette answers some bad keys with 404 ResourceNotFound quoting the key (palette-sdk-go#209): read as
    # absence, that would drop every resource from state and count every delete as done.
    register_hosts(state, "edge-1")
    pool_props = _pool_props(live, hub, [{"uid": "edge-1"}])
    pool = provider(p.NodePoolProvider).create(pool_props)
    state.bad_key_status = bad_key_status
    for cls, id_, props in (
        (p.ClusterImportProvider, hub["cluster"], {**where(live), "clusterName": "edge-prod"}),
        (
            p.ProfileProvider,
            hub["profile"],
            {**where(live), "profile": PROFILE, "profileUid": hub["profile"]},
        ),
        (p.NodePoolProvider, pool.id, pool_props),
    ):
        wrong = with_key(provider, cls, live, "wrong-key-123")
        with pytest.raises(PaletteAuthError) as read:
            wrong.read(id_, props)
        with pytest.raises(PaletteAuthError):
            wrong.delete(id_, props)
        assert "rejected the API key" in str(read.value) and "wrong-key-123" not in str(read.value)
    assert hub["cluster"] in live_clusters(state) and hub["profile"] in state.profiles and state.pools


def test_a_project_the_key_cannot_see_is_named_not_treated_as_empty(
    provider: ProviderFactory, live: LiveServer, hub: dict[str, str], state: EmulatorState
) -> None:
    props = {**where(live), "projectUid": OTHER_PROJECT, "clusterName": "edge-prod"}
    with pytest.raises(PaletteScopeError) as info:
        provider(p.ClusterImportProvider).read(hub["cluster"], props)
    assert OTHER_PROJECT in str(info.value)
    with pytest.raises(PaletteScopeError):
        provider(p.ClusterImportProvider).delete(hub["cluster"], props)
    assert hub["cluster"] in live_clusters(state)


# --- an import whose follow-up reads are rate limited -----------------------------------------------------


def test_an_import_whose_follow_up_read_is_rate_limited_still_succeeds(
    provider: ProviderFactory, live: LiveServer, app: Any, state: EmulatorState
) -> None:
    # The import POST takes one token, the cluster GET the other; the manifest GET meets an empty bucket
    # that answers `Retry-After: 0`. Without backoff the create failed with the cluster already in Palette.
    app.state.faults.rate_limit("/v1/spectroclusters/", burst=2, per_second=4, retry_after="0")
    prov = provider(p.ClusterImportProvider)
    prov.client_options = {"retry": RetryPolicy(initial=0.1, maximum=0.5, max_attempts=8)}
    created = prov.create({**where(live), "clusterName": "edge-prod"})
    assert created.outs and "kind: Namespace" in created.outs["importManifest"]
    assert list(live_clusters(state)) == [created.id]
    assert any(f.startswith("429 GET") for f in app.state.faults.fired)


def test_an_import_whose_follow_up_read_fails_says_the_cluster_exists(
    provider: ProviderFactory, live: LiveServer, app: Any, state: EmulatorState
) -> None:
    app.state.faults.add(FaultRule("status", path="/v1/spectroclusters/", method="GET", status=503, times=50))
    with pytest.raises(PaletteError) as info:
        provider(p.ClusterImportProvider).create({**where(live), "clusterName": "edge-prod"})
    [uid] = live_clusters(state)
    message = str(info.value)
    assert f"the cluster is imported in Palette as {uid} and the next `pulumi up` adopts it" in message
    assert "gave up after 6 attempts over" in message
