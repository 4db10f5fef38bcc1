"""The Palette side of "Upgrade from 1.34 to 1.36" (docs/guides/upgrade.md, "Upgrade an estate"), played
against the emulator with Palette's own timing (a pool up in 15 minutes, a repave in an hour): a hub and three
sites, the control plane moved one minor at a time, the hybrid nodes moved by a new profile version site by
site. At every step: the estate is within AWS's skew policy (hybrid nodes at most three minors behind the
control plane, never ahead), exactly one site's pools change in a site step, and an old profile version is
deleted only once no pool uses it.

The control-plane steps are config changes the EKS side carries out (`cluster.kubernetesVersion`, one minor
at a time); here they move the version the skew is judged against. `UPGRADE_STEPS` is the guide's list of
steps, and the test plays exactly those.
"""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.domain.versions import node_skew_problem
from eks_hybrid.components.errors import PaletteError
from eks_hybrid.components.palette import providers as p
from palette_emulator import EmulatorState, LiveServer
from palette_emulator.catalog import NODEADM_VALUES, PUBLIC_REPO, PackVersion
from palette_emulator.timing import Timing, VirtualClock

from .conftest import PROJECT, ProviderFactory, hybrid_cluster

SITES = ("austin", "dallas", "denver")
POLL_SECONDS = 15.0
PALETTE = Timing()
# A tenant whose registry has nodeadm for the new minors: Palette publishes nodeadm packs after EKS ships a
# minor [I: public sources list nodeadm up to 1.32.0 today, so the later ones are this test's tenant's].
NODEADM = ("1.32.0", "1.35.0", "1.36.0")

# The guide's steps, in order: (what changes, its argument).
UPGRADE_STEPS: tuple[tuple[str, str], ...] = (
    ("control-plane", "1.35"),
    ("publish-profile", "1.35.0"),
    *(("move-site", site) for site in SITES),
    ("retire-old-profile", ""),
    ("control-plane", "1.36"),
    ("publish-profile", "1.36.0"),
    *(("move-site", site) for site in SITES),
    ("retire-old-profile", ""),
)


def _profile(version: str, nodeadm: str) -> dict[str, Any]:
    return {
        "name": "eks-hybrid-nodes",
        "version": version,
        "os": {"providerImage": f"registry.example.com/edge/ubuntu:nodeadm-{nodeadm}-v4.5.21-eks-hybrid"},
        "kubernetes": {"version": nodeadm},
    }


class Estate:
    """The hub's profile and the sites' pools as Pulumi holds them (each resource's last outputs)."""

    def __init__(self, provider: ProviderFactory, live: LiveServer, state: EmulatorState) -> None:
        self.provider, self.state = provider, state
        self.where = {"endpoint": live.url, "projectUid": PROJECT, "pollSeconds": POLL_SECONDS}
        self.control_plane = "1.34"
        self.profile_id = ""
        self.profile: dict[str, Any] = {}
        self.pools: dict[str, dict[str, Any]] = {}
        self.hub_cluster = ""

    def nodes(self) -> dict[str, str]:
        """Each site's hybrid nodes' Kubernetes version: the nodeadm layer of the profile its pool's cluster
        runs, read from Palette."""
        found = {}
        for site, outs in self.pools.items():
            cluster = self.state.clusters[outs["poolClusterUid"]]
            [profile_uid] = cluster.profile_uids
            packs = (self.state.profiles[profile_uid].published or {})["packs"]
            found[site] = next(pack["tag"] for pack in packs if pack["name"] == "edge-nodeadm")
        return found

    def skew_problems(self) -> list[str]:
        return [
            f"{site}: {problem}"
            for site, node in self.nodes().items()
            if (problem := node_skew_problem(self.control_plane, node))
        ]

    def pool_states(self) -> dict[str, tuple[str, ...]]:
        """What Palette holds for each site's pool: its cluster's profiles and its hosts."""
        return {
            site: (
                *self.state.clusters[outs["poolClusterUid"]].profile_uids,
                *sorted(
                    h["hostUid"]
                    for h in self.state.pools[(outs["cloudConfigUid"], site + "-workers")].edge_hosts
                ),
            )
            for site, outs in self.pools.items()
        }


@pytest.fixture
def estate(provider: ProviderFactory, live: LiveServer, state: EmulatorState) -> Estate:
    state.timing = PALETTE
    public = next(uid for uid, r in state.catalog.registries.items() if r["name"] == PUBLIC_REPO)
    state.catalog.add_pack(
        public, "edge-nodeadm", "k8s", [PackVersion(v, NODEADM_VALUES) for v in NODEADM], "Nodeadm"
    )
    estate = Estate(provider, live, state)
    where = estate.where
    hub_cluster, cloud = hybrid_cluster(
        provider,
        live,
        node_cidrs=[f"10.{200 + i}.0.0/16" for i in range(len(SITES))],
        pod_cidrs=[f"10.{210 + i}.0.0/16" for i in range(len(SITES))],
        poll_seconds=POLL_SECONDS,
    )
    estate.hub_cluster = hub_cluster
    created = provider(p.ProfileProvider).create({**where, "profile": _profile("1.0.0", "1.32.0")})
    assert created.outs is not None
    estate.profile_id, estate.profile = created.id, created.outs
    for index, site in enumerate(SITES):
        hosts = [f"edge-{site}-{n}" for n in (1, 2)]
        for host in hosts:
            state.register_edge_host(
                host, project=PROJECT, address=f"10.{200 + index}.0.{hosts.index(host) + 10}"
            )
        pool = provider(p.NodePoolProvider).create(
            {
                **where,
                "cloudConfigUid": cloud,
                "clusterUid": hub_cluster,
                "profileUid": created.outs["profileUid"],
                "site": site,
                "pool": {
                    "name": f"{site}-workers",
                    "architecture": "amd64",
                    "edgeHosts": [{"uid": h} for h in hosts],
                    "labels": {"eks-hybrid/site": site},
                },
            }
        )
        assert pool.outs is not None
        estate.pools[site] = pool.outs
    return estate


def _published(estate: Estate) -> dict[str, str]:
    """The versions the hub publishes (`paletteProfileVersions`), from its profile's outputs."""
    return {
        **estate.profile["retainedVersions"],
        estate.profile["profile"]["version"]: estate.profile["profileUid"],
    }


def test_an_estate_upgraded_from_1_34_to_1_36_site_by_site(
    estate: Estate, state: EmulatorState, clock: VirtualClock, provider: ProviderFactory
) -> None:
    profiles = provider(p.ProfileProvider)
    assert estate.skew_problems() == [] and set(estate.nodes().values()) == {"1.32.0"}
    version = 1
    for step, argument in UPGRADE_STEPS:
        before = estate.pool_states()
        if step == "control-plane":
            assert node_skew_problem(argument, max(estate.nodes().values())) is None
            # Moving the control plane past the nodes' skew is what the guide's order prevents.
            estate.control_plane = argument
            assert estate.pool_states() == before
        elif step == "publish-profile":
            version += 1
            news = {**estate.where, "profile": _profile(f"1.{version - 1}.0", argument)}
            old_version = estate.profile["profile"]["version"]
            news["keepVersions"] = [old_version]  # sites pin the old version until each moves
            outs = profiles.update(estate.profile_id, estate.profile, news).outs
            assert outs is not None
            estate.profile = outs
            assert sorted(_published(estate)) == sorted([old_version, f"1.{version - 1}.0"])
            assert estate.pool_states() == before  # publishing repaves nobody
        elif step == "move-site":
            outs = estate.pools[argument]
            target = estate.profile["profileUid"]
            started = clock.now()
            moved = (
                provider(p.NodePoolProvider)
                .update(outs["poolUid"], outs, {**outs, "profileUid": target})
                .outs
            )
            assert moved is not None
            estate.pools[argument] = moved
            assert clock.now() - started >= PALETTE.repave  # done when its nodes are, not at the download
            after = estate.pool_states()
            changed = [site for site in SITES if after[site] != before[site]]
            assert changed == [argument], f"{step} {argument} changed {changed}"
        elif step == "retire-old-profile":
            old = {v: u for v, u in estate.profile["retainedVersions"].items()}
            news = {**estate.where, "profile": estate.profile["profile"], "keepVersions": []}
            in_use = {
                u
                for outs in estate.pools.values()
                for u in state.clusters[outs["poolClusterUid"]].profile_uids
            }
            assert not set(old.values()) & in_use  # every site has moved off them
            outs = profiles.update(estate.profile_id, estate.profile, news).outs
            assert outs is not None
            estate.profile = outs
            assert outs["retainedVersions"] == {} and not set(old.values()) & set(state.profiles)
        assert estate.skew_problems() == [], f"after {step} {argument}: {estate.skew_problems()}"
    assert estate.control_plane == "1.36" and set(estate.nodes().values()) == {"1.36.0"}
    assert list(state.profiles) == [estate.profile["profileUid"]]


def test_the_old_version_stays_while_a_site_has_not_moved(
    estate: Estate, state: EmulatorState, provider: ProviderFactory
) -> None:
    profiles = provider(p.ProfileProvider)
    old_uid = estate.profile["profileUid"]
    news = {**estate.where, "profile": _profile("1.1.0", "1.35.0"), "keepVersions": ["1.0.0"]}
    outs = profiles.update(estate.profile_id, estate.profile, news).outs
    assert outs is not None
    austin = estate.pools["austin"]
    provider(p.NodePoolProvider).update(
        austin["poolUid"], austin, {**austin, "profileUid": outs["profileUid"]}
    )
    # Dropped from the keep list too early: dallas and denver still run 1.0.0, so Palette keeps it.
    dropped = profiles.update(estate.profile_id, outs, {**news, "keepVersions": []}).outs
    assert (
        dropped is not None
        and dropped["retainedVersions"] == {"1.0.0": old_uid}
        and old_uid in state.profiles
    )
    # And the hub cannot be destroyed under them.
    with pytest.raises(PaletteError, match="destroy the site stacks first"):
        profiles.delete(estate.profile_id, dropped)
