"""The profile decisions read back from Palette: the OS layer's provider image (the dotted `system.uri`, and
the nested form older versions wrote), a published version's layers, and who uses a version."""

from __future__ import annotations

from typing import Any

import yaml

from eks_hybrid.components.palette.decisions import profile_users, provider_image, published_layers_problem
from eks_hybrid.components.palette.packs import ResolvedPack, merge_values, os_overlay
from palette_emulator.catalog import BYOI_VALUES

OS = ResolvedPack(
    "os", "edge-native-byoi", "2.1.0", "r", "os-uid", merge_values(BYOI_VALUES, os_overlay("img:2"))
)
K8S = ResolvedPack("k8s", "edge-nodeadm", "1.31.0", "r", "k8s-uid", "")
CNI = ResolvedPack("cni", "cni-custom", "0.1.0", "r", "cni-uid", "")


def _published(*packs: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"published": {"packs": list(packs)}}, "status": {"isPublished": True}}


def _ref(pack: ResolvedPack, **over: Any) -> dict[str, Any]:
    return {
        "layer": pack.layer,
        "name": pack.name,
        "tag": pack.tag,
        "packUid": pack.uid,
        "values": pack.values,
        **over,
    }


NESTED_OS_VALUES = yaml.safe_dump({"options": {"system": {"uri": "img:2"}}})


def test_the_provider_image_is_read_from_the_dotted_key() -> None:
    assert provider_image('options:\n  system.uri: "img:2"\n') == "img:2"
    assert provider_image(OS.values) == "img:2"


def test_a_version_written_with_the_nested_key_keeps_its_image() -> None:
    assert provider_image(NESTED_OS_VALUES) == "img:2"
    # Merged over dotted defaults, the old code left an empty dotted key beside the nested image.
    both = yaml.safe_dump({"options": {"system.uri": "", "system": {"uri": "img:2"}}})
    assert provider_image(both) == "img:2"
    assert provider_image("") is None and provider_image("- a list") is None and provider_image(":") is None


def test_a_published_version_with_our_layers_matches() -> None:
    live = _published(_ref(OS), _ref(K8S), _ref(CNI))
    assert published_layers_problem(live, [OS, K8S, CNI], "p", "1.1.0") is None


def test_a_published_version_in_the_nested_form_matches_without_a_permanent_diff() -> None:
    live = _published(_ref(OS, values=NESTED_OS_VALUES), _ref(K8S), _ref(CNI))
    assert published_layers_problem(live, [OS, K8S, CNI], "p", "1.1.0") is None


def test_a_published_version_without_values_is_judged_by_its_packs() -> None:
    live = _published(_ref(OS, values=""), _ref(K8S), _ref(CNI))
    assert published_layers_problem(live, [OS, K8S, CNI], "p", "1.1.0") is None


def test_a_published_version_with_other_layers_is_refused() -> None:
    old_k8s = _ref(K8S, tag="1.30.0", packUid="k8s-old")
    problem = published_layers_problem(_published(_ref(OS), old_k8s, _ref(CNI)), [OS, K8S, CNI], "p", "1.1.0")
    assert problem and "version 1.1.0 exists with other layers: bump the version" in problem
    assert "k8s: Palette has edge-nodeadm:1.30.0 (k8s-old)" in problem and "os:" not in problem
    other_image = _ref(OS, values=yaml.safe_dump({"options": {"system.uri": "img:1"}}))
    problem = published_layers_problem(
        _published(other_image, _ref(K8S), _ref(CNI)), [OS, K8S, CNI], "p", "1"
    )
    assert problem and "image img:1" in problem and "image img:2" in problem
    assert published_layers_problem(_published(_ref(OS), _ref(K8S)), [OS, K8S, CNI], "p", "1")


def test_profile_users_reads_both_status_lists() -> None:
    live = {
        "status": {
            "inUseClusters": [{"uid": "c1", "name": "dallas-workers"}, {"uid": "c2"}],
            "inUseClusterUids": ["c1", "c2", "c3"],
        }
    }
    assert profile_users(live) == ["c2", "c3", "dallas-workers"]
    assert profile_users({"status": {"inUseClusters": None}}) == [] and profile_users({}) == []
