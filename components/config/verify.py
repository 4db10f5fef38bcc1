"""`eks-hybrid:verify`: the opt-in post-deploy check (`true`, or `{skip: [areas]}`)."""

from __future__ import annotations

from pydantic import Field, model_validator

from ..domain._base import ConfigModel
from ..verify_names import VERIFY_AREAS, VerifyArea

__all__ = ["VERIFY_AREAS", "VerifyArea", "VerifyConfig"]


class VerifyConfig(ConfigModel):
    """After each `pulumi up`, run `eks-hybrid verify` on the stack; a problem it finds fails the update."""

    enabled: bool = False
    skip: list[VerifyArea] = Field(default_factory=list)
    """Areas the deploying machine cannot check (e.g. `kubernetes` without a route to a private endpoint)."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        if isinstance(data, str) and data.strip().lower() in ("true", "false"):
            data = data.strip().lower() == "true"  # Pulumi hands a program its boolean config as text
        if isinstance(data, bool):
            return {"enabled": data}
        if isinstance(data, dict) and data and "enabled" not in data:
            return {**data, "enabled": True}  # `{skip: [...]}` opts in; the default `{}` does not
        return data
