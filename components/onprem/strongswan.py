"""strongSwan's `swanctl.conf` for the on-prem end of a site's two AWS tunnels: pure text rendering.

What AWS expects of a customer gateway (AWS Site-to-Site VPN User Guide, "Requirements for your customer
gateway device", CGRequirements.html, and AWS's own strongSwan sample, aws-samples/vpn-gateway-strongswan
`vpn-gateway-strongswan.yml`):
- IKEv2 with a pre-shared key per tunnel; the customer gateway's identity is its public IP (the address
  the customer gateway resource was created with), AWS's is the tunnel's outside address;
- "The Site-to-Site VPN service is a route-based solution. If you are using a policy-based configuration,
  you must limit your configuration to a single security association (SA)": so the tunnels are route-based
  by default, with BGP and with static routing alike: a 0.0.0.0/0 <-> 0.0.0.0/0 child per tunnel, AWS's
  default traffic selectors, bound to its own XFRM interface (`if_id`) carrying the tunnel's inside
  address, as AWS's sample binds each tunnel to a VTI, with routes (BGP or static) for every network
  reached through AWS;
- policy-based only when the site asks (`VpnLink.policy_based`) and one selector pair carries its traffic:
  ONE child SA per tunnel with ONE local and ONE remote selector, the same pair the VPN connection was
  created with (`domain.tunnel_selectors.policy_based_selectors`);
- DPD every 10 s with restart (AWS's sample: `dpddelay=10s`, `dpdaction=restart`), retry forever, no
  MOBIKE, and the lifetimes the VPN connection was created with (`eks_hybrid.components.network.tunnels`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..codes import Code
from ..domain.tunnel_selectors import policy_based_selectors
from ..errors import RuleError
from .model import OnPremSite, Tunnel, VpnLink
from .mtu import TUNNEL_MTU

if TYPE_CHECKING:
    from ..network.tunnels import TunnelProposals

# AWS's algorithm names (the VPN connection's tunnel options) in strongSwan's proposal keywords
# (strongSwan docs, "IKEv2 Cipher Suites").
ENCRYPTION_KEYWORDS = {
    "AES128": "aes128",
    "AES256": "aes256",
    "AES128-GCM-16": "aes128gcm16",
    "AES256-GCM-16": "aes256gcm16",
}
INTEGRITY_KEYWORDS = {"SHA1": "sha1", "SHA2-256": "sha256", "SHA2-384": "sha384", "SHA2-512": "sha512"}
DH_GROUP_KEYWORDS = {
    2: "modp1024",
    5: "modp1536",
    14: "modp2048",
    15: "modp3072",
    16: "modp4096",
    17: "modp6144",
    18: "modp8192",
    19: "ecp256",
    20: "ecp384",
    21: "ecp521",
    22: "modp1024s160",
    23: "modp2048s224",
    24: "modp2048s256",
}
DPD_DELAY_SECONDS = 10
_DPD_ACTIONS = {"restart": "restart", "clear": "clear", "none": "clear"}
_START_ACTIONS = {"start": "start", "add": "trap"}


def _keyword(table: Mapping[Any, str], name: Any, kind: str) -> str:
    try:
        return str(table[name])
    except KeyError:
        raise ValueError(f"no strongSwan keyword for {kind} {name!r} (known: {sorted(table)})") from None


def _is_aead(encryption: str) -> bool:
    return "GCM" in encryption


def _proposals(proposals: TunnelProposals, *, phase: int) -> list[str]:
    groups = [_keyword(DH_GROUP_KEYWORDS, g, "DH group") for g in proposals.dh_group_numbers]
    integrity = [
        _keyword(INTEGRITY_KEYWORDS, i, "integrity algorithm") for i in proposals.integrity_algorithms
    ]
    result = []
    for aead in (True, False):
        ciphers = [
            _keyword(ENCRYPTION_KEYWORDS, e, "encryption algorithm")
            for e in proposals.encryption_algorithms
            if _is_aead(e) == aead
        ]
        if not ciphers:
            continue
        # An AEAD cipher needs no integrity algorithm; in IKE the integrity choices serve as PRFs.
        middle = ([f"prf{i}" for i in integrity] if phase == 1 else []) if aead else integrity
        result.append("-".join([*ciphers, *middle, *groups]))
    return result


def ike_proposals(proposals: TunnelProposals) -> list[str]:
    """Phase 1 in strongSwan syntax: one proposal for the AEAD ciphers, one for the others, each listing
    every allowed integrity algorithm (or PRF) and DH group."""
    return _proposals(proposals, phase=1)


def esp_proposals(proposals: TunnelProposals) -> list[str]:
    """Phase 2 in strongSwan syntax; the DH groups are the PFS groups used when a child SA is rekeyed."""
    return _proposals(proposals, phase=2)


def _quoted(secret: str) -> str:
    if any(ch in secret for ch in '"\\\n\r'):
        # AWS keys are letters, digits, periods and underscores; anything else is a mistake upstream.
        raise RuleError(
            "a pre-shared key must not contain quotes, backslashes or line breaks", Code.PSK_CHARACTERS
        )
    return f'"{secret}"'


def _section(name: str, body: Iterable[str], indent: int) -> list[str]:
    pad = "    " * indent
    return [f"{pad}{name} {{", *body, f"{pad}}}"]


def _setting(key: str, value: object, indent: int) -> str:
    return f"{'    ' * indent}{key} = {value}"


def child_selectors(site: OnPremSite) -> tuple[list[str], list[str]]:
    """(local, remote) traffic selectors of every tunnel's one child SA: 0/0 both ways when route-based,
    else the one pair of `policy_based_selectors` (a `RuleError` when one pair cannot carry the site)."""
    assert site.vpn is not None
    if site.vpn.route_based:
        return ["0.0.0.0/0"], ["0.0.0.0/0"]
    local, remote = policy_based_selectors(site.node_cidr, site.pod_cidr, site.aws_networks)
    return [local], [remote]


def _connection(site: OnPremSite, vpn: VpnLink, tunnel: Tunnel) -> list[str]:
    proposals = vpn.proposals
    local_ts, remote_ts = child_selectors(site)
    child = [
        _setting("local_ts", ",".join(local_ts), 4),
        _setting("remote_ts", ",".join(remote_ts), 4),
        _setting("esp_proposals", ",".join(esp_proposals(proposals)), 4),
        _setting("rekey_time", f"{proposals.phase2_lifetime_seconds}s", 4),
        _setting("dpd_action", _DPD_ACTIONS.get(proposals.dpd_timeout_action, "restart"), 4),
        _setting("start_action", _START_ACTIONS.get(proposals.startup_action, "start"), 4),
        _setting("close_action", "start", 4),
    ]
    if vpn.route_based:
        # Route-based: the SA is bound to the tunnel's XFRM interface (see the site README), where the
        # routes to the VPC point; charon must not install a 0/0 route itself (strongswan.d snippet).
        child += [_setting("if_id_in", tunnel.number, 4), _setting("if_id_out", tunnel.number, 4)]
    if static_aws_routes(site):
        # Static routing: the updown hook routes AWS's networks over the tunnel while its SA is up.
        child.append(_setting("updown", UPDOWN_PATH, 4))
    body = [
        _setting("version", 2, 2),
        _setting("remote_addrs", tunnel.outside_address, 2),
        _setting("proposals", ",".join(ike_proposals(proposals)), 2),
        _setting("rekey_time", f"{proposals.phase1_lifetime_seconds}s", 2),
        _setting("dpd_delay", f"{DPD_DELAY_SECONDS}s", 2),
        _setting("keyingtries", 0, 2),
        _setting("mobike", "no", 2),
        *_section(
            "local",
            [_setting("auth", "psk", 3), _setting("id", vpn.customer_gateway_address, 3)],
            2,
        ),
        *_section("remote", [_setting("auth", "psk", 3), _setting("id", tunnel.outside_address, 3)], 2),
        *_section("children", _section(tunnel.name, child, 3), 2),
    ]
    return _section(tunnel.name, body, 1)


def _secret(vpn: VpnLink, tunnel: Tunnel) -> list[str]:
    body = [
        _setting("id-customer", vpn.customer_gateway_address, 2),
        _setting("id-aws", tunnel.outside_address, 2),
        _setting("secret", _quoted(tunnel.preshared_key), 2),
    ]
    return _section(f"ike-{tunnel.name}", body, 1)


def swanctl_conf(site: OnPremSite) -> str:
    """The whole `swanctl.conf` (it holds the pre-shared keys: write it 0600)."""
    vpn = site.vpn
    if vpn is None:
        raise ValueError(f"site {site.name} has no Site-to-Site VPN: there is no swanctl.conf to render")
    local_ts, remote_ts = child_selectors(site)
    mode = (
        f"route-based ({vpn.routing} routing): one 0.0.0.0/0 child SA per tunnel, XFRM if_id 1 and 2"
        if vpn.route_based
        else f"policy-based (static routing, policyBased): one child SA per tunnel, {' + '.join(local_ts)}"
        f" <-> {' + '.join(remote_ts)}, the VPN connection's local and remote IPv4 network CIDRs"
    )
    header = [
        f"# swanctl.conf for eks-hybrid site {site.name}: the on-prem end of both AWS VPN tunnels.",
        "# Generated by `eks-hybrid render`. It holds the pre-shared keys: keep it mode 0600, owner root.",
        f"# {mode}.",
        "# AWS allows one SA pair per tunnel: one child SA per tunnel, with one selector each way.",
        "# Load it with: swanctl --load-all --file /etc/swanctl/swanctl.conf",
    ]
    connections: list[str] = []
    secrets: list[str] = []
    for tunnel in vpn.tunnels:
        connections += _connection(site, vpn, tunnel)
        secrets += _secret(vpn, tunnel)
    lines = [*header, "", *_section("connections", connections, 0), "", *_section("secrets", secrets, 0)]
    return "\n".join(lines) + "\n"


def charon_snippet(site: OnPremSite) -> str | None:
    """A `strongswan.d/` snippet for route-based tunnels: charon must not install the 0/0 selectors as
    routes (AWS's strongSwan sample sets the same `install_routes = no`). None for policy-based sites,
    where charon's own routes to the VPC CIDR (table 220) are exactly what is wanted."""
    if site.vpn is None or not site.vpn.route_based:
        return None
    return "\n".join(
        [
            f"# /etc/strongswan.d/eks-hybrid.conf for site {site.name} (route-based tunnels).",
            "# Routes to the VPC go over the XFRM interfaces (BGP or static), never from charon.",
            "charon {",
            "    install_routes = no",
            "}",
            "",
        ]
    )


def xfrm_interface_name(tunnel: Tunnel) -> str:
    return f"xfrm-aws{tunnel.number}"  # at most 15 characters, the kernel's limit


STATIC_ROUTE_METRICS = (100, 200)  # tunnel 1 preferred, tunnel 2 standing by
UPDOWN_PATH = "/etc/swanctl/eks-hybrid-updown.sh"


def _static_routing(site: OnPremSite) -> bool:
    return site.vpn is not None and site.vpn.routing == "static" and site.vpn.route_based


def static_aws_routes(site: OnPremSite) -> Sequence[str]:
    """Static routing over route-based tunnels: every network reached through AWS (`site.aws_networks`)
    over each tunnel's interface, tunnel 1 preferred. Empty with BGP (FRR installs the routes) and with
    policy-based tunnels (charon installs the one remote selector in table 220)."""
    vpn = site.vpn
    if vpn is None or not _static_routing(site):
        return []
    return [
        f"ip route replace {network} dev {xfrm_interface_name(tunnel)} metric {metric}"
        for network in site.aws_networks
        for tunnel, metric in zip(vpn.tunnels, STATIC_ROUTE_METRICS, strict=False)
    ]


def static_routes_updown(site: OnPremSite) -> str | None:
    """The updown hook of route-based tunnels with static routing: while a tunnel's child SA is up, every
    network reached through AWS is routed over its XFRM interface; when it goes down those routes go, and
    the other tunnel's (higher metric) carry the traffic. An XFRM interface stays up without an SA, so a
    route left on it would drop the traffic (AWS's route-based samples track each tunnel the same way).
    strongSwan runs it with `PLUTO_VERB` and `PLUTO_CONNECTION` (the child's name) set (strongSwan docs,
    "updown plugin"). None for other sites."""
    vpn = site.vpn
    if vpn is None or not _static_routing(site):
        return None
    cases = [
        f"    {tunnel.name}) dev={xfrm_interface_name(tunnel)} metric={metric} ;;"
        for tunnel, metric in zip(vpn.tunnels, STATIC_ROUTE_METRICS, strict=False)
    ]
    return "\n".join(
        [
            "#!/bin/sh",
            f"# strongSwan updown hook for eks-hybrid site {site.name}: route-based tunnels, static",
            "# routing.",
            "# Generated by `eks-hybrid render`; install it as " + UPDOWN_PATH + " (mode 0755):",
            "# swanctl.conf names it for each tunnel. While a tunnel's child SA is up, the networks reached",
            "# through AWS go over its interface (tunnel 1 preferred); when it goes down, the other tunnel's",
            "# routes carry the traffic.",
            "set -eu",
            'case "${PLUTO_CONNECTION:-}" in',
            *cases,
            "    *) exit 0 ;;",
            "esac",
            'case "${PLUTO_VERB:-}" in',
            "    up-client)",
            *(
                f'        ip route replace {network} dev "$dev" metric "$metric"'
                for network in site.aws_networks
            ),
            "        ;;",
            "    down-client)",
            *(
                f'        ip route del {network} dev "$dev" metric "$metric" 2>/dev/null || true'
                for network in site.aws_networks
            ),
            "        ;;",
            "esac",
            "",
        ]
    )


def xfrm_interface_commands(site: OnPremSite, outside_interface: str = "eth0") -> Sequence[str]:
    """The `ip` commands that create each tunnel's XFRM interface with its inside address and MTU
    (route-based; `router_setup.TUNNEL_MTU`)."""
    vpn = site.vpn
    if vpn is None or not vpn.route_based:
        return []
    commands = []
    for tunnel in vpn.tunnels:
        device = xfrm_interface_name(tunnel)
        commands += [
            f"ip link add {device} type xfrm dev {outside_interface} if_id {tunnel.number}",
            f"ip address replace {tunnel.customer_inside_address}/{tunnel.inside_prefix_length} dev {device}",
            f"ip link set {device} mtu {TUNNEL_MTU} up",
        ]
    return commands
