"""Read the running stack's configuration from Pulumi (the same path under `pulumi up` and offline plan)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pulumi

from .._sdk_private import config_items, config_value, is_config_secret
from .loading import NAMESPACE, StackConfig, relevant_keys, validate_stack

_STACKS_DIR: ContextVar[str] = ContextVar("stacks_dir", default="stacks")


def stack_file_label(stack: str) -> str:
    """How errors name the stack file: `stacks/Pulumi.<stack>.yaml` (`stackConfigDir: stacks` in
    Pulumi.yaml), or in the directory `eks-hybrid plan --stacks-dir` read it from."""
    return str(Path(_STACKS_DIR.get()) / f"Pulumi.{stack}.yaml")


@contextlib.contextmanager
def stack_files_in(directory: Path | str) -> Iterator[None]:
    """Within this block, `stack_file_label` names files in `directory` (the offline planner's)."""
    token = _STACKS_DIR.set(str(directory))
    try:
        yield
    finally:
        _STACKS_DIR.reset(token)


def _decode(value: Any) -> Any:
    # Pulumi hands object and list config to programs as JSON text.
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def current_document() -> tuple[dict[str, Any], set[str]]:
    """Every config value of the running stack that eks-hybrid reads, and which keys are secret.

    Pulumi offers no public call that lists config keys: `_sdk_private` holds the one that does.
    """
    document = {key: _decode(config_value(key)) for key in relevant_keys(config_items())}
    secret = {key for key in document if is_config_secret(key)}
    return document, secret


def load_current_stack() -> StackConfig:
    """Validate the running stack's config; raises `ConfigError` before any resource is declared."""
    document, secret_keys = current_document()
    return validate_stack(document, stack_file_label(pulumi.get_stack()), secret_keys)


__all__ = ["NAMESPACE", "current_document", "load_current_stack", "stack_file_label", "stack_files_in"]
