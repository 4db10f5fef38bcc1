"""Palette checks against the emulator over real HTTP, through our Palette client.

The emulator serves no pack registries yet (issue 9 seeds them): `registries` below serves
`GET /v1/packs/{name}/registries/{uid}` beside it, each answer validated against the API spec's
`v1PackTagEntity` before it is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft4Validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from components.config.hub import PaletteProfileConfig
from components.config.site import NodePoolConfig
from components.palette import payloads
from eks_hybrid.verify.checks.palette import (
    HubState,
    PoolsState,
    check_palette_hub,
    check_palette_pools,
)
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import PaletteHubIntent, PalettePoolsIntent
from eks_hybrid.verify.palette import PaletteKeyError, PaletteReader, palette_api_key
from palette_emulator import EmulatorState, LiveServer
from palette_emulator.spec import strict

from ..palette.conftest import API_KEY, PROJECT, make_client, register_hosts
from .conftest import only

REGISTRY = "5e2031962f090e2d3d8a3c6d"
PACKS = {
    ("edge-native-byoi", REGISTRY): {"2.1.0": "63bd0ebd2cbbf4ae2b2c0d7a"},
    ("edge-nodeadm", REGISTRY): {"1.31.0": "6746f3a1c2d1f0b1a2c3d4e5", "1.30.0": "6746f3a1c2d1f0b1a2c3d4e4"},
    ("cni-custom", REGISTRY): {"0.1.0": "6171e9bd1c5f3ae5b7c4d2a1"},
}
NODES = ["10.200.0.0/16", "10.201.0.0/16"]
PODS = ["172.18.0.0/16", "192.168.0.0/16"]
PROFILE = PaletteProfileConfig.model_validate(
    {
        "name": "eks-hybrid-nodes",
        "version": "1.0.0",
        "os": {"providerImage": "registry.example.com/edge/ubuntu:nodeadm-1.31.0-v4.5.21-eks-hybrid"},
        "kubernetes": {"version": "1.31.0"},
    }
)


@pytest.fixture(scope="module")
def pack_validator(reference_dir: Any) -> Draft4Validator:
    import json

    spec = json.loads((reference_dir / "palette-apis-spec.json").read_text())
    return Draft4Validator(
        {"definitions": strict(spec["definitions"]), "$ref": "#/definitions/v1PackTagEntity"}
    )


@pytest.fixture
def server(app: Starlette, pack_validator: Draft4Validator) -> Iterator[LiveServer]:
    async def pack(request: Request) -> Response:
        name, registry = request.path_params["name"], request.path_params["uid"]
        tags = PACKS.get((name, registry))
        if tags is None:
            body = {
                "code": "ResourceNotFound",
                "message": f"pack '{name}' not found",
                "details": None,
                "ref": "r",
            }
            return JSONResponse(body, status_code=404)
        entity = {
            "name": name,
            "registryUid": registry,
            "layer": "os" if name == "edge-native-byoi" else "k8s" if name == "edge-nodeadm" else "cni",
            "cloudTypes": ["edge-native"],
            "tags": [{"tag": tag, "version": tag, "packUid": uid, "group": ""} for tag, uid in tags.items()],
            "packValues": [],
        }
        errors = list(pack_validator.iter_errors(entity))
        assert not errors, errors
        return JSONResponse(entity)

    app = Starlette(routes=[Route("/v1/packs/{name}/registries/{uid}", pack), Mount("/", app=app)])
    with LiveServer(app) as live:
        yield live


def resolved_profile(*, registry: bool = True, k8s_version: str = "1.31.0") -> dict[str, Any]:
    body = payloads.cluster_profile_body(PROFILE)
    for pack in body["spec"]["template"]["packs"]:
        if pack["name"] == "edge-nodeadm":
            pack["tag"] = k8s_version
        if registry:
            pack["registryUid"] = REGISTRY
            pack["uid"] = PACKS[(pack["name"], REGISTRY)].get(pack["tag"], "63bd0ebd2cbbf4ae2b2c0000")
    return body


def build_hub(
    server: LiveServer,
    state: EmulatorState,
    *,
    health: str = "Healthy",
    hybrid: bool = True,
    pods: list[str] = PODS,
    profile: dict[str, Any] | None = None,
) -> PaletteHubIntent:
    with make_client(server.url) as client:
        uid = str(
            client.post("/v1/spectroclusters/aws/import", payloads.cluster_import_body("edge-prod"))["uid"]
        )
        state.mark_cluster_running(uid, health)
        config_uid = client.get(f"/v1/spectroclusters/{uid}")["spec"]["cloudConfigRef"]["uid"]
        if hybrid:
            client.patch(f"/v1/spectroclusters/{uid}/hybridSettings", payloads.hybrid_settings_body(True))
        identity = payloads.HybridIdentity(
            "ssm", activation_id="3b9a6e2e-0d1c-4f5a-9b8e", activation_code="x" * 20
        )
        client.put(
            f"/v1/cloudconfigs/aws/{config_uid}/clusterConfig/hybridConfig",
            payloads.hybrid_config_body("10.100.0.0/16", NODES, pods, identity),
        )
        profile_uid = str(
            client.post("/v1/clusterprofiles", profile or resolved_profile(), params={"publish": "true"})[
                "uid"
            ]
        )
    return PaletteHubIntent(
        endpoint=server.url,
        project_uid=PROJECT,
        cluster_uid=uid,
        cloud_config_uid=config_uid,
        profile_uid=profile_uid,
        vpc_cidr="10.100.0.0/16",
        node_cidrs=tuple(NODES),
        pod_cidrs=tuple(PODS),
    )


def hub_findings(server: LiveServer, intent: PaletteHubIntent) -> list[Any]:
    reader = PaletteReader.connect(server.url, PROJECT, API_KEY)
    try:
        return check_palette_hub(intent, reader.hub_state(intent))
    finally:
        reader.close()


def test_a_healthy_hybrid_cluster_with_resolved_packs_passes(
    server: LiveServer, state: EmulatorState
) -> None:
    results = hub_findings(server, build_hub(server, state))
    assert [(f.check, f.status) for f in results] == [
        ("cluster edge-prod state", Status.ok),
        ("cluster edge-prod hybrid mode", Status.ok),
        ("cluster edge-prod hybrid CIDRs", Status.ok),
        ("profile eks-hybrid-nodes 1.0.0 pack edge-native-byoi 2.1.0 (os)", Status.ok),
        ("profile eks-hybrid-nodes 1.0.0 pack edge-nodeadm 1.31.0 (k8s)", Status.ok),
        ("profile eks-hybrid-nodes 1.0.0 pack cni-custom 0.1.0 (cni)", Status.ok),
    ]


def test_an_unhealthy_cluster_fails(server: LiveServer, state: EmulatorState) -> None:
    finding = only(hub_findings(server, build_hub(server, state, health="UnHealthy")), "state")
    assert (finding.status, finding.detail) == (Status.fail, "Running/UnHealthy, not Running/Healthy")


def test_hybrid_mode_off_and_cidrs_that_differ_fail(server: LiveServer, state: EmulatorState) -> None:
    results = hub_findings(server, build_hub(server, state, hybrid=False, pods=["192.168.0.0/16"]))
    assert only(results, "hybrid mode").detail == "hybrid mode is off"
    cidrs = only(results, "hybrid CIDRs")
    assert cidrs.status is Status.fail
    assert cidrs.detail == (
        "Palette's hybrid configuration differs from the stack: remotePodCidrs 192.168.0.0/16 (want"
        " 172.18.0.0/16, 192.168.0.0/16)"
    )


def test_packs_without_a_registry_fail(server: LiveServer, state: EmulatorState) -> None:
    """What today's profile payload sends (issue 9 resolves packs in registries)."""
    results = hub_findings(server, build_hub(server, state, profile=resolved_profile(registry=False)))
    pack = only(results, "pack edge-nodeadm")
    assert pack.status is Status.fail
    assert pack.detail == "the pack names no registry (registryUid): Palette cannot resolve it"


def test_a_pack_version_the_registry_lacks_fails(server: LiveServer, state: EmulatorState) -> None:
    results = hub_findings(server, build_hub(server, state, profile=resolved_profile(k8s_version="1.33.0")))
    pack = only(results, "pack edge-nodeadm")
    assert pack.status is Status.fail
    assert pack.detail == f"registry {REGISTRY} has no version 1.33.0 of edge-nodeadm (has 1.30.0, 1.31.0)"


def test_a_pack_marked_invalid_fails() -> None:
    profile = {
        "metadata": {"name": "eks-hybrid-nodes", "uid": "p"},
        "spec": {
            "version": "1.0.0",
            "published": {
                "packs": [
                    {
                        "name": "edge-nodeadm",
                        "tag": "1.30.0",
                        "layer": "k8s",
                        "registryUid": REGISTRY,
                        "isInvalid": True,
                        "inValidReason": "tag 1.30.0 was deleted",
                    }
                ]
            },
        },
        "status": {"isPublished": True},
    }
    intent = PaletteHubIntent("u", PROJECT, "c", "cc", "p", "10.100.0.0/16", (), ())
    state = HubState(cluster=None, overview=None, cloud_config=None, profile=profile)
    assert check_palette_hub(intent, state)[0].detail.startswith("Palette has no cluster c")
    [pack] = check_palette_hub(intent, HubState({"metadata": {}, "spec": {}}, None, None, profile))[3:]
    assert pack.detail == "Palette marks the pack invalid: tag 1.30.0 was deleted"


def test_a_cluster_palette_does_not_have_fails(server: LiveServer, state: EmulatorState) -> None:
    intent = build_hub(server, state)
    missing = PaletteHubIntent(
        server.url,
        PROJECT,
        "0123456789abcdef01234567",
        intent.cloud_config_uid,
        None,
        "10.100.0.0/16",
        (),
        (),
    )
    [finding] = hub_findings(server, missing)
    assert finding.status is Status.fail
    assert finding.detail == (
        f"Palette has no cluster 0123456789abcdef01234567 in project {PROJECT} (deleted, or another project)"
    )


# --- a site's pools -----------------------------------------------------------------------------------

POOL = NodePoolConfig.model_validate(
    {"name": "dallas-workers", "edgeHosts": [{"uid": "edge-8f3a2b1c"}, {"uid": "edge-8f3a2b1d"}]}
)


def build_pool(server: LiveServer, state: EmulatorState) -> PalettePoolsIntent:
    hub = build_hub(server, state)
    register_hosts(state, "edge-8f3a2b1c", "edge-8f3a2b1d")
    with make_client(server.url) as client:
        client.post(
            f"/v1/cloudconfigs/aws/{hub.cloud_config_uid}/edge-native/machinePools",
            payloads.pool_create_body(POOL, str(hub.profile_uid)),
        )
    return PalettePoolsIntent(
        site="dallas",
        endpoint=server.url,
        project_uid=PROJECT,
        cluster_uid=hub.cluster_uid,
        cloud_config_uid=hub.cloud_config_uid,
        pools=(("dallas-workers", ("edge-8f3a2b1c", "edge-8f3a2b1d")),),
    )


def pool_findings(server: LiveServer, intent: PalettePoolsIntent) -> list[Any]:
    reader = PaletteReader.connect(server.url, PROJECT, API_KEY)
    try:
        return check_palette_pools(intent, reader.pools_state(intent))
    finally:
        reader.close()


def test_a_pool_with_its_healthy_hosts_passes(server: LiveServer, state: EmulatorState) -> None:
    results = pool_findings(server, build_pool(server, state))
    assert [(f.check, f.status, f.detail) for f in results] == [
        ("pool dallas-workers hosts", Status.ok, "edge-8f3a2b1c, edge-8f3a2b1d"),
        ("pool dallas-workers state", Status.ok, "Running, Healthy"),
        ("pool dallas-workers host edge-8f3a2b1c", Status.ok, "healthy, in use"),
        ("pool dallas-workers host edge-8f3a2b1d", Status.ok, "healthy, in use"),
    ]


def test_an_unhealthy_host_and_a_host_not_in_the_pool_fail(server: LiveServer, state: EmulatorState) -> None:
    intent = build_pool(server, state)
    state.edge_hosts["edge-8f3a2b1d"]["status"]["health"] = {"state": "unhealthy", "message": "agent offline"}
    register_hosts(state, "edge-8f3a2b1e")
    wider = PalettePoolsIntent(
        **{
            **intent.__dict__,
            "pools": (("dallas-workers", ("edge-8f3a2b1c", "edge-8f3a2b1d", "edge-8f3a2b1e")),),
        }
    )
    results = pool_findings(server, wider)
    hosts = only(results, "hosts")
    assert hosts.detail == (
        "the pool holds edge-8f3a2b1c, edge-8f3a2b1d, the stack edge-8f3a2b1c, edge-8f3a2b1d, edge-8f3a2b1e"
    )
    assert only(results, "host edge-8f3a2b1d").detail == "health is unhealthy: agent offline"
    assert only(results, "host edge-8f3a2b1e").detail == "the host is ready, not in use by its pool"


def test_a_pool_that_does_not_exist_fails(server: LiveServer, state: EmulatorState) -> None:
    intent = build_pool(server, state)
    other = PalettePoolsIntent(**{**intent.__dict__, "pools": (("dallas-gpu", ("edge-8f3a2b1c",)),)})
    [finding] = pool_findings(server, other)
    assert (finding.status, finding.detail) == (
        Status.fail,
        "site dallas's pool dallas-gpu does not exist in Palette",
    )


def test_a_provisioning_pool_warns() -> None:
    intent = PalettePoolsIntent("dallas", "u", PROJECT, "c", "cc", (("dallas-workers", ()),))
    status = {"name": "dallas-workers", "status": {"state": "Provisioning", "health": {"state": "Unknown"}}}
    state = PoolsState(
        pools={"dallas-workers": {"cloudConfig": {"edgeHosts": []}}}, statuses=[status], hosts={}
    )
    finding = only(check_palette_pools(intent, state), "state")
    assert (finding.status, finding.detail) == (Status.warn, "Provisioning/Unknown: still provisioning")


def test_the_key_comes_from_the_stack_config_first_then_the_environment(tmp_path: Any) -> None:
    pulumi = tmp_path / "pulumi"
    pulumi.write_text(
        "#!/bin/sh\n"
        '[ "$1 $2 $3 $4 $5 $6" = "config get --path eks-hybrid:palette.apiKey --stack example-hub" ]'
        " && echo key-from-config\n"
    )
    pulumi.chmod(0o755)
    assert palette_api_key("example-hub", True, {"PALETTE_API_KEY": "env"}, str(pulumi)) == "key-from-config"
    assert palette_api_key("example-hub", False, {"PALETTE_API_KEY": "env"}, str(pulumi)) == "env"
    with pytest.raises(PaletteKeyError, match=r"no Palette API key .*PALETTE_API_KEY is not set"):
        palette_api_key("example-hub", False, {}, str(pulumi))


def test_a_pack_the_registry_does_not_have_fails() -> None:
    pack = {"name": "edge-nodeadm", "tag": "1.31.0", "layer": "k8s", "registryUid": REGISTRY}
    profile = {
        "metadata": {"name": "eks-hybrid-nodes"},
        "spec": {"version": "1.0.0", "published": {"packs": [pack]}},
        "status": {"isPublished": True},
    }
    intent = PaletteHubIntent("u", PROJECT, "c", "cc", "p", "10.100.0.0/16", (), ())
    state = HubState({"metadata": {}, "spec": {}}, None, None, profile, {("edge-nodeadm", REGISTRY): None})
    finding = check_palette_hub(intent, state)[-1]
    assert (finding.status, finding.detail) == (Status.fail, f"registry {REGISTRY} has no pack edge-nodeadm")
