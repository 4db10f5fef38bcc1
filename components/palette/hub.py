"""`PaletteHub`: import the EKS cluster into Palette, wait for health, enable hybrid mode, add a profile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from ..config.hub import PaletteConfig
from ._resources import ClusterImport, ClusterReadiness, HybridProfile, HybridSettings

__all__ = ["HUB_TYPE", "PaletteHub", "PaletteHubArgs"]

HUB_TYPE = "eks-hybrid:palette:PaletteHub"


@dataclass
class PaletteHubArgs:
    palette: PaletteConfig
    cluster_name: pulumi.Input[str]
    region: str
    vpc_cidr: str
    node_cidrs: list[str]
    pod_cidrs: list[str]
    k8s_provider: pulumi.ProviderResource
    credentials_provider: Literal["iamRolesAnywhere", "ssm"]
    role_arn: pulumi.Input[str] | None = None
    trust_anchor_arn: pulumi.Input[str] | None = None
    profile_arn: pulumi.Input[str] | None = None
    activation_id: pulumi.Input[str] | None = None
    activation_code: pulumi.Input[str] | None = None
    root_ca_certificate: pulumi.Input[str] | None = None
    """IAM Roles Anywhere: the trust anchor's root CA certificate (PEM); Palette issues host certificates."""
    root_ca_private_key: pulumi.Input[str] | None = None
    """IAM Roles Anywhere: that CA's private key (PEM), sent to Palette as a secret."""
    readiness_timeout_seconds: float = 1800.0
    readiness_poll_seconds: float = 15.0


def _identity(args: PaletteHubArgs) -> dict[str, pulumi.Input[str] | None]:
    if args.credentials_provider == "ssm":
        code = pulumi.Output.secret(args.activation_code) if args.activation_code is not None else None
        return {"provider": "ssm", "activationId": args.activation_id, "activationCode": code}
    key = pulumi.Output.secret(args.root_ca_private_key) if args.root_ca_private_key is not None else None
    return {
        "provider": "iamRolesAnywhere",
        "roleArn": args.role_arn,
        "trustAnchorArn": args.trust_anchor_arn,
        "profileArn": args.profile_arn,
        "rootCaCertificate": args.root_ca_certificate,
        "rootCaPrivateKey": key,
    }


class PaletteHub(pulumi.ComponentResource):
    """Children: `-import`, `-import-manifest` (ConfigGroup), `-ready`, `-hybrid`, `-profile`."""

    cluster_uid: pulumi.Output[str]
    cloud_config_uid: pulumi.Output[str]
    profile_uid: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    project_uid: pulumi.Output[str]

    def __init__(self, name: str, args: PaletteHubArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(HUB_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        palette = args.palette
        where = {"endpoint": palette.endpoint.rstrip("/"), "projectUid": palette.project_uid}

        imported = ClusterImport(f"{name}-import", {**where, "clusterName": args.cluster_name}, child)
        manifest = k8s.yaml.v2.ConfigGroup(
            f"{name}-import-manifest",
            yaml=imported.importManifest,
            opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
        )
        ready = ClusterReadiness(
            f"{name}-ready",
            {
                **where,
                "clusterUid": imported.clusterUid,
                "timeoutSeconds": args.readiness_timeout_seconds,
                "pollSeconds": args.readiness_poll_seconds,
            },
            pulumi.ResourceOptions(parent=self, depends_on=[manifest]),
        )
        HybridSettings(
            f"{name}-hybrid",
            {
                **where,
                "clusterUid": imported.clusterUid,
                "cloudConfigUid": imported.cloudConfigUid,
                "vpcCidr": args.vpc_cidr,
                "nodeCidrs": sorted(set(args.node_cidrs)),
                "podCidrs": sorted(set(args.pod_cidrs)),
                "identity": _identity(args),
            },
            pulumi.ResourceOptions(parent=self, depends_on=[ready]),
        )
        profile = HybridProfile(
            f"{name}-profile",
            {**where, "profile": palette.profile.model_dump(by_alias=True, mode="json")},
            child,
        )
        self.cluster_uid = imported.clusterUid
        self.cloud_config_uid = imported.cloudConfigUid
        self.profile_uid = profile.profileUid
        self.endpoint = pulumi.Output.from_input(where["endpoint"])
        self.project_uid = pulumi.Output.from_input(palette.project_uid)
        self.register_outputs(
            {
                "clusterUid": self.cluster_uid,
                "cloudConfigUid": self.cloud_config_uid,
                "profileUid": self.profile_uid,
                "endpoint": self.endpoint,
                "projectUid": self.project_uid,
            }
        )

    def exports(self) -> dict[str, pulumi.Output[str]]:
        """The hub's stack outputs for Palette, under the names site stacks read."""
        return {
            "paletteClusterUid": self.cluster_uid,
            "paletteCloudConfigUid": self.cloud_config_uid,
            "paletteProfileUid": self.profile_uid,
            "paletteEndpoint": self.endpoint,
            "paletteProjectUid": self.project_uid,
        }
