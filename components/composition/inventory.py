"""A site's view of its hub: the hub stack's exports, read before any of the site's resources exist."""

from __future__ import annotations

from typing import Any

import pulumi
from pydantic import ValidationError

from .._sdk_private import wait
from ..config.hub_outputs import HUB_INVENTORY_OUTPUTS, HUB_PALETTE_OUTPUTS, HubInventory, HubPalette
from ..errors import PlanError, Problem

HUB_OUTPUTS_KEY = "eks-hybrid:hub"


def read_outputs(reference: pulumi.StackReference, names: tuple[str, ...]) -> dict[str, Any]:
    """The named outputs' values, resolved now (secret values included, unwrapped).

    A site must check itself against the hub before declaring anything; declaring resources inside
    `apply` would hide them from previews. Stack reference outputs are known in previews too.
    """
    values: dict[str, Any] = {}
    for name in names:
        details = wait(reference.get_output_details(name))
        value = details.value if details.value is not None else details.secret_value
        if value is not None:
            values[name] = value
    return values


def hub_inventory(reference: pulumi.StackReference, hub: str, file: str, site: str) -> HubInventory:
    """The hub's facts and `site`'s own inventory entry (the others are not read: planning stays linear).

    A `PlanError` names what is missing if the hub has not exported it yet.
    """
    values = read_outputs(reference, HUB_INVENTORY_OUTPUTS)
    all_sites = values.get("sites")
    if isinstance(all_sites, dict):
        values["sites"] = {site: all_sites[site]} if site in all_sites else {}
        values["siteCount"] = max(1, len(all_sites))
    try:
        return HubInventory.model_validate(values)
    except ValidationError as exc:
        missing = sorted({str(error["loc"][0]) for error in exc.errors()})
        raise PlanError(
            Problem(
                file,
                HUB_OUTPUTS_KEY,
                f"hub stack {hub} does not export {name} as eks-hybrid expects: run `pulumi up` on the hub"
                " with this version of eks-hybrid first",
            )
            for name in missing
        ) from exc


def hub_palette(reference: pulumi.StackReference, hub: str, file: str) -> HubPalette:
    """Where the site's node pools go in Palette; a `PlanError` if the hub does not manage Palette."""
    values = read_outputs(reference, HUB_PALETTE_OUTPUTS)
    try:
        return HubPalette.model_validate(values)
    except ValidationError as exc:
        raise PlanError(
            [
                Problem(
                    file,
                    "eks-hybrid:site.nodePools",
                    f"node pools live in the hub's Palette cluster, and hub stack {hub} exports no Palette"
                    " cluster (add eks-hybrid:palette to the hub and `pulumi up` it first)",
                )
            ]
        ) from exc
