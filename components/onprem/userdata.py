"""Appliance Mode user data for EKS Hybrid Nodes edge hosts: the required bind mounts, merged into yours.

Palette's EKS Hybrid Nodes docs ("Bind Mount Requirements", spectrocloud/librarium
`docs/docs-content/clusters/public-cloud/aws/eks-hybrid-nodes/`): hosts installed in Appliance Mode need
`install.extra-dirs-rootfs: [/eks-hybrid]` and `install.bind_mounts` with the seven directories below in
their user-data, so nodeadm's files survive on the immutable OS. The user's own user-data (registration
token, users, stages...) is kept as written; only missing entries are added.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ..codes import Code
from ..errors import EksHybridError

EXTRA_DIRS_ROOTFS = ("/eks-hybrid",)
BIND_MOUNTS = (
    "/eks-hybrid",
    "/etc/aws",
    "/etc/containerd",
    "/etc/eks",
    "/etc/iam",
    "/etc/modules-load.d",
    "/var/lib/amazon",
)
CLOUD_CONFIG_HEADER = "#cloud-config"


class UserDataError(EksHybridError, ValueError):
    """The user's user-data cannot take the required entries; names the key path."""

    code = Code.USER_DATA

    def __init__(self, path: str, rule: str, *, code: Code | None = None) -> None:
        self.path = path
        self.rule = rule
        super().__init__(f"{path}: {rule}", code=code)


def appliance_mode_user_data() -> dict[str, Any]:
    """The snippet Palette's docs require, as a document."""
    return {"install": {"extra-dirs-rootfs": list(EXTRA_DIRS_ROOTFS), "bind_mounts": list(BIND_MOUNTS)}}


def _merge_list(user: Sequence[Any], required: Sequence[Any]) -> list[Any]:
    return [*user, *(item for item in required if item not in user)]


def merge_user_data(
    user: Mapping[str, Any] | None, required: Mapping[str, Any], path: str = ""
) -> dict[str, Any]:
    """Deep-merge `required` into `user`: the user's keys, values and list order are kept, missing mapping
    keys and list items are added. A value of another type where a mapping or list is required is an
    error (nothing is overwritten)."""
    merged: dict[str, Any] = dict(user or {})
    for key, needed in required.items():
        where = f"{path}.{key}" if path else str(key)
        have = merged.get(key)
        if have is None:
            merged[key] = needed
        elif isinstance(needed, Mapping):
            if not isinstance(have, Mapping):
                raise UserDataError(
                    where,
                    f"must be a mapping to hold {sorted(needed)}, not {_type_name(have)}",
                    code=Code.USER_DATA_CONFLICT,
                )
            merged[key] = merge_user_data(have, needed, where)
        elif isinstance(needed, list):
            if not isinstance(have, list):
                raise UserDataError(
                    where,
                    f"must be a list to hold {needed}, not {_type_name(have)}",
                    code=Code.USER_DATA_CONFLICT,
                )
            merged[key] = _merge_list(have, needed)
        elif have != needed:
            raise UserDataError(
                where, f"must be {needed!r} (it is set to another value)", code=Code.USER_DATA_CONFLICT
            )
    return merged


def _type_name(value: object) -> str:
    """What a user-data value is, without quoting it (user-data holds registration tokens)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "another kind of value"


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """Where and why the YAML is invalid, never its text: PyYAML's message prints the line (a token may be
    on it), so only the problem's own words, when they quote nothing, and the line and column are kept."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if isinstance(mark, yaml.Mark) else ""
    if isinstance(problem, str) and problem and not any(q in problem for q in "'\"`"):
        return f"is not valid YAML: {problem}{where}"
    return f"is not valid YAML{where}"


def parse_user_data(text: str | bytes) -> dict[str, Any]:
    """A user-data file as a mapping (an empty file is an empty mapping). No error quotes the file."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserDataError(
                "(file)",
                f"is not UTF-8 text (byte {exc.start} is not valid UTF-8)",
                code=Code.USER_DATA_NOT_YAML,
            ) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserDataError("(file)", _yaml_reason(exc), code=Code.USER_DATA_NOT_YAML) from None
    except RecursionError:
        raise UserDataError(
            "(file)", "is not valid YAML: nests too deep", code=Code.USER_DATA_NOT_YAML
        ) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise UserDataError(
            "(file)", "must be a YAML mapping (a #cloud-config document)", code=Code.USER_DATA_NOT_MAPPING
        )
    return document


def user_data_text(document: Mapping[str, Any]) -> str:
    """The document as a `#cloud-config` file (Kairos reads only files starting with that line)."""
    body = yaml.safe_dump(dict(document), sort_keys=False, default_flow_style=False)
    return f"{CLOUD_CONFIG_HEADER}\n{body}"
