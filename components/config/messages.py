"""Turn pydantic's structured errors into `Problem`s: a dotted key path and a rule a person can act on."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError

from ..codes import Code
from ..domain.patterns import PATTERN_WORDS
from ..errors import Problem, key_path, shown

# Never echo what a user typed into these keys: they hold credentials.
SECRET_KEYS = frozenset(
    {"apiKey", "certificateAuthorityPem", "certificateAuthorityPrivateKey", "presharedKey"}
)


def _annotation_at(root: type[BaseModel], loc: Sequence[int | str]) -> Any:
    """The type the model expects at `loc`, or None where `loc` leaves the models (an unknown key)."""
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
    return _unwrap(current)


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The model class that holds the key at `loc` (for "did you mean"), or None if it is not a model."""
    current = _annotation_at(root, loc)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def holds_credentials(annotation: Any, seen: frozenset[type] = frozenset()) -> bool:
    """Whether a value of this type is, or can contain, a credential (a SecretStr at any depth)."""
    annotation = _unwrap(annotation)
    if annotation is SecretStr:
        return True
    if typing.get_origin(annotation) in (list, dict, typing.Union, types.UnionType):
        return any(holds_credentials(arg, seen) for arg in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in seen:
        return any(
            holds_credentials(field.annotation, seen | {annotation})
            for field in annotation.model_fields.values()
        )
    return False


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
        return f"unknown key {shown(key)}"
    allowed = sorted(f.alias or n for n, f in owner.model_fields.items())
    field = owner.model_fields.get(key)
    if field is not None and field.alias not in (None, key):  # the Python name: stack files take the alias
        return f"unknown key {shown(key)}; did you mean {field.alias!r}?"
    same = _case_only(key, allowed)
    if same is not None:
        return f"unknown key {shown(key)}; did you mean {same!r}? (keys are case-sensitive)"
    close = difflib.get_close_matches(key[:200], allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"
    return f"unknown key {shown(key)}{hint}"


def _case_only(given: str, allowed: Sequence[str]) -> str | None:
    """The one allowed word `given` spells in other letter case, if any."""
    matches = [a for a in allowed if a.lower() == given.lower() and a != given]
    return matches[0] if len(matches) == 1 else None


_NUMBER_RULES = ("must be a whole number", "must be a number", "must be at least", "must be at most")


def _hint(kind: str, ctx: dict[str, Any], given: Any, rule: str) -> str:
    """What the user most likely meant, for two common slips: a value in other letter case than an allowed
    one, and a number in quotes (YAML reads `"65010"` as text)."""
    if not isinstance(given, str):
        return ""
    if kind in ("literal_error", "enum"):
        same = _case_only(given, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        if same is not None:
            return f": did you mean {same}? (values are case-sensitive)"
    if rule.startswith(_NUMBER_RULES) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", given):
        return ": remove the quotes (YAML reads a quoted number as text)"
    return ""


def _one_of(values: Sequence[str]) -> str:
    if len(values) <= 2:
        return " or ".join(values)
    return f"one of {', '.join(values[:-1])} or {values[-1]}"


def _entries(count: object) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"


_TYPE_RULES = {
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "string_type": "must be text",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
}


# pydantic's error types (pydantic-core `ErrorType`) as eks-hybrid's codes; any other type is `invalid-value`.
_PYDANTIC_CODES = {
    "missing": Code.MISSING_KEY,
    "extra_forbidden": Code.UNKNOWN_KEY,
    "bool_type": Code.NOT_BOOLEAN,
    "bool_parsing": Code.NOT_BOOLEAN,
    "int_type": Code.NOT_WHOLE_NUMBER,
    "int_parsing": Code.NOT_WHOLE_NUMBER,
    "int_from_float": Code.NOT_WHOLE_NUMBER,
    "float_type": Code.NOT_NUMBER,
    "float_parsing": Code.NOT_NUMBER,
    "string_type": Code.NOT_TEXT,
    "list_type": Code.NOT_LIST,
    "tuple_type": Code.NOT_LIST,
    "dict_type": Code.NOT_MAPPING,
    "model_type": Code.NOT_MAPPING,
    "model_attributes_type": Code.NOT_MAPPING,
    "literal_error": Code.NOT_ALLOWED,
    "enum": Code.NOT_ALLOWED,
    "too_long": Code.TOO_LONG,
    "too_short": Code.TOO_SHORT,
    "greater_than_equal": Code.TOO_SMALL,
    "greater_than": Code.TOO_SMALL,
    "less_than_equal": Code.TOO_LARGE,
    "less_than": Code.TOO_LARGE,
    "string_pattern_mismatch": Code.PATTERN_MISMATCH,
}


def _own_code(kind: str) -> Code | None:
    """The code an eks-hybrid validator raised (`PydanticCustomError(code, ...)`), or None for pydantic's own
    types (kebab-case codes never spell one of pydantic's snake_case types)."""
    try:
        return Code.of(kind)
    except ValueError:
        return None


def code_for(kind: str) -> Code:
    """The code of a pydantic error type: eks-hybrid's own as it is, pydantic's mapped, any other
    pydantic type `invalid-value`."""
    return _PYDANTIC_CODES.get(kind) or _own_code(kind) or Code.INVALID_VALUE


def _plain_rule(kind: str, ctx: dict[str, Any]) -> str | None:
    """pydantic's wording ("Input should be 'static' or 'bgp'") as a rule naming what is allowed."""
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        values = re.findall(r"'([^']*)'", expected)
        return f"must be {_one_of(values) if values else expected}"
    if kind == "too_long":
        return f"takes at most {_entries(ctx.get('max_length'))}"
    if kind == "too_short":
        return f"needs at least {_entries(ctx.get('min_length'))}"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("more than", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"must be {words} {ctx.get(key)}"
    if kind == "string_pattern_mismatch":
        described = PATTERN_WORDS.get(str(ctx.get("pattern")))
        return f"must be {described}" if described else f"must match the pattern {ctx.get('pattern')}"
    return _TYPE_RULES.get(kind)


def _rule_for(root: type[BaseModel], error: Any, secret_keys: frozenset[str] = frozenset()) -> str:
    kind = error["type"]
    loc = error["loc"]
    if _own_code(kind) is not None:  # an eks-hybrid validator's rule, worded for the user already
        own = str(error["msg"])
        return own + _hint(kind, error.get("ctx") or {}, error.get("input"), own)
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key_rule(root, loc)
    message = _plain_rule(kind, error.get("ctx") or {}) or str(error["msg"])
    if kind.startswith("value_error"):
        message = message.removeprefix("Value error, ")
    # Never echo a credential: a credential key anywhere in the path, a block that holds credentials (an
    # API key given as a plain string where the `palette` mapping belongs), or a top-level key Pulumi
    # holds as a secret (decrypted here).
    secret = (
        any(part in SECRET_KEYS for part in loc if isinstance(part, str))
        or (bool(loc) and loc[0] in secret_keys)
        or holds_credentials(_annotation_at(root, loc))
    )
    if secret or "input" not in error:
        return message
    if kind in ("too_long", "too_short") and "actual_length" in (error.get("ctx") or {}):
        return f"{message} (got {error['ctx']['actual_length']})"
    if isinstance(error["input"], dict | list):
        return message
    hint = _hint(kind, error.get("ctx") or {}, error["input"], message)
    return f"{message} (got {shown(error['input'])}){hint}"


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
        yield Problem(file=file, path=key_path(loc) or "(stack)", rule=rule, code=code_for(error["type"]))
