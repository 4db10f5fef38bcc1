"""Pure readings of Palette's progress on a hybrid pool: is the work a `pulumi up` started done yet?

Palette answers a pool create, a host added and a profile swap at once and works afterwards (Spectro's
docs, create-hybrid-node-pools.md: a pool "will take up to 15 minutes"; cluster profile updates: a repave
"can take up to one hour"). What says the work is done, from the API spec (SPEC, palette-sdk-go
`api/spec/palette-apis-spec.json`):

- the pool: its entry in `GET /v1/spectroclusters/{hub}/hybridPools/metadata` (`v1HybridMachinePool`): the
  pool's `uid`, its child cluster (`clusterUid`, `cloudConfigUid`) once Palette has linked it, and
  `status.state`;
- its hosts: the child's machines, `GET /v1/cloudconfigs/edge-native/{config}/machinePools/{pool}/machines`
  (`v1EdgeNativeMachine`): `status.instanceState` Running and `status.ready` for every listed host, with no
  maintenance under way (`status.maintenanceStatus`);
- a profile swap: the child cluster's `status.spcApply.canBeApplied` (the Terraform provider's
  `waitForProfileDownload` stops there), then its `status.packs` (`v1ClusterPackStatus.profileUid`) naming
  the new profile with no pack condition `False`, and every machine ready again [I: which profile a pack's
  status names during the repave is not public].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._waits import Observation
from .decisions import TERMINAL_BAD_STATES, condition_message

__all__ = ["hosts_progress", "pool_entry", "pool_progress", "repave_progress"]

RUNNING = "Running"
# `v1MachineMaintenanceStatus.state` values that mean the maintenance is over [I: the values are not public;
# anything else is read as under way].
MAINTENANCE_OVER = frozenset({"", "Completed", "Complete", "Succeeded", "Success", "Done"})
# SPEC v1ClusterRepaveState: Pending | Approved | Reverted; `PATCH /v1/spectroclusters/{uid}/repave/approve`
# approves a pending repave (a cluster set to pause for approval) [I: that `Pending` is only shown while a
# repave waits for approval].
REPAVE_PENDING = "Pending"


def pool_entry(pools: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    """The pool `name` among a hub's `hybridPools` (SPEC `v1HybridMachinePool`), or None."""
    return next((p for p in pools if p.get("name") == name), None)


def _machine_ready(machine: Mapping[str, Any]) -> bool:
    status = machine.get("status") or {}
    maintenance = str((status.get("maintenanceStatus") or {}).get("state") or "")
    return (
        status.get("instanceState") == RUNNING
        and status.get("ready") is True
        and maintenance in MAINTENANCE_OVER
    )


def hosts_progress(
    machines: Sequence[Mapping[str, Any]], hosts: Sequence[str]
) -> tuple[str, bool, str | None]:
    """(what the hosts are doing, whether every one of `hosts` has a ready machine, a failure or None).

    Machines are matched to hosts by `spec.edgeHostUid`; a host without a machine is still joining."""
    by_host = {str((m.get("spec") or {}).get("edgeHostUid")): m for m in machines}
    ready, busy, failed = [], [], []
    for host in hosts:
        machine = by_host.get(host)
        status = (machine or {}).get("status") or {}
        if machine is not None and status.get("instanceState") == "Failed":
            failed.append(host)
        elif machine is not None and _machine_ready(machine):
            ready.append(host)
        else:
            maintenance = (status.get("maintenanceStatus") or {}).get("action")
            state = status.get("instanceState") or "not listed yet"
            busy.append(f"{host} {maintenance or state}")
    text = f"{len(ready)} of {len(hosts)} hosts ready" + (f" ({', '.join(busy)})" if busy else "")
    failure = f"the machines of {', '.join(failed)} failed" if failed else None
    return text, len(ready) == len(hosts), failure


def pool_progress(
    entry: Mapping[str, Any] | None,
    cluster: Mapping[str, Any] | None,
    machines: Sequence[Mapping[str, Any]],
    hosts: Sequence[str],
) -> Observation:
    """Whether a pool is up: listed under the hub, linked to its cluster, Running, every host ready.

    `entry` is the pool's `hybridPools` entry, `cluster` its child cluster (read only when the entry reports
    trouble, for Palette's message), `machines` the child's machines, `hosts` the pool's edge host uids."""
    if entry is None:
        return Observation("not listed under the hub yet")
    state = str((entry.get("status") or {}).get("state") or "Unknown")
    if state in TERMINAL_BAD_STATES:
        message = condition_message((cluster or {}).get("status") or {})
        return Observation(state, failure=message or "Palette reports no reason")
    if not entry.get("clusterUid"):
        return Observation(f"{state}, waiting for Palette to create the pool's cluster")
    if state != RUNNING:
        return Observation(state)
    text, done, failure = hosts_progress(machines, hosts)
    return Observation(f"{state}, {text}", done=done, failure=failure)


def repave_progress(
    cluster: Mapping[str, Any] | None,
    machines: Sequence[Mapping[str, Any]],
    hosts: Sequence[str],
    profile_uid: str,
) -> Observation:
    """Whether a pool's cluster runs `profile_uid` on every host: downloaded, its packs on the new profile
    and healthy, every machine ready again after the repave."""
    if cluster is None:
        return Observation("Deleted", failure="the pool's cluster is gone from Palette")
    status = cluster.get("status") or {}
    state = str(status.get("state") or "Unknown")
    if state in TERMINAL_BAD_STATES:
        return Observation(state, failure=condition_message(status) or "Palette reports no reason")
    apply = status.get("spcApply") or {}
    if apply and not apply.get("canBeApplied"):
        return Observation("downloading the new profile")
    packs = [p for p in status.get("packs") or [] if p.get("profileUid")]
    moved = [p for p in packs if p.get("profileUid") == profile_uid]
    trouble = [
        f"{p.get('name')}: {(p.get('condition') or {}).get('message') or 'not ready'}"
        for p in moved
        if str((p.get("condition") or {}).get("status")) == "False"
    ]
    text, ready, failure = hosts_progress(machines, hosts)
    approval = str((status.get("repave") or {}).get("state") or "") == REPAVE_PENDING
    steps = [
        f"{len(moved)} of {len(packs)} layers on the new profile" if packs else "",
        "; ".join(trouble),
        text,
        "repave pending approval in Palette" if approval else "",
    ]
    done = ready and len(moved) == len(packs) and not trouble
    prefix = "on the new profile" if done else "repaving"
    return Observation(f"{prefix}: " + ", ".join(s for s in steps if s), done=done, failure=failure)
