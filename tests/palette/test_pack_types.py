"""Pack types follow the registry's kind, packs are looked up for edge-native, and a Palette VerteX tenant
(only the OCI registry "Palette Registry FIPS") resolves and publishes the whole profile."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.errors import PaletteError
from eks_hybrid.components.palette import providers as p
from eks_hybrid.components.palette.packs import pack_type, pick_version
from palette_emulator import ApiError, EmulatorState, LiveServer
from palette_emulator.catalog import PALETTE_REGISTRY_FIPS, default_catalog, vertex_catalog

from .conftest import PROFILE as SHARED_PROFILE
from .conftest import PROJECT, ProviderFactory, where
from .test_packs import spec

# Nodeadm 1.32.0: the newest the public sources list.
PROFILE = {**SHARED_PROFILE, "kubernetes": {"version": "1.32.0"}}


def _published_packs(state: EmulatorState, uid: str) -> dict[str, dict[str, Any]]:
    return {pk["layer"]: pk for pk in (state.profiles[uid].published or {})["packs"]}


def test_the_pack_type_is_the_registrys_kind() -> None:
    registries = [{"uid": "a", "kind": "pack"}, {"uid": "b", "kind": "oci"}, {"uid": "c"}]
    assert [pack_type(registries, uid) for uid in ("a", "b", "c", "missing")] == [
        "spectro",
        "oci",
        "spectro",
        "spectro",
    ]
    catalog = vertex_catalog()
    fips = next(r["uid"] for r in catalog.registry_list())
    resolved = pick_version(catalog.pack(fips, "edge-nodeadm"), spec(tag="1.32.0"), fips, "oci")
    assert resolved.entity()["type"] == "oci"


def test_an_oci_registrys_pack_is_sent_as_oci(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    mirror = next(r for r in default_catalog().registry_list() if r["name"] == "Edge Mirror")
    assert mirror["kind"] == "oci"
    profile = {**PROFILE, "os": {"providerImage": "r/x:1", "registryName": "Edge Mirror"}}
    created = provider(p.ProfileProvider).create({**where(live), "profile": profile})
    assert created.outs
    packs = _published_packs(state, created.outs["profileUid"])
    assert {layer: pk["type"] for layer, pk in packs.items()} == {
        "os": "oci",
        "k8s": "spectro",
        "cni": "spectro",
    }
    assert state.flagged == []


def test_a_vertex_tenant_resolves_and_publishes_the_whole_profile(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    state.catalog = vertex_catalog()
    fips = {"registryName": PALETTE_REGISTRY_FIPS}
    profile = {
        **PROFILE,
        "os": {"providerImage": "r/x:1", **fips},
        "kubernetes": {"version": "1.32.0", **fips},
        "cni": fips,
    }
    created = provider(p.ProfileProvider).create({**where(live), "profile": profile})
    assert created.outs
    stored = state.profiles[created.outs["profileUid"]]
    assert stored.published is not None
    packs = _published_packs(state, created.outs["profileUid"])
    assert {pk["type"] for pk in packs.values()} == {"oci"}
    assert state.flagged == []


def test_a_vertex_tenant_has_no_public_repo(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    state.catalog = vertex_catalog()
    with pytest.raises(PaletteError, match=r"no pack registry is named 'Public Repo'.*Palette Registry FIPS"):
        provider(p.ProfileProvider).create({**where(live), "profile": PROFILE})


def test_packs_are_looked_up_for_edge_native(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    # A registry whose edge-nodeadm is built for another cloud type only: Palette's `cloudType` filter
    # (SPEC, GET /v1/packs/{packName}/registries/{registryUid}) leaves nothing for an edge-native profile.
    public = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Public Repo")
    state.catalog.packs[(public, "edge-nodeadm")]["cloudTypes"] = ["aws"]
    with pytest.raises(PaletteError, match=r"has no pack named 'edge-nodeadm'"):
        provider(p.ProfileProvider).create({**where(live), "profile": PROFILE})


def test_the_emulator_flags_a_spectro_pack_from_an_oci_registry(state: EmulatorState) -> None:
    # Accepted (no source says Palette refuses it) but flagged: TF's schemas/pack.go says OCI packs are `oci`.
    mirror = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Edge Mirror")
    pack = {
        "name": "edge-native-byoi",
        "tag": "2.1.0",
        "type": "spectro",
        "registryUid": mirror,
        "layer": "os",
        "uid": state.catalog.pack_uid(mirror, "edge-native-byoi", "2.1.0"),
    }
    body = {
        "metadata": {"name": "x"},
        "spec": {"version": "1.0.0", "template": {"cloudType": "edge-native", "packs": [pack]}},
    }
    state.create_profile(PROJECT, body, publish=False)
    assert len(state.flagged) == 1 and "of kind 'oci'" in state.flagged[0]
    state.flagged.clear()  # provoked on purpose


def test_the_emulator_command_line_serves_a_vertex_tenant() -> None:
    from palette_emulator.__main__ import CATALOGS, parser

    tenant = parser().parse_args(["--tenant", "vertex"]).tenant
    assert [(r["name"], r["kind"]) for r in CATALOGS[tenant]().registry_list()] == [
        (PALETTE_REGISTRY_FIPS, "oci")
    ]
    assert parser().parse_args([]).tenant == "saas"


def _profile_body(pack: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"name": "x"},
        "spec": {"version": "1.0.0", "template": {"cloudType": "edge-native", "packs": [pack]}},
    }


def test_the_emulator_flags_a_spectro_pack_sent_without_its_uid(state: EmulatorState) -> None:
    # TF's schemas/pack.go: the uid "is required if the pack type is `spectro`"; no source says Palette
    # refuses it, so it is accepted but flagged, never filled in silently.
    public = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Public Repo")
    pack = {"name": "cni-custom", "tag": "0.1.0", "type": "spectro", "registryUid": public, "layer": "cni"}
    state.create_profile(PROJECT, _profile_body(pack), publish=False)
    assert len(state.flagged) == 1 and "sent without its uid" in state.flagged[0]
    state.flagged.clear()  # provoked on purpose
    with_uid = {**pack, "uid": state.catalog.pack_uid(public, "cni-custom", "0.1.0")}
    state.create_profile(PROJECT, {**_profile_body(with_uid), "metadata": {"name": "y"}}, publish=False)
    assert state.flagged == []


def test_a_pack_tag_is_matched_by_its_version_only(state: EmulatorState) -> None:
    # TF `resolvePackUID` (resource_cluster_profile.go) matches `tags[].version == tag`, never `tags[].tag`.
    public = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Public Repo")
    entry = state.catalog.packs[(public, "edge-nodeadm")]["tags"][0]
    entry["tag"] = "1.28.x"
    assert state.catalog.pack_uid(public, "edge-nodeadm", "1.28.x") is None
    assert state.catalog.pack_uid(public, "edge-nodeadm", entry["version"]) == entry["packUid"]
    pack = {"name": "edge-nodeadm", "tag": "1.28.x", "registryUid": public, "layer": "k8s"}
    with pytest.raises(ApiError) as refused:
        state.create_profile(PROJECT, _profile_body(pack), publish=False)
    assert refused.value.code == "PackNotFound"
