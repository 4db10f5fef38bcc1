"""Node identity: the IAM Roles Anywhere trust anchor and profile enabled (the profile listing the hybrid
node role and accepting role session names), or the SSM hybrid activation neither expired nor used up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from .. import findings
from ..findings import Finding
from ..intent import IdentityIntent

__all__ = ["ACTIVATION_WARN_BEFORE", "check_activation", "check_roles_anywhere"]

# An activation about to expire still registers nodes today, but not the next one added tomorrow.
ACTIVATION_WARN_BEFORE = timedelta(days=1)
_RENEW = (
    "renew it: `pulumi up --replace <the activation's URN>` on the hub (a new activation id and code; hosts"
    " not yet registered need the new ones)"
)


def check_roles_anywhere(
    intent: IdentityIntent, anchor: Mapping[str, Any] | None, profile: Mapping[str, Any] | None
) -> list[Finding]:
    """`anchor`: GetTrustAnchor's `trustAnchor`; `profile`: GetProfile's `profile` (None when absent)."""
    out: list[Finding] = []
    redeploy = "the hub stack declares it: `pulumi refresh` and `pulumi up` the hub"
    anchor_check = f"trust anchor {intent.trust_anchor_arn}"
    if anchor is None:
        out.append(findings.fail("identity", anchor_check, "the trust anchor does not exist", redeploy))
    elif not anchor.get("enabled"):
        out.append(
            findings.fail(
                "identity",
                anchor_check,
                "the trust anchor is disabled: no node can get credentials",
                f"`aws rolesanywhere enable-trust-anchor --trust-anchor-id {anchor.get('trustAnchorId')}`",
            )
        )
    else:
        out.append(findings.ok("identity", anchor_check, "enabled"))

    profile_check = f"profile {intent.profile_arn}"
    if profile is None:
        out.append(findings.fail("identity", profile_check, "the profile does not exist", redeploy))
        return out
    problems = []
    if not profile.get("enabled"):
        problems.append("it is disabled")
    if intent.role_arn and intent.role_arn not in (profile.get("roleArns") or []):
        problems.append(f"it does not list the hybrid node role {intent.role_arn}")
    if not profile.get("acceptRoleSessionName"):
        problems.append("acceptRoleSessionName is off (nodeadm sets the session name to the node name)")
    if problems:
        out.append(findings.fail("identity", profile_check, "; ".join(problems), redeploy))
    else:
        out.append(findings.ok("identity", profile_check, "enabled, lists the hybrid node role"))
    return out


def check_activation(
    intent: IdentityIntent, activation: Mapping[str, Any] | None, now: datetime
) -> list[Finding]:
    """`activation`: one item of DescribeActivations' `ActivationList` (None when absent)."""
    check = f"SSM activation {intent.activation_id}"
    if activation is None:
        return [
            findings.fail(
                "identity",
                check,
                "the activation does not exist (deleted, or in another region)",
                "the hub stack declares it: `pulumi refresh` and `pulumi up` the hub",
            )
        ]
    limit = int(activation.get("RegistrationLimit") or 0)
    used = int(activation.get("RegistrationsCount") or 0)
    expires = activation.get("ExpirationDate")
    problems = []
    if activation.get("Expired") or (isinstance(expires, datetime) and expires <= now):
        problems.append(f"it expired on {_when(expires)}: new hosts cannot register")
    if limit and used >= limit:
        problems.append(f"all {limit} registrations are used: new hosts cannot register")
    if problems:
        return [findings.fail("identity", check, "; ".join(problems), _RENEW)]
    left = f"{limit - used} of {limit} registrations left, expires {_when(expires)}"
    if isinstance(expires, datetime) and expires - now <= ACTIVATION_WARN_BEFORE:
        return [findings.warn("identity", check, f"expires within a day: {left}", _RENEW)]
    return [findings.ok("identity", check, left)]


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, datetime) else str(value)
