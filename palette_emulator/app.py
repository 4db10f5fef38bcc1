"""The Starlette app: Palette's routes for EKS hybrid, strict body validation, auth, scoping, test hooks."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .faults import FaultMiddleware, FaultRule, Faults
from .spec import validate
from .state import ApiError, EmulatorState

__all__ = ["create_app"]

Handler = Callable[[Request, str, Any], Awaitable[Response]]
MAX_LIMIT = 50


def error_response(error: ApiError) -> JSONResponse:
    body = {
        "code": error.code,
        "message": error.message,
        "details": None,
        "ref": f"ref-{secrets.token_hex(6)}",
    }
    return JSONResponse(body, status_code=error.status, headers=error.headers)


def _route(
    state: EmulatorState, definition: str | None, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """Auth (`ApiKey` -> 401), project scope (`ProjectUid`), body validation (-> 400), errors as bodies."""

    async def endpoint(request: Request) -> Response:
        state.requests.append((request.method, request.url.path))
        key = request.headers.get("apikey", "")
        if not key or (state.api_keys is not None and key not in state.api_keys):
            return error_response(ApiError(401, "Unauthorized", "missing or invalid ApiKey header"))
        project = request.headers.get("projectuid", "")
        body: Any = None
        if definition is not None:
            try:
                body = json.loads(await request.body() or b"null")
            except ValueError:
                return error_response(ApiError(400, "InvalidRequest", "request body is not JSON"))
            problems = validate(definition, body)
            if problems:
                return error_response(
                    ApiError(400, "InvalidRequest", f"{definition}: " + "; ".join(problems))
                )
        try:
            return await handler(request, project, body)
        except ApiError as exc:
            return error_response(exc)

    return endpoint


def _uid(value: str) -> JSONResponse:
    return JSONResponse({"uid": value}, status_code=201, headers={"AuditUid": secrets.token_hex(12)})


NO_CONTENT = Response(status_code=204)


def _page(request: Request, items: list[dict[str, Any]]) -> dict[str, Any]:
    """`limit`, `offset` and `continue` paging; `continue` is base64 JSON `{offset, count, token}`."""
    limit = max(1, min(int(request.query_params.get("limit") or MAX_LIMIT), MAX_LIMIT))
    offset = int(request.query_params.get("offset") or 0)
    token = request.query_params.get("continue")
    if token:
        try:
            offset = int(json.loads(base64.b64decode(token))["offset"])
        except (ValueError, KeyError) as exc:
            raise ApiError(400, "InvalidContinueToken", "continue token is not valid") from exc
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


def create_app(state: EmulatorState | None = None, faults: Faults | None = None, **options: Any) -> Starlette:
    """A fresh emulator. `options` go to `EmulatorState` (`import_polls`, `pool_polls`, `api_keys`)."""
    state = state or EmulatorState(**options)
    faults = faults or Faults()

    def r(path: str, method: str, handler: Handler, definition: str | None = None) -> Route:
        return Route(path, _route(state, definition, handler), methods=[method])

    async def import_cluster(req: Request, project: str, body: Any) -> Response:
        return _uid(state.import_cluster(project, body, str(req.base_url).rstrip("/")))

    async def get_cluster(req: Request, project: str, _: Any) -> Response:
        return JSONResponse(state.cluster(req.path_params["uid"], project))

    async def delete_cluster(req: Request, project: str, _: Any) -> Response:
        state.delete_cluster(req.path_params["uid"], project)
        return NO_CONTENT

    async def overview(req: Request, project: str, _: Any) -> Response:
        return JSONResponse(state.cluster_overview(req.path_params["uid"], project))

    async def cluster_metadata(req: Request, project: str, _: Any) -> Response:
        return JSONResponse({"items": state.cluster_names(project)})

    async def manifest(req: Request, project: str, _: Any) -> Response:
        text = state.import_manifest(req.path_params["uid"], project)
        return PlainTextResponse(text, media_type="application/octet-stream")

    async def hybrid_settings(req: Request, project: str, body: Any) -> Response:
        state.set_hybrid(req.path_params["uid"], project, bool(body.get("enable")))
        return NO_CONTENT

    async def hybrid_config(req: Request, project: str, body: Any) -> Response:
        state.put_hybrid_config(req.path_params["configUid"], project, body)
        return NO_CONTENT

    async def get_cloud_config(req: Request, project: str, _: Any) -> Response:
        return JSONResponse(state.cloud_config(req.path_params["configUid"], project))

    async def replace_profiles(req: Request, project: str, body: Any) -> Response:
        state.replace_pool_profile(req.path_params["uid"], project, body)
        return NO_CONTENT

    async def hybrid_pools(req: Request, project: str, _: Any) -> Response:
        return JSONResponse(state.hybrid_pools(req.path_params["uid"], project))

    async def create_profile(req: Request, project: str, body: Any) -> Response:
        publish = req.query_params.get("publish", "false").lower() == "true"
        return _uid(state.create_profile(project, body, publish))

    async def get_profile(req: Request, project: str, _: Any) -> Response:
        return JSONResponse(state.profile(req.path_params["uid"], project))

    async def delete_profile(req: Request, project: str, _: Any) -> Response:
        state.delete_profile(req.path_params["uid"], project)
        return NO_CONTENT

    async def publish_profile(req: Request, project: str, _: Any) -> Response:
        state.publish_profile(req.path_params["uid"], project)
        return NO_CONTENT

    async def profile_metadata(req: Request, project: str, _: Any) -> Response:
        return JSONResponse({"items": state.profile_list(project)})

    async def create_pool(req: Request, project: str, body: Any) -> Response:
        return _uid(state.create_pool(req.path_params["configUid"], project, body))

    async def get_pool(req: Request, project: str, _: Any) -> Response:
        p = req.path_params
        return JSONResponse(state.pool(p["configUid"], p["name"], project))

    async def update_pool(req: Request, project: str, body: Any) -> Response:
        p = req.path_params
        state.update_pool(p["configUid"], p["name"], project, body)
        return NO_CONTENT

    async def delete_pool(req: Request, project: str, _: Any) -> Response:
        p = req.path_params
        state.delete_pool(p["configUid"], p["name"], project)
        return NO_CONTENT

    async def get_edge_host(req: Request, project: str, _: Any) -> Response:
        return JSONResponse(state.edge_host(req.path_params["uid"], project))

    async def search_edge_hosts(req: Request, project: str, body: Any) -> Response:
        groups = ((body or {}).get("filter") or {}).get("filterGroups") or []
        filters = [f for g in groups for f in g.get("filters") or []]
        return JSONResponse(_page(req, state.search_edge_hosts(project, filters)))

    # --- test hooks (no auth) -------------------------------------------------------------------

    async def hook_edge_hosts(req: Request) -> Response:
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

    async def hook_faults(req: Request) -> Response:
        if req.method == "DELETE":
            faults.clear()
        elif req.method == "POST":
            raw = await req.json()
            for rule in raw.get("rules") or []:
                faults.add(FaultRule.from_json(rule))
            for prefix, limit in (raw.get("rateLimits") or {}).items():
                faults.rate_limit(
                    prefix,
                    float(limit["burst"]),
                    float(limit.get("perSecond", 0)),
                    str(limit.get("retryAfter", "1")),
                )
        return JSONResponse(faults.to_json())

    async def hook_state(_: Request) -> Response:
        return JSONResponse(state.snapshot())

    async def hook_cluster_running(req: Request) -> Response:
        state.mark_cluster_running(req.path_params["uid"], (await req.json()).get("health", "Healthy"))
        return NO_CONTENT

    routes = [
        r("/v1/spectroclusters/aws/import", "POST", import_cluster, "v1SpectroAwsClusterImportEntity"),
        r("/v1/spectroclusters/{uid}", "GET", get_cluster),
        r("/v1/spectroclusters/{uid}", "DELETE", delete_cluster),
        r("/v1/spectroclusters/{uid}/import/manifest", "GET", manifest),
        r(
            "/v1/spectroclusters/{uid}/hybridSettings",
            "PATCH",
            hybrid_settings,
            "v1ClusterHybridSettingsEntity",
        ),
        r("/v1/spectroclusters/{uid}/hybridPools/metadata", "GET", hybrid_pools),
        r("/v1/spectroclusters/{uid}/profiles", "PATCH", replace_profiles, "v1SpectroClusterProfiles"),
        r("/v1/dashboard/spectroclusters/metadata", "GET", cluster_metadata),
        r("/v1/dashboard/spectroclusters/{uid}/overview", "GET", overview),
        r("/v1/cloudconfigs/aws/{configUid}", "GET", get_cloud_config),
        r(
            "/v1/cloudconfigs/aws/{configUid}/clusterConfig/hybridConfig",
            "PUT",
            hybrid_config,
            "v1AwsCloudHybridConfigEntity",
        ),
        r(
            "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools",
            "POST",
            create_pool,
            "v1HybridEdgeNativeMachinePoolConfigEntity",
        ),
        r("/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{name}", "GET", get_pool),
        r(
            "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{name}",
            "PUT",
            update_pool,
            "v1HybridEdgeNativeMachinePoolConfigUpdateEntity",
        ),
        r("/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{name}", "DELETE", delete_pool),
        r("/v1/clusterprofiles", "POST", create_profile, "v1ClusterProfileEntity"),
        r("/v1/clusterprofiles/{uid}", "GET", get_profile),
        r("/v1/clusterprofiles/{uid}", "DELETE", delete_profile),
        r("/v1/clusterprofiles/{uid}/publish", "PATCH", publish_profile),
        r("/v1/dashboard/clusterprofiles/metadata", "GET", profile_metadata),
        r("/v1/edgehosts/{uid}", "GET", get_edge_host),
        r("/v1/dashboard/edgehosts/search", "POST", search_edge_hosts, "v1SearchFilterSummarySpec"),
        Route("/__emulator/edgehosts", hook_edge_hosts, methods=["POST"]),
        Route("/__emulator/faults", hook_faults, methods=["GET", "POST", "DELETE"]),
        Route("/__emulator/state", hook_state, methods=["GET"]),
        Route("/__emulator/clusters/{uid}/running", hook_cluster_running, methods=["POST"]),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_response(
            ApiError(404, "ResourceNotFound", f"no route {request.method} {request.url.path}")
        )

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return error_response(ApiError(405, "MethodNotAllowed", f"{request.method} {request.url.path}"))

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed})
    app.state.emulator = state
    app.state.faults = faults
    app.add_middleware(FaultMiddleware, faults=faults)
    return app
