"""The Palette operations eks-hybrid uses, one method each, over a `PaletteClient`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..errors import PaletteNotFoundError
from ._client import PaletteClient
from .payloads import edge_host_search_body

__all__ = ["PaletteApi"]


def _seg(value: str) -> str:
    return quote(value, safe="")


class PaletteApi:
    def __init__(self, client: PaletteClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"PaletteApi({self.client!r})"

    # --- clusters -------------------------------------------------------------------------------

    def import_aws_cluster(self, body: dict[str, Any]) -> str:
        return str(self.client.post("/v1/spectroclusters/aws/import", body)["uid"])

    def get_cluster(self, uid: str) -> dict[str, Any] | None:
        """None when missing or already `Deleted` (as the Palette SDK treats it)."""
        try:
            cluster = self.client.get(f"/v1/spectroclusters/{_seg(uid)}")
        except PaletteNotFoundError:
            return None
        if not cluster or (cluster.get("status") or {}).get("state") == "Deleted":
            return None
        return dict(cluster)

    def find_cluster_uid(self, name: str) -> str | None:
        listing = self.client.get("/v1/dashboard/spectroclusters/metadata") or {}
        for item in listing.get("items") or []:
            if item.get("name") == name and item.get("uid"):
                return str(item["uid"])
        return None

    def cluster_overview(self, uid: str) -> dict[str, Any]:
        return dict(self.client.get(f"/v1/dashboard/spectroclusters/{_seg(uid)}/overview") or {})

    def import_manifest(self, uid: str) -> str:
        return self.client.get_text(f"/v1/spectroclusters/{_seg(uid)}/import/manifest")

    def delete_cluster(self, uid: str) -> None:
        self.client.delete(f"/v1/spectroclusters/{_seg(uid)}")

    def set_hybrid_settings(self, cluster_uid: str, body: dict[str, Any]) -> None:
        self.client.patch(f"/v1/spectroclusters/{_seg(cluster_uid)}/hybridSettings", body)

    def put_hybrid_config(self, config_uid: str, body: dict[str, Any]) -> None:
        self.client.put(f"/v1/cloudconfigs/aws/{_seg(config_uid)}/clusterConfig/hybridConfig", body)

    def get_aws_cloud_config(self, config_uid: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(f"/v1/cloudconfigs/aws/{_seg(config_uid)}"))
        except PaletteNotFoundError:
            return None

    def replace_cluster_profile(self, cluster_uid: str, body: dict[str, Any]) -> None:
        self.client.patch(f"/v1/spectroclusters/{_seg(cluster_uid)}/profiles", body)

    # --- cluster profiles -----------------------------------------------------------------------

    def create_profile(self, body: dict[str, Any]) -> str:
        return str(self.client.post("/v1/clusterprofiles", body, params={"publish": "true"})["uid"])

    def publish_profile(self, uid: str) -> None:
        self.client.patch(f"/v1/clusterprofiles/{_seg(uid)}/publish")

    def get_profile(self, uid: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(f"/v1/clusterprofiles/{_seg(uid)}"))
        except PaletteNotFoundError:
            return None

    def find_profile_uid(self, name: str, version: str) -> str | None:
        listing = self.client.get("/v1/dashboard/clusterprofiles/metadata") or {}
        for item in listing.get("items") or []:
            meta, spec = item.get("metadata") or {}, item.get("spec") or {}
            if meta.get("name") == name and spec.get("version") == version and meta.get("uid"):
                return str(meta["uid"])
        return None

    def delete_profile(self, uid: str) -> None:
        self.client.delete(f"/v1/clusterprofiles/{_seg(uid)}")

    # --- hybrid node pools ----------------------------------------------------------------------

    def _pools(self, config_uid: str) -> str:
        return f"/v1/cloudconfigs/aws/{_seg(config_uid)}/edge-native/machinePools"

    def create_pool(self, config_uid: str, body: dict[str, Any]) -> str:
        return str((self.client.post(self._pools(config_uid), body) or {}).get("uid", ""))

    def get_pool(self, config_uid: str, name: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(f"{self._pools(config_uid)}/{_seg(name)}"))
        except PaletteNotFoundError:
            return None

    def update_pool(self, config_uid: str, name: str, body: dict[str, Any]) -> None:
        self.client.put(f"{self._pools(config_uid)}/{_seg(name)}", body)

    def delete_pool(self, config_uid: str, name: str) -> None:
        self.client.delete(f"{self._pools(config_uid)}/{_seg(name)}")

    def hybrid_pools(self, cluster_uid: str) -> list[dict[str, Any]]:
        meta = self.client.get(f"/v1/spectroclusters/{_seg(cluster_uid)}/hybridPools/metadata") or {}
        return list((meta.get("spec") or {}).get("hybridPools") or [])

    # --- edge hosts -----------------------------------------------------------------------------

    def get_edge_host(self, uid: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.get(f"/v1/edgehosts/{_seg(uid)}"))
        except PaletteNotFoundError:
            return None

    def search_edge_hosts(self, equals: dict[str, list[str]], limit: int = 50) -> list[dict[str, Any]]:
        body = edge_host_search_body(equals)
        return list(self.client.paginate("POST", "/v1/dashboard/edgehosts/search", body=body, limit=limit))
