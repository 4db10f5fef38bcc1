"""The emulator behaves like Palette: auth, project scope, strict validation, state machines, hooks."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from palette_emulator import EmulatorState, LiveServer, SyncASGITransport
from palette_emulator.__main__ import main as cli_main
from tests.palette.conftest import API_KEY, OTHER_PROJECT, PROJECT

HEADERS = {"ApiKey": API_KEY, "ProjectUid": PROJECT}


@pytest.fixture
def http(app: Starlette) -> httpx.Client:
    return httpx.Client(transport=SyncASGITransport(app), base_url="http://palette.test")


def test_missing_key_is_401(http: httpx.Client) -> None:
    response = http.get("/v1/spectroclusters/x")
    assert response.status_code == 401 and set(response.json()) >= {"code", "message", "ref"}


def test_invalid_body_is_400_with_palette_error(http: httpx.Client) -> None:
    response = http.post(
        "/v1/spectroclusters/aws/import", json={"metadata": {"name": "a", "x": 1}}, headers=HEADERS
    )
    assert response.status_code == 400 and response.json()["code"] == "InvalidRequest"


def test_project_scoping(http: httpx.Client) -> None:
    uid = http.post(
        "/v1/spectroclusters/aws/import", json={"metadata": {"name": "c"}}, headers=HEADERS
    ).json()["uid"]
    other = http.get(f"/v1/spectroclusters/{uid}", headers={**HEADERS, "ProjectUid": OTHER_PROJECT})
    assert other.status_code == 404 and other.json()["code"] == "ResourceNotFound"


def test_import_state_machine(http: httpx.Client) -> None:
    uid = http.post(
        "/v1/spectroclusters/aws/import", json={"metadata": {"name": "c"}}, headers=HEADERS
    ).json()["uid"]
    states = [
        http.get(f"/v1/spectroclusters/{uid}", headers=HEADERS).json()["status"]["state"] for _ in range(3)
    ]
    assert states == ["Pending", "Running", "Running"]
    overview = http.get(f"/v1/dashboard/spectroclusters/{uid}/overview", headers=HEADERS).json()
    assert overview["status"]["health"]["state"] == "Healthy"
    manifest = http.get(f"/v1/spectroclusters/{uid}/import/manifest", headers=HEADERS)
    assert "kind: Namespace" in manifest.text


def test_hooks_register_hosts_and_show_state(http: httpx.Client, state: EmulatorState) -> None:
    hosts = [{"uid": "edge-1", "archType": "arm64"}, {"uid": "edge-2", "state": "unpaired"}]
    assert http.post("/__emulator/edgehosts", json=hosts, headers={"ProjectUid": PROJECT}).status_code == 201
    assert http.get("/v1/edgehosts/edge-1", headers=HEADERS).json()["spec"]["device"]["archType"] == "arm64"
    snapshot = http.get("/__emulator/state").json()
    assert set(snapshot["edgeHosts"]) == {"edge-1", "edge-2"}
    faults = http.post("/__emulator/faults", json={"rules": [{"kind": "status", "status": 504}]}).json()
    assert faults["rules"][0]["status"] == 504
    assert http.get("/v1/edgehosts/edge-1", headers=HEADERS).status_code == 504
    assert http.delete("/__emulator/faults").json()["rules"] == []


def test_search_filters_and_pages(http: httpx.Client, state: EmulatorState) -> None:
    for i in range(3):
        state.register_edge_host(f"edge-{i}", project=PROJECT, labels={"site": "dallas" if i else "x"})
    body = {
        "filter": {
            "conjunction": "and",
            "filterGroups": [
                {
                    "conjunction": "and",
                    "filters": [
                        {
                            "property": "tags",
                            "type": "string",
                            "condition": {"string": {"operator": "eq", "match": {"values": ["site:dallas"]}}},
                        }
                    ],
                }
            ],
        }
    }
    page = http.post("/v1/dashboard/edgehosts/search?limit=1", json=body, headers=HEADERS).json()
    assert len(page["items"]) == 1 and page["listmeta"]["count"] == 2 and page["listmeta"]["continue"]
    rest = http.post(
        f"/v1/dashboard/edgehosts/search?limit=1&continue={page['listmeta']['continue']}",
        json=body,
        headers=HEADERS,
    ).json()
    assert rest["items"][0]["metadata"]["uid"] == "edge-2" and rest["listmeta"]["continue"] == ""


def test_live_server_serves_and_stops(app: Starlette) -> None:
    with LiveServer(app) as server:
        assert httpx.get(f"{server.url}/v1/edgehosts/x").status_code == 401


def test_cli_parses_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: seen.update(kw, app=app))
    cli_main(["--port", "9999", "--host", "127.0.0.1"])
    assert seen["port"] == 9999 and seen["host"] == "127.0.0.1"
