"""Edge hosts: registered (a test hook), read, searched, and claimed by the hybrid pools that list them.

A host joins a pool only when it is ready (or already in use by that pool's cluster), of the pool's
architecture, and not in use by another cluster.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError, bad_request, not_found
from .records import Pool, now
from .search import matches
from .store import Store


class EdgeHosts(Store):
    def register_edge_host(
        self,
        uid: str,
        *,
        project: str,
        arch: str = "amd64",
        host_type: str | None = "appliance",
        state: str = "ready",
        health: str = "healthy",
        name: str | None = None,
        labels: dict[str, str] | None = None,
        nics: list[str] | None = None,
        address: str = "10.200.0.10",
    ) -> dict[str, Any]:
        device: dict[str, Any] = {
            "archType": arch,
            "hostState": "registration",
            "nics": [
                {"nicName": n, "isDefault": i == 0, "ip": address if i == 0 else ""}
                for i, n in enumerate(nics or ["eth0"])
            ],
        }
        # The registration mode is reported where Palette's API has it: SPEC v1DeviceSpec.hostType, enum
        # appliance | agent-mode, optional with default appliance. A pool takes either kind here: no public
        # source says Palette refuses an Agent Mode host in a pool whose profile is Appliance Mode's [I].
        if host_type is not None:
            device["hostType"] = host_type
        stamp = now()
        host = {
            "aclmeta": {"projectUid": project, "tenantUid": "tenant", "ownerUid": "owner"},
            "metadata": {
                "name": name or uid,
                "uid": uid,
                "labels": dict(labels or {}),
                "creationTimestamp": stamp,
                "lastModifiedTimestamp": stamp,
            },
            "spec": {
                "device": device,
                "host": {"hostUid": uid, "hostAddress": address, "macAddress": ""},
                "type": "edge-native",
            },
            "status": {"state": state, "health": {"state": health}, "inUseClustersRef": []},
        }
        with self.lock:
            self.edge_hosts[uid] = host
        return host

    def _host(self, uid: str, project: str) -> dict[str, Any]:
        host = self.edge_hosts.get(uid)
        if host is None or host["aclmeta"]["projectUid"] != project:
            raise not_found("EdgeHost", uid)
        return host

    def edge_host(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._host(uid, project))

    def search_edge_hosts(self, project: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.lock:
            hosts = [h for h in self.edge_hosts.values() if h["aclmeta"]["projectUid"] == project]
            return [
                {
                    "metadata": {k: h["metadata"][k] for k in ("name", "uid", "labels")},
                    "spec": {
                        "device": copy.deepcopy(h["spec"]["device"]),
                        "host": {"hostAddress": h["spec"]["host"]["hostAddress"]},
                        "projectMeta": {"name": self.projects[project], "uid": project},
                        "type": "edge-native",
                    },
                    "status": copy.deepcopy(h["status"]),
                }
                for h in sorted(hosts, key=lambda h: h["metadata"]["uid"])
                if all(matches(_host_values(h, f.get("property", "")), f) for f in filters)
            ]

    def _claim_hosts(self, pool: Pool) -> None:
        """Hosts with a machine in `pool` are in use by its cluster; the rest it held are released."""
        held = {m.host_uid for m in pool.machines.values()}
        parent = self.clusters[pool.parent_uid]
        ref = {
            "uid": pool.cluster_uid,
            "name": pool.name,
            "hybridCluster": {"uid": parent.uid, "name": parent.name},
        }
        for uid, host in self.edge_hosts.items():
            refs = host["status"]["inUseClustersRef"]
            mine = any(r["uid"] == pool.cluster_uid for r in refs)
            if uid in held and not mine:
                refs.append(copy.deepcopy(ref))
            elif uid not in held and mine:
                refs[:] = [r for r in refs if r["uid"] != pool.cluster_uid]
            if host["status"]["state"] in ("ready", "in-use"):
                host["status"]["state"] = "in-use" if refs else "ready"

    def _check_hosts(self, project: str, arch: str, hosts: list[dict[str, Any]], cluster_uid: str) -> None:
        seen: set[str] = set()
        for entry in hosts:
            uid = entry["hostUid"]
            if uid in seen:
                # [I]: no source lists this refusal.
                raise bad_request(f"edge host '{uid}' is listed twice")
            seen.add(uid)
            host = self._host(uid, project)
            others = [r for r in host["status"]["inUseClustersRef"] if r["uid"] != cluster_uid]
            if others:
                # A host in use names its cluster (SPEC v1EdgeHostDeviceStatus.inUseClustersRef); that a
                # second cluster is refused, and the 409 code, are inferred [I].
                raise ApiError(409, "EdgeHostInUse", f"edge host '{uid}' is in use by {others[0]['name']}")
            # DOCS create-hybrid-node-pools.md ("Create Hybrid Node Pool", prerequisites): hosts registered
            # with Palette [I: that only a `ready` one is taken, and the code].
            if host["status"]["state"] not in ("ready", "in-use"):
                raise bad_request(
                    f"edge host '{uid}' is not ready ({host['status']['state']})", "EdgeHostNotReady"
                )
            if host["spec"]["device"]["archType"] != arch:
                # A pool has one architecture, "the architecture type for your edge hosts" (DOCS
                # create-hybrid-node-pools.md, step 6; SPEC v1HybridEdgeNativeMachineCloudConfig.archType) [I:
                # the refusal].
                raise bad_request(f"edge host '{uid}' is not {arch}", "EdgeHostArchMismatch")


def _host_values(host: dict[str, Any], prop: str) -> list[Any] | None:
    values: dict[str, list[Any]] = {
        "name": [host["metadata"]["name"]],
        "tags": [f"{k}:{v}" for k, v in host["metadata"]["labels"].items()],
        "state": [host["status"]["state"]],
        "healthState": [host["status"]["health"]["state"]],
        "architecture": [host["spec"]["device"]["archType"]],
    }
    return values.get(prop)
