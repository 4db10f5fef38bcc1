"""Every request body our builders make conforms to the Palette spec (strictly), and the builders are pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config.hub import PaletteProfileConfig
from components.config.site import NodePoolConfig
from components.palette import payloads
from palette_emulator.spec import REQUEST_DEFINITIONS, closure, definitions, validate

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


def test_pure_modules_never_import_pulumi() -> None:
    for module in ("payloads.py", "checks.py"):
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
            payloads.hybrid_config_body(
                "10.100.0.0/16",
                ["10.200.0.0/16"],
                ["192.168.0.0/16"],
                payloads.HybridIdentity(
                    "iamRolesAnywhere", role_arn="r", trust_anchor_arn="t", profile_arn="p"
                ),
            ),
        ),
        ("v1ClusterProfileEntity", payloads.cluster_profile_body(PROFILE)),
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


def test_profile_layers() -> None:
    packs = payloads.cluster_profile_body(PROFILE)["spec"]["template"]["packs"]
    assert [(p["layer"], p["name"]) for p in packs] == [
        ("os", "edge-native-byoi"),
        ("k8s", "edge-nodeadm"),
        ("cni", "cni-custom"),
    ]
    assert 'uri: "registry.example.com/edge/ubuntu:nodeadm-1.31.0"' in packs[0]["values"]
    assert packs[1]["tag"] == "1.31.0"


def test_identity_repr_hides_the_activation_code() -> None:
    identity = payloads.HybridIdentity("ssm", activation_id="id", activation_code="very-secret")
    assert "very-secret" not in repr(identity)
    assert payloads.HybridIdentity("ssm").problems()


def test_vendored_definitions_match_the_shared_spec(reference_dir: Path) -> None:
    import json

    spec = json.loads((reference_dir / "palette-apis-spec.json").read_text())
    assert closure(spec["definitions"], REQUEST_DEFINITIONS) == definitions()


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
