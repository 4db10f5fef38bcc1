"""Gather a site's on-prem inputs from its stack files and deployed outputs, then write its files.

The stack files (the site's and its hub's, from the stacks directory) give everything known before deploy;
the site is planned offline first, so `render` refuses exactly what `plan` refuses. The JSON of
`pulumi stack output --json --show-secrets` for the site (`--outputs`) and for the hub (`--hub-outputs`)
then fills in what only AWS knows: tunnel outside addresses, generated inside addresses and pre-shared
keys, node identity ARNs or the SSM activation. Whatever is still unknown becomes a placeholder token.
What the hub exports of its own config (the Kubernetes version, Cilium's settings and each site's
`bgpPeer`) is read from its outputs when given, since that is what its cluster runs, else from its file.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from eks_hybrid.components.codes import Code
from eks_hybrid.components.config import (
    SECRET_PLACEHOLDER,
    HubConfig,
    SiteConfig,
    SiteInventoryEntry,
    validate_stack,
)
from eks_hybrid.components.config.source import stack_file_label
from eks_hybrid.components.domain.cilium_operator import bgp_objects_in_sites
from eks_hybrid.components.domain.defaults import CILIUM_OPERATOR_PLACEMENTS
from eks_hybrid.components.domain.hub_outputs import HubOutput, hub_sites, inventory_output
from eks_hybrid.components.domain.reachability import reachable_peers
from eks_hybrid.components.domain.site_outputs import SiteOutput, TunnelOutput
from eks_hybrid.components.domain.tunnel_selectors import policy_based_selectors
from eks_hybrid.components.errors import PlanError, Problem, RuleError
from eks_hybrid.components.network.tunnels import STRONG_PROPOSALS, TUNNEL_NUMBERS
from eks_hybrid.components.onprem.model import (
    CiliumBgpPeering,
    ClusterEndpoint,
    DirectConnectLink,
    EdgeHost,
    NodeIdentity,
    OnPremSite,
    Placeholder,
    Tunnel,
    VpnLink,
    inside_addresses,
)

from .input_files import read_input_file
from .planner import Planner
from .render_outputs import OutputsSchema, output_problems
from .site_reach import inventory_path, site_path
from .stack_files import read_stack_file


@dataclass(frozen=True)
class RenderOptions:
    """How to render what the stack files leave open."""

    route_based: bool = False
    """`--route-based`, kept for scripts that pass it: route-based tunnels are the default now, so it only
    refuses a site that asks for policy-based tunnels (`siteToSiteVpn.policyBased`) or has no VPN."""


@dataclass(frozen=True)
class DeployedOutputs:
    """A stack's outputs as `pulumi stack output --json --show-secrets` prints them."""

    values: Mapping[str, Any] = field(repr=False)
    label: str

    def get(self, key: str) -> Any:
        return self.values.get(key)


def read_outputs(path: Path, schema: type[OutputsSchema]) -> DeployedOutputs:
    """Read an outputs file and check each output `render` reads against `schema` (`SiteOutputsSchema`,
    `HubOutputsSchema`); a non-file, an oversize or malformed file or a value of the wrong shape is a
    `PlanError` naming the file, the key and the rule (never a value: the file holds secrets)."""
    label = str(path)
    data = read_input_file(path, label)
    try:
        values = json.loads(data)
    except json.JSONDecodeError as exc:
        raise PlanError(
            [
                Problem(
                    label,
                    "(file)",
                    f"is not JSON (line {exc.lineno}): use `pulumi stack output --json`",
                    Code.OUTPUTS_NOT_JSON,
                )
            ]
        ) from None
    except (ValueError, RecursionError):  # not UTF-8/16/32 text, a number too long, nesting too deep
        raise PlanError(
            [
                Problem(
                    label,
                    "(file)",
                    "is not JSON text that can be read (not UTF-8, a number too long or nesting too deep):"
                    " use `pulumi stack output --json`",
                    Code.OUTPUTS_NOT_JSON,
                )
            ]
        ) from None
    if not isinstance(values, dict):
        raise PlanError(
            [Problem(label, "(file)", "must be a JSON object of stack outputs", Code.OUTPUTS_NOT_OBJECT)]
        )
    problems = output_problems(values, schema, label)
    if problems:
        raise PlanError(problems)
    return DeployedOutputs(values, label)


_PLACEHOLDERS = {
    "outside": ("AWS outside address of tunnel {n}", "site output `tunnels[{i}].outsideAddress`"),
    "aws_inside": (
        "AWS inside address of tunnel {n} (BGP neighbour)",
        "site output `tunnels[{i}].awsInsideAddress`, or set `tunnels[{i}].insideCidr`",
    ),
    "customer_inside": (
        "on-prem inside address of tunnel {n}",
        "site output `tunnels[{i}].customerInsideAddress`, or set `tunnels[{i}].insideCidr`",
    ),
    "psk": ("pre-shared key of tunnel {n}", "site output `tunnelPresharedKeys[{i}]` (needs --show-secrets)"),
}
_TOKENS = {
    "outside": "<TUNNEL{n}_OUTSIDE_ADDRESS>",
    "aws_inside": "<TUNNEL{n}_AWS_INSIDE_ADDRESS>",
    "customer_inside": "<TUNNEL{n}_CUSTOMER_INSIDE_ADDRESS>",
    "psk": "<TUNNEL{n}_PRESHARED_KEY>",
}
_HUB_PLACEHOLDERS = {
    "ssm_activation_id": (
        "<SSM_ACTIVATION_ID>",
        "the hub's SSM hybrid activation id",
        "hub output `ssmActivationId`",
    ),
    "ssm_activation_code": (
        "<SSM_ACTIVATION_CODE>",
        "the hub's SSM hybrid activation code",
        "hub output `ssmActivationCode` (needs --show-secrets)",
    ),
    "trust_anchor_arn": (
        "<TRUST_ANCHOR_ARN>",
        "the IAM Roles Anywhere trust anchor",
        "hub output `trustAnchorArn`",
    ),
    "profile_arn": ("<PROFILE_ARN>", "the IAM Roles Anywhere profile", "hub output `profileArn`"),
    "role_arn": ("<HYBRID_NODE_ROLE_ARN>", "the hybrid nodes' IAM role", "hub output `hybridNodeRoleArn`"),
}
_HUB_OUTPUT_KEYS = {
    "ssm_activation_id": HubOutput.SSM_ACTIVATION_ID,
    "ssm_activation_code": HubOutput.SSM_ACTIVATION_CODE,
    "trust_anchor_arn": HubOutput.TRUST_ANCHOR_ARN,
    "profile_arn": HubOutput.PROFILE_ARN,
    "role_arn": HubOutput.HYBRID_NODE_ROLE_ARN,
}


class _Gatherer:
    """Collects every value and every problem, so a user fixes them all in one pass."""

    def __init__(
        self,
        site: SiteConfig,
        hub: HubConfig,
        planned: Mapping[str, Any],
        site_outputs: DeployedOutputs | None,
        hub_outputs: DeployedOutputs | None,
        options: RenderOptions,
    ) -> None:
        self.site, self.hub, self.planned = site, hub, planned
        self.site_outputs, self.hub_outputs, self.options = site_outputs, hub_outputs, options
        self.problems: list[Problem] = []
        self.placeholders: list[Placeholder] = []

    def problem(self, file: str, path: str, rule: str, code: Code) -> None:
        self.problems.append(Problem(file, path, rule, code))

    def placeholder(self, token: str, meaning: str, source: str, *, from_outputs: bool = True) -> str:
        self.placeholders.append(Placeholder(token, meaning, source, from_outputs))
        return token

    def _secret_output(self, outputs: DeployedOutputs, key: str) -> Any:
        value = outputs.get(key)
        if value == SECRET_PLACEHOLDER or (isinstance(value, list) and SECRET_PLACEHOLDER in value):
            self.problem(
                outputs.label,
                key,
                "is `[secret]`: write the file with `pulumi stack output --json --show-secrets`",
                Code.OUTPUT_IS_SECRET,
            )
            return None
        return value

    def check_outputs_match(self) -> None:
        name = self.site.site.name
        entry = self.hub.sites.get(name)
        if self.site_outputs is not None:
            out = self.site_outputs
            for key, expected in (
                ("site", name),
                ("nodeCidr", entry.node_cidr if entry else None),
                ("podCidr", entry.pod_cidr if entry else None),
            ):
                if out.get(key) != expected:
                    self.problem(
                        out.label,
                        key,
                        f"is not {expected!r} as the stack files say: these outputs are of another site or"
                        " an older deployment",
                        Code.OUTPUTS_MISMATCH,
                    )
        if self.hub_outputs is not None:
            out = self.hub_outputs
            if out.get(HubOutput.CLUSTER_NAME) not in (None, self.hub.cluster.name):
                self.problem(
                    out.label,
                    HubOutput.CLUSTER_NAME,
                    f"is not {self.hub.cluster.name!r}, the cluster the hub stack file names",
                    Code.OUTPUTS_MISMATCH,
                )
            provider = out.get(HubOutput.CREDENTIALS_PROVIDER)
            if provider not in (None, self.hub.credentials.provider):
                self.problem(
                    out.label,
                    HubOutput.CREDENTIALS_PROVIDER,
                    f"is not {self.hub.credentials.provider!r}, the provider the hub stack file says",
                    Code.OUTPUTS_MISMATCH,
                )
            sites = hub_sites(out.values)
            if sites and name not in sites:
                self.problem(
                    out.label,
                    inventory_output(out.values),
                    f"has no site {name!r}: these are another hub's outputs",
                    Code.OUTPUTS_MISMATCH,
                )

    def tunnels(self) -> tuple[Tunnel, ...]:
        vpn = self.site.site.connectivity.site_to_site_vpn
        assert vpn is not None
        reported: list[Any] = []
        keys: list[Any] = []
        if self.site_outputs is not None:
            out = self.site_outputs
            reported = out.get(SiteOutput.TUNNELS) or []
            keys = self._secret_output(out, SiteOutput.TUNNEL_PRESHARED_KEYS) or []
            if len(reported) != len(TUNNEL_NUMBERS) or not all(isinstance(t, dict) for t in reported):
                self.problem(
                    out.label,
                    "tunnels",
                    "must list both tunnels of the VPN connection",
                    Code.OUTPUTS_INCOMPLETE,
                )
                reported = []
            if keys and len(keys) != len(TUNNEL_NUMBERS):
                self.problem(
                    out.label,
                    SiteOutput.TUNNEL_PRESHARED_KEYS,
                    "must hold one key per tunnel",
                    Code.OUTPUTS_INCOMPLETE,
                )
                keys = []
        result = []
        for index, number in enumerate(TUNNEL_NUMBERS):
            configured = vpn.tunnels[index] if index < len(vpn.tunnels) else None
            known = reported[index] if reported else {}
            aws_inside = customer_inside = None
            if configured is not None and configured.inside_cidr:
                aws_inside, customer_inside = inside_addresses(configured.inside_cidr)
            key = keys[index] if keys and isinstance(keys[index], str) and keys[index] else None
            result.append(
                Tunnel(
                    number=number,
                    outside_address=self._tunnel_value(
                        number, "outside", known.get(TunnelOutput.OUTSIDE_ADDRESS)
                    ),
                    aws_inside_address=self._tunnel_value(
                        number, "aws_inside", known.get(TunnelOutput.AWS_INSIDE_ADDRESS) or aws_inside
                    ),
                    customer_inside_address=self._tunnel_value(
                        number,
                        "customer_inside",
                        known.get(TunnelOutput.CUSTOMER_INSIDE_ADDRESS) or customer_inside,
                    ),
                    preshared_key=self._tunnel_value(number, "psk", key),
                )
            )
        return tuple(result)

    def _tunnel_value(self, number: int, kind: str, known: object) -> str:
        """The value AWS reported (or the config implies), else the tunnel's placeholder for `kind`."""
        if isinstance(known, str) and known:
            return known
        meaning, source = _PLACEHOLDERS[kind]
        return self.placeholder(
            _TOKENS[kind].format(n=number), meaning.format(n=number), source.format(i=number - 1)
        )

    def vpn_link(self) -> VpnLink | None:
        vpn = self.site.site.connectivity.site_to_site_vpn
        if self.site.site.connectivity.type != "siteToSiteVpn" or vpn is None:
            if self.options.route_based:
                self.problem(
                    "--route-based",
                    "(option)",
                    "the site has no Site-to-Site VPN: no tunnels to route",
                    Code.ROUTE_BASED_WITHOUT_VPN,
                )
            return None
        if vpn.attach_to == "transitGateway":
            amazon_asn = self._hub_value(HubOutput.AMAZON_SIDE_ASN, self.hub.transit_gateway.amazon_side_asn)
        else:
            vgw = self.hub.virtual_private_gateway
            amazon_asn = self._hub_value(HubOutput.VPN_GATEWAY_ASN, vgw.amazon_side_asn if vgw else None)
        if self.options.route_based and vpn.policy_based:
            self.problem(
                "--route-based",
                "(option)",
                "the site's stack file asks for policy-based tunnels"
                " (eks-hybrid:site.connectivity.siteToSiteVpn.policyBased), and the VPN connection's traffic"
                " selectors follow that key: remove it from the stack file for route-based tunnels (the"
                " default, so --route-based is no longer needed)",
                Code.ROUTE_BASED_WITH_POLICY_BASED,
            )
        return VpnLink(
            routing=vpn.routing,
            customer_gateway_address=vpn.customer_gateway.ip_address,
            customer_asn=vpn.customer_gateway.bgp_asn,
            amazon_asn=int(amazon_asn),
            tunnels=self.tunnels(),
            proposals=STRONG_PROPOSALS,
            policy_based=vpn.policy_based and vpn.routing == "static",
        )

    def direct_connect_link(self, peering: CiliumBgpPeering | None) -> DirectConnectLink | None:
        """The private VIF's BGP values for a Direct Connect site. AWS assigns the VLAN, the peer IPs and
        the MD5 key when the VIF is created (outside these stacks), and the Amazon-side ASN is the Direct
        Connect gateway's, which the site names only by id: each is a placeholder. The router's own ASN is
        the hub's `bgpPeer.asn` when the nodes peer with it, else a placeholder too."""
        if self.site.site.connectivity.type != "directConnect":
            return None

        def by_hand(token: str, meaning: str, source: str) -> str:
            return self.placeholder(token, meaning, source, from_outputs=False)

        gateway = (
            "the Direct Connect gateway's `amazonSideAsn`"
            " (`aws directconnect describe-direct-connect-gateways`)"
        )
        vif = "the private virtual interface (`aws directconnect describe-virtual-interfaces`)"
        return DirectConnectLink(
            vlan=by_hand("<DX_VLAN>", "VLAN of the private virtual interface", f"`vlan` of {vif}"),
            customer_address=by_hand(
                "<DX_CUSTOMER_ADDRESS>",
                "the router's BGP peer IP on the private virtual interface (no prefix length)",
                f"`customerAddress` of {vif}",
            ),
            amazon_address=by_hand(
                "<DX_AMAZON_ADDRESS>",
                "Amazon's BGP peer IP on the private virtual interface (no prefix length)",
                f"`amazonAddress` of {vif}",
            ),
            amazon_asn=by_hand("<DX_GATEWAY_ASN>", "the Direct Connect gateway's ASN", gateway),
            customer_asn=peering.router_asn
            if peering is not None
            else by_hand(
                "<DX_CUSTOMER_ASN>", "the router's ASN on the private virtual interface", f"`asn` of {vif}"
            ),
            auth_key=by_hand(
                "<DX_BGP_AUTH_KEY>", "the BGP MD5 key of the private virtual interface", f"`authKey` of {vif}"
            ),
        )

    def _hub_value(self, key: str, configured: Any) -> Any:
        if self.hub_outputs is not None and self.hub_outputs.get(key) is not None:
            return self.hub_outputs.get(key)
        return configured

    def identity(self) -> NodeIdentity:
        provider = self.hub.credentials.provider
        wanted = (
            ("ssm_activation_id", "ssm_activation_code")
            if provider == "ssm"
            else (
                "trust_anchor_arn",
                "profile_arn",
                "role_arn",
            )
        )
        values: dict[str, str] = {}
        for name in wanted:
            output_key = _HUB_OUTPUT_KEYS[name]
            got = self._secret_output(self.hub_outputs, output_key) if self.hub_outputs else None
            if isinstance(got, str) and got:
                values[name] = got
            else:
                values[name] = self.placeholder(*_HUB_PLACEHOLDERS[name])
        return NodeIdentity(provider=provider, **values)

    def cluster_endpoint(self) -> ClusterEndpoint | None:
        if self.hub_outputs is None:
            return None
        endpoint = self.hub_outputs.get(HubOutput.CLUSTER_ENDPOINT)
        authority = self.hub_outputs.get(HubOutput.CLUSTER_CERTIFICATE_AUTHORITY)
        if isinstance(endpoint, str) and isinstance(authority, str) and endpoint and authority:
            return ClusterEndpoint(
                endpoint,
                authority,
                str(self._hub_value(HubOutput.SERVICE_CIDR, self.hub.cluster.service_cidr)),
            )
        return None

    def hub_sites(self) -> dict[str, SiteInventoryEntry]:
        """The hub's inventory as deployed (its `siteInventory` output, or an older hub's `sites`) when
        given, else as its stack file says."""
        sites = hub_sites(self.hub_outputs.values) if self.hub_outputs is not None else {}
        if not sites:
            return dict(self.hub.sites)
        assert self.hub_outputs is not None
        key = inventory_output(self.hub_outputs.values)
        found: dict[str, SiteInventoryEntry] = {}
        for name, entry in sites.items():
            try:
                found[name] = SiteInventoryEntry.model_validate(entry)
            except ValidationError:
                self.problem(
                    self.hub_outputs.label,
                    f"{key}.{name}",
                    "is not a site inventory entry (nodeCidr, podCidr, ...): use the hub's own outputs",
                    Code.INVALID_INVENTORY_ENTRY,
                )
        return found

    def cilium_peering(self, vpn: VpnLink | None) -> CiliumBgpPeering | None:
        """The values of the hub's `CiliumBGPClusterConfig` for this site, or None when its nodes do not
        peer with its router (no `bgpPeer`, or Cilium's BGP control plane off)."""
        name = self.site.site.name
        sites = self.hub_sites()
        entry = sites.get(name)
        if not self._hub_value(HubOutput.CILIUM_BGP_CONTROL_PLANE, self.hub.cilium.bgp_control_plane):
            return None
        if entry is None or entry.bgp_peer is None:
            return None
        peer = entry.bgp_peer
        outputs = self.hub_outputs
        if outputs is not None and hub_sites(outputs.values):
            label = outputs.label
            key = f"{inventory_output(outputs.values)}.{name}.bgpPeer"
        else:
            label = self._hub_label("sites")
            key = f"eks-hybrid:sites.{name}.bgpPeer"
        cluster_asn = int(self._hub_value(HubOutput.CILIUM_CLUSTER_ASN, self.hub.cilium.cluster_asn))
        node_cidr = ipaddress.IPv4Network(self.planned_value("nodeCidr"))
        if ipaddress.IPv4Address(peer.address) not in node_cidr:
            self.problem(
                label,
                f"{key}.address",
                f"{peer.address} is not in the site's node CIDR {node_cidr}",
                Code.PEER_OUTSIDE_NODE_CIDR,
            )
        if peer.asn == cluster_asn:
            self.problem(
                label,
                f"{key}.asn",
                f"{peer.asn} is also the cluster's ASN: the nodes peer over eBGP",
                Code.ASN_CLASH,
            )
        if vpn is not None and vpn.routing == "bgp" and peer.asn != vpn.customer_asn:
            self.problem(
                label,
                f"{key}.asn",
                f"{peer.asn} differs from the customer gateway's bgpAsn {vpn.customer_asn}: the router peers"
                " with AWS and with the nodes as one BGP speaker",
                Code.ASN_MISMATCH,
            )
        ipam = self._hub_value(HubOutput.CILIUM_IPAM_MODE, self.hub.cilium_ipam)
        shared: tuple[str, ...] = ()
        if ipam == "clusterPool":  # one pool over every site's pod CIDR
            others = (other.pod_cidr for other_name, other in sites.items() if other_name != name)
            shared = tuple(dict.fromkeys(cidr for cidr in others if cidr != entry.pod_cidr))
        return CiliumBgpPeering(
            cluster_asn=cluster_asn,
            router_address=peer.address,
            router_asn=peer.asn,
            chart_version=str(self._hub_value(HubOutput.CILIUM_CHART_VERSION, self.hub.cilium.chart_version)),
            ipam="multiPool" if ipam == "multiPool" else "clusterPool",
            shared_pod_cidrs=shared,
            declared_by_site=self.bgp_declared_by_site(),
        )

    def other_site_networks(self) -> tuple[str, ...]:
        """The node and pod CIDRs of the hub's other sites that this site reaches through AWS
        (`domain.reachability`: the transit gateway's sites reach each other), numerically sorted. The
        other sites are known by their inventory entry (`routeVia`), the only fact the hub holds of them."""
        name = self.site.site.name
        sites = self.hub_sites()
        paths = [
            site_path(self.site.site),
            *(inventory_path(other, entry) for other, entry in sites.items() if other != name),
        ]
        cidrs = {
            cidr
            for peer in reachable_peers(paths, name)
            for cidr in (sites[peer].node_cidr, sites[peer].pod_cidr)
        }
        return tuple(sorted(cidrs, key=ipaddress.IPv4Network))

    def bgp_declared_by_site(self) -> bool:
        """Whether the site stack declares its own BGP objects (`site_cilium.site_bgp`): the hub's output
        `ciliumOperatorPlacement` when the outputs are read (a hub of 0.2 exports none: the hub declares
        them), else the hub stack file's placement."""
        if self.hub_outputs is not None and self.hub_outputs.values:
            placement = self.hub_outputs.get(HubOutput.CILIUM_OPERATOR_PLACEMENT)
        else:
            placement = self.hub.cilium_operator_placement
        return placement in CILIUM_OPERATOR_PLACEMENTS and bgp_objects_in_sites(placement)

    def _hub_label(self, key: str) -> str:
        """Where the hub's `key` was read: the outputs file when it has the key, else the hub stack file."""
        if self.hub_outputs is not None and self.hub_outputs.get(key) is not None:
            return self.hub_outputs.label
        return stack_file_label(self.site.hub_stack_name)

    def planned_value(self, key: str) -> str:
        return str(self.planned[key])

    def edge_hosts(self, label: str) -> tuple[EdgeHost, ...]:
        return tuple(
            EdgeHost(
                pool.name,
                host.uid,
                host.name or "",
                pool.architecture,
                dict(pool.labels),
                origin=(
                    label,
                    f"eks-hybrid:site.nodePools[{index}].edgeHosts[{number}]"
                    + (".name" if host.name else ".uid"),
                ),
            )
            for index, pool in enumerate(self.site.site.node_pools)
            for number, host in enumerate(pool.edge_hosts)
        )


def gather_site(
    stacks_dir: Path,
    stack: str,
    *,
    site_outputs: DeployedOutputs | None = None,
    hub_outputs: DeployedOutputs | None = None,
    options: RenderOptions | None = None,
    planner: Planner | None = None,
) -> tuple[OnPremSite, str]:
    """The site's `OnPremSite` and a phrase naming where its values came from. Raises `ProblemsError`
    with every problem (the stack files', the outputs files' and the options')."""
    stack_file = read_stack_file(stacks_dir, stack)
    if stack_file.role != "site":
        raise PlanError(
            [
                Problem(
                    stack_file.label,
                    "eks-hybrid:role",
                    "render writes a site's files: name a site stack",
                    Code.RENDER_NEEDS_SITE,
                )
            ]
        )
    planner = planner or Planner(stacks_dir, offline_secrets=True)  # render never calls Palette
    planned = planner.plan(stack).run.outputs
    site = validate_stack(stack_file.document, stack_file.label, stack_file.secret_keys)
    assert isinstance(site, SiteConfig)
    hub_file = read_stack_file(stacks_dir, site.hub_stack_name)
    hub = validate_stack(hub_file.document, hub_file.label, hub_file.secret_keys)
    assert isinstance(hub, HubConfig)

    gatherer = _Gatherer(site, hub, planned, site_outputs, hub_outputs, options or RenderOptions())
    gatherer.check_outputs_match()
    vpn = gatherer.vpn_link()
    identity = gatherer.identity()
    peering = gatherer.cilium_peering(vpn)
    direct_connect = gatherer.direct_connect_link(peering)
    if gatherer.problems:
        raise PlanError(gatherer.problems)
    palette = hub.palette
    on_prem = OnPremSite(
        name=site.site.name,
        hub=site.hub_stack_name,
        connectivity=str(planned["kind"]),
        cluster_name=str(gatherer._hub_value(HubOutput.CLUSTER_NAME, hub.cluster.name)),
        region=hub.region,
        kubernetes_version=str(
            gatherer._hub_value(HubOutput.KUBERNETES_VERSION, hub.cluster.kubernetes_version)
        ),
        node_cidr=gatherer.planned_value("nodeCidr"),
        pod_cidr=gatherer.planned_value("podCidr"),
        vpc_cidr=str(gatherer._hub_value(HubOutput.VPC_CIDR, hub.cluster.vpc_cidr)),
        service_cidr=str(gatherer._hub_value(HubOutput.SERVICE_CIDR, hub.cluster.service_cidr)),
        pod_block_prefix_length=int(
            gatherer._hub_value(HubOutput.CILIUM_POD_CIDR_MASK_SIZE, hub.cilium.pod_cidr_mask_size)
        ),
        identity=identity,
        vpn=vpn,
        cilium_bgp=peering,
        direct_connect=direct_connect,
        edge_hosts=gatherer.edge_hosts(stack_file.label),
        cluster_endpoint=gatherer.cluster_endpoint(),
        provider_image=palette.profile.os.provider_image if palette else None,
        profile_kubernetes_version=palette.profile.kubernetes.version if palette else None,
        placeholders=tuple(dict.fromkeys(gatherer.placeholders)),
        other_site_networks=gatherer.other_site_networks(),
    )
    _check_policy_based(on_prem, stack_file.label)
    return on_prem, _source_phrase(stack, site.hub_stack_name, site_outputs, hub_outputs)


def _check_policy_based(site: OnPremSite, label: str) -> None:
    """Policy-based tunnels carry one selector pair: refuse them when the site reaches more than one
    network through AWS (`aws_networks`), which the plan's check of the VPC CIDR alone cannot see."""
    if site.vpn is None or site.vpn.route_based:
        return
    try:
        policy_based_selectors(site.node_cidr, site.pod_cidr, site.aws_networks)
    except RuleError as error:
        raise PlanError(
            [Problem.of(label, "eks-hybrid:site.connectivity.siteToSiteVpn.policyBased", error.reason)]
        ) from error


def _source_phrase(
    stack: str, hub: str, site_outputs: DeployedOutputs | None, hub_outputs: DeployedOutputs | None
) -> str:
    parts = [f"stack files `{stack}` and `{hub}`"]
    if site_outputs is not None:
        parts.append("the site's deployed outputs")
    if hub_outputs is not None:
        parts.append("the hub's deployed outputs")
    if site_outputs is None and hub_outputs is None:
        parts.append("the offline plan (nothing deployed yet: see Placeholders)")
    return ", ".join(parts[:-1]) + " and " + parts[-1]
