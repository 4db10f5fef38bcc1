"""Rules that relate several keys to each other, checked on the raw stack document.

They run beside pydantic's per-key checks (not after them), so one pass reports every problem: each rule
reads only the values that parse and leaves malformed ones to the per-key checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from ipaddress import IPv4Address, IPv4Network
from typing import Any, TypeGuard

from ..codes import Code
from ..domain import cidrs, defaults
from ..domain.cidrs import MAX_REMOTE_NETWORKS
from ..domain.cilium_operator import operator_placement_problem
from ..domain.cluster_rules import (
    CLOUD_EGRESS_KEY,
    api_access_problem,
    cloud_egress_problem,
    public_endpoint_problem,
)
from ..domain.fields import asn_problem, reserved_asn_problem
from ..domain.labels import SITE_LABEL
from ..domain.palette import parse_provider_image
from ..domain.patterns import PATTERN_WORDS, PROVIDER_IMAGE, SEMVER
from ..domain.versions import cilium_problem, node_group_skew_problem, node_skew_problem
from ..errors import shown

Finding = tuple[str, Code, str]  # (dotted key path, code, rule)
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
        network = _network(cluster.get(key, defaults.SERVICE_CIDR if key == "serviceCidr" else None))
        if network is not None:
            labelled.append(cidrs.LabelledNetwork(f"eks-hybrid:cluster.{key}", network))
    for site, entry in _mapping(document.get("eks-hybrid:sites")).items():
        for key in ("nodeCidr", "podCidr"):
            network = _network(_mapping(entry).get(key))
            if network is not None:
                labelled.append(cidrs.LabelledNetwork(f"eks-hybrid:sites.{site}.{key}", network))
    return labelled


def check_hub_overlaps(document: Mapping[str, Any]) -> Iterator[Finding]:
    for group in cidrs.overlap_groups(hub_networks(document)):
        yield (
            group.network.path,
            Code.CIDR_OVERLAP,
            f"{group.describe()}: node, pod, VPC and service CIDRs must not overlap",
        )


def check_cilium_mask(document: Mapping[str, Any]) -> Iterator[Finding]:
    mask = _mapping(document.get("eks-hybrid:cilium")).get("podCidrMaskSize", defaults.POD_CIDR_MASK_SIZE)
    if not isinstance(mask, int):
        return
    for site, entry in _mapping(document.get("eks-hybrid:sites")).items():
        pod = _network(_mapping(entry).get("podCidr"))
        if pod is not None and pod.prefixlen > mask:
            yield (
                "eks-hybrid:cilium.podCidrMaskSize",
                Code.POD_CIDR_MASK_SIZE,
                f"/{mask} per-node blocks cannot be carved from site {site}'s pod CIDR {pod}:"
                f" the mask size must be at least /{pod.prefixlen}",
            )


AGGREGATES = "eks-hybrid:remoteNetworks"
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
                Code.SETTINGS_REQUIRED,
                "provider is iamRolesAnywhere, so its settings are required"
                " (certificateAuthorityPem, generateCertificateAuthority: true, or acmPcaArn)",
            )
            return
        yield from _ira_sources(ira, palette="eks-hybrid:palette" in document)
    elif provider == "ssm" and not isinstance(credentials.get("ssm"), Mapping):
        yield (
            "eks-hybrid:credentials.ssm",
            Code.SETTINGS_REQUIRED,
            "provider is ssm, so its settings are required",
        )
    if credentials.get("enableCredentialsFile") is True and "eks-hybrid:palette" in document:
        # Palette's nodes run the Kairos nodeadm provider, which writes their NodeConfig with
        # `hybrid.enableCredentialsFile: false` and takes only `containerd` and `kubelet` from the Nodeadm
        # pack's values (kairos-io/provider-nodeadm `pkg/stages/pre_install.go` `toHybridConfig` and
        # `pkg/domain/nodeadm_types.go` `UserNodeConfig`, at e23252a): no profile value can turn it on.
        yield (
            "eks-hybrid:credentials.enableCredentialsFile",
            Code.CREDENTIALS_FILE_WITH_PALETTE,
            "Palette-managed hybrid nodes cannot have it: Palette's nodeadm provider writes their"
            " NodeConfig with hybrid.enableCredentialsFile: false and reads only containerd and kubelet"
            " settings from the Nodeadm pack's values (kairos-io/provider-nodeadm); drop it while"
            " eks-hybrid:palette manages the nodes (EKS Pod Identity on those nodes is not available)",
        )


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
            Code.CA_SOURCE_COUNT,
            "the trust anchor needs exactly one CA source: certificateAuthorityPem (a secret PEM bundle),"
            " generateCertificateAuthority: true, or acmPcaArn"
            f" (got {' and '.join(sources) or 'none'})",
        )
    has_key = ira.get("certificateAuthorityPrivateKey") is not None
    if has_key and "certificateAuthorityPem" not in sources:
        yield (
            f"{IRA}.certificateAuthorityPrivateKey",
            Code.CA_KEY_WITHOUT_CERTIFICATE,
            "is the private key of certificateAuthorityPem: give it only together with that certificate",
        )
    if not palette:
        return
    if "acmPcaArn" in sources:
        yield (
            f"{IRA}.acmPcaArn",
            Code.ACM_PCA_WITH_PALETTE,
            "cannot be used with Palette: Palette issues the edge hosts' certificates itself and needs the"
            " root CA's private key (hybridConfig.iamRolesAnywhere.rootCaPrivateKey), which an ACM Private CA"
            " never exports. Use generateCertificateAuthority: true, or certificateAuthorityPem with"
            " certificateAuthorityPrivateKey",
        )
    if "certificateAuthorityPem" in sources and not has_key:
        yield (
            f"{IRA}.certificateAuthorityPrivateKey",
            Code.CA_KEY_REQUIRED,
            "is required with Palette and certificateAuthorityPem: Palette issues the edge hosts'"
            " certificates from this CA, so it needs the CA's private key (a secret:"
            " `pulumi config set --secret --path ...certificateAuthorityPrivateKey < ca.key`)",
        )


def check_public_endpoint(document: Mapping[str, Any]) -> Iterator[Finding]:
    """A public endpoint only with the networks allowed to reach it; `0.0.0.0/0` only when written out."""
    cluster = _mapping(document.get("eks-hybrid:cluster"))
    access = cluster.get("endpointAccess", defaults.ENDPOINT_ACCESS)
    allowed = cluster.get("publicAccessCidrs")
    if allowed == []:
        return  # the per-key check reports an empty list
    problem = public_endpoint_problem(access, allowed)
    if problem:
        yield ("eks-hybrid:cluster.publicAccessCidrs", problem.code, problem.text)


def check_cloud_egress(document: Mapping[str, Any]) -> Iterator[Finding]:
    """A public endpoint limited to some ranges must admit the cloud nodes' egress (cloudEgressCidrs)."""
    cluster = _mapping(document.get("eks-hybrid:cluster"))
    access = cluster.get("endpointAccess", defaults.ENDPOINT_ACCESS)
    allowed, egress = cluster.get("publicAccessCidrs"), cluster.get(CLOUD_EGRESS_KEY)
    lists = [value for value in (allowed, egress) if value is not None]
    if not all(isinstance(items, list) and all(_network(c) for c in items) for items in lists):
        return  # the per-key checks report malformed lists
    problem = cloud_egress_problem(access, allowed, egress)
    if problem:
        path = "publicAccessCidrs" if problem.code is Code.CLOUD_EGRESS_OUTSIDE else CLOUD_EGRESS_KEY
        yield (f"eks-hybrid:cluster.{path}", problem.code, problem.text)


def check_api_access(document: Mapping[str, Any]) -> Iterator[Finding]:
    """A private endpoint only with the deployer's sources (apiAccess), a public one without them."""
    cluster = _mapping(document.get("eks-hybrid:cluster"))
    access = cluster.get("endpointAccess", defaults.ENDPOINT_ACCESS)
    api = cluster.get("apiAccess", {})
    lists = [_mapping(api).get(key, []) for key in ("cidrs", "securityGroupIds")]
    if not isinstance(api, Mapping) or not all(isinstance(items, list) for items in lists):
        return  # the per-key check reports a malformed apiAccess
    problem = api_access_problem(access, lists[0], lists[1])
    if problem:
        yield ("eks-hybrid:cluster.apiAccess", problem.code, problem.text)


def _sites(document: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(document.get("eks-hybrid:sites"))


def check_remote_networks(document: Mapping[str, Any]) -> Iterator[Finding]:
    """EKS's 15-network limit per kind, and every site inside an aggregate when aggregates are set."""
    aggregates = _mapping(document.get(AGGREGATES))
    sites = _sites(document)
    for key, kind in (("nodeCidrs", "node"), ("podCidrs", "pod")):
        site_key = f"{kind}Cidr"
        configured = aggregates.get(key)
        if isinstance(configured, list):
            networks = [n for n in (_network(c) for c in configured) if n is not None]
            listed = ", ".join(str(a) for a in networks)
            if not networks:
                continue
            for site, entry in sites.items():
                network = _network(_mapping(entry).get(site_key))
                if network is not None and not any(network.subnet_of(a) for a in networks):
                    yield (
                        f"eks-hybrid:sites.{site}.{site_key}",
                        Code.OUTSIDE_AGGREGATE,
                        f"site {site}'s {kind} CIDR {network} is outside every"
                        f" eks-hybrid:remoteNetworks.{key} aggregate ({listed}): the cluster and the VPC"
                        " route only the aggregates, so put the site inside one or add an aggregate",
                    )
            continue
        distinct = {n for n in (_network(_mapping(e).get(site_key)) for e in sites.values()) if n is not None}
        if len(distinct) > MAX_REMOTE_NETWORKS:
            yield (
                "eks-hybrid:sites",
                Code.TOO_MANY_REMOTE_NETWORKS,
                f"{len(distinct)} sites' {kind} CIDRs would be {len(distinct)} remote {kind} networks,"
                f" and EKS takes at most {MAX_REMOTE_NETWORKS} per cluster: set"
                f" eks-hybrid:remoteNetworks.{key} to at most {MAX_REMOTE_NETWORKS} aggregates that contain"
                " them",
            )


def check_aggregate_overlaps(document: Mapping[str, Any]) -> Iterator[Finding]:
    """Aggregates may contain sites, but not the VPC or service CIDR, and node and pod aggregates are
    disjoint (EKS: remote networks overlap neither each other nor the VPC and service CIDRs)."""
    aggregates = _mapping(document.get(AGGREGATES))
    labelled = [n for n in hub_networks(document) if not n.path.startswith("eks-hybrid:sites.")]
    for key in ("nodeCidrs", "podCidrs"):
        for index, value in enumerate(_sequence(aggregates.get(key))):
            network = _network(value)
            if network is not None:
                labelled.append(cidrs.LabelledNetwork(f"{AGGREGATES}.{key}[{index}]", network))
    for group in cidrs.overlap_groups(labelled):
        # Only the VPC and service CIDRs are not aggregates, and their overlap is check_hub_overlaps'; a
        # group with more than one earlier network holds an aggregate.
        if group.others or AGGREGATES in group.network.path or AGGREGATES in group.first.path:
            yield (
                group.network.path,
                Code.AGGREGATE_OVERLAP,
                f"{group.describe()}: remote network aggregates must not overlap each other, the VPC CIDR"
                " or the service CIDR",
            )


# Lists whose items name resources or must be distinct to AWS: a repeated route table id would declare two
# routes with one name, a repeated subnet fails CreateCluster / CreateTransitGatewayVpcAttachment.
_DISTINCT_LISTS = (
    ("eks-hybrid:cluster", "routeTableIds", "route table"),
    ("eks-hybrid:cluster", "subnetIds", "subnet"),
    ("eks-hybrid:cluster", "publicAccessCidrs", "network"),
    ("eks-hybrid:cluster", CLOUD_EGRESS_KEY, "network"),
    ("eks-hybrid:cluster", "apiAccess.cidrs", "network"),
    ("eks-hybrid:cluster", "apiAccess.securityGroupIds", "security group"),
    ("eks-hybrid:transitGateway", "subnetIds", "subnet"),
)


def check_distinct_lists(document: Mapping[str, Any]) -> Iterator[Finding]:
    for block, key, what in _DISTINCT_LISTS:
        seen: dict[str, int] = {}
        container = _mapping(document.get(block))
        *parents, last = key.split(".")
        for parent in parents:
            container = _mapping(container.get(parent))
        for index, value in enumerate(_sequence(container.get(last))):
            if not isinstance(value, str):
                continue
            item = value.strip()
            if item in seen:
                yield (
                    f"{block}.{key}[{index}]",
                    Code.DUPLICATE_ITEM,
                    f"{shown(item)} is already {key}[{seen[item]}]: list each {what} once",
                )
            else:
                seen[item] = index


def check_tunnel_inside_cidrs(document: Mapping[str, Any]) -> Iterator[Finding]:
    """AWS requires a tunnel's inside CIDR unique among the VPN connections of one gateway; the hub sees
    every site's, so it checks them unique across the whole inventory (the sites share the hub's TGW and
    VGW)."""
    seen: dict[IPv4Network, str] = {}
    for site, entry in _sites(document).items():
        for index, value in enumerate(_sequence(_mapping(entry).get("tunnelInsideCidrs"))):
            network = _network(value)
            if network is None:
                continue
            path = f"eks-hybrid:sites.{site}.tunnelInsideCidrs[{index}]"
            if network in seen:
                yield (
                    path,
                    Code.TUNNEL_CIDR_DUPLICATE,
                    f"{network} is already {seen[network]}: tunnel inside CIDRs must be unique across every"
                    " VPN connection on the hub's gateways",
                )
            else:
                seen[network] = path


def check_cilium(document: Mapping[str, Any]) -> Iterator[Finding]:
    """Cilium lines AWS supports, and cluster-pool only where one pool is correct for every site."""
    cilium = _mapping(document.get("eks-hybrid:cilium"))
    version = cilium.get("chartVersion", defaults.CILIUM_CHART_VERSION)
    kubernetes = _mapping(document.get("eks-hybrid:cluster")).get("kubernetesVersion")
    if isinstance(version, str) and re.match(r"^\d+\.\d+\.", version):
        problem = cilium_problem(version, kubernetes if isinstance(kubernetes, str) else None)
        if problem:
            yield ("eks-hybrid:cilium.chartVersion", problem.code, problem.text)
    sites = _sites(document)
    if cilium.get("ipam") != "clusterPool" or len(sites) < 2:
        return
    static_routed = sorted(
        name
        for name, entry in sites.items()
        if _mapping(entry).get("routeVia", "transitGateway") != "transitGateway"
    )
    if not cilium.get("bgpControlPlane", False) or static_routed:
        reasons = []
        if not cilium.get("bgpControlPlane", False):
            reasons.append("bgpControlPlane is off")
        if static_routed:
            reasons.append(
                f"{', '.join(static_routed)} {'is' if len(static_routed) == 1 else 'are'} routeVia: site"
            )
        yield (
            "eks-hybrid:cilium.ipam",
            Code.CLUSTER_POOL_NEEDS_BGP,
            f"cluster-pool hands any node a block of any site's pod CIDR, which is correct with {len(sites)}"
            " sites only when every site is on BGP end to end (Cilium's BGP control plane advertising node"
            " blocks, each site's VPN on the transit gateway with BGP); here "
            f"{' and '.join(reasons)}: use ipam: multiPool (one pool per site)",
        )


def check_operator_placement(document: Mapping[str, Any]) -> Iterator[Finding]:
    """`eks-hybrid:cilium.operatorPlacement` against the IPAM mode, read as `HubConfig.cilium_ipam` reads it
    (explicit, else multiPool with more than one site)."""
    cilium = _mapping(document.get("eks-hybrid:cilium"))
    ipam = cilium.get("ipam") or ("multiPool" if len(_sites(document)) > 1 else "clusterPool")
    configured = cilium.get("operatorPlacement")
    if ipam in defaults.CILIUM_IPAM_MODES and configured in defaults.CILIUM_OPERATOR_PLACEMENTS:
        problem = operator_placement_problem(ipam, configured)
        if problem:
            yield ("eks-hybrid:cilium.operatorPlacement", problem.code, problem.text)


def check_cilium_bgp(document: Mapping[str, Any]) -> Iterator[Finding]:
    """Each site's `bgpPeer` against the cluster's ASN and the site's node CIDR; with cluster-pool over
    several sites, every site's nodes must advertise their blocks (see `check_cilium`)."""
    cilium = _mapping(document.get("eks-hybrid:cilium"))
    enabled = cilium.get("bgpControlPlane", False) is True
    cluster_asn = cilium.get("clusterAsn", defaults.CILIUM_CLUSTER_ASN)
    reserved = reserved_asn_problem(cluster_asn) if _is_int(cluster_asn) else None
    if reserved:
        yield ("eks-hybrid:cilium.clusterAsn", reserved.code, reserved.text)
    elif _is_int(cluster_asn):
        yield from _cluster_asn_against_gateways(document, cluster_asn)
    sites = _sites(document)
    for site, entry in sites.items():
        peer = _mapping(entry).get("bgpPeer")
        path = f"eks-hybrid:sites.{site}.bgpPeer"
        if peer is None:
            continue
        if not enabled:
            yield (
                path,
                Code.BGP_CONTROL_PLANE_OFF,
                "the nodes peer with the router over Cilium's BGP control plane: set"
                " eks-hybrid:cilium.bgpControlPlane: true, or remove bgpPeer",
            )
        peer = _mapping(peer)
        asn = peer.get("asn")
        reserved = reserved_asn_problem(asn) if _is_int(asn) else None
        if reserved:
            yield (f"{path}.asn", reserved.code, reserved.text)
        elif _is_int(asn) and asn == cluster_asn:
            yield (
                f"{path}.asn",
                Code.ASN_CLASH,
                f"{asn} is also eks-hybrid:cilium.clusterAsn: the nodes and the router peer over eBGP, so"
                " they need different ASNs",
            )
        yield from _peer_address_problems(path, peer.get("address"), _mapping(entry).get("nodeCidr"))
    if cilium.get("ipam") == "clusterPool" and enabled and len(sites) > 1:
        for site, entry in sites.items():
            if _mapping(entry).get("bgpPeer") is None:
                yield (
                    f"eks-hybrid:sites.{site}",
                    Code.CLUSTER_POOL_NEEDS_BGP,
                    f"cluster-pool IPAM over {len(sites)} sites hands {site}'s nodes blocks of any site's pod"
                    " CIDR, which are routed only if its nodes advertise them: give it a bgpPeer (its"
                    " router's address and ASN), or use ipam: multiPool",
                )


def _gateway_asns(document: Mapping[str, Any]) -> Iterator[tuple[str, object, bool]]:
    """(key, Amazon-side ASN, whether it is the default) of each gateway the hub declares, read as the
    models read them: the transit gateway always (`TransitGatewayConfig`'s default when the block or the key
    is absent), the virtual private gateway only when its block is present and not null."""
    tgw = _mapping(document.get("eks-hybrid:transitGateway"))
    yield (
        "eks-hybrid:transitGateway.amazonSideAsn",
        tgw.get("amazonSideAsn", defaults.TRANSIT_GATEWAY_ASN),
        "amazonSideAsn" not in tgw,
    )
    if document.get("eks-hybrid:virtualPrivateGateway") is not None:
        vgw = _mapping(document.get("eks-hybrid:virtualPrivateGateway"))
        yield (
            "eks-hybrid:virtualPrivateGateway.amazonSideAsn",
            vgw.get("amazonSideAsn", defaults.VPN_GATEWAY_ASN),
            "amazonSideAsn" not in vgw,
        )


def _cluster_asn_against_gateways(document: Mapping[str, Any], cluster_asn: int) -> Iterator[Finding]:
    """The nodes' routes reach AWS with the cluster's ASN in their AS path (a cluster-pool site's router
    passes the node blocks on), and a BGP speaker drops a route whose AS path holds its own ASN (RFC 4271,
    9.1.2, AS loop detection): the transit gateway or virtual private gateway would discard every node
    block. Checked whatever the IPAM mode, as the reserved-ASN rule is: the ASN is fixed at install."""
    for key, gateway_asn, default in _gateway_asns(document):
        if _is_int(gateway_asn) and gateway_asn == cluster_asn:
            yield (
                "eks-hybrid:cilium.clusterAsn",
                Code.CLUSTER_ASN_IS_AMAZON_SIDE,
                f"{cluster_asn} is also {key}{' (its default)' if default else ''}: the gateway would drop"
                " the nodes' routes as an AS-path loop; give eks-hybrid:cilium.clusterAsn another private"
                " ASN",
            )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _peer_address_problems(path: str, address: object, node_cidr: object) -> Iterator[Finding]:
    network = _network(node_cidr)
    try:
        parsed = cidrs.ipv4_address(address)
    except cidrs.CidrRuleError:
        return  # the per-key check reports it
    if network is None:
        return
    host = IPv4Address(parsed)
    if host not in network:
        yield (
            f"{path}.address",
            Code.PEER_OUTSIDE_NODE_CIDR,
            f"{host} is not in the site's node CIDR {network}: the nodes dial the router on their own"
            " segment (eBGP, one hop), so give its address there",
        )
    elif network.prefixlen < 31 and host in (network.network_address, network.broadcast_address):
        yield (
            f"{path}.address",
            Code.PEER_NOT_A_HOST,
            f"{host} is the node CIDR's network or broadcast address, not a host",
        )


def check_palette_kubernetes(document: Mapping[str, Any]) -> Iterator[Finding]:
    """The pools' nodeadm Kubernetes layer is within AWS's skew of the cluster, and the EdgeForge image's
    K8S_VERSION is the layer's."""
    kubernetes = _mapping(document.get("eks-hybrid:cluster")).get("kubernetesVersion")
    if isinstance(kubernetes, float):
        kubernetes = f"{kubernetes:.2f}"
    profile = _mapping(_mapping(document.get("eks-hybrid:palette")).get("profile"))
    layer = _mapping(profile.get("kubernetes")).get("version")
    if not isinstance(kubernetes, str) or not isinstance(layer, str) or not re.fullmatch(SEMVER, layer):
        return  # a malformed version is the per-key check's to report
    # The layer is the nodes' version (nodeadm install <version>): AWS's skew policy for hybrid nodes allows
    # the cluster's minor and up to three below it, never a newer one (`versions.node_skew_problem`).
    skew = node_skew_problem(kubernetes, layer)
    if skew is not None:
        yield (
            "eks-hybrid:palette.profile.kubernetes.version",
            Code.KUBERNETES_LAYER_MISMATCH,
            f"{skew} (eks-hybrid:cluster.kubernetesVersion {kubernetes}; the layer is what nodeadm installs)",
        )
    image = _provider_image(document)
    parsed = parse_provider_image(image) if image else None
    if parsed is not None and parsed.kubernetes_version != layer:
        tag = image.rsplit(":", 1)[-1] if image else ""
        yield (
            "eks-hybrid:palette.profile.os.providerImage",
            Code.EDGEFORGE_IMAGE_MISMATCH,
            f"the EdgeForge image is built for Kubernetes {parsed.kubernetes_version} (K8S_VERSION in its tag"
            f" {shown(tag)}), but the Kubernetes layer is {layer}: rebuild the image or align the versions",
        )


def _provider_image(document: Mapping[str, Any]) -> str | None:
    profile = _mapping(_mapping(document.get("eks-hybrid:palette")).get("profile"))
    image = _mapping(profile.get("os")).get("providerImage")
    return image.strip() if isinstance(image, str) and image.strip() else None  # the models strip it


def check_provider_image(document: Mapping[str, Any]) -> Iterator[Finding]:
    """`render` writes the EdgeForge `.arg` lines from the provider image's parts, so the hub's image must
    be named the CanvOS way (`domain.palette.parse_provider_image`, the one parse of it)."""
    image = _provider_image(document)
    if image is not None and parse_provider_image(image) is None:
        yield (
            "eks-hybrid:palette.profile.os.providerImage",
            Code.INVALID_PROVIDER_IMAGE,
            f"must be {PATTERN_WORDS[PROVIDER_IMAGE]} (got {shown(image)})",
        )


def _version_text(value: object) -> object:
    # YAML reads `1.30` as the float 1.3; the models read it as "1.30" (`ClusterConfig._coerce_version`).
    return f"{value:.2f}" if isinstance(value, float) else value


def check_node_group_version(document: Mapping[str, Any]) -> Iterator[Finding]:
    """The cloud node group's Kubernetes version, when given, is within EKS's skew of the cluster's."""
    cluster = _mapping(document.get("eks-hybrid:cluster"))
    kubernetes = _version_text(cluster.get("kubernetesVersion"))
    group = _version_text(_mapping(cluster.get("nodeGroup")).get("kubernetesVersion"))
    if not isinstance(kubernetes, str) or not isinstance(group, str):
        return
    skew = node_group_skew_problem(kubernetes, group)
    if skew is not None:
        yield (
            "eks-hybrid:cluster.nodeGroup.kubernetesVersion",
            Code.NODE_GROUP_VERSION_SKEW,
            f"{skew} (eks-hybrid:cluster.kubernetesVersion {kubernetes})",
        )


HUB_RULES = (
    check_hub_overlaps,
    check_cilium_mask,
    check_credentials,
    check_public_endpoint,
    check_cloud_egress,
    check_api_access,
    check_remote_networks,
    check_aggregate_overlaps,
    check_tunnel_inside_cidrs,
    check_distinct_lists,
    check_cilium,
    check_operator_placement,
    check_cilium_bgp,
    check_palette_kubernetes,
    check_provider_image,
    check_node_group_version,
)


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
        yield (
            f"eks-hybrid:site.connectivity.{block}",
            Code.SETTINGS_REQUIRED,
            f"type is {kind}, so its settings are required",
        )


def check_customer_gateway_asn(document: Mapping[str, Any]) -> Iterator[Finding]:
    vpn = _mapping(
        _mapping(_mapping(document.get("eks-hybrid:site")).get("connectivity")).get("siteToSiteVpn")
    )
    asn = _mapping(vpn.get("customerGateway")).get("bgpAsn")
    # Outside 1..4294967294 the field's own range check speaks; one problem per value.
    if isinstance(asn, int) and not isinstance(asn, bool) and 1 <= asn <= 4294967294:
        problem = asn_problem(asn)
        if problem:
            yield (
                "eks-hybrid:site.connectivity.siteToSiteVpn.customerGateway.bgpAsn",
                problem.code,
                problem.text,
            )


def check_tunnel_count(document: Mapping[str, Any]) -> Iterator[Finding]:
    vpn = _mapping(
        _mapping(_mapping(document.get("eks-hybrid:site")).get("connectivity")).get("siteToSiteVpn")
    )
    tunnels = vpn.get("tunnels")
    if isinstance(tunnels, list) and len(tunnels) > 2:
        yield (
            "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels",
            Code.TOO_MANY_TUNNELS,
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
                Code.TUNNEL_CIDR_DUPLICATE,
                f"{inside} is already tunnel {seen[inside] + 1}'s inside CIDR: each tunnel needs its own",
            )
        elif inside is not None:
            seen[inside] = index


def check_pools(document: Mapping[str, Any]) -> Iterator[Finding]:
    pools = _sequence(_mapping(document.get("eks-hybrid:site")).get("nodePools"))
    pool_names: dict[str, int] = {}
    host_owner: dict[str, str] = {}
    host_names: dict[str, str] = {}
    for index, pool in enumerate(pools):
        name = _mapping(pool).get("name")
        label = name if isinstance(name, str) else f"nodePools[{index}]"
        if isinstance(name, str):
            if name in pool_names:
                yield (
                    f"eks-hybrid:site.nodePools[{index}].name",
                    Code.DUPLICATE_POOL_NAME,
                    f"pool name {shown(name)} is already used by nodePools[{pool_names[name]}]:"
                    " names are unique",
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
                    Code.EDGE_HOST_IN_TWO_POOLS,
                    f"edge host {uid} is already in pool {host_owner[uid]}: a host joins at most one pool",
                )
                continue
            host_owner[uid] = label
            yield from _host_name_unique(host, f"nodePools[{index}].edgeHosts[{host_index}]", host_names)


def _host_name_unique(host: object, where: str, seen: dict[str, str]) -> Iterator[Finding]:
    """A host's name (its uid when it has none) is its Kubernetes node name and the name of its `render`
    files: two hosts of a site with one name would share a node and a file. Compared without letter case,
    as a case-insensitive file system would."""
    name = _mapping(host).get("name")
    key = "name" if isinstance(name, str) else "uid"
    value = name if isinstance(name, str) else _mapping(host).get("uid")
    if not isinstance(value, str):
        return
    same = value.strip().lower()  # the models strip whitespace
    if same in seen:
        yield (
            f"eks-hybrid:site.{where}.{key}",
            Code.DUPLICATE_EDGE_HOST_NAME,
            f"edge host name {shown(value)} is already {seen[same]}'s: each host of a site needs its own name"
            " (a host without a name is named by its uid)",
        )
    else:
        seen[same] = where


def check_site_label(document: Mapping[str, Any]) -> Iterator[Finding]:
    """eks-hybrid labels every node of the site's pools `eks-hybrid/site=<site>` (Cilium picks the site's
    pod pool by it); a pool label with that key and another value would put the node in another site."""
    spec = _mapping(document.get("eks-hybrid:site"))
    site = spec.get("name")
    for index, pool in enumerate(_sequence(spec.get("nodePools"))):
        value = _mapping(_mapping(pool).get("labels")).get(SITE_LABEL)
        if value is not None and value != site:
            yield (
                f"eks-hybrid:site.nodePools[{index}].labels.{SITE_LABEL}",
                Code.SITE_LABEL_CONFLICT,
                f"{SITE_LABEL} is set by eks-hybrid to the site's name ({site}) on every node of its pools:"
                f" remove this label or make it {shown(site)} (got {shown(value)})",
            )


SITE_RULES = (
    check_connectivity_block,
    check_customer_gateway_asn,
    check_tunnel_count,
    check_tunnels_distinct,
    check_pools,
    check_site_label,
)
