"""The hub stack's configuration: one per environment (every key: docs/reference/configuration.md)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..domain import defaults
from ..domain._base import ConfigModel
from ..domain.api_keys import checked_api_key
from ..domain.cidrs import MAX_REMOTE_NETWORKS as MAX_REMOTE_NETWORKS
from ..domain.cilium_operator import bgp_objects_in_sites, operator_placement
from ..domain.cluster_rules import authentication_mode_problem
from ..domain.endpoints import palette_endpoint_problem
from ..domain.fields import (
    AmazonSideAsn,
    AnyCidr,
    Asn,
    AwsTagKey,
    AwsTagValue,
    ClusterName,
    InstanceType,
    RemoteCidr,
    RouteTableId,
    SecurityGroupId,
    ServiceCidr,
    Slug,
    SubnetId,
    VpcCidr,
    VpcId,
)
from ..domain.inventory import BgpPeerConfig as BgpPeerConfig
from ..domain.inventory import SiteInventoryEntry as SiteInventoryEntry
from ..domain.naming import cidr_slug
from ..domain.palette import DEFAULT_PACK_REGISTRY as DEFAULT_PACK_REGISTRY
from ..domain.palette import VERSION_PATTERN, version_key
from ..domain.palette import PaletteProfileConfig as PaletteProfileConfig
from ..domain.palette import ProfileLayer as ProfileLayer
from ..domain.palette import ProfileLayerCni as ProfileLayerCni
from ..domain.palette import ProfileLayerKubernetes as ProfileLayerKubernetes
from ..domain.palette import ProfileLayerOs as ProfileLayerOs
from ..domain.patterns import (
    ACM_PCA_ARN,
    AWS_REGION,
    CHART_VERSION,
    IAM_PRINCIPAL_ARN,
    KUBERNETES_MINOR,
    PALETTE_UID,
)
from ..domain.versions import today_utc, version_problem
from ..errors import shown
from .verify import VerifyConfig


def _minor_as_text(data: object) -> object:
    """YAML reads `kubernetesVersion: 1.30` as the float 1.3; a user means "1.30"."""
    if isinstance(data, dict) and isinstance(data.get("kubernetesVersion"), float):
        return {**data, "kubernetesVersion": f"{data['kubernetesVersion']:.2f}"}
    return data


class NodeGroupConfig(ConfigModel):
    """The cloud node group: always-on AWS capacity for the Palette agent, CoreDNS and webhooks.

    Counts and sizes here and in every stack-file model are strict whole numbers: YAML `true` is no count.
    """

    instance_type: InstanceType = defaults.CLOUD_INSTANCE_TYPE
    disk_size_gib: int = Field(default=defaults.CLOUD_DISK_SIZE_GIB, ge=40, le=16384, strict=True)
    desired_size: int = Field(default=defaults.CLOUD_DESIRED_SIZE, ge=1, le=100, strict=True)
    min_size: int = Field(default=defaults.CLOUD_MIN_SIZE, ge=1, le=100, strict=True)
    max_size: int = Field(default=defaults.CLOUD_MAX_SIZE, ge=1, le=100, strict=True)
    kubernetes_version: str | None = Field(default=None, pattern=KUBERNETES_MINOR)
    """The nodes' Kubernetes minor; default: the cluster's (the group follows the control plane)."""

    @model_validator(mode="before")
    @classmethod
    def _coerce_version(cls, data: object) -> object:
        return _minor_as_text(data)

    @model_validator(mode="after")
    def _sizes_ordered(self) -> NodeGroupConfig:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise PydanticCustomError(
                Code.NODE_GROUP_SIZES.value,
                "sizes must satisfy minSize <= desiredSize <= maxSize (got {min} <= {desired} <= {max})",
                {"min": self.min_size, "desired": self.desired_size, "max": self.max_size},
            )
        return self


class ApiAccessConfig(ConfigModel):
    """Who may reach a private endpoint's API server on 443 (`eks-hybrid:cluster.apiAccess`)."""

    cidrs: list[AnyCidr] = Field(default_factory=list)
    security_group_ids: list[SecurityGroupId] = Field(default_factory=list)


class ClusterConfig(ConfigModel):
    name: ClusterName
    kubernetes_version: str
    mode: Literal["create", "existing"] = "create"
    vpc_id: VpcId
    vpc_cidr: VpcCidr
    subnet_ids: list[SubnetId] = Field(min_length=1)
    route_table_ids: list[RouteTableId] = Field(min_length=1)
    endpoint_access: str = defaults.ENDPOINT_ACCESS
    public_access_cidrs: list[AnyCidr] | None = Field(default=None, min_length=1)
    cloud_egress_cidrs: list[AnyCidr] | None = Field(default=None, min_length=1)
    """The addresses the cloud node group reaches a public endpoint from (the NAT gateways' Elastic IPs):
    required inside publicAccessCidrs when those are limited (`domain.cluster_rules.cloud_egress_problem`)."""
    api_access: ApiAccessConfig | None = None
    service_cidr: ServiceCidr = defaults.SERVICE_CIDR
    authentication_mode: str = defaults.AUTHENTICATION_MODE
    core_dns: defaults.CoreDnsPlacement = defaults.CORE_DNS
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
        if value not in defaults.ENDPOINT_ACCESS_VALUES:
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
        problem = authentication_mode_problem(value)
        if problem is not None:
            raise PydanticCustomError(problem.code.value, problem.text.replace("{", "{{").replace("}", "}}"))
        return value

    @model_validator(mode="before")
    @classmethod
    def _coerce_version(cls, data: object) -> object:
        return _minor_as_text(data)


class RemoteNetworksConfig(ConfigModel):
    """Aggregates that stand for many sites' CIDRs in the cluster's remote networks, the hub's VPC routes
    and the cluster security group (EKS takes at most 15 of each kind)."""

    node_cidrs: list[RemoteCidr] | None = Field(default=None, min_length=1, max_length=MAX_REMOTE_NETWORKS)
    pod_cidrs: list[RemoteCidr] | None = Field(default=None, min_length=1, max_length=MAX_REMOTE_NETWORKS)


class TransitGatewayConfig(ConfigModel):
    amazon_side_asn: AmazonSideAsn = defaults.TRANSIT_GATEWAY_ASN
    # The VPC attachment's subnets, one per Availability Zone; default: the cluster's subnetIds.
    subnet_ids: list[SubnetId] | None = Field(default=None, min_length=1)


class QuotasConfig(ConfigModel):
    """The account's values of adjustable AWS quotas the plan is checked against (AWS defaults shown)."""

    security_group_rules: int = Field(default=60, ge=1, le=1000, strict=True)
    routes_per_route_table: int = Field(default=50, ge=1, le=1000, strict=True)
    vpn_connections_per_region: int = Field(default=50, ge=1, le=10000, strict=True)
    customer_gateways_per_region: int = Field(default=50, ge=1, le=10000, strict=True)


class VirtualPrivateGatewayConfig(ConfigModel):
    """The VPC's one virtual private gateway, shared by every VGW VPN and Direct Connect site.

    AWS attaches at most one VGW to a VPC, so the hub owns it (and its route propagation, which is per
    gateway and route table) rather than each site.
    """

    amazon_side_asn: AmazonSideAsn = defaults.VPN_GATEWAY_ASN
    propagate_routes: bool = False


class IamRolesAnywhereConfig(ConfigModel):
    """The trust anchor's CA: exactly one of a CA you supply (`certificateAuthorityPem`, with its
    `certificateAuthorityPrivateKey` when Palette manages the hub: Palette issues the edge hosts'
    certificates from it), a CA generated for you (`generateCertificateAuthority`), or an ACM Private CA
    (`acmPcaArn`, only without Palette: its key never leaves ACM)."""

    certificate_authority_pem: SecretStr | None = None
    certificate_authority_private_key: SecretStr | None = None
    generate_certificate_authority: bool = False
    certificate_authority_validity_days: int = Field(default=3650, ge=30, le=36500, strict=True)
    acm_pca_arn: str | None = Field(default=None, pattern=ACM_PCA_ARN)
    session_duration_seconds: int = Field(default=3600, ge=900, le=43200, strict=True)


class SsmConfig(ConfigModel):
    registration_limit: int = Field(default=100, ge=1, le=1000, strict=True)
    expiration_days: int = Field(default=7, ge=1, le=30, strict=True)


class CredentialsConfig(ConfigModel):
    provider: Literal["iamRolesAnywhere", "ssm"]
    iam_roles_anywhere: IamRolesAnywhereConfig | None = None
    ssm: SsmConfig | None = None
    # nodeadm's `hybrid.enableCredentialsFile`: what the EKS Pod Identity agent on hybrid nodes reads; the
    # node role then also needs eks-auth:AssumeRoleForPodIdentity on this cluster.
    enable_credentials_file: bool = False


CiliumIpam = defaults.CiliumIpam
CiliumOperatorPlacement = defaults.CiliumOperatorPlacement
CiliumRoutingMode = defaults.CiliumRoutingMode


class CiliumConfig(ConfigModel):
    chart_version: str = Field(default=defaults.CILIUM_CHART_VERSION, pattern=CHART_VERSION)
    repository: str = defaults.CILIUM_REPOSITORY
    pod_cidr_mask_size: int = Field(
        default=defaults.POD_CIDR_MASK_SIZE,
        ge=defaults.POD_CIDR_MASK_SIZE_MIN,
        le=defaults.POD_CIDR_MASK_SIZE_MAX,
        strict=True,
    )
    bgp_control_plane: bool = False
    # The hybrid nodes' ASN in Cilium's BGP control plane (`localASN`), peering with each site's bgpPeer.
    cluster_asn: Asn = defaults.CILIUM_CLUSTER_ASN
    # Default: multiPool when the hub has more than one site, clusterPool for a single site.
    ipam: CiliumIpam | None = None
    # Where the operator runs (`cni.values.operator_placement`): hybrid nodes by default with clusterPool
    # (each site stack then declares its BGP objects), `cloud` keeps eks-hybrid 0.2's layout; multiPool
    # always runs it on the cloud node group (`hybrid` is refused there, `rules.check_operator_placement`).
    operator_placement: CiliumOperatorPlacement | None = None
    # The routing mode (`native` or `tunnel`). Unset: the one the hub deployed (pinned at install), or a new
    # hub's on its line; set to another than the deployed one, it migrates a running cluster on purpose
    # (`domain.cilium_upgrade`).
    routing_mode: CiliumRoutingMode | None = None
    # The IAM principal (role or user) the routers of sites without Cilium BGP run router/pod-routes.sh as:
    # the hub maps it to a Kubernetes group that may only read CiliumNodes (`PodRoutesReader`).
    pod_routes_principal_arn: str | None = Field(default=None, pattern=IAM_PRINCIPAL_ARN)

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


class PaletteConfig(ConfigModel):
    endpoint: str = "https://api.spectrocloud.com"

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, value: str) -> str:
        problem = palette_endpoint_problem(value)
        if problem:
            raise PydanticCustomError(
                Code.INVALID_PALETTE_ENDPOINT.value, problem.replace("{", "{{").replace("}", "}}")
            )
        return value

    project_uid: str = Field(pattern=PALETTE_UID)
    api_key: SecretStr | None = None

    @field_validator("api_key", mode="before")
    @classmethod
    def _api_key_is_a_header_value(cls, value: Any) -> Any:
        return checked_api_key(value)

    profile: PaletteProfileConfig
    keep_profile_versions: list[Annotated[str, Field(pattern=VERSION_PATTERN)]] = Field(default_factory=list)
    """Older versions of the profile the hub keeps published (site stacks may pin them), besides those it
    keeps while site pools use them."""

    @model_validator(mode="after")
    def _kept_versions_are_older(self) -> PaletteConfig:
        newer = [v for v in self.keep_profile_versions if version_key(v) >= version_key(self.profile.version)]
        if newer:
            raise PydanticCustomError(
                Code.PROFILE_KEEP_VERSION.value,
                "keepProfileVersions lists {versions}, not older than profile.version {current}: the hub"
                " keeps only versions it published before",
                {"versions": ", ".join(newer), "current": self.profile.version},
            )
        return self


class HubConfig(ConfigModel):
    """A whole hub stack file (`eks-hybrid:role: hub`)."""

    region: str = Field(alias="aws:region", pattern=AWS_REGION)
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
    """Run `eks-hybrid verify` after each `pulumi up` (docs/guides/verify.md, "Post-deploy verification")."""

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
                found.append({cidr_slug(cidr): cidr for cidr in chosen})
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
    def pod_routes_sites(self) -> list[str]:
        """The sites whose router keeps pod routes with `router/pod-routes.sh` (every site whose nodes do not
        peer with it over Cilium's BGP control plane), in inventory order."""
        peers = self.bgp_peers
        return [name for name in self.sites if name not in peers]

    @property
    def cilium_operator_placement(self) -> CiliumOperatorPlacement:
        """Where Cilium's operator runs (`cni.values.operator_placement`, from the IPAM mode and
        `eks-hybrid:cilium.operatorPlacement`)."""
        return operator_placement(self.cilium_ipam, self.cilium.operator_placement)

    @property
    def bgp_peers_in_hub(self) -> dict[str, BgpPeerConfig]:
        """The sites whose BGP objects the hub declares: every BGP peer with the operator on the cloud
        node group, none with it on hybrid nodes (each site stack then declares its own)."""
        return {} if bgp_objects_in_sites(self.cilium_operator_placement) else self.bgp_peers

    @property
    def cilium_ipam(self) -> CiliumIpam:
        """Multi-pool (one pool per site) whenever there is more than one site, unless set explicitly."""
        if self.cilium.ipam is not None:
            return self.cilium.ipam
        return "multiPool" if len(self.sites) > 1 else "clusterPool"
