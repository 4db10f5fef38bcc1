"""Pack resolution: registry by name or uid, the pack's version, our values merged over
the pack's defaults; every failure names the layer and its config key."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_hybrid.components.config.hub import PaletteProfileConfig
from eks_hybrid.components.palette.packs import (
    CNI_OVERLAY,
    LayerSpec,
    PackResolutionError,
    layer_specs,
    merge_values,
    os_overlay,
    pick_registry,
    pick_version,
    system_uri_dotted,
)
from palette_emulator.catalog import BYOI_VALUES, CUSTOM_CNI_VALUES, NODEADM_VALUES, default_catalog

CATALOG = default_catalog()
REGISTRIES = CATALOG.registry_list()
PUBLIC = next(r["uid"] for r in REGISTRIES if r["name"] == "Public Repo")
MIRROR = next(r["uid"] for r in REGISTRIES if r["name"] == "Edge Mirror")
PROFILE = PaletteProfileConfig.model_validate(
    {
        "os": {"providerImage": "registry.example.com/edge/ubuntu:nodeadm-1.31.0"},
        "kubernetes": {"version": "1.31.0"},
    }
)


def spec(**changes: Any) -> LayerSpec:
    base = {
        "key": "kubernetes",
        "layer": "k8s",
        "pack": "edge-nodeadm",
        "tag": "1.31.0",
        "registry": {"name": "Public Repo"},
        "overlay": {},
    }
    return LayerSpec(**{**base, **changes})


# --- merge_values -----------------------------------------------------------------------------------------


def test_no_overlay_sends_the_packs_defaults_verbatim() -> None:
    assert merge_values(NODEADM_VALUES, {}) == NODEADM_VALUES


def test_overlay_merges_mappings_and_replaces_the_rest() -> None:
    merged = yaml.safe_load(
        merge_values(NODEADM_VALUES, {"nodeadm": {"kubelet": {"flags": ["--node-labels=a=b"]}}, "extra": 1})
    )
    assert merged["nodeadm"]["kubelet"] == {
        "config": {"shutdownGracePeriod": "30s"},
        "flags": ["--node-labels=a=b"],
    }
    assert merged["nodeadm"]["containerd"] == {"config": ""} and merged["pack"] == {
        "namespace": "kube-system"
    }
    assert merged["extra"] == 1


def test_palette_marker_comments_survive_the_merge() -> None:
    merged = merge_values(NODEADM_VALUES, {"pack": {"namespace": "x"}})
    assert merged.startswith("# spectrocloud.com/enabled-presets: Mode:appliance\n")


def test_the_cni_placeholder_becomes_dummy_and_keeps_the_manifest() -> None:
    merged = yaml.safe_load(merge_values(CUSTOM_CNI_VALUES, CNI_OVERLAY))
    contents = merged["manifests"]["byo-cni"]["contents"]
    assert contents["data"] == {"custom-cni": "dummy"} and contents["kind"] == "ConfigMap"


def test_defaults_that_are_not_a_mapping_are_refused() -> None:
    with pytest.raises(PackResolutionError, match="not a YAML mapping"):
        merge_values("- a\n- b\n", {"x": 1})
    assert yaml.safe_load(merge_values("", {"x": 1})) == {"x": 1}


VALUES = st.recursive(
    st.one_of(st.integers(-5, 5), st.sampled_from(["", "x", "yes", "1.30", "a: b"]), st.booleans()),
    lambda inner: st.dictionaries(st.sampled_from("abcd"), inner, max_size=3),
    max_leaves=8,
)


def deep(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: deep(base.get(k), v) for k, v in over.items()}}
    return over


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a shared 2-core machine
@given(
    st.dictionaries(st.sampled_from("abcd"), VALUES, max_size=3),
    st.dictionaries(st.sampled_from("abcd"), VALUES, max_size=3),
)
def test_merge_is_a_deep_merge_and_idempotent(defaults: dict[str, Any], overlay: dict[str, Any]) -> None:
    text = yaml.safe_dump(defaults)
    merged = merge_values(text, overlay)
    assert yaml.safe_load(merged) == (deep(defaults, overlay) if overlay else defaults)
    assert yaml.safe_load(merge_values(merged, overlay)) == yaml.safe_load(merged)


# --- layer specs --------------------------------------------------------------------------------------------


def test_layers_and_their_overlays() -> None:
    specs = layer_specs(PROFILE)
    assert [(s.key, s.layer, s.pack, s.tag) for s in specs] == [
        ("os", "os", "edge-native-byoi", "2.1.0"),
        ("kubernetes", "k8s", "edge-nodeadm", "1.31.0"),
        ("cni", "cni", "cni-custom", "0.1.0"),
    ]
    assert specs[0].overlay["options"] == {"system.uri": "registry.example.com/edge/ubuntu:nodeadm-1.31.0"}
    assert all(s.registry == {"name": "Public Repo"} for s in specs)


def test_user_values_merge_over_ours() -> None:
    profile = PaletteProfileConfig.model_validate(
        {
            "os": {"providerImage": "img:1", "values": {"options": {"system": {"extra": True}}}},
            "kubernetes": {"version": "1.31.0", "registryUid": MIRROR},
        }
    )
    os_layer, k8s, _ = layer_specs(profile)
    assert os_layer.overlay["options"] == {"system.uri": "img:1", "system": {"extra": True}}
    assert k8s.registry == {"uid": MIRROR}


def test_a_nested_system_uri_in_user_values_becomes_the_dotted_key() -> None:
    profile = PaletteProfileConfig.model_validate(
        {
            "os": {"providerImage": "img:1", "values": {"options": {"system": {"uri": "img:2"}}}},
            "kubernetes": {"version": "1.31.0"},
        }
    )
    assert layer_specs(profile)[0].overlay["options"] == {"system.uri": "img:2"}


@pytest.mark.parametrize(
    "defaults",
    [
        'options:\n  system.uri: ""\n',  # Palette's BYOS pack (Spectro's docs, CanvOS)
        'options:\n  system:\n    uri: ""\n',  # a pack written the other way
        'options:\n  system.uri: ""\n  system:\n    uri: old\n',  # both
    ],
)
def test_the_merged_os_values_hold_one_dotted_system_uri(defaults: str) -> None:
    merged = yaml.safe_load(merge_values(defaults, os_overlay("img:1")))
    assert merged["options"] == {"system.uri": "img:1"}


def test_system_uri_dotted_keeps_other_keys() -> None:
    values = {"a": 1, "options": {"x": 2, "system": {"uri": "i", "registry": "r"}}}
    assert system_uri_dotted(values) == {
        "a": 1,
        "options": {"x": 2, "system": {"registry": "r"}, "system.uri": "i"},
    }
    assert system_uri_dotted({"options": {"system.uri": "i"}}) == {"options": {"system.uri": "i"}}
    assert system_uri_dotted({"options": "text"}) == {"options": "text"}


# --- pick_registry / pick_version -------------------------------------------------------------------------


def test_registry_by_name_and_by_uid() -> None:
    assert pick_registry(REGISTRIES, spec()) == PUBLIC
    assert pick_registry(REGISTRIES, spec(registry={"uid": MIRROR})) == MIRROR


@pytest.mark.parametrize(
    ("registry", "registries", "says"),
    [
        ({"name": "Nope"}, REGISTRIES, "no pack registry is named 'Nope' (registries: Edge Mirror"),
        ({"uid": "f" * 24}, REGISTRIES, f"no pack registry has uid '{'f' * 24}'"),
        (
            {"name": "Public Repo"},
            [*REGISTRIES, {"uid": "x", "name": "Public Repo"}],
            "2 pack registries are named",
        ),
        ({"name": "Public Repo"}, [], "Palette lists no registries"),
    ],
)
def test_registry_problems_name_the_layer(
    registry: dict[str, str], registries: list[dict[str, Any]], says: str
) -> None:
    with pytest.raises(PackResolutionError) as info:
        pick_registry(registries, spec(registry=registry))
    assert says in str(info.value)
    assert str(info.value).startswith("profile layer kubernetes (eks-hybrid:palette.profile.kubernetes)")


def test_version_resolves_to_the_pack_uid_and_its_defaults() -> None:
    resolved = pick_version(CATALOG.pack(PUBLIC, "edge-nodeadm"), spec(), PUBLIC)
    assert resolved.uid == CATALOG.pack_uid(PUBLIC, "edge-nodeadm", "1.31.0")
    assert resolved.registry_uid == PUBLIC and resolved.values == NODEADM_VALUES
    entity = resolved.entity()
    assert entity["uid"] == resolved.uid and entity["registryUid"] == PUBLIC and entity["layer"] == "k8s"


def test_os_layer_values_are_the_packs_with_our_image() -> None:
    os_spec = layer_specs(PROFILE)[0]
    resolved = pick_version(CATALOG.pack(PUBLIC, "edge-native-byoi"), os_spec, PUBLIC)
    values = yaml.safe_load(resolved.values)
    assert values["options"] == {"system.uri": "registry.example.com/edge/ubuntu:nodeadm-1.31.0"}
    assert values["pack"]["content"]["images"] == [
        {"image": "{{.spectro.pack.edge-native-byoi.options.system.uri}}"}
    ]
    assert yaml.safe_load(BYOI_VALUES)["options"] == {"system.uri": ""}


def test_a_missing_version_lists_the_versions_there() -> None:
    with pytest.raises(PackResolutionError) as info:
        pick_version(CATALOG.pack(PUBLIC, "edge-nodeadm"), spec(tag="1.27.0"), PUBLIC)
    assert "pack 'edge-nodeadm' has no version '1.27.0'" in str(info.value)
    assert "(versions there: 1.28.0, 1.29.0, 1.30.0, 1.31.0, 1.32.0)" in str(info.value)
    assert "eks-hybrid:palette.profile.kubernetes" in str(info.value)


def test_a_missing_pack_names_the_layer_and_what_to_set() -> None:
    with pytest.raises(PackResolutionError) as info:
        pick_version(CATALOG.pack(MIRROR, "edge-nodeadm"), spec(), MIRROR)
    assert f"registry {MIRROR} has no pack named 'edge-nodeadm'" in str(info.value)
    assert "eks-hybrid:palette.profile.kubernetes.pack" in str(info.value)


def test_a_pack_of_another_layer_is_refused() -> None:
    with pytest.raises(PackResolutionError, match="is a os layer, not k8s"):
        pick_version(
            CATALOG.pack(PUBLIC, "edge-native-byoi"), spec(pack="edge-native-byoi", tag="2.1.0"), PUBLIC
        )
