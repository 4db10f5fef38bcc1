"""What a Palette API key may be: the one check, run by the client before it sends the key and by the config
validation before anything is declared (so `plan` and the Pulumi program refuse what the client would).

The key travels in the `ApiKey` HTTP header: RFC 9110 (section 5.5) field values exclude leading and
trailing whitespace and control characters, and h11 refuses them with a message that quotes the value.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from pydantic_core import PydanticCustomError

from ..codes import Code

__all__ = ["api_key_problem", "checked_api_key"]


def api_key_problem(key: str) -> str | None:
    """Why `key` cannot be an `ApiKey` header value, in words that never include the key; None if it can.

    Nothing is stripped silently: a key read from a file with its newline, or pasted with a space, is a
    copy-paste mistake the user should see (and httpx/h11 would otherwise fail on it with a message that
    quotes the header value).
    """
    if key != key.lstrip():
        return "starts with whitespace (a space, tab or newline)"
    if key.endswith(("\n", "\r")):
        return "ends with a newline (\\n or \\r): strip it, e.g. `tr -d '\\r\\n'`"
    if key != key.rstrip():
        return "ends with whitespace"
    if "\0" in key:
        return "contains a NUL character"
    if any(ord(c) > 0x7E for c in key):
        return "contains non-ASCII characters (Palette API keys are plain ASCII)"
    if any(ord(c) < 0x21 for c in key):
        return "contains whitespace or control characters"
    return None


def checked_api_key(value: Any) -> Any:
    """A config model's `apiKey` validator, run before pydantic's own (`mode="before"`: the models strip
    whitespace from strings, which would hide a pasted newline the client then refuses): `api_key_problem`
    as a validation error carrying the `palette-key-malformed` code, worded without the key."""
    key = value.get_secret_value() if isinstance(value, SecretStr) else value
    problem = api_key_problem(key) if isinstance(key, str) else None
    if problem:
        raise PydanticCustomError(
            Code.PALETTE_KEY_MALFORMED.value,
            f"the Palette API key {problem}".replace("{", "{{").replace("}", "}}"),
        )
    return value
