"""The Starlette app: Palette's routes for EKS hybrid, built from the spec's operations.

Every request passes, in order: the `ApiKey` check (only the configured key; 401 otherwise), the project
check (`ProjectUid` must name a known project; project-scoped operations need one; 403 otherwise), the
request body check against the operation's body definition (strict; 400), the handler, and finally the
response check: the body must match the operation's response definition in the spec, strictly. A
response that does not is the emulator's own bug: it is recorded in `state.contract_violations` and
answered as a 500 Palette error, so tests fail loudly. Every error is a Palette error body
(`v1Error`: `{code, message, ref}`), never plain text.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import FaultMiddleware, Faults
from .ratelimit import PaletteRateLimits, RateLimitMiddleware
from .spec import OPERATIONS, operation, validate
from .state import ApiError, EmulatorState, bad_request

__all__ = ["create_app", "error_body"]

MAX_LIMIT = 50


@dataclass(frozen=True)
class Call:
    """What a handler sees: the project, the validated body, path and query parameters."""

    project: str
    body: Any
    path: Mapping[str, str]
    query: Mapping[str, str]
    base_url: str


Handler = Callable[[EmulatorState, Call], Any]


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message, "ref": f"ref-{secrets.token_hex(6)}"}


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(
        error_body(error.code, error.message), status_code=error.status, headers=error.headers
    )


def _page(query: Mapping[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    """`limit`, `offset` and `continue` paging; `continue` is base64 JSON `{offset, count, token}`."""
    try:
        limit = max(1, min(int(query.get("limit") or MAX_LIMIT), MAX_LIMIT))
        offset = int(query.get("offset") or 0)
    except ValueError as exc:
        raise bad_request("limit and offset are integers") from exc
    token = query.get("continue")
    if token:
        try:
            offset = int(json.loads(base64.b64decode(token))["offset"])
        except (ValueError, KeyError, TypeError) as exc:
            raise bad_request("continue token is not valid", "InvalidContinueToken") from exc
    page = items[offset : offset + limit]
    following = offset + len(page)
    cont = ""
    if following < len(items):
        raw = json.dumps({"offset": following, "count": len(items), "token": ""}, separators=(",", ":"))
        cont = base64.b64encode(raw.encode()).decode()
    return {
        "items": page,
        "listmeta": {"continue": cont, "count": len(items), "limit": limit, "offset": offset},
    }


def _filters(body: Any) -> list[dict[str, Any]]:
    groups = ((body or {}).get("filter") or {}).get("filterGroups") or []
    return [f for g in groups for f in g.get("filters") or []]


# --- handlers, one per operation ----------------------------------------------------------------------


def _projects(s: EmulatorState, c: Call) -> Any:
    return {"items": s.project_list(c.query.get("name"))}


def _import(s: EmulatorState, c: Call) -> Any:
    return {"uid": s.import_cluster(c.project, c.body, c.base_url)}


def _get_cluster(s: EmulatorState, c: Call) -> Any:
    return s.cluster(c.path["uid"], c.project)


def _delete_cluster(s: EmulatorState, c: Call) -> Any:
    s.delete_cluster(c.path["uid"], c.project)


def _manifest(s: EmulatorState, c: Call) -> Any:
    return s.import_manifest(c.path["uid"], c.project)


def _hybrid_settings(s: EmulatorState, c: Call) -> Any:
    s.set_hybrid(c.path["uid"], c.project, c.body)


def _hybrid_pools(s: EmulatorState, c: Call) -> Any:
    return s.hybrid_pools(c.path["uid"], c.project)


def _cluster_profiles(s: EmulatorState, c: Call) -> Any:
    s.replace_cluster_profile(c.path["uid"], c.project, c.body)


def _search_clusters(s: EmulatorState, c: Call) -> Any:
    return _page(c.query, s.search_clusters(c.project, _filters(c.body)))


def _overview(s: EmulatorState, c: Call) -> Any:
    return s.cluster_overview(c.path["uid"], c.project)


def _aws_config(s: EmulatorState, c: Call) -> Any:
    return s.aws_cloud_config(c.path["configUid"], c.project)


def _hybrid_config(s: EmulatorState, c: Call) -> Any:
    s.put_hybrid_config(c.path["configUid"], c.project, c.body)


def _create_pool(s: EmulatorState, c: Call) -> Any:
    return {"uid": s.create_pool(c.path["configUid"], c.project, c.body)}


def _get_pool(s: EmulatorState, c: Call) -> Any:
    return s.pool(c.path["configUid"], c.path["machinePoolName"], c.project)


def _update_pool(s: EmulatorState, c: Call) -> Any:
    s.update_pool(c.path["configUid"], c.path["machinePoolName"], c.project, c.body)


def _delete_pool(s: EmulatorState, c: Call) -> Any:
    s.delete_pool(c.path["configUid"], c.path["machinePoolName"], c.project)


def _edge_config(s: EmulatorState, c: Call) -> Any:
    return s.edge_native_config(c.path["configUid"], c.project)


def _machines(s: EmulatorState, c: Call) -> Any:
    return s.machines(c.path["configUid"], c.path["machinePoolName"], c.project)


def _delete_machine(s: EmulatorState, c: Call) -> Any:
    s.delete_machine(c.path["configUid"], c.path["machinePoolName"], c.path["machineUid"], c.project)


def _create_profile(s: EmulatorState, c: Call) -> Any:
    publish = c.query.get("publish", "false").lower() == "true"
    return {"uid": s.create_profile(c.project, c.body, publish)}


def _get_profile(s: EmulatorState, c: Call) -> Any:
    return s.profile(c.path["uid"], c.project)


def _update_profile(s: EmulatorState, c: Call) -> Any:
    s.update_profile(c.path["uid"], c.project, c.body)


def _delete_profile(s: EmulatorState, c: Call) -> Any:
    s.delete_profile(c.path["uid"], c.project)


def _clone_profile(s: EmulatorState, c: Call) -> Any:
    return {"uid": s.clone_profile(c.path["uid"], c.project, c.body)}


def _profile_metadata(s: EmulatorState, c: Call) -> Any:
    s.patch_profile_metadata(c.path["uid"], c.project, c.body)


def _publish_profile(s: EmulatorState, c: Call) -> Any:
    s.publish_profile(c.path["uid"], c.project)


def _profile_list(s: EmulatorState, c: Call) -> Any:
    return {"items": s.profile_list(c.project)}


def _registries(s: EmulatorState, c: Call) -> Any:
    return {"items": s.catalog.registry_list()}


def _pack(s: EmulatorState, c: Call) -> Any:
    pack = s.catalog.pack(c.path["registryUid"], c.path["packName"], c.query.get("cloudType") or "all")
    if pack is None:
        # SPEC GET /v1/packs/{packName}/registries/{registryUid}; 404 for a pack not there is inferred [I].
        raise ApiError(
            404,
            "ResourceNotFound",
            f"pack '{c.path['packName']}' not found in registry '{c.path['registryUid']}'",
        )
    return pack


def _edge_host(s: EmulatorState, c: Call) -> Any:
    return s.edge_host(c.path["uid"], c.project)


def _search_hosts(s: EmulatorState, c: Call) -> Any:
    return _page(c.query, s.search_edge_hosts(c.project, _filters(c.body)))


TENANT, PROJECT = "tenant", "project"
HANDLERS: dict[tuple[str, str], tuple[str, Handler]] = {
    ("GET", "/v1/dashboard/projects/metadata"): (TENANT, _projects),
    ("POST", "/v1/spectroclusters/aws/import"): (PROJECT, _import),
    ("GET", "/v1/spectroclusters/{uid}"): (PROJECT, _get_cluster),
    ("DELETE", "/v1/spectroclusters/{uid}"): (PROJECT, _delete_cluster),
    ("GET", "/v1/spectroclusters/{uid}/import/manifest"): (PROJECT, _manifest),
    ("PATCH", "/v1/spectroclusters/{uid}/hybridSettings"): (PROJECT, _hybrid_settings),
    ("GET", "/v1/spectroclusters/{uid}/hybridPools/metadata"): (PROJECT, _hybrid_pools),
    ("PATCH", "/v1/spectroclusters/{uid}/profiles"): (PROJECT, _cluster_profiles),
    ("POST", "/v1/dashboard/spectroclusters/search"): (PROJECT, _search_clusters),
    ("GET", "/v1/dashboard/spectroclusters/{uid}/overview"): (PROJECT, _overview),
    ("GET", "/v1/cloudconfigs/aws/{configUid}"): (PROJECT, _aws_config),
    ("PUT", "/v1/cloudconfigs/aws/{configUid}/clusterConfig/hybridConfig"): (PROJECT, _hybrid_config),
    ("POST", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools"): (PROJECT, _create_pool),
    ("GET", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"): (
        PROJECT,
        _get_pool,
    ),
    ("PUT", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"): (
        PROJECT,
        _update_pool,
    ),
    ("DELETE", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"): (
        PROJECT,
        _delete_pool,
    ),
    ("GET", "/v1/cloudconfigs/edge-native/{configUid}"): (PROJECT, _edge_config),
    ("GET", "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines"): (
        PROJECT,
        _machines,
    ),
    (
        "DELETE",
        "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines/{machineUid}",
    ): (PROJECT, _delete_machine),
    ("POST", "/v1/clusterprofiles"): (PROJECT, _create_profile),
    ("GET", "/v1/clusterprofiles/{uid}"): (PROJECT, _get_profile),
    ("PUT", "/v1/clusterprofiles/{uid}"): (PROJECT, _update_profile),
    ("DELETE", "/v1/clusterprofiles/{uid}"): (PROJECT, _delete_profile),
    ("POST", "/v1/clusterprofiles/{uid}/clone"): (PROJECT, _clone_profile),
    ("PATCH", "/v1/clusterprofiles/{uid}/metadata"): (PROJECT, _profile_metadata),
    ("PATCH", "/v1/clusterprofiles/{uid}/publish"): (PROJECT, _publish_profile),
    ("GET", "/v1/dashboard/clusterprofiles/metadata"): (PROJECT, _profile_list),
    ("GET", "/v1/registries/metadata"): (TENANT, _registries),
    ("GET", "/v1/packs/{packName}/registries/{registryUid}"): (TENANT, _pack),
    ("GET", "/v1/edgehosts/{uid}"): (PROJECT, _edge_host),
    ("POST", "/v1/dashboard/edgehosts/search"): (PROJECT, _search_hosts),
}
assert set(HANDLERS) == set(OPERATIONS), "every spec operation of the subset has exactly one handler"


def _answer(state: EmulatorState, method: str, path: str, result: Any) -> Response:
    """The handler's result as the operation's success response, checked against the spec first."""
    op = operation(method, path)
    if op.response is None:
        problems = [] if result is None else [f"{method} {path} answers {op.status} with no body"]
    elif op.response == "string":
        problems = [] if isinstance(result, str) else [f"{method} {path} answers text"]
    else:
        problems = [f"{op.response}: {p}" for p in validate(op.response, result)]
    if problems:
        state.contract_violations.extend(f"{method} {path}: {p}" for p in problems)
        return error_response(
            ApiError(
                500,
                "EmulatorContractViolation",
                "the emulator's answer breaks the spec: " + "; ".join(problems),
            )
        )
    if op.response is None:
        return Response(status_code=op.status)
    if op.response == "string":
        return Response(result, status_code=op.status, media_type="application/octet-stream")
    headers = {"AuditUid": secrets.token_hex(12)} if op.status == 201 else None
    return JSONResponse(result, status_code=op.status, headers=headers)


async def _body(request: Request, definition: str) -> Any:
    raw = await request.body()
    if not raw.strip():
        # SPEC: the operation's body parameter is required; the 400 code is inferred [I].
        raise bad_request(f"a request body ({definition}) is required")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_request("request body is not JSON") from exc
    problems = validate(definition, body)
    if problems:
        # SPEC definitions, strictly (an unknown field is refused) [I: Palette's strictness is not public].
        raise bad_request(f"{definition}: " + "; ".join(problems))
    return body


def _endpoint(
    state: EmulatorState, method: str, path: str, scope: str, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    op = operation(method, path)

    async def endpoint(request: Request) -> Response:
        with state.lock:
            state.requests.append((request.method, request.url.path))
            state.operations.append((method, path))
        try:
            key = request.headers.get("apikey", "")
            if key not in state.api_keys:
                if state.bad_key_status == 404 and key:
                    raise ApiError(404, "ResourceNotFound", f"user with ApiKey '{key}' not found")
                # 401 for a missing or wrong key [I]; the 404 above is palette-sdk-go#209's.
                raise ApiError(401, "Unauthorized", "the ApiKey header is missing or not a valid API key")
            project = request.headers.get("projectuid", "")
            state.check_project(project, required=scope == PROJECT)
            body = await _body(request, op.request) if op.request else None
            call = Call(
                project=project,
                body=body,
                path=dict(request.path_params),
                query=dict(request.query_params),
                base_url=str(request.base_url).rstrip("/"),
            )
            state.tick()  # Palette's background work up to now, before the answer
            return _answer(state, method, path, handler(state, call))
        except ApiError as exc:
            return error_response(exc)
        except Exception as exc:  # an emulator bug: still a Palette error body, and recorded
            state.contract_violations.append(f"{method} {path}: unhandled {type(exc).__name__}: {exc}")
            return error_response(ApiError(500, "InternalError", f"{type(exc).__name__}: {exc}"))

    return endpoint


def create_app(
    state: EmulatorState | None = None,
    faults: Faults | None = None,
    *,
    api_key: str | None = None,
    rate_limits: PaletteRateLimits | None = None,
    **options: Any,
) -> Starlette:
    """A fresh emulator that accepts only `api_key`. `options` go to `EmulatorState` (`projects`,
    `timing`, `clock`, `region`, `catalog`). `rate_limits` enforces
    Palette's documented API rate limits (`ratelimit.py`); without it there are none (the command line
    turns them on unless `--no-palette-rate-limits`)."""
    if state is None:
        if not api_key:
            raise ValueError("the emulator needs the one API key it accepts (api_key=...)")
        state = EmulatorState(api_keys=frozenset({api_key}), **options)
    faults = faults or Faults()
    routes = [
        Route(path, _endpoint(state, method, path, scope, handler), methods=[method])
        for (method, path), (scope, handler) in HANDLERS.items()
    ]
    routes += _hooks(state, faults)

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(
            ApiError(404, "ResourceNotFound", f"no route {request.method} {request.url.path}")
        )

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(405, "MethodNotAllowed", f"{request.method} {request.url.path}"))

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(500, "InternalError", type(exc).__name__))

    app = Starlette(
        routes=routes, exception_handlers={404: not_found, 405: not_allowed, Exception: server_error}
    )
    app.state.emulator = state
    app.state.faults = faults
    app.state.rate_limits = rate_limits
    app.add_middleware(FaultMiddleware, faults=faults)
    if rate_limits is not None:
        app.add_middleware(RateLimitMiddleware, limits=rate_limits)  # added last: the outermost
    return app


def _hooks(state: EmulatorState, faults: Faults) -> list[Route]:
    """Test hooks under `/__emulator` (no auth): what a real tenant does on its own (hosts registering,
    clusters becoming healthy or failing) and fault injection."""

    async def edge_hosts(req: Request) -> Response:
        raw = await req.json()
        hosts = raw if isinstance(raw, list) else [raw]
        for h in hosts:
            state.register_edge_host(
                h["uid"],
                project=h.get("projectUid", req.headers.get("projectuid", "")),
                arch=h.get("archType", "amd64"),
                host_type=h.get("hostType", "appliance"),
                state=h.get("state", "ready"),
                health=h.get("health", "healthy"),
                name=h.get("name"),
                labels=h.get("labels"),
            )
        return JSONResponse({"registered": [h["uid"] for h in hosts]}, status_code=201)

    async def fault_rules(req: Request) -> Response:
        if req.method == "DELETE":
            faults.clear()
        elif req.method == "POST":
            faults.load(await req.json())
        return JSONResponse(faults.to_json())

    async def snapshot(_: Request) -> Response:
        state.tick()
        return JSONResponse(state.snapshot())

    async def cluster_running(req: Request) -> Response:
        state.mark_cluster_running(req.path_params["uid"], (await req.json()).get("health", "Healthy"))
        return Response(status_code=204)

    async def cluster_state(req: Request) -> Response:
        raw = await req.json()
        state.set_cluster_state(
            req.path_params["uid"], raw["state"], raw.get("message", ""), raw.get("reason", "")
        )
        return Response(status_code=204)

    return [
        Route("/__emulator/edgehosts", edge_hosts, methods=["POST"]),
        Route("/__emulator/faults", fault_rules, methods=["GET", "POST", "DELETE"]),
        Route("/__emulator/state", snapshot, methods=["GET"]),
        Route("/__emulator/clusters/{uid}/running", cluster_running, methods=["POST"]),
        Route("/__emulator/clusters/{uid}/state", cluster_state, methods=["POST"]),
    ]
