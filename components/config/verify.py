"""`eks-hybrid:verify`: the opt-in post-deploy check (`true`, or `{skip: [areas]}`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ._base import ConfigModel

# What `eks-hybrid verify` checks, in report order; `skip` takes these names.
VERIFY_AREAS = ("routes", "transit-gateway", "vpn", "eks", "identity", "palette", "kubernetes", "quotas")
VerifyArea = Literal["routes", "transit-gateway", "vpn", "eks", "identity", "palette", "kubernetes", "quotas"]


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
