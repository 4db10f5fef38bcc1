"""The schema of the stack outputs `render` reads: each output it copies into a site's files, with its shape.

`render` reads `pulumi stack output --json --show-secrets` of the site (`--outputs`) and of its hub
(`--hub-outputs`). Each output it uses is checked here before any is copied: a CIDR must be an IPv4 CIDR, an
address an IPv4 address, an ASN a whole number in BGP's range, text text, a flag true or false. Any output
may be absent or null (an older hub, outputs read before `pulumi up`), and outputs `render` does not read
are left alone (a stack exports many). The hub's output names are `HubOutput`'s; the site's `SiteOutput`'s.

The files carry pre-shared keys and activation codes: a problem names the file, the output's key path and
the rule, never a value.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from eks_hybrid.components.codes import Code
from eks_hybrid.components.config import SECRET_PLACEHOLDER
from eks_hybrid.components.domain.hub_outputs import HubOutput
from eks_hybrid.components.domain.site_outputs import SiteOutput, TunnelOutput
from eks_hybrid.components.errors import Problem, key_path

__all__ = ["HubOutputsSchema", "OutputsSchema", "SiteOutputsSchema", "output_problems"]

ASN_RANGE = (1, 4294967294)
"""A 4-byte ASN, as the config's `Asn` takes (0 and 4294967295 are reserved, RFC 7607 and RFC 7300)."""
MASK_RANGE = (1, 32)


def _output(rule: str, accept: Callable[[Any], bool]) -> Callable[[Any], Any]:
    """A check of a JSON value that is null or passes `accept`; otherwise the error is `rule` alone (the
    value is never part of the message)."""

    def check(value: Any) -> Any:
        if value is None or accept(value):
            return value
        raise PydanticCustomError("output_invalid", rule)

    return check


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_cidr(value: Any) -> bool:
    if not isinstance(value, str) or not value.isascii():
        return False
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return False
    return "/" in value


def _is_address(value: Any) -> bool:
    if not isinstance(value, str) or not value.isascii():
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def _whole(value: Any, low: int, high: int) -> bool:
    # JSON numbers may arrive as doubles (65030.0), as a StackReference reads them; never a boolean.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return False
    return low <= value <= high


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


Text = Annotated[Any, BeforeValidator(_output("must be text (a JSON string)", _is_text))]
Cidr = Annotated[
    Any, BeforeValidator(_output("must be an IPv4 CIDR such as 10.0.0.0/16 (a JSON string)", _is_cidr))
]
Address = Annotated[
    Any,
    BeforeValidator(_output("must be an IPv4 address such as 169.254.10.1 (a JSON string)", _is_address)),
]


def _whole_number(what: str, low: int, high: int) -> BeforeValidator:
    rule = f"must be {what}: a whole number from {low} to {high}"
    return BeforeValidator(_output(rule, lambda value: _whole(value, low, high)))


Asn = Annotated[Any, _whole_number("an ASN", *ASN_RANGE)]
MaskSize = Annotated[Any, _whole_number("a prefix length", *MASK_RANGE)]

Flag = Annotated[
    Any, BeforeValidator(_output("must be true or false (a JSON boolean)", lambda v: isinstance(v, bool)))
]
Inventory = Annotated[
    Any,
    BeforeValidator(
        _output("must be a JSON object of site inventory entries", lambda v: isinstance(v, Mapping))
    ),
]
Keys = Annotated[
    Any,
    BeforeValidator(
        _output(
            "must be a list of pre-shared keys (JSON strings), or"
            f' "{SECRET_PLACEHOLDER}" without --show-secrets',
            lambda value: value == SECRET_PLACEHOLDER or _is_text_list(value),
        )
    ),
]


class OutputsSchema(BaseModel):
    """A stack's outputs as `render` reads them: extra outputs are allowed."""

    model_config = ConfigDict(extra="allow", frozen=True)


class TunnelOutputs(OutputsSchema):
    """One entry of the site's `tunnels` output."""

    outside_address: Address = Field(None, alias=TunnelOutput.OUTSIDE_ADDRESS)
    aws_inside_address: Address = Field(None, alias=TunnelOutput.AWS_INSIDE_ADDRESS)
    customer_inside_address: Address = Field(None, alias=TunnelOutput.CUSTOMER_INSIDE_ADDRESS)


class SiteOutputsSchema(OutputsSchema):
    """The site stack's outputs `render` reads."""

    site: Text = Field(None, alias=SiteOutput.SITE)
    kind: Text = Field(None, alias=SiteOutput.KIND)
    node_cidr: Cidr = Field(None, alias=SiteOutput.NODE_CIDR)
    pod_cidr: Cidr = Field(None, alias=SiteOutput.POD_CIDR)
    tunnels: list[TunnelOutputs] | None = Field(None, alias=SiteOutput.TUNNELS)
    tunnel_preshared_keys: Keys = Field(None, alias=SiteOutput.TUNNEL_PRESHARED_KEYS)


class HubOutputsSchema(OutputsSchema):
    """The hub stack's outputs `render` reads (each inventory entry is checked as a `SiteInventoryEntry`
    where it is read)."""

    cluster_name: Text = Field(None, alias=HubOutput.CLUSTER_NAME)
    kubernetes_version: Text = Field(None, alias=HubOutput.KUBERNETES_VERSION)
    credentials_provider: Text = Field(None, alias=HubOutput.CREDENTIALS_PROVIDER)
    vpc_cidr: Cidr = Field(None, alias=HubOutput.VPC_CIDR)
    service_cidr: Cidr = Field(None, alias=HubOutput.SERVICE_CIDR)
    amazon_side_asn: Asn = Field(None, alias=HubOutput.AMAZON_SIDE_ASN)
    vpn_gateway_asn: Asn = Field(None, alias=HubOutput.VPN_GATEWAY_ASN)
    site_inventory: Text = Field(None, alias=HubOutput.SITE_INVENTORY)
    sites: Inventory = Field(None, alias=HubOutput.LEGACY_SITES)
    cilium_chart_version: Text = Field(None, alias=HubOutput.CILIUM_CHART_VERSION)
    cilium_pod_cidr_mask_size: MaskSize = Field(None, alias=HubOutput.CILIUM_POD_CIDR_MASK_SIZE)
    cilium_bgp_control_plane: Flag = Field(None, alias=HubOutput.CILIUM_BGP_CONTROL_PLANE)
    cilium_cluster_asn: Asn = Field(None, alias=HubOutput.CILIUM_CLUSTER_ASN)
    cilium_ipam_mode: Text = Field(None, alias=HubOutput.CILIUM_IPAM_MODE)
    cilium_operator_placement: Text = Field(None, alias=HubOutput.CILIUM_OPERATOR_PLACEMENT)
    cluster_endpoint: Text = Field(None, alias=HubOutput.CLUSTER_ENDPOINT)
    cluster_certificate_authority: Text = Field(None, alias=HubOutput.CLUSTER_CERTIFICATE_AUTHORITY)
    hybrid_node_role_arn: Text = Field(None, alias=HubOutput.HYBRID_NODE_ROLE_ARN)
    trust_anchor_arn: Text = Field(None, alias=HubOutput.TRUST_ANCHOR_ARN)
    profile_arn: Text = Field(None, alias=HubOutput.PROFILE_ARN)
    ssm_activation_id: Text = Field(None, alias=HubOutput.SSM_ACTIVATION_ID)
    ssm_activation_code: Text = Field(None, alias=HubOutput.SSM_ACTIVATION_CODE)


_PYDANTIC_RULES = {
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "list_type": "must be a JSON list",
}
"""Pydantic's own errors of the nested shapes (a tunnel, the list of tunnels), in the rules' words."""


def output_problems(values: Mapping[str, Any], schema: type[OutputsSchema], label: str) -> list[Problem]:
    """Every output in `values` that breaks `schema`, as problems naming `label`, the key and the rule."""
    try:
        schema.model_validate(dict(values))
    except ValidationError as error:
        # `msg` is the rule (ours, or pydantic's own such as "Input should be a valid list"), never `input`.
        return [
            Problem(
                label,
                key_path(detail["loc"]) or "(file)",
                _PYDANTIC_RULES.get(detail["type"], detail["msg"]),
                Code.OUTPUT_INVALID,
            )
            for detail in error.errors(include_url=False, include_input=False)
        ]
    return []
