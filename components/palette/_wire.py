"""The Palette components' arguments as their dynamic resources take them: camelCase, endpoint trimmed.

The providers validate these inputs with the same pydantic models the stack files use (in their `check`,
at preview), so the components only check what decides names and resources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi

from .._inputs import Arguments, derive
from ..codes import Code
from ..domain.endpoints import palette_endpoint_problem
from ..errors import Reason

__all__ = ["camel_keys", "palette_settings"]

# Keys whose values are free-form mappings (Kubernetes labels, pack values): their own keys stay as given.
OPAQUE = frozenset({"labels", "values"})
PROJECT_UID = re.compile(r"[0-9a-f]{24}")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value: Any, *, keep_none: bool) -> Any:
    """`value` with its mapping keys in camelCase, as the providers' inputs spell them (the contents of
    `labels` and `values` untouched); None values dropped unless `keep_none`."""
    if isinstance(value, Mapping):
        return {
            camel(key): item if key in OPAQUE else camel_keys(item, keep_none=keep_none)
            for key, item in value.items()
            if keep_none or item is not None
        }
    if isinstance(value, list | tuple):
        return [camel_keys(item, keep_none=keep_none) for item in value]
    return value


def palette_settings(
    arguments: Arguments, endpoint: pulumi.Input[str], project_uid: pulumi.Input[str]
) -> dict[str, pulumi.Input[str]]:
    """`{endpoint, projectUid}` of every Palette resource: the endpoint without a trailing slash."""
    checked_endpoint = arguments.check("endpoint", endpoint, _endpoint_problem)
    project = arguments.check("project_uid", project_uid, _project_problem)
    return {"endpoint": derive(checked_endpoint, lambda url: url.rstrip("/")), "projectUid": project}


def _endpoint_problem(url: str) -> Reason | None:
    problem = palette_endpoint_problem(url)
    if problem:
        return Reason(Code.INVALID_PALETTE_ENDPOINT, f"{url!r} is not a Palette endpoint URL: {problem}")
    return None


def _project_problem(uid: str) -> Reason | None:
    if not isinstance(uid, str) or not PROJECT_UID.fullmatch(uid):
        return Reason(
            Code.INVALID_PALETTE_PROJECT, f"{uid!r} is not a Palette project uid (24 hexadecimal characters)"
        )
    return None
