"""Which secrets a stack needs for a real run, where each may come from, and whether one is there now.

Secrets never live in committed stack files as ciphertext a reader cannot decrypt: they come from
`pulumi config set --secret`, from the environment, or from a Pulumi ESC environment the stack imports
(its `pulumiConfig` merges into the stack's config; its `environmentVariables` reach the program and
the providers). A missing secret that a real run needs is reported before anything is declared.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, SecretStr

from ..codes import Code
from ..domain.api_keys import api_key_problem
from ..errors import ConfigError, Problem
from .hub import HubConfig
from .site import SiteConfig

PALETTE_API_KEY_ENV = "PALETTE_API_KEY"
PALETTE_API_KEY_PATH = "eks-hybrid:palette.apiKey"

Source = Literal["stack config", "environment", "missing"]

_WHAT_BY_KEY = {
    "apiKey": "a Palette API key",
    "presharedKey": "a VPN tunnel's IKE pre-shared key (AWS generates one when none is set)",
    "certificateAuthorityPem": "the IAM Roles Anywhere trust anchor's CA bundle",
}


@dataclass(frozen=True)
class SecretNeed:
    """One secret of a stack: its config path, what it is, and the environment variable that may hold it."""

    path: str
    what: str
    reason: str = ""
    env: str | None = None
    required: bool = True

    def ways_to_supply(self) -> str:
        ways = f"`pulumi config set --secret --path '{self.path}' <value>`"
        return f"{ways}, or export {self.env}" if self.env else ways


@dataclass(frozen=True)
class SecretStatus:
    need: SecretNeed
    source: Source

    @property
    def missing(self) -> bool:
        return self.source == "missing" and self.need.required


def _aliased(model: BaseModel, name: str) -> str:
    field = type(model).model_fields[name]
    return field.alias or name


def configured_secrets(model: BaseModel, path: str = "") -> Iterator[str]:
    """Dotted paths of every secret value `model` holds (`eks-hybrid:palette.apiKey`, `...tunnels[0]...`)."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        here = f"{path}.{_aliased(model, name)}" if path else _aliased(model, name)
        yield from _secrets_in(value, here)


def _secrets_in(value: object, path: str) -> Iterator[str]:
    if isinstance(value, SecretStr):
        yield path
    elif isinstance(value, BaseModel):
        yield from configured_secrets(value, path)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _secrets_in(item, f"{path}[{index}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secrets_in(item, f"{path}.{key}")


def manages_palette(config: HubConfig | SiteConfig) -> bool:
    """A hub with `eks-hybrid:palette`, or a site with node pools: both call Palette's API."""
    if isinstance(config, HubConfig):
        return config.palette is not None
    return bool(config.site.node_pools)


def secret_needs(config: HubConfig | SiteConfig) -> list[SecretNeed]:
    """The Palette API key when the stack manages Palette objects, then every secret the config holds."""
    needs: list[SecretNeed] = []
    if manages_palette(config):
        reason = (
            "this hub imports its cluster into Palette and manages its hybrid settings and profile"
            if isinstance(config, HubConfig)
            else "this site's node pools are Palette objects"
        )
        needs.append(SecretNeed(PALETTE_API_KEY_PATH, "a Palette API key", reason, PALETTE_API_KEY_ENV))
    listed = {need.path for need in needs}
    for path in configured_secrets(config):
        if path not in listed:
            leaf = path.rsplit(".", 1)[-1]
            needs.append(SecretNeed(path, _WHAT_BY_KEY.get(leaf, "a credential")))
    return needs


def secret_statuses(config: HubConfig | SiteConfig, environ: Mapping[str, str]) -> list[SecretStatus]:
    """Where a real run would find each secret right now: the stack's config, the environment, or nowhere."""
    configured = set(configured_secrets(config))
    statuses = []
    for need in secret_needs(config):
        source: Source = "missing"
        if need.path in configured:
            source = "stack config"
        elif need.env and environ.get(need.env, "").strip():
            source = "environment"
        statuses.append(SecretStatus(need, source))
    return statuses


def missing_secret_problems(
    config: HubConfig | SiteConfig, file: str, environ: Mapping[str, str], hint: str = ""
) -> list[Problem]:
    return [
        Problem(
            file,
            status.need.path,
            f"a real run needs {status.need.what} ({status.need.reason}) and none is set:"
            f" {status.need.ways_to_supply()}{hint}",
            Code.SECRET_MISSING,
        )
        for status in secret_statuses(config, environ)
        if status.missing
    ]


def api_key_problems(config: HubConfig | SiteConfig, file: str, environ: Mapping[str, str]) -> list[Problem]:
    """The Palette API key in the environment, when a real run would send it (the stack manages Palette
    objects and its config holds no key), refused by the client's own check (`api_key_problem`), never
    quoted. A key in the stack's config is checked by the config model itself."""
    if not manages_palette(config) or (config.palette is not None and config.palette.api_key is not None):
        return []
    key = environ.get(PALETTE_API_KEY_ENV, "")
    problem = api_key_problem(key) if key.strip() else None
    if problem is None:
        return []
    return [
        Problem(
            file,
            PALETTE_API_KEY_ENV,
            f"the Palette API key from the environment ({PALETTE_API_KEY_ENV}, which a real run sends for"
            f" this stack: its config sets no {PALETTE_API_KEY_PATH}) {problem}",
            Code.PALETTE_KEY_MALFORMED,
        )
    ]


def check_secrets(config: HubConfig | SiteConfig, file: str, environ: Mapping[str, str]) -> None:
    """Raise `ConfigError` naming every missing secret a real run needs, and a Palette API key from the
    environment the client would refuse (before anything is declared)."""
    problems = missing_secret_problems(config, file, environ) + api_key_problems(config, file, environ)
    if problems:
        raise ConfigError(problems)
