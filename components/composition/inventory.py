"""A site's view of its hub: the hub stack's exports, read before any of the site's resources exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import ValidationError

from .._sdk_private import wait
from ..codes import Code
from ..config.site import SiteConfig
from ..domain.hub_outputs import (
    HUB_INVENTORY_OUTPUTS,
    HUB_PALETTE_OUTPUTS,
    HUB_SITE_BGP_OUTPUTS,
    LEGACY_SITES,
    SITE_INVENTORY,
    HubInventory,
    HubPalette,
    site_view,
)
from ..domain.palette import ProfileChoice, profile_choice
from ..errors import PlanError, Problem

HUB_OUTPUTS_KEY = "eks-hybrid:hub"


HUB_SITE_OUTPUTS = (*HUB_INVENTORY_OUTPUTS, LEGACY_SITES, *HUB_PALETTE_OUTPUTS, *HUB_SITE_BGP_OUTPUTS)
"""Every output a site reads from its hub (`sites`: the inventory of hubs planned with eks-hybrid 0.2)."""


def read_outputs(
    reference: pulumi.StackReference, names: tuple[str, ...] = HUB_SITE_OUTPUTS
) -> dict[str, Any]:
    """The named outputs' values, resolved now, in one wait (secret values included, unwrapped).

    A site must check itself against the hub before declaring anything; declaring resources inside
    `apply` would hide them from previews. Stack reference outputs are known in previews too. The whole
    `outputs` map is read once (a StackReference holds every output of its hub anyway) instead of an Output
    per name.
    """

    async def everything() -> Any:
        return await reference.outputs.future()

    found = wait(everything())
    outputs: dict[str, Any] = found if isinstance(found, dict) else {}
    return {name: outputs[name] for name in names if outputs.get(name) is not None}


def hub_inventory(outputs: Mapping[str, Any], hub: str, file: str, site: str) -> HubInventory:
    """The hub's facts and `site`'s own inventory entry, from the hub's outputs (`read_outputs`).

    A `PlanError` names what is missing if the hub has not exported it yet.
    """
    values = site_view(
        {k: v for k, v in outputs.items() if k in (*HUB_INVENTORY_OUTPUTS, LEGACY_SITES)}, site
    )
    try:
        return HubInventory.model_validate(values)
    except ValidationError as exc:
        # A site validates its own entry of the inventory as `sites`; the hub exports it as `siteInventory`.
        missing = sorted(
            {SITE_INVENTORY if e["loc"][0] == "sites" else str(e["loc"][0]) for e in exc.errors()}
        )
        raise PlanError(
            Problem(
                file,
                HUB_OUTPUTS_KEY,
                f"hub stack {hub} does not export {name} as eks-hybrid expects: run `pulumi up` on the hub"
                " with this version of eks-hybrid first",
                Code.HUB_OUTPUTS_MISSING,
            )
            for name in missing
        ) from exc


def site_profile(site: SiteConfig, palette: HubPalette, file: str) -> ProfileChoice:
    """The profile version the site's pools run (`profile_choice`); a `PlanError` naming both stacks' keys
    when the site pins a version its hub does not publish."""
    pinned = site.site.palette_profile_version
    choice = profile_choice(pinned, palette.profile_uid, palette.profile_versions)
    if isinstance(choice, ProfileChoice):
        return choice
    raise PlanError(
        [
            Problem(
                file,
                "eks-hybrid:site.paletteProfileVersion",
                f"is {pinned}, but {choice}: pin a version hub stack {site.hub} publishes"
                " (eks-hybrid:palette.profile.version, or one it keeps while pools use it), or `newest`",
                Code.PROFILE_VERSION_NOT_PUBLISHED,
            )
        ]
    )


def hub_palette(outputs: Mapping[str, Any], hub: str, file: str) -> HubPalette:
    """Where the site's node pools go in Palette; a `PlanError` if the hub does not manage Palette."""
    try:
        return HubPalette.model_validate({k: v for k, v in outputs.items() if k in HUB_PALETTE_OUTPUTS})
    except ValidationError as exc:
        raise PlanError(
            [
                Problem(
                    file,
                    "eks-hybrid:site.nodePools",
                    f"node pools live in the hub's Palette cluster, and hub stack {hub} exports no Palette"
                    " cluster (add eks-hybrid:palette to the hub and `pulumi up` it first)",
                    Code.HUB_WITHOUT_PALETTE,
                )
            ]
        ) from exc
