"""The pure readings of Palette's progress (`components/palette/progress.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.palette.progress import hosts_progress, pool_entry, pool_progress, repave_progress


def machine(host: str, state: str = "Running", ready: bool = True, **status: Any) -> dict[str, Any]:
    return {
        "metadata": {"uid": f"m-{host}"},
        "spec": {"edgeHostUid": host},
        "status": {"instanceState": state, "ready": ready, **status},
    }


ENTRY = {"name": "p", "uid": "u", "clusterUid": "c", "cloudConfigUid": "cc", "status": {"state": "Running"}}


def test_pool_entry_finds_the_pool_by_name() -> None:
    assert pool_entry([{"name": "a"}, ENTRY], "p") is ENTRY
    assert pool_entry([{"name": "a"}], "p") is None


@pytest.mark.parametrize(
    ("machines", "text", "done"),
    [
        ([machine("h1"), machine("h2")], "2 of 2 hosts ready", True),
        ([machine("h1")], "1 of 2 hosts ready (h2 not listed yet)", False),
        (
            [machine("h1"), machine("h2", "Provisioning", False)],
            "1 of 2 hosts ready (h2 Provisioning)",
            False,
        ),
        ([machine("h1"), machine("h2", ready=False)], "1 of 2 hosts ready (h2 Running)", False),
        (
            [
                machine("h1"),
                machine("h2", ready=False, maintenanceStatus={"action": "repave", "state": "InProgress"}),
            ],
            "1 of 2 hosts ready (h2 repave)",
            False,
        ),
        # A machine ready but whose maintenance is still under way is not done.
        (
            [machine("h1"), machine("h2", maintenanceStatus={"action": "repave", "state": "InProgress"})],
            "1 of 2 hosts ready (h2 repave)",
            False,
        ),
        (
            [machine("h1"), machine("h2", maintenanceStatus={"state": "Completed"})],
            "2 of 2 hosts ready",
            True,
        ),
        # Machines of other hosts (leaving ones) do not count.
        ([machine("h1"), machine("h2"), machine("h9", "Deleting", False)], "2 of 2 hosts ready", True),
    ],
)
def test_hosts_progress(machines: list[dict[str, Any]], text: str, done: bool) -> None:
    assert hosts_progress(machines, ["h1", "h2"]) == (text, done, None)


def test_a_failed_machine_is_a_failure_naming_its_host() -> None:
    _, done, failure = hosts_progress([machine("h1"), machine("h2", "Failed", False)], ["h1", "h2"])
    assert not done and failure == "the machines of h2 failed"


def test_pool_progress_steps() -> None:
    assert pool_progress(None, None, [], ["h1"]).state == "not listed under the hub yet"
    unlinked = {"name": "p", "uid": "u", "status": {"state": "Pending"}}
    seen = pool_progress(unlinked, None, [], ["h1"])
    assert not seen.done and seen.failure is None and "create the pool's cluster" in seen.state
    provisioning = {**ENTRY, "status": {"state": "Provisioning"}}
    assert pool_progress(provisioning, None, [machine("h1")], ["h1"]) == pool_progress(
        provisioning, None, [], ["h1"]
    )
    assert not pool_progress(provisioning, None, [], ["h1"]).done
    assert not pool_progress(ENTRY, None, [], ["h1"]).done  # Running, its host not yet ready
    done = pool_progress(ENTRY, None, [machine("h1")], ["h1"])
    assert done.done and done.state == "Running, 1 of 1 hosts ready"


def test_a_pool_in_a_bad_state_fails_with_palettes_message() -> None:
    failed = {**ENTRY, "status": {"state": "Failed"}}
    cluster = {
        "status": {"conditions": [{"type": "Ready", "status": "False", "message": "nodeadm: no role"}]}
    }
    seen = pool_progress(failed, cluster, [], ["h1"])
    assert seen.failure == "nodeadm: no role"
    assert pool_progress(failed, None, [], ["h1"]).failure == "Palette reports no reason"


def _cluster(
    *, can: bool | None = True, packs: list[dict[str, Any]] | None = None, **status: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"state": "Running", **status}
    if can is not None:
        body["spcApply"] = {"canBeApplied": can}
    if packs is not None:
        body["packs"] = packs
    return {"status": body}


def pack(profile: str, status: str = "True", message: str = "") -> dict[str, Any]:
    return {
        "name": "edge-nodeadm",
        "profileUid": profile,
        "condition": {"type": "Ready", "status": status, "message": message},
    }


def test_repave_progress_steps() -> None:
    hosts = ["h1"]
    ready = [machine("h1")]
    assert repave_progress(None, ready, hosts, "new").failure is not None
    assert repave_progress(_cluster(can=False), ready, hosts, "new").state == "downloading the new profile"
    old = repave_progress(_cluster(packs=[pack("old"), pack("old")]), ready, hosts, "new")
    assert not old.done and "0 of 2 layers on the new profile" in old.state
    half = repave_progress(_cluster(packs=[pack("new"), pack("old")]), ready, hosts, "new")
    assert not half.done and "1 of 2 layers" in half.state
    busy = repave_progress(_cluster(packs=[pack("new")]), [machine("h1", ready=False)], hosts, "new")
    assert not busy.done
    bad = repave_progress(_cluster(packs=[pack("new", "False", "image pull failed")]), ready, hosts, "new")
    assert not bad.done and "edge-nodeadm: image pull failed" in bad.state
    done = repave_progress(_cluster(packs=[pack("new"), pack("new")]), ready, hosts, "new")
    assert done.done and done.state.startswith("on the new profile: 2 of 2 layers")
    # Palette reporting no pack status: the machines decide.
    assert repave_progress(_cluster(can=None), ready, hosts, "new").done
    pending = repave_progress(_cluster(packs=[pack("old")], repave={"state": "Pending"}), ready, hosts, "new")
    assert "repave pending approval in Palette" in pending.state


def test_a_cluster_in_a_bad_state_stops_the_repave_wait() -> None:
    failed = _cluster(state="Error", conditions=[{"status": "False", "message": "agent: disk full"}])
    assert repave_progress(failed, [], ["h1"], "new").failure == "agent: disk full"
