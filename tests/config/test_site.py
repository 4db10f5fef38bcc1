"""Every rule of the site contract: one valid document, one mutated key, the exact path and rule."""

from __future__ import annotations

import pytest

from eks_hybrid.components.config import SiteConfig, validate_stack

from .builders import FILE, assert_says, at, paths, problems, single, site_doc, with_value, without

SITE = "eks-hybrid:site"
CONN = f"{SITE}.connectivity"
VPN = f"{CONN}.siteToSiteVpn"
CGW_ASN = f"{VPN}.customerGateway.bgpAsn"


def site(path: tuple, value: object) -> dict:
    return with_value(site_doc(), (SITE, *path), value)


def vpn(key: str, value: object) -> dict:
    return site(("connectivity", "siteToSiteVpn", key), value)


def tunnels(*cidrs: str) -> dict:
    return vpn("tunnels", [{"insideCidr": c} for c in cidrs])


def pools(*pool_list: dict) -> dict:
    return site(("nodePools",), list(pool_list))


def pool(name: str, *uids: str) -> dict:
    return {"name": name, "edgeHosts": [{"uid": uid} for uid in uids]}


# --- a valid site -------------------------------------------------------------------------------------


def test_minimal_site_is_valid_with_contract_defaults():
    config = validate_stack(site_doc(), FILE)
    assert isinstance(config, SiteConfig)
    connectivity = config.site.connectivity
    assert connectivity.site_to_site_vpn is not None
    assert connectivity.site_to_site_vpn.attach_to == "transitGateway"
    assert connectivity.site_to_site_vpn.routing == "static"
    assert connectivity.reaches_vpc_through_transit_gateway
    assert config.site.on_prem_router.kind == "strongswan"
    assert config.site.node_pools[0].architecture == "amd64"
    assert config.site.node_pools[1].edge_hosts[0].vpn_server_ip == "10.200.0.1"
    assert config.hub_stack_name == "example-hub"


@pytest.mark.parametrize(
    ("hub", "name"), [("edge-prod-hub", "edge-prod-hub"), ("acme/eks-hybrid/prod-hub", "prod-hub")]
)
def test_hub_reference_is_a_stack_name_or_fully_qualified(hub, name):
    config = validate_stack(with_value(site_doc(), ("eks-hybrid:hub",), hub), FILE)
    assert isinstance(config, SiteConfig)
    assert config.hub_stack_name == name


@pytest.mark.parametrize("hub", ["a/b/c/d", "my hub", ""])
def test_hub_reference_pattern(hub):
    single(with_value(site_doc(), ("eks-hybrid:hub",), hub), "eks-hybrid:hub", "pattern")


def test_hub_and_site_are_required():
    doc = without(without(site_doc(), ("eks-hybrid:hub",)), (SITE,))
    found = problems(doc)
    assert [p.path for p in found] == ["eks-hybrid:hub", SITE]
    assert all("required key is missing" in p.rule for p in found)


@pytest.mark.parametrize("name", ["Dallas", "dallas_1", "-dallas"])
def test_site_name_is_a_slug(name):
    single(site(("name",), name), f"{SITE}.name", "is not a lowercase name")


def test_site_without_pools_is_valid():
    assert validate_stack(site(("nodePools",), []), FILE).site.node_pools == []


# --- connectivity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["siteToSiteVpn", "directConnect", "softwareVpn"])
def test_connectivity_type_needs_its_own_block(kind):
    doc = site(("connectivity",), {"type": kind})
    single(doc, f"{CONN}.{kind}", f"type is {kind}, so its settings are required")


def test_another_types_block_does_not_stand_in():
    doc = site(("connectivity", "type"), "softwareVpn")
    single(doc, f"{CONN}.softwareVpn", "so its settings are required")


def test_connectivity_block_that_is_not_a_mapping():
    found = at(site(("connectivity", "directConnect"), "yes") | {}, f"{CONN}.directConnect")
    assert any("must be a mapping of keys to values" in p.rule for p in found)


def test_connectivity_type_must_be_known():
    single(
        site(("connectivity", "type"), "carrierPigeon"),
        f"{CONN}.type",
        "must be one of siteToSiteVpn, directConnect or softwareVpn",
    )


def test_connectivity_is_required():
    single(without(site_doc(), (SITE, "connectivity")), CONN, "required key is missing")


def test_direct_connect_site():
    doc = site(
        ("connectivity",),
        {"type": "directConnect", "directConnect": {"gatewayId": "5f2b9c1e-0000-0000-0000-000000000000"}},
    )
    config = validate_stack(doc, FILE)
    assert not config.site.connectivity.reaches_vpc_through_transit_gateway


@pytest.mark.parametrize(
    ("settings", "path", "phrase"),
    [
        ({"gatewayId": "dxgw-123"}, "gatewayId", "a Direct Connect gateway id"),
        (
            {"gatewayId": "5f2b9c1e-0000-0000-0000-000000000000", "privateSubnetCidr": "172.16.1.1/24"},
            "privateSubnetCidr",
            "did you mean 172.16.1.0/24?",
        ),
    ],
)
def test_direct_connect_settings(settings, path, phrase):
    doc = site(("connectivity",), {"type": "directConnect", "directConnect": settings})
    single(doc, f"{CONN}.directConnect.{path}", phrase)


def test_software_vpn_needs_an_eni():
    doc = site(("connectivity",), {"type": "softwareVpn", "softwareVpn": {"networkInterfaceId": "eni-1"}})
    single(doc, f"{CONN}.softwareVpn.networkInterfaceId", "'eni-1' is not a network interface id")
    ok = site(
        ("connectivity",),
        {"type": "softwareVpn", "softwareVpn": {"networkInterfaceId": "eni-0a1b2c3d4e5f60001"}},
    )
    assert not validate_stack(ok, FILE).site.connectivity.reaches_vpc_through_transit_gateway


def test_vpn_on_a_virtual_private_gateway_does_not_reach_through_the_tgw():
    config = validate_stack(vpn("attachTo", "virtualPrivateGateway"), FILE)
    assert not config.site.connectivity.reaches_vpc_through_transit_gateway


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("attachTo", "directConnectGateway", "must be transitGateway or virtualPrivateGateway"),
        ("routing", "ospf", "must be static or bgp"),
    ],
)
def test_vpn_choices(key, value, phrase):
    single(vpn(key, value), f"{VPN}.{key}", phrase)


@pytest.mark.parametrize("address", ["203.0.113.300", "203.0.113.0/24", "gateway.example.com", ""])
def test_customer_gateway_address_is_ipv4(address):
    single(
        vpn("customerGateway", {"ipAddress": address}),
        f"{VPN}.customerGateway.ipAddress",
        "is not an IPv4 address",
    )


# --- customer gateway ASN -----------------------------------------------------------------------------


@pytest.mark.parametrize("asn", [23456, 64496, 64511, 65535, 65536, 65551, 100000, 131071])
def test_reserved_customer_gateway_asn(asn):
    single(
        vpn("customerGateway", {"ipAddress": "203.0.113.10", "bgpAsn": asn}),
        CGW_ASN,
        f"ASN {asn} is reserved",
        "cannot peer",
    )


@pytest.mark.parametrize("asn", [2147483648, 3000000000, 4199999999])
def test_customer_gateway_asn_beyond_what_aws_accepts(asn):
    single(
        vpn("customerGateway", {"ipAddress": "203.0.113.10", "bgpAsn": asn}),
        CGW_ASN,
        "outside what AWS accepts",
        "1 to 2147483647",
    )


@pytest.mark.parametrize(
    ("asn", "rule"),
    [
        (0, "must be at least 1"),
        (-1, "must be at least 1"),
        (4294967295, "must be at most 4294967294"),
        (4294967296, "must be at most 4294967294"),
    ],
)
def test_customer_gateway_asn_out_of_range_is_reported_once(asn, rule):
    # Once: the range check speaks, the reserved-ASN rule stays quiet.
    gateway = {"ipAddress": "203.0.113.10", "bgpAsn": asn}
    single(vpn("customerGateway", gateway), CGW_ASN, rule, f"(got {asn})")


@pytest.mark.parametrize("asn", [1, 7224, 64512, 65000, 65534, 131072, 2147483647, 4200000000, 4294967294])
def test_valid_customer_gateway_asns(asn):
    config = validate_stack(vpn("customerGateway", {"ipAddress": "203.0.113.10", "bgpAsn": asn}), FILE)
    vpn_config = config.site.connectivity.site_to_site_vpn
    assert vpn_config is not None and vpn_config.customer_gateway.bgp_asn == asn


def test_customer_gateway_asn_defaults_to_65000():
    config = validate_stack(vpn("customerGateway", {"ipAddress": "203.0.113.10"}), FILE)
    assert config.site.connectivity.site_to_site_vpn.customer_gateway.bgp_asn == 65000  # type: ignore[union-attr]


def test_customer_gateway_asn_of_the_wrong_type():
    single(
        vpn("customerGateway", {"ipAddress": "203.0.113.10", "bgpAsn": "sixty-five"}),
        CGW_ASN,
        "must be a whole number",
    )


# --- tunnels ------------------------------------------------------------------------------------------


def test_two_distinct_tunnels_are_accepted():
    config = validate_stack(tunnels("169.254.10.0/30", "169.254.10.4/30"), FILE)
    vpn_config = config.site.connectivity.site_to_site_vpn
    assert vpn_config is not None
    assert [t.inside_cidr for t in vpn_config.tunnels] == ["169.254.10.0/30", "169.254.10.4/30"]


def test_at_most_two_tunnels():
    single(
        tunnels("169.254.10.0/30", "169.254.10.4/30", "169.254.10.8/30"),
        f"{VPN}.tunnels",
        "a VPN connection has two tunnels",
        "at most 2 entries (got 3)",
    )


def test_tunnel_inside_cidrs_are_distinct():
    single(
        tunnels("169.254.10.0/30", "169.254.10.0/30"),
        f"{VPN}.tunnels[1].insideCidr",
        "169.254.10.0/30 is already tunnel 1's inside CIDR",
        "each tunnel needs its own",
    )


def test_tunnel_inside_cidrs_are_compared_as_networks_not_spellings():
    single(
        tunnels("169.254.10.0/30", " 169.254.10.0/30 "), f"{VPN}.tunnels[1].insideCidr", "already tunnel 1's"
    )


@pytest.mark.parametrize(
    ("cidr", "phrase"),
    [
        ("169.254.10.0/29", "must be a /30 inside 169.254.0.0/16"),
        ("169.254.10.0/31", "must be a /30 inside 169.254.0.0/16"),
        ("10.0.0.0/30", "must be a /30 inside 169.254.0.0/16"),
        ("169.255.0.0/30", "must be a /30 inside 169.254.0.0/16"),
        ("169.254.10.1/30", "has host bits set: did you mean 169.254.10.0/30?"),
        ("169.254.10.0", "is not an IPv4 network in CIDR notation"),
    ],
)
def test_tunnel_inside_cidr_rules(cidr, phrase):
    single(tunnels("169.254.20.0/30", cidr), f"{VPN}.tunnels[1].insideCidr", phrase)


@pytest.mark.parametrize(
    "cidr",
    [
        "169.254.0.0/30",
        "169.254.1.0/30",
        "169.254.2.0/30",
        "169.254.3.0/30",
        "169.254.4.0/30",
        "169.254.5.0/30",
        "169.254.169.252/30",
    ],
)
def test_aws_reserved_tunnel_inside_cidrs(cidr):
    single(tunnels(cidr), f"{VPN}.tunnels[0].insideCidr", f"{cidr} is reserved by AWS")


@pytest.mark.parametrize(
    "cidr", ["169.254.0.4/30", "169.254.6.0/30", "169.254.169.248/30", "169.254.255.252/30"]
)
def test_tunnel_inside_cidrs_next_to_reserved_ones_are_fine(cidr):
    validate_stack(tunnels(cidr), FILE)


def test_tunnel_without_overrides_is_accepted():
    validate_stack(vpn("tunnels", [{}, {}]), FILE)


# --- node pools and edge hosts ------------------------------------------------------------------------


def test_pool_names_are_unique():
    single(
        pools(pool("workers", "h1"), pool("gpu", "h2"), pool("workers", "h3")),
        f"{SITE}.nodePools[2].name",
        "pool name 'workers' is already used by nodePools[0]",
        "names are unique",
    )


def test_an_edge_host_joins_at_most_one_pool():
    single(
        pools(pool("workers", "h1", "h2"), pool("gpu", "h3", "h2")),
        f"{SITE}.nodePools[1].edgeHosts[1].uid",
        "edge host h2 is already in pool workers",
        "at most one pool",
    )


def test_an_edge_host_listed_twice_in_one_pool():
    single(
        pools(pool("workers", "h1", "h1")),
        f"{SITE}.nodePools[0].edgeHosts[1].uid",
        "edge host h1 is already in pool workers",
    )


def test_pool_and_host_duplicates_are_all_reported_sorted():
    doc = pools(pool("a", "h1", "h2"), pool("a", "h1"), pool("b", "h2", "h3", "h3"))
    assert paths(doc) == [
        f"{SITE}.nodePools[1].edgeHosts[0].uid",
        f"{SITE}.nodePools[1].name",
        f"{SITE}.nodePools[2].edgeHosts[0].uid",
        f"{SITE}.nodePools[2].edgeHosts[2].uid",
    ]


def test_host_in_a_pool_with_an_invalid_name_is_still_tracked():
    doc = pools({"name": 7, "edgeHosts": [{"uid": "h1"}]}, pool("gpu", "h1"))
    found = problems(doc)
    assert [p.path for p in found] == [f"{SITE}.nodePools[0].name", f"{SITE}.nodePools[1].edgeHosts[0].uid"]
    assert_says(found[1], "already in pool nodePools[0]")


@pytest.mark.parametrize(
    ("pool_value", "path", "phrase"),
    [
        ({"name": "Workers", "edgeHosts": [{"uid": "h1"}]}, "name", "is not a lowercase name"),
        ({"name": "w", "edgeHosts": []}, "edgeHosts", "needs at least 1 entry (got 0)"),
        ({"name": "w"}, "edgeHosts", "required key is missing"),
        (
            {"name": "w", "architecture": "riscv64", "edgeHosts": [{"uid": "h1"}]},
            "architecture",
            "must be amd64 or arm64",
        ),
        ({"name": "w", "edgeHosts": [{"uid": "-h1"}]}, "edgeHosts[0].uid", "an edge host uid"),
        ({"name": "w", "edgeHosts": [{"uid": ""}]}, "edgeHosts[0].uid", "at least 1 character"),
        ({"name": "w", "edgeHosts": [{"name": "x"}]}, "edgeHosts[0].uid", "required key is missing"),
        (
            {"name": "w", "edgeHosts": [{"uid": "h1", "vpnServerIp": "10.0.0.256"}]},
            "edgeHosts[0].vpnServerIp",
            "is not an IPv4 address",
        ),
        (
            {"name": "w", "edgeHosts": [{"uid": "h1"}], "taints": [{"key": "k", "effect": "Evict"}]},
            "taints[0].effect",
            "must be one of NoSchedule, PreferNoSchedule or NoExecute",
        ),
        (
            {"name": "w", "edgeHosts": [{"uid": "h1"}], "taints": [{"key": "", "effect": "NoSchedule"}]},
            "taints[0].key",
            "is not a Kubernetes label key",
        ),
        ({"name": "w", "edgeHosts": [{"uid": "h1"}], "labels": {"site": 1}}, "labels.site", "must be text"),
        # Kubernetes label syntax ("Labels and Selectors"): no unicode, at most 63 characters.
        (
            {"name": "w", "edgeHosts": [{"uid": "h1"}], "labels": {"zone": "x" * 64}},
            "labels.zone",
            "is not a Kubernetes label value",
        ),
        (
            {"name": "w", "edgeHosts": [{"uid": "h1"}], "labels": {"équipe": "edge"}},
            "labels.équipe",
            "is not a Kubernetes label key",
        ),
        (
            {
                "name": "w",
                "edgeHosts": [{"uid": "h1"}],
                "taints": [{"key": "k", "value": "a b", "effect": "NoSchedule"}],
            },
            "taints[0].value",
            "is not a Kubernetes label value",
        ),
    ],
)
def test_pool_settings(pool_value, path, phrase):
    single(pools(pool("a", "h0"), pool_value), f"{SITE}.nodePools[1].{path}", phrase)


def test_on_prem_router_kind():
    single(site(("onPremRouter",), {"kind": "vyos"}), f"{SITE}.onPremRouter.kind", "must be strongswan")


# --- the site label eks-hybrid puts on every node ------------------------------------------------------


def test_a_pool_label_that_would_move_nodes_to_another_site_is_refused():
    labelled = {**pool("w", "h1"), "labels": {"eks-hybrid/site": "chicago", "team": "edge"}}
    problem = single(pools(labelled), f"{SITE}.nodePools[0].labels.eks-hybrid/site", "set by eks-hybrid")
    assert_says(problem, "site's name (dallas)", "got 'chicago'")


def test_the_site_label_with_the_sites_own_name_is_accepted():
    labelled = {**pool("w", "h1"), "labels": {"eks-hybrid/site": "dallas"}}
    assert validate_stack(pools(labelled), FILE).site.node_pools[0].labels == {"eks-hybrid/site": "dallas"}


def test_a_hub_name_longer_than_pulumi_allows_is_refused():
    # Pulumi limits stack names to 100 characters (pulumi/pulumi ParseReference): a longer hub name is
    # refused here, not when plan opens `Pulumi.<name>.yaml`.
    for hub in ("h" * 101, "org/" + "p" * 101 + "/hub", "h" * 300):
        problem = single(with_value(site_doc(), ("eks-hybrid:hub",), hub), "eks-hybrid:hub", "1 to 100")
        assert "characters)" in problem.rule and len(problem.rule) < 300
    validate_stack(with_value(site_doc(), ("eks-hybrid:hub",), "o/p/" + "h" * 100), FILE)


@pytest.mark.parametrize(
    ("tags", "key", "phrase"),
    [
        ({"k" * 129: "v"}, "k" * 129, "is not an AWS tag key"),
        ({"team": "v" * 257}, "team", "is not an AWS tag value"),
        ({"team": "a;b"}, "team", "is not an AWS tag value"),
        ({"aws:owner": "me"}, "aws:owner", "tag keys starting with aws: are AWS's own"),
    ],
)
def test_tags_follow_aws_tag_rules(tags, key, phrase):
    problem = single(with_value(site_doc(), ("eks-hybrid:tags",), tags), f"eks-hybrid:tags.{key}", phrase)
    assert len(str(problem)) < 400


def test_unicode_tags_and_labels_within_the_rules_are_fine():
    doc = with_value(site_doc(), ("eks-hybrid:tags",), {"équipe": "Ünïcode wörks: ok/ß=1+2@x", "k": ""})
    doc = with_value(doc, (SITE, "nodePools", 0, "labels"), {"example.com/zone": "a-1.b_2", "empty": ""})
    validate_stack(doc, FILE)
