"""Turn pydantic's structured errors into `Problem`s: a dotted key path and a rule a person can act on."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Problem

# Never echo what a user typed into these keys: they hold credentials.
SECRET_KEYS = frozenset(
    {"apiKey", "certificateAuthorityPem", "certificateAuthorityPrivateKey", "presharedKey"}
)


def dotted(loc: Sequence[int | str]) -> str:
    """('eks-hybrid:site', 'nodePools', 0, 'name') -> 'eks-hybrid:site.nodePools[0].name'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            path += f".{part}" if path else part
    return path


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class that holds the key at `loc` (for "did you mean"), or None if it is not a model."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if typing.get_origin(current) in (list, dict):
            current = typing.get_args(current)[-1]  # a list index or a dict key: step into the items
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for n, f in current.model_fields.items() if part in (f.alias, n)), None)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] -> X."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _unknown_key_rule(root: type[BaseModel], loc: Sequence[int | str]) -> str:
    owner = _model_at(root, loc[:-1])
    key = str(loc[-1])
    if owner is None:
        return f"unknown key {key!r}"
    allowed = sorted(f.alias or n for n, f in owner.model_fields.items())
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"
    return f"unknown key {key!r}{hint}"


def _rule_for(root: type[BaseModel], error: Any, secret_keys: frozenset[str] = frozenset()) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "eks_hybrid_rule":
        return str(error["msg"])
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key_rule(root, loc)
    message = str(error["msg"])
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    # A credential key anywhere in the path, or a top-level key Pulumi holds as a secret (decrypted here).
    secret = any(part in SECRET_KEYS for part in loc if isinstance(part, str)) or (
        bool(loc) and loc[0] in secret_keys
    )
    if secret or "input" not in error or isinstance(error["input"], dict | list):
        return message
    return f"{message} (got {error['input']!r})"


def problems_from_validation(
    exc: ValidationError,
    root: type[BaseModel],
    file: str,
    prefix: Sequence[int | str] = (),
    secret_keys: frozenset[str] = frozenset(),
) -> Iterator[Problem]:
    for error in exc.errors(include_url=False):
        loc = (*prefix, *error["loc"])
        rule = _rule_for(root, {**error, "loc": loc}, secret_keys)
        yield Problem(file=file, path=dotted(loc) or "(stack)", rule=rule)
