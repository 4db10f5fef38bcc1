"""Request-body validation against the Palette Swagger 2.0 definitions, strictly.

Objects that list `properties` get `additionalProperties: false` unless the spec says otherwise, so a
payload with an invented field fails as it should. The definitions used are a closure extracted from
`palette-apis-spec.json` into `definitions.json` (regenerate with `python -m palette_emulator.spec SPEC`).
"""

from __future__ import annotations

import copy
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator  # type: ignore[import-untyped]

__all__ = ["REQUEST_DEFINITIONS", "definitions", "strict", "validate", "validator"]

HERE = Path(__file__).resolve().parent
SUBSET = HERE / "definitions.json"

REQUEST_DEFINITIONS = (
    "v1SpectroAwsClusterImportEntity",
    "v1ClusterHybridSettingsEntity",
    "v1AwsCloudHybridConfigEntity",
    "v1HybridEdgeNativeMachinePoolConfigEntity",
    "v1HybridEdgeNativeMachinePoolConfigUpdateEntity",
    "v1ClusterProfileEntity",
    "v1SearchFilterSummarySpec",
    "v1SpectroClusterProfiles",
    "v1Error",
    "v1Uid",
)


def closure(all_definitions: dict[str, Any], roots: tuple[str, ...]) -> dict[str, Any]:
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
def definitions() -> dict[str, Any]:
    return dict(json.loads(SUBSET.read_text()))


@cache
def validator(definition: str) -> Draft4Validator:
    root = {"definitions": strict(copy.deepcopy(definitions())), "$ref": f"#/definitions/{definition}"}
    return Draft4Validator(root)


def validate(definition: str, body: Any) -> list[str]:
    """Every way `body` breaks `definition`, as `path: message` strings (empty when it conforms)."""
    errors = sorted(validator(definition).iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'.'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors]


def main(argv: list[str]) -> None:
    spec = json.loads(Path(argv[0]).read_text())
    SUBSET.write_text(json.dumps(closure(spec["definitions"], REQUEST_DEFINITIONS), indent=1) + "\n")
    print(f"wrote {SUBSET}")


if __name__ == "__main__":
    main(sys.argv[1:])
