"""Rules that relate several keys to each other, checked on the raw stack document.

They run beside pydantic's per-key checks (not after them), so one pass reports every problem: each rule
reads only the values that parse and leaves malformed ones to the per-key checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from ipaddress import IPv4Network
from typing import Any

from . import cidrs
from .fields import asn_problem

Finding = tuple[str, str]  # (dotted key path, rule)
Rule = Callable[[Mapping[str, Any]], Iterator[Finding]]


def _network(value: object) -> IPv4Network | None:
    try:
        return cidrs.parse_ipv4_network(value)
    except cidrs.CidrRuleError:
        return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


# --- hub -----------------------------------------------------------------------------------------------


def hub_networks(document: Mapping[str, Any]) -> list[cidrs.LabelledNetwork]:
    """Every network of the hub that must not overlap another: sites' node and pod CIDRs, VPC, service."""
    labelled: list[cidrs.LabelledNetwork] = []
    cluster = _mapping(document.get("eks-hybrid:cluster"))
    for key in ("vpcCidr", "serviceCidr"):
        network = _network(cluster.get(key, "172.20.0.0/16" if key == "serviceCidr" else None))
        if network is not None:
            labelled.append(cidrs.LabelledNetwork(f"eks-hybrid:cluster.{key}", network))
    for site, entry in _mapping(document.get("eks-hybrid:sites")).items():
        for key in ("nodeCidr", "podCidr"):
            network = _network(_mapping(entry).get(key))
            if network is not None:
                labelled.append(cidrs.LabelledNetwork(f"eks-hybrid:sites.{site}.{key}", network))
    return labelled


def check_hub_overlaps(document: Mapping[str, Any]) -> Iterator[Finding]:
    for overlap in cidrs.find_overlaps(hub_networks(document)):
        yield (
            overlap.second.path,
            f"{overlap.describe()}: node, pod, VPC and service CIDRs must not overlap",
        )


def check_cilium_mask(document: Mapping[str, Any]) -> Iterator[Finding]:
    mask = _mapping(document.get("eks-hybrid:cilium")).get("podCidrMaskSize", 25)
    if not isinstance(mask, int):
        return
    for site, entry in _mapping(document.get("eks-hybrid:sites")).items():
        pod = _network(_mapping(entry).get("podCidr"))
        if pod is not None and pod.prefixlen > mask:
            yield (
                "eks-hybrid:cilium.podCidrMaskSize",
                f"/{mask} per-node blocks cannot be carved from site {site}'s pod CIDR {pod}:"
                f" the mask size must be at least /{pod.prefixlen}",
            )


IRA = "eks-hybrid:credentials.iamRolesAnywhere"
CA_SOURCES = ("certificateAuthorityPem", "generateCertificateAuthority", "acmPcaArn")


def check_credentials(document: Mapping[str, Any]) -> Iterator[Finding]:
    credentials = _mapping(document.get("eks-hybrid:credentials"))
    provider = credentials.get("provider")
    if provider == "iamRolesAnywhere":
        ira = credentials.get("iamRolesAnywhere")
        if not isinstance(ira, Mapping):
            yield (
                IRA,
                "provider is iamRolesAnywhere, so its settings are required"
                " (certificateAuthorityPem, generateCertificateAuthority: true, or acmPcaArn)",
            )
            return
        yield from _ira_sources(ira, palette="eks-hybrid:palette" in document)
    elif provider == "ssm" and not isinstance(credentials.get("ssm"), Mapping):
        yield ("eks-hybrid:credentials.ssm", "provider is ssm, so its settings are required")


def _ira_sources(ira: Mapping[str, Any], *, palette: bool) -> Iterator[Finding]:
    """Exactly one CA source; with Palette, one whose private key Palette can have.

    Palette's hybrid config takes the root CA's certificate *and private key*
    (`v1IamRolesAnywhere.rootCaCertificate` / `rootCaPrivateKey`; Spectro's docs list both as required):
    Palette issues each edge host's certificate itself.
    """
    sources = [k for k in CA_SOURCES if ira.get(k) not in (None, False)]
    if len(sources) != 1:
        yield (
            IRA,
            "the trust anchor needs exactly one CA source: certificateAuthorityPem (a secret PEM bundle),"
            " generateCertificateAuthority: true, or acmPcaArn"
            f" (got {' and '.join(sources) or 'none'})",
        )
    has_key = ira.get("certificateAuthorityPrivateKey") is not None
    if has_key and "certificateAuthorityPem" not in sources:
        yield (
            f"{IRA}.certificateAuthorityPrivateKey",
            "is the private key of certificateAuthorityPem: give it only together with that certificate",
        )
    if not palette:
        return
    if "acmPcaArn" in sources:
        yield (
            f"{IRA}.acmPcaArn",
            "cannot be used with Palette: Palette issues the edge hosts' certificates itself and needs the"
            " root CA's private key (hybridConfig.iamRolesAnywhere.rootCaPrivateKey), which an ACM Private CA"
            " never exports. Use generateCertificateAuthority: true, or certificateAuthorityPem with"
            " certificateAuthorityPrivateKey",
        )
    if "certificateAuthorityPem" in sources and not has_key:
        yield (
            f"{IRA}.certificateAuthorityPrivateKey",
            "is required with Palette and certificateAuthorityPem: Palette issues the edge hosts'"
            " certificates from this CA, so it needs the CA's private key (a secret:"
            " `pulumi config set --secret --path ...certificateAuthorityPrivateKey < ca.key`)",
        )


HUB_RULES = (check_hub_overlaps, check_cilium_mask, check_credentials)


# --- site ----------------------------------------------------------------------------------------------

_CONNECTIVITY_BLOCKS = {
    "siteToSiteVpn": "siteToSiteVpn",
    "directConnect": "directConnect",
    "softwareVpn": "softwareVpn",
}


def check_connectivity_block(document: Mapping[str, Any]) -> Iterator[Finding]:
    connectivity = _mapping(_mapping(document.get("eks-hybrid:site")).get("connectivity"))
    kind = connectivity.get("type")
    block = _CONNECTIVITY_BLOCKS.get(kind) if isinstance(kind, str) else None
    if block and not isinstance(connectivity.get(block), Mapping):
        yield (f"eks-hybrid:site.connectivity.{block}", f"type is {kind}, so its settings are required")


def check_customer_gateway_asn(document: Mapping[str, Any]) -> Iterator[Finding]:
    vpn = _mapping(
        _mapping(_mapping(document.get("eks-hybrid:site")).get("connectivity")).get("siteToSiteVpn")
    )
    asn = _mapping(vpn.get("customerGateway")).get("bgpAsn")
    # Outside 1..4294967294 the field's own range check speaks; one problem per value.
    if isinstance(asn, int) and not isinstance(asn, bool) and 1 <= asn <= 4294967294:
        problem = asn_problem(asn)
        if problem:
            yield ("eks-hybrid:site.connectivity.siteToSiteVpn.customerGateway.bgpAsn", problem)


def check_tunnel_count(document: Mapping[str, Any]) -> Iterator[Finding]:
    vpn = _mapping(
        _mapping(_mapping(document.get("eks-hybrid:site")).get("connectivity")).get("siteToSiteVpn")
    )
    tunnels = vpn.get("tunnels")
    if isinstance(tunnels, list) and len(tunnels) > 2:
        yield (
            "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels",
            f"a VPN connection has two tunnels, so this takes at most 2 entries (got {len(tunnels)})",
        )


def check_tunnels_distinct(document: Mapping[str, Any]) -> Iterator[Finding]:
    vpn = _mapping(
        _mapping(_mapping(document.get("eks-hybrid:site")).get("connectivity")).get("siteToSiteVpn")
    )
    seen: dict[IPv4Network, int] = {}
    for index, tunnel in enumerate(_sequence(vpn.get("tunnels"))):
        # Compare networks, not spellings: " 169.254.10.0/30" and "169.254.10.0/30" are the same tunnel.
        inside = _network(_mapping(tunnel).get("insideCidr"))
        if inside is not None and inside in seen:
            yield (
                f"eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[{index}].insideCidr",
                f"{inside} is already tunnel {seen[inside] + 1}'s inside CIDR: each tunnel needs its own",
            )
        elif inside is not None:
            seen[inside] = index


def check_pools(document: Mapping[str, Any]) -> Iterator[Finding]:
    pools = _sequence(_mapping(document.get("eks-hybrid:site")).get("nodePools"))
    pool_names: dict[str, int] = {}
    host_owner: dict[str, str] = {}
    for index, pool in enumerate(pools):
        name = _mapping(pool).get("name")
        label = name if isinstance(name, str) else f"nodePools[{index}]"
        if isinstance(name, str):
            if name in pool_names:
                yield (
                    f"eks-hybrid:site.nodePools[{index}].name",
                    f"pool name {name!r} is already used by nodePools[{pool_names[name]}]: names are unique",
                )
            else:
                pool_names[name] = index
        for host_index, host in enumerate(_sequence(_mapping(pool).get("edgeHosts"))):
            uid = _mapping(host).get("uid")
            if not isinstance(uid, str):
                continue
            if uid in host_owner:
                yield (
                    f"eks-hybrid:site.nodePools[{index}].edgeHosts[{host_index}].uid",
                    f"edge host {uid} is already in pool {host_owner[uid]}: a host joins at most one pool",
                )
            else:
                host_owner[uid] = label


SITE_RULES = (
    check_connectivity_block,
    check_customer_gateway_asn,
    check_tunnel_count,
    check_tunnels_distinct,
    check_pools,
)
