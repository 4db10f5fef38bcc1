"""The hub stack's configuration: one per environment (see README "Hub stack")."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..errors import shown
from ._base import ConfigModel
from .cidrs import MAX_REMOTE_NETWORKS as MAX_REMOTE_NETWORKS
from .fields import (
    AmazonSideAsn,
    AnyCidr,
    Asn,
    AwsTagKey,
    AwsTagValue,
    ClusterName,
    IPv4,
    RemoteCidr,
    RouteTableId,
    ServiceCidr,
    Slug,
    SubnetId,
    TunnelInsideCidr,
    VpcCidr,
    VpcId,
)
from .verify import VerifyConfig
from .versions import today_utc, version_problem


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
                Code.NODE_GROUP_SIZES.value,
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
    public_access_cidrs: list[AnyCidr] | None = Field(default=None, min_length=1)
    service_cidr: ServiceCidr = "172.20.0.0/16"
    authentication_mode: str = "API_AND_CONFIG_MAP"
    core_dns: Literal["cloud", "hybrid"] = "cloud"
    node_group: NodeGroupConfig = NodeGroupConfig()

    @field_validator("kubernetes_version")
    @classmethod
    def _supported_version(cls, value: str, info: ValidationInfo) -> str:
        # The date is a validation-context parameter (`validate_stack(..., today=...)`) so tests are
        # deterministic; a real run checks against today's date.
        context = info.context if isinstance(info.context, dict) else {}
        today = context.get("today")
        problem = version_problem(value, today if isinstance(today, date) else today_utc())
        if problem is not None:
            raise PydanticCustomError(problem.code.value, problem.text.replace("{", "{{").replace("}", "}}"))
        return value

    @field_validator("endpoint_access")
    @classmethod
    def _one_endpoint(cls, value: str) -> str:
        if value not in ("private", "public"):
            raise PydanticCustomError(
                Code.ENDPOINT_ACCESS.value,
                "endpoint access must be private or public, never both: with both, the endpoint resolves"
                " to public addresses off the VPC and hybrid nodes fail to join (got {value})",
                {"value": shown(value)},
            )
        return value

    @field_validator("authentication_mode")
    @classmethod
    def _hybrid_auth_mode(cls, value: str) -> str:
        if value not in ("API", "API_AND_CONFIG_MAP"):
            raise PydanticCustomError(
                Code.AUTHENTICATION_MODE.value,
                "authentication mode must be API or API_AND_CONFIG_MAP: hybrid nodes reject {value}",
                {"value": shown(value)},
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _coerce_version(cls, data: object) -> object:
        # YAML reads `kubernetesVersion: 1.30` as the float 1.3; a user means "1.30".
        if isinstance(data, dict) and isinstance(data.get("kubernetesVersion"), float):
            data = {**data, "kubernetesVersion": f"{data['kubernetesVersion']:.2f}"}
        return data


class BgpPeerConfig(ConfigModel):
    """The site's on-prem router as its hybrid nodes peer with it over Cilium's BGP control plane: the
    hub applies the site's `CiliumBGPClusterConfig` from it, and `render` writes the router's side."""

    address: IPv4
    """The router's address in the site's node CIDR, on the nodes' segment: the nodes dial it."""
    asn: Asn
    """The router's ASN; with BGP to AWS, the customer gateway's `bgpAsn` (one BGP speaker)."""

    @field_validator("asn", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        # Read back from the hub's outputs (a StackReference), numbers arrive as doubles: 65030.0.
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class SiteInventoryEntry(ConfigModel):
    """One site's CIDRs in the hub's inventory, who owns its VPC routes, its VPN tunnels' inside CIDRs, and
    the router its nodes peer with over BGP.

    `tunnel_inside_cidrs` records the inside CIDRs the site stack gives its tunnels, so the hub can check
    them unique across every VPN connection of the environment (AWS requires it per gateway).
    """

    node_cidr: RemoteCidr
    pod_cidr: RemoteCidr
    route_via: Literal["transitGateway", "site"] = "transitGateway"
    tunnel_inside_cidrs: list[TunnelInsideCidr] = Field(default_factory=list, max_length=2)
    bgp_peer: BgpPeerConfig | None = None


class RemoteNetworksConfig(ConfigModel):
    """Aggregates that stand for many sites' CIDRs in the cluster's remote networks, the hub's VPC routes
    and the cluster security group (EKS takes at most 15 of each kind)."""

    node_cidrs: list[RemoteCidr] | None = Field(default=None, min_length=1, max_length=MAX_REMOTE_NETWORKS)
    pod_cidrs: list[RemoteCidr] | None = Field(default=None, min_length=1, max_length=MAX_REMOTE_NETWORKS)


class TransitGatewayConfig(ConfigModel):
    amazon_side_asn: AmazonSideAsn = 64512
    # The VPC attachment's subnets, one per Availability Zone; default: the cluster's subnetIds.
    subnet_ids: list[SubnetId] | None = Field(default=None, min_length=1)


class QuotasConfig(ConfigModel):
    """The account's values of adjustable AWS quotas the plan is checked against (AWS defaults shown)."""

    security_group_rules: int = Field(default=60, ge=1, le=1000)
    routes_per_route_table: int = Field(default=50, ge=1, le=1000)
    vpn_connections_per_region: int = Field(default=50, ge=1, le=10000)
    customer_gateways_per_region: int = Field(default=50, ge=1, le=10000)


class VirtualPrivateGatewayConfig(ConfigModel):
    """The VPC's one virtual private gateway, shared by every VGW VPN and Direct Connect site.

    AWS attaches at most one VGW to a VPC, so the hub owns it (and its route propagation, which is per
    gateway and route table) rather than each site.
    """

    amazon_side_asn: AmazonSideAsn = 64513
    propagate_routes: bool = False


class IamRolesAnywhereConfig(ConfigModel):
    """The trust anchor's CA: exactly one of a CA you supply (`certificateAuthorityPem`, with its
    `certificateAuthorityPrivateKey` when Palette manages the hub: Palette issues the edge hosts'
    certificates from it), a CA generated for you (`generateCertificateAuthority`), or an ACM Private CA
    (`acmPcaArn`, only without Palette: its key never leaves ACM)."""

    certificate_authority_pem: SecretStr | None = None
    certificate_authority_private_key: SecretStr | None = None
    generate_certificate_authority: bool = False
    certificate_authority_validity_days: int = Field(default=3650, ge=30, le=36500)
    acm_pca_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:.+$")
    session_duration_seconds: int = Field(default=3600, ge=900, le=43200)


class SsmConfig(ConfigModel):
    registration_limit: int = Field(default=100, ge=1, le=1000)
    expiration_days: int = Field(default=7, ge=1, le=30)


class CredentialsConfig(ConfigModel):
    provider: Literal["iamRolesAnywhere", "ssm"]
    iam_roles_anywhere: IamRolesAnywhereConfig | None = None
    ssm: SsmConfig | None = None
    # nodeadm's `hybrid.enableCredentialsFile`: what the EKS Pod Identity agent on hybrid nodes reads; the
    # node role then also needs eks-auth:AssumeRoleForPodIdentity on this cluster.
    enable_credentials_file: bool = False


CiliumIpam = Literal["multiPool", "clusterPool"]


class CiliumConfig(ConfigModel):
    # AWS's build of Cilium for hybrid nodes (the image tag AWS's own CI installs: v1.18.5-0).
    chart_version: str = Field(default="1.18.5-0", pattern=r"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$")
    repository: str = "oci://public.ecr.aws/eks/cilium/cilium"
    pod_cidr_mask_size: int = Field(default=25, ge=16, le=30)
    bgp_control_plane: bool = False
    # The hybrid nodes' ASN in Cilium's BGP control plane (`localASN`), peering with each site's bgpPeer.
    cluster_asn: Asn = 65100
    # Default: multiPool when the hub has more than one site, clusterPool for a single site.
    ipam: CiliumIpam | None = None

    @field_validator("repository")
    @classmethod
    def _helm_location(cls, value: str) -> str:
        # The schemes `components.cni.values.chart_source` (and Helm) install from.
        if not re.fullmatch(r"(oci|https?)://[^\s/]+(/\S*)?", value):
            raise PydanticCustomError(
                Code.HELM_LOCATION.value,
                "must be an OCI location (oci://registry/path) or a Helm repository URL (https://...):"
                " Helm installs charts from nothing else (got {value})",
                {"value": shown(value)},
            )
        return value


DEFAULT_PACK_REGISTRY = "Public Repo"
"""The registry a profile layer's pack is looked up in when the layer names none: Spectro Cloud's public
pack registry, as the Palette SDK names it (`client/pack.go` `GetPackRegistry`)."""


class ProfileLayer(ConfigModel):
    """Where a layer's pack comes from, and values merged over the pack's own defaults."""

    registry_name: str | None = Field(default=None, min_length=1)
    registry_uid: str | None = Field(default=None, pattern=r"^[0-9a-f]{24}$")
    values: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_registry(self) -> ProfileLayer:
        if self.registry_name is not None and self.registry_uid is not None:
            raise PydanticCustomError(
                Code.REGISTRY_AMBIGUOUS.value,
                "give registryName or registryUid, not both (neither means the {default} registry)",
                {"default": DEFAULT_PACK_REGISTRY},
            )
        return self

    @property
    def registry(self) -> dict[str, str]:
        """`{"uid": ...}` or `{"name": ...}`: how the pack's registry is found."""
        if self.registry_uid is not None:
            return {"uid": self.registry_uid}
        return {"name": self.registry_name or DEFAULT_PACK_REGISTRY}


class ProfileLayerOs(ProfileLayer):
    pack: str = "edge-native-byoi"
    tag: str = "2.1.0"
    provider_image: str = Field(min_length=1)


class ProfileLayerKubernetes(ProfileLayer):
    pack: str = "edge-nodeadm"
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")


class ProfileLayerCni(ProfileLayer):
    """The placeholder CNI layer of hybrid pools (the real CNI is Cilium on the EKS cluster)."""

    pack: str = "cni-custom"
    tag: str = "0.1.0"


class PaletteProfileConfig(ConfigModel):
    name: Slug = "eks-hybrid-nodes"
    version: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$")
    os: ProfileLayerOs
    kubernetes: ProfileLayerKubernetes
    cni: ProfileLayerCni = ProfileLayerCni()


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
    remote_networks: RemoteNetworksConfig | None = Field(default=None, alias="eks-hybrid:remoteNetworks")
    credentials: CredentialsConfig = Field(alias="eks-hybrid:credentials")
    cilium: CiliumConfig = Field(default=CiliumConfig(), alias="eks-hybrid:cilium")
    palette: PaletteConfig | None = Field(default=None, alias="eks-hybrid:palette")
    quotas: QuotasConfig = Field(default=QuotasConfig(), alias="eks-hybrid:quotas")
    tags: dict[AwsTagKey, AwsTagValue] = Field(default_factory=dict, alias="eks-hybrid:tags")
    protect: bool = Field(default=True, alias="eks-hybrid:protect")
    """Pulumi `protect` on what an outage hinges on: the EKS cluster, the TGW, its VPC attachment, the VGW."""
    verify: VerifyConfig = Field(default=VerifyConfig(), alias="eks-hybrid:verify")
    """Run `eks-hybrid verify` after each `pulumi up` (README, "Post-deploy verification")."""

    @property
    def remote_node_cidrs(self) -> list[str]:
        """The cluster's remote node networks: the aggregates when configured, else every site's."""
        aggregates = self.remote_networks.node_cidrs if self.remote_networks else None
        return sorted(set(aggregates or (s.node_cidr for s in self.sites.values())))

    @property
    def remote_pod_cidrs(self) -> list[str]:
        """The cluster's remote pod networks: the aggregates when configured, else every site's."""
        aggregates = self.remote_networks.pod_cidrs if self.remote_networks else None
        return sorted(set(aggregates or (s.pod_cidr for s in self.sites.values())))

    def remote_networks_by_key(self) -> tuple[dict[str, str], dict[str, str]]:
        """(node networks, pod networks) by the key that names their routes and rules: per kind the
        aggregates, keyed by their CIDR written as a name (`10.200.0.0-13`), when configured; else every
        site's CIDR, keyed by the site's name."""
        aggregates = self.remote_networks
        found: list[dict[str, str]] = []
        for kind in ("node", "pod"):
            chosen = getattr(aggregates, f"{kind}_cidrs") if aggregates else None
            if chosen:
                found.append({cidr.replace("/", "-"): cidr for cidr in chosen})
            else:
                found.append({name: getattr(entry, f"{kind}_cidr") for name, entry in self.sites.items()})
        return found[0], found[1]

    @property
    def bgp_peers(self) -> dict[str, BgpPeerConfig]:
        """Each site's router its nodes peer with, by site: none without Cilium's BGP control plane."""
        if not self.cilium.bgp_control_plane:
            return {}
        return {name: entry.bgp_peer for name, entry in self.sites.items() if entry.bgp_peer is not None}

    @property
    def cilium_ipam(self) -> CiliumIpam:
        """Multi-pool (one pool per site) whenever there is more than one site, unless set explicitly."""
        if self.cilium.ipam is not None:
            return self.cilium.ipam
        return "multiPool" if len(self.sites) > 1 else "clusterPool"
