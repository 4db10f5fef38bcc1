"""The customer gateway's address is the on-prem router's public IPv4 address
(docs/reference/configuration.md, site stack): eks-hybrid's VPN tunnels run over the internet, and AWS takes
a private customer gateway address only for private-IP VPNs over Direct Connect (EC2 API reference,
CreateCustomerGateway `IpAddress`)."""

from __future__ import annotations

import pytest

from eks_hybrid.components.config import validate_stack

from .builders import FILE, single, site_doc, with_value

CGW_IP = "eks-hybrid:site.connectivity.siteToSiteVpn.customerGateway.ipAddress"
PATH = ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "customerGateway", "ipAddress")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private (RFC 1918) address (10.0.0.0/8)"),
        ("172.31.255.254", "private (RFC 1918) address (172.16.0.0/12)"),
        ("192.168.1.1", "private (RFC 1918) address (192.168.0.0/16)"),
        ("100.127.0.1", "carrier-grade NAT (RFC 6598) address (100.64.0.0/10)"),
        ("127.0.0.1", "loopback address"),
        ("169.254.10.1", "link-local address"),
        ("0.0.0.0", "'this network' (RFC 791) address"),
        ("224.0.0.5", "multicast address"),
        ("255.255.255.255", "reserved address"),
    ],
)
def test_addresses_the_internet_cannot_reach_are_refused(address, kind):
    single(
        with_value(site_doc(), PATH, address),
        CGW_IP,
        f"{address} is a {kind}",
        "the customer gateway is the on-prem router's public IPv4 address",
    )


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "52.95.110.1", "100.63.255.255", "172.32.0.1", "203.0.113.10"]
)
def test_public_addresses_are_accepted(address):
    # 203.0.113.0/24 (RFC 5737 documentation) stays allowed: the examples use it.
    config = validate_stack(with_value(site_doc(), PATH, address), FILE)
    vpn = config.site.connectivity.site_to_site_vpn
    assert vpn is not None and vpn.customer_gateway.ip_address == address


def test_a_malformed_address_is_one_problem():
    single(with_value(site_doc(), PATH, "203.0.113"), CGW_IP, "is not an IPv4 address")
