"""Validate a stack's configuration document, reporting every problem at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from ..errors import ConfigError, Problem
from ._base import SECRET_PLACEHOLDER
from .hub import HubConfig
from .messages import problems_from_validation
from .rules import HUB_RULES, SITE_RULES, Rule
from .site import SiteConfig

NAMESPACE = "eks-hybrid"
StackConfig = HubConfig | SiteConfig


def relevant_keys(document: Mapping[str, Any]) -> dict[str, Any]:
    """`aws:region` and the `eks-hybrid:` namespace; other providers' keys are theirs to check."""
    return {k: v for k, v in document.items() if k == "aws:region" or k.startswith(f"{NAMESPACE}:")}


def validate_stack(document: Mapping[str, Any], file: str, secret_keys: Iterable[str] = ()) -> StackConfig:
    """Parse a whole stack document (`{"aws:region": ..., "eks-hybrid:role": ..., ...}`).

    `secret_keys` are the top-level keys Pulumi holds as secrets; a credential given in plain text under
    any other key is a problem. Raises `ConfigError` naming `file`, each key path and its rule.
    """
    document = relevant_keys(document)
    role = document.get(f"{NAMESPACE}:role")
    model: type[StackConfig]
    rules: tuple[Rule, ...]
    if role == "hub":
        model, rules = HubConfig, HUB_RULES
    elif role == "site":
        model, rules = SiteConfig, SITE_RULES
    else:
        got = "it is missing" if role is None else f"got {role!r}"
        raise ConfigError([Problem(file, f"{NAMESPACE}:role", f"must be hub or site ({got})")])

    problems: list[Problem] = []
    config: StackConfig | None = None
    try:
        config = model.model_validate(document)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, model, file))
    for rule in rules:
        problems.extend(Problem(file, path, message) for path, message in rule(document))
    if config is not None:
        problems.extend(_plaintext_secrets(config, file, frozenset(secret_keys)))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.path))
    assert config is not None
    return config


def _plaintext_secrets(config: BaseModel, file: str, secret_keys: frozenset[str]) -> list[Problem]:
    problems = []
    for key, path, value in _secret_fields(config):
        if value.get_secret_value() != SECRET_PLACEHOLDER and key not in secret_keys:
            problems.append(
                Problem(
                    file,
                    path,
                    "holds a credential in plain text: set it with"
                    f" `pulumi config set --secret --path '{path}'`",
                )
            )
    return problems


def _secret_fields(model: BaseModel, top: str = "", path: str = "") -> list[tuple[str, str, SecretStr]]:
    """(top-level key, dotted path, value) of every SecretStr set anywhere in the model."""
    found: list[tuple[str, str, SecretStr]] = []
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        here = f"{path}.{key}" if path else key
        value = getattr(model, name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            item_path = here if index is None else f"{here}[{index}]"
            if isinstance(item, SecretStr):
                found.append((top or key, item_path, item))
            elif isinstance(item, BaseModel):
                found.extend(_secret_fields(item, top or key, item_path))
    return found
