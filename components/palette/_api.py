"""The Palette operations eks-hybrid uses, one method each, over a `PaletteClient`.

Every request goes through `_call(METHOD, "<path template as the spec spells it>", **path_params)` (or
the client's paging for searches); `tests/test_reference_data.py` reads the templates from this file and
checks that each is an operation of the vendored Palette spec.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from ..codes import Code
from ..errors import PaletteError, PaletteNotFoundError
from ._client import PaletteClient
from .payloads import PROFILE_CLOUD_TYPE, cluster_search_body, edge_host_search_body

__all__ = ["PaletteApi"]


def _url(template: str, path: dict[str, str]) -> str:
    """A spec path template filled with percent-encoded path parameters."""
    return template.format(**{k: quote(str(v), safe="") for k, v in path.items()})


class PaletteApi:
    def __init__(self, client: PaletteClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"PaletteApi({self.client!r})"

    def _call(
        self,
        method: str,
        template: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        raw: bool = False,
        repeatable: bool = True,
        secrets: Iterable[str] = (),
        **path: str,
    ) -> Any:
        return self.client.request(
            method,
            _url(template, path),
            json=body,
            params=params,
            raw=raw,
            repeatable=repeatable,
            secrets=secrets,
        )

    def _get_or_none(
        self, template: str, *, params: dict[str, Any] | None = None, **path: str
    ) -> dict[str, Any] | None:
        """A GET where 404 means "absent" (the client has checked the key and project first)."""
        try:
            found = self.client.request("GET", _url(template, path), params=params)
        except PaletteNotFoundError:
            return None
        return dict(found) if found else None

    # --- clusters -------------------------------------------------------------------------------

    def import_aws_cluster(self, body: dict[str, Any]) -> str:
        """Sent again only when Palette surely did not act on it: no source says Palette refuses a second
        import of one name (the SDK's `ImportSpectroClusterAws` and Terraform's brownfield create just POST),
        so a repeat after a lost answer could import the cluster twice. The provider looks it up instead."""
        return str(self._call("POST", "/v1/spectroclusters/aws/import", body=body, repeatable=False)["uid"])

    def get_cluster(self, uid: str) -> dict[str, Any] | None:
        """None when missing or already `Deleted` (as the Palette SDK's `GetCluster` treats it)."""
        cluster = self._get_or_none("/v1/spectroclusters/{uid}", uid=uid)
        if cluster is None or (cluster.get("status") or {}).get("state") == "Deleted":
            return None
        return cluster

    def find_clusters(self, name: str) -> list[dict[str, Any]]:
        """Live (not deleted) clusters named `name`: the SDK's `GetClusterByName` search."""
        body = cluster_search_body(name)
        return list(self.client.paginate("POST", "/v1/dashboard/spectroclusters/search", body=body))

    def find_cluster_uid(self, name: str) -> str | None:
        found = self.find_clusters(name)
        if len(found) > 1:
            uids = ", ".join(str((c.get("metadata") or {}).get("uid")) for c in found)
            raise PaletteError(
                f"{len(found)} Palette clusters are named {name!r} ({uids}): expected one",
                code=Code.PALETTE_CLUSTER_AMBIGUOUS,
            )
        return str((found[0].get("metadata") or {}).get("uid")) if found else None

    def cluster_overview(self, uid: str) -> dict[str, Any]:
        return dict(self._call("GET", "/v1/dashboard/spectroclusters/{uid}/overview", uid=uid) or {})

    def import_manifest(self, uid: str) -> str:
        return str(self._call("GET", "/v1/spectroclusters/{uid}/import/manifest", raw=True, uid=uid))

    def delete_cluster(self, uid: str) -> None:
        self._call("DELETE", "/v1/spectroclusters/{uid}", uid=uid)

    def set_hybrid_settings(self, cluster_uid: str, body: dict[str, Any]) -> None:
        self._call("PATCH", "/v1/spectroclusters/{uid}/hybridSettings", body=body, uid=cluster_uid)

    def put_hybrid_config(self, config_uid: str, body: dict[str, Any], secrets: Iterable[str] = ()) -> None:
        """`secrets`: the values in `body` that are secret (`HybridIdentity.secrets`), kept out of errors."""
        self._call(
            "PUT",
            "/v1/cloudconfigs/aws/{configUid}/clusterConfig/hybridConfig",
            body=body,
            secrets=secrets,
            configUid=config_uid,
        )

    def get_aws_cloud_config(self, config_uid: str) -> dict[str, Any] | None:
        return self._get_or_none("/v1/cloudconfigs/aws/{configUid}", configUid=config_uid)

    def patch_cluster_profiles(self, cluster_uid: str, body: dict[str, Any]) -> None:
        self._call("PATCH", "/v1/spectroclusters/{uid}/profiles", body=body, uid=cluster_uid)

    # --- cluster profiles -----------------------------------------------------------------------

    def create_profile(self, body: dict[str, Any]) -> str:
        return str(self._call("POST", "/v1/clusterprofiles", body=body)["uid"])

    def clone_profile(self, uid: str, body: dict[str, Any]) -> str:
        return str(self._call("POST", "/v1/clusterprofiles/{uid}/clone", body=body, uid=uid)["uid"])

    def update_profile(self, uid: str, body: dict[str, Any]) -> None:
        self._call("PUT", "/v1/clusterprofiles/{uid}", body=body, uid=uid)

    def patch_profile_metadata(self, uid: str, body: dict[str, Any]) -> None:
        self._call("PATCH", "/v1/clusterprofiles/{uid}/metadata", body=body, uid=uid)

    def publish_profile(self, uid: str) -> None:
        self._call("PATCH", "/v1/clusterprofiles/{uid}/publish", uid=uid)

    def get_profile(self, uid: str) -> dict[str, Any] | None:
        return self._get_or_none("/v1/clusterprofiles/{uid}", uid=uid)

    def profile_versions(self, name: str) -> dict[str, str]:
        """Every version of the profile `name` in the project: version -> uid."""
        listing = self._call("GET", "/v1/dashboard/clusterprofiles/metadata") or {}
        return {
            str((item.get("spec") or {}).get("version")): str((item.get("metadata") or {}).get("uid"))
            for item in listing.get("items") or []
            if (item.get("metadata") or {}).get("name") == name
        }

    def find_profile_uid(self, name: str, version: str) -> str | None:
        return self.profile_versions(name).get(version)

    def delete_profile(self, uid: str) -> None:
        self._call("DELETE", "/v1/clusterprofiles/{uid}", uid=uid)

    # --- pack registries and packs ----------------------------------------------------------------

    def registries(self) -> list[dict[str, Any]]:
        listing = self._call("GET", "/v1/registries/metadata", params={"scope": ""}) or {}
        return list(listing.get("items") or [])

    def pack_versions(self, name: str, registry_uid: str) -> dict[str, Any] | None:
        """`v1PackTagEntity` of pack `name` in a registry (its tags and default values); None if absent.
        Only the pack's edge-native builds: the spec's `cloudType` query parameter on this path (default
        `all`), as the Terraform provider's pack data source filters by cloud type (`data_source_pack.go`)."""
        return self._get_or_none(
            "/v1/packs/{packName}/registries/{registryUid}",
            params={"cloudType": PROFILE_CLOUD_TYPE},
            packName=name,
            registryUid=registry_uid,
        )

    # --- hybrid node pools ----------------------------------------------------------------------

    def create_pool(self, config_uid: str, body: dict[str, Any]) -> str:
        created = self._call(
            "POST",
            "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools",
            body=body,
            configUid=config_uid,
        )
        return str((created or {}).get("uid", ""))

    def get_pool(self, config_uid: str, name: str) -> dict[str, Any] | None:
        return self._get_or_none(
            "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}",
            configUid=config_uid,
            machinePoolName=name,
        )

    def update_pool(self, config_uid: str, name: str, body: dict[str, Any]) -> None:
        self._call(
            "PUT",
            "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}",
            body=body,
            configUid=config_uid,
            machinePoolName=name,
        )

    def delete_pool(self, config_uid: str, name: str) -> None:
        self._call(
            "DELETE",
            "/v1/cloudconfigs/aws/{configUid}/edge-native/machinePools/{machinePoolName}",
            configUid=config_uid,
            machinePoolName=name,
        )

    def hybrid_pools(self, cluster_uid: str) -> list[dict[str, Any]]:
        meta = self._call("GET", "/v1/spectroclusters/{uid}/hybridPools/metadata", uid=cluster_uid) or {}
        return list((meta.get("spec") or {}).get("hybridPools") or [])

    def get_edge_native_config(self, config_uid: str) -> dict[str, Any] | None:
        """A hybrid pool's own (edge-native) cloud config: where its `clusterConfig` (NTP servers) lives."""
        return self._get_or_none("/v1/cloudconfigs/edge-native/{configUid}", configUid=config_uid)

    def pool_machines(self, config_uid: str, pool_name: str) -> list[dict[str, Any]]:
        listing = self._call(
            "GET",
            "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines",
            configUid=config_uid,
            machinePoolName=pool_name,
        )
        return list((listing or {}).get("items") or [])

    def delete_machine(self, config_uid: str, pool_name: str, machine_uid: str) -> None:
        self._call(
            "DELETE",
            "/v1/cloudconfigs/edge-native/{configUid}/machinePools/{machinePoolName}/machines/{machineUid}",
            configUid=config_uid,
            machinePoolName=pool_name,
            machineUid=machine_uid,
        )

    # --- edge hosts -----------------------------------------------------------------------------

    def get_edge_host(self, uid: str) -> dict[str, Any] | None:
        return self._get_or_none("/v1/edgehosts/{uid}", uid=uid)

    def search_edge_hosts(self, equals: dict[str, list[str]], limit: int = 50) -> list[dict[str, Any]]:
        body = edge_host_search_body(equals)
        return list(self.client.paginate("POST", "/v1/dashboard/edgehosts/search", body=body, limit=limit))
