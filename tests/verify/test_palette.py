"""Palette checks against the emulator over real HTTP, through our Palette client: the emulator accepts
only its one API key and known projects, serves the pack registries and packs the examples use, and
checks every answer against the API spec. Profiles are built the way the hub's provider builds them (each
layer's pack resolved in its registry, `resolve_packs`), so their packs carry registryUid and packUid."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from eks_hybrid.components.config.hub import PaletteProfileConfig
from eks_hybrid.components.config.site import NodePoolConfig
from eks_hybrid.components.palette import PaletteApi, payloads
from eks_hybrid.components.palette import _api as palette_api
from eks_hybrid.components.palette.providers import resolve_packs
from eks_hybrid.verify import palette as verify_palette
from eks_hybrid.verify.checks.palette import (
    HubState,
    PoolsState,
    check_palette_hub,
    check_palette_pools,
)
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import Intent, PaletteHubIntent, PalettePoolsIntent
from eks_hybrid.verify.palette import PaletteKeyError, PaletteReader, palette_api_key
from eks_hybrid.verify.runner import Sources, run_checks
from palette_emulator import EmulatorState, LiveServer
from palette_emulator.catalog import PUBLIC_REPO
from palette_emulator.faults import FaultRule
from palette_emulator.timing import Timing

from ..palette.conftest import (  # noqa: F401 - live and emulator_server are fixtures
    API_KEY,
    OTHER_PROJECT,
    PROJECT,
    emulator_server,
    live,
    make_client,
    register_hosts,
)
from .conftest import only

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


def public_repo(state: EmulatorState) -> str:
    [uid] = [uid for uid, registry in state.catalog.registries.items() if registry["name"] == PUBLIC_REPO]
    return uid


@pytest.fixture
def server(live: LiveServer) -> LiveServer:  # noqa: F811 - the emulator over HTTP, shared with tests/palette
    return live


def build_hub(
    server: LiveServer,
    state: EmulatorState,
    *,
    health: str = "Healthy",
    hybrid: bool = True,
    pods: list[str] = PODS,
) -> PaletteHubIntent:
    """The hub's Palette side as its providers leave it, through the same `PaletteApi` calls."""
    with make_client(server.url) as client:
        api = PaletteApi(client)
        uid = api.import_aws_cluster(payloads.cluster_import_body("edge-prod"))
        state.mark_cluster_running(uid, health)
        config_uid = str((api.get_cluster(uid) or {})["spec"]["cloudConfigRef"]["uid"])
        api.set_hybrid_settings(uid, payloads.hybrid_settings_body(True))
        identity = payloads.HybridIdentity(
            "ssm", activation_id="3b9a6e2e-0d1c-4f5a-9b8e", activation_code="x" * 20
        )
        api.put_hybrid_config(config_uid, payloads.hybrid_config_body("10.100.0.0/16", NODES, pods, identity))
        if not hybrid:  # turned off afterwards (Spectro's docs set the hybrid config after the toggle)
            api.set_hybrid_settings(uid, payloads.hybrid_settings_body(False))
        # As the hub's ProfileProvider does: resolve each layer's pack, create, publish.
        profile_uid = api.create_profile(payloads.cluster_profile_body(PROFILE, resolve_packs(api, PROFILE)))
        api.publish_profile(profile_uid)
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


def read(server: LiveServer, fetch: Callable[[PaletteReader], Any]) -> Any:
    """What `fetch` reads through verify's Palette reader, with the key the emulator accepts."""
    reader = PaletteReader.connect(server.url, PROJECT, API_KEY)
    try:
        return fetch(reader)
    finally:
        reader.close()


def hub_findings(server: LiveServer, intent: PaletteHubIntent) -> list[Any]:
    return check_palette_hub(intent, read(server, lambda reader: reader.hub_state(intent)))


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


def test_the_profile_packs_carry_their_registry_and_pack_uids(
    server: LiveServer, state: EmulatorState
) -> None:
    intent = build_hub(server, state)
    profile = read(server, lambda reader: reader.hub_state(intent).profile)
    assert profile is not None
    registry = public_repo(state)
    assert [(p["name"], p["registryUid"], p["packUid"]) for p in profile["spec"]["published"]["packs"]] == [
        (name, registry, state.catalog.pack_uid(registry, name, tag))
        for name, tag in (("edge-native-byoi", "2.1.0"), ("edge-nodeadm", "1.31.0"), ("cni-custom", "0.1.0"))
    ]


def test_a_pack_without_a_registry_fails() -> None:
    """Palette (and the emulator) refuse to create such a profile; one made elsewhere can still lack it."""
    pack = {"name": "edge-nodeadm", "tag": "1.31.0", "layer": "k8s"}
    profile = {
        "metadata": {"name": "eks-hybrid-nodes"},
        "spec": {"version": "1.0.0", "published": {"packs": [pack]}},
        "status": {"isPublished": True},
    }
    intent = PaletteHubIntent("u", PROJECT, "c", "cc", "p", "10.100.0.0/16", (), ())
    finding = check_palette_hub(intent, HubState({"metadata": {}, "spec": {}}, None, None, profile))[-1]
    assert finding.status is Status.fail
    assert finding.detail == "the pack names no registry (registryUid): Palette cannot resolve it"


def test_a_pack_version_the_registry_no_longer_has_fails(server: LiveServer, state: EmulatorState) -> None:
    """The profile was published; then the registry dropped the version (a tag deleted upstream)."""
    intent = build_hub(server, state)
    registry = public_repo(state)
    pack = state.catalog.packs[(registry, "edge-nodeadm")]
    pack["tags"] = [t for t in pack["tags"] if t["tag"] != "1.31.0"]
    found = only(hub_findings(server, intent), "pack edge-nodeadm")
    assert found.status is Status.fail
    assert found.detail == (
        f"registry {registry} has no version 1.31.0 of edge-nodeadm (has 1.28.0, 1.29.0, 1.30.0, 1.32.0)"
    )


def test_a_pack_uid_that_is_another_version_fails() -> None:
    pack = {"name": "edge-nodeadm", "tag": "1.31.0", "layer": "k8s", "registryUid": "r", "packUid": "old"}
    profile = {
        "metadata": {"name": "eks-hybrid-nodes"},
        "spec": {"version": "1.0.0", "published": {"packs": [pack]}},
        "status": {"isPublished": True},
    }
    entity = {"name": "edge-nodeadm", "tags": [{"tag": "1.31.0", "version": "1.31.0", "packUid": "new"}]}
    intent = PaletteHubIntent("u", PROJECT, "c", "cc", "p", "10.100.0.0/16", (), ())
    state = HubState({"metadata": {}, "spec": {}}, None, None, profile, {("edge-nodeadm", "r"): entity})
    finding = check_palette_hub(intent, state)[-1]
    assert finding.detail == "the profile pins pack uid old, but edge-nodeadm 1.31.0 is new in registry r"


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
                        "registryUid": "5e2031962f090e2d3d8a3c6d",
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
    state.timing = Timing.instant()  # the pool built and up, as verify finds it after a `pulumi up`
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
    return check_palette_pools(intent, read(server, lambda reader: reader.pools_state(intent)))


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
    registry = "5e2031962f090e2d3d8a3c6d"
    pack = {"name": "edge-nodeadm", "tag": "1.31.0", "layer": "k8s", "registryUid": registry}
    profile = {
        "metadata": {"name": "eks-hybrid-nodes"},
        "spec": {"version": "1.0.0", "published": {"packs": [pack]}},
        "status": {"isPublished": True},
    }
    intent = PaletteHubIntent("u", PROJECT, "c", "cc", "p", "10.100.0.0/16", (), ())
    state = HubState({"metadata": {}, "spec": {}}, None, None, profile, {("edge-nodeadm", registry): None})
    finding = check_palette_hub(intent, state)[-1]
    assert (finding.status, finding.detail) == (Status.fail, f"registry {registry} has no pack edge-nodeadm")


# --- refusals are "could not check", never "not found" ------------------------------------------------


def palette_findings(server: LiveServer, intent: PaletteHubIntent, key: str, project: str) -> list[Any]:
    def connect(endpoint: str, _project: str) -> PaletteReader:
        return PaletteReader.connect(endpoint, project, key, deadline_seconds=5.0)

    def unreachable(*_: Any) -> Any:
        raise AssertionError("only Palette is checked here")

    plan = Intent("example-hub", "hub", "us-west-2", palette_hub=intent)
    return run_checks(plan, Sources(aws=unreachable, palette=connect, kubernetes=unreachable, secrets=[key]))


def test_a_rejected_key_could_not_check_and_says_where_the_key_comes_from(
    server: LiveServer, state: EmulatorState
) -> None:
    intent = build_hub(server, state)
    wrong = "wrong-key-0123456789-abcdef"
    [finding] = palette_findings(server, intent, wrong, PROJECT)
    assert (finding.area, finding.status) == ("palette", Status.error)
    assert finding.detail.startswith("Palette rejected the API key (")
    assert "eks-hybrid:palette.apiKey" in finding.remedy and "PALETTE_API_KEY" in finding.remedy
    assert wrong not in finding.detail + finding.remedy


def test_a_project_the_key_cannot_see_could_not_check_naming_the_project_key(
    server: LiveServer, state: EmulatorState
) -> None:
    intent = build_hub(server, state)
    [finding] = palette_findings(server, intent, API_KEY, OTHER_PROJECT)
    assert finding.status is Status.error
    assert finding.detail.startswith(f"Palette project {OTHER_PROJECT} does not exist or this API key cannot")
    assert finding.remedy.startswith("check eks-hybrid:palette.projectUid")


def test_a_forbidden_read_could_not_check_and_is_not_a_missing_cluster(
    server: LiveServer, state: EmulatorState, app: Any
) -> None:
    intent = build_hub(server, state)
    app.state.faults.add(FaultRule(kind="status", path="/v1/spectroclusters/", method="GET", status=403))
    [finding] = palette_findings(server, intent, API_KEY, PROJECT)
    assert finding.status is Status.error
    assert finding.detail.startswith("Palette refused a read (403 ")
    assert "read access to clusters" in finding.remedy


def test_verify_calls_palette_only_through_palette_api() -> None:
    """Every request verify makes is a `PaletteApi` method (whose paths tests/test_reference_data.py checks
    against the vendored spec subset), and a GET: no raw client call, no path of its own."""
    tree = ast.parse(Path(verify_palette.__file__).read_text())

    def used_on(owner: str) -> set[str]:
        """Attributes read on `<anything>.<owner>` (e.g. `self.api.get_cluster`)."""
        return {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == owner
        }

    methods = used_on("api") - {"client"}
    assert methods == {
        "get_cluster",
        "cluster_overview",
        "get_profile",
        "pack_versions",
        "get_aws_cloud_config",
        "get_pool",
        "hybrid_pools",
        "get_edge_host",
    }
    assert used_on("client") == {"close"}
    constants = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
    assert [c for c in constants if str(c).startswith("/v1")] == []
    # Each of those PaletteApi methods only GETs.
    api = ast.parse(Path(palette_api.__file__).read_text())
    for function in ast.walk(api):
        if isinstance(function, ast.FunctionDef) and function.name in methods:
            verbs = {
                call.args[0].value
                for call in ast.walk(function)
                if isinstance(call, ast.Call)
                and getattr(call.func, "attr", "") == "_call"
                and isinstance(call.args[0], ast.Constant)
            }
            assert verbs <= {"GET"}, (function.name, verbs)
