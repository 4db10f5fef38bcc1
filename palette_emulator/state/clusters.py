"""Clusters: the imported EKS cluster and the hybrid pools' edge-native clusters, read, searched, deleted.

A read of a cluster advances its state machines (the package's docstring lists them); deleting an imported
cluster deletes its hybrid pools at once.
"""

from __future__ import annotations

import copy
from typing import Any

from ..import_manifest import import_manifest
from .errors import bad_request
from .pools import Pools
from .records import AwsConfig, Cluster, now
from .search import matches


class Clusters(Pools):
    def import_cluster(self, project: str, body: dict[str, Any], base_url: str) -> str:
        metadata = body.get("metadata") or {}
        name = str(metadata.get("name") or "")
        if not name:
            # The name is the EKS cluster's (DOCS import page, step 4: "Ensure it matches the cluster name in
            # AWS"); the 400 for none is inferred [I].
            raise bad_request("metadata.name is required: the cluster's name in AWS")
        with self.lock:
            # No source says Palette refuses a second import under a live cluster's name (the SDK's
            # `ImportSpectroClusterAws` and the Terraform provider's brownfield create just POST; the SDK's
            # `GetClusterByName` search can find several). So it is accepted, and flagged [I]: our providers
            # find by name before they import and must never create a namesake.
            if any(c.name == name and c.project == project and not c.deleted for c in self.clusters.values()):
                self.flagged.append(f"a second cluster named '{name}' imported into project '{project}'")
            uid, config_uid = self.new_uid(), self.new_uid()
            self.aws_configs[config_uid] = AwsConfig(config_uid, uid, project)
            self.clusters[uid] = Cluster(
                uid=uid,
                name=name,
                project=project,
                cloud_type="aws",
                config_uid=config_uid,
                labels=dict(metadata.get("labels") or {}),
                created=now(),
                ready_at=self.now() + self.timing.import_ready,
            )
            self.base_url = base_url
            return uid

    def tick(self) -> None:
        """Palette's background work, up to now: imports finishing, deletes and swaps progressing. The app
        calls it before answering each request."""
        with self.lock:
            now = self.now()
            for cluster in self.clusters.values():
                if cluster.deleted:
                    continue
                if cluster.gone_at is not None:
                    if now >= cluster.gone_at:
                        cluster.deleted, cluster.state = True, "Deleted"
                    continue
                if cluster.cloud_type == "aws" and cluster.state == "Pending" and now >= cluster.ready_at:
                    cluster.state, cluster.health = "Running", "Healthy"
                if cluster.spc_apply is not None and not cluster.spc_apply["canBeApplied"]:
                    cluster.spc_apply["canBeApplied"] = now >= cluster.apply_at
            self._tick_pools()

    def cluster(self, uid: str, project: str) -> dict[str, Any]:
        with self.lock:
            return self._cluster_view(self._cluster(uid, project))

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
                        "lastTransitionTime": now(),
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
        pool = self._pool_of(cluster.uid) if cluster.cloud_type == "edge-native" else None
        if pool is not None and pool.state == "Running":
            status["packs"] = self._pack_status(self._applied_profile(pool))
        return {"metadata": self._meta(cluster), "spec": spec, "status": status}

    def _pack_status(self, profile_uid: str) -> list[dict[str, Any]]:
        """SPEC `v1ClusterPackStatus` for each layer of the profile the pool's nodes run (the previous one
        while a repave is under way) [I: which profile a pack's status names during a repave is not
        public]."""
        profile = self.profiles.get(profile_uid)
        template = (profile.published or profile.draft or {}) if profile else {}
        return [
            {
                "name": p["name"],
                "version": p.get("tag", ""),
                "profileUid": profile_uid,
                "condition": {"type": "Ready", "status": "True"},
            }
            for p in template.get("packs") or []
        ]

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
                if all(matches(values.get(str(f.get("property"))), f) for f in filters):
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
        """The Palette agent's manifest, shaped as Spectro's docs show the real one (`import_manifest.py`)."""
        with self.lock:
            cluster = self._cluster(uid, project)
        return import_manifest(uid, cluster.name)

    def delete_cluster(self, uid: str, project: str) -> None:
        with self.lock:
            cluster = self._cluster(uid, project)
            if cluster.state == "Deleting":
                return
            for pool in list(self._pools_of(cluster.config_uid)):
                self._delete_pool(pool)
            cluster.state, cluster.gone_at = "Deleting", self.now() + self.timing.cluster_delete
