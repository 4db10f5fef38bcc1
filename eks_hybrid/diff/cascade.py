"""What a replacement does to the resources that read it: pure helpers of the diff engine's cascade.

A replaced resource comes back with a new id, so its ARN and everything derived from the id are new too
(`pulumi preview` shows them as unknown). A resource whose inputs hold one of those values sees that input
change to an unknown value, and when the input is one of its type's replace-on-change properties it is
replaced in turn (a replaced transit gateway replaces its route table and VPC attachment: `transitGatewayId`
is ForceNew in both). Some updates renew outputs too (`renews` in `replacements.json`): a VPN connection is
moved to a new customer or transit gateway in place (terraform-provider-aws
`internal/service/ec2/vpnsite_connection.go`: `customer_gateway_id` and `transit_gateway_id` are not
ForceNew; the update calls ModifyVpnConnection), with both tunnels down while AWS provisions new endpoints,
and on a new transit gateway it has a new attachment, which replaces the routes and association using it.

The old values are recomputed from the base plan's record with the offline engine's own mocks
(`offline.mocks.replaced_values`), which is how they got into the plans. They are matched by value: an id
is a hash no other resource shares, and a site holds its hub's ids through a StackReference, where no
`dependsOn` crosses the stack boundary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..offline.mocks import KNOWN_AFTER_APPLY
from ..offline.options import split_urn
from .values import as_document

UNKNOWN = KNOWN_AFTER_APPLY
"""How a value the replacement makes new shows in a diff."""

EMBEDDED_MIN = 16
"""A value at least this long also counts inside a longer string (an id inside an ARN, an endpoint in a
kubeconfig); shorter ones (tunnel addresses) only as the whole value, so `192.0.2.1` never matches
`192.0.2.14`. Every offline id is a prefix and 17 hex digits."""

LABELS = {
    "aws:ec2/customerGateway:CustomerGateway": "customer gateway",
    "aws:ec2/vpnConnection:VpnConnection": "VPN connection",
    "aws:ec2/vpnGateway:VpnGateway": "virtual private gateway",
    "aws:ec2transitgateway/transitGateway:TransitGateway": "transit gateway",
    "aws:ec2transitgateway/routeTable:RouteTable": "transit gateway route table",
    "aws:ec2transitgateway/route:Route": "transit gateway route",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "transit gateway VPC attachment",
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": "transit gateway route table"
    " association",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": "transit gateway route table"
    " propagation",
    "aws:eks/cluster:Cluster": "EKS cluster",
    "aws:iam/role:Role": "IAM role",
}


def label(type_token: str) -> str:
    """A type as a reviewer says it: `customer gateway`; else its kind in words (`vpn gateway attachment`)."""
    if type_token in LABELS:
        return LABELS[type_token]
    kind = type_token.rsplit(":", 1)[-1]
    return " ".join(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", kind)) or kind


def describe(urn: str) -> str:
    """`customer gateway dallas-customer-gateway (example-dallas)`, from a URN."""
    stack, _, qualified_type, name = split_urn(urn)
    return f"{label(qualified_type.rsplit('$', 1)[-1])} {name} ({stack})"


def holds(text: str, value: str) -> bool:
    return text == value or (len(value) >= EMBEDDED_MIN and value in text)


def substitute(value: Any, new_values: Mapping[str, str], found: set[str]) -> Any:
    """`value` with every string that holds one of `new_values` (value -> the URN it belongs to) made
    UNKNOWN; a string holding a JSON or YAML document is walked as that document. The URNs whose values
    were found are added to `found`."""
    if isinstance(value, dict):
        return {k: substitute(v, new_values, found) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, new_values, found) for v in value]
    if not isinstance(value, str):
        return value
    hits = {urn for new, urn in new_values.items() if holds(value, new)}
    if not hits:
        return value
    document = as_document(value)
    if isinstance(document, dict | list):
        inner: set[str] = set()
        walked = substitute(document, new_values, inner)
        if inner:
            found |= inner
            return walked
    found |= hits
    return UNKNOWN


def chain(root: str, children: Mapping[str, list[str]], names: Mapping[str, str]) -> str:
    """`A replaced -> B replaced -> (C replaced; D replaced)`: a cascade from `root`, each resource under
    the one that first reached it (`children`: URN -> the URNs it reached), `names` what happens to each."""
    below = children.get(root) or []
    text = names[root]
    if not below:
        return text
    parts = [chain(child, children, names) for child in below]
    return f"{text} -> {parts[0]}" if len(parts) == 1 else f"{text} -> ({'; '.join(parts)})"
