"""Requests a hybrid node pool costs in Palette, and paging 1,000 edge hosts (run: `make bench`).

Against the Palette emulator over real HTTP on 127.0.0.1 (`palette_emulator`), with Palette's own timing on
a virtual clock (a pool up in 15 minutes, a host joining in 10, a delete in 2) and the provider polling every
POLL_SECONDS as `PaletteNodePools` does, the dynamic provider's create, read, update (one host added) and
delete of a one-host pool are counted request by request. The floor of each is what the operation itself
needs: one call (the POST, the GET, the PUT, the DELETE) plus the polls that wait for Palette (a poll reads
the hub's pool listing, and the pool's machines once it runs). Then 1,000 registered
edge hosts are listed through `PaletteApi.search_edge_hosts`, Palette's page limit being 50 (the spec's
`limit` maximum): the floor is 20 pages. Each provider call builds its own client, as under Pulumi; the key
check (`GET /v1/dashboard/projects/metadata`) is made once per process, and the count of them is printed.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO, REPO / "benchmarks"):  # the package, and the benchmarks' shared `_palette_hub`
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


from _palette_hub import PROJECT, hybrid_hub, provider  # noqa: E402

from eks_hybrid.components.palette import PaletteApi, PaletteClient  # noqa: E402
from eks_hybrid.components.palette import providers as p  # noqa: E402
from palette_emulator import EmulatorState, LiveServer, create_app  # noqa: E402
from palette_emulator.timing import VirtualClock  # noqa: E402

API_KEY = "bench-key-0123456789"
POLL_SECONDS = 15.0
HOSTS = 1000
PAGE_LIMIT = 50
POOL_PATH = "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"
KEY_CHECK = "GET /v1/dashboard/projects/metadata"
HUB_LISTING = "GET /v1/spectroclusters/{uid}/hybridPools/metadata"
MACHINES = "GET /v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines"
PROFILE = {
    "name": "eks-hybrid-nodes",
    "version": "1.0.0",
    "os": {
        "pack": "edge-native-byoi",
        "tag": "2.1.0",
        "providerImage": "registry.example.com/edge/ubuntu:nodeadm-1.32.0-v4.5.21-eks-hybrid",
    },
    "kubernetes": {"pack": "edge-nodeadm", "version": "1.32.0"},
}


CLOCK = VirtualClock()


def _provider(cls: type[p.PaletteProvider], url: str) -> p.PaletteProvider:
    return provider(cls, url, API_KEY, CLOCK)


def _pool(name: str, hosts: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "architecture": "amd64",
        "edgeHosts": [{"uid": uid} for uid in hosts],
        "labels": {"eks-hybrid/site": "bench"},
    }


class Counted:
    """The requests the emulator received while a block ran, by operation."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.operations: Counter[str] = Counter()

    def __enter__(self) -> Counted:
        self._start = len(self.state.operations)
        return self

    def __exit__(self, *_: Any) -> None:
        self.operations = Counter(f"{m} {path}" for m, path in self.state.operations[self._start :])

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    def polls(self) -> int:
        return self.operations[HUB_LISTING] + self.operations[MACHINES]


def pool_lifecycle(url: str, state: EmulatorState) -> list[tuple[str, Counted, int]]:
    """(operation, what it cost, its floor) for create, read, update and delete of one pool."""
    where = {"endpoint": url, "projectUid": PROJECT, "pollSeconds": POLL_SECONDS}
    identity = {
        "provider": "iamRolesAnywhere",
        "roleArn": "arn:aws:iam::123456789012:role/bench-node-identity-role",
        "trustAnchorArn": "arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/ta",
        "profileArn": "arn:aws:rolesanywhere:us-west-2:123456789012:profile/pr",
        "rootCaCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        "rootCaPrivateKey": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
    }
    cloud, profile_uid, cluster = hybrid_hub(url, API_KEY, "bench", identity, PROFILE, CLOCK)
    for uid in ("edge-bench-1", "edge-bench-2"):
        state.register_edge_host(uid, project=PROJECT, arch="amd64")
    props = {
        **where,
        "cloudConfigUid": cloud,
        "clusterUid": cluster,
        "profileUid": profile_uid,
        "pool": _pool("bench-workers", ["edge-bench-1"]),
    }
    pools = _provider(p.NodePoolProvider, url)
    results: list[tuple[str, Counted, int]] = []
    with Counted(state) as created:
        outs = pools.create(props).outs
    assert outs is not None
    results.append(("create", created, 1 + created.polls()))
    with Counted(state) as read:
        pools.read(outs["poolUid"], outs)
    results.append(("read", read, 1))
    news = {**outs, "pool": _pool("bench-workers", ["edge-bench-1", "edge-bench-2"])}
    with Counted(state) as updated:
        outs = pools.update(outs["poolUid"], outs, news).outs
    assert outs is not None
    results.append(("update (a host added)", updated, 1 + updated.polls()))
    with Counted(state) as deleted:
        pools.delete(outs["poolUid"], outs)
    # A delete waits on the pool's own GET: every one after the owner check is a poll.
    results.append(("delete", deleted, 1 + deleted.operations[f"GET {POOL_PATH}"] - 1))
    return results


def page_hosts(url: str, state: EmulatorState) -> tuple[int, int, float]:
    """(hosts listed, requests, seconds) for listing HOSTS edge hosts."""
    for index in range(HOSTS):
        state.register_edge_host(f"edge-page-{index:04d}", project=PROJECT, arch="arm64")
    with PaletteClient(url, API_KEY, PROJECT) as client, Counted(state) as paged:
        start = time.perf_counter()
        hosts = PaletteApi(client).search_edge_hosts({"architecture": ["arm64"]}, limit=PAGE_LIMIT)
        seconds = time.perf_counter() - start
    return len(hosts), paged.total, seconds


def main() -> None:
    app = create_app(api_key=API_KEY, clock=CLOCK.now)  # Palette's own timing
    state: EmulatorState = app.state.emulator
    with LiveServer(app) as server, Counted(state) as everything:
        lifecycle = pool_lifecycle(server.url, state)
        listed, pages, seconds = page_hosts(server.url, state)
    print(
        "Palette requests per hybrid node pool (emulator on 127.0.0.1 with Palette's timing, polled every"
        f" {POLL_SECONDS:g} s)"
    )
    print(f"{'operation':24} {'requests':>8} {'floor':>6}  requests by operation")
    for name, counted, floor in lifecycle:
        detail = ", ".join(f"{op} x{n}" for op, n in sorted(counted.operations.items()))
        print(f"{name:24} {counted.total:>8} {floor:>6}  {detail}")
    floor_pages = math.ceil(HOSTS / PAGE_LIMIT)
    print(
        f"paging {listed} edge hosts: {pages} requests (floor {floor_pages}, {PAGE_LIMIT} a page),"
        f" {seconds:.2f} s"
    )
    print(f"key checks in the whole run ({everything.total} requests): {everything.operations[KEY_CHECK]}")
    if state.contract_violations:
        raise SystemExit(
            "the emulator answered outside the Palette spec:\n" + "\n".join(state.contract_violations)
        )


if __name__ == "__main__":
    main()
