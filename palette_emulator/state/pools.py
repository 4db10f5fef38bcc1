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
from .records import Cluster, Machine, Pool, Repave, now


class Pools(Profiles, EdgeHosts):
    def _tick_pools(self) -> None:
        """Palette's background work on every pool, up to now (`timing`)."""
        now = self.now()
        for pool in list(self.pools.values()):
            if pool.gone_at is not None:
                if now >= pool.gone_at:
                    self._remove_pool(pool)
                continue
            child = self.clusters[pool.cluster_uid]
            if pool.state == "Provisioning" and now >= pool.ready_at:
                pool.state = child.state = "Running"
                child.health = "Healthy"
            if pool.repave is not None and now >= pool.repave.done_at:
                pool.repave = None

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
            started = self.now()
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
                linked_at=started + self.timing.pool_link,
                ready_at=started + self.timing.pool_ready,
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
            self._set_machines(pool, pool.ready_at)
            self.pools[(config_uid, pool.name)] = pool
            self._claim_hosts(pool)
            return pool.uid

    def _set_machines(self, pool: Pool, ready_at: float) -> None:
        """One machine per listed host: new hosts get one, ready at `ready_at`; hosts no longer listed lose
        theirs."""
        wanted = {h["hostUid"]: h for h in pool.edge_hosts}
        for uid, machine in list(pool.machines.items()):
            if machine.host_uid not in wanted:
                del pool.machines[uid]
        have = {m.host_uid for m in pool.machines.values()}
        for host_uid, host in wanted.items():
            if host_uid not in have:
                uid = self.new_uid()
                pool.machines[uid] = Machine(uid, str(host.get("hostName") or host_uid), host_uid, ready_at)

    def replace_cluster_profile(self, cluster_uid: str, project: str, body: dict[str, Any]) -> None:
        """A pool's cluster given a new profile version downloads it, then repaves its machines one after
        another: Spectro's docs (cluster profile updates, "When to Manually Repave") say the repave "can
        take up to one hour"; the cluster's packs report the new profile once it is done [I]."""
        with self.lock:
            pool = self._pool_of(cluster_uid)
            applied = self._applied_profile(pool) if pool is not None else ""
            super().replace_cluster_profile(cluster_uid, project, body)
            if pool is None:
                return
            attached = self.clusters[cluster_uid].profile_uids
            new = attached[0] if attached else ""
            if new and new != applied:
                start = self.clusters[cluster_uid].apply_at
                pool.repave = Repave(new, applied, start, start + self.timing.repave)

    def _applied_profile(self, pool: Pool) -> str:
        """The profile whose packs the pool's nodes run: the previous one while a repave is under way."""
        if pool.repave is not None:
            return pool.repave.previous_uid
        attached = self.clusters[pool.cluster_uid].profile_uids
        return attached[0] if attached else ""

    def _repaving(self, pool: Pool, machine_uid: str) -> bool:
        """Whether `machine_uid` is the one being repaved now: the repave's time split evenly among the
        pool's machines in uid order [I]."""
        repave, now = pool.repave, self.now()
        if repave is None or not repave.applied_at <= now < repave.done_at:
            return False
        order = sorted(pool.machines)
        if machine_uid not in order:
            return False
        share = (repave.done_at - repave.applied_at) / len(order)
        return int((now - repave.applied_at) // share) == order.index(machine_uid)

    def _pool(self, config_uid: str, name: str, project: str) -> Pool:
        self._aws_config(config_uid, project)
        pool = self.pools.get((config_uid, name))
        if pool is None:
            raise not_found("MachinePool", name)
        return pool

    def pool(self, config_uid: str, name: str, project: str) -> dict[str, Any]:
        with self.lock:
            pool = self._pool(config_uid, name, project)
            cloud: dict[str, Any] = {"archType": pool.arch, "edgeHosts": copy.deepcopy(pool.edge_hosts)}
            if self._linked(pool):
                cloud["hybridCluster"] = {
                    "uid": pool.cluster_uid,
                    "name": pool.name,
                    "cloudConfigUid": pool.config_uid,
                }
            return {"poolConfig": copy.deepcopy(pool.pool_config), "cloudConfig": cloud}

    def _linked(self, pool: Pool) -> bool:
        return self.now() >= pool.linked_at

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
            # Hosts joining a running pool provision on their own; the pool's cluster stays Running [I].
            self._set_machines(pool, max(pool.ready_at, self.now() + self.timing.host_join))
            self._claim_hosts(pool)

    def delete_pool(self, config_uid: str, name: str, project: str) -> None:
        with self.lock:
            self._delete_pool(self._pool(config_uid, name, project))

    def _delete_pool(self, pool: Pool) -> None:
        """Palette deletes in the background: the pool and its cluster are `Deleting` until gone [I]."""
        if pool.gone_at is None:
            pool.gone_at = self.now() + self.timing.pool_delete
            pool.state = self.clusters[pool.cluster_uid].state = "Deleting"

    def _remove_pool(self, pool: Pool) -> None:
        pool.machines.clear()
        self._claim_hosts(pool)
        del self.pools[(pool.aws_config_uid, pool.name)]
        child = self.clusters.get(pool.cluster_uid)
        if child is not None:
            child.deleted, child.state, child.profile_uids = True, "Deleted", []

    def hybrid_pools(self, cluster_uid: str, project: str) -> dict[str, Any]:
        """SPEC `v1SpectroClusterHybridPoolsMetadata`: each pool's uid, its cluster once linked, and its
        state; before the link the pool is `Pending` without a cluster [I]."""
        with self.lock:
            cluster = self._cluster(cluster_uid, project)
            return {
                "metadata": {"name": cluster.name, "uid": cluster_uid},
                "spec": {
                    "cloudType": cluster.cloud_type,
                    "hybridPools": [self._pool_meta(p) for p in self._pools_of(cluster.config_uid)],
                },
                "status": {"state": cluster.state},
            }

    def _pool_meta(self, pool: Pool) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": pool.name, "uid": pool.uid, "cloudType": "edge-native"}
        if not self._linked(pool):
            meta["status"] = {"state": "Pending"}
            return meta
        meta.update(clusterUid=pool.cluster_uid, cloudConfigUid=pool.config_uid)
        health = self.clusters[pool.cluster_uid].health
        meta["status"] = {"state": pool.state, "health": {"state": health, "isHeartBeatFailed": False}}
        return meta


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
