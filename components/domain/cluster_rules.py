"""Rules of the EKS cluster hybrid nodes join, worded once for the stack files and the components alike:
each takes the name of the key or argument it speaks of."""

from __future__ import annotations

from collections.abc import Sequence

from ..codes import Code
from ..errors import Reason, shown
from .defaults import AUTHENTICATION_MODES, OPEN_TO_THE_INTERNET


def public_endpoint_problem(
    endpoint_access: str, public_access_cidrs: Sequence[str] | None, *, key: str = "publicAccessCidrs"
) -> Reason | None:
    """Why the public access CIDRs (the key or argument `key`) do not fit the endpoint: a public endpoint
    only with the networks allowed to reach it, `0.0.0.0/0` only when written out (EKS's default is
    0.0.0.0/0); a private endpoint with none."""
    if endpoint_access == "public" and not public_access_cidrs:
        return Reason(
            Code.PUBLIC_ACCESS_CIDRS_REQUIRED,
            f"a public endpoint needs {key}, the networks allowed to reach it (EKS's default is"
            f" {OPEN_TO_THE_INTERNET}, the whole internet: write [{OPEN_TO_THE_INTERNET}] to choose that"
            " explicitly)",
        )
    if endpoint_access == "private" and public_access_cidrs:
        return Reason(
            Code.PUBLIC_ACCESS_CIDRS_UNUSED,
            f"the endpoint is private, so {key} has nothing to restrict: remove it",
        )
    return None


def authentication_mode_problem(mode: object) -> Reason | None:
    """Why hybrid nodes cannot join a cluster authenticating with `mode` (they need access entries)."""
    if mode in AUTHENTICATION_MODES:
        return None
    return Reason(
        Code.AUTHENTICATION_MODE,
        f"authentication mode must be {' or '.join(AUTHENTICATION_MODES)}: hybrid nodes reject {shown(mode)}",
    )
