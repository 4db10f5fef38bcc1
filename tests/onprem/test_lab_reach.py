"""Two transit gateway sites reach each other through AWS, proven with their rendered routers.

austin and seattle (example-hub-ssm; seattle's stack is the one `tests/cli/test_site_reachability.py`
gives it) each run exactly the `swanctl.conf` and `frr.conf` that `eks-hybrid render` wrote (tunnel 1
only: libipsec carries one 0/0 tunnel per charon). Two AWS namespaces stand in for the transit gateway's
two VPN attachments; FRR in each speaks eBGP with its site over the tunnel's inside addresses and iBGP with
the other, as one route table (the hub's) that every attachment is associated with and propagates into:

    austin ==IPsec== aws-austin --veth, iBGP AS 64520-- aws-seattle ==IPsec== seattle
    10.60.0.0/16, 192.168.0.0/17                                           10.61.0.0/16, 172.24.0.0/16

The transit gateway advertises seattle's CIDRs to austin and austin's to seattle; each router's `AWS-IN`
must accept them (`EKS-HYBRID-OTHER-SITES`), or the pings between the sites' node and pod CIDRs fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_site_reachability import estate

from .aws_endpoint import aws_swanctl_conf
from .conftest import AUSTIN_OUTPUTS, HUB_SSM_OUTPUTS, render_deployed
from .lab import Charon, Frr, Lab, wait_for
from .test_lab import (
    AUSTIN_CGW,
    STRONG,
    _aws_tunnels,
    _established,
    _installed,
    _installed_via,
    _ping,
    _routes,
    _swap_outside_addresses,
)

pytestmark = [pytest.mark.netns, pytest.mark.xdist_group("netns"), pytest.mark.timeout(180)]

SEATTLE_CGW = "198.51.100.31"
SEATTLE_OUTPUTS = {
    "site": "seattle",
    "nodeCidr": "10.61.0.0/16",
    "podCidr": "172.24.0.0/16",
    "kind": "transitGatewayVpn",
    "tunnels": [
        {
            "outsideAddress": "198.18.31.1",
            "customerInsideAddress": "169.254.31.2",
            "awsInsideAddress": "169.254.31.1",
        },
        {
            "outsideAddress": "198.18.31.2",
            "customerInsideAddress": "169.254.31.6",
            "awsInsideAddress": "169.254.31.5",
        },
    ],
    "tunnelPresharedKeys": ["seattle.tunnel_one.Rb40sV", "seattle.tunnel_two.Lq27wN"],
}
TGW_ASN = 64520
BACKBONE = ("10.255.0.1", "10.255.0.2")  # between the two attachments' namespaces


def _tgw_frr(name: str, site: tuple[str, int], own: str, other: str) -> str:
    """One VPN attachment of the transit gateway: eBGP with its site, iBGP with the other attachment (each
    under its own router id: both namespaces hold 192.0.2.2, which FRR would pick for both)."""
    address, asn = site
    return "\n".join(
        [
            "frr defaults traditional",
            f"hostname {name}",
            f"router bgp {TGW_ASN}",
            f" bgp router-id {own}",
            " no bgp ebgp-requires-policy",
            f" neighbor {address} remote-as {asn}",
            f" neighbor {address} timers 3 9",
            f" neighbor {other} remote-as {TGW_ASN}",
            f" neighbor {other} timers 3 9",
            " address-family ipv4 unicast",
            f"  neighbor {other} next-hop-self",
            " exit-address-family",
            "exit",
            "",
        ]
    )


def _site(lab: Lab, out: Path, outputs: dict, cgw: str, lans: tuple[str, str]) -> tuple[str, str]:
    """A site router namespace with its LANs and the rendered tunnel 1 up to its AWS namespace."""
    router, aws = lab.namespace(f"r{outputs['site'][0]}"), lab.namespace(f"t{outputs['site'][0]}")
    lab.link(router, ["192.0.2.1/29"], aws, ["192.0.2.2/29"])
    for number, address in enumerate(lans):
        lab.stub_network(router, f"lan{number}", address)
    lab.run(aws, "sysctl", "-w", "net.ipv4.ip_forward=1")
    aws_charon = Charon(lab, aws, f"aws-{outputs['site']}", route_based=True).start()
    assert aws_charon.load(aws_swanctl_conf(_aws_tunnels(outputs, cgw)[:1], **STRONG)).returncode == 0
    charon = Charon(lab, router, outputs["site"], route_based=True).start()
    rendered = _swap_outside_addresses((out / "router/swanctl.conf").read_text(), outputs)
    assert charon.load(rendered).returncode == 0
    wait_for(lambda: _installed(charon.sas(), "aws-tunnel1"), 30, f"{outputs['site']} tunnel 1")
    tunnel = outputs["tunnels"][0]
    lab.ip(router, "address", "add", f"{tunnel['customerInsideAddress']}/30", "dev", "ipsec0")
    lab.ip(aws, "address", "add", f"{tunnel['awsInsideAddress']}/30", "dev", "ipsec0")
    return router, aws


def test_two_transit_gateway_sites_reach_each_others_node_and_pod_cidrs(lab, tmp_path):
    stacks = estate(tmp_path)
    for name in ("austin", "seattle"):
        (tmp_path / name).mkdir()
    austin_out = render_deployed(
        tmp_path / "austin", "example-austin", AUSTIN_OUTPUTS, HUB_SSM_OUTPUTS, stacks_dir=stacks
    )
    seattle_out = render_deployed(
        tmp_path / "seattle", "example-seattle", SEATTLE_OUTPUTS, HUB_SSM_OUTPUTS, stacks_dir=stacks
    )
    austin, aws_austin = _site(
        lab, austin_out, AUSTIN_OUTPUTS, AUSTIN_CGW, ("10.60.0.1/16", "192.168.0.1/17")
    )
    seattle, aws_seattle = _site(
        lab, seattle_out, SEATTLE_OUTPUTS, SEATTLE_CGW, ("10.61.0.1/16", "172.24.0.1/16")
    )
    lab.link(aws_austin, [f"{BACKBONE[0]}/30"], aws_seattle, [f"{BACKBONE[1]}/30"])

    austin_tunnel, seattle_tunnel = AUSTIN_OUTPUTS["tunnels"][0], SEATTLE_OUTPUTS["tunnels"][0]
    tgw_austin = Frr(
        lab,
        aws_austin,
        "frr-tgw-a",
        _tgw_frr("tgw-austin", (austin_tunnel["customerInsideAddress"], 65030), *BACKBONE),
    ).start()
    tgw_seattle = Frr(
        lab,
        aws_seattle,
        "frr-tgw-s",
        _tgw_frr("tgw-seattle", (seattle_tunnel["customerInsideAddress"], 65031), *reversed(BACKBONE)),
    ).start()
    austin_frr = Frr(lab, austin, "frr-austin", (austin_out / "router/frr.conf").read_text()).start()
    seattle_frr = Frr(lab, seattle, "frr-seattle", (seattle_out / "router/frr.conf").read_text()).start()
    for frr, what in ((tgw_austin, "austin's attachment"), (tgw_seattle, "seattle's attachment")):
        wait_for(lambda f=frr: _established(f, 2), 60, f"BGP at {what} (its site and the other attachment)")

    for router, prefixes, nexthop in (
        (austin_frr, ("10.61.0.0/16", "172.24.0.0/16"), austin_tunnel["awsInsideAddress"]),
        (seattle_frr, ("10.60.0.0/16", "192.168.0.0/17"), seattle_tunnel["awsInsideAddress"]),
    ):
        for prefix in prefixes:
            wait_for(
                lambda r=router, p=prefix, n=nexthop: _installed_via(_routes(r), p, "bgp", n),
                30,
                f"{prefix} from the transit gateway",
            )

    assert _ping(lab, austin, "10.60.0.1", "10.61.0.1"), "austin node CIDR -> seattle node CIDR"
    assert _ping(lab, austin, "192.168.0.1", "172.24.0.1"), "austin pod CIDR -> seattle pod CIDR"
    assert _ping(lab, seattle, "172.24.0.1", "10.60.0.1"), "seattle pod CIDR -> austin node CIDR"
