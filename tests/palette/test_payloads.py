"""Every request body our builders make conforms to the Palette spec (strictly), and the builders are pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eks_hybrid.components.config.hub import PaletteProfileConfig
from eks_hybrid.components.config.site import NodePoolConfig
from eks_hybrid.components.palette import payloads
from eks_hybrid.components.palette.packs import ResolvedPack
from palette_emulator.spec import validate

POOL = NodePoolConfig.model_validate(
    {
        "name": "dallas-workers",
        "architecture": "amd64",
        "edgeHosts": [
            {"uid": "edge-8f3a2b1c", "name": "dallas-01", "vpnServerIp": "10.200.0.1", "nicName": "eth0"},
            {"uid": "edge-8f3a2b1d"},
        ],
        "labels": {"site": "dallas"},
        "taints": [{"key": "dedicated", "value": "edge", "effect": "NoSchedule"}],
        "ntpServers": ["pool.ntp.org"],
    }
)
PROFILE = PaletteProfileConfig.model_validate(
    {
        "os": {"providerImage": "registry.example.com/edge/ubuntu:nodeadm-1.31.0"},
        "kubernetes": {"version": "1.31.0"},
    }
)
PACKS = [
    ResolvedPack("os", "edge-native-byoi", "2.1.0", "r" * 24, "a" * 24, "options: {}\n"),
    ResolvedPack("k8s", "edge-nodeadm", "1.31.0", "r" * 24, "b" * 24, "pack: {}\n"),
    ResolvedPack("cni", "cni-custom", "0.1.0", "r" * 24, "c" * 24, "manifests: {}\n"),
]
IRA = payloads.HybridIdentity(
    "iamRolesAnywhere",
    role_arn="r",
    trust_anchor_arn="t",
    profile_arn="p",
    root_ca_certificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    root_ca_private_key="-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
)


def test_pure_modules_never_import_pulumi() -> None:
    for module in ("payloads.py", "decisions.py", "packs.py"):
        tree = ast.parse((Path(payloads.__file__).parent / module).read_text())
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any(name.startswith("pulumi") for name in names), module


@pytest.mark.parametrize(
    ("definition", "body"),
    [
        ("v1SpectroAwsClusterImportEntity", payloads.cluster_import_body("edge-prod")),
        ("v1ClusterHybridSettingsEntity", payloads.hybrid_settings_body(True)),
        (
            "v1AwsCloudHybridConfigEntity",
            payloads.hybrid_config_body(
                "10.100.0.0/16",
                ["10.201.0.0/16", "10.200.0.0/16"],
                ["192.168.0.0/16"],
                payloads.HybridIdentity("ssm", activation_id="id", activation_code="code"),
            ),
        ),
        (
            "v1AwsCloudHybridConfigEntity",
            payloads.hybrid_config_body("10.100.0.0/16", ["10.200.0.0/16"], ["192.168.0.0/16"], IRA),
        ),
        ("v1ClusterProfileEntity", payloads.cluster_profile_body(PROFILE, PACKS)),
        ("v1ClusterProfileCloneEntity", payloads.profile_clone_body(PROFILE)),
        ("v1ClusterProfileUpdateEntity", payloads.profile_update_body(PROFILE, "u" * 24, PACKS)),
        ("v1ProfileMetaEntity", payloads.profile_metadata_body(PROFILE)),
        ("v1SearchFilterSummarySpec", payloads.cluster_search_body("edge-prod")),
        ("v1HybridEdgeNativeMachinePoolConfigEntity", payloads.pool_create_body(POOL, "profile-uid")),
        ("v1HybridEdgeNativeMachinePoolConfigUpdateEntity", payloads.pool_update_body(POOL)),
        ("v1SpectroClusterProfiles", payloads.replace_profile_body("new", "old")),
        (
            "v1SearchFilterSummarySpec",
            payloads.edge_host_search_body({"state": ["ready"], "tags": ["site:x"]}),
        ),
    ],
)
def test_bodies_conform_to_the_spec(definition: str, body: dict[str, object]) -> None:
    assert validate(definition, body) == []


def test_an_invented_field_is_rejected() -> None:
    body = payloads.pool_create_body(POOL, "profile-uid")
    body["poolConfig"]["inventedField"] = True
    assert any("inventedField" in p for p in validate("v1HybridEdgeNativeMachinePoolConfigEntity", body))


def test_update_body_is_shaped_differently_from_create() -> None:
    create, update = payloads.pool_create_body(POOL, "p"), payloads.pool_update_body(POOL)
    assert validate("v1HybridEdgeNativeMachinePoolConfigUpdateEntity", create) != []
    assert "profiles" not in update["cloudConfig"] and update["clusterConfig"] == {
        "ntpServers": ["pool.ntp.org"]
    }
    assert update["cloudConfig"]["edgeHosts"][0] == {
        "hostUid": "edge-8f3a2b1c",
        "hostName": "dallas-01",
        "nic": {"nicName": "eth0"},
        "vpnServerIp": "10.200.0.1",
    }


def test_pool_body_maps_the_config() -> None:
    body = payloads.pool_create_body(POOL, "profile-uid")
    assert body["poolConfig"]["size"] == 2
    assert body["poolConfig"]["additionalLabels"] == {"site": "dallas"}
    assert body["cloudConfig"]["profiles"] == [{"uid": "profile-uid"}]
    assert body["cloudConfig"]["machineCloudConfig"]["edgeHosts"][1] == {"hostUid": "edge-8f3a2b1d"}


def test_profile_packs_carry_registry_uid_and_values() -> None:
    packs = payloads.cluster_profile_body(PROFILE, PACKS)["spec"]["template"]["packs"]
    assert [(p["layer"], p["name"], p["tag"]) for p in packs] == [
        ("os", "edge-native-byoi", "2.1.0"),
        ("k8s", "edge-nodeadm", "1.31.0"),
        ("cni", "cni-custom", "0.1.0"),
    ]
    # The Terraform provider refuses a pack without uid or registry uid: ours always carries both.
    assert all(p["uid"] and p["registryUid"] == "r" * 24 and p["type"] == "spectro" for p in packs)
    assert packs[1]["values"] == "pack: {}\n"


def test_iam_roles_anywhere_hands_palette_the_root_ca() -> None:
    # v1IamRolesAnywhere: Palette issues host certificates from the root CA, so it takes its key too.
    body = payloads.hybrid_config_body("10.100.0.0/16", ["10.200.0.0/16"], ["192.168.0.0/16"], IRA)
    ira = body["hybridConfig"]["iamRolesAnywhere"]
    assert ira["rootCaCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert ira["rootCaPrivateKey"].startswith("-----BEGIN PRIVATE KEY-----")
    incomplete = payloads.HybridIdentity(
        "iamRolesAnywhere", role_arn="r", trust_anchor_arn="t", profile_arn="p"
    )
    assert incomplete.problems() == [
        "root_ca_certificate is required for credentials provider iamRolesAnywhere",
        "root_ca_private_key is required for credentials provider iamRolesAnywhere",
    ]
    assert "MIIE" not in repr(IRA)


def test_cluster_search_is_the_sdks_get_cluster_by_name() -> None:
    # palette-sdk-go client/cluster.go getClusterFilter + clusterNameEqFilter.
    groups = payloads.cluster_search_body("edge-prod")["filter"]["filterGroups"]
    first, second = (g["filters"] for g in groups)
    assert [f["property"] for f in first] == ["environment", "isDeleted"]
    assert first[0]["condition"]["string"]["negation"] is True
    assert first[1] == {"property": "isDeleted", "type": "bool", "condition": {"bool": {"value": False}}}
    assert second[0]["property"] == "clusterName"
    assert second[0]["condition"]["string"]["match"]["values"] == ["edge-prod"]


def test_identity_repr_hides_the_activation_code() -> None:
    identity = payloads.HybridIdentity("ssm", activation_id="id", activation_code="very-secret")
    assert "very-secret" not in repr(identity)
    assert payloads.HybridIdentity("ssm").problems()


@given(
    st.lists(st.sampled_from(["10.200.0.0/16", "10.201.0.0/16", "10.202.0.0/16"]), min_size=1),
    st.lists(st.sampled_from(["192.168.0.0/16", "172.18.0.0/16"]), min_size=1),
)
def test_hybrid_config_is_deterministic_and_valid(nodes: list[str], pods: list[str]) -> None:
    identity = payloads.HybridIdentity("ssm", activation_id="a", activation_code="c")
    body = payloads.hybrid_config_body("10.100.0.0/16", nodes, pods, identity)
    assert body == payloads.hybrid_config_body("10.100.0.0/16", list(reversed(nodes)), pods, identity)
    assert body["hybridConfig"]["remoteNodeCidrs"] == sorted(set(nodes))
    assert validate("v1AwsCloudHybridConfigEntity", body) == []
