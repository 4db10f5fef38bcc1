"""The emulator's in-memory Palette: clusters, cloud configs, profiles, hybrid pools, edge hosts.

Everything is per project (`aclmeta.projectUid`); a lookup from another project is a 404, as in Palette.
State machines advance on reads ("polls") so tests need no sleeps:

- imported cluster: `Pending` -> `Running`/`Healthy` after `import_polls` reads of the cluster;
- hybrid pool: `Provisioning` -> `Running` after `pool_polls` reads of the pool;
- edge host: `ready` -> `in-use` when pooled, back to `ready` when its pool drops it or is deleted.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["ApiError", "EmulatorState"]


class ApiError(Exception):
    """Answered as a Palette error body `{code, message, details, ref}`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"{kind} '{key}' not found")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Counter:
    polls: int = 0


@dataclass
class EmulatorState:
    import_polls: int = 2
    pool_polls: int = 1
    api_keys: frozenset[str] | None = None  # None: any non-empty key is accepted
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)
    cloud_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    pools: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    edge_hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def new_uid(self) -> str:
        return f"{next(self._counter):08x}{secrets.token_hex(8)}"

    # --- scoping --------------------------------------------------------------------------------

    @staticmethod
    def _visible(obj: dict[str, Any], project: str) -> bool:
        return bool(obj.get("aclmeta", {}).get("projectUid", "") == project)

    def _get(self, table: dict[Any, dict[str, Any]], key: Any, project: str, kind: str) -> dict[str, Any]:
        obj = table.get(key)
        if obj is None or not self._visible(obj, project):
            raise not_found(kind, str(key if not isinstance(key, tuple) else key[-1]))
        return obj

    def _meta(self, name: str, uid: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
        now = _now()
        return {
            "name": name,
            "uid": uid,
            "labels": dict(labels or {}),
            "annotations": {},
            "creationTimestamp": now,
            "lastModifiedTimestamp": now,
        }

    # --- edge hosts -----------------------------------------------------------------------------

    def register_edge_host(
        self,
        uid: str,
        *,
        project: str,
        arch: str = "amd64",
        host_type: str = "appliance",
        state: str = "ready",
        health: str = "healthy",
        name: str | None = None,
        labels: dict[str, str] | None = None,
        nics: list[str] | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            host = {
                "aclmeta": {"projectUid": project, "tenantUid": "tenant", "ownerUid": "owner"},
                "metadata": self._meta(name or uid, uid, labels),
                "spec": {
                    "device": {
                        "archType": arch,
                        "hostType": host_type,
                        "hostState": "registration",
                        "nics": [{"nicName": n, "isDefault": i == 0} for i, n in enumerate(nics or ["eth0"])],
                    },
                    "host": {"hostUid": uid, "hostAddress": "", "macAddress": ""},
                    "type": "edge-native",
                },
                "status": {"state": state, "health": {"state": health}, "inUseClustersRef": []},
            }
            self.edge_hosts[uid] = host
            return host

    def edge_host(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self._get(self.edge_hosts, uid, project, "EdgeHost"))

    def search_edge_hosts(self, project: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self.lock:
            hosts = [h for h in self.edge_hosts.values() if self._visible(h, project)]
            return [
                self._host_summary(h)
                for h in sorted(hosts, key=lambda h: h["metadata"]["uid"])
                if all(_matches(h, f) for f in filters)
            ]

    @staticmethod
    def _host_summary(host: dict[str, Any]) -> dict[str, Any]:
        return {
            "metadata": {k: host["metadata"][k] for k in ("name", "uid", "labels")},
            "spec": {"device": {"archType": host["spec"]["device"]["archType"]}, "type": "edge-native"},
            "status": copy.deepcopy(host["status"]),
        }

    def _claim_hosts(self, pool: dict[str, Any], hosts: list[str]) -> None:
        ref = {"uid": pool["clusterUid"], "name": pool["name"], "hybridCluster": pool["parent"]}
        for uid, host in self.edge_hosts.items():
            refs = host["status"]["inUseClustersRef"]
            mine = [r for r in refs if r["uid"] == pool["clusterUid"]]
            if uid in hosts and not mine:
                refs.append(ref)
            elif uid not in hosts and mine:
                refs[:] = [r for r in refs if r["uid"] != pool["clusterUid"]]
            if host["status"]["state"] in ("ready", "in-use"):
                host["status"]["state"] = "in-use" if refs else "ready"

    def _check_hosts(self, project: str, arch: str, hosts: list[dict[str, Any]], cluster_uid: str) -> None:
        for entry in hosts:
            host = self.edge_hosts.get(entry["hostUid"])
            if host is None or not self._visible(host, project):
                raise not_found("EdgeHost", entry["hostUid"])
            others = [r for r in host["status"]["inUseClustersRef"] if r["uid"] != cluster_uid]
            if others or host["status"]["state"] not in ("ready", "in-use"):
                raise ApiError(400, "EdgeHostNotReady", f"edge host '{entry['hostUid']}' is not available")
            if host["spec"]["device"]["archType"] != arch:
                raise ApiError(400, "EdgeHostArchMismatch", f"edge host '{entry['hostUid']}' is not {arch}")

    # --- clusters -------------------------------------------------------------------------------

    def import_cluster(self, project: str, body: dict[str, Any], host: str) -> str:
        name = body.get("metadata", {}).get("name") or ""
        with self.lock:
            if any(
                c["metadata"]["name"] == name and self._visible(c, project) for c in self.clusters.values()
            ):
                raise ApiError(409, "DuplicateResource", f"cluster '{name}' already exists")
            uid, config_uid = self.new_uid(), self.new_uid()
            self.cloud_configs[config_uid] = {
                "aclmeta": {"projectUid": project},
                "metadata": self._meta(name, config_uid),
                "spec": {"clusterConfig": {}, "hybridMachinePools": []},
                "clusterUid": uid,
            }
            self.clusters[uid] = {
                "aclmeta": {"projectUid": project},
                "metadata": self._meta(name, uid, body.get("metadata", {}).get("labels")),
                "spec": {
                    "cloudType": "aws",
                    "cloudConfigRef": {"kind": "AwsCloudConfig", "name": name, "uid": config_uid},
                    "clusterConfig": {
                        "hybridClusterConfig": {"enable": False, "hybridMachinePoolClusterRefs": []}
                    },
                },
                "status": {
                    "state": "Pending",
                    "clusterImport": {
                        "importLink": f"kubectl apply -f {host}/v1/spectroclusters/{uid}/import/manifest",
                        "state": "Pending",
                        "isBrownfield": True,
                    },
                },
                "health": "Unknown",
                "_polls": 0,
            }
            return uid

    def cluster(self, uid: str, project: str, poll: bool = True) -> dict[str, Any]:
        with self.lock:
            cluster = self._get(self.clusters, uid, project, "SpectroCluster")
            if poll and cluster["status"]["state"] == "Pending":
                cluster["_polls"] += 1
                if cluster["_polls"] >= self.import_polls:
                    self.mark_cluster_running(uid)
            return _public(cluster)

    def mark_cluster_running(self, uid: str, health: str = "Healthy") -> None:
        with self.lock:
            cluster = self.clusters[uid]
            cluster["status"]["state"] = "Running"
            cluster["status"]["clusterImport"]["state"] = "Imported"
            cluster["health"] = health

    def cluster_overview(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            cluster = self._get(self.clusters, uid, project, "SpectroCluster")
            return {
                "metadata": {"name": cluster["metadata"]["name"], "uid": uid},
                "spec": {"cloudType": "aws"},
                "status": {"state": cluster["status"]["state"], "health": {"state": cluster["health"]}},
            }

    def cluster_names(self, project: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {"name": c["metadata"]["name"], "uid": c["metadata"]["uid"]}
                for c in self.clusters.values()
                if self._visible(c, project)
            ]

    def import_manifest(self, uid: str, project: str) -> str:
        with self.lock:
            cluster = self._get(self.clusters, uid, project, "SpectroCluster")
        return (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cluster-" + uid + "\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: palette-import\n"
            f"  namespace: cluster-{uid}\ndata:\n  clusterName: {cluster['metadata']['name']}\n"
        )

    def delete_cluster(self, uid: str, project: str) -> None:
        with self.lock:
            self._get(self.clusters, uid, project, "SpectroCluster")
            config_uid = self.clusters[uid]["spec"]["cloudConfigRef"]["uid"]
            for key in [k for k in self.pools if k[0] == config_uid]:
                self._delete_pool(key)
            del self.clusters[uid]
            self.cloud_configs.pop(config_uid, None)

    def set_hybrid(self, uid: str, project: str, enable: bool) -> None:
        with self.lock:
            cluster = self._get(self.clusters, uid, project, "SpectroCluster")
            cluster["spec"]["clusterConfig"]["hybridClusterConfig"]["enable"] = enable

    def put_hybrid_config(self, config_uid: str, project: str, body: dict[str, Any]) -> None:
        config = body.get("hybridConfig") or {}
        if bool(config.get("systemsManager")) == bool(config.get("iamRolesAnywhere")):
            raise ApiError(
                400, "InvalidHybridConfig", "set exactly one of systemsManager or iamRolesAnywhere"
            )
        with self.lock:
            cloud = self._get(self.cloud_configs, config_uid, project, "CloudConfig")
            cloud["spec"]["clusterConfig"]["hybridConfig"] = copy.deepcopy(config)

    def cloud_config(self, config_uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            return _public(self._get(self.cloud_configs, config_uid, project, "CloudConfig"))

    # --- profiles -------------------------------------------------------------------------------

    def create_profile(self, project: str, body: dict[str, Any], publish: bool) -> str:
        meta, spec = body.get("metadata") or {}, body.get("spec") or {}
        name, version = meta.get("name", ""), spec.get("version", "1.0.0")
        with self.lock:
            for p in self.profiles.values():
                if (
                    self._visible(p, project)
                    and p["metadata"]["name"] == name
                    and p["spec"]["version"] == version
                ):
                    raise ApiError(409, "DuplicateResource", f"profile '{name}' version '{version}' exists")
            uid = self.new_uid()
            template = copy.deepcopy(spec.get("template") or {})
            self.profiles[uid] = {
                "aclmeta": {"projectUid": project},
                "metadata": self._meta(name, uid, meta.get("labels")),
                "spec": {"version": version, "draft": template, "published": template if publish else None},
                "status": {"isPublished": publish, "inUseClusters": []},
            }
            return uid

    def publish_profile(self, uid: str, project: str) -> None:
        with self.lock:
            profile = self._get(self.profiles, uid, project, "ClusterProfile")
            profile["spec"]["published"] = profile["spec"]["draft"]
            profile["status"]["isPublished"] = True

    def profile(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            return _public(self._get(self.profiles, uid, project, "ClusterProfile"))

    def profile_list(self, project: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {
                    "metadata": {"name": p["metadata"]["name"], "uid": uid},
                    "spec": {"version": p["spec"]["version"], "cloudType": "edge-native"},
                }
                for uid, p in self.profiles.items()
                if self._visible(p, project)
            ]

    def delete_profile(self, uid: str, project: str) -> None:
        with self.lock:
            self._get(self.profiles, uid, project, "ClusterProfile")
            users = [p["name"] for p in self.pools.values() if p["profileUid"] == uid]
            if users:
                raise ApiError(409, "ResourceInUse", f"profile is used by hybrid pools {', '.join(users)}")
            del self.profiles[uid]

    # --- hybrid pools ---------------------------------------------------------------------------

    def _parent(self, config_uid: str, project: str) -> dict[str, Any]:
        cloud = self._get(self.cloud_configs, config_uid, project, "CloudConfig")
        return self.clusters[cloud["clusterUid"]]

    def create_pool(self, config_uid: str, project: str, body: dict[str, Any]) -> str:
        pool_cfg, cloud = body["poolConfig"], body["cloudConfig"]
        machine = cloud["machineCloudConfig"]
        with self.lock:
            parent = self._parent(config_uid, project)
            if not parent["spec"]["clusterConfig"]["hybridClusterConfig"]["enable"]:
                raise ApiError(400, "HybridNotEnabled", "enable hybrid mode on the cluster first")
            if (config_uid, pool_cfg["name"]) in self.pools:
                raise ApiError(409, "DuplicateResource", f"machine pool '{pool_cfg['name']}' already exists")
            for ref in cloud.get("profiles") or []:
                self._get(self.profiles, ref.get("uid", ""), project, "ClusterProfile")
            self._check_hosts(project, machine["archType"], machine["edgeHosts"], "")
            uid, cluster_uid = self.new_uid(), self.new_uid()
            pool = {
                "name": pool_cfg["name"],
                "uid": uid,
                "clusterUid": cluster_uid,
                "childConfigUid": self.new_uid(),
                "parent": {"uid": parent["metadata"]["uid"], "name": parent["metadata"]["name"]},
                "profileUid": (cloud.get("profiles") or [{}])[0].get("uid", ""),
                "poolConfig": copy.deepcopy(pool_cfg),
                "archType": machine["archType"],
                "edgeHosts": copy.deepcopy(machine["edgeHosts"]),
                "clusterConfig": copy.deepcopy(cloud.get("clusterConfig") or {}),
                "state": "Provisioning",
                "polls": 0,
                "project": project,
            }
            self.pools[(config_uid, pool["name"])] = pool
            self._claim_hosts(pool, [h["hostUid"] for h in machine["edgeHosts"]])
            parent["spec"]["clusterConfig"]["hybridClusterConfig"]["hybridMachinePoolClusterRefs"].append(
                {"uid": cluster_uid, "cloudType": "edge-native"}
            )
            return uid

    def _pool(self, config_uid: str, name: str, project: str) -> dict[str, Any]:
        self._parent(config_uid, project)
        pool = self.pools.get((config_uid, name))
        if pool is None:
            raise not_found("MachinePool", name)
        return pool

    def pool(self, config_uid: str, name: str, project: str) -> dict[str, Any]:
        with self.lock:
            pool = self._pool(config_uid, name, project)
            if pool["state"] == "Provisioning":
                pool["polls"] += 1
                if pool["polls"] >= self.pool_polls:
                    pool["state"] = "Running"
            return {
                "poolConfig": {**copy.deepcopy(pool["poolConfig"])},
                "cloudConfig": {
                    "archType": pool["archType"],
                    "edgeHosts": copy.deepcopy(pool["edgeHosts"]),
                    "hybridCluster": {
                        "uid": pool["clusterUid"],
                        "name": pool["name"],
                        "cloudConfigUid": pool["childConfigUid"],
                    },
                },
                "clusterConfig": copy.deepcopy(pool["clusterConfig"]),
            }

    def update_pool(self, config_uid: str, name: str, project: str, body: dict[str, Any]) -> None:
        with self.lock:
            pool = self._pool(config_uid, name, project)
            cloud = body.get("cloudConfig") or {}
            self._check_hosts(
                project,
                cloud.get("archType", pool["archType"]),
                cloud.get("edgeHosts") or [],
                pool["clusterUid"],
            )
            pool["poolConfig"] = copy.deepcopy(body.get("poolConfig") or pool["poolConfig"])
            pool["archType"] = cloud.get("archType", pool["archType"])
            pool["edgeHosts"] = copy.deepcopy(cloud.get("edgeHosts") or [])
            pool["clusterConfig"] = copy.deepcopy(body.get("clusterConfig") or {})
            pool["state"], pool["polls"] = "Provisioning", 0
            self._claim_hosts(pool, [h["hostUid"] for h in pool["edgeHosts"]])

    def replace_pool_profile(self, cluster_uid: str, project: str, body: dict[str, Any]) -> None:
        with self.lock:
            pools = [
                p for p in self.pools.values() if p["clusterUid"] == cluster_uid and p["project"] == project
            ]
            if not pools:
                raise not_found("SpectroCluster", cluster_uid)
            for ref in body.get("profiles") or []:
                self._get(self.profiles, ref.get("uid", ""), project, "ClusterProfile")
                pools[0]["profileUid"] = ref["uid"]
            pools[0]["state"], pools[0]["polls"] = "Provisioning", 0

    def delete_pool(self, config_uid: str, name: str, project: str) -> None:
        with self.lock:
            self._pool(config_uid, name, project)
            self._delete_pool((config_uid, name))

    def _delete_pool(self, key: tuple[str, str]) -> None:
        pool = self.pools.pop(key)
        self._claim_hosts(pool, [])
        parent = self.clusters.get(pool["parent"]["uid"])
        if parent:
            refs = parent["spec"]["clusterConfig"]["hybridClusterConfig"]["hybridMachinePoolClusterRefs"]
            refs[:] = [r for r in refs if r["uid"] != pool["clusterUid"]]

    def hybrid_pools(self, cluster_uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            cluster = self._get(self.clusters, cluster_uid, project, "SpectroCluster")
            config_uid = cluster["spec"]["cloudConfigRef"]["uid"]
            pools = [p for (c, _), p in sorted(self.pools.items()) if c == config_uid]
            return {
                "metadata": {"name": cluster["metadata"]["name"], "uid": cluster_uid},
                "spec": {
                    "cloudType": "aws",
                    "hybridPools": [
                        {
                            "name": p["name"],
                            "uid": p["uid"],
                            "clusterUid": p["clusterUid"],
                            "cloudConfigUid": p["childConfigUid"],
                            "cloudType": "edge-native",
                            "status": {"state": p["state"], "health": {"state": "Healthy"}},
                        }
                        for p in pools
                    ],
                },
            }

    # --- inspection -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "clusters": {k: _public(v) for k, v in self.clusters.items()},
                "cloudConfigs": {k: _public(v) for k, v in self.cloud_configs.items()},
                "profiles": {k: _public(v) for k, v in self.profiles.items()},
                "pools": {
                    f"{c}/{n}": {k: v for k, v in p.items() if k != "polls"}
                    for (c, n), p in self.pools.items()
                },
                "edgeHosts": copy.deepcopy(self.edge_hosts),
            }


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(
        {k: v for k, v in obj.items() if not k.startswith("_") and k not in ("health", "clusterUid")}
    )


def _host_value(host: dict[str, Any], prop: str) -> list[str]:
    if prop == "name":
        return [host["metadata"]["name"]]
    if prop == "tags":
        return [f"{k}:{v}" for k, v in host["metadata"]["labels"].items()]
    if prop == "state":
        return [host["status"]["state"]]
    if prop == "healthState":
        return [host["status"]["health"]["state"]]
    if prop == "architecture":
        return [host["spec"]["device"]["archType"]]
    return []


def _matches(host: dict[str, Any], item: dict[str, Any]) -> bool:
    condition = (item.get("condition") or {}).get("string") or {}
    values = (condition.get("match") or {}).get("values") or []
    have = _host_value(host, item.get("property", ""))
    operator = condition.get("operator", "eq")
    if condition.get("ignoreCase"):
        have, values = [h.lower() for h in have], [v.lower() for v in values]
    if operator == "contains":
        hit = any(v in h for h in have for v in values)
    elif operator == "beginsWith":
        hit = any(h.startswith(v) for h in have for v in values)
    else:
        hit = any(h in values for h in have)
    return hit != bool(condition.get("negation"))
