"""Which site of which hub each site stack claims, among stacks planned together.

A site stack claims the site `eks-hybrid:site.name` of the hub `eks-hybrid:hub`. Two stacks claiming one
site would both deploy it: the same tunnel inside CIDRs on the hub's gateway (AWS requires them unique
per gateway), the same transit gateway routes, and the same node pools in the hub's Palette cluster.
A hub reference is resolved as the planner resolves it, to the stack file of its last part
(`org/project/example-hub` and `example-hub` are both `Pulumi.example-hub.yaml` of the stacks
directory), so two spellings of one hub are the same hub; stacks from different directories never
share a hub.

Claims are read from the stack files as written, before any stack is planned, so a refused pair leaves
nothing half-planned. A file too broken to say what it claims claims nothing here (it fails on its own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import PlanError, Problem, shown

from .stack_files import StackFile

SITE_NAME_KEY = "eks-hybrid:site.name"
SITES_KEY = "eks-hybrid:sites"


@dataclass(frozen=True)
class SiteClaim:
    """`stack` claims site `site` of the hub stack `hub` in `directory`."""

    stack: StackFile
    directory: Path
    hub: str
    site: str


@dataclass(frozen=True)
class UnclaimedSite:
    """A site of hub `hub`'s `eks-hybrid:sites` inventory that no stack planned with it claims."""

    hub: str
    site: str
    hub_file: str
    code: ClassVar[Code] = Code.SITE_WITHOUT_STACK

    @property
    def message(self) -> str:
        return (
            f"{self.hub_file}: {SITES_KEY}.{self.site}: no site stack among those planned claims site"
            f" {shown(self.site)} of hub {self.hub} ({SITE_NAME_KEY})"
        )

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "hub": self.hub,
            "site": self.site,
            "file": self.hub_file,
            "message": self.message,
        }


def stack_directory(stack: StackFile) -> Path:
    """The folder a stack file is in, resolved: how a site stack's claim and its hub's file are matched."""
    return stack.path.parent.resolve()


def site_claim(stack: StackFile) -> SiteClaim | None:
    """What `stack` claims, or None: a hub, or a site stack whose hub or site name is not a string."""
    site = stack.document.get("eks-hybrid:site")
    name = site.get("name") if isinstance(site, dict) else None
    if stack.role != "site" or stack.hub is None or not isinstance(name, str):
        return None
    return SiteClaim(stack, stack_directory(stack), stack.hub, name)


def claim_conflicts(stacks: Iterable[StackFile]) -> dict[Path, PlanError]:
    """Each stack file (by path) that claims a site another of `stacks` claims too, with the error that
    refuses it: one problem at its `eks-hybrid:site.name`, naming every stack file of the claim."""
    claims: dict[tuple[Path, str, str], dict[Path, SiteClaim]] = defaultdict(dict)
    for stack in stacks:
        claim = site_claim(stack)
        if claim is not None:  # the same file given twice (a name and a path) is one claim
            claims[(claim.directory, claim.hub, claim.site)].setdefault(stack.path.resolve(), claim)
    problems: dict[Path, list[Problem]] = defaultdict(list)
    for (_, hub, site), by_file in claims.items():
        if len(by_file) < 2:
            continue
        labels = sorted(claim.stack.label for claim in by_file.values())
        rule = (
            f"site {shown(site)} of hub {hub} is claimed by {len(labels)} stacks ({', '.join(labels)}):"
            " one site stack per site, or they would deploy the same tunnel inside CIDRs, transit gateway"
            " routes and Palette node pools; give each stack its own site"
        )
        for path, claim in by_file.items():
            problems[path].append(Problem(claim.stack.label, SITE_NAME_KEY, rule, Code.SITE_CLAIMED_TWICE))
    for path, problem in _pool_name_problems(
        claim for by_file in claims.values() for claim in by_file.values()
    ):
        problems[path].append(problem)
    return {path: PlanError(found) for path, found in problems.items()}


def _pool_names(stack: StackFile) -> list[tuple[int, str]]:
    """(index, name) of each node pool `stack` declares (`eks-hybrid:site.nodePools[].name`)."""
    site = stack.document.get("eks-hybrid:site")
    pools = site.get("nodePools") if isinstance(site, dict) else None
    if not isinstance(pools, list):
        return []
    return [
        (index, pool["name"])
        for index, pool in enumerate(pools)
        if isinstance(pool, dict) and isinstance(pool.get("name"), str)
    ]


def _pool_name_problems(claims: Iterable[SiteClaim]) -> list[tuple[Path, Problem]]:
    """A node pool name two sites of one hub both use: every site's pools are created under the hub's one
    AWS cloud config and addressed by name there (Palette API
    `/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}`), so the two would be
    one Palette pool. Each stack naming it is refused at that pool's name."""
    users: dict[tuple[Path, str, str], dict[str, list[tuple[SiteClaim, int]]]] = defaultdict(dict)
    for claim in claims:
        for index, name in _pool_names(claim.stack):
            users[(claim.directory, claim.hub, name)].setdefault(claim.site, []).append((claim, index))
    found: list[tuple[Path, Problem]] = []
    for (_, hub, name), by_site in users.items():
        if len(by_site) < 2:
            continue
        sites = ", ".join(shown(site) for site in sorted(by_site))
        example = shown(f"{sorted(by_site)[0]}-{name}")
        rule = (
            f"node pool {shown(name)} is named by sites {sites} of hub {hub}: a hub's Palette pools are"
            " addressed by name, so the sites would share one pool and replace each other's hosts; give each"
            f" site's pool its own name (e.g. prefixed with the site: {example})"
        )
        for entries in by_site.values():
            for claim, index in entries:
                path = f"{SITE_NAME_KEY.rsplit('.', 1)[0]}.nodePools[{index}].name"
                found.append(
                    (claim.stack.path.resolve(), Problem(claim.stack.label, path, rule, Code.POOL_NAME_TAKEN))
                )
    return found


def unclaimed_sites(stacks: Iterable[StackFile]) -> list[UnclaimedSite]:
    """Every site in a hub's inventory that no site stack among `stacks` claims, by hub then site."""
    stacks = list(stacks)
    claimed = {
        (claim.directory, claim.hub, claim.site)
        for claim in (site_claim(stack) for stack in stacks)
        if claim is not None
    }
    unclaimed = []
    for stack in stacks:
        inventory = stack.document.get(SITES_KEY)
        if stack.role != "hub" or not isinstance(inventory, dict):
            continue
        unclaimed += [
            UnclaimedSite(stack.name, str(site), stack.label)
            for site in sorted(inventory, key=str)
            if (stack_directory(stack), stack.name, str(site)) not in claimed
        ]
    return sorted(unclaimed, key=lambda note: (note.hub, note.site))
