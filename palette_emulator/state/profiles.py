"""Cluster profiles: versions by name, drafts and published templates, the packs they name, and the profiles
attached to a cluster.

A pack must exist at its tag in a registry of the emulator's catalog; a profile in use by a cluster can be
deleted, as on Palette, and its GET names the clusters using it.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError, bad_request, not_found
from .records import Cluster, Profile, now
from .store import Store


class Profiles(Store):
    def _profile(self, uid: str, project: str) -> Profile:
        profile = self.profiles.get(uid)
        if profile is None or profile.project != project:
            raise not_found("ClusterProfile", uid)
        return profile

    def _name_version_taken(self, project: str, name: str, version: str, but: str = "") -> None:
        for p in self.profiles.values():
            if p.project == project and p.name == name and p.version == version and p.uid != but:
                # One (name, version) per project: the Terraform provider adopts an existing one rather than
                # create it (resource_cluster_profile.go, "adopt-on-create") [I: the 409 code].
                raise ApiError(
                    409, "DuplicateResource", f"cluster profile '{name}' version '{version}' already exists"
                )

    def _resolved_packs(self, packs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each registry pack (`spectro` or `oci`) must exist in its registry at its tag (a `version`, as
        the Terraform provider's `resolvePackUID` matches it); a given `uid` must be that pack's [I].

        A pack's type should follow its registry's kind: "If using an OCI registry for pack, set the type to
        `oci`" (Terraform provider, `spectrocloud/schemas/pack.go`). No source says Palette refuses the
        other type, so a mismatch is accepted and recorded in `flagged` [I] (tests fail on any entry)."""
        out = []
        for pack in packs:
            name, tag, registry = pack.get("name", ""), pack.get("tag", ""), pack.get("registryUid", "")
            type_ = pack.get("type", "spectro")  # `v1PackType`'s default
            if type_ not in ("spectro", "oci"):
                out.append(copy.deepcopy(pack))
                continue
            if registry not in self.catalog.registries:
                # The Terraform provider's resolvePackUID fails on a registry or version it cannot find [I:
                # Palette's code].
                raise bad_request(f"pack '{name}': registry '{registry}' not found", "PackRegistryNotFound")
            kind = self.catalog.kind(registry)
            if (type_ == "oci") != (kind == "oci"):
                self.flagged.append(
                    f"pack '{name}' sent as type '{type_}' from registry '{registry}' of kind '{kind}'"
                    f" (an OCI registry's packs are type 'oci', Terraform's schemas/pack.go)"
                )
            uid = self.catalog.pack_uid(registry, name, tag)
            if uid is None:
                raise bad_request(
                    f"pack '{name}' version '{tag}' not found in registry '{registry}'", "PackNotFound"
                )
            if pack.get("uid") and pack["uid"] != uid:
                raise bad_request(f"pack '{name}' uid '{pack['uid']}' is not version '{tag}'", "PackNotFound")
            if type_ == "spectro" and not pack.get("uid"):
                # The uid "is required if the pack type is `spectro`" (Terraform provider, schemas/pack.go);
                # SPEC `v1PackManifestEntity` requires only `name`, and no source says Palette refuses the
                # pack without it. Accepted, resolved as a `uid` would be, and flagged [I].
                self.flagged.append(
                    f"pack '{name}' of type 'spectro' sent without its uid (Terraform's schemas/pack.go)"
                )
            layer = pack.get("layer") or self.catalog.packs[(registry, name)]["layer"]
            out.append({**copy.deepcopy(pack), "uid": uid, "layer": layer})
        return out

    def create_profile(self, project: str, body: dict[str, Any], publish: bool) -> str:
        meta, spec = body.get("metadata") or {}, body.get("spec") or {}
        name, version = str(meta.get("name") or ""), str(spec.get("version") or "1.0.0")
        template = spec.get("template") or {}
        if not name:
            # [I]: the refusals below guard the emulator's own records.
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
        self.profiles[uid] = Profile(uid, name, version, project, labels, annotations, now(), draft)
        return self.profiles[uid]

    def clone_profile(self, uid: str, project: str, body: dict[str, Any]) -> str:
        meta = body.get("metadata") or {}
        with self.lock:
            source = self._profile(uid, project)
            name, version = str(meta.get("name") or ""), str(meta.get("version") or "")
            if not version:
                # SPEC v1ClusterProfileCloneEntity names the new version [I: refusing none].
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
                # A version is changed with PATCH .../metadata (SPEC) [I: refusing it on PUT].
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
                # [I].
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
                # [I].
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
            users = self._users(uid)
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
                    # SPEC v1ClusterProfileStatus: `inUseClusters` (v1ObjectResReference) and the deprecated
                    # `inUseClusterUids`. A hybrid pool's own cluster is listed under the pool's name, as
                    # Spectro's docs show it (create-hybrid-node-pools.md, "Trigger Repave", step 4); the
                    # `kind` value is inferred [I].
                    "inUseClusters": [
                        {"uid": c.uid, "name": c.name, "kind": "spectrocluster", "projectUid": c.project}
                        for c in users
                    ],
                    "inUseClusterUids": [c.uid for c in users],
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
        """Deleted even while clusters use it: "Clusters that are using a deleted profile will continue to
        operate fine" (Spectro's docs, profiles/cluster-profiles/delete-cluster-profile.md); the Terraform
        provider needs `skip_destroy` to keep an old version (`resource_cluster_profile.go`). The clusters
        keep the profile's uid among theirs [I: what Palette shows for them afterwards is not documented]."""
        with self.lock:
            self._profile(uid, project)
            del self.profiles[uid]

    # --- profiles attached to clusters ----------------------------------------------------------

    def _published_profile(self, uid: str, project: str) -> Profile:
        profile = self._profile(uid, project)
        if profile.published is None:
            # DOCS create-hybrid-node-pools.md, "Create Profile" steps 4-5: a Full profile for Edge Native [I:
            # that it must be published, and the codes].
            raise bad_request(f"cluster profile '{profile.name}' is not published", "ProfileNotPublished")
        if profile.published.get("cloudType") != "edge-native":
            raise bad_request(f"cluster profile '{profile.name}' is not an edge-native profile")
        return profile

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
            cluster.apply_at = self.now() + self.timing.profile_download
