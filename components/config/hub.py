"""The hub stack's configuration: one per environment (see README "Hub stack")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ._base import ConfigModel
from .fields import (
    AmazonSideAsn,
    ClusterName,
    RemoteCidr,
    RouteTableId,
    ServiceCidr,
    Slug,
    SubnetId,
    VpcCidr,
    VpcId,
)
from .verify import VerifyConfig

SUPPORTED_KUBERNETES_VERSIONS = ("1.28", "1.29", "1.30", "1.31")


class NodeGroupConfig(ConfigModel):
    """The cloud node group: always-on AWS capacity for the Palette agent, CoreDNS and webhooks."""

    instance_type: str = "t3.xlarge"
    disk_size_gib: int = Field(default=50, ge=40, le=16384)
    desired_size: int = Field(default=2, ge=1, le=100)
    min_size: int = Field(default=1, ge=1, le=100)
    max_size: int = Field(default=3, ge=1, le=100)

    @model_validator(mode="after")
    def _sizes_ordered(self) -> NodeGroupConfig:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise PydanticCustomError(
                "eks_hybrid_rule",
                "sizes must satisfy minSize <= desiredSize <= maxSize (got {min} <= {desired} <= {max})",
                {"min": self.min_size, "desired": self.desired_size, "max": self.max_size},
            )
        return self


class ClusterConfig(ConfigModel):
    name: ClusterName
    kubernetes_version: str
    mode: Literal["create", "existing"] = "create"
    vpc_id: VpcId
    vpc_cidr: VpcCidr
    subnet_ids: list[SubnetId] = Field(min_length=1)
    route_table_ids: list[RouteTableId] = Field(min_length=1)
    endpoint_access: str = "private"
    service_cidr: ServiceCidr = "172.20.0.0/16"
    authentication_mode: str = "API_AND_CONFIG_MAP"
    node_group: NodeGroupConfig = NodeGroupConfig()

    @field_validator("kubernetes_version")
    @classmethod
    def _supported_version(cls, value: str) -> str:
        if value not in SUPPORTED_KUBERNETES_VERSIONS:
            raise PydanticCustomError(
                "eks_hybrid_rule",
                "Kubernetes {value} is not supported for nodeadm hybrid nodes (supported: {supported})",
                {"value": value, "supported": ", ".join(SUPPORTED_KUBERNETES_VERSIONS)},
            )
        return value

    @field_validator("endpoint_access")
    @classmethod
    def _one_endpoint(cls, value: str) -> str:
        if value not in ("private", "public"):
            raise PydanticCustomError(
                "eks_hybrid_rule",
                "endpoint access must be private or public, never both: with both, the endpoint resolves"
                " to public addresses off the VPC and hybrid nodes fail to join (got '{value}')",
                {"value": value},
            )
        return value

    @field_validator("authentication_mode")
    @classmethod
    def _hybrid_auth_mode(cls, value: str) -> str:
        if value not in ("API", "API_AND_CONFIG_MAP"):
            raise PydanticCustomError(
                "eks_hybrid_rule",
                "authentication mode must be API or API_AND_CONFIG_MAP: hybrid nodes reject '{value}'",
                {"value": value},
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _coerce_version(cls, data: object) -> object:
        # YAML reads `kubernetesVersion: 1.30` as the float 1.3; a user means "1.30".
        if isinstance(data, dict) and isinstance(data.get("kubernetesVersion"), float):
            data = {**data, "kubernetesVersion": f"{data['kubernetesVersion']:.2f}"}
        return data


class SiteInventoryEntry(ConfigModel):
    """One site's CIDRs in the hub's inventory, and who owns its VPC routes."""

    node_cidr: RemoteCidr
    pod_cidr: RemoteCidr
    route_via: Literal["transitGateway", "site"] = "transitGateway"


class TransitGatewayConfig(ConfigModel):
    amazon_side_asn: AmazonSideAsn = 64512


class VirtualPrivateGatewayConfig(ConfigModel):
    """The VPC's one virtual private gateway, shared by every VGW VPN and Direct Connect site.

    AWS attaches at most one VGW to a VPC, so the hub owns it (and its route propagation, which is per
    gateway and route table) rather than each site.
    """

    amazon_side_asn: AmazonSideAsn = 64513
    propagate_routes: bool = False


class IamRolesAnywhereConfig(ConfigModel):
    certificate_authority_pem: SecretStr | None = None
    acm_pca_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:.+$")
    session_duration_seconds: int = Field(default=3600, ge=900, le=43200)


class SsmConfig(ConfigModel):
    registration_limit: int = Field(default=100, ge=1, le=1000)
    expiration_days: int = Field(default=7, ge=1, le=30)


class CredentialsConfig(ConfigModel):
    provider: Literal["iamRolesAnywhere", "ssm"]
    iam_roles_anywhere: IamRolesAnywhereConfig | None = None
    ssm: SsmConfig | None = None


class CiliumConfig(ConfigModel):
    chart_version: str = Field(default="1.16.6", pattern=r"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$")
    repository: str = "https://helm.cilium.io/"
    pod_cidr_mask_size: int = Field(default=25, ge=16, le=30)
    bgp_control_plane: bool = False


class ProfileLayerOs(ConfigModel):
    pack: str = "edge-native-byoi"
    tag: str = "2.1.0"
    provider_image: str = Field(min_length=1)


class ProfileLayerKubernetes(ConfigModel):
    pack: str = "edge-nodeadm"
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")


class PaletteProfileConfig(ConfigModel):
    name: Slug = "eks-hybrid-nodes"
    version: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$")
    os: ProfileLayerOs
    kubernetes: ProfileLayerKubernetes


class PaletteConfig(ConfigModel):
    endpoint: str = Field(default="https://api.spectrocloud.com", pattern=r"^https?://[^\s/]+(:\d+)?/?$")
    project_uid: str = Field(pattern=r"^[0-9a-f]{24}$")
    api_key: SecretStr | None = None
    profile: PaletteProfileConfig


class HubConfig(ConfigModel):
    """A whole hub stack file (`eks-hybrid:role: hub`)."""

    region: str = Field(alias="aws:region", pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    role: Literal["hub"] = Field(alias="eks-hybrid:role")
    cluster: ClusterConfig = Field(alias="eks-hybrid:cluster")
    sites: dict[Slug, SiteInventoryEntry] = Field(alias="eks-hybrid:sites", min_length=1)
    transit_gateway: TransitGatewayConfig = Field(
        default=TransitGatewayConfig(), alias="eks-hybrid:transitGateway"
    )
    virtual_private_gateway: VirtualPrivateGatewayConfig | None = Field(
        default=None, alias="eks-hybrid:virtualPrivateGateway"
    )
    credentials: CredentialsConfig = Field(alias="eks-hybrid:credentials")
    cilium: CiliumConfig = Field(default=CiliumConfig(), alias="eks-hybrid:cilium")
    palette: PaletteConfig | None = Field(default=None, alias="eks-hybrid:palette")
    tags: dict[str, str] = Field(default_factory=dict, alias="eks-hybrid:tags")
    protect: bool = Field(default=True, alias="eks-hybrid:protect")
    """Pulumi `protect` on what an outage hinges on: the EKS cluster, the TGW, its VPC attachment, the VGW."""
    verify: VerifyConfig = Field(default=VerifyConfig(), alias="eks-hybrid:verify")
    """Run `eks-hybrid verify` after each `pulumi up` (README, "Post-deploy verification")."""

    @property
    def remote_node_cidrs(self) -> list[str]:
        return sorted({s.node_cidr for s in self.sites.values()})

    @property
    def remote_pod_cidrs(self) -> list[str]:
        return sorted({s.pod_cidr for s in self.sites.values()})
