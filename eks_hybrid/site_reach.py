"""Which sites of each hub reach each other through AWS, read from the stack files planned together.

A site's path comes from its own stack file when one among them claims it (`site_claims.site_claim`):
its connectivity, routing and customer gateway ASN. A site of the hub's inventory that no stack claims
is known by its `routeVia` alone: `transitGateway` is a VPN on the transit gateway (planning its stack
refuses anything else), `site` any other path. The verdicts are `domain.reachability`'s; each pair that
does not reach the other, or that may not, becomes a note of `plan --all` (stderr and the JSON `notes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eks_hybrid.components.codes import Code
from eks_hybrid.components.config import SiteInventoryEntry
from eks_hybrid.components.config._site_checks import site_kind
from eks_hybrid.components.config.site import SiteSpec
from eks_hybrid.components.domain.reachability import (
    PairReach,
    SitePath,
    inventory_site_path,
    site_reachability,
)

from .site_claims import SITES_KEY, site_claim, stack_directory
from .stack_files import StackFile

SITE_KEY = "eks-hybrid:site"


def site_path(spec: SiteSpec) -> SitePath:
    """A site's path as its own stack file gives it."""
    vpn = spec.connectivity.site_to_site_vpn
    if spec.connectivity.type == "siteToSiteVpn" and vpn is not None:
        return SitePath(spec.name, site_kind(spec), vpn.routing, vpn.customer_gateway.bgp_asn)
    return SitePath(spec.name, site_kind(spec))


def inventory_path(name: str, entry: SiteInventoryEntry) -> SitePath:
    """A site's path as its hub's inventory alone gives it: on the transit gateway, or not known."""
    return inventory_site_path(name, entry.route_via)


@dataclass(frozen=True)
class ReachNote:
    """Two sites of hub `hub` that do not reach each other through AWS, or may not (`reach.verdict`)."""

    hub: str
    hub_file: str
    reach: PairReach

    @property
    def code(self) -> Code:
        assert self.reach.code is not None  # only pairs that are not reachable are noted
        return self.reach.code

    @property
    def message(self) -> str:
        first, second = self.reach.sites
        verdict = (
            "cannot reach each other through AWS"
            if self.reach.verdict == "unreachable"
            else "may not reach each other through AWS"
        )
        return (
            f"{self.hub_file}: {SITES_KEY}: sites {first} and {second} of hub {self.hub} {verdict}:"
            f" {self.reach.reason} (docs: concepts/site-reachability)"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "hub": self.hub,
            "site": self.reach.sites[0],
            "peer": self.reach.sites[1],
            "file": self.hub_file,
            "message": self.message,
        }


def hub_inventory(hub: StackFile) -> dict[str, SiteInventoryEntry]:
    """A hub stack file's inventory, entries that do not validate left out."""
    sites = hub.document.get(SITES_KEY)
    found: dict[str, SiteInventoryEntry] = {}
    for name, entry in (sites if isinstance(sites, dict) else {}).items():
        try:
            found[str(name)] = SiteInventoryEntry.model_validate(entry, by_alias=True, by_name=False)
        except ValidationError:
            continue  # planning the hub says what is wrong with it
    return found


def hub_site_paths(
    inventory: Mapping[str, SiteInventoryEntry], specs: Mapping[str, SiteSpec]
) -> list[SitePath]:
    """Every inventory site's path: from its stack's spec when there is one, else from the inventory."""
    return [
        site_path(specs[name]) if name in specs else inventory_path(name, entry)
        for name, entry in sorted(inventory.items())
    ]


def reach_notes(stacks: Iterable[StackFile]) -> list[ReachNote]:
    """For each hub among `stacks`, each pair of its sites that does not reach the other through AWS."""
    stacks = list(stacks)
    specs: dict[tuple[Path, str], dict[str, SiteSpec]] = {}
    for stack in stacks:
        claim = site_claim(stack)
        if claim is None:
            continue
        try:
            spec = SiteSpec.model_validate(stack.document.get(SITE_KEY), by_alias=True, by_name=False)
        except ValidationError:
            continue  # planning the site says what is wrong with it
        specs.setdefault((claim.directory, claim.hub), {})[claim.site] = spec
    notes = []
    for stack in sorted(stacks, key=lambda s: s.name):
        if stack.role != "hub":
            continue
        claimed = specs.get((stack_directory(stack), stack.name), {})
        paths = hub_site_paths(hub_inventory(stack), claimed)
        notes += [
            ReachNote(stack.name, stack.label, pair)
            for pair in site_reachability(paths)
            if not pair.reachable
        ]
    return notes
