"""A hybrid pool's edge-native side: its cloud config and its machines, one per edge host.

Removing a machine takes its host out of the pool and frees it.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import not_found
from .pools import Pools
from .records import Machine, Pool


class EdgeNativePools(Pools):
    def _child(self, config_uid: str, project: str) -> Pool:
        pool = next((p for p in self.pools.values() if p.config_uid == config_uid), None)
        if pool is None or pool.project != project:
            raise not_found("CloudConfig", config_uid)
        return pool

    def edge_native_config(self, config_uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            pool = self._child(config_uid, project)
            cfg = pool.pool_config
            return {
                "metadata": {"name": pool.name, "uid": config_uid},
                "spec": {
                    "clusterConfig": copy.deepcopy(pool.cluster_config),
                    "machinePoolConfig": [
                        {
                            "name": pool.name,
                            "labels": list(cfg.get("labels") or []),
                            "additionalLabels": dict(cfg.get("additionalLabels") or {}),
                            "isControlPlane": False,
                            "machinePoolProperties": {"archType": pool.arch},
                            "hosts": [self._native_host(h) for h in pool.edge_hosts],
                        }
                    ],
                },
            }

    def _native_host(self, entry: dict[str, Any]) -> dict[str, Any]:
        host = self.edge_hosts.get(entry["hostUid"])
        address = host["spec"]["host"]["hostAddress"] if host else ""
        out = {"hostUid": entry["hostUid"], "hostAddress": address}
        for key in ("hostName", "nic"):
            if key in entry:
                out[key] = copy.deepcopy(entry[key])
        return out

    def machines(self, config_uid: str, pool_name: str, project: str) -> dict[str, Any]:
        with self.lock:
            pool = self._child(config_uid, project)
            if pool.name != pool_name:
                raise not_found("MachinePool", pool_name)
            return {
                "items": [
                    {
                        "metadata": {"name": m.name, "uid": m.uid},
                        "spec": {"edgeHostUid": m.host_uid},
                        "status": self._machine_status(pool, m),
                    }
                    for m in sorted(pool.machines.values(), key=lambda m: m.uid)
                ]
            }

    def _machine_status(self, pool: Pool, machine: Machine) -> dict[str, Any]:
        """SPEC `v1CloudMachineStatus`: `Provisioning` until the host has joined, `Running` and ready after;
        during a repave the machine being repaved is not ready and says so in `maintenanceStatus` [I: the
        values Palette writes there are not public]; a deleting pool's machines are `Deleting`."""
        if pool.gone_at is not None:
            return {"instanceState": "Deleting", "ready": False}
        if pool.state not in ("Provisioning", "Running"):
            return {"instanceState": "Failed", "ready": False}
        if self.now() < machine.ready_at:
            return {"instanceState": "Provisioning", "ready": False}
        if self._repaving(pool, machine.uid):
            return {
                "instanceState": "Running",
                "ready": False,
                "maintenanceStatus": {"action": "repave", "state": "InProgress", "message": "repaving"},
            }
        return {"instanceState": "Running", "ready": True}

    def delete_machine(self, config_uid: str, pool_name: str, machine_uid: str, project: str) -> None:
        """Removing a node: the host leaves the pool (Palette drains and frees it) [I]."""
        with self.lock:
            pool = self._child(config_uid, project)
            machine = pool.machines.get(machine_uid) if pool.name == pool_name else None
            if machine is None:
                raise not_found("Machine", machine_uid)
            del pool.machines[machine_uid]
            pool.edge_hosts = [h for h in pool.edge_hosts if h["hostUid"] != machine.host_uid]
            pool.pool_config["size"] = len(pool.edge_hosts)
            self._claim_hosts(pool)
