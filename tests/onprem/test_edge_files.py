"""EdgeForge .arg lines and the Appliance Mode user-data merge."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eks_hybrid.components.onprem.edgeforge import (
    EdgeForgeError,
    canvos_warning,
    edgeforge_arg,
    edgeforge_kubernetes_version,
    parse_provider_image,
    supported_kubernetes_versions,
)
from eks_hybrid.components.onprem.userdata import (
    BIND_MOUNTS,
    EXTRA_DIRS_ROOTFS,
    UserDataError,
    appliance_mode_user_data,
    merge_user_data,
    parse_user_data,
    user_data_text,
)

IMAGE = "registry.example.com/edge/ubuntu:nodeadm-1.31.0-v4.5.21-eks-hybrid"


def _args(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def test_arg_lines_name_nodeadm_and_the_cluster_version():
    args = _args(edgeforge_arg("dallas", "1.31.0", "amd64"))
    assert args == {"K8S_DISTRIBUTION": "nodeadm", "K8S_VERSION": "1.31.0", "ARCH": "amd64"}


def test_arg_lines_name_the_image_the_profile_points_at():
    # CanvOS names it $IMAGE_REGISTRY/$IMAGE_REPO:$K8S_DISTRIBUTION-$K8S_VERSION-$PE_VERSION-$CUSTOM_TAG
    args = _args(edgeforge_arg("dallas", "1.31.0", "arm64", IMAGE))
    assert args["IMAGE_REGISTRY"] == "registry.example.com/edge"
    assert args["IMAGE_REPO"] == "ubuntu"
    assert args["CUSTOM_TAG"] == "eks-hybrid"
    assert args["ARCH"] == "arm64"
    tag = f"{args['K8S_DISTRIBUTION']}-{args['K8S_VERSION']}-v4.5.21-{args['CUSTOM_TAG']}"
    name = f"{args['IMAGE_REGISTRY']}/{args['IMAGE_REPO']}:{tag}"
    assert name == IMAGE


def test_a_provider_image_of_another_version_is_refused():
    with pytest.raises(EdgeForgeError, match=r"nodeadm 1\.30\.0 image: the cluster needs nodeadm 1\.31\.0"):
        edgeforge_arg("dallas", "1.31.0", "amd64", IMAGE.replace("1.31.0", "1.30.0"))


def test_an_image_not_named_the_canvos_way_is_refused_not_dropped():
    # The stack-file model refuses it by the same parse; render never writes an .arg file without its lines.
    assert parse_provider_image("registry.example.com/edge/custom:latest") is None
    with pytest.raises(EdgeForgeError, match="named the CanvOS way") as caught:
        edgeforge_arg("d", "1.31.0", "amd64", "registry.example.com/edge/custom:latest")
    assert caught.value.code == "invalid-provider-image"


def test_kubernetes_version_comes_from_the_hub_minor_or_the_profile_patch():
    assert edgeforge_kubernetes_version("1.35") == "1.35.0"
    assert edgeforge_kubernetes_version("1.35", "1.35.2") == "1.35.2"
    # The layer is the nodes' version: up to three minors behind the cluster (AWS's skew policy).
    assert edgeforge_kubernetes_version("1.35", "1.32.0") == "1.32.0"
    with pytest.raises(EdgeForgeError, match=r"1\.36\.0 is newer than the cluster's Kubernetes 1\.35"):
        edgeforge_kubernetes_version("1.35", "1.36.0")
    with pytest.raises(EdgeForgeError, match=r"Kubernetes 1\.31 is not a version nodeadm hybrid nodes"):
        edgeforge_kubernetes_version("1.34", "1.31.0")


def test_only_versions_nodeadm_supports_are_rendered():
    for minor in supported_kubernetes_versions():
        assert edgeforge_kubernetes_version(minor) == f"{minor}.0"
    with pytest.raises(
        EdgeForgeError, match=r"Kubernetes 1\.27 is not a version nodeadm hybrid nodes support"
    ):
        edgeforge_kubernetes_version("1.27")


def test_versions_canvos_does_not_list_are_a_warning():
    assert canvos_warning("1.31.0") is None
    assert canvos_warning("1.32.0") is None  # CanvOS k8s_version.json at fb36e29
    assert "1.28.0" in str(canvos_warning("1.28.0"))
    assert "1.33.0" in str(canvos_warning("1.33.0"))


def test_the_snippet_is_exactly_what_palette_documents():
    assert appliance_mode_user_data() == {
        "install": {
            "extra-dirs-rootfs": ["/eks-hybrid"],
            "bind_mounts": [
                "/eks-hybrid",
                "/etc/aws",
                "/etc/containerd",
                "/etc/eks",
                "/etc/iam",
                "/etc/modules-load.d",
                "/var/lib/amazon",
            ],
        }
    }


USER = """#cloud-config
stylus:
  site:
    paletteEndpoint: api.spectrocloud.com
    edgeHostToken: token-123
install:
  reboot: true
  bind_mounts:
    - /var/lib/mydata
    - /etc/aws
stages:
  initramfs:
    - users:
        kairos: {groups: [sudo]}
"""


def test_merging_keeps_every_user_key_and_adds_only_what_is_missing():
    merged = merge_user_data(parse_user_data(USER), appliance_mode_user_data())
    assert merged["stylus"] == {
        "site": {"paletteEndpoint": "api.spectrocloud.com", "edgeHostToken": "token-123"}
    }
    assert merged["stages"] == {"initramfs": [{"users": {"kairos": {"groups": ["sudo"]}}}]}
    assert merged["install"]["reboot"] is True
    # the user's list order first, then the missing required entries, no duplicates
    assert merged["install"]["bind_mounts"] == [
        "/var/lib/mydata",
        "/etc/aws",
        "/eks-hybrid",
        "/etc/containerd",
        "/etc/eks",
        "/etc/iam",
        "/etc/modules-load.d",
        "/var/lib/amazon",
    ]
    assert merged["install"]["extra-dirs-rootfs"] == ["/eks-hybrid"]
    assert list(merged) == ["stylus", "install", "stages"]


def test_the_merged_file_is_a_cloud_config_document_that_reads_back_the_same():
    merged = merge_user_data(parse_user_data(USER), appliance_mode_user_data())
    text = user_data_text(merged)
    assert text.startswith("#cloud-config\n")
    assert yaml.safe_load(text) == merged


def test_no_user_data_gives_the_snippet_alone():
    assert merge_user_data(None, appliance_mode_user_data()) == appliance_mode_user_data()
    assert parse_user_data("") == {}
    assert merge_user_data({"install": None}, appliance_mode_user_data()) == appliance_mode_user_data()


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ({"install": "yes"}, "install"),
        ({"install": {"bind_mounts": "/etc/aws"}}, "install.bind_mounts"),
        ({"install": {"extra-dirs-rootfs": {"a": 1}}}, "install.extra-dirs-rootfs"),
    ],
)
def test_a_user_value_of_the_wrong_type_is_an_error_naming_its_path(user, path):
    with pytest.raises(UserDataError) as raised:
        merge_user_data(user, appliance_mode_user_data())
    assert raised.value.path == path


def test_a_file_that_is_not_a_mapping_is_refused():
    with pytest.raises(UserDataError, match="must be a YAML mapping"):
        parse_user_data("- a\n- b\n")
    with pytest.raises(UserDataError, match="not valid YAML"):
        parse_user_data("install: [\n")


_keys = st.text(alphabet="abcdefgh-_", min_size=1, max_size=6)
_values = st.recursive(
    st.one_of(st.integers(), st.booleans(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=4,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=4), st.lists(st.sampled_from(BIND_MOUNTS), unique=True))
def test_merge_never_drops_or_changes_a_user_key_and_always_has_the_required_entries(user, mounts):
    document = {**user, "install": {"bind_mounts": list(mounts)}}
    merged = merge_user_data(document, appliance_mode_user_data())
    for key, value in user.items():
        if key != "install":
            assert merged[key] == value
    assert merged["install"]["bind_mounts"][: len(mounts)] == list(mounts)
    assert set(BIND_MOUNTS) <= set(merged["install"]["bind_mounts"])
    assert set(EXTRA_DIRS_ROOTFS) <= set(merged["install"]["extra-dirs-rootfs"])
    assert len(merged["install"]["bind_mounts"]) == len(set(merged["install"]["bind_mounts"]))
