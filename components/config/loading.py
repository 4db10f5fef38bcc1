"""Validate a stack's configuration document, reporting every problem at once."""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from ..codes import Code
from ..domain._base import SECRET_PLACEHOLDER
from ..errors import ConfigError, Problem, shown
from .hub import HubConfig
from .messages import _unwrap, problems_from_validation
from .rules import HUB_RULES, SITE_RULES, Rule
from .site import SiteConfig

NAMESPACE = "eks-hybrid"
StackConfig = HubConfig | SiteConfig


def relevant_keys(document: Mapping[str, Any]) -> dict[str, Any]:
    """`aws:region` and the `eks-hybrid:` namespace; other providers' keys are theirs to check."""
    return {k: v for k, v in document.items() if k == "aws:region" or k.startswith(f"{NAMESPACE}:")}


# Keys only one role has: a file whose role says one thing while its keys say the other has a swapped role.
_ONLY = {
    "hub": frozenset(
        f"{NAMESPACE}:{key}"
        for key in ("cluster", "sites", "credentials", "transitGateway", "virtualPrivateGateway", "cilium")
    ),
    "site": frozenset(f"{NAMESPACE}:{key}" for key in ("hub", "site")),
}


def _swapped_role(role: str, document: Mapping[str, Any]) -> str | None:
    """The role the keys belong to, when they all belong to the other one."""
    other = "site" if role == "hub" else "hub"
    if document.keys() & _ONLY[other] and not document.keys() & _ONLY[role]:
        return other
    return None


def validate_stack(
    document: Mapping[str, Any],
    file: str,
    secret_keys: Iterable[str] = (),
    *,
    today: date | None = None,
    secret_paths: Iterable[str] | None = None,
) -> StackConfig:
    """Parse a whole stack document (`{"aws:region": ..., "eks-hybrid:role": ..., ...}`).

    `secret_keys` are the top-level keys Pulumi holds as secrets; a credential given in plain text under
    any other key is a problem. `secret_paths`, when the caller knows them (a stack file read by `plan`
    marks each `secure:` value), are the exact paths of the secret values: then a plain-text credential
    beside a secret sibling is a problem too. `today` (default: the current UTC date) decides which
    Kubernetes versions EKS still creates. Raises `ConfigError` naming `file`, each key path and its rule.
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
        got = "it is missing" if role is None else f"got {shown(role)}"
        raise ConfigError(
            [Problem(file, f"{NAMESPACE}:role", f"must be hub or site ({got})", Code.INVALID_ROLE)]
        )
    swapped = _swapped_role(role, document)
    if swapped is not None:
        keys = ", ".join(sorted(document.keys() & _ONLY[swapped]))
        raise ConfigError(
            [
                Problem(
                    file,
                    f"{NAMESPACE}:role",
                    f"is {role}, but this file holds a {swapped} stack's keys ({keys}) and none of a"
                    f" {role}'s: set {NAMESPACE}:role: {swapped}",
                    Code.ROLE_MISMATCH,
                )
            ]
        )

    secrets = frozenset(secret_keys)
    problems: list[Problem] = []
    config: StackConfig | None = None
    try:
        # A stack file spells each key one way, the camelCase the docs and Pulumi's config use: the models
        # also take their Python field names (code builds them by name), but a file that did would pass
        # the raw-document rules below unread, so only aliases validate here (pydantic >= 2.11).
        config = model.model_validate(
            document, context={"today": today} if today else None, by_alias=True, by_name=False
        )
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, model, file, secret_keys=secrets))
    for rule in rules:
        problems.extend(Problem(file, path, message, code) for path, code, message in rule(document))
    exact = None if secret_paths is None else frozenset(secret_paths)
    problems.extend(_plaintext_secrets(model, document, file, secrets, exact))
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: p.path))
    assert config is not None
    return config


def _plaintext_secrets(
    model: type[BaseModel],
    document: Mapping[str, Any],
    file: str,
    secret_keys: frozenset[str],
    secret_paths: frozenset[str] | None,
) -> list[Problem]:
    problems = []
    for key, path, value in _secret_values(model, document):
        if secret_paths is not None:
            plaintext = path not in secret_paths
        else:  # Pulumi marks whole top-level keys secret: a secret sibling hides a plain value here
            plaintext = value.strip() != SECRET_PLACEHOLDER and key not in secret_keys
        if plaintext:
            problems.append(
                Problem(
                    file,
                    path,
                    "holds a credential in plain text: set it with"
                    f" `pulumi config set --secret --path '{path}'`",
                    Code.PLAINTEXT_SECRET,
                )
            )
    return problems


def _secret_values(
    model: type[BaseModel], raw: object, top: str = "", path: str = ""
) -> list[tuple[str, str, str]]:
    """(top-level key, dotted path, value) of every string the document gives where `model` has a SecretStr.

    Read from the raw document, guided by the model's fields, so a plain-text credential is reported even
    when other keys are invalid (every problem at once).
    """
    found: list[tuple[str, str, str]] = []
    if not isinstance(raw, Mapping):
        return found
    for name, field in model.model_fields.items():
        key = next((k for k in (field.alias, name) if k is not None and k in raw), None)
        if key is None:
            continue
        here = f"{path}.{key}" if path else key
        annotation = _unwrap(field.annotation)
        value = raw[key]
        if typing.get_origin(annotation) is list:
            item_type = typing.get_args(annotation)[0]
            items = [(f"{here}[{i}]", v) for i, v in enumerate(value)] if isinstance(value, list) else []
        else:
            item_type, items = annotation, [(here, value)]
        for item_path, item in items:
            if item_type is SecretStr and isinstance(item, str):
                found.append((top or key, item_path, item))
            elif isinstance(item_type, type) and issubclass(item_type, BaseModel):
                found.extend(_secret_values(item_type, item, top or key, item_path))
    return found
