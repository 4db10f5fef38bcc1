"""Cilium's custom resources wait for their CRDs: the wait itself against a small fake Kubernetes API over
real HTTP (the official client, the kubeconfig's exec plugin for the token), and the hub's plan (every
CiliumPodIPPool, CiliumNodeConfig and CiliumBGP* object depends on the wait)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from eks_hybrid.components.cni.crd_wait import CrdsEstablishedProvider, CrdsNotEstablishedError
from eks_hybrid.components.cni.crds import bgp_crds, crd_name, crd_status, pool_crds, required_crds
from eks_hybrid.components.codes import Code
from eks_hybrid.planner import Planner
from palette_emulator import LiveServer
from tests.conftest import copy_examples

TOKEN = "k8s-aws-v1.fake-token-from-the-exec-plugin"
POOLS = "ciliumpodippools.cilium.io"
CONFIGS = "ciliumnodeconfigs.cilium.io"


def crd(name: str, *, established: bool, versions: tuple[str, ...] = ("v2alpha1", "v2")) -> dict[str, Any]:
    """A CustomResourceDefinition as the API server returns it (apiextensions.k8s.io/v1)."""
    conditions = [
        {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"},
        {
            "type": "Established",
            "status": "True" if established else "False",
            "reason": "InitialNamesAccepted" if established else "Installing",
            "message": "the initial names have been accepted" if established else "installing",
        },
    ]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": name, "resourceVersion": "1", "uid": f"uid-{name}"},
        "spec": {
            "group": "cilium.io",
            "names": {"kind": "X", "plural": name.split(".")[0]},
            "scope": "Cluster",
            "versions": [{"name": v, "served": True, "storage": v == versions[-1]} for v in versions],
        },
        "status": {"conditions": conditions},
    }


class FakeApi:
    """Serves each CRD through a script of states, one per read: `None` (404), or a CRD document; the last
    state stays. Records the Authorization header of every request."""

    def __init__(self, scripts: dict[str, list[dict[str, Any] | None]], status: int | None = None) -> None:
        self.scripts = scripts
        self.status = status
        self.reads: list[str] = []
        self.authorizations: set[str] = set()
        self.app = Starlette(
            routes=[Route("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}", self.read)]
        )

    async def read(self, request: Request) -> JSONResponse:
        name = request.path_params["name"]
        self.reads.append(name)
        self.authorizations.add(request.headers.get("authorization", ""))
        if not request.headers.get("authorization"):  # EKS answers an unauthenticated request so
            return JSONResponse(_status(401, "Unauthorized", name), status_code=401)
        if self.status is not None:
            return JSONResponse(_status(self.status, "Forbidden", name), status_code=self.status)
        script = self.scripts.get(name) or [None]
        state = script.pop(0) if len(script) > 1 else script[0]
        if state is None:
            return JSONResponse(_status(404, "NotFound", name), status_code=404)
        return JSONResponse(state)


def _status(code: int, reason: str, name: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": reason,
        "code": code,
        "message": f'customresourcedefinitions.apiextensions.k8s.io "{name}": {reason}',
    }


def kubeconfig(url: str) -> str:
    """A kubeconfig whose token comes from an exec plugin, as the hub's (`aws eks get-token`) does."""
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": {"token": TOKEN},
    }
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "c", "cluster": {"server": url}}],
            "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
            "current-context": "c",
            "users": [
                {
                    "name": "u",
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": sys.executable,
                            "args": ["-c", f"print({json.dumps(json.dumps(credential))})"],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[LiveServer] = []

    def start(api: FakeApi) -> str:
        server = LiveServer(api.app).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def provider(reports: list[str]) -> CrdsEstablishedProvider:
    p = CrdsEstablishedProvider()
    p.report = reports.append
    return p


def props(url: str, crds: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "kubeconfig": kubeconfig(url),
        "crds": crds,
        "operatorPlacement": "cloud",
        "timeoutSeconds": 20,
        "pollSeconds": 0.01,
        **extra,
    }


def test_waits_through_absent_then_not_established_then_established(serve):
    api = FakeApi(
        {
            POOLS: [None, None, crd(POOLS, established=False), crd(POOLS, established=True)],
            CONFIGS: [crd(CONFIGS, established=True)],
        }
    )
    reports: list[str] = []
    result = provider(reports).create(props(serve(api), {CONFIGS: "v2", POOLS: "v2alpha1"}))
    assert result.outs["established"] == [CONFIGS, POOLS]
    # It read until the last state, with the exec plugin's token, and said what it waited for.
    assert api.reads.count(POOLS) == 4
    assert api.authorizations == {f"Bearer {TOKEN}"}
    assert any("not registered yet" in r for r in reports)
    assert any("registered, not Established (Installing)" in r for r in reports)
    assert reports[-1] == f"Cilium's CRDs Established: {CONFIGS}, {POOLS}"
    # The kubeconfig is never printed.
    assert not any(TOKEN in r or "ExecCredential" in r for r in reports)


def test_a_timeout_names_the_crds_and_the_likely_cause(serve):
    api = FakeApi({POOLS: [crd(POOLS, established=True)], CONFIGS: [None]})
    with pytest.raises(CrdsNotEstablishedError) as caught:
        provider([]).create(
            props(serve(api), {CONFIGS: "v2", POOLS: "v2alpha1"}, timeoutSeconds=0.3, pollSeconds=0.05)
        )
    message = str(caught.value)
    assert f"{CONFIGS}: not registered yet" in message
    assert POOLS not in message
    assert "cloud node group" in message and "cilium-operator" in message
    assert f"[{Code.CRDS_NOT_ESTABLISHED}]" in message
    assert api.reads.count(CONFIGS) >= 3  # it polled, not gave up at once


def test_with_the_operator_on_hybrid_nodes_the_cause_is_no_hybrid_node(serve):
    api = FakeApi({})
    with pytest.raises(CrdsNotEstablishedError, match="no hybrid node has joined yet"):
        provider([]).create(
            props(serve(api), {POOLS: "v2alpha1"}, operatorPlacement="hybrid", timeoutSeconds=0.1)
        )


def test_a_version_the_crd_does_not_serve_is_not_ready(serve):
    api = FakeApi({CONFIGS: [crd(CONFIGS, established=True, versions=("v2alpha1",))]})
    with pytest.raises(CrdsNotEstablishedError, match=r"does not serve v2 \(served: v2alpha1\)"):
        provider([]).create(props(serve(api), {CONFIGS: "v2"}, timeoutSeconds=0.1))


def test_a_refused_identity_fails_at_once(serve):
    api = FakeApi({}, status=403)
    with pytest.raises(CrdsNotEstablishedError, match="refused \\(403"):
        provider([]).create(props(serve(api), {POOLS: "v2alpha1"}, timeoutSeconds=20))
    assert len(api.reads) == 1


def test_an_unreachable_endpoint_is_retried_and_named():
    with pytest.raises(CrdsNotEstablishedError, match="Last error reading them"):
        provider([]).create(props("http://127.0.0.1:9", {POOLS: "v2alpha1"}, timeoutSeconds=0.2))


def test_progress_is_reported_once_per_change(serve):
    api = FakeApi({POOLS: [None] * 6 + [crd(POOLS, established=True)]})
    reports: list[str] = []
    provider(reports).create(props(serve(api), {POOLS: "v2alpha1"}))
    assert len(reports) == 2 and "not registered yet" in reports[0]


def test_a_kubeconfig_whose_token_command_fails_says_so(serve):
    api = FakeApi({POOLS: [crd(POOLS, established=True)]})
    url = serve(api)
    config = json.loads(kubeconfig(url))
    config["users"][0]["user"]["exec"]["args"] = ["-c", "import sys; sys.exit(3)"]
    with pytest.raises(CrdsNotEstablishedError, match=r"refused \(401.*aws eks get-token"):
        provider([]).create(props(url, {POOLS: "v2alpha1"}, kubeconfig=json.dumps(config)))
    assert api.authorizations == {""}


def test_diff_waits_again_only_for_other_crds():
    p = CrdsEstablishedProvider()
    old = {"kubeconfig": "a", "crds": {POOLS: "v2alpha1"}, "operatorPlacement": "cloud"}
    assert not p.diff("id", old, {**old, "kubeconfig": "b"}).changes
    assert p.diff("id", old, {**old, "crds": {POOLS: "v2alpha1", CONFIGS: "v2"}}).changes
    assert p.check({}, {"crds": {}, "operatorPlacement": "moon"}).failures


def test_the_crds_of_the_objects():
    assert crd_name("CiliumBGPClusterConfig") == "ciliumbgpclusterconfigs.cilium.io"
    assert pool_crds() == {CONFIGS: "v2", POOLS: "v2alpha1"}
    assert bgp_crds("1.17.13-1") == {
        "ciliumbgpadvertisements.cilium.io": "v2alpha1",
        "ciliumbgpclusterconfigs.cilium.io": "v2alpha1",
        "ciliumbgppeerconfigs.cilium.io": "v2alpha1",
    }
    assert set(bgp_crds("1.18.5-0").values()) == {"v2"}
    assert required_crds([("v1", "ConfigMap")]) == {}
    with pytest.raises(ValueError, match="two versions"):
        required_crds([("cilium.io/v2", "CiliumNodeConfig"), ("cilium.io/v2alpha1", "CiliumNodeConfig")])
    assert crd_status(POOLS, "v2alpha1", crd(POOLS, established=True)).ready
    assert crd_status(POOLS, "v2alpha1", None).state == "absent"


@pytest.fixture(scope="module")
def hub_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    planner = Planner(copy_examples(Path(tmp_path_factory.mktemp("crds"))), offline_secrets=True)
    return {stack: planner.plan(stack).run for stack in ("example-hub",)}


# example-hub-ssm (cluster-pool + BGP) declares no Cilium object: its sites do (test_site_bgp.py).
@pytest.mark.parametrize(("stack", "hub"), [("example-hub", "edge-prod")])
def test_every_cilium_object_of_the_hub_waits_for_its_crd(hub_plans, stack, hub):
    run = hub_plans[stack]
    wait = run.named(f"{hub}-cilium-crds")
    cilium_objects = [r for r in run.resources if r.type.startswith("kubernetes:cilium.io/")]
    assert cilium_objects
    for resource in cilium_objects:
        assert wait.urn in resource.dependencies, resource.urn
        kind = resource.type.rsplit(":", 1)[-1]
        version = resource.type.split(":")[1].split("/")[1]
        assert wait.inputs["crds"][crd_name(kind)] == version
    # The wait follows the release and nothing else of Cilium (not the agent DaemonSet).
    assert run.named(f"{hub}-cilium-release").urn in wait.dependencies
    assert wait.inputs["operatorPlacement"] == "cloud"
    assert wait.inputs["kubeconfig"] != kubeconfig("x")
