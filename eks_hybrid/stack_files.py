"""Read `stacks/Pulumi.<stack>.yaml` the way Pulumi would hand it to the program, without decrypting."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from eks_hybrid.components.config import SECRET_PLACEHOLDER
from eks_hybrid.components.errors import ConfigError, Problem

STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"
# libyaml's parser when PyYAML was built with it (the wheels are): the same safe loading, ten times faster.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class StackFile:
    name: str
    path: Path
    document: dict[str, Any]
    secret_keys: frozenset[str]
    environments: tuple[str, ...] = ()
    """The Pulumi ESC environments the stack imports (`environment:`); offline plans cannot open them."""
    written: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The `config:` mapping as the file writes it, `secure:` ciphertexts included (for their digests)."""

    @property
    def role(self) -> str | None:
        role = self.document.get("eks-hybrid:role")
        return role if isinstance(role, str) else None

    @property
    def hub(self) -> str | None:
        hub = self.document.get("eks-hybrid:hub")
        return hub.rsplit("/", 1)[-1] if isinstance(hub, str) else None

    def with_secret_placeholders(self, paths: list[str]) -> StackFile:
        """This stack with "[secret]" standing in at each dotted path (`eks-hybrid:palette.apiKey`)."""
        if not paths:
            return self
        document = copy.deepcopy(self.document)
        secret_keys = set(self.secret_keys)
        for path in paths:
            top, *rest = path.split(".")
            secret_keys.add(top)
            if not rest:
                document[top] = SECRET_PLACEHOLDER
                continue
            node = document.setdefault(top, {})
            for key in rest[:-1]:
                node = node.setdefault(key, {})
            node[rest[-1]] = SECRET_PLACEHOLDER
        return replace(self, document=document, secret_keys=frozenset(secret_keys))

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


def stack_location(argument: str, stacks_dir: Path) -> tuple[Path, str]:
    """`--stack` as a name (`example-hub`, in `stacks_dir`) or a path (`stacks/Pulumi.example-hub.yaml`)."""
    if not argument.endswith((".yaml", ".yml")) and "/" not in argument:
        return stacks_dir, argument
    path = Path(argument)
    if not (path.name.startswith(STACK_FILE_PREFIX) and path.name.endswith(STACK_FILE_SUFFIX)):
        rule = f"stack files are named {STACK_FILE_PREFIX}<stack>{STACK_FILE_SUFFIX}"
        raise ConfigError([Problem(argument, "(file)", rule)])
    return path.parent, path.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]


def _environments(raw: object) -> tuple[str, ...]:
    """`environment:` is a list of names, or an inline definition whose `imports` name them."""
    if isinstance(raw, list):
        return tuple(str(item) for item in raw)
    if isinstance(raw, dict):
        imports = raw.get("imports") or []
        names = [next(iter(item)) if isinstance(item, dict) else str(item) for item in imports]
        return tuple(names) + (("(inline values)",) if raw.get("values") else ())
    return ()


def read_stack_file(stacks_dir: Path, name: str) -> StackFile:
    path = stack_path(stacks_dir, name)
    label = f"{stacks_dir.name}/{path.name}"
    if not path.is_file():
        known = ", ".join(list_stacks(stacks_dir)) or "none"
        raise ConfigError([Problem(label, "(file)", f"no such stack file (stacks here: {known})")])
    try:
        raw = yaml.load(path.read_text(), Loader=_SAFE_LOADER) or {}
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
    return StackFile(
        name=name,
        path=path,
        document=document,
        secret_keys=frozenset(secret_keys),
        environments=_environments(raw.get("environment")),
        written=config,
    )
