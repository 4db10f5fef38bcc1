"""Every Palette request body, built by pure functions from the config models (no pulumi, no I/O).

Shapes follow the Palette Swagger spec (`palette-apis-spec.json`); each builder names the definition its
result must satisfy, and `tests/palette/test_payloads.py` validates them against it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..domain.palette import EdgeHostConfig, NodePoolConfig, PaletteProfileConfig
from .packs import ResolvedPack

__all__ = [
    "HybridIdentity",
    "cluster_import_body",
    "cluster_profile_body",
    "cluster_search_body",
    "edge_host_body",
    "edge_host_search_body",
    "hybrid_config_body",
    "hybrid_settings_body",
    "pool_create_body",
    "pool_update_body",
    "profile_clone_body",
    "profile_metadata_body",
    "profile_update_body",
    "replace_profile_body",
]

WORKER_LABELS = ["worker"]


@dataclass(frozen=True)
class HybridIdentity:
    """How hybrid nodes authenticate to AWS: SSM hybrid activations or IAM Roles Anywhere."""

    provider: Literal["ssm", "iamRolesAnywhere"]
    activation_id: str | None = None
    activation_code: str | None = None
    role_arn: str | None = None
    trust_anchor_arn: str | None = None
    profile_arn: str | None = None
    root_ca_certificate: str | None = None
    root_ca_private_key: str | None = None

    def __repr__(self) -> str:  # the activation code and the CA's private key are credentials
        return f"HybridIdentity(provider={self.provider!r}, activation_id={self.activation_id!r}, ...)"

    def secrets(self) -> tuple[str, ...]:
        """The credentials among these values (the Pulumi secret inputs: `PaletteHub`'s `identity`): the SSM
        activation code and the CA's private key. The activation id and the ARNs are not secret in AWS."""
        return tuple(s for s in (self.activation_code, self.root_ca_private_key) if s)

    def problems(self) -> list[str]:
        # Spectro's docs: IAM Roles Anywhere needs the profile, role and trust anchor ARNs and the root CA's
        # certificate and private key (v1IamRolesAnywhere), from which Palette issues host certificates.
        required = (
            ("activation_id", "activation_code")
            if self.provider == "ssm"
            else ("role_arn", "trust_anchor_arn", "profile_arn", "root_ca_certificate", "root_ca_private_key")
        )
        return [
            f"{name} is required for credentials provider {self.provider}"
            for name in required
            if not getattr(self, name)
        ]


# --- cluster import and hybrid mode (v1SpectroAwsClusterImportEntity, v1ClusterHybridSettingsEntity,
# v1AwsCloudHybridConfigEntity) ---------------------------------------------------------------------


def cluster_import_body(cluster_name: str, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`POST /v1/spectroclusters/aws/import`: full-permission import (importMode omitted)."""
    return {
        "metadata": {"name": cluster_name, "labels": dict(labels or {}), "annotations": {}},
        "spec": {"clusterConfig": {}},
    }


def hybrid_settings_body(enable: bool = True) -> dict[str, Any]:
    """`PATCH /v1/spectroclusters/{uid}/hybridSettings`."""
    return {"enable": enable}


def hybrid_config_body(
    vpc_cidr: str, node_cidrs: Sequence[str], pod_cidrs: Sequence[str], identity: HybridIdentity
) -> dict[str, Any]:
    """`PUT /v1/cloudconfigs/aws/{configUid}/clusterConfig/hybridConfig`, CIDRs sorted and de-duplicated."""
    config: dict[str, Any] = {
        "awsVpcCidr": vpc_cidr,
        "remoteNodeCidrs": sorted(set(node_cidrs)),
        "remotePodCidrs": sorted(set(pod_cidrs)),
    }
    if identity.provider == "ssm":
        config["systemsManager"] = {
            "activationId": identity.activation_id or "",
            "activationCode": identity.activation_code or "",
        }
    else:
        config["iamRolesAnywhere"] = {
            "profileArn": identity.profile_arn or "",
            "roleArn": identity.role_arn or "",
            "trustAnchorArn": identity.trust_anchor_arn or "",
            "rootCaCertificate": identity.root_ca_certificate or "",
            "rootCaPrivateKey": identity.root_ca_private_key or "",
        }
    return {"hybridConfig": config}


# --- cluster profile (v1ClusterProfileEntity, v1ClusterProfileUpdateEntity, v1ProfileMetaEntity,
# v1ClusterProfileCloneEntity) -------------------------------------------------------------------------

PROFILE_DESCRIPTION = "EKS Hybrid Nodes pools (managed by eks-hybrid)"
PROFILE_LABELS = {"managed-by": "eks-hybrid"}
# The hybrid pools' profile's cloud type (`v1ClusterProfileTemplate.cloudType`); its packs are looked up for
# the same cloud type (`_api.pack_versions`).
PROFILE_CLOUD_TYPE = "edge-native"


def cluster_profile_body(profile: PaletteProfileConfig, packs: Sequence[ResolvedPack]) -> dict[str, Any]:
    """`POST /v1/clusterprofiles`: a full (`cluster`) edge-native profile for hybrid pools, its packs
    resolved to registry and pack uids (`packs.pick_version`)."""
    return {
        "metadata": {
            "name": profile.name,
            "annotations": {"description": PROFILE_DESCRIPTION},
            "labels": dict(PROFILE_LABELS),
        },
        "spec": {
            "version": profile.version,
            "template": {
                "type": "cluster",
                "cloudType": PROFILE_CLOUD_TYPE,
                "packs": [p.entity() for p in packs],
            },
        },
    }


def profile_clone_body(profile: PaletteProfileConfig) -> dict[str, Any]:
    """`POST /v1/clusterprofiles/{uid}/clone`: a new version of the same profile (Terraform's
    immutable-profile path: clone, then update, then publish)."""
    return {"metadata": {"name": profile.name, "version": profile.version}}


def profile_update_body(
    profile: PaletteProfileConfig, uid: str, packs: Sequence[ResolvedPack]
) -> dict[str, Any]:
    """`PUT /v1/clusterprofiles/{uid}`: the clone's packs replaced by ours."""
    return {
        "metadata": {"name": profile.name, "uid": uid},
        "spec": {
            "version": profile.version,
            "template": {"type": "cluster", "packs": [p.entity() for p in packs]},
        },
    }


def profile_metadata_body(profile: PaletteProfileConfig) -> dict[str, Any]:
    """`PATCH /v1/clusterprofiles/{uid}/metadata`."""
    return {
        "metadata": {
            "name": profile.name,
            "annotations": {"description": PROFILE_DESCRIPTION},
            "labels": dict(PROFILE_LABELS),
        },
        "spec": {"version": profile.version},
    }


# --- hybrid node pools (v1HybridEdgeNativeMachinePoolConfigEntity / ...UpdateEntity) ---------------


def edge_host_body(host: EdgeHostConfig) -> dict[str, Any]:
    """One `v1EdgeNativeHybridMachinePoolHost`; a missing NIC means "Auto"."""
    body: dict[str, Any] = {"hostUid": host.uid}
    if host.name:
        body["hostName"] = host.name
    if host.nic_name:
        body["nic"] = {"nicName": host.nic_name}
    if host.vpn_server_ip:
        body["vpnServerIp"] = str(host.vpn_server_ip)
    return body


def _pool_config(pool: NodePoolConfig) -> dict[str, Any]:
    return {
        "name": pool.name,
        "labels": list(WORKER_LABELS),
        "size": len(pool.edge_hosts),
        "additionalLabels": dict(sorted(pool.labels.items())),
        "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in pool.taints],
        "machinePoolProperties": {"archType": pool.architecture},
        "isControlPlane": False,
    }


def _machine_config(pool: NodePoolConfig) -> dict[str, Any]:
    return {"archType": pool.architecture, "edgeHosts": [edge_host_body(h) for h in pool.edge_hosts]}


def _cluster_config(pool: NodePoolConfig) -> dict[str, Any]:
    return {"ntpServers": list(pool.ntp_servers)}


def pool_create_body(pool: NodePoolConfig, profile_uid: str) -> dict[str, Any]:
    """`POST .../edge-native/machinePools`: hosts under `cloudConfig.machineCloudConfig`, with the profile."""
    return {
        "poolConfig": _pool_config(pool),
        "cloudConfig": {
            "clusterConfig": _cluster_config(pool),
            "machineCloudConfig": _machine_config(pool),
            "profiles": [{"uid": profile_uid}],
        },
    }


def pool_update_body(pool: NodePoolConfig) -> dict[str, Any]:
    """`PUT .../edge-native/machinePools/{name}`: hosts directly under `cloudConfig`, `clusterConfig` at the
    top level, and no `profiles` (a profile change goes through `replace_profile_body`)."""
    return {
        "poolConfig": _pool_config(pool),
        "cloudConfig": _machine_config(pool),
        "clusterConfig": _cluster_config(pool),
    }


def replace_profile_body(new_profile_uid: str, old_profile_uid: str) -> dict[str, Any]:
    """`PATCH /v1/spectroclusters/{poolClusterUid}/profiles`: switch a pool's hybrid cluster to a new
    profile version (this repaves the pool)."""
    return {
        "profiles": [{"uid": new_profile_uid, "replaceWithProfile": old_profile_uid}],
        "spcApplySettings": {"actionType": "DownloadAndInstall"},
    }


# --- searches (v1SearchFilterSummarySpec) ----------------------------------------------------------


def _string_filter(prop: str, values: Sequence[str], *, negation: bool = False) -> dict[str, Any]:
    return {
        "property": prop,
        "type": "string",
        "condition": {
            "string": {
                "operator": "eq",
                "negation": negation,
                "ignoreCase": False,
                "match": {"conjunction": "or", "values": list(values)},
            }
        },
    }


def cluster_search_body(name: str) -> dict[str, Any]:
    """`POST /v1/dashboard/spectroclusters/search` for live clusters named `name`, as the Palette SDK's
    `GetClusterByName` builds it (`client/cluster.go` `getClusterFilter`): not a virtual (`nested`)
    cluster, `isDeleted` false, and the name. Without `isDeleted=false` a deleted cluster's record matches."""
    return {
        "filter": {
            "conjunction": "and",
            "filterGroups": [
                {
                    "conjunction": "and",
                    "filters": [
                        _string_filter("environment", ["nested"], negation=True),
                        {"property": "isDeleted", "type": "bool", "condition": {"bool": {"value": False}}},
                    ],
                },
                {"conjunction": "and", "filters": [_string_filter("clusterName", [name])]},
            ],
        },
        "sort": [],
    }


def edge_host_search_body(equals: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """`POST /v1/dashboard/edgehosts/search`: every property must equal one of its values."""
    filters = [_string_filter(prop, values) for prop, values in sorted(equals.items())]
    return {
        "filter": {"conjunction": "and", "filterGroups": [{"conjunction": "and", "filters": filters}]},
        "sort": [],
    }
