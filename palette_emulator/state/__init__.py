"""The emulator's in-memory Palette: projects, registries, clusters, cloud configs, profiles, pools, hosts.

Internal records are plain dataclasses; what goes over the wire is rendered by `views` functions in the
spec's shapes only (the app checks every answer against the spec's response definition). Everything is per
project: a lookup from another project is a 404, as in Palette. State machines advance on reads ("polls")
so tests need no sleeps:

- imported cluster: `Pending` -> `Running`/`Healthy` after `import_polls` reads of the cluster;
- cluster delete: `Deleting` for `delete_polls` reads, then gone (kept only as a soft-deleted record that a
  search without `isDeleted=false` still finds, as Palette's does);
- hybrid pool: `Provisioning` -> `Running` after `pool_polls` reads of the pool, its status or its cluster;
- profile swap on a pool's cluster: `spcApply.canBeApplied` false -> true after `apply_polls` reads;
- edge host: `ready` -> `in-use` when pooled, back to `ready` when its machine or pool goes.

What Palette refuses, the emulator refuses: see the `ApiError`s below (a status and a Palette error code).
Where Palette's exact code is not public the choice is marked [I] (inferred).
"""

from __future__ import annotations

import copy
import ipaddress
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..catalog import Catalog, default_catalog

__all__ = ["DEFAULT_PROJECTS", "ApiError", "EmulatorState"]

# Spectro's docs use this uid for the Default project in their examples.
DEFAULT_PROJECTS = {"6491d4a94c39ad82d3cc30ae": "Default"}
TERMINAL_BAD = ("Error", "Failed", "Deleted")


class ApiError(Exception):
    """Answered as a Palette error body `{code, message, ref}` with `status`."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def not_found(kind: str, key: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"{kind} '{key}' not found")


def bad_request(message: str, code: str = "InvalidRequest") -> ApiError:
    return ApiError(400, code, message)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Cluster:
    uid: str
    name: str
    project: str
    cloud_type: str  # "aws" for the imported EKS cluster, "edge-native" for a hybrid pool's cluster
    config_uid: str
    labels: dict[str, str]
    created: str
    state: str = "Pending"
    health: str = "Unknown"
    conditions: list[dict[str, Any]] = field(default_factory=list)
    polls: int = 0
    deleting_polls: int = 0
    deleted: bool = False
    hybrid_enabled: bool = False
    parent_uid: str = ""
    profile_uids: list[str] = field(default_factory=list)
    spc_apply: dict[str, Any] | None = None
    apply_polls: int = 0


@dataclass
class AwsConfig:
    uid: str
    cluster_uid: str
    project: str
    hybrid_config: dict[str, Any] | None = None


@dataclass
class Machine:
    uid: str
    name: str
    host_uid: str


@dataclass
class Pool:
    """A hybrid pool and its edge-native child: cluster, cloud config and machines."""

    uid: str
    name: str
    project: str
    aws_config_uid: str
    parent_uid: str
    cluster_uid: str
    config_uid: str
    pool_config: dict[str, Any]
    arch: str
    edge_hosts: list[dict[str, Any]]
    cluster_config: dict[str, Any]
    machines: dict[str, Machine] = field(default_factory=dict)
    state: str = "Provisioning"
    polls: int = 0


@dataclass
class Profile:
    uid: str
    name: str
    version: str
    project: str
    labels: dict[str, str]
    annotations: dict[str, str]
    created: str
    draft: dict[str, Any] | None
    published: dict[str, Any] | None = None


@dataclass
class EmulatorState:
    api_keys: frozenset[str]
    projects: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PROJECTS))
    region: str = "us-west-2"
    base_url: str = "http://127.0.0.1:8765"
    import_polls: int = 2
    pool_polls: int = 1
    delete_polls: int = 1
    apply_polls: int = 1
    # How a wrong key is answered: 401, or 404 ResourceNotFound quoting the key, which is how Palette answers
    # some bad keys (palette-sdk-go#209 redacts keys from exactly those errors).
    bad_key_status: int = 401
    catalog: Catalog = field(default_factory=default_catalog)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    aws_configs: dict[str, AwsConfig] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    pools: dict[tuple[str, str], Pool] = field(default_factory=dict)
    edge_hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    operations: list[tuple[str, str]] = field(default_factory=list)
    contract_violations: list[str] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def new_uid(self) -> str:
        return f"{next(self._counter):08x}{secrets.token_hex(8)}"

    # --- scope ----------------------------------------------------------------------------------

    def check_project(self, project: str, *, required: bool) -> None:
        """A `ProjectUid` the key cannot see is 403; project-scoped operations need one."""
        if not project:
            if required:
                raise ApiError(
                    403,
                    "Forbidden",
                    "this operation is project scoped: send a ProjectUid header (the emulator has no"
                    " tenant-scoped clusters, profiles or edge hosts)",
                )
            return
        if project not in self.projects:
            raise ApiError(403, "Forbidden", f"project '{project}' does not exist or is not accessible")

    def project_list(self, name: str | None) -> list[dict[str, Any]]:
        return [
            {"metadata": {"name": n, "uid": u}}
            for u, n in sorted(self.projects.items())
            if name in (None, "", n)
        ]

    # --- edge hosts -----------------------------------------------------------------------------

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
        if host_type is not None:  # optional in the spec (v1DeviceSpec.hostType, default appliance)
            device["hostType"] = host_type
        now = _now()
        host = {
            "aclmeta": {"projectUid": project, "tenantUid": "tenant", "ownerUid": "owner"},
            "metadata": {
                "name": name or uid,
                "uid": uid,
                "labels": dict(labels or {}),
                "creationTimestamp": now,
                "lastModifiedTimestamp": now,
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
                if all(_matches(_host_values(h, f.get("property", "")), f) for f in filters)
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
                raise bad_request(f"edge host '{uid}' is listed twice")
            seen.add(uid)
            host = self._host(uid, project)
            others = [r for r in host["status"]["inUseClustersRef"] if r["uid"] != cluster_uid]
            if others:
                raise ApiError(409, "EdgeHostInUse", f"edge host '{uid}' is in use by {others[0]['name']}")
            if host["status"]["state"] not in ("ready", "in-use"):
                raise bad_request(
                    f"edge host '{uid}' is not ready ({host['status']['state']})", "EdgeHostNotReady"
                )
            if host["spec"]["device"]["archType"] != arch:
                raise bad_request(f"edge host '{uid}' is not {arch}", "EdgeHostArchMismatch")

    # --- clusters -------------------------------------------------------------------------------

    def import_cluster(self, project: str, body: dict[str, Any], base_url: str) -> str:
        metadata = body.get("metadata") or {}
        name = str(metadata.get("name") or "")
        if not name:
            raise bad_request("metadata.name is required: the cluster's name in AWS")
        with self.lock:
            if any(c.name == name and c.project == project and not c.deleted for c in self.clusters.values()):
                raise ApiError(409, "DuplicateResource", f"cluster '{name}' already exists in this project")
            uid, config_uid = self.new_uid(), self.new_uid()
            self.aws_configs[config_uid] = AwsConfig(config_uid, uid, project)
            self.clusters[uid] = Cluster(
                uid=uid,
                name=name,
                project=project,
                cloud_type="aws",
                config_uid=config_uid,
                labels=dict(metadata.get("labels") or {}),
                created=_now(),
            )
            self.base_url = base_url
            return uid

    def _cluster(self, uid: str, project: str) -> Cluster:
        cluster = self.clusters.get(uid)
        if cluster is None or cluster.project != project or cluster.deleted:
            raise not_found("SpectroCluster", uid)
        return cluster

    def _poll(self, cluster: Cluster) -> None:
        """One read of a cluster: advances its state machine."""
        if cluster.state == "Deleting":
            if cluster.deleting_polls >= self.delete_polls:
                cluster.deleted, cluster.state = True, "Deleted"
            cluster.deleting_polls += 1
            return
        if cluster.cloud_type == "aws" and cluster.state == "Pending":
            cluster.polls += 1
            if cluster.polls >= self.import_polls:
                self.mark_cluster_running(cluster.uid)
        if cluster.cloud_type == "edge-native":
            pool = self._pool_of(cluster.uid)
            if pool is not None:
                self._poll_pool(pool)
            if cluster.spc_apply is not None and not cluster.spc_apply["canBeApplied"]:
                cluster.apply_polls += 1
                if cluster.apply_polls >= self.apply_polls:
                    cluster.spc_apply["canBeApplied"] = True

    def cluster(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            cluster = self._cluster(uid, project)
            self._poll(cluster)
            if cluster.deleted:
                raise not_found("SpectroCluster", uid)
            return self._cluster_view(cluster)

    def mark_cluster_running(self, uid: str, health: str = "Healthy") -> None:
        with self.lock:
            cluster = self.clusters[uid]
            cluster.state, cluster.health = "Running", health

    def set_cluster_state(self, uid: str, state: str, message: str = "", reason: str = "") -> None:
        """Test hook: put a cluster in `state` with a condition carrying Palette's `message`."""
        with self.lock:
            cluster = self.clusters[uid]
            cluster.state = state
            if message:
                cluster.conditions.append(
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": reason or state,
                        "message": message,
                        "lastTransitionTime": _now(),
                    }
                )
            pool = self._pool_of(uid)
            if pool is not None:
                pool.state = state

    def _cluster_view(self, cluster: Cluster) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "cloudType": cluster.cloud_type,
            "cloudConfigRef": {
                "kind": "AwsCloudConfig" if cluster.cloud_type == "aws" else "EdgeNativeCloudConfig",
                "name": cluster.name,
                "uid": cluster.config_uid,
            },
        }
        if cluster.cloud_type == "aws":
            refs = [
                {"uid": p.cluster_uid, "cloudType": "edge-native"} for p in self._pools_of(cluster.config_uid)
            ]
            hybrid: dict[str, Any] = {"enable": cluster.hybrid_enabled, "hybridMachinePoolClusterRefs": refs}
        else:
            hybrid = {"enable": False, "clusterUid": cluster.parent_uid}
            spec["clusterProfileTemplates"] = [
                self._template(self.profiles[u]) for u in cluster.profile_uids if u in self.profiles
            ]
        spec["clusterConfig"] = {"hybridClusterConfig": hybrid}
        status: dict[str, Any] = {"state": cluster.state, "conditions": copy.deepcopy(cluster.conditions)}
        if cluster.cloud_type == "aws":
            manifest = f"{self.base_url}/v1/spectroclusters/{cluster.uid}/import/manifest"
            status["clusterImport"] = {
                "importLink": f"kubectl apply -f {manifest}",
                "state": "Imported" if cluster.state == "Running" else "Pending",
                "isBrownfield": True,
            }
        if cluster.spc_apply is not None:
            status["spcApply"] = copy.deepcopy(cluster.spc_apply)
        return {"metadata": self._meta(cluster), "spec": spec, "status": status}

    @staticmethod
    def _meta(cluster: Cluster) -> dict[str, Any]:
        return {
            "name": cluster.name,
            "uid": cluster.uid,
            "labels": dict(cluster.labels),
            "annotations": {},
            "creationTimestamp": cluster.created,
            "lastModifiedTimestamp": cluster.created,
        }

    def cluster_overview(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            cluster = self._cluster(uid, project)
            return {
                "metadata": {"name": cluster.name, "uid": uid},
                "spec": {"cloudConfig": {"cloudType": cluster.cloud_type, "uid": cluster.config_uid}},
                "status": {
                    "state": cluster.state,
                    "health": {"state": cluster.health},
                    "conditions": copy.deepcopy(cluster.conditions),
                },
            }

    def search_clusters(self, project: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`POST /v1/dashboard/spectroclusters/search`: soft-deleted clusters match unless the search says
        `isDeleted=false`, as the Palette SDK's `GetClusterByName` does."""
        with self.lock:
            found = []
            for cluster in sorted(self.clusters.values(), key=lambda c: c.created + c.uid):
                if cluster.project != project:
                    continue
                values: dict[str, list[Any]] = {
                    "clusterName": [cluster.name],
                    "environment": [cluster.cloud_type],
                    "isDeleted": [cluster.deleted],
                }
                if all(_matches(values.get(str(f.get("property"))), f) for f in filters):
                    found.append(
                        {
                            "metadata": self._meta(cluster),
                            "specSummary": {
                                "cloudConfig": {"cloudType": cluster.cloud_type, "uid": cluster.config_uid},
                                "projectMeta": {"name": self.projects[project], "uid": project},
                            },
                            "status": {"state": cluster.state, "health": {"state": cluster.health}},
                        }
                    )
            return found

    def import_manifest(self, uid: str, project: str) -> str:
        with self.lock:
            cluster = self._cluster(uid, project)
        return (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cluster-" + uid + "\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: palette-import\n"
            f"  namespace: cluster-{uid}\ndata:\n  clusterName: {cluster.name}\n"
        )

    def delete_cluster(self, uid: str, project: str) -> None:
        with self.lock:
            cluster = self._cluster(uid, project)
            if cluster.state == "Deleting":
                return
            for pool in list(self._pools_of(cluster.config_uid)):
                self._delete_pool(pool)
            cluster.state, cluster.deleting_polls = "Deleting", 0

    def set_hybrid(self, uid: str, project: str, body: dict[str, Any]) -> None:
        if not isinstance(body.get("enable"), bool):
            raise bad_request("enable (true or false) is required")
        with self.lock:
            cluster = self._cluster(uid, project)
            if cluster.cloud_type != "aws":
                raise bad_request(f"cluster '{uid}' is a hybrid pool's cluster, not an EKS cluster")
            pools = [p.name for p in self._pools_of(cluster.config_uid)]
            if not body["enable"] and pools:
                raise ApiError(
                    409,
                    "ResourceInUse",
                    f"hybrid mode cannot be turned off while hybrid pools exist: {', '.join(pools)}",
                )
            cluster.hybrid_enabled = body["enable"]

    def put_hybrid_config(self, config_uid: str, project: str, body: dict[str, Any]) -> None:
        config = body.get("hybridConfig")
        if not isinstance(config, dict):
            raise bad_request("hybridConfig is required")
        _check_hybrid_config(config)
        with self.lock:
            cloud = self._aws_config(config_uid, project)
            if not self.clusters[cloud.cluster_uid].hybrid_enabled:
                raise bad_request("enable hybrid mode on the cluster first", "HybridNotEnabled")
            cloud.hybrid_config = copy.deepcopy(config)

    def _aws_config(self, config_uid: str, project: str) -> AwsConfig:
        cloud = self.aws_configs.get(config_uid)
        if cloud is None or cloud.project != project or self.clusters[cloud.cluster_uid].deleted:
            raise not_found("CloudConfig", config_uid)
        return cloud

    def aws_cloud_config(self, config_uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            cloud = self._aws_config(config_uid, project)
            cluster = self.clusters[cloud.cluster_uid]
            cluster_config: dict[str, Any] = {"region": self.region}
            if cloud.hybrid_config is not None:
                cluster_config["hybridConfig"] = _write_only_removed(cloud.hybrid_config)
            return {
                "metadata": {"name": cluster.name, "uid": config_uid},
                "spec": {
                    "clusterConfig": cluster_config,
                    "hybridMachinePools": [
                        {"poolName": p.name, "poolUid": p.uid, "poolCloudType": "edge-native"}
                        for p in self._pools_of(config_uid)
                    ],
                },
            }

    # --- profiles -------------------------------------------------------------------------------

    def _profile(self, uid: str, project: str) -> Profile:
        profile = self.profiles.get(uid)
        if profile is None or profile.project != project:
            raise not_found("ClusterProfile", uid)
        return profile

    def _name_version_taken(self, project: str, name: str, version: str, but: str = "") -> None:
        for p in self.profiles.values():
            if p.project == project and p.name == name and p.version == version and p.uid != but:
                raise ApiError(
                    409, "DuplicateResource", f"cluster profile '{name}' version '{version}' already exists"
                )

    def _resolved_packs(self, packs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each pack must exist in its registry at its tag; a given `uid` must be that pack's [I]."""
        out = []
        for pack in packs:
            name, tag, registry = pack.get("name", ""), pack.get("tag", ""), pack.get("registryUid", "")
            if pack.get("type", "spectro") != "spectro":
                out.append(copy.deepcopy(pack))
                continue
            if registry not in self.catalog.registries:
                raise bad_request(f"pack '{name}': registry '{registry}' not found", "PackRegistryNotFound")
            uid = self.catalog.pack_uid(registry, name, tag)
            if uid is None:
                raise bad_request(
                    f"pack '{name}' version '{tag}' not found in registry '{registry}'", "PackNotFound"
                )
            if pack.get("uid") and pack["uid"] != uid:
                raise bad_request(f"pack '{name}' uid '{pack['uid']}' is not version '{tag}'", "PackNotFound")
            layer = pack.get("layer") or self.catalog.packs[(registry, name)]["layer"]
            out.append({**copy.deepcopy(pack), "uid": uid, "layer": layer})
        return out

    def create_profile(self, project: str, body: dict[str, Any], publish: bool) -> str:
        meta, spec = body.get("metadata") or {}, body.get("spec") or {}
        name, version = str(meta.get("name") or ""), str(spec.get("version") or "1.0.0")
        template = spec.get("template") or {}
        if not name:
            raise bad_request("metadata.name is required")
        if not template.get("cloudType"):
            raise bad_request("spec.template.cloudType is required")
        with self.lock:
            self._name_version_taken(project, name, version)
            draft = {
                "type": template.get("type", "cluster"),
                "cloudType": template["cloudType"],
                "packs": self._resolved_packs(template.get("packs") or []),
            }
            labels, annotations = dict(meta.get("labels") or {}), dict(meta.get("annotations") or {})
            profile = self._add_profile(name, version, project, labels, annotations, draft)
            if publish:
                profile.published = copy.deepcopy(draft)
            return profile.uid

    def _add_profile(
        self,
        name: str,
        version: str,
        project: str,
        labels: dict[str, str],
        annotations: dict[str, str],
        draft: dict[str, Any],
    ) -> Profile:
        uid = self.new_uid()
        self.profiles[uid] = Profile(uid, name, version, project, labels, annotations, _now(), draft)
        return self.profiles[uid]

    def clone_profile(self, uid: str, project: str, body: dict[str, Any]) -> str:
        meta = body.get("metadata") or {}
        with self.lock:
            source = self._profile(uid, project)
            name, version = str(meta.get("name") or ""), str(meta.get("version") or "")
            if not version:
                raise bad_request("metadata.version is required for a new version")
            self._name_version_taken(project, name, version)
            draft = copy.deepcopy(source.published or source.draft or {})
            return self._add_profile(
                name, version, project, dict(source.labels), dict(source.annotations), draft
            ).uid

    def update_profile(self, uid: str, project: str, body: dict[str, Any]) -> None:
        spec = body.get("spec") or {}
        template = spec.get("template") or {}
        with self.lock:
            profile = self._profile(uid, project)
            if spec.get("version") and spec["version"] != profile.version:
                raise bad_request("the version changes through PATCH .../metadata or a clone, not PUT")
            draft = copy.deepcopy(profile.draft or profile.published or {})
            draft["type"] = template.get("type", draft.get("type", "cluster"))
            draft["packs"] = self._resolved_packs(template.get("packs") or [])
            profile.draft = draft

    def patch_profile_metadata(self, uid: str, project: str, body: dict[str, Any]) -> None:
        meta, spec = body.get("metadata") or {}, body.get("spec") or {}
        with self.lock:
            profile = self._profile(uid, project)
            if meta.get("name") and meta["name"] != profile.name:
                raise bad_request("a cluster profile's name cannot change")
            version = str(spec.get("version") or profile.version)
            self._name_version_taken(project, profile.name, version, but=uid)
            profile.version = version
            profile.labels = dict(meta.get("labels") or profile.labels)
            profile.annotations = dict(meta.get("annotations") or profile.annotations)

    def publish_profile(self, uid: str, project: str) -> None:
        with self.lock:
            profile = self._profile(uid, project)
            if profile.draft is None:
                raise bad_request("the profile has no draft to publish")
            profile.published = copy.deepcopy(profile.draft)

    def _template(self, profile: Profile) -> dict[str, Any]:
        template = profile.published or profile.draft or {}
        return {
            "uid": profile.uid,
            "name": profile.name,
            "type": template.get("type", "cluster"),
            "cloudType": template.get("cloudType", ""),
            "profileVersion": profile.version,
            "packs": [
                {
                    k: v
                    for k, v in {
                        "name": p["name"],
                        "tag": p.get("tag"),
                        "version": p.get("tag"),
                        "layer": p["layer"],
                        "type": p.get("type", "spectro"),
                        "registryUid": p.get("registryUid"),
                        "packUid": p.get("uid"),
                        "values": p.get("values", ""),
                    }.items()
                    if v is not None
                }
                for p in template.get("packs") or []
            ],
        }

    def _users(self, profile_uid: str) -> list[Cluster]:
        return [c for c in self.clusters.values() if profile_uid in c.profile_uids and not c.deleted]

    def profile(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            profile = self._profile(uid, project)
            spec: dict[str, Any] = {
                "version": profile.version,
                "versions": [
                    {"uid": p.uid, "version": p.version}
                    for p in sorted(self.profiles.values(), key=lambda p: p.created + p.uid)
                    if p.project == project and p.name == profile.name
                ],
            }
            if profile.draft is not None:
                spec["draft"] = self._template(Profile(**{**vars(profile), "published": None}))
            if profile.published is not None:
                spec["published"] = self._template(profile)
            return {
                "metadata": {
                    "name": profile.name,
                    "uid": uid,
                    "labels": dict(profile.labels),
                    "annotations": dict(profile.annotations),
                    "creationTimestamp": profile.created,
                    "lastModifiedTimestamp": profile.created,
                },
                "spec": spec,
                "status": {
                    "isPublished": profile.published is not None,
                    "inUseClusters": [
                        {"uid": c.uid, "name": c.name, "kind": "spectrocluster", "projectUid": c.project}
                        for c in self._users(uid)
                    ],
                },
            }

    def profile_list(self, project: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {
                    "metadata": {"name": p.name, "uid": p.uid},
                    "spec": {
                        "version": p.version,
                        "cloudType": (p.published or p.draft or {}).get("cloudType", ""),
                    },
                }
                for p in sorted(self.profiles.values(), key=lambda p: p.created + p.uid)
                if p.project == project
            ]

    def delete_profile(self, uid: str, project: str) -> None:
        with self.lock:
            profile = self._profile(uid, project)
            users = self._users(uid)
            if users:
                raise ApiError(
                    409,
                    "ResourceInUse",
                    f"cluster profile '{profile.name}' version '{profile.version}' is in use by clusters"
                    f" {', '.join(sorted(c.name for c in users))}",
                )
            del self.profiles[uid]

    # --- hybrid pools ---------------------------------------------------------------------------

    def _pools_of(self, aws_config_uid: str) -> list[Pool]:
        return [p for (c, _), p in sorted(self.pools.items()) if c == aws_config_uid]

    def _pool_of(self, cluster_uid: str) -> Pool | None:
        return next((p for p in self.pools.values() if p.cluster_uid == cluster_uid), None)

    def _poll_pool(self, pool: Pool) -> None:
        if pool.state == "Provisioning":
            pool.polls += 1
            if pool.polls >= self.pool_polls:
                pool.state = "Running"
                self.clusters[pool.cluster_uid].state = "Running"
                self.clusters[pool.cluster_uid].health = "Healthy"

    def _published_profile(self, uid: str, project: str) -> Profile:
        profile = self._profile(uid, project)
        if profile.published is None:
            raise bad_request(f"cluster profile '{profile.name}' is not published", "ProfileNotPublished")
        if profile.published.get("cloudType") != "edge-native":
            raise bad_request(f"cluster profile '{profile.name}' is not an edge-native profile")
        return profile

    def create_pool(self, config_uid: str, project: str, body: dict[str, Any]) -> str:
        pool_cfg, cloud = body.get("poolConfig") or {}, body.get("cloudConfig") or {}
        machine = cloud.get("machineCloudConfig") or {}
        hosts = list(machine.get("edgeHosts") or [])
        if not pool_cfg.get("name"):
            raise bad_request("poolConfig.name is required")
        _check_size(pool_cfg, hosts)
        with self.lock:
            aws = self._aws_config(config_uid, project)
            parent = self.clusters[aws.cluster_uid]
            if not parent.hybrid_enabled or aws.hybrid_config is None:
                raise bad_request("enable hybrid mode and set the hybrid config first", "HybridNotConfigured")
            if (config_uid, pool_cfg["name"]) in self.pools:
                raise ApiError(409, "DuplicateResource", f"machine pool '{pool_cfg['name']}' already exists")
            profiles = cloud.get("profiles") or []
            if len(profiles) != 1:
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
                created=_now(),
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
            raise bad_request(f"poolConfig.name must be '{name}': a pool is renamed by a new pool")
        _check_size(pool_cfg, hosts)
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

    def replace_cluster_profile(self, cluster_uid: str, project: str, body: dict[str, Any]) -> None:
        with self.lock:
            cluster = self._cluster(cluster_uid, project)
            for ref in body.get("profiles") or []:
                new = self._published_profile(str(ref.get("uid", "")), project)
                old = ref.get("replaceWithProfile")
                if old:
                    if old not in cluster.profile_uids:
                        raise bad_request(
                            f"cluster profile '{old}' is not attached to cluster '{cluster_uid}'"
                        )
                    cluster.profile_uids = [new.uid if u == old else u for u in cluster.profile_uids]
                elif new.uid not in cluster.profile_uids:
                    cluster.profile_uids.append(new.uid)
            action = (body.get("spcApplySettings") or {}).get("actionType", "DownloadAndInstall")
            cluster.spc_apply = {"actionType": action, "canBeApplied": False}
            cluster.apply_polls = 0

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

    # --- a pool's edge-native cloud config and machines -----------------------------------------

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
            running = pool.state == "Running"
            return {
                "items": [
                    {
                        "metadata": {"name": m.name, "uid": m.uid},
                        "spec": {"edgeHostUid": m.host_uid},
                        "status": {
                            "instanceState": "Running" if running else "Provisioning",
                            "ready": running,
                        },
                    }
                    for m in sorted(pool.machines.values(), key=lambda m: m.uid)
                ]
            }

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

    # --- inspection -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "projects": dict(self.projects),
                "clusters": {u: self._cluster_view(c) for u, c in self.clusters.items() if not c.deleted},
                "profiles": {u: f"{p.name}@{p.version}" for u, p in self.profiles.items()},
                "pools": {
                    f"{c}/{n}": {"uid": p.uid, "clusterUid": p.cluster_uid, "state": p.state}
                    for (c, n), p in self.pools.items()
                },
                "edgeHosts": copy.deepcopy(self.edge_hosts),
            }


def _check_size(pool_cfg: dict[str, Any], hosts: list[dict[str, Any]]) -> None:
    if pool_cfg.get("size") != len(hosts):
        raise bad_request(f"poolConfig.size is {pool_cfg.get('size')} but {len(hosts)} edge hosts are listed")


def _check_hybrid_config(config: dict[str, Any]) -> None:
    """Spectro's docs: exactly one access method, each with every field, and valid CIDRs."""
    ssm, ira = config.get("systemsManager"), config.get("iamRolesAnywhere")
    if bool(ssm) == bool(ira):
        raise bad_request("set exactly one of systemsManager or iamRolesAnywhere", "InvalidHybridConfig")
    required = (
        ("activationId", "activationCode")
        if ssm
        else ("profileArn", "roleArn", "trustAnchorArn", "rootCaCertificate", "rootCaPrivateKey")
    )
    block = ssm or ira or {}
    missing = [k for k in required if not block.get(k)]
    if missing:
        which = "systemsManager" if ssm else "iamRolesAnywhere"
        raise bad_request(f"{which} needs {', '.join(missing)}", "InvalidHybridConfig")
    cidrs = [
        config.get("awsVpcCidr"),
        *(config.get("remoteNodeCidrs") or []),
        *(config.get("remotePodCidrs") or []),
    ]
    for cidr in cidrs:
        try:
            ipaddress.ip_network(str(cidr))
        except ValueError as exc:
            raise bad_request(f"'{cidr}' is not a CIDR", "InvalidHybridConfig") from exc
    if not config.get("remoteNodeCidrs") or not config.get("remotePodCidrs"):
        raise bad_request("remoteNodeCidrs and remotePodCidrs are required", "InvalidHybridConfig")


def _write_only_removed(config: dict[str, Any]) -> dict[str, Any]:
    """Whether Palette echoes the activation code and the CA key on read is not public [?]: the emulator
    does not, so callers must treat them as write-only."""
    out = copy.deepcopy(config)
    (out.get("systemsManager") or {}).pop("activationCode", None)
    (out.get("iamRolesAnywhere") or {}).pop("rootCaPrivateKey", None)
    return out


def _host_values(host: dict[str, Any], prop: str) -> list[Any] | None:
    values: dict[str, list[Any]] = {
        "name": [host["metadata"]["name"]],
        "tags": [f"{k}:{v}" for k, v in host["metadata"]["labels"].items()],
        "state": [host["status"]["state"]],
        "healthState": [host["status"]["health"]["state"]],
        "architecture": [host["spec"]["device"]["archType"]],
    }
    return values.get(prop)


def _matches(have: list[Any] | None, item: dict[str, Any]) -> bool:
    """One search filter item (`v1SearchFilterItem`) against a property's values; an unknown property is
    a 400, as Palette's search schema has a fixed property list."""
    if have is None:
        raise bad_request(f"unknown search property '{item.get('property')}'", "InvalidSearchFilter")
    condition = item.get("condition") or {}
    if "bool" in condition:
        return any(h is bool((condition.get("bool") or {}).get("value")) for h in have)
    string = condition.get("string") or {}
    values = list((string.get("match") or {}).get("values") or [])
    have = [str(h) for h in have]
    operator = string.get("operator", "eq")
    if string.get("ignoreCase"):
        have, values = [h.lower() for h in have], [v.lower() for v in values]
    if operator == "contains":
        hit = any(v in h for h in have for v in values)
    elif operator == "beginsWith":
        hit = any(h.startswith(v) for h in have for v in values)
    else:
        hit = any(h in values for h in have)
    return hit != bool(string.get("negation"))
