"""The pure CIDR rules: unit tests for each, and properties checked against brute force."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eks_hybrid.components.domain import cidrs
from eks_hybrid.components.domain.cidrs import CidrRuleError, LabelledNetwork

FAST = settings(max_examples=150, deadline=None)


@st.composite
def networks(draw: st.DrawFn, shortest: int = 0, longest: int = 32) -> IPv4Network:
    prefix = draw(st.integers(shortest, longest))
    address = draw(st.integers(0, 2**32 - 1))
    return IPv4Network((address, prefix), strict=False)


@st.composite
def clustered_networks(draw: st.DrawFn) -> IPv4Network:
    """Networks crowded into 10.0.0.0/12 so that nesting and duplicates are common."""
    prefix = draw(st.integers(12, 24))
    offset = draw(st.integers(0, 2**20 - 1))
    return IPv4Network((int(IPv4Address("10.0.0.0")) + offset, prefix), strict=False)


def in_rfc1918(network: IPv4Network) -> bool:
    return any(network.subnet_of(block) for block in cidrs.RFC1918)


# --- overlap_groups -----------------------------------------------------------------------------------


def _order(n: LabelledNetwork) -> tuple[int, int, str]:
    return int(n.network.network_address), n.network.prefixlen, n.path


@FAST
@given(st.lists(st.one_of(clustered_networks(), networks(8, 32)), max_size=25))
def test_overlap_groups_agree_with_brute_force(nets):
    """One group per network that overlaps an earlier one: the earliest of those, and how many more."""
    labelled = [LabelledNetwork(f"n{i}", n) for i, n in enumerate(nets)]
    expected = {}
    for current in labelled:
        earlier = sorted(
            (n for n in labelled if _order(n) < _order(current) and n.network.overlaps(current.network)),
            key=_order,
        )
        if earlier:
            expected[current.path] = (earlier[0].path, len(earlier) - 1)
    found = cidrs.overlap_groups(labelled)
    assert len(found) == len(expected), "one group per overlapping network"
    assert {g.network.path: (g.first.path, g.others) for g in found} == expected


@FAST
@given(st.lists(clustered_networks(), max_size=15), st.randoms(use_true_random=False))
def test_overlap_groups_do_not_depend_on_input_order(nets, rng):
    labelled = [LabelledNetwork(f"n{i}", n) for i, n in enumerate(nets)]
    shuffled = list(labelled)
    rng.shuffle(shuffled)
    assert cidrs.overlap_groups(shuffled) == cidrs.overlap_groups(labelled)


def test_overlap_groups_examples():
    a = LabelledNetwork("a", IPv4Network("10.0.0.0/8"))
    b = LabelledNetwork("b", IPv4Network("10.1.0.0/16"))
    c = LabelledNetwork("c", IPv4Network("10.1.2.0/24"))
    d = LabelledNetwork("d", IPv4Network("11.0.0.0/8"))
    found = cidrs.overlap_groups([d, c, b, a])
    assert [(g.network.path, g.first.path, g.others) for g in found] == [("b", "a", 0), ("c", "a", 1)]
    assert found[0].describe() == "10.1.0.0/16 overlaps 10.0.0.0/8 (a)"
    assert found[1].describe() == "10.1.2.0/24 overlaps 10.0.0.0/8 (a) and 1 other network"
    assert cidrs.overlap_groups([]) == []
    assert cidrs.overlap_groups([a, d]) == []


def test_adjacent_networks_do_not_overlap():
    low = LabelledNetwork("low", IPv4Network("10.0.0.0/25"))
    high = LabelledNetwork("high", IPv4Network("10.0.0.128/25"))
    assert cidrs.overlap_groups([low, high]) == []


def test_many_equal_networks_give_one_group_each_not_every_pair():
    same = [LabelledNetwork(f"s{i:05}", IPv4Network("10.9.0.0/16")) for i in range(5_000)]
    found = cidrs.overlap_groups(same)
    assert len(found) == 4_999
    assert found[-1].others == 4_998
    assert found[-1].describe().endswith("(s00000) and 4998 other networks")


# --- parsing ------------------------------------------------------------------------------------------


@FAST
@given(networks())
def test_parsing_a_canonical_string_is_idempotent(network):
    text = str(network)
    parsed = cidrs.parse_ipv4_network(text)
    assert parsed == network
    assert str(parsed) == text
    assert cidrs.parse_ipv4_network(str(parsed)) == parsed


@FAST
@given(networks(0, 31), st.data())
def test_host_bits_are_rejected_with_the_network_as_the_hint(network, data):
    host = data.draw(st.integers(1, network.num_addresses - 1))
    value = f"{network.network_address + host}/{network.prefixlen}"
    with pytest.raises(CidrRuleError, match=re.escape(f"has host bits set: did you mean {network}?") + "$"):
        cidrs.parse_ipv4_network(value)


@pytest.mark.parametrize(
    "value", [None, 10, "10.0.0.0", "", "10.0.0.0/33", "10.0.0/8", "a.b.c.d/8", "fd00::/8"]
)
def test_not_cidr_notation(value):
    with pytest.raises(CidrRuleError, match="is not an IPv4 network in CIDR notation"):
        cidrs.parse_ipv4_network(value)


# --- remote, VPC and service networks -----------------------------------------------------------------


def in_remote_ranges(network: IPv4Network) -> bool:
    return in_rfc1918(network) or network.subnet_of(IPv4Network("100.64.0.0/10"))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        networks(),
        networks(8, 32).filter(in_remote_ranges),
        st.sampled_from((*cidrs.RFC1918, cidrs.CGNAT)),
    )
)
def test_remote_network_accepts_exactly_rfc1918_or_cgnat_slash_8_to_32(network):
    should_accept = 8 <= network.prefixlen <= 32 and in_remote_ranges(network)
    try:
        result = cidrs.remote_network(str(network))
    except CidrRuleError:
        assert not should_accept
    else:
        assert should_accept
        assert result == str(network)


@FAST
@given(networks())
def test_service_network_accepts_exactly_rfc1918_slash_12_to_24(network):
    should_accept = 12 <= network.prefixlen <= 24 and in_rfc1918(network)
    try:
        assert cidrs.service_network(str(network)) == str(network)
    except CidrRuleError:
        assert not should_accept
    else:
        assert should_accept


@FAST
@given(networks())
def test_vpc_network_accepts_exactly_slash_16_to_28(network):
    should_accept = 16 <= network.prefixlen <= 28
    try:
        assert cidrs.vpc_network(str(network)) == str(network)
    except CidrRuleError:
        assert not should_accept
    else:
        assert should_accept


def test_prefix_is_checked_before_host_bits():
    with pytest.raises(CidrRuleError, match="is a /7: the prefix must be between /8 and /32"):
        cidrs.remote_network("10.0.0.1/7")


@pytest.mark.parametrize("block", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"])
def test_each_rfc1918_block_and_cgnat_is_a_remote_network(block):
    assert cidrs.remote_network(block) == block


@pytest.mark.parametrize("value", ["100.0.0.0/9", "100.128.0.0/16", "100.63.255.0/24"])
def test_cgnat_neighbours_are_not_remote_networks(value):
    with pytest.raises(CidrRuleError, match=r"CGNAT 100\.64\.0\.0/10"):
        cidrs.remote_network(value)


# --- tunnel inside CIDRs ------------------------------------------------------------------------------


@FAST
@given(st.integers(0, 2**14 - 1))
def test_tunnel_inside_accepts_every_unreserved_slash_30_of_169_254(index):
    network = IPv4Network((int(IPv4Address("169.254.0.0")) + 4 * index, 30))
    if network in cidrs.RESERVED_TUNNEL_CIDRS:
        with pytest.raises(CidrRuleError, match="reserved by AWS"):
            cidrs.tunnel_inside_network(str(network))
    else:
        assert cidrs.tunnel_inside_network(str(network)) == str(network)


@FAST
@given(networks().filter(lambda n: n.prefixlen != 30 or not n.subnet_of(cidrs.TUNNEL_INSIDE_RANGE)))
def test_tunnel_inside_rejects_anything_else(network):
    with pytest.raises(CidrRuleError, match=re.escape("must be a /30 inside 169.254.0.0/16")):
        cidrs.tunnel_inside_network(str(network))


def test_reserved_tunnel_cidrs_are_slash_30s_of_the_range():
    assert len(cidrs.RESERVED_TUNNEL_CIDRS) == 7
    assert all(
        n.prefixlen == 30 and n.subnet_of(cidrs.TUNNEL_INSIDE_RANGE) for n in cidrs.RESERVED_TUNNEL_CIDRS
    )


# --- addresses ----------------------------------------------------------------------------------------


@FAST
@given(st.integers(0, 2**32 - 1))
def test_ipv4_address_round_trips(value):
    text = str(IPv4Address(value))
    assert cidrs.ipv4_address(text) == text


@pytest.mark.parametrize("value", ["256.0.0.1", "10.0.0", "10.0.0.1/32", "::1", "", None])
def test_ipv4_address_rejects(value):
    with pytest.raises(CidrRuleError, match="is not an IPv4 address"):
        cidrs.ipv4_address(value)


def test_contains_address():
    nets = [IPv4Network("192.168.0.0/16"), IPv4Network("10.100.0.0/16"), IPv4Network("10.0.0.0/8")]
    assert cidrs.contains_address(nets, "10.100.3.4") == IPv4Network(
        "10.100.0.0/16"
    )  # the first that holds it
    assert cidrs.contains_address(nets, "10.7.0.1") == IPv4Network("10.0.0.0/8")
    assert cidrs.contains_address(nets, "192.168.255.255") == IPv4Network("192.168.0.0/16")
    assert cidrs.contains_address(nets, "172.16.0.1") is None
    assert cidrs.contains_address([], "10.0.0.1") is None


@FAST
@given(st.lists(networks(8, 32), max_size=8), st.integers(0, 2**32 - 1))
def test_contains_address_agrees_with_membership(nets, value):
    address = str(IPv4Address(value))
    found = cidrs.contains_address(nets, address)
    holders = [n for n in nets if IPv4Address(value) in n]
    assert found == (holders[0] if holders else None)
