"""Read `stacks/Pulumi.<stack>.yaml` the way Pulumi would hand it to the program, without decrypting."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eks_hybrid.components.codes import Code
from eks_hybrid.components.config import SECRET_PLACEHOLDER
from eks_hybrid.components.errors import ConfigError, Problem, key_path

from . import safe_yaml

STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"


@dataclass(frozen=True)
class StackFile:
    name: str
    path: Path
    document: dict[str, Any]
    secret_keys: frozenset[str]
    environments: tuple[str, ...] = ()
    """The Pulumi ESC environments the stack imports (`environment:`); offline plans cannot open them."""
    secret_paths: frozenset[str] = frozenset()
    """The dotted path of every `secure:` value (`eks-hybrid:site.connectivity...tunnels[0].presharedKey`)."""
    written: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The `config:` mapping as the file writes it, `secure:` ciphertexts included (for their digests)."""

    @property
    def label(self) -> str:
        """How messages name this file: its path as the user gave it (`stacks/Pulumi.example-hub.yaml`)."""
        return str(self.path)

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
        return replace(
            self,
            document=document,
            secret_keys=frozenset(secret_keys),
            secret_paths=self.secret_paths | frozenset(paths),
        )

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


def _without_secrets(value: Any, path: str, found: set[str]) -> Any:
    """`value` with each `{secure: ...}` replaced by the placeholder, its dotted path added to `found`."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            found.add(path)
            return SECRET_PLACEHOLDER
        return {key: _without_secrets(item, f"{path}.{key}", found) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_secrets(item, f"{path}[{index}]", found) for index, item in enumerate(value)]
    return value


def stack_location(argument: str, stacks_dir: Path) -> tuple[Path, str]:
    """`--stack` as a name (`example-hub`, in `stacks_dir`) or a path (`stacks/Pulumi.example-hub.yaml`)."""
    if not argument.endswith((".yaml", ".yml")) and "/" not in argument:
        return stacks_dir, argument
    path = Path(argument)
    if not (path.name.startswith(STACK_FILE_PREFIX) and path.name.endswith(STACK_FILE_SUFFIX)):
        rule = f"stack files are named {STACK_FILE_PREFIX}<stack>{STACK_FILE_SUFFIX}"
        raise ConfigError([Problem(argument, "(file)", rule, Code.STACK_FILE_NAME)])
    return path.parent, path.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]


def _environments(raw: object) -> tuple[str, ...]:
    """`environment:` is a list of names, or an inline definition whose `imports` name them."""
    if isinstance(raw, list):
        return tuple(str(item) for item in raw)
    if isinstance(raw, dict):
        imports = raw.get("imports")
        items = imports if isinstance(imports, list) else []
        names = [str(next(iter(item), "")) if isinstance(item, dict) else str(item) for item in items]
        return tuple(names) + (("(inline values)",) if raw.get("values") else ())
    return ()


def _read_yaml(path: Path, label: str) -> Any:
    try:
        size = path.stat().st_size
        if size > safe_yaml.MAX_BYTES:  # refused before reading it into memory
            raise safe_yaml.YamlRefusal(
                (),
                f"is {size} bytes: a stack file is at most {safe_yaml.MAX_BYTES} bytes",
                Code.YAML_TOO_LARGE,
            )
        return safe_yaml.load(path.read_bytes())
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(
            [Problem(label, "(file)", f"cannot be read: {reason}", Code.FILE_UNREADABLE)]
        ) from None
    except safe_yaml.YamlRefusal as exc:
        loc = exc.loc[1:] if len(exc.loc) > 1 and exc.loc[0] == "config" else exc.loc
        raise ConfigError([Problem(label, key_path(loc) or "(file)", exc.rule, exc.code)]) from None


def read_stack_file(stacks_dir: Path, name: str) -> StackFile:
    path = stack_path(stacks_dir, name)
    label = str(path)
    if not path.is_file():
        known = ", ".join(list_stacks(stacks_dir)) or "none"
        raise ConfigError(
            [Problem(label, "(file)", f"no such stack file (stacks here: {known})", Code.NO_SUCH_STACK)]
        )
    raw = _read_yaml(path, label)
    config = raw.get("config") if isinstance(raw, dict) else None
    if not isinstance(config, dict):
        raise ConfigError(
            [
                Problem(
                    label,
                    "config",
                    "a stack file needs a top-level `config:` mapping",
                    Code.CONFIG_MAPPING_MISSING,
                )
            ]
        )
    document: dict[str, Any] = {}
    secret_paths: set[str] = set()
    secret_keys: set[str] = set()
    for key, value in config.items():
        found = len(secret_paths)
        document[str(key)] = _without_secrets(value, str(key), secret_paths)
        if len(secret_paths) > found:
            secret_keys.add(str(key))
    return StackFile(
        name=name,
        path=path,
        document=document,
        secret_keys=frozenset(secret_keys),
        environments=_environments(raw.get("environment")),
        secret_paths=frozenset(secret_paths),
        written=config,
    )
