"""Packet sizes for traffic entering an AWS Site-to-Site VPN tunnel.

AWS Site-to-Site VPN User Guide, "Requirements for your customer gateway device" (CGRequirements.html):
"Adjust the maximum segment size of TCP packets entering the VPN tunnel to 1379 bytes", "Clear the Don't
Fragment flag on packets" and "Fragment IP packets before encryption" (the same advice, with the reasons,
in "Best practices for an AWS Site-to-Site VPN customer gateway device", cgw-best-practice.html).
"""

from __future__ import annotations

TCP_MSS = 1379
"""The TCP MSS AWS asks for on traffic entering a tunnel (CGRequirements.html)."""

IPV4_TCP_HEADERS = 40
"""An IPv4 header and a TCP header without options, 20 bytes each (RFC 791, RFC 9293)."""

TUNNEL_MTU = TCP_MSS + IPV4_TCP_HEADERS
"""The MTU of each tunnel interface (route-based): the largest IPv4 packet whose TCP segment is AWS's MSS,
so the kernel's own connections over the tunnel (BGP) get an MSS of 1379 too, and an IP packet larger than
this is fragmented before it enters the tunnel (before encryption) or, with DF set, answered with ICMP
"fragmentation needed". Inferred from AWS's MSS: AWS publishes no MTU for Linux XFRM interfaces, and says
the MTUs of its sample device configurations are examples only (cgw-best-practice.html)."""
