"""The base every config model shares: camelCase keys as users write them, unknown keys rejected."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

SECRET_PLACEHOLDER = "[secret]"
"""What an undecryptable `secure:` value stands in as (offline `plan` never decrypts)."""


class ConfigModel(BaseModel):
    """Frozen, strict about unknown keys, addressed by the camelCase names of the stack files."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )
