"""Where the Palette endpoint, project and API key come from: what the component was given first, then this
project's stack config (`eks-hybrid:palette`), then the environment.

The key is held in a `PaletteCredentials` whose repr never shows it. A key given to a component is a
secret input of each Palette resource (a Pulumi secret in the state); a key from config or the
environment is never a resource input or output. No key is ever part of a pickled provider.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..codes import Code
from ..domain.api_keys import api_key_problem
from ..errors import PaletteError

__all__ = [
    "DEFAULT_ENDPOINT",
    "PaletteCredentials",
    "PaletteCredentialsError",
    "api_key_problem",
    "resolve_credentials",
]

DEFAULT_ENDPOINT = "https://api.spectrocloud.com"
ENV_ENDPOINT = "PALETTE_ENDPOINT"
ENV_API_KEY = "PALETTE_API_KEY"
ENV_PROJECT_UID = "PALETTE_PROJECT_UID"


class PaletteCredentialsError(PaletteError):
    """No API key (or no project) could be found; says where to put one, never echoes a value."""

    code = Code.PALETTE_CREDENTIALS


@dataclass(frozen=True)
class PaletteCredentials:
    endpoint: str
    project_uid: str
    api_key: str = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"PaletteCredentials(endpoint={self.endpoint!r}, project_uid={self.project_uid!r}, api_key=***)"
        )


def parse_config_value(raw: Any) -> dict[str, Any]:
    """`eks-hybrid:palette` as the engine hands it to a provider: a JSON string, a dict, or nothing."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except ValueError as exc:
            raise PaletteCredentialsError("config eks-hybrid:palette is not a JSON object") from exc
        if isinstance(parsed, dict):
            return parsed
    raise PaletteCredentialsError("config eks-hybrid:palette is not a JSON object")


def resolve_credentials(
    config: Mapping[str, Any] | None = None,
    *,
    endpoint: str | None = None,
    project_uid: str | None = None,
    api_key: str | None = None,
    env: Mapping[str, str] | None = None,
) -> PaletteCredentials:
    """Explicit arguments win (a component's `endpoint`, `project_uid` and `api_key`), then the config
    object `{endpoint, projectUid, apiKey}`, then the environment."""
    env = os.environ if env is None else env
    config = config or {}
    if api_key:
        source = "the component's api_key"
    else:
        source = "eks-hybrid:palette.apiKey" if config.get("apiKey") else ENV_API_KEY
        api_key = config.get("apiKey") or env.get(ENV_API_KEY) or ""
    if isinstance(api_key, Mapping):  # an undecrypted {"secure": ...} never reaches a provider as a key
        api_key = ""
    resolved_endpoint = endpoint or config.get("endpoint") or env.get(ENV_ENDPOINT) or DEFAULT_ENDPOINT
    resolved_project = project_uid or config.get("projectUid") or env.get(ENV_PROJECT_UID) or ""
    if not api_key:
        raise PaletteCredentialsError(
            "no Palette API key: give the component its api_key (a secret), export"
            f" {ENV_API_KEY}, or in an eks-hybrid stack set it with"
            " `pulumi config set --secret --path eks-hybrid:palette.apiKey`",
            code=Code.PALETTE_KEY_MISSING,
        )
    problem = api_key_problem(str(api_key))
    if problem:
        raise PaletteCredentialsError(
            f"the Palette API key from {source} {problem}", code=Code.PALETTE_KEY_MALFORMED
        )
    if not resolved_project:
        raise PaletteCredentialsError(
            f"no Palette project: set eks-hybrid:palette.projectUid or export {ENV_PROJECT_UID}",
            code=Code.PALETTE_PROJECT_MISSING,
        )
    return PaletteCredentials(str(resolved_endpoint).rstrip("/"), str(resolved_project), str(api_key))
