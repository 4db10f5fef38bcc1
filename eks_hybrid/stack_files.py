"""Read `stacks/Pulumi.<stack>.yaml` the way Pulumi would hand it to the program, without decrypting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config import SECRET_PLACEHOLDER
from components.errors import ConfigError, Problem

STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"


@dataclass(frozen=True)
class StackFile:
    name: str
    path: Path
    document: dict[str, Any]
    secret_keys: frozenset[str]

    @property
    def role(self) -> str | None:
        role = self.document.get("eks-hybrid:role")
        return role if isinstance(role, str) else None

    @property
    def hub(self) -> str | None:
        hub = self.document.get("eks-hybrid:hub")
        return hub.rsplit("/", 1)[-1] if isinstance(hub, str) else None

    def runtime_config(self) -> dict[str, str]:
        """Config as Pulumi's language host passes it: strings, with objects and lists as JSON."""
        return {
            key: value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            for key, value in self.document.items()
        }


def stack_path(stacks_dir: Path, name: str) -> Path:
    return stacks_dir / f"{STACK_FILE_PREFIX}{name}{STACK_FILE_SUFFIX}"


def list_stacks(stacks_dir: Path) -> list[str]:
    return sorted(
        path.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]
        for path in stacks_dir.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}")
    )


def _without_secrets(value: Any) -> tuple[Any, bool]:
    """Replace every `{secure: ...}` with the placeholder; says whether one was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        cleaned = {}
        for key, item in value.items():
            cleaned[key], inner = _without_secrets(item)
            found = found or inner
        return cleaned, found
    if isinstance(value, list):
        items = [_without_secrets(item) for item in value]
        return [item for item, _ in items], any(inner for _, inner in items)
    return value, False


def read_stack_file(stacks_dir: Path, name: str) -> StackFile:
    path = stack_path(stacks_dir, name)
    label = f"{stacks_dir.name}/{path.name}"
    if not path.is_file():
        known = ", ".join(list_stacks(stacks_dir)) or "none"
        raise ConfigError([Problem(label, "(file)", f"no such stack file (stacks here: {known})")])
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(label, "(file)", f"is not valid YAML: {exc}")]) from exc
    config = raw.get("config") if isinstance(raw, dict) else None
    if not isinstance(config, dict):
        raise ConfigError([Problem(label, "config", "a stack file needs a top-level `config:` mapping")])
    document: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for key, value in config.items():
        document[str(key)], has_secret = _without_secrets(value)
        if has_secret:
            secret_keys.add(str(key))
    return StackFile(name=name, path=path, document=document, secret_keys=frozenset(secret_keys))
