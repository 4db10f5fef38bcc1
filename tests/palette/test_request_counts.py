"""What a hybrid pool's lifecycle spends against Palette's rate limits: one key check per process (and one
again before a 404 is taken for absence), and no request an operation can do without (the counts and their
reasons: BENCHMARKS.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from eks_hybrid.components.palette import providers as p
from palette_emulator import EmulatorState, LiveServer

from .conftest import PROFILE, PROJECT, ProviderFactory, hybrid_hub, register_hosts

POOL = "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}"
KEY_CHECK = "/v1/dashboard/projects/metadata"
MACHINES = "GET /v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines"


def _spent(state: EmulatorState, since: int) -> Counter[str]:
    return Counter(f"{m} {path}" for m, path in state.operations[since:])


def test_a_pool_lifecycle_checks_the_key_once_and_reads_each_pool_once_per_step(
    provider: ProviderFactory, live: LiveServer, state: EmulatorState
) -> None:
    hub = hybrid_hub(provider, live, PROFILE)
    register_hosts(state, "edge-1", "edge-2")
    pools = provider(p.NodePoolProvider)
    props: dict[str, Any] = {
        "endpoint": live.url,
        "projectUid": PROJECT,
        "pollSeconds": 0,
        "cloudConfigUid": hub["cloud"],
        "clusterUid": hub["cluster"],
        "profileUid": hub["profile"],
        "pool": {"name": "dallas-workers", "architecture": "amd64", "edgeHosts": [{"uid": "edge-1"}]},
    }
    outs = pools.create(props).outs
    assert outs is not None
    start = len(state.operations)
    read = pools.read(outs["poolUid"], outs)
    # The pool, its edge-native config (its NTP servers) and its cluster (the profile attached to it, so a
    # switch in Palette's UI shows as drift): three reads, no key check.
    assert read.outs and _spent(state, start) == Counter(
        {
            f"GET {POOL}": 1,
            "GET /v1/cloudconfigs/edge-native/{configUid}": 1,
            "GET /v1/spectroclusters/{uid}": 1,
        }
    )
    start = len(state.operations)
    news = {**outs, "pool": {**props["pool"], "edgeHosts": [{"uid": "edge-1"}, {"uid": "edge-2"}]}}
    updated = pools.update(outs["poolUid"], outs, news).outs
    assert updated is not None and updated["poolClusterUid"] == outs["poolClusterUid"]
    assert updated["poolCloudConfigUid"] == outs["poolCloudConfigUid"]
    assert _spent(state, start)[f"GET {POOL}"] == 1  # the PUT keeps the pool's cluster: no second GET
    pools.delete(outs["poolUid"], updated)
    # Every provider call above built its own client; the key was checked by the first one (the hub's), and
    # again only where a 404 was about to be taken for absence (the create's adopt lookup, the delete's last
    # poll): a key revoked meanwhile may be answered 404 (palette-sdk-go#209). The read and the update
    # spent none.
    assert [path for _m, path in state.operations].count(KEY_CHECK) == 3
