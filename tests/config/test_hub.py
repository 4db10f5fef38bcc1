"""Every rule of the hub contract: one valid document, one mutated key, the exact path and rule."""

from __future__ import annotations

from datetime import date

import pytest

from eks_hybrid.components.config import HubConfig, validate_stack
from eks_hybrid.components.errors import ConfigError

from .builders import (
    FILE,
    assert_says,
    at,
    hub_doc,
    palette_block,
    paths,
    problems,
    single,
    with_value,
    without,
)

CLUSTER = "eks-hybrid:cluster"
SITES = "eks-hybrid:sites"


def cluster(key: str, value: object) -> dict:
    doc = with_value(hub_doc(), (CLUSTER, key), value)
    if (key, value) == ("endpointAccess", "public"):
        del doc[CLUSTER]["apiAccess"]  # only a private endpoint takes it
    return doc


def site_cidrs(**sites: tuple[str, str]) -> dict:
    doc = hub_doc()
    doc[SITES] = {name: {"nodeCidr": node, "podCidr": pod} for name, (node, pod) in sites.items()}
    return doc


# --- a valid hub and its defaults -------------------------------------------------------------------------


def test_minimal_hub_is_valid_with_contract_defaults():
    config = validate_stack(hub_doc(), FILE)
    assert isinstance(config, HubConfig)
    assert config.cluster.mode == "create"
    assert config.cluster.endpoint_access == "private"
    assert config.cluster.service_cidr == "172.20.0.0/16"
    assert config.cluster.authentication_mode == "API_AND_CONFIG_MAP"
    assert config.sites["dallas"].route_via == "transitGateway"
    assert config.sites["chicago"].route_via == "site"
    assert config.transit_gateway.amazon_side_asn == 64512
    assert config.cilium.pod_cidr_mask_size == 25
    assert config.palette is None


def test_remote_cidrs_are_the_sorted_union_of_the_inventory():
    doc = with_value(hub_doc(), (SITES, "denver"), {"nodeCidr": "10.202.0.0/16", "podCidr": "172.19.0.0/16"})
    config = validate_stack(doc, FILE)
    assert isinstance(config, HubConfig)
    assert config.remote_node_cidrs == ["10.200.0.0/16", "10.201.0.0/16", "10.202.0.0/16"]
    assert config.remote_pod_cidrs == ["172.18.0.0/16", "172.19.0.0/16", "192.168.0.0/16"]


def test_config_is_frozen():
    config = validate_stack(hub_doc(), FILE)
    with pytest.raises(ValueError):
        config.cluster.name = "other"  # type: ignore[misc]


def test_missing_required_keys_are_named():
    doc = without(without(hub_doc(), (CLUSTER, "vpcId")), ("eks-hybrid:credentials",))
    found = problems(doc)
    assert [p.path for p in found] == [f"{CLUSTER}.vpcId", "eks-hybrid:credentials"]
    for problem in found:
        assert_says(problem, "required key is missing")


@pytest.mark.parametrize("region", ["us-west", "US-WEST-2", "uswest2", ""])
def test_region_must_look_like_an_aws_region(region):
    single(with_value(hub_doc(), ("aws:region",), region), "aws:region", "an AWS Region code, e.g. us-west-2")


def test_govcloud_region_is_accepted():
    validate_stack(with_value(hub_doc(), ("aws:region",), "us-gov-west-1"), FILE)


# --- cluster ------------------------------------------------------------------------------------------


TODAY = date(2026, 11, 29)  # the date the version table was checked; tests never read the clock


def versioned(version: object) -> dict:
    # The Palette layer follows the cluster's version; without a palette block only the version counts.
    return cluster("kubernetesVersion", version)


@pytest.mark.parametrize("version", ["1.32", "1.33", "1.34", "1.35", "1.36"])
def test_versions_eks_creates_today_are_accepted(version):
    config = validate_stack(versioned(version), FILE, today=TODAY)
    assert config.cluster.kubernetes_version == version


@pytest.mark.parametrize(("yaml_float", "version"), [(1.33, "1.33"), (1.35, "1.35"), (1.3, "1.30")])
def test_yaml_float_versions_are_read_as_the_version_meant(yaml_float, version):
    # YAML reads `kubernetesVersion: 1.30` as the float 1.3 (and 1.30 is valid on its last day of support).
    config = validate_stack(versioned(yaml_float), FILE, today=date(2026, 7, 22))
    assert config.cluster.kubernetes_version == version


@pytest.mark.parametrize(
    ("version", "phrase"),
    [
        ("1.31", "left EKS extended support on 2026-11-26"),
        ("1.30", "left EKS extended support on 2026-07-23"),
        ("1.29", "left EKS extended support on 2026-03-23"),
        ("1.28", "not in eks-hybrid's EKS version table"),
        ("1.37", "not in eks-hybrid's EKS version table"),
        ("v1.35", "not in eks-hybrid's EKS version table"),
        ("1.35.0", "not in eks-hybrid's EKS version table"),
    ],
)
def test_versions_eks_no_longer_creates_are_refused(version, phrase):
    problem = single(versioned(version), f"{CLUSTER}.kubernetesVersion", phrase, today=TODAY)
    assert_says(problem, "1.32, 1.33, 1.34, 1.35, 1.36")


def test_a_version_is_refused_the_day_its_extended_support_ends():
    validate_stack(versioned("1.31"), FILE, today=date(2026, 11, 25))
    single(
        versioned("1.31"),
        f"{CLUSTER}.kubernetesVersion",
        "left EKS extended support",
        today=date(2026, 11, 26),
    )


def test_authentication_mode_config_map_is_rejected():
    single(
        cluster("authenticationMode", "CONFIG_MAP"),
        f"{CLUSTER}.authenticationMode",
        "API or API_AND_CONFIG_MAP",
        "'CONFIG_MAP'",
    )


@pytest.mark.parametrize("mode", ["API", "API_AND_CONFIG_MAP"])
def test_hybrid_authentication_modes_are_accepted(mode):
    assert validate_stack(cluster("authenticationMode", mode), FILE).cluster.authentication_mode == mode


@pytest.mark.parametrize("access", ["both", "private,public", "publicAndPrivate", "PRIVATE"])
def test_endpoint_access_both_or_unknown_is_rejected(access):
    single(cluster("endpointAccess", access), f"{CLUSTER}.endpointAccess", "private or public, never both")


@pytest.mark.parametrize("access", ["private", "public"])
def test_endpoint_access_private_or_public(access):
    doc = cluster("endpointAccess", access)
    if access == "public":
        doc = with_value(doc, (CLUSTER, "publicAccessCidrs"), ["203.0.113.0/24"])
        doc = with_value(doc, (CLUSTER, "cloudEgressCidrs"), ["203.0.113.10/32"])
    assert validate_stack(doc, FILE).cluster.endpoint_access == access


def test_mode_is_create_or_existing():
    single(cluster("mode", "adopt"), f"{CLUSTER}.mode", "must be create or existing")
    assert validate_stack(cluster("mode", "existing"), FILE).cluster.mode == "existing"


@pytest.mark.parametrize(
    ("key", "value", "path", "phrase"),
    [
        ("name", "-edge", "name", "an EKS cluster name"),
        ("name", "x" * 101, "name", "an EKS cluster name"),
        ("vpcId", "vpc-123", "vpcId", "is not a VPC id"),
        ("vpcId", "subnet-0123456789abcdef0", "vpcId", "is not a VPC id"),
        ("subnetIds", ["subnet-xyz"], "subnetIds[0]", "is not a subnet id"),
        ("subnetIds", ["subnet-0a1b2c3d4e5f60001", "sub-1"], "subnetIds[1]", "is not a subnet id"),
        ("subnetIds", [], "subnetIds", "needs at least 1 entry (got 0)"),
        (
            "routeTableIds",
            ["rtb-0a1b2c3d4e5f60001", "rtb-NOPE"],
            "routeTableIds[1]",
            "is not a route table id",
        ),
        ("routeTableIds", [], "routeTableIds", "needs at least 1 entry (got 0)"),
    ],
)
def test_cluster_ids_and_names(key, value, path, phrase):
    problem = single(cluster(key, value), f"{CLUSTER}.{path}", phrase)
    if isinstance(value, str):
        # Not a secret, so the rule shows what was written: in full when short, its start and length if not.
        assert (value if len(value) <= 60 else f"'{value[:59]}…' ({len(value)} characters)") in problem.rule


@pytest.mark.parametrize(
    ("block", "key"),
    [(CLUSTER, "routeTableIds"), (CLUSTER, "subnetIds"), ("eks-hybrid:transitGateway", "subnetIds")],
)
def test_a_repeated_id_is_refused_naming_its_index(block, key):
    # A repeated route table id would declare two routes with one name, which the Pulumi engine refuses.
    value = "rtb-0a1b2c3d4e5f60001" if key == "routeTableIds" else "subnet-0a1b2c3d4e5f60001"
    doc = with_value(hub_doc(), (block, key), [value, value.upper().replace("RTB", "rtb"), value])
    found = at(doc, f"{block}.{key}[2]")
    assert_says(found[0], f"'{value}' is already {key}[0]: list each")


def test_a_bad_subnet_id_names_its_index_among_several_problems():
    doc = cluster("subnetIds", ["subnet-bad", "subnet-0a1b2c3d4e5f60001", "subnet-worse"])
    assert paths(doc) == [f"{CLUSTER}.subnetIds[0]", f"{CLUSTER}.subnetIds[2]"]


# --- node group ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("low", "desired", "high"), [(3, 2, 4), (1, 5, 4), (3, 3, 2), (4, 1, 2)])
def test_node_group_sizes_must_be_ordered(low, desired, high):
    doc = cluster("nodeGroup", {"minSize": low, "desiredSize": desired, "maxSize": high})
    single(
        doc,
        f"{CLUSTER}.nodeGroup",
        "minSize <= desiredSize <= maxSize",
        f"(got {low} <= {desired} <= {high})",
    )


@pytest.mark.parametrize(("low", "desired", "high"), [(1, 1, 1), (1, 2, 3), (2, 2, 2), (1, 3, 3)])
def test_node_group_ordered_sizes_are_accepted(low, desired, high):
    doc = cluster("nodeGroup", {"minSize": low, "desiredSize": desired, "maxSize": high})
    group = validate_stack(doc, FILE).cluster.node_group
    assert (group.min_size, group.desired_size, group.max_size) == (low, desired, high)


@pytest.mark.parametrize(("key", "value"), [("diskSizeGib", 39), ("minSize", 0), ("maxSize", 101)])
def test_node_group_bounds(key, value):
    single(
        cluster("nodeGroup", {key: value} | ({"desiredSize": 1} if key == "minSize" else {})),
        f"{CLUSTER}.nodeGroup.{key}",
        f"(got {value})",
    )


# --- CIDR rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["nodeCidr", "podCidr"])
def test_remote_cidr_prefix_shorter_than_slash_8(key):
    doc = with_value(hub_doc(), (SITES, "dallas", key), "10.0.0.0/7")
    found = problems(doc)
    prefix = [p for p in found if p.path == f"{SITES}.dallas.{key}" and "between /8 and /32" in p.rule]
    assert len(prefix) == 1
    assert_says(prefix[0], "is a /7")


@pytest.mark.parametrize("value", ["10.0.0.0/33", "10.0.0.0/64", "10.0.0.0/-1"])
def test_remote_cidr_prefix_beyond_32_is_not_cidr_notation(value):
    single(
        with_value(hub_doc(), (SITES, "dallas", "podCidr"), value),
        f"{SITES}.dallas.podCidr",
        "is not an IPv4 network in CIDR notation",
        value,
    )


@pytest.mark.parametrize("value", ["10.200.0.0", "10.200.0.0/", "300.1.0.0/16", "fd00::/64", "dallas", 10])
def test_remote_cidr_must_be_ipv4_cidr_notation(value):
    single(
        with_value(hub_doc(), (SITES, "dallas", "nodeCidr"), value),
        f"{SITES}.dallas.nodeCidr",
        "is not an IPv4 network in CIDR notation (like 10.200.0.0/16)",
    )


@pytest.mark.parametrize(
    "value", ["8.8.8.0/24", "100.128.0.0/16", "172.32.0.0/16", "192.169.0.0/16", "11.0.0.0/8"]
)
def test_remote_cidr_outside_rfc1918_and_cgnat(value):
    single(
        with_value(hub_doc(), (SITES, "dallas", "podCidr"), value),
        f"{SITES}.dallas.podCidr",
        f"{value} is not inside RFC 1918",
    )


def test_cgnat_remote_networks_are_accepted():
    # AWS accepts the shared address space 100.64.0.0/10 for remote networks beside RFC 1918 (2026).
    doc = site_cidrs(dallas=("100.64.0.0/16", "100.65.0.0/16"), chicago=("10.201.0.0/16", "172.18.0.0/16"))
    config = validate_stack(doc, FILE)
    assert config.sites["dallas"].node_cidr == "100.64.0.0/16"
    assert config.sites["dallas"].pod_cidr == "100.65.0.0/16"


def test_remote_cidr_straddling_rfc1918_is_rejected():
    # 172.0.0.0/8 contains 172.16.0.0/12 but is not inside it (it also overlaps other CIDRs).
    [problem] = at(
        with_value(hub_doc(), (SITES, "dallas", "podCidr"), "172.0.0.0/8"), f"{SITES}.dallas.podCidr"
    )
    assert_says(problem, "172.0.0.0/8 is not inside RFC 1918")


@pytest.mark.parametrize(
    ("value", "network"), [("10.200.0.1/16", "10.200.0.0/16"), ("192.168.7.7/24", "192.168.7.0/24")]
)
def test_host_bits_set_hint_shows_the_network(value, network):
    single(
        with_value(hub_doc(), (SITES, "dallas", "podCidr" if value.startswith("192") else "nodeCidr"), value),
        f"{SITES}.dallas.{'podCidr' if value.startswith('192') else 'nodeCidr'}",
        f"{value} has host bits set",
        f"did you mean {network}?",
    )


def test_remote_cidr_single_address_slash_32_is_accepted():
    doc = site_cidrs(dallas=("10.200.0.0/32", "192.168.0.0/16"), chicago=("10.201.0.0/16", "172.18.0.0/16"))
    assert validate_stack(doc, FILE).sites["dallas"].node_cidr == "10.200.0.0/32"


def test_remote_cidr_is_stored_canonically():
    doc = with_value(hub_doc(), (SITES, "dallas", "nodeCidr"), " 10.200.0.0/255.255.0.0 ")
    assert validate_stack(doc, FILE).sites["dallas"].node_cidr == "10.200.0.0/16"


@pytest.mark.parametrize(("value", "phrase"), [("10.0.0.0/15", "is a /15"), ("10.100.0.0/29", "is a /29")])
def test_vpc_cidr_prefix_between_16_and_28(value, phrase):
    found = problems(cluster("vpcCidr", value))
    vpc = [p for p in found if p.path == f"{CLUSTER}.vpcCidr"]
    assert len(vpc) == 1
    assert_says(vpc[0], phrase, "between /16 and /28")


def test_vpc_cidr_host_bits():
    single(cluster("vpcCidr", "10.100.0.1/16"), f"{CLUSTER}.vpcCidr", "has host bits set", "10.100.0.0/16")


def test_vpc_cidr_need_not_be_rfc1918():
    assert validate_stack(cluster("vpcCidr", "100.64.0.0/16"), FILE).cluster.vpc_cidr == "100.64.0.0/16"


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("172.16.0.0/11", "between /12 and /24"),
        ("172.20.0.0/25", "between /12 and /24"),
        ("100.64.0.0/16", "not inside RFC 1918"),
        ("172.20.0.1/16", "did you mean 172.20.0.0/16?"),
    ],
)
def test_service_cidr_rules(value, phrase):
    found = problems(cluster("serviceCidr", value))
    service = [p for p in found if p.path == f"{CLUSTER}.serviceCidr"]
    assert len(service) == 1
    assert_says(service[0], phrase)


def overlap(doc: dict, path: str, *phrases: str) -> None:
    problem = single(doc, path, "overlaps", "node, pod, VPC and service CIDRs must not overlap")
    assert_says(problem, *phrases)


def test_overlap_site_vs_site():
    doc = site_cidrs(dallas=("10.200.0.0/16", "192.168.0.0/16"), chicago=("10.200.128.0/17", "172.18.0.0/16"))
    overlap(
        doc,
        f"{SITES}.chicago.nodeCidr",
        "10.200.128.0/17 overlaps 10.200.0.0/16",
        f"({SITES}.dallas.nodeCidr)",
    )


def test_overlap_identical_pod_cidrs_in_two_sites():
    doc = site_cidrs(dallas=("10.200.0.0/16", "192.168.0.0/16"), chicago=("10.201.0.0/16", "192.168.0.0/16"))
    # Equal networks: the earlier key path is "first", the problem lands on the later one.
    overlap(doc, f"{SITES}.dallas.podCidr", f"({SITES}.chicago.podCidr)")


def test_overlap_node_vs_pod_of_one_site():
    doc = site_cidrs(dallas=("10.200.0.0/16", "10.200.64.0/18"), chicago=("10.201.0.0/16", "172.18.0.0/16"))
    overlap(
        doc, f"{SITES}.dallas.podCidr", "10.200.64.0/18 overlaps 10.200.0.0/16", f"({SITES}.dallas.nodeCidr)"
    )


def test_overlap_with_the_vpc():
    doc = site_cidrs(dallas=("10.100.8.0/24", "192.168.0.0/16"), chicago=("10.201.0.0/16", "172.18.0.0/16"))
    overlap(doc, f"{SITES}.dallas.nodeCidr", "10.100.8.0/24 overlaps 10.100.0.0/16", f"({CLUSTER}.vpcCidr)")


def test_overlap_with_the_service_cidr():
    doc = site_cidrs(dallas=("10.200.0.0/16", "172.28.128.0/17"), chicago=("10.201.0.0/16", "172.18.0.0/16"))
    doc = with_value(doc, (CLUSTER, "serviceCidr"), "172.28.0.0/16")
    overlap(
        doc, f"{SITES}.dallas.podCidr", "172.28.128.0/17 overlaps 172.28.0.0/16", f"({CLUSTER}.serviceCidr)"
    )


def test_overlap_with_the_default_service_cidr():
    # serviceCidr is not written, so its default 172.20.0.0/16 takes part in the check.
    doc = site_cidrs(dallas=("10.200.0.0/16", "172.20.0.0/16"), chicago=("10.201.0.0/16", "172.18.0.0/16"))
    overlap(
        doc, f"{SITES}.dallas.podCidr", "172.20.0.0/16 overlaps 172.20.0.0/16", f"({CLUSTER}.serviceCidr)"
    )


def test_service_overlapping_the_vpc():
    doc = cluster("serviceCidr", "10.100.0.0/16")
    overlap(doc, f"{CLUSTER}.vpcCidr", f"({CLUSTER}.serviceCidr)")


def test_every_overlapping_pair_is_reported():
    doc = site_cidrs(
        dallas=("10.0.0.0/8", "192.168.0.0/16"),  # contains the VPC and chicago's node CIDR
        chicago=("10.201.0.0/16", "192.168.128.0/17"),  # pod CIDR inside dallas's
    )
    found = problems(doc)
    assert [p.path for p in found] == [
        f"{CLUSTER}.vpcCidr",
        f"{SITES}.chicago.nodeCidr",
        f"{SITES}.chicago.podCidr",
    ]
    assert all(f"({SITES}.dallas." in p.rule for p in found)


def test_many_sites_sharing_a_cidr_give_one_problem_per_site_not_per_pair():
    # Per pair, 1,000 sites sharing one CIDR would be half a million problems.
    sites = {f"s{i:04d}": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"} for i in range(1000)}
    found = problems(with_value(hub_doc(), (SITES,), sites))
    overlaps = [p for p in found if "must not overlap" in p.rule]
    assert len(overlaps) == 2 * 999
    assert_says(
        next(p for p in overlaps if p.path == f"{SITES}.s0999.nodeCidr"),
        f"10.200.0.0/16 overlaps 10.200.0.0/16 ({SITES}.s0000.nodeCidr) and 998 other networks",
    )
    assert str(ConfigError(found)).count("\n") < 250  # and the report itself is capped


def test_disjoint_adjacent_cidrs_do_not_overlap():
    doc = site_cidrs(
        dallas=("10.200.0.0/16", "192.168.0.0/17"), chicago=("10.201.0.0/16", "192.168.128.0/17")
    )
    validate_stack(doc, FILE)


def test_an_invalid_cidr_still_takes_part_in_the_overlap_check_when_it_parses():
    # Outside RFC 1918 and CGNAT but parseable: both the per-key rule and the overlap are reported, at once.
    doc = site_cidrs(dallas=("10.200.0.0/16", "100.128.0.0/10"), chicago=("10.201.0.0/16", "100.128.0.0/16"))
    found = problems(doc)
    assert [p.path for p in found] == [
        f"{SITES}.chicago.podCidr",
        f"{SITES}.chicago.podCidr",
        f"{SITES}.dallas.podCidr",
    ]


# --- sites inventory ----------------------------------------------------------------------------------


def test_sites_inventory_must_not_be_empty():
    single(with_value(hub_doc(), (SITES,), {}), SITES, "needs at least 1 entry (got 0)")


@pytest.mark.parametrize("name", ["Dallas", "dallas_1", "-dallas", "dallas-", "d" * 64])
def test_site_names_are_slugs(name):
    doc = with_value(hub_doc(), (SITES, name), {"nodeCidr": "10.210.0.0/16", "podCidr": "172.30.0.0/16"})
    single(doc, f"{SITES}.{name}", "is not a lowercase name")


def test_route_via_is_transit_gateway_or_site():
    single(
        with_value(hub_doc(), (SITES, "dallas", "routeVia"), "vgw"),
        f"{SITES}.dallas.routeVia",
        "must be transitGateway or site",
    )


def test_site_entry_needs_both_cidrs():
    single(
        without(hub_doc(), (SITES, "dallas", "podCidr")), f"{SITES}.dallas.podCidr", "required key is missing"
    )


# --- gateways -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["eks-hybrid:transitGateway", "eks-hybrid:virtualPrivateGateway"])
@pytest.mark.parametrize("asn", [1, 7224, 23456, 64511, 65535, 65536, 4199999999, 4294967295, 0])
def test_amazon_side_asn_must_be_private(key, asn):
    single(
        with_value(hub_doc(), (key, "amazonSideAsn"), asn),
        f"{key}.amazonSideAsn",
        "must be a private ASN",
        str(asn),
    )


@pytest.mark.parametrize("asn", [64512, 65000, 65534, 4200000000, 4294967294])
def test_private_amazon_side_asns_are_accepted(asn):
    doc = with_value(hub_doc(), ("eks-hybrid:transitGateway", "amazonSideAsn"), asn)
    doc = with_value(doc, ("eks-hybrid:virtualPrivateGateway", "amazonSideAsn"), asn)
    config = validate_stack(doc, FILE)
    assert config.transit_gateway.amazon_side_asn == asn
    assert (
        config.virtual_private_gateway is not None and config.virtual_private_gateway.amazon_side_asn == asn
    )


# --- credentials --------------------------------------------------------------------------------------

CREDS = "eks-hybrid:credentials"
ARN = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0f1e2d3c"


def credentials(value: dict) -> dict:
    return with_value(hub_doc(), (CREDS,), value)


def test_provider_is_required_and_one_of_two():
    single(credentials({"ssm": {}}), f"{CREDS}.provider", "required key is missing")
    single(
        credentials({"provider": "both", "ssm": {}}), f"{CREDS}.provider", "must be iamRolesAnywhere or ssm"
    )
    single(
        credentials({"provider": ["ssm", "iamRolesAnywhere"]}),
        f"{CREDS}.provider",
        "must be iamRolesAnywhere or ssm",
    )


def test_ssm_provider_needs_its_settings():
    single(credentials({"provider": "ssm"}), f"{CREDS}.ssm", "provider is ssm, so its settings are required")
    # Another provider's settings do not stand in for its own.
    single(
        credentials({"provider": "ssm", "iamRolesAnywhere": {"acmPcaArn": ARN}}),
        f"{CREDS}.ssm",
        "its settings are required",
    )


def test_iam_roles_anywhere_provider_needs_its_settings():
    single(
        credentials({"provider": "iamRolesAnywhere", "ssm": {}}),
        f"{CREDS}.iamRolesAnywhere",
        "provider is iamRolesAnywhere, so its settings are required",
        "certificateAuthorityPem, generateCertificateAuthority: true, or acmPcaArn",
    )


def test_iam_roles_anywhere_needs_a_trust_anchor_source():
    single(
        credentials({"provider": "iamRolesAnywhere", "iamRolesAnywhere": {"sessionDurationSeconds": 3600}}),
        f"{CREDS}.iamRolesAnywhere",
        "exactly one CA source",
        "(got none)",
    )


def test_iam_roles_anywhere_takes_only_one_trust_anchor_source():
    doc = credentials(
        {
            "provider": "iamRolesAnywhere",
            "iamRolesAnywhere": {"certificateAuthorityPem": "[secret]", "acmPcaArn": ARN},
        }
    )
    single(
        doc,
        f"{CREDS}.iamRolesAnywhere",
        "exactly one CA source",
        "(got certificateAuthorityPem and acmPcaArn)",
    )


@pytest.mark.parametrize(
    "settings", [{"acmPcaArn": ARN}, {"certificateAuthorityPem": "[secret]", "sessionDurationSeconds": 900}]
)
def test_iam_roles_anywhere_with_one_source_is_accepted(settings):
    config = validate_stack(credentials({"provider": "iamRolesAnywhere", "iamRolesAnywhere": settings}), FILE)
    assert config.credentials.provider == "iamRolesAnywhere"


def test_the_other_providers_settings_may_stay_in_the_file():
    # The contract's own example keeps an `ssm:` block beside the chosen iamRolesAnywhere provider.
    doc = credentials({"provider": "iamRolesAnywhere", "iamRolesAnywhere": {"acmPcaArn": ARN}, "ssm": {}})
    validate_stack(doc, FILE)


@pytest.mark.parametrize(
    ("settings", "path", "phrase"),
    [
        ({"acmPcaArn": "arn:aws:iam::123456789012:role/x"}, "acmPcaArn", "an AWS Private CA ARN"),
        (
            {"acmPcaArn": ARN, "sessionDurationSeconds": 899},
            "sessionDurationSeconds",
            "must be at least 900 (got 899)",
        ),
        (
            {"acmPcaArn": ARN, "sessionDurationSeconds": 43201},
            "sessionDurationSeconds",
            "must be at most 43200 (got 43201)",
        ),
    ],
)
def test_iam_roles_anywhere_settings(settings, path, phrase):
    doc = credentials({"provider": "iamRolesAnywhere", "iamRolesAnywhere": settings})
    single(doc, f"{CREDS}.iamRolesAnywhere.{path}", phrase)


@pytest.mark.parametrize(
    ("key", "value"), [("registrationLimit", 0), ("registrationLimit", 1001), ("expirationDays", 31)]
)
def test_ssm_settings_bounds(key, value):
    single(credentials({"provider": "ssm", "ssm": {key: value}}), f"{CREDS}.ssm.{key}", f"(got {value})")


# --- cilium -------------------------------------------------------------------------------------------

CILIUM = "eks-hybrid:cilium"


def test_cilium_mask_shorter_than_a_pod_cidr_is_rejected():
    doc = with_value(hub_doc(), (CILIUM, "podCidrMaskSize"), 20)
    doc = with_value(doc, (SITES, "dallas", "podCidr"), "192.168.0.0/22")
    single(
        doc,
        f"{CILIUM}.podCidrMaskSize",
        "/20 per-node blocks cannot be carved from site dallas's pod CIDR 192.168.0.0/22",
        "at least /22",
    )


def test_default_cilium_mask_is_checked_too():
    doc = with_value(hub_doc(), (SITES, "chicago", "podCidr"), "172.18.0.0/26")
    single(doc, f"{CILIUM}.podCidrMaskSize", "/25 per-node blocks", "site chicago's", "at least /26")


def test_cilium_mask_reports_every_site_it_cannot_serve():
    doc = with_value(hub_doc(), (CILIUM, "podCidrMaskSize"), 24)
    doc = with_value(doc, (SITES, "dallas", "podCidr"), "192.168.0.0/25")
    doc = with_value(doc, (SITES, "chicago", "podCidr"), "172.18.0.0/26")
    found = problems(doc)
    assert [p.path for p in found] == [f"{CILIUM}.podCidrMaskSize"] * 2
    assert {("dallas" in p.rule, "chicago" in p.rule) for p in found} == {(True, False), (False, True)}


def test_cilium_mask_equal_to_the_pod_prefix_is_accepted():
    doc = with_value(hub_doc(), (CILIUM, "podCidrMaskSize"), 16)
    validate_stack(doc, FILE)


@pytest.mark.parametrize("mask", [15, 31])
def test_cilium_mask_bounds(mask):
    found = problems(with_value(hub_doc(), (CILIUM, "podCidrMaskSize"), mask))
    assert f"{CILIUM}.podCidrMaskSize" in [p.path for p in found]


def test_cilium_chart_version_is_semver():
    single(
        with_value(hub_doc(), (CILIUM, "chartVersion"), "latest"),
        f"{CILIUM}.chartVersion",
        "a chart version x.y.z",
    )


@pytest.mark.parametrize(
    "repository", ["ftp://charts.example.com/cilium", "charts.example.com", "oci://", ""]
)
def test_cilium_repository_is_one_helm_installs_from(repository):
    # Helm installs charts only from oci:// and http(s):// locations: `ftp://` is refused here, at plan time.
    single(
        with_value(hub_doc(), (CILIUM, "repository"), repository),
        f"{CILIUM}.repository",
        "must be an OCI location (oci://registry/path) or a Helm repository URL",
    )


@pytest.mark.parametrize(
    "repository",
    ["oci://public.ecr.aws/eks/cilium/cilium", "https://helm.cilium.io", "http://10.0.0.5:8080/x"],
)
def test_cilium_repository_schemes_the_chart_source_takes(repository):
    validate_stack(with_value(hub_doc(), (CILIUM, "repository"), repository), FILE)


# --- palette ------------------------------------------------------------------------------------------

PALETTE = "eks-hybrid:palette"


def test_palette_block_is_accepted_with_defaults():
    config = validate_stack(with_value(hub_doc(), (PALETTE,), palette_block()), FILE)
    assert config.palette is not None
    assert config.palette.endpoint == "https://api.spectrocloud.com"
    assert config.palette.profile.name == "eks-hybrid-nodes"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("projectUid",), "not-a-uid"),
        (("endpoint",), "https://api.spectrocloud.com/v1/projects"),
        (("endpoint",), "ftp://api.spectrocloud.com"),
        (("profile", "version"), "1.0"),
        (("profile", "name"), "EKS Hybrid"),
        (("profile", "kubernetes", "version"), "1.31"),
        (("profile", "os", "providerImage"), ""),
    ],
)
def test_palette_settings(path, value):
    doc = with_value(hub_doc(), (PALETTE,), palette_block())
    doc = with_value(doc, (PALETTE, *path), value)
    single(doc, ".".join([PALETTE, *path]))


def test_palette_profile_is_required():
    doc = with_value(hub_doc(), (PALETTE,), without(palette_block(), ("profile",)))
    single(doc, f"{PALETTE}.profile", "required key is missing")


def test_tags_are_strings():
    single(with_value(hub_doc(), ("eks-hybrid:tags",), {"team": 7}), "eks-hybrid:tags.team", "must be text")


# --- what real AWS accepts -----------------------------------------------------------------------------

CREDENTIALS = "eks-hybrid:credentials"
REMOTE = "eks-hybrid:remoteNetworks"


def test_new_keys_have_their_defaults():
    config = validate_stack(hub_doc(), FILE)
    assert config.cluster.core_dns == "cloud"
    assert config.cluster.public_access_cidrs is None
    assert config.remote_networks is None
    assert config.transit_gateway.subnet_ids is None
    assert config.credentials.enable_credentials_file is False
    assert config.cilium.chart_version == "1.18.5-0"
    assert config.cilium.repository == "oci://public.ecr.aws/eks/cilium/cilium"
    assert config.cilium_ipam == "multiPool"  # two sites
    assert (config.quotas.security_group_rules, config.quotas.routes_per_route_table) == (60, 50)


def test_one_site_keeps_cluster_pool_and_ipam_can_be_set():
    one = with_value(
        hub_doc(), (SITES,), {"dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"}}
    )
    assert validate_stack(one, FILE).cilium_ipam == "clusterPool"
    explicit = with_value(one, (CILIUM, "ipam"), "multiPool")
    assert validate_stack(explicit, FILE).cilium_ipam == "multiPool"


@pytest.mark.parametrize("value", ["cloud", "hybrid"])
def test_core_dns_is_cloud_or_hybrid(value):
    assert validate_stack(cluster("coreDns", value), FILE).cluster.core_dns == value


def test_core_dns_other_values_are_refused():
    single(cluster("coreDns", "both"), f"{CLUSTER}.coreDns", "must be cloud or hybrid")


def test_public_endpoint_needs_public_access_cidrs():
    problem = single(
        cluster("endpointAccess", "public"), f"{CLUSTER}.publicAccessCidrs", "needs publicAccessCidrs"
    )
    assert_says(problem, "0.0.0.0/0", "explicitly")


def test_public_access_cidrs_on_a_private_endpoint_are_refused():
    single(
        cluster("publicAccessCidrs", ["203.0.113.0/24"]),
        f"{CLUSTER}.publicAccessCidrs",
        "endpoint is private",
    )


def test_an_endpoint_open_to_the_internet_is_accepted_when_written_out():
    doc = with_value(cluster("endpointAccess", "public"), (CLUSTER, "publicAccessCidrs"), ["0.0.0.0/0"])
    assert validate_stack(doc, FILE).cluster.public_access_cidrs == ["0.0.0.0/0"]


def test_public_access_cidrs_are_cidrs():
    doc = with_value(cluster("endpointAccess", "public"), (CLUSTER, "publicAccessCidrs"), ["203.0.113.7"])
    single(doc, f"{CLUSTER}.publicAccessCidrs[0]", "not an IPv4 network in CIDR notation")


def test_sixteen_distinct_site_cidrs_are_refused_without_aggregates():
    doc = site_cidrs(**{f"s{i:02d}": (f"10.{i}.0.0/16", f"192.168.{i * 8}.0/21") for i in range(16)})
    found = at(doc, SITES)
    assert len(found) == 2
    assert_says(found[0], "16 sites' node CIDRs", "at most 15 per cluster", f"{REMOTE}.nodeCidrs")
    assert_says(found[1], "16 sites' pod CIDRs", "at most 15 per cluster", f"{REMOTE}.podCidrs")


def test_every_site_must_lie_inside_an_aggregate():
    doc = with_value(hub_doc(), (REMOTE,), {"nodeCidrs": ["10.200.0.0/15"], "podCidrs": ["192.168.0.0/16"]})
    found = problems(doc)
    assert [p.path for p in found] == [f"{SITES}.chicago.podCidr"]
    assert_says(found[0], "site chicago's pod CIDR 172.18.0.0/16 is outside every", f"{REMOTE}.podCidrs")


def test_aggregates_may_not_overlap_the_vpc_the_service_cidr_or_each_other():
    doc = with_value(
        hub_doc(), (REMOTE,), {"nodeCidrs": ["10.0.0.0/8"], "podCidrs": ["172.16.0.0/12", "192.168.0.0/16"]}
    )
    found = problems(doc)
    rules = {p.path: p.rule for p in found}
    # 10.0.0.0/8 contains the VPC CIDR; 172.16.0.0/12 contains the service CIDR.
    assert set(rules) == {f"{CLUSTER}.vpcCidr", f"{CLUSTER}.serviceCidr"}
    assert all("remote network aggregates must not overlap" in rule for rule in rules.values())


def test_at_most_fifteen_aggregates_of_a_kind():
    doc = with_value(hub_doc(), (REMOTE, "nodeCidrs"), [f"10.{i}.0.0/16" for i in range(200, 216)])
    assert f"{REMOTE}.nodeCidrs" in paths(doc)


def test_tunnel_inside_cidrs_are_unique_across_the_inventory():
    doc = with_value(
        hub_doc(), (SITES, "dallas", "tunnelInsideCidrs"), ["169.254.10.0/30", "169.254.10.4/30"]
    )
    doc = with_value(doc, (SITES, "chicago", "tunnelInsideCidrs"), ["169.254.10.4/30"])
    # Reported at the later of the two in inventory order (dallas is listed first).
    problem = single(doc, f"{SITES}.chicago.tunnelInsideCidrs[0]", "169.254.10.4/30 is already")
    assert_says(problem, f"{SITES}.dallas.tunnelInsideCidrs[1]", "unique across every VPN connection")


def test_tunnel_inside_cidrs_are_tunnel_cidrs():
    doc = with_value(hub_doc(), (SITES, "dallas", "tunnelInsideCidrs"), ["169.254.1.0/30"])
    single(doc, f"{SITES}.dallas.tunnelInsideCidrs[0]", "reserved by AWS")


def test_cluster_pool_with_several_statically_routed_sites_is_refused():
    doc = with_value(hub_doc(), (CILIUM, "ipam"), "clusterPool")
    problem = single(
        doc, f"{CILIUM}.ipam", "BGP end to end", "bgpControlPlane is off", "chicago is routeVia: site"
    )
    assert_says(problem, "ipam: multiPool")


def test_cluster_pool_with_every_site_on_the_transit_gateway_and_bgp_is_accepted():
    doc = with_value(hub_doc(), (CILIUM,), {"ipam": "clusterPool", "bgpControlPlane": True})
    doc = with_value(doc, (SITES, "chicago", "routeVia"), "transitGateway")
    doc = with_value(doc, (SITES, "dallas", "bgpPeer"), {"address": "10.200.0.1", "asn": 65010})
    doc = with_value(doc, (SITES, "chicago", "bgpPeer"), {"address": "10.201.0.1", "asn": 65020})
    config = validate_stack(doc, FILE)
    assert isinstance(config, HubConfig)
    assert config.cilium_ipam == "clusterPool"
    assert config.cilium.cluster_asn == 65100  # the default
    assert {name: (p.address, p.asn) for name, p in config.bgp_peers.items()} == {
        "dallas": ("10.200.0.1", 65010),
        "chicago": ("10.201.0.1", 65020),
    }


def test_cluster_pool_over_several_sites_needs_every_sites_nodes_to_advertise():
    doc = with_value(hub_doc(), (CILIUM,), {"ipam": "clusterPool", "bgpControlPlane": True})
    doc = with_value(doc, (SITES, "chicago", "routeVia"), "transitGateway")
    doc = with_value(doc, (SITES, "dallas", "bgpPeer"), {"address": "10.200.0.1", "asn": 65010})
    single(doc, f"{SITES}.chicago", "cluster-pool IPAM over 2 sites", "give it a bgpPeer", "ipam: multiPool")


# --- Cilium BGP: the cluster's ASN and each site's router ---------------------------------------------


def bgp_hub(**peer: object) -> dict:
    doc = with_value(hub_doc(), (CILIUM, "bgpControlPlane"), True)
    return with_value(doc, (SITES, "dallas", "bgpPeer"), {"address": "10.200.0.1", "asn": 65010, **peer})


def test_a_bgp_peer_is_valid_and_other_sites_may_keep_static_pod_routes():
    config = validate_stack(with_value(bgp_hub(), (CILIUM, "clusterAsn"), 4200000100), FILE)
    assert isinstance(config, HubConfig)
    assert config.cilium.cluster_asn == 4200000100
    assert list(config.bgp_peers) == ["dallas"]  # chicago: multi-pool, pod-routes.sh
    assert config.sites["chicago"].bgp_peer is None


def test_a_bgp_peer_needs_the_bgp_control_plane():
    doc = with_value(bgp_hub(), (CILIUM, "bgpControlPlane"), False)
    single(doc, f"{SITES}.dallas.bgpPeer", "set eks-hybrid:cilium.bgpControlPlane: true", "or remove bgpPeer")


@pytest.mark.parametrize(
    ("address", "phrase"),
    [
        ("10.201.0.1", "is not in the site's node CIDR 10.200.0.0/16"),
        ("10.200.0.0", "network or broadcast address"),
        ("10.200.255.255", "network or broadcast address"),
    ],
)
def test_the_router_is_on_the_nodes_segment(address, phrase):
    single(bgp_hub(address=address), f"{SITES}.dallas.bgpPeer.address", phrase)


def test_a_malformed_router_address_is_the_per_key_checks():
    single(bgp_hub(address="router-1"), f"{SITES}.dallas.bgpPeer.address", "is not an IPv4 address")


def test_the_router_and_the_nodes_peer_over_ebgp():
    single(bgp_hub(asn=65100), f"{SITES}.dallas.bgpPeer.asn", "is also eks-hybrid:cilium.clusterAsn", "eBGP")
    doc = with_value(bgp_hub(), (CILIUM, "clusterAsn"), 65010)
    single(doc, f"{SITES}.dallas.bgpPeer.asn", "65010 is also eks-hybrid:cilium.clusterAsn")


@pytest.mark.parametrize("asn", [23456, 64500, 65535, 70000])
def test_reserved_asns_cannot_peer(asn):
    single(bgp_hub(asn=asn), f"{SITES}.dallas.bgpPeer.asn", f"ASN {asn} is reserved")
    doc = with_value(bgp_hub(), (CILIUM, "clusterAsn"), asn)
    single(doc, f"{CILIUM}.clusterAsn", f"ASN {asn} is reserved")


TGW = "eks-hybrid:transitGateway"
VGW = "eks-hybrid:virtualPrivateGateway"


@pytest.mark.parametrize(
    ("gateways", "cluster_asn", "key", "default"),
    [
        ({}, 64512, f"{TGW}.amazonSideAsn", True),
        ({TGW: {"amazonSideAsn": 65001}}, 65001, f"{TGW}.amazonSideAsn", False),
        ({VGW: {}}, 64513, f"{VGW}.amazonSideAsn", True),
        ({VGW: {"amazonSideAsn": 4200000001}}, 4200000001, f"{VGW}.amazonSideAsn", False),
    ],
)
def test_the_cluster_asn_differs_from_each_gateways_amazon_side_asn(gateways, cluster_asn, key, default):
    # The node blocks reach AWS with clusterAsn in their AS path; a gateway drops a route whose path holds
    # its own ASN (RFC 4271, 9.1.2), so the routes would be lost. Read as the models read the keys.
    doc = with_value(bgp_hub(), (CILIUM, "clusterAsn"), cluster_asn)
    doc |= gateways
    problem = single(
        doc, f"{CILIUM}.clusterAsn", f"{cluster_asn} is also {key}", "eks-hybrid:cilium.clusterAsn"
    )
    assert problem.code.value == "cluster-asn-is-amazon-side"
    assert ("(its default)" in problem.rule) is default


def test_the_cluster_asn_may_be_the_asn_of_a_gateway_the_hub_does_not_have():
    # No virtualPrivateGateway block (or a null one): no VGW, so its default ASN is free.
    for doc in (hub_doc(), with_value(hub_doc(), (VGW,), None)):
        config = validate_stack(with_value(doc, (CILIUM, "clusterAsn"), 64513), FILE)
        assert isinstance(config, HubConfig) and config.virtual_private_gateway is None
    # A moved TGW ASN frees its default.
    doc = with_value(hub_doc(), (TGW, "amazonSideAsn"), 65001)
    assert validate_stack(with_value(doc, (CILIUM, "clusterAsn"), 64512), FILE).cilium.cluster_asn == 64512


def test_both_gateways_sharing_the_cluster_asn_give_one_problem_each():
    doc = with_value(hub_doc(), (CILIUM, "clusterAsn"), 65001)
    doc = with_value(doc, (TGW, "amazonSideAsn"), 65001)
    doc = with_value(doc, (VGW, "amazonSideAsn"), 65001)
    found = problems(doc)
    assert [p.path for p in found] == [f"{CILIUM}.clusterAsn"] * 2
    assert [p.rule.split(": the gateway")[0] for p in found] == [
        f"65001 is also {TGW}.amazonSideAsn",
        f"65001 is also {VGW}.amazonSideAsn",
    ]


@pytest.mark.parametrize("asn", [True, 0, "65100", 4294967295])
def test_asns_are_whole_numbers_in_range(asn):
    assert f"{CILIUM}.clusterAsn" in paths(with_value(bgp_hub(), (CILIUM, "clusterAsn"), asn))
    assert f"{SITES}.dallas.bgpPeer.asn" in paths(bgp_hub(asn=asn))


def test_a_bgp_peer_has_only_address_and_asn():
    assert paths(bgp_hub(port=179)) == [f"{SITES}.dallas.bgpPeer.port"]
    assert f"{SITES}.dallas.bgpPeer.asn" in paths(
        with_value(hub_doc(), (SITES, "dallas", "bgpPeer"), {"address": "10.200.0.1"})
    )


@pytest.mark.parametrize("version", ["1.16.6", "1.19.1"])
def test_cilium_lines_aws_does_not_support_are_refused(version):
    single(
        with_value(hub_doc(), (CILIUM, "chartVersion"), version), f"{CILIUM}.chartVersion", "1.17.x, 1.18.x"
    )


def test_the_palette_kubernetes_layer_follows_the_cluster_version():
    doc = with_value(hub_doc(), (PALETTE,), palette_block())
    validate_stack(doc, FILE)
    old = with_value(doc, (PALETTE, "profile", "kubernetes", "version"), "1.34.2")
    found = problems(old)
    assert [p.path for p in found] == [f"{PALETTE}.profile.os.providerImage"]
    assert_says(found[0], "built for Kubernetes 1.35.0 (K8S_VERSION", "the Kubernetes layer is 1.34.2")


@pytest.mark.parametrize("layer", ["1.35.0", "1.34.2", "1.33.0", "1.32.0"])
def test_the_palette_kubernetes_layer_may_be_up_to_three_minors_behind_the_cluster(layer):
    # AWS, "Upgrade hybrid nodes": never newer than the control plane, up to three minors older.
    doc = with_value(hub_doc(), (PALETTE,), palette_block())
    doc = with_value(doc, (PALETTE, "profile", "kubernetes", "version"), layer)
    image = f"registry.example.com/edge/ubuntu:nodeadm-{layer}-v4.5.21"
    doc = with_value(doc, (PALETTE, "profile", "os", "providerImage"), image)
    validate_stack(doc, FILE)


@pytest.mark.parametrize(
    ("layer", "says"),
    [
        ("1.36.0", "newer than the cluster's Kubernetes 1.35"),
        ("1.31.0", "4 minor versions behind the cluster's Kubernetes 1.35"),
        ("2.35.0", "is not a Kubernetes 1.x release"),
    ],
)
def test_a_palette_kubernetes_layer_outside_the_skew_is_refused(layer, says):
    doc = with_value(hub_doc(), (PALETTE,), palette_block())
    doc = with_value(doc, (PALETTE, "profile", "kubernetes", "version"), layer)
    image = f"registry.example.com/edge/ubuntu:nodeadm-{layer}-v4.5.21"
    doc = with_value(doc, (PALETTE, "profile", "os", "providerImage"), image)
    found = problems(doc)
    assert [(p.path, p.code.value) for p in found] == [
        (f"{PALETTE}.profile.kubernetes.version", "kubernetes-layer-mismatch")
    ]
    assert_says(found[0], says, "hybrid-nodes-upgrade")


def test_a_provider_image_render_cannot_split_is_refused():
    # render writes the EdgeForge .arg lines from the image's parts: a name without them used to drop them.
    doc = with_value(hub_doc(), (PALETTE,), palette_block())
    doc = with_value(
        doc, (PALETTE, "profile", "os", "providerImage"), "registry.example.com/edge/ubuntu:latest"
    )
    found = problems(doc)
    assert [(p.path, p.code.value) for p in found] == [
        (f"{PALETTE}.profile.os.providerImage", "invalid-provider-image")
    ]
    assert "e.g. registry.example.com/edge/ubuntu:nodeadm-1.32.0-v4.5.21-eks-hybrid" in found[0].rule


def test_enable_credentials_file_is_a_bool():
    doc = with_value(hub_doc(), (CREDENTIALS, "enableCredentialsFile"), True)
    assert validate_stack(doc, FILE).credentials.enable_credentials_file is True


def test_quotas_are_bounded():
    assert "eks-hybrid:quotas.securityGroupRules" in paths(
        with_value(hub_doc(), ("eks-hybrid:quotas", "securityGroupRules"), 0)
    )


def public(*allowed: str, egress: list[str] | None = None) -> dict:
    doc = with_value(cluster("endpointAccess", "public"), (CLUSTER, "publicAccessCidrs"), list(allowed))
    return doc if egress is None else with_value(doc, (CLUSTER, "cloudEgressCidrs"), egress)


def test_a_limited_public_endpoint_needs_the_cloud_nodes_egress():
    # EKS user guide, cluster-endpoint.html: the ranges must include the addresses nodes reach the public
    # endpoint from; the cloud node group's are its NAT gateways' Elastic IPs.
    problem = single(public("203.0.113.0/24"), f"{CLUSTER}.cloudEgressCidrs", "cloud node group reaches it")
    assert problem.code == "cloud-egress-required"
    assert_says(problem, "NAT gateways", "describe-nat-gateways", "add them to publicAccessCidrs")


def test_cloud_egress_outside_the_public_ranges_is_refused():
    doc = public("203.0.113.0/24", "192.0.2.10/32", egress=["192.0.2.10/32", "192.0.2.11/32"])
    problem = single(doc, f"{CLUSTER}.publicAccessCidrs", "192.0.2.11/32 (cloudEgressCidrs")
    assert problem.code == "cloud-egress-outside"


def test_cloud_egress_inside_the_public_ranges_or_an_open_endpoint_plans():
    inside = public("203.0.113.0/24", "192.0.2.0/28", egress=["192.0.2.10/32", "192.0.2.11/32"])
    assert validate_stack(inside, FILE).cluster.cloud_egress_cidrs == ["192.0.2.10/32", "192.0.2.11/32"]
    assert validate_stack(public("0.0.0.0/0"), FILE).cluster.cloud_egress_cidrs is None


def test_enable_credentials_file_is_refused_while_palette_manages_the_nodes():
    # Palette's nodeadm provider writes hybrid.enableCredentialsFile: false and reads only containerd and
    # kubelet settings from the Nodeadm pack (kairos-io/provider-nodeadm pre_install.go toHybridConfig).
    doc = with_value(hub_doc(), (PALETTE,), palette_block())
    validate_stack(with_value(doc, ("eks-hybrid:credentials", "enableCredentialsFile"), False), FILE)
    on = with_value(doc, ("eks-hybrid:credentials", "enableCredentialsFile"), True)
    found = [p for p in problems(on) if p.code.value == "credentials-file-with-palette"]
    assert [p.path for p in found] == ["eks-hybrid:credentials.enableCredentialsFile"]
    assert_says(found[0], "hybrid.enableCredentialsFile: false", "kairos-io/provider-nodeadm")
    # Without Palette the nodes' NodeConfig is eks-hybrid's own, which sets it.
    validate_stack(with_value(hub_doc(), ("eks-hybrid:credentials", "enableCredentialsFile"), True), FILE)
