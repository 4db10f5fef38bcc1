"""The emulator behaves like Palette: one API key, known projects, strict requests *and* responses against
the spec, Palette error bodies for every error, refusals where Palette refuses, faults from start-up."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from eks_hybrid.components.palette import PaletteApi, PaletteClient, RetryPolicy
from palette_emulator import EmulatorState, FaultRule, LiveServer, SyncASGITransport, create_app
from palette_emulator import app as app_module
from palette_emulator.__main__ import main as cli_main
from palette_emulator.faults import parse_fault, parse_rate_limit
from palette_emulator.ratelimit import PaletteRateLimits, PrefixLimit, limit_class
from palette_emulator.spec import OPERATIONS, operation, validate
from palette_emulator.timing import Timing, VirtualClock
from tests.palette.conftest import API_KEY, OTHER_PROJECT, PROJECT

HEADERS = {"ApiKey": API_KEY, "ProjectUid": PROJECT}
IMPORT = {"metadata": {"name": "c"}}
SSM_CONFIG = {
    "hybridConfig": {
        "awsVpcCidr": "10.100.0.0/16",
        "remoteNodeCidrs": ["10.200.0.0/16"],
        "remotePodCidrs": ["192.168.0.0/16"],
        "systemsManager": {"activationId": "a", "activationCode": "c"},
    }
}
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"


@pytest.fixture
def http(app: Starlette) -> httpx.Client:
    return httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test", headers=HEADERS)


def is_palette_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is `status` with a `v1Error` body (`{code, message, ref}`), never plain text."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert validate("v1Error", body) == [] and body["message"] and body["ref"].startswith("ref-")
    if code is not None:
        assert body["code"] == code
    return dict(body)


def hybrid_cluster(http: httpx.Client, state: EmulatorState) -> tuple[str, str]:
    """An imported cluster with hybrid mode on and an SSM hybrid config: (cluster uid, cloud config uid)."""
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    config = state.clusters[uid].config_uid
    assert http.patch(f"/v1/spectroclusters/{uid}/hybridSettings", json={"enable": True}).status_code == 204
    assert (
        http.put(f"/v1/cloudconfigs/aws/{config}/clusterConfig/hybridConfig", json=SSM_CONFIG).status_code
        == 204
    )
    return uid, config


def published_profile(http: httpx.Client, state: EmulatorState, version: str = "1.0.0") -> str:
    registry = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Public Repo")
    pack = {"name": "cni-custom", "tag": "0.1.0", "registryUid": registry, "layer": "cni"}
    pack["uid"] = str(state.catalog.pack_uid(registry, "cni-custom", "0.1.0"))
    body = {
        "metadata": {"name": "hybrid"},
        "spec": {
            "version": version,
            "template": {"type": "cluster", "cloudType": "edge-native", "packs": [pack]},
        },
    }
    response = http.post("/v1/clusterprofiles", json=body, params={"publish": "true"})
    assert response.status_code == 201, response.text
    return str(response.json()["uid"])


def pool_body(profile: str, hosts: list[str], name: str = "p1") -> dict[str, Any]:
    return {
        "poolConfig": {"name": name, "labels": ["worker"], "size": len(hosts)},
        "cloudConfig": {
            "clusterConfig": {"ntpServers": ["pool.ntp.org"]},
            "machineCloudConfig": {"archType": "amd64", "edgeHosts": [{"hostUid": h} for h in hosts]},
            "profiles": [{"uid": profile}],
        },
    }


# --- the API key and the project ----------------------------------------------------------------------------


def test_only_the_configured_key_passes(app: Starlette) -> None:
    http = httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test")
    is_palette_error(http.get("/v1/edgehosts/x", headers={"ProjectUid": PROJECT}), 401, "Unauthorized")
    is_palette_error(http.get("/v1/edgehosts/x", headers={"ApiKey": "other", "ProjectUid": PROJECT}), 401)
    is_palette_error(http.get("/v1/edgehosts/x", headers=HEADERS), 404, "ResourceNotFound")


def test_a_bad_key_can_be_answered_as_palette_sometimes_does(app: Starlette, state: EmulatorState) -> None:
    state.bad_key_status = 404  # palette-sdk-go#209: a ResourceNotFound that quotes the key
    http = httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test")
    body = is_palette_error(http.get("/v1/dashboard/projects/metadata", headers={"ApiKey": "k-123"}), 404)
    assert "k-123" in body["message"]


def test_a_known_project_is_required(http: httpx.Client) -> None:
    is_palette_error(http.get("/v1/edgehosts/x", headers={"ProjectUid": OTHER_PROJECT}), 403, "Forbidden")
    no_project = httpx.Client(
        transport=http._transport, base_url="http://palette.test", headers={"ApiKey": API_KEY}
    )
    body = is_palette_error(no_project.get("/v1/edgehosts/x"), 403)
    assert "ProjectUid" in body["message"]
    # Tenant-scoped operations need no project: the key check lists the projects the key sees.
    projects = no_project.get("/v1/dashboard/projects/metadata").json()
    assert projects == {"items": [{"metadata": {"name": "Default", "uid": PROJECT}}]}


def test_objects_are_scoped_to_their_project(http: httpx.Client) -> None:
    other = "0123456789abcdef01234567"
    app = create_app(api_key=API_KEY, projects={PROJECT: "Default", other: "Lab"})
    client = httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test", headers=HEADERS)
    uid = client.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    is_palette_error(
        client.get(f"/v1/spectroclusters/{uid}", headers={"ProjectUid": other}), 404, "ResourceNotFound"
    )
    assert app.state.emulator.contract_violations == []


# --- requests the spec or Palette refuses -------------------------------------------------------------------


def test_an_invented_field_is_a_400(http: httpx.Client) -> None:
    body = is_palette_error(
        http.post("/v1/spectroclusters/aws/import", json={"metadata": {"name": "a", "x": 1}}), 400
    )
    assert body["code"] == "InvalidRequest" and "'x' was unexpected" in body["message"]


@pytest.mark.parametrize("body", [None, {}, {"metadata": {}}, {"metadata": {"name": ""}}])
def test_an_import_without_a_name_is_refused(http: httpx.Client, body: Any) -> None:
    response = http.post("/v1/spectroclusters/aws/import", content=b"" if body is None else None, json=body)
    is_palette_error(response, 400, "InvalidRequest")


def test_an_empty_patch_body_is_a_palette_400_not_a_plain_500(http: httpx.Client) -> None:
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    body = is_palette_error(http.patch(f"/v1/spectroclusters/{uid}/hybridSettings"), 400)
    assert "v1ClusterHybridSettingsEntity" in body["message"]
    is_palette_error(http.patch(f"/v1/spectroclusters/{uid}/hybridSettings", json={}), 400)
    is_palette_error(http.patch(f"/v1/spectroclusters/{uid}/hybridSettings", content=b"{not json"), 400)


def test_hybrid_mode_off_while_pools_exist_is_accepted_but_flagged(
    http: httpx.Client, state: EmulatorState
) -> None:
    # No source says Palette refuses it: the emulator is no stricter, and our tests fail on the flag.
    uid, config = hybrid_cluster(http, state)
    state.register_edge_host("edge-1", project=PROJECT)
    assert (
        http.post(
            f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools",
            json=pool_body(published_profile(http, state), ["edge-1"]),
        ).status_code
        == 201
    )
    assert state.flagged == []
    assert http.patch(f"/v1/spectroclusters/{uid}/hybridSettings", json={"enable": False}).status_code == 204
    assert not state.clusters[uid].hybrid_enabled and len(state.pools) == 1
    assert len(state.flagged) == 1 and "while hybrid pools exist: p1" in state.flagged[0]
    state.flagged.clear()  # provoked on purpose


def test_a_hybrid_config_before_hybrid_mode_is_accepted_but_flagged(
    http: httpx.Client, state: EmulatorState
) -> None:
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    config = state.clusters[uid].config_uid
    assert (
        http.put(f"/v1/cloudconfigs/aws/{config}/clusterConfig/hybridConfig", json=SSM_CONFIG).status_code
        == 204
    )
    assert len(state.flagged) == 1 and "with hybrid mode off" in state.flagged[0]
    state.flagged.clear()  # provoked on purpose


def test_a_second_import_of_a_name_is_accepted_but_flagged(http: httpx.Client, state: EmulatorState) -> None:
    first = http.post("/v1/spectroclusters/aws/import", json=IMPORT)
    second = http.post("/v1/spectroclusters/aws/import", json=IMPORT)
    assert first.status_code == second.status_code == 201
    assert first.json()["uid"] != second.json()["uid"]
    assert len(state.flagged) == 1 and "a second cluster named 'c'" in state.flagged[0]
    state.flagged.clear()  # provoked on purpose


def test_a_profile_name_and_version_are_unique(http: httpx.Client, state: EmulatorState) -> None:
    uid = published_profile(http, state)
    registry = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Public Repo")
    again = {
        "metadata": {"name": "hybrid"},
        "spec": {
            "version": "1.0.0",
            "template": {
                "cloudType": "edge-native",
                "packs": [{"name": "cni-custom", "tag": "0.1.0", "registryUid": registry}],
            },
        },
    }
    is_palette_error(http.post("/v1/clusterprofiles", json=again), 409, "DuplicateResource")
    is_palette_error(
        http.post(
            f"/v1/clusterprofiles/{uid}/clone", json={"metadata": {"name": "hybrid", "version": "1.0.0"}}
        ),
        409,
    )
    clone = http.post(
        f"/v1/clusterprofiles/{uid}/clone", json={"metadata": {"name": "hybrid", "version": "1.1.0"}}
    )
    assert clone.status_code == 201 and state.profiles[clone.json()["uid"]].published is None


def test_a_pack_must_exist_in_its_registry(http: httpx.Client, state: EmulatorState) -> None:
    registry = next(r["uid"] for r in state.catalog.registry_list() if r["name"] == "Public Repo")
    packs = [{"name": "edge-nodeadm", "tag": "1.27.0", "registryUid": registry}]
    body = {
        "metadata": {"name": "x"},
        "spec": {"version": "1.0.0", "template": {"cloudType": "edge-native", "packs": packs}},
    }
    assert (
        "version '1.27.0' not found"
        in is_palette_error(http.post("/v1/clusterprofiles", json=body), 400, "PackNotFound")["message"]
    )
    packs[0] = {"name": "edge-nodeadm", "tag": "1.31.0", "registryUid": "f" * 24}
    is_palette_error(http.post("/v1/clusterprofiles", json=body), 400, "PackRegistryNotFound")


def test_a_profile_in_use_names_its_pools_and_can_still_be_deleted(
    http: httpx.Client, state: EmulatorState
) -> None:
    # Spectro's docs: "Clusters that are using a deleted profile will continue to operate fine".
    _, config = hybrid_cluster(http, state)
    state.register_edge_host("edge-1", project=PROJECT)
    profile = published_profile(http, state)
    http.post(f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools", json=pool_body(profile, ["edge-1"]))
    status = http.get(f"/v1/clusterprofiles/{profile}").json()["status"]
    assert [c["name"] for c in status["inUseClusters"]] == ["p1"]
    assert status["inUseClusterUids"] == [c["uid"] for c in status["inUseClusters"]]
    assert http.delete(f"/v1/clusterprofiles/{profile}").status_code == 204
    assert profile not in state.profiles
    assert http.get(f"/v1/clusterprofiles/{profile}").status_code == 404


def test_iam_roles_anywhere_needs_the_root_ca_and_its_key(http: httpx.Client, state: EmulatorState) -> None:
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    config = state.clusters[uid].config_uid
    http.patch(f"/v1/spectroclusters/{uid}/hybridSettings", json={"enable": True})
    ira = {"profileArn": "p", "roleArn": "r", "trustAnchorArn": "t", "rootCaCertificate": CA}
    body = {
        "hybridConfig": {
            "awsVpcCidr": "10.100.0.0/16",
            "remoteNodeCidrs": ["10.200.0.0/16"],
            "remotePodCidrs": ["192.168.0.0/16"],
            "iamRolesAnywhere": ira,
        }
    }
    path = f"/v1/cloudconfigs/aws/{config}/clusterConfig/hybridConfig"
    assert (
        "rootCaPrivateKey"
        in is_palette_error(http.put(path, json=body), 400, "InvalidHybridConfig")["message"]
    )
    ira["rootCaPrivateKey"] = KEY
    assert http.put(path, json=body).status_code == 204
    echoed = http.get(f"/v1/cloudconfigs/aws/{config}").json()["spec"]["clusterConfig"]["hybridConfig"]
    assert (
        echoed["iamRolesAnywhere"]["rootCaCertificate"] == CA
        and "rootCaPrivateKey" not in echoed["iamRolesAnywhere"]
    )


def test_pools_need_hybrid_mode_and_a_size_other_than_the_hosts_is_flagged(
    http: httpx.Client, state: EmulatorState
) -> None:
    uid = http.post("/v1/spectroclusters/aws/import", json={"metadata": {"name": "plain"}}).json()["uid"]
    plain = state.clusters[uid].config_uid
    state.register_edge_host("edge-1", project=PROJECT)
    profile = published_profile(http, state)
    body = pool_body(profile, ["edge-1"])
    path = "/v1/cloudconfigs/aws/{}/edge-native/machinePools"
    is_palette_error(http.post(path.format(plain), json=body), 400, "HybridNotConfigured")
    _, config = hybrid_cluster(http, state)
    body["poolConfig"]["size"] = 2
    # Terraform always sends len(edgeHosts); no source says Palette refuses another size.
    assert http.post(path.format(config), json=body).status_code == 201
    assert len(state.flagged) == 1 and "size is 2 but 1 edge hosts" in state.flagged[0]
    state.flagged.clear()  # provoked on purpose


# --- responses are exactly the spec's ----------------------------------------------------------------------


def test_the_pool_get_answers_the_specs_shape_only(
    http: httpx.Client, state: EmulatorState, clock: VirtualClock
) -> None:
    _, config = hybrid_cluster(http, state)
    state.register_edge_host("edge-1", project=PROJECT)
    http.post(
        f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools",
        json=pool_body(published_profile(http, state), ["edge-1"]),
    )
    clock.advance(state.timing.pool_link)
    pool = http.get(f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools/p1").json()
    # v1HybridEdgeNativeMachinePoolConfig has poolConfig and cloudConfig only: no clusterConfig (NTP servers).
    assert (
        set(pool) == {"poolConfig", "cloudConfig"}
        and validate("v1HybridEdgeNativeMachinePoolConfig", pool) == []
    )
    child = pool["cloudConfig"]["hybridCluster"]["cloudConfigUid"]
    edge = http.get(f"/v1/cloudconfigs/edge-native/{child}").json()
    assert edge["spec"]["clusterConfig"] == {"ntpServers": ["pool.ntp.org"]}


def test_an_answer_outside_the_spec_is_a_recorded_500(
    app: Starlette, http: httpx.Client, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        state, "edge_host", lambda uid, project: {"metadata": {"uid": uid}, "clusterConfig": {}}
    )
    body = is_palette_error(http.get("/v1/edgehosts/x"), 500, "EmulatorContractViolation")
    assert "clusterConfig" in body["message"]
    assert state.contract_violations and "v1EdgeHostDevice" in state.contract_violations[0]
    state.contract_violations.clear()  # this test provoked it on purpose


def test_an_emulator_bug_is_still_a_palette_error_body(
    http: httpx.Client, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(uid: str, project: str) -> dict[str, Any]:
        raise KeyError("boom")

    monkeypatch.setattr(state, "edge_host", broken)
    is_palette_error(http.get("/v1/edgehosts/x"), 500, "InternalError")
    state.contract_violations.clear()


def test_unknown_routes_and_methods_are_palette_errors(http: httpx.Client) -> None:
    is_palette_error(http.get("/v1/nope"), 404, "ResourceNotFound")
    is_palette_error(http.post("/v1/edgehosts/x"), 405, "MethodNotAllowed")


def test_every_operation_of_the_subset_is_served_with_the_specs_definitions() -> None:
    assert set(app_module.HANDLERS) == set(OPERATIONS)
    for method, path in OPERATIONS:
        op = operation(method, path)
        assert op.operation_id and 200 <= op.status < 300


# --- state machines and searches ----------------------------------------------------------------------------


def test_an_import_takes_palettes_time(http: httpx.Client, state: EmulatorState, clock: VirtualClock) -> None:
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    states = []
    for step in (0.0, state.timing.import_ready - 1, 1.0, 60.0):
        clock.advance(step)
        states.append(http.get(f"/v1/spectroclusters/{uid}").json()["status"]["state"])
    assert states == ["Pending", "Pending", "Running", "Running"]
    overview = http.get(f"/v1/dashboard/spectroclusters/{uid}/overview").json()
    assert overview["status"]["health"]["state"] == "Healthy"
    manifest = http.get(f"/v1/spectroclusters/{uid}/import/manifest")
    assert "kind: Namespace" in manifest.text


def test_cluster_search_and_soft_deleted_clusters(
    http: httpx.Client, state: EmulatorState, clock: VirtualClock
) -> None:
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    assert http.delete(f"/v1/spectroclusters/{uid}").status_code == 204
    assert http.get(f"/v1/spectroclusters/{uid}").json()["status"]["state"] == "Deleting"
    clock.advance(state.timing.cluster_delete)
    is_palette_error(http.get(f"/v1/spectroclusters/{uid}"), 404)

    def search(*filters: dict[str, Any]) -> list[str]:
        body = {
            "filter": {
                "conjunction": "and",
                "filterGroups": [{"conjunction": "and", "filters": list(filters)}],
            }
        }
        return [
            i["metadata"]["uid"]
            for i in http.post("/v1/dashboard/spectroclusters/search", json=body).json()["items"]
        ]

    name = {
        "property": "clusterName",
        "type": "string",
        "condition": {"string": {"operator": "eq", "match": {"values": ["c"]}}},
    }
    live = {"property": "isDeleted", "type": "bool", "condition": {"bool": {"value": False}}}
    assert search(name) == [uid] and search(name, live) == []
    bad = {
        "property": "colour",
        "type": "string",
        "condition": {"string": {"operator": "eq", "match": {"values": ["x"]}}},
    }
    is_palette_error(
        http.post(
            "/v1/dashboard/spectroclusters/search", json={"filter": {"filterGroups": [{"filters": [bad]}]}}
        ),
        400,
    )


def test_registries_and_packs_in_the_specs_shapes(http: httpx.Client) -> None:
    registries = http.get("/v1/registries/metadata").json()["items"]
    public = next(r for r in registries if r["name"] == "Public Repo")
    pack = http.get(f"/v1/packs/edge-nodeadm/registries/{public['uid']}").json()
    # Only the versions public sources list (Spectro's docs 1.28.0-1.31.0, CanvOS 1.29.0-1.32.0).
    assert [t["version"] for t in pack["tags"]] == [f"1.{minor}.0" for minor in range(28, 33)]
    assert public["kind"] == "pack"
    assert {v["packUid"] for v in pack["packValues"]} == {t["packUid"] for t in pack["tags"]}
    is_palette_error(http.get(f"/v1/packs/nope/registries/{public['uid']}"), 404, "ResourceNotFound")


def test_hooks_register_hosts_and_show_state(http: httpx.Client, state: EmulatorState) -> None:
    hosts = [{"uid": "edge-1", "archType": "arm64"}, {"uid": "edge-2", "state": "unpaired"}]
    assert http.post("/__emulator/edgehosts", json=hosts).status_code == 201
    assert http.get("/v1/edgehosts/edge-1").json()["spec"]["device"]["archType"] == "arm64"
    snapshot = http.get("/__emulator/state").json()
    assert set(snapshot["edgeHosts"]) == {"edge-1", "edge-2"}
    faults = http.post("/__emulator/faults", json={"rules": [{"kind": "status", "status": 504}]}).json()
    assert faults["rules"][0]["status"] == 504
    is_palette_error(http.get("/v1/edgehosts/edge-1"), 504, "GatewayTimeout")
    assert http.delete("/__emulator/faults").json()["rules"] == []
    uid = http.post("/v1/spectroclusters/aws/import", json=IMPORT).json()["uid"]
    assert (
        http.post(f"/__emulator/clusters/{uid}/state", json={"state": "Error", "message": "m"}).status_code
        == 204
    )
    assert http.get(f"/v1/spectroclusters/{uid}").json()["status"]["conditions"][0]["message"] == "m"


def test_search_filters_and_pages(http: httpx.Client, state: EmulatorState) -> None:
    for i in range(3):
        state.register_edge_host(f"edge-{i}", project=PROJECT, labels={"site": "dallas" if i else "x"})
    condition = {"string": {"operator": "eq", "match": {"values": ["site:dallas"]}}}
    body = {
        "filter": {
            "conjunction": "and",
            "filterGroups": [
                {
                    "conjunction": "and",
                    "filters": [{"property": "tags", "type": "string", "condition": condition}],
                }
            ],
        }
    }
    page = http.post("/v1/dashboard/edgehosts/search?limit=1", json=body).json()
    assert len(page["items"]) == 1 and page["listmeta"]["count"] == 2 and page["listmeta"]["continue"]
    rest = http.post(
        f"/v1/dashboard/edgehosts/search?limit=1&continue={page['listmeta']['continue']}", json=body
    ).json()
    assert rest["items"][0]["metadata"]["uid"] == "edge-2" and rest["listmeta"]["continue"] == ""


# --- the server and its command line ------------------------------------------------------------------------


def test_live_server_serves_and_stops(app: Starlette) -> None:
    with LiveServer(app) as server:
        is_palette_error(httpx.get(f"{server.url}/v1/edgehosts/x"), 401)


def run_cli(monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[Starlette, dict[str, Any]]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw, app=app))
    cli_main(list(argv))
    return seen["app"], seen


def test_cli_takes_the_key_projects_and_start_up_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    lab = "0123456789abcdef01234567"
    app, seen = run_cli(
        monkeypatch,
        "--port", "9999",
        "--api-key", "only-this-key",
        "--project", f"Lab={lab}",
        "--fault", "kind=status,path=/v1/edgehosts,status=503,times=1",
        "--rate-limit", "/v1/dashboard=1:0",
    )  # fmt: skip
    assert seen["port"] == 9999 and seen["host"] == "127.0.0.1"
    http = httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test")
    key = {"ApiKey": "only-this-key", "ProjectUid": lab}
    is_palette_error(
        http.get("/v1/edgehosts/x", headers=key), 503, "ServiceUnavailable"
    )  # the start-up fault
    is_palette_error(http.get("/v1/edgehosts/x", headers=key), 404)  # it fired once
    is_palette_error(http.get("/v1/edgehosts/x", headers={**key, "ApiKey": API_KEY}), 401)
    assert http.get("/v1/dashboard/projects/metadata", headers={"ApiKey": "only-this-key"}).status_code == 200
    is_palette_error(http.get("/v1/dashboard/projects/metadata", headers={"ApiKey": "only-this-key"}), 429)


def test_the_command_line_answers_a_bad_key_with_404(monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = run_cli(monkeypatch, "--api-key", "only-this-key", "--bad-key-status", "404")
    assert app.state.emulator.bad_key_status == 404
    http = httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test")
    body = is_palette_error(http.get("/v1/dashboard/projects/metadata", headers={"ApiKey": "k-123"}), 404)
    assert "k-123" in body["message"]
    with pytest.raises(SystemExit):
        run_cli(monkeypatch, "--bad-key-status", "403")


def test_cli_without_a_key_makes_one_up_and_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PALETTE_API_KEY", raising=False)
    app, _ = run_cli(monkeypatch)
    printed = capsys.readouterr().err
    [key] = app.state.emulator.api_keys
    assert key in printed and len(key) == 32


@pytest.mark.parametrize(
    "argv",
    [
        ["--fault", "kind=explode"],
        ["--fault", "colour=red"],
        ["--rate-limit", "edgehosts=1"],
        ["--project", "Lab=xyz"],
    ],
)
def test_cli_refuses_malformed_options(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run_cli(monkeypatch, *argv)
    assert info.value.code == 2


def test_fault_and_rate_limit_specs() -> None:
    rule = parse_fault("kind=drop,path=/v1/cloudconfigs,method=post,afterHandling=true,times=2")
    assert (rule.kind, rule.path, rule.method, rule.after_handling, rule.times) == (
        "drop",
        "/v1/cloudconfigs",
        "POST",
        True,
        2,
    )
    assert parse_rate_limit("/v1/edgehosts=5:10") == ("/v1/edgehosts", 5.0, 10.0)


def test_a_late_answer_takes_effect_before_the_client_gives_up(
    app: Starlette, live: LiveServer, state: EmulatorState
) -> None:
    # The fault soak (tests/evidence) needs answers that arrive after the client gave up: the request is
    # handled at once, its answer held back; the client times out although Palette has done what it asked.
    faults = app.state.faults
    faults.add(FaultRule("delay", path="/v1/spectroclusters/aws/import", seconds=1.0, after_handling=True))
    with httpx.Client(base_url=live.url, headers=HEADERS, timeout=0.3) as late:
        with pytest.raises(httpx.ReadTimeout):
            late.post("/v1/spectroclusters/aws/import", json=IMPORT)
        assert [c.name for c in state.clusters.values()] == ["c"]
        assert late.get("/v1/dashboard/projects/metadata").status_code == 200  # the server carries on
    assert faults.fired == ["delay POST /v1/spectroclusters/aws/import"]
    assert parse_fault("kind=delay,seconds=5,afterHandling=true").after_handling


def test_a_drip_sends_the_answer_a_byte_at_a_time(app: Starlette, live: LiveServer) -> None:
    # Each read a client times on its own succeeds, the answer as a whole is slow (tests/evidence's deadline).
    assert parse_fault("kind=drip,path=/v1/dashboard,seconds=0.5").kind == "drip"
    with httpx.Client(base_url=live.url, headers=HEADERS, timeout=5.0) as client:
        hooked = client.post(
            "/__emulator/faults",
            json={"rules": [{"kind": "drip", "path": "/v1/dashboard", "seconds": 0.002}]},
        )
        assert hooked.status_code == 200
        whole = client.get("/v1/dashboard/projects/metadata").content  # the fault fired on this one
        app.state.faults.add(FaultRule("drip", path="/v1/dashboard", seconds=0.002))
        with client.stream("GET", "/v1/dashboard/projects/metadata") as dripped:
            chunks = list(dripped.iter_raw())
    # A byte at a time; a loaded machine may read two that arrived together as one chunk.
    assert b"".join(chunks) == whole and len(chunks) >= len(whole) // 2 > 1
    with pytest.raises(ValueError, match="drip"):
        parse_fault("kind=trickle")


# --- Palette's documented rate limits ------------------------------------------------------------------


def test_rate_limit_classes_follow_the_documented_table() -> None:
    assert limit_class("/v1/dashboard/projects/metadata") == ("/v1/dashboard", PrefixLimit(10, 5))
    assert limit_class("/v1/cloudconfigs/aws/c1/edge-native/machinePools/w")[0] == "/v1/cloudconfigs"
    assert limit_class("/v1/spectroclusters/u1") == ("/v1/spectroclusters", PrefixLimit(50, 5))
    assert limit_class("/v1/spectroclusters/u1/assets") == (
        "/v1/spectroclusters/:uid/assets",
        PrefixLimit(10, 5),
    )
    assert limit_class("/v1/clusterprofiles/u1/packs") == ("/v1/clusterprofiles", PrefixLimit(50, 5))
    assert limit_class("/v1/unlisted/x") == ("/v1/unlisted", PrefixLimit(10, 5))


def test_the_limiter_answers_429_past_the_burst_per_source_address() -> None:
    now = [0.0]
    limits = PaletteRateLimits(clock=lambda: now[0])
    path = "/v1/dashboard/projects/metadata"
    assert all(limits.take("10.0.0.1", path) for _ in range(50))  # 10 a second, burst queue of 5
    assert not limits.take("10.0.0.1", path)
    assert limits.take("10.0.0.2", path)  # another source address has its own bucket
    assert limits.take("10.0.0.1", "/v1/spectroclusters/u1")  # another endpoint prefix too
    now[0] = 0.1  # a tenth of a second refills one request
    assert limits.take("10.0.0.1", path) and not limits.take("10.0.0.1", path)


def test_rate_limited_answers_are_palette_errors_and_the_client_gets_through() -> None:
    # A clock that moves 20 ms per request, whatever the machine's load: at `/v1/dashboard` (10 a second,
    # 50 at once) the bucket gains 0.2 of a request per request, so a run of 80 outruns it.
    ticks = [0.0]

    def clock() -> float:
        ticks[0] += 0.02
        return ticks[0]

    limits = PaletteRateLimits(clock=clock)
    app = create_app(api_key=API_KEY, rate_limits=limits)
    http = httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test")
    answers = [http.get("/v1/dashboard/projects/metadata", headers={"ApiKey": API_KEY}) for _ in range(80)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused and "retry-after" not in refused[0].headers
    is_palette_error(refused[0], 429, "TooManyRequests")
    limits.reset()
    retry = RetryPolicy(initial=0.001, maximum=0.005, max_attempts=8)
    with LiveServer(app) as server, PaletteClient(server.url, API_KEY, PROJECT, retry=retry) as client:
        for _ in range(80):  # 81 requests with the key check: some answered 429, each retried through
            assert PaletteApi(client).search_edge_hosts({}) == []
    assert limits.refused > 0


def test_cli_turns_palette_rate_limits_on_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = run_cli(
        monkeypatch, "--api-key", "k", "--rate-limit-speed", "2", "--rate-limit-retry-after", "1"
    )
    limits = app.state.rate_limits
    assert isinstance(limits, PaletteRateLimits) and limits.speed == 2.0 and limits.retry_after == "1"
    app, _ = run_cli(monkeypatch, "--api-key", "k", "--no-palette-rate-limits")
    assert app.state.rate_limits is None


# --- Palette's timing ---------------------------------------------------------------------------------------


def test_cli_serves_palettes_timing_and_shortens_it_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = run_cli(monkeypatch, "--api-key", "k")
    assert app.state.emulator.timing == Timing()
    assert (Timing().pool_ready, Timing().repave) == (900.0, 3600.0)  # Spectro's docs: 15 minutes, an hour
    app, _ = run_cli(monkeypatch, "--api-key", "k", "--timing", "repave=120", "--time-scale", "60")
    timing = app.state.emulator.timing
    assert (timing.repave, timing.pool_ready) == (2.0, 15.0)


@pytest.mark.parametrize("argv", [["--time-scale", "0"], ["--timing", "nap=3"], ["--timing", "repave=-1"]])
def test_cli_refuses_malformed_timing(monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        run_cli(monkeypatch, "--api-key", "k", *argv)


def _pool(http: httpx.Client, state: EmulatorState, hosts: list[str]) -> tuple[str, str]:
    """A pool of `hosts` under a hybrid cluster: (hub cluster uid, the hub's cloud config uid)."""
    uid, config = hybrid_cluster(http, state)
    for host in hosts:
        state.register_edge_host(host, project=PROJECT)
    created = http.post(
        f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools",
        json=pool_body(published_profile(http, state), hosts),
    )
    assert created.status_code == 201, created.text
    return uid, config


def _listed(http: httpx.Client, uid: str) -> dict[str, Any]:
    meta = http.get(f"/v1/spectroclusters/{uid}/hybridPools/metadata").json()
    assert validate("v1SpectroClusterHybridPoolsMetadata", meta) == []
    return dict(meta["spec"]["hybridPools"][0])


def _machines(http: httpx.Client, entry: dict[str, Any]) -> list[dict[str, Any]]:
    path = f"/v1/cloudconfigs/edge-native/{entry['cloudConfigUid']}/machinePools/{entry['name']}/machines"
    return list(http.get(path).json()["items"])


def test_a_pool_is_linked_then_provisions_for_palettes_fifteen_minutes(
    http: httpx.Client, state: EmulatorState, clock: VirtualClock
) -> None:
    uid, config = _pool(http, state, ["edge-1"])
    entry = _listed(http, uid)
    assert entry["status"] == {"state": "Pending"} and "clusterUid" not in entry and entry["uid"]
    pool = http.get(f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools/p1").json()
    assert "hybridCluster" not in pool["cloudConfig"]  # not linked yet
    clock.advance(state.timing.pool_link)
    entry = _listed(http, uid)
    assert entry["clusterUid"] and entry["status"]["state"] == "Provisioning"
    assert [m["status"]["instanceState"] for m in _machines(http, entry)] == ["Provisioning"]
    clock.advance(state.timing.pool_ready - state.timing.pool_link)
    entry = _listed(http, uid)
    assert entry["status"]["state"] == "Running" and entry["status"]["health"]["state"] == "Healthy"
    assert [m["status"] for m in _machines(http, entry)] == [{"instanceState": "Running", "ready": True}]


def test_a_host_added_joins_later_while_the_pool_stays_running(
    http: httpx.Client, state: EmulatorState, clock: VirtualClock
) -> None:
    uid, config = _pool(http, state, ["edge-1"])
    clock.advance(state.timing.pool_ready)
    state.register_edge_host("edge-2", project=PROJECT)
    body = pool_body("", ["edge-1", "edge-2"])
    put = {
        "poolConfig": body["poolConfig"],
        "cloudConfig": {
            "archType": "amd64",
            "edgeHosts": body["cloudConfig"]["machineCloudConfig"]["edgeHosts"],
        },
    }
    assert http.put(f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools/p1", json=put).status_code == 204
    entry = _listed(http, uid)
    assert entry["status"]["state"] == "Running"
    assert sorted(m["status"]["ready"] for m in _machines(http, entry)) == [False, True]
    clock.advance(state.timing.host_join)
    assert [m["status"]["ready"] for m in _machines(http, entry)] == [True, True]


def test_a_profile_swap_downloads_then_repaves_machine_by_machine(
    http: httpx.Client, state: EmulatorState, clock: VirtualClock
) -> None:
    uid, _config = _pool(http, state, ["edge-1", "edge-2"])
    clock.advance(state.timing.pool_ready)
    entry = _listed(http, uid)
    child = entry["clusterUid"]
    old = state.clusters[child].profile_uids[0]
    new = published_profile(http, state, "1.1.0")
    swap = {
        "profiles": [{"uid": new, "replaceWithProfile": old}],
        "spcApplySettings": {"actionType": "DownloadAndInstall"},
    }
    assert http.patch(f"/v1/spectroclusters/{child}/profiles", json=swap).status_code == 204

    def look() -> tuple[bool, set[str], list[bool]]:
        status = http.get(f"/v1/spectroclusters/{child}").json()["status"]
        packs = {p["profileUid"] for p in status["packs"]}
        return (
            status["spcApply"]["canBeApplied"],
            packs,
            [m["status"]["ready"] for m in _machines(http, entry)],
        )

    assert look() == (False, {old}, [True, True])
    clock.advance(state.timing.profile_download)
    assert look() == (True, {old}, [False, True])  # the first machine repaves
    clock.advance(state.timing.repave / 2)
    assert look() == (True, {old}, [True, False])  # then the second
    clock.advance(state.timing.repave / 2)
    assert look() == (True, {new}, [True, True])  # done: the packs name the new profile


def test_a_deleted_pool_is_deleting_for_a_while_then_gone(
    http: httpx.Client, state: EmulatorState, clock: VirtualClock
) -> None:
    uid, config = _pool(http, state, ["edge-1"])
    clock.advance(state.timing.pool_ready)
    path = f"/v1/cloudconfigs/aws/{config}/edge-native/machinePools/p1"
    assert http.delete(path).status_code == 204
    assert _listed(http, uid)["status"]["state"] == "Deleting" and http.get(path).status_code == 200
    assert state.edge_hosts["edge-1"]["status"]["state"] == "in-use"
    clock.advance(state.timing.pool_delete)
    is_palette_error(http.get(path), 404)
    assert state.edge_hosts["edge-1"]["status"]["state"] == "ready"
