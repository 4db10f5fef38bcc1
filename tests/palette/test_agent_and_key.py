"""The Palette agent manifest applied once and left to Palette's delete; the configured key over a stale
stored one; adoption only of an imported EKS cluster; a pool's live profile read back; repave warnings that
say when a repave is manual. Against the emulator over real HTTP where it is about the API."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import PaletteError
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette.decisions import os_image, profile_changes, profile_repave_warnings
from eks_hybrid.offline import mocks
from palette_emulator import EmulatorState, LiveServer

from .conftest import API_KEY, PROFILE, ProviderFactory, hybrid_hub, register_hosts, where
from .test_caller_credentials import consumer_provider
from .test_components import _hub

OLD_KEY = "rotated-away-key-0123456789"


def _manifest_gets(state: EmulatorState) -> list[str]:
    return [
        path for method, path in state.operations if method == "GET" and path.endswith("/import/manifest")
    ]


# --- the Palette agent manifest ------------------------------------------------------------------------


def test_a_refresh_keeps_the_manifest_applied_at_create(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    prov = provider(p.ClusterImportProvider)
    props = {**where(live), "clusterName": "edge-prod"}
    created = prov.create(props)
    assert created.outs is not None
    applied = created.outs["importManifest"]
    assert len(_manifest_gets(state)) == 1
    # Palette now serves another agent: a refresh must neither fetch nor hand it to the ConfigGroup.
    monkeypatch.setattr(type(state), "import_manifest", lambda *_a: "kind: Namespace\nnewer: agent\n")
    read = prov.read(created.id, created.outs)
    assert read.outs is not None and read.outs["importManifest"] == applied
    assert len(_manifest_gets(state)) == 1
    # State written before this change (0.2) reads and diffs as it was: no update, no replace.
    assert prov.diff(created.id, read.outs, props).changes is False


# Kinds the Kubernetes API serves cluster-wide; everything else in the manifest needs a namespace.
CLUSTER_SCOPED = {"Namespace", "ClusterRoleBinding", "PriorityClass", "CustomResourceDefinition"}


def test_the_import_manifest_is_shaped_as_palettes_and_reaches_the_config_group_verbatim(
    provider: ProviderFactory, live: LiveServer, mock_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = provider(p.ClusterImportProvider).create({**where(live), "clusterName": "edge-prod"})
    assert created.outs is not None
    manifest = created.outs["importManifest"]
    # Read as `kubectl apply --filename` and the ConfigGroup read it: multi-document YAML of whole objects.
    objects = [o for o in yaml.safe_load_all(manifest) if o]
    assert all(o.get("apiVersion") and o.get("kind") and o["metadata"].get("name") for o in objects)
    kinds = {o["kind"] for o in objects}
    # The objects Spectro's docs show for the real manifest (import page, step 7).
    assert {"CustomResourceDefinition", "ClusterRoleBinding", "PriorityClass", "Job", "Namespace"} <= kinds
    assert sum(o["kind"] == "CustomResourceDefinition" for o in objects) == 14
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "ConfigMap"}
    assert {n.rsplit("-", 1)[0] for n in names} >= {"upgrade-info", "version-info", "palette-version-info"}
    namespaces = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"}
    assert namespaces == {f"cluster-{created.id}"}
    for o in objects:
        assert (o["kind"] in CLUSTER_SCOPED) == ("namespace" not in o["metadata"]), o
        assert o["metadata"].get("namespace", next(iter(namespaces))) in namespaces
    # The hub hands that text to its ConfigGroup unchanged.
    monkeypatch.setattr(mocks, "_IMPORT_MANIFEST", manifest.replace("{", "{{").replace("}", "}}"))
    run = mock_engine.run(_hub())
    assert run.named("palette-import-manifest").inputs["yaml"] == manifest


def test_the_agent_objects_are_deleted_with_the_import_not_before_it(
    mock_engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, pulumi.ResourceOptions | None] = {}
    original = k8s.yaml.v2.ConfigGroup.__init__

    def capture(self: Any, name: str, *args: Any, **kwargs: Any) -> None:
        seen[name] = kwargs.get("opts")
        original(self, name, *args, **kwargs)

    monkeypatch.setattr(k8s.yaml.v2.ConfigGroup, "__init__", capture)
    run = mock_engine.run(_hub())
    opts = seen["palette-import-manifest"]
    assert opts is not None and opts.deleted_with is not None
    assert isinstance(opts.deleted_with, pulumi.dynamic.Resource)
    manifest = run.named("palette-import-manifest")
    assert manifest.parent == run.by_type("eks-hybrid:palette:PaletteHub")[0].urn  # the same URN as 0.2


# --- the configured key over the one stored in state --------------------------------------------------


def test_refresh_and_destroy_after_a_key_rotation_use_the_configured_key(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    state.api_keys = frozenset({API_KEY, OLD_KEY})
    prov = provider(p.ClusterImportProvider)  # configured with API_KEY, as after the rotation
    created = prov.create({**where(live), "apiKey": OLD_KEY, "clusterName": "edge-prod"})
    assert created.outs is not None and created.outs["apiKey"] == OLD_KEY
    state.api_keys = frozenset({API_KEY})  # the old key is revoked
    read = prov.read(created.id, created.outs)
    assert read.id == created.id
    prov.delete(created.id, created.outs)
    assert all(c.deleted for c in state.clusters.values())


def test_without_a_configured_key_the_stored_one_still_reads(
    live: LiveServer, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PALETTE_API_KEY", raising=False)
    prov = consumer_provider(p.ClusterImportProvider)
    created = prov.create({**where(live), "apiKey": API_KEY, "clusterName": "edge-prod"})
    assert created.outs is not None
    assert prov.read(created.id, created.outs).id == created.id


# --- adoption by name ----------------------------------------------------------------------------------


def test_the_hub_never_adopts_a_cluster_that_is_not_an_imported_eks_cluster(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    hub = hybrid_hub(provider, live, PROFILE)
    register_hosts(state, "edge-1")
    pool = {"name": "dallas-workers", "architecture": "amd64", "edgeHosts": [{"uid": "edge-1"}]}
    provider(p.NodePoolProvider).create(
        {**where(live), "cloudConfigUid": hub["cloud"], "profileUid": hub["profile"], "pool": pool}
    )
    # The pool's own cluster is an `edge-native` cluster of that name.
    with pytest.raises(PaletteError) as caught:
        provider(p.ClusterImportProvider).create({**where(live), "clusterName": "dallas-workers"})
    assert caught.value.code == Code.PALETTE_CLUSTER_NOT_IMPORTED
    assert "'dallas-workers'" in str(caught.value) and "'edge-native'" in str(caught.value)
    assert not any(path == "/v1/spectroclusters/aws/import" for _m, path in state.operations[-3:])


def test_an_aws_cluster_palette_did_not_import_is_refused(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = provider(p.ClusterImportProvider).create({**where(live), "clusterName": "edge-prod"})
    view = type(state)._cluster_view

    def not_imported(self: Any, cluster: Any) -> dict[str, Any]:
        answer = view(self, cluster)
        answer["status"]["clusterImport"]["isBrownfield"] = False
        return answer

    monkeypatch.setattr(type(state), "_cluster_view", not_imported)
    with pytest.raises(PaletteError, match=f"'edge-prod' \\({created.id}\\) is a 'aws' cluster Palette did"):
        provider(p.ClusterImportProvider).create({**where(live), "clusterName": "edge-prod"})


# --- a pool's attached profile --------------------------------------------------------------------------


def test_a_profile_switched_in_palette_shows_as_drift_and_is_swapped_back(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    hub = hybrid_hub(provider, live, PROFILE)
    other = provider(p.ProfileProvider).create({**where(live), "profile": {**PROFILE, "name": "other"}})
    assert other.outs is not None
    register_hosts(state, "edge-1")
    pools = provider(p.NodePoolProvider)
    props = {
        **where(live),
        "cloudConfigUid": hub["cloud"],
        "profileUid": hub["profile"],
        "pool": {"name": "dallas-workers", "architecture": "amd64", "edgeHosts": [{"uid": "edge-1"}]},
    }
    created = pools.create(props)
    assert created.outs is not None
    cluster = state.clusters[created.outs["poolClusterUid"]]
    cluster.profile_uids = [other.outs["profileUid"]]  # switched in Palette's UI

    read = pools.read(created.id, created.outs)
    assert read.outs is not None and read.outs["profileUid"] == other.outs["profileUid"]
    assert pools.diff(created.id, read.outs, props).changes is True
    pools.update(created.id, read.outs, props)
    assert cluster.profile_uids == [hub["profile"]]
    again = pools.read(created.id, props)
    assert again.outs is not None and pools.diff(created.id, again.outs, props).changes is False


# --- repave warnings ------------------------------------------------------------------------------------


def test_kubernetes_values_without_a_new_image_need_a_manual_repave() -> None:
    old = {**PROFILE}
    values = {**PROFILE, "version": "1.0.1", "kubernetes": {"version": "1.31.0", "values": {"a": 1}}}
    warnings = profile_changes({"profile": old}, {"profile": values}).warnings
    assert len(warnings) == 1 and "manual repave" in warnings[0] and "system.uri" in warnings[0]

    image = {**values, "os": {"providerImage": "r/x:2"}}
    warnings = profile_changes({"profile": old}, {"profile": image}).warnings
    assert len(warnings) == 1 and "repaves every node" in warnings[0] and "manual" not in warnings[0]
    assert profile_repave_warnings(old, {**old, "version": "1.0.1"}) == []


def test_the_image_is_the_values_system_uri_when_given() -> None:
    assert os_image({"os": {"providerImage": "r/x:1"}}) == "r/x:1"
    assert os_image({"os": {"providerImage": "r/x:1", "values": {"options": {"system.uri": "r/y"}}}}) == "r/y"
    assert os_image(
        {"os": {"providerImage": "r/x:1", "values": {"options": {"system": {"uri": "r/z"}}}}}
    ) == ("r/z")
