"""A site stack's configuration: one per on-prem or edge location (every key:
docs/reference/configuration.md)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..domain import cidrs, defaults
from ..domain._base import ConfigModel
from ..domain.api_keys import checked_api_key
from ..domain.fields import AnyCidr, Asn, AwsTagKey, AwsTagValue, EniId, IPv4, Slug, TunnelInsideCidr
from ..domain.palette import FOLLOW_NEWEST, VERSION_PATTERN
from ..domain.palette import EdgeHostConfig as EdgeHostConfig
from ..domain.palette import NodePoolConfig as NodePoolConfig
from ..domain.palette import TaintConfig as TaintConfig
from ..domain.patterns import AWS_REGION, DX_GATEWAY_ID, described
from ..errors import shown
from .verify import VerifyConfig


def _public_ipv4(value: str) -> str:
    problem = cidrs.public_ipv4_problem(value)
    if problem is not None:
        raise PydanticCustomError(problem.code.value, problem.text.replace("{", "{{").replace("}", "}}"))
    return value


PublicIPv4 = Annotated[IPv4, AfterValidator(_public_ipv4)]

# Pulumi limits stack and project names to 100 characters of letters, digits, '-', '_' and '.'
# (pulumi/pulumi `pkg/backend/diy/store.go` ParseReference: "stack names are limited to 100 characters").
_STACK_REFERENCE = re.compile(r"([A-Za-z0-9_.-]{1,100}/){0,2}[A-Za-z0-9_.-]{1,100}")


def _stack_reference(value: str) -> str:
    if not _STACK_REFERENCE.fullmatch(value):
        raise PydanticCustomError(
            Code.INVALID_STACK_REFERENCE.value,
            "must name the hub stack as stack, project/stack or org/project/stack, each part 1 to 100"
            " letters, digits, '-', '_' or '.' (Pulumi's stack-name pattern; got {value})",
            {"value": shown(value)},
        )
    return value


StackReferenceName = Annotated[str, AfterValidator(_stack_reference)]


class CustomerGatewayConfig(ConfigModel):
    ip_address: PublicIPv4
    bgp_asn: Asn = 65000


class TunnelConfig(ConfigModel):
    """Per-tunnel overrides; AWS picks inside CIDRs and pre-shared keys when these are absent."""

    inside_cidr: TunnelInsideCidr | None = None
    preshared_key: SecretStr | None = None


class SiteToSiteVpnConfig(ConfigModel):
    attach_to: Literal["transitGateway", "virtualPrivateGateway"] = "transitGateway"
    customer_gateway: CustomerGatewayConfig
    routing: Literal["static", "bgp"] = "static"
    propagate_routes: bool = False
    policy_based: bool = False
    """Policy-based tunnels (one selector pair, on the VPN connection and the router) instead of the
    route-based default; static routing only, and only when one selector pair is enough
    (`domain.tunnel_selectors`)."""
    # At most two (a VPN connection has two tunnels): a rule, so each tunnel's own problems show too.
    tunnels: list[TunnelConfig] = Field(default_factory=list)


class DirectConnectConfig(ConfigModel):
    gateway_id: str = Field(pattern=DX_GATEWAY_ID)
    private_subnet_cidr: AnyCidr | None = None


class SoftwareVpnConfig(ConfigModel):
    network_interface_id: EniId


class ConnectivityConfig(ConfigModel):
    type: Literal["siteToSiteVpn", "directConnect", "softwareVpn"]
    site_to_site_vpn: SiteToSiteVpnConfig | None = None
    direct_connect: DirectConnectConfig | None = None
    software_vpn: SoftwareVpnConfig | None = None

    @property
    def reaches_vpc_through_transit_gateway(self) -> bool:
        vpn = self.site_to_site_vpn
        return self.type == "siteToSiteVpn" and vpn is not None and vpn.attach_to == "transitGateway"


class OnPremRouterConfig(ConfigModel):
    kind: Literal["strongswan"] = "strongswan"


PROFILE_PIN = described(
    rf"^({VERSION_PATTERN[1:-1]}|{FOLLOW_NEWEST})$",
    f"a profile version x.y.z, e.g. 1.1.0, or {FOLLOW_NEWEST}",
)


class SiteSpec(ConfigModel):
    name: Slug
    connectivity: ConnectivityConfig
    on_prem_router: OnPremRouterConfig = OnPremRouterConfig()
    node_pools: list[NodePoolConfig] = Field(default_factory=list)
    egress_cidrs: list[AnyCidr] | None = Field(default=None, min_length=1)
    """The addresses the site's nodes reach the internet from, so a hub's public endpoint limited to some
    ranges must admit them (`_site_checks`); default: the customer gateway's IP address, where the site has
    one (its router, NATing the nodes)."""

    @property
    def internet_egress(self) -> list[str] | None:
        """`egress_cidrs`, else the customer gateway's address as a /32; None when neither is known."""
        if self.egress_cidrs:
            return list(self.egress_cidrs)
        vpn = self.connectivity.site_to_site_vpn
        if self.connectivity.type == "siteToSiteVpn" and vpn is not None:
            return [f"{vpn.customer_gateway.ip_address}/32"]
        return None

    # With the hub's Cilium operator on hybrid nodes, the site declares its own BGP objects once their CRDs
    # are Established, which needs its first node: how long `pulumi up` waits for them.
    cilium_crd_wait_minutes: int = Field(
        default=defaults.SITE_CILIUM_CRD_WAIT_MINUTES,
        ge=1,
        le=defaults.SITE_CILIUM_CRD_WAIT_MINUTES_MAX,
        strict=True,
    )
    palette_profile_version: str | None = Field(default=None, pattern=PROFILE_PIN)
    """The hub's profile version the site's pools run: a version the hub publishes, or `newest` to follow
    the hub; unset, each pool keeps the version it runs (a new pool takes the newest), so a `pulumi up` of
    the site for another reason never repaves it (`profile_choice`)."""


class SitePaletteConfig(ConfigModel):
    """Credentials for the site's Palette calls; the endpoint and project come from the hub's outputs."""

    api_key: SecretStr | None = None

    @field_validator("api_key", mode="before")
    @classmethod
    def _api_key_is_a_header_value(cls, value: Any) -> Any:
        return checked_api_key(value)


class SiteConfig(ConfigModel):
    """A whole site stack file (`eks-hybrid:role: site`)."""

    region: str = Field(alias="aws:region", pattern=AWS_REGION)
    role: Literal["site"] = Field(alias="eks-hybrid:role")
    hub: StackReferenceName = Field(alias="eks-hybrid:hub")
    site: SiteSpec = Field(alias="eks-hybrid:site")
    palette: SitePaletteConfig | None = Field(default=None, alias="eks-hybrid:palette")
    tags: dict[AwsTagKey, AwsTagValue] = Field(default_factory=dict, alias="eks-hybrid:tags")
    protect: bool = Field(default=True, alias="eks-hybrid:protect")
    """Pulumi `protect` on the site's VPN connection or Direct Connect gateway association."""
    verify: VerifyConfig = Field(default=VerifyConfig(), alias="eks-hybrid:verify")
    """Run `eks-hybrid verify` after each `pulumi up` (docs/guides/verify.md, "Post-deploy verification")."""

    @property
    def hub_stack_name(self) -> str:
        """The hub's bare stack name (the last part of `org/project/stack`)."""
        return self.hub.rsplit("/", 1)[-1]
