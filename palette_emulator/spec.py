"""The Palette API contract, from a vendored subset of Palette's Swagger 2.0 spec, validated strictly.

`palette-apis-subset.json` (beside this module, so an installed emulator has it) holds the operations
eks-hybrid and the emulator use, with their parameters and responses exactly as the upstream spec declares
them, plus every definition they reach. Regenerate it from the full spec with
`python -m palette_emulator.spec path/to/palette-apis-spec.json` (see `reference/README.md` for the
upstream repository, commit and licence).

Objects that list `properties` get `additionalProperties: false` unless the spec says otherwise, so a body
with an invented field fails as it should: request bodies the emulator receives, and the response bodies it
answers (its own tests turn every response into a check of the emulator against the spec).
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator  # type: ignore[import-untyped]

__all__ = [
    "OPERATIONS",
    "SUBSET",
    "Operation",
    "closure",
    "definitions",
    "operation",
    "strict",
    "subset",
    "validate",
    "validator",
]

HERE = Path(__file__).resolve().parent
SUBSET = HERE / "palette-apis-subset.json"
UPSTREAM = {
    "repository": "spectrocloud/palette-sdk-go",
    "path": "api/spec/palette-apis-spec.json",
    "commit": "dbd043197c68385c120c142162516b4e3c666707",
    "licence": "Apache-2.0",
}

# Every operation the client (`eks_hybrid.components.palette._api`) calls and the emulator serves, as the
# spec spells its path. The vendored subset holds exactly these.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("GET", "/v1/dashboard/projects/metadata"),
    ("POST", "/v1/spectroclusters/aws/import"),
    ("GET", "/v1/spectroclusters/{uid}"),
    ("DELETE", "/v1/spectroclusters/{uid}"),
    ("GET", "/v1/spectroclusters/{uid}/import/manifest"),
    ("PATCH", "/v1/spectroclusters/{uid}/hybridSettings"),
    ("GET", "/v1/spectroclusters/{uid}/hybridPools/metadata"),
    ("PATCH", "/v1/spectroclusters/{uid}/profiles"),
    ("POST", "/v1/dashboard/spectroclusters/search"),
    ("GET", "/v1/dashboard/spectroclusters/{uid}/overview"),
    ("GET", "/v1/cloudconfigs/aws/{configUid}"),
    ("PUT", "/v1/cloudconfigs/aws/{configUid}/clusterConfig/hybridConfig"),
    ("POST", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools"),
    ("GET", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"),
    ("PUT", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"),
    ("DELETE", "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"),
    ("GET", "/v1/cloudconfigs/edge-native/{configUid}"),
    ("GET", "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines"),
    (
        "DELETE",
        "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines/{machineUid}",
    ),
    ("POST", "/v1/clusterprofiles"),
    ("GET", "/v1/clusterprofiles/{uid}"),
    ("PUT", "/v1/clusterprofiles/{uid}"),
    ("DELETE", "/v1/clusterprofiles/{uid}"),
    ("POST", "/v1/clusterprofiles/{uid}/clone"),
    ("PATCH", "/v1/clusterprofiles/{uid}/metadata"),
    ("PATCH", "/v1/clusterprofiles/{uid}/publish"),
    ("GET", "/v1/dashboard/clusterprofiles/metadata"),
    ("GET", "/v1/registries/metadata"),
    ("GET", "/v1/packs/{packName}/registries/{registryUid}"),
    ("GET", "/v1/edgehosts/{uid}"),
    ("POST", "/v1/dashboard/edgehosts/search"),
)
ERROR_DEFINITION = "v1Error"


@dataclass(frozen=True)
class Operation:
    """One spec operation: its id, the definition its JSON body must satisfy (if any), and its success
    response: status and definition (`None` for no body, `"string"` for a text body)."""

    method: str
    path: str
    operation_id: str
    request: str | None
    status: int
    response: str | None


def closure(all_definitions: dict[str, Any], roots: Iterable[str]) -> dict[str, Any]:
    """Every definition reachable from `roots` through `$ref`."""
    found: dict[str, Any] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found[name] = all_definitions[name]
        pending.extend(_refs(found[name]))
    return dict(sorted(found.items()))


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        out = []
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
                out.append(value.split("/")[-1])
            else:
                out.extend(_refs(value))
        return out
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def extract(spec: dict[str, Any], operations: Iterable[tuple[str, str]] = OPERATIONS) -> dict[str, Any]:
    """The subset of `spec` for `operations`: those paths and methods verbatim, and the definitions
    closure of their parameters and responses (plus `v1Error`, Palette's error body)."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path in operations:
        item = spec["paths"][path]
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k == "parameters"})
        kept[method.lower()] = item[method.lower()]
    roots = {ERROR_DEFINITION, *_refs(paths)}
    return {
        "swagger": spec["swagger"],
        "info": spec["info"],
        "x-eks-hybrid-source": UPSTREAM,
        "securityDefinitions": spec.get("securityDefinitions", {}),
        "paths": dict(sorted(paths.items())),
        "definitions": closure(spec["definitions"], roots),
    }


def strict(node: Any) -> Any:
    """Copy of a schema where every object with `properties` rejects unknown keys."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in ("enum", "example", "default") else strict(v)) for k, v in node.items()}
    if "properties" in node:
        out["properties"] = {k: strict(v) for k, v in node["properties"].items()}
        out.setdefault("additionalProperties", False)
    if "$ref" in out:  # Draft 4 ignores siblings of $ref; keep only the reference
        return {"$ref": out["$ref"]}
    return out


@cache
def subset() -> dict[str, Any]:
    return dict(json.loads(SUBSET.read_text()))


def definitions() -> dict[str, Any]:
    return dict(subset()["definitions"])


def _schema_name(schema: dict[str, Any] | None) -> str | None:
    if not schema:
        return None
    if "$ref" in schema:
        return str(schema["$ref"]).split("/")[-1]
    return str(schema.get("type") or "") or None


@cache
def operation(method: str, path: str) -> Operation:
    """The spec's operation for `method path` (a template as the spec spells it); KeyError if absent."""
    item = subset()["paths"][path]
    op = item[method.lower()]
    params = [*item.get("parameters", []), *op.get("parameters", [])]
    body = next((p for p in params if p.get("in") == "body"), None)
    status, response = next(
        (int(code), resp) for code, resp in sorted(op["responses"].items()) if code.startswith("2")
    )
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=str(op.get("operationId", "")),
        request=_schema_name(body.get("schema")) if body else None,
        status=status,
        response=_schema_name(response.get("schema")),
    )


@cache
def validator(definition: str) -> Draft4Validator:
    root = {"definitions": strict(copy.deepcopy(definitions())), "$ref": f"#/definitions/{definition}"}
    return Draft4Validator(root)


def validate(definition: str, body: Any) -> list[str]:
    """Every way `body` breaks `definition`, as `path: message` strings (empty when it conforms)."""
    errors = sorted(validator(definition).iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'.'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> None:
    source = Path(argv[0])
    document = extract(json.loads(source.read_text()))
    document["x-eks-hybrid-source"] = {**UPSTREAM, "sha256": sha256(source)}
    SUBSET.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {SUBSET} ({len(document['paths'])} paths, {len(document['definitions'])} definitions)")


if __name__ == "__main__":
    main(sys.argv[1:])
