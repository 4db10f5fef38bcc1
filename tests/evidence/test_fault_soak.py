"""A soak of the Palette providers against the emulator over real HTTP with faults on.

A seeded sequence of `OPERATIONS` creates, updates and deletes of hybrid node pools and cluster profiles,
while the emulator throttles (token buckets answering 429 with `Retry-After: 0` or `1`), answers 502-504,
answers slowly, drops connections before or after handling a request, and answers after the client has
given up (the request took effect, the answer came later than the client's timeout). Now and then a fault
outlasts the client's retries, so the operation fails: it must say how many attempts it made over how
long; then it is run again, as a user runs `pulumi up` again.

Afterwards the emulator holds exactly the intended pools (with their hosts and labels) and profile
versions: no duplicate, no orphan (no pool cluster, profile version or busy edge host left over). Bounded:
fast retries, a 0.2 s client timeout, and a request count checked at the end.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from eks_hybrid.components.errors import PaletteError
from eks_hybrid.components.palette import RetryPolicy
from eks_hybrid.components.palette import providers as p
from palette_emulator import EmulatorState, FaultRule, Faults, LiveServer
from tests.palette.conftest import ProviderFactory, hybrid_hub, register_hosts, where

from .conftest import record, record_max

SUITE = "faults (soak)"
OPERATIONS = 300
SEED = 16
POOL_SLOTS = 8
PROFILE_SLOTS = 4
HOSTS = 30
MAX_ATTEMPTS = 5
CLIENT_TIMEOUT = 0.2
LATE_BY = 0.3  # a late answer arrives this long after the request: after the client's timeout
MAX_REQUESTS = 25_000
RETRY = RetryPolicy(initial=0.01, maximum=0.1, max_attempts=MAX_ATTEMPTS)
GAVE_UP = re.compile(r"gave up after (\d+) attempts over (\d+\.\d)s")
PREFIXES = (
    "/v1/cloudconfigs",
    "/v1/clusterprofiles",
    "/v1/edgehosts",
    "/v1/spectroclusters",
    "/v1/dashboard",
)
PROFILE_BASE = {"os": {"providerImage": "r/x:1"}, "kubernetes": {"version": "1.31.0"}}


@dataclass
class Soak:
    """The intended state, the providers, and what happened."""

    live: LiveServer
    state: EmulatorState
    faults: Faults
    pool_provider: p.PaletteProvider
    profile_provider: p.PaletteProvider
    hub: dict[str, str]
    rng: random.Random
    pools: dict[str, dict[str, Any]] = field(default_factory=dict)  # slot -> outputs (Pulumi's state)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    injected: dict[str, list[FaultRule]] = field(
        default_factory=lambda: {"late": [], "lost after handling": []}
    )

    # --- one operation, run again (as `pulumi up` again) until it succeeds --------------------------------

    def run(self, kind: str, action: Any) -> Any:
        for attempt in range(1, 5):
            try:
                result = action()
            except PaletteError as exc:
                message = str(exc)
                found = GAVE_UP.search(message)
                assert found, f"{kind} failed without saying how many attempts over how long: {message}"
                assert int(found.group(1)) >= 2
                self.counts["operations that failed, each saying its attempts and time"] += 1
                self.counts["user re-runs after a failure"] += 1
                assert attempt < 4, f"{kind} kept failing: {message}"
                continue
            self.counts[kind] += 1
            return result
        raise AssertionError("unreachable")

    # --- pools ---------------------------------------------------------------------------------------------

    def free_hosts(self) -> list[str]:
        used = {h["uid"] for outs in self.pools.values() for h in outs["pool"]["edgeHosts"]}
        return [f"soak-host-{i:02d}" for i in range(HOSTS) if f"soak-host-{i:02d}" not in used]

    def pool_props(self, slot: str, hosts: list[str], labels: dict[str, str]) -> dict[str, Any]:
        return {
            **where(self.live),
            "cloudConfigUid": self.hub["cloud"],
            "profileUid": self.hub["profile"],
            "pool": {
                "name": slot,
                "architecture": "amd64",
                "edgeHosts": [{"uid": h} for h in hosts],
                "labels": labels,
            },
        }

    def pool_step(self) -> None:
        slot = f"soak-pool-{self.rng.randrange(POOL_SLOTS)}"
        free = self.free_hosts()
        if slot not in self.pools:
            hosts = self.rng.sample(free, k=min(len(free), self.rng.randint(1, 3)))
            if not hosts:
                return
            props = self.pool_props(slot, hosts, {"wave": str(self.rng.randint(1, 9))})
            created = self.run("pool creates", lambda: self.pool_provider.create(props))
            self.pools[slot] = created.outs
        elif self.rng.random() < 0.35:
            olds = self.pools[slot]
            self.run("pool deletes", lambda: self.pool_provider.delete(olds["poolUid"], olds))
            del self.pools[slot]
        else:
            olds = self.pools[slot]
            hosts = [h["uid"] for h in olds["pool"]["edgeHosts"]]
            if free and self.rng.random() < 0.5:
                hosts.append(self.rng.choice(free))
            elif len(hosts) > 1:
                hosts.remove(self.rng.choice(hosts))
            news = self.pool_props(slot, hosts, {"wave": str(self.rng.randint(1, 9))})
            news["profileUid"] = olds["profileUid"]
            updated = self.run("pool updates", lambda: self.pool_provider.update(olds["poolUid"], olds, news))
            self.pools[slot] = updated.outs

    # --- profiles ------------------------------------------------------------------------------------------

    def profile_step(self) -> None:
        slot = f"soak-profile-{self.rng.randrange(PROFILE_SLOTS)}"
        if slot not in self.profiles:
            props = {**where(self.live), "profile": {**PROFILE_BASE, "name": slot, "version": "1.0.0"}}
            created = self.run("profile creates", lambda: self.profile_provider.create(props))
            self.profiles[slot] = created.outs
        elif self.rng.random() < 0.35:
            olds = self.profiles[slot]
            self.run("profile deletes", lambda: self.profile_provider.delete(olds["profileUid"], olds))
            del self.profiles[slot]
        else:
            olds = self.profiles[slot]
            major, minor, patch = map(int, olds["profile"]["version"].split("."))
            news = {
                **where(self.live),
                "profile": {**olds["profile"], "version": f"{major}.{minor}.{patch + 1}"},
            }
            updated = self.run(
                "profile updates", lambda: self.profile_provider.update(olds["profileUid"], olds, news)
            )
            self.profiles[slot] = updated.outs

    # --- faults --------------------------------------------------------------------------------------------

    def inject(self) -> None:
        rng, add = self.rng, self.faults.add
        prefix = rng.choice(PREFIXES)
        if rng.random() < 0.35:
            add(FaultRule("status", path=prefix, status=rng.choice([502, 503, 504]), times=rng.randint(1, 2)))
        writes = rng.choice(["/v1/cloudconfigs", "/v1/clusterprofiles"])  # where the writes go
        if rng.random() < 0.15:
            method = rng.choice(["POST", "PUT", "DELETE", "PATCH"])
            rule = FaultRule("drop", path=writes, method=method, after_handling=rng.random() < 0.5)
            add(rule)
            if rule.after_handling:
                self.injected["lost after handling"].append(rule)
        if rng.random() < 0.15:
            add(FaultRule("delay", path=prefix, seconds=rng.uniform(0.02, 0.1), times=rng.randint(1, 3)))
        if rng.random() < 0.1:
            method = rng.choice(["POST", "PUT", "DELETE"])
            rule = FaultRule("delay", path=writes, method=method, seconds=LATE_BY, after_handling=True)
            add(rule)
            self.injected["late"].append(rule)
        if rng.random() < 0.05:  # outlasts the client's retries: the operation fails, then runs again
            add(FaultRule("status", path=prefix, status=503, times=MAX_ATTEMPTS + 1))


class CountingTransport(httpx.BaseTransport):
    """Real HTTP, every request counted (429s and injected errors included); shared by every client the
    providers build, so closing one of them leaves it open."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        """Closed once, by the test."""


def _configure(instance: p.PaletteProvider, transport: CountingTransport) -> p.PaletteProvider:
    instance.client_options = {"retry": RETRY, "timeout_seconds": CLIENT_TIMEOUT, "deadline_seconds": 30.0}
    instance.transport = transport
    return instance


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_providers_under_faults_end_in_the_intended_state_with_no_duplicate_or_orphan(
    provider: ProviderFactory, live: LiveServer, app: Any, state: EmulatorState
) -> None:
    hub = hybrid_hub(provider, live, {**PROFILE_BASE, "name": "hub-profile"}, cluster="edge-soak")
    register_hosts(state, *(f"soak-host-{i:02d}" for i in range(HOSTS)))
    faults: Faults = app.state.faults
    faults.rate_limit("/v1/cloudconfigs", burst=4, per_second=40, retry_after="0")
    faults.rate_limit("/v1/clusterprofiles", burst=3, per_second=30, retry_after="1")
    faults.rate_limit("/v1/edgehosts", burst=5, per_second=50, retry_after="0")
    transport = CountingTransport()
    soak = Soak(
        live,
        state,
        faults,
        _configure(provider(p.NodePoolProvider), transport),
        _configure(provider(p.ProfileProvider), transport),
        hub,
        random.Random(SEED),
    )
    started = time.monotonic()
    for _ in range(OPERATIONS):
        soak.inject()
        soak.pool_step() if soak.rng.random() < 0.6 else soak.profile_step()
    elapsed = time.monotonic() - started
    transport.inner.close()
    faults.clear()
    time.sleep(LATE_BY + 0.1)  # any late answer still held is delivered (to nobody) before we look

    # Pools: exactly the intended ones, with their hosts and labels; their clusters and hosts, nothing else.
    live_pools = {name: pool for (config, name), pool in state.pools.items() if config == hub["cloud"]}
    assert sorted(live_pools) == sorted(soak.pools)
    for slot, outs in soak.pools.items():
        assert [h["hostUid"] for h in live_pools[slot].edge_hosts] == [
            h["uid"] for h in outs["pool"]["edgeHosts"]
        ]
        assert live_pools[slot].pool_config.get("labels") is not None
    pool_clusters = {
        c.uid for c in state.clusters.values() if c.cloud_type == "edge-native" and not c.deleted
    }
    assert pool_clusters == {pool.cluster_uid for pool in live_pools.values()}, "orphaned pool clusters"
    busy = {uid for uid, host in state.edge_hosts.items() if host["status"]["state"] == "in-use"}
    assert busy == {h["uid"] for outs in soak.pools.values() for h in outs["pool"]["edgeHosts"]}

    # Profiles: one version per intended profile (plus the hub's), no duplicate name@version, no orphan.
    versions = Counter((prof.name, prof.version) for prof in state.profiles.values())
    assert all(count == 1 for count in versions.values()), f"duplicates: {versions}"
    intended = {(slot, outs["profile"]["version"]) for slot, outs in soak.profiles.items()}
    assert set(versions) == intended | {("hub-profile", "1.0.0")}, "orphaned or missing profile versions"

    fired = Counter(entry.split(" ", 1)[0] for entry in faults.fired)
    requests = transport.requests
    assert requests < MAX_REQUESTS
    assert fired["429"] and fired["status"] and fired["drop"] and fired["delay"]
    operations = sum(v for k, v in soak.counts.items() if k.startswith(("pool ", "profile ")))
    record(
        SUITE,
        **{
            "operations": operations,
            **soak.counts,
            "HTTP requests": requests,
            "faults fired: 429": fired["429"],
            "faults fired: 5xx": fired["status"],
            "faults fired: dropped connections": fired["drop"],
            "faults fired: slow or late answers": fired["delay"],
            "answers that came after the client gave up": sum(r.times == 0 for r in soak.injected["late"]),
            "answers lost after the request took effect": sum(
                r.times == 0 for r in soak.injected["lost after handling"]
            ),
            "duplicates": 0,
            "orphans": 0,
        },
    )
    record_max(SUITE, "wall seconds", round(elapsed))
