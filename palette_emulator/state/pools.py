"""Hybrid pools on an imported EKS cluster's AWS cloud config, each with its edge-native child cluster.

A pool takes one published edge-native profile, and edge hosts of its architecture that no other cluster
uses; it needs hybrid mode on and a hybrid config set on the cluster first.
"""

from __future__ import annotations

import copy
from typing import Any

from .edge_hosts import EdgeHosts
from .errors import ApiError, bad_request, not_found
from .profiles import Profiles
from .records import Cluster, Machine, Pool, now


class Pools(Profiles, EdgeHosts):
    def _poll_pool(self, pool: Pool) -> None:
        if pool.state == "Provisioning":
            pool.polls += 1
            if pool.polls >= self.pool_polls:
                pool.state = "Running"
                self.clusters[pool.cluster_uid].state = "Running"
                self.clusters[pool.cluster_uid].health = "Healthy"

    def create_pool(self, config_uid: str, project: str, body: dict[str, Any]) -> str:
        pool_cfg, cloud = body.get("poolConfig") or {}, body.get("cloudConfig") or {}
        machine = cloud.get("machineCloudConfig") or {}
        hosts = list(machine.get("edgeHosts") or [])
        if not pool_cfg.get("name"):
            # SPEC v1MachinePoolConfigEntity: `name` is required.
            raise bad_request("poolConfig.name is required")
        _check_size(pool_cfg, hosts, self.flagged)
        with self.lock:
            aws = self._aws_config(config_uid, project)
            parent = self.clusters[aws.cluster_uid]
            if not parent.hybrid_enabled or aws.hybrid_config is None:
                # DOCS create-hybrid-node-pools.md ("Create Hybrid Node Pool", prerequisites): "An Amazon EKS
                # cluster imported with hybrid mode enabled" [I: the refusal and its code].
                raise bad_request("enable hybrid mode and set the hybrid config first", "HybridNotConfigured")
            if (config_uid, pool_cfg["name"]) in self.pools:
                # A pool is addressed by its name (SPEC .../machinePools/{machinePoolName}) [I: the 409 code].
                raise ApiError(409, "DuplicateResource", f"machine pool '{pool_cfg['name']}' already exists")
            profiles = cloud.get("profiles") or []
            if len(profiles) != 1:
                # DOCS create-hybrid-node-pools.md, step 6: one "Hybrid Profile" per pool [I: the refusal].
                raise bad_request("a hybrid pool takes exactly one cluster profile")
            profile = self._published_profile(str(profiles[0].get("uid", "")), project)
            arch = machine.get("archType", "amd64")
            self._check_hosts(project, arch, hosts, "")
            pool = Pool(
                uid=self.new_uid(),
                name=pool_cfg["name"],
                project=project,
                aws_config_uid=config_uid,
                parent_uid=parent.uid,
                cluster_uid=self.new_uid(),
                config_uid=self.new_uid(),
                pool_config=copy.deepcopy(pool_cfg),
                arch=arch,
                edge_hosts=copy.deepcopy(hosts),
                cluster_config=copy.deepcopy(cloud.get("clusterConfig") or {}),
            )
            self.clusters[pool.cluster_uid] = Cluster(
                uid=pool.cluster_uid,
                name=pool.name,
                project=project,
                cloud_type="edge-native",
                config_uid=pool.config_uid,
                labels={},
                created=now(),
                state="Provisioning",
                parent_uid=parent.uid,
                profile_uids=[profile.uid],
            )
            self._set_machines(pool)
            self.pools[(config_uid, pool.name)] = pool
            self._claim_hosts(pool)
            return pool.uid

    def _set_machines(self, pool: Pool) -> None:
        """One machine per listed host: new hosts get one; hosts no longer listed lose theirs."""
        wanted = {h["hostUid"]: h for h in pool.edge_hosts}
        for uid, machine in list(pool.machines.items()):
            if machine.host_uid not in wanted:
                del pool.machines[uid]
        have = {m.host_uid for m in pool.machines.values()}
        for host_uid, host in wanted.items():
            if host_uid not in have:
                uid = self.new_uid()
                pool.machines[uid] = Machine(uid, str(host.get("hostName") or host_uid), host_uid)

    def _pool(self, config_uid: str, name: str, project: str) -> Pool:
        self._aws_config(config_uid, project)
        pool = self.pools.get((config_uid, name))
        if pool is None:
            raise not_found("MachinePool", name)
        return pool

    def pool(self, config_uid: str, name: str, project: str) -> dict[str, Any]:
        with self.lock:
            pool = self._pool(config_uid, name, project)
            self._poll_pool(pool)
            return {
                "poolConfig": copy.deepcopy(pool.pool_config),
                "cloudConfig": {
                    "archType": pool.arch,
                    "edgeHosts": copy.deepcopy(pool.edge_hosts),
                    "hybridCluster": {
                        "uid": pool.cluster_uid,
                        "name": pool.name,
                        "cloudConfigUid": pool.config_uid,
                    },
                },
            }

    def update_pool(self, config_uid: str, name: str, project: str, body: dict[str, Any]) -> None:
        pool_cfg, cloud = body.get("poolConfig") or {}, body.get("cloudConfig") or {}
        hosts = list(cloud.get("edgeHosts") or [])
        if pool_cfg.get("name") != name:
            # The name in the body must be the path's (SPEC .../machinePools/{machinePoolName}) [I: the
            # refusal].
            raise bad_request(f"poolConfig.name must be '{name}': a pool is renamed by a new pool")
        _check_size(pool_cfg, hosts, self.flagged)
        with self.lock:
            pool = self._pool(config_uid, name, project)
            arch = cloud.get("archType", pool.arch)
            self._check_hosts(project, arch, hosts, pool.cluster_uid)
            pool.pool_config = copy.deepcopy(pool_cfg)
            pool.arch = arch
            pool.edge_hosts = copy.deepcopy(hosts)
            pool.cluster_config = copy.deepcopy(body.get("clusterConfig") or {})
            self._set_machines(pool)
            pool.state, pool.polls = "Provisioning", 0
            self._claim_hosts(pool)

    def delete_pool(self, config_uid: str, name: str, project: str) -> None:
        with self.lock:
            self._delete_pool(self._pool(config_uid, name, project))

    def _delete_pool(self, pool: Pool) -> None:
        pool.machines.clear()
        self._claim_hosts(pool)
        del self.pools[(pool.aws_config_uid, pool.name)]
        child = self.clusters.get(pool.cluster_uid)
        if child is not None:
            child.deleted, child.state, child.profile_uids = True, "Deleted", []

    def hybrid_pools(self, cluster_uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            cluster = self._cluster(cluster_uid, project)
            pools = self._pools_of(cluster.config_uid)
            for pool in pools:
                self._poll_pool(pool)
            return {
                "metadata": {"name": cluster.name, "uid": cluster_uid},
                "spec": {
                    "cloudType": cluster.cloud_type,
                    "hybridPools": [
                        {
                            "name": p.name,
                            "uid": p.uid,
                            "clusterUid": p.cluster_uid,
                            "cloudConfigUid": p.config_uid,
                            "cloudType": "edge-native",
                            "status": {
                                "state": p.state,
                                "health": {
                                    "state": self.clusters[p.cluster_uid].health,
                                    "isHeartBeatFailed": False,
                                },
                            },
                        }
                        for p in pools
                    ],
                },
                "status": {"state": cluster.state},
            }


def _check_size(pool_cfg: dict[str, Any], hosts: list[dict[str, Any]], flagged: list[str]) -> None:
    """An edge-native pool's size is its number of edge hosts: the Terraform provider always sends
    `len(edgeHosts)` (`resource_cluster_edge_native.go`, `toMachinePoolEdgeNative`). No source says Palette
    refuses another size (SPEC `v1MachinePoolConfigEntity.size` is only required), so it is accepted and
    flagged [I]."""
    if pool_cfg.get("size") != len(hosts):
        flagged.append(
            f"pool '{pool_cfg.get('name')}': poolConfig.size is {pool_cfg.get('size')} but {len(hosts)} edge"
            " hosts are listed"
        )
