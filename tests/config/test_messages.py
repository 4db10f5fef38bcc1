"""How problems are worded and reported: key paths, unknown keys, the role, all at once, secrets."""

from __future__ import annotations

import pytest

from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.errors import ConfigError
from eks_hybrid.components.errors import key_path as dotted

from .builders import (
    FILE,
    SECRET,
    assert_says,
    hub_doc,
    palette_block,
    paths,
    problems,
    single,
    site_doc,
    with_value,
)


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("eks-hybrid:site", "nodePools", 0, "name"), "eks-hybrid:site.nodePools[0].name"),
        (("eks-hybrid:cluster", "subnetIds", 1), "eks-hybrid:cluster.subnetIds[1]"),
        (("eks-hybrid:sites", "Dallas", "[key]"), "eks-hybrid:sites.Dallas"),
        (("a", 0, 1, "b"), "a[0][1].b"),
        ((), ""),
    ],
)
def test_dotted(loc, path):
    assert dotted(loc) == path


# --- role ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "got"), [(None, "it is missing"), ("spoke", "got 'spoke'"), ("Hub", "got 'Hub'")]
)
def test_role_must_be_hub_or_site(role, got):
    doc = hub_doc()
    if role is None:
        del doc["eks-hybrid:role"]
    else:
        doc["eks-hybrid:role"] = role
    single(doc, "eks-hybrid:role", "must be hub or site", got)


def test_a_swapped_role_is_one_problem_naming_the_role():
    # Read as a site file, a hub file marked `site` would be five problems (unknown hub keys, missing site
    # keys), none of them the real one.
    doc = with_value(hub_doc(), ("eks-hybrid:role",), "site")
    single(doc, "eks-hybrid:role", "is site, but this file holds a hub stack's keys", "role: hub")
    doc = with_value(site_doc(), ("eks-hybrid:role",), "hub")
    single(doc, "eks-hybrid:role", "eks-hybrid:hub, eks-hybrid:site", "set eks-hybrid:role: site")


def test_a_document_mixing_both_roles_keys_is_checked_key_by_key():
    doc = {**hub_doc(), "eks-hybrid:site": site_doc()["eks-hybrid:site"]}
    assert_says(single(doc, "eks-hybrid:site"), "unknown key 'eks-hybrid:site'")


# --- unknown keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc_path", "typo", "meant"),
    [
        ((), "eks-hybrid:custer", "eks-hybrid:cluster"),
        (("eks-hybrid:cluster",), "kubernetesVer", "kubernetesVersion"),
        (("eks-hybrid:cluster",), "subnetId", "subnetIds"),
        (("eks-hybrid:cluster", "nodeGroup"), "minSze", "minSize"),
        (("eks-hybrid:sites", "dallas"), "podCird", "podCidr"),
        (("eks-hybrid:credentials",), "iamRoleAnywhere", "iamRolesAnywhere"),
        (("eks-hybrid:cilium",), "podCidrMask", "podCidrMaskSize"),
    ],
)
def test_unknown_hub_keys_suggest_the_key_meant(doc_path, typo, meant):
    doc = with_value(hub_doc(), (*doc_path, typo), 1) if doc_path else {**hub_doc(), typo: 1}
    path = ".".join([*doc_path, typo])
    single(doc, path, f"unknown key '{typo}'; did you mean '{meant}'?")


@pytest.mark.parametrize(
    ("doc_path", "typo", "meant"),
    [
        (("eks-hybrid:site", "connectivity"), "siteToSiteVPN", "siteToSiteVpn"),
        (("eks-hybrid:site", "connectivity", "siteToSiteVpn", "customerGateway"), "bgpASN", "bgpAsn"),
        (("eks-hybrid:site", "nodePools", 1), "edgeHost", "edgeHosts"),
        (("eks-hybrid:site", "nodePools", 0, "edgeHosts", 1), "vpnServerIP", "vpnServerIp"),
    ],
)
def test_unknown_site_keys_suggest_the_key_meant_through_lists(doc_path, typo, meant):
    doc = with_value(site_doc(), (*doc_path, typo), "x")
    path = (
        doc_path[0] + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in doc_path[1:]) + f".{typo}"
    )
    single(doc, path, f"unknown key '{typo}'; did you mean '{meant}'?")


def test_unknown_key_with_nothing_close_lists_the_allowed_keys():
    doc = with_value(hub_doc(), ("eks-hybrid:transitGateway", "zzz"), 1)
    single(doc, "eks-hybrid:transitGateway.zzz", "unknown key 'zzz' (allowed: amazonSideAsn, subnetIds)")


def test_snake_case_python_names_are_not_suggested():
    found = problems(with_value(hub_doc(), ("eks-hybrid:cluster", "vpc_idd"), 1))
    assert "vpc_id'" not in found[0].rule


def test_other_namespaces_are_not_checked():
    doc = {**hub_doc(), "aws:profile": "prod", "kubernetes:context": 7, "eks-hybridx:foo": 1}
    validate_stack(doc, FILE)


# --- every problem at once ----------------------------------------------------------------------------


def test_many_problems_are_reported_at_once_sorted_by_path():
    doc = hub_doc()
    doc["eks-hybrid:cluster"] |= {
        "kubernetesVersion": "1.27",
        "authenticationMode": "CONFIG_MAP",
        "endpointAccess": "both",
        "subnetIds": ["subnet-0a1b2c3d4e5f60001", "bad"],
    }
    doc["eks-hybrid:sites"]["dallas"]["podCidr"] = "8.8.0.0/16"
    doc["eks-hybrid:sites"]["chicago"]["nodeCidr"] = "10.200.0.0/16"
    doc["eks-hybrid:credentials"] = {"provider": "ssm"}
    doc["eks-hybrid:clutser"] = {}
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE)
    error = caught.value
    expected = [
        "eks-hybrid:cluster.authenticationMode",
        "eks-hybrid:cluster.endpointAccess",
        "eks-hybrid:cluster.kubernetesVersion",
        "eks-hybrid:cluster.subnetIds[1]",
        "eks-hybrid:clutser",
        "eks-hybrid:credentials.ssm",
        "eks-hybrid:sites.dallas.nodeCidr",
        "eks-hybrid:sites.dallas.podCidr",
    ]
    assert [p.path for p in error.problems] == expected
    assert [p.code for p in error.problems] == [
        "authentication-mode",
        "endpoint-access",
        "kubernetes-version-unknown",
        "not-a-subnet-id",
        "unknown-key",
        "settings-required",
        "cidr-overlap",
        "cidr-not-remote-range",
    ]
    text = str(error)
    assert text.splitlines()[0] == f"invalid stack configuration ({len(expected)} problems):"
    for problem in error.problems:
        assert f"  - {FILE}: {problem.path}: {problem.rule} [{problem.code}]" in text.splitlines()


def test_site_problems_of_every_kind_are_reported_at_once():
    doc = site_doc()
    site = doc["eks-hybrid:site"]
    site["connectivity"]["siteToSiteVpn"] |= {
        "customerGateway": {"ipAddress": "203.0.113.10", "bgpAsn": 23456},
        "tunnels": [
            {"insideCidr": "169.254.10.0/30", "presharedKey": "plain-psk-1"},
            {"insideCidr": "169.254.10.0/30"},
        ],
    }
    site["nodePools"].append({"name": "workers", "edgeHosts": [{"uid": "edge-0001", "vpnServerIp": "nope"}]})
    assert paths(doc) == [
        "eks-hybrid:site.connectivity.siteToSiteVpn.customerGateway.bgpAsn",
        "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[0].presharedKey",
        "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[1].insideCidr",
        "eks-hybrid:site.nodePools[2].edgeHosts[0].uid",
        "eks-hybrid:site.nodePools[2].edgeHosts[0].vpnServerIp",
        "eks-hybrid:site.nodePools[2].name",
    ]


def test_non_secret_inputs_are_echoed_to_help():
    problem = single(
        with_value(hub_doc(), ("eks-hybrid:cluster", "mode"), "adopt"), "eks-hybrid:cluster.mode"
    )
    assert "(got 'adopt')" in problem.rule


# --- plaintext credentials ----------------------------------------------------------------------------

ARN = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0f1e2d3c"


def hub_with_secrets(api_key: str, pem: str) -> dict:
    doc = with_value(hub_doc(), ("eks-hybrid:palette",), palette_block() | {"apiKey": api_key})
    return with_value(
        doc,
        ("eks-hybrid:credentials",),
        {
            "provider": "iamRolesAnywhere",
            # With Palette the CA's key is required too; the placeholder stands for a `secure:` value.
            "iamRolesAnywhere": {
                "certificateAuthorityPem": pem,
                "certificateAuthorityPrivateKey": "[secret]",
            },
        },
    )


def site_with_psk(psk: str) -> dict:
    tunnels = [{"insideCidr": "169.254.10.0/30"}, {"insideCidr": "169.254.10.4/30", "presharedKey": psk}]
    return with_value(site_doc(), ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "tunnels"), tunnels)


def assert_plaintext(problem, path):
    assert problem.path == path
    assert_says(problem, "holds a credential in plain text", f"pulumi config set --secret --path '{path}'")
    assert SECRET not in str(problem)


def test_plaintext_credentials_in_a_hub_are_problems():
    found = problems(hub_with_secrets(SECRET, SECRET))
    assert len(found) == 2
    assert_plaintext(found[0], "eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPem")
    assert_plaintext(found[1], "eks-hybrid:palette.apiKey")


def test_plaintext_preshared_key_in_a_site_is_a_problem():
    [problem] = problems(site_with_psk(SECRET))
    assert_plaintext(problem, "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[1].presharedKey")


def test_site_palette_api_key_in_plain_text():
    [problem] = problems(with_value(site_doc(), ("eks-hybrid:palette", "apiKey"), SECRET))
    assert_plaintext(problem, "eks-hybrid:palette.apiKey")


def test_credentials_under_secret_keys_are_fine():
    config = validate_stack(
        hub_with_secrets(SECRET, SECRET), FILE, {"eks-hybrid:palette", "eks-hybrid:credentials"}
    )
    assert config.palette is not None and config.palette.api_key is not None
    assert config.palette.api_key.get_secret_value() == SECRET
    assert SECRET not in repr(config)
    validate_stack(site_with_psk(SECRET), FILE, {"eks-hybrid:site"})


def test_only_the_key_that_is_not_secret_is_reported():
    [problem] = problems(hub_with_secrets(SECRET, SECRET), {"eks-hybrid:palette"})
    assert_plaintext(problem, "eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPem")


def test_the_secret_placeholder_is_fine():
    validate_stack(hub_with_secrets("[secret]", "[secret]"), FILE)
    validate_stack(site_with_psk("[secret]"), FILE)


def test_plaintext_credential_is_reported_beside_other_problems():
    doc = with_value(hub_with_secrets("[secret]", SECRET), ("eks-hybrid:cluster", "vpcId"), "vpc-x")
    found = problems(doc)
    assert [p.path for p in found] == [
        "eks-hybrid:cluster.vpcId",
        "eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPem",
    ]
    assert SECRET not in str(ConfigError(found))


def test_plaintext_rule_only_looks_at_credential_fields():
    # A label or tag that happens to be called apiKey is not a credential field.
    doc = with_value(hub_doc(), ("eks-hybrid:tags",), {"apiKey": "not-a-secret"})
    validate_stack(doc, FILE)
    pool_labels = with_value(site_doc(), ("eks-hybrid:site", "nodePools", 0, "labels"), {"presharedKey": "x"})
    validate_stack(pool_labels, FILE)


# --- secrets are never echoed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [[SECRET], {"value": SECRET}, {"secure": SECRET}, 12345678],
)
def test_wrong_typed_secrets_are_not_echoed(value):
    doc = hub_with_secrets("[secret]", "[secret]")
    doc = with_value(doc, ("eks-hybrid:palette", "apiKey"), value)
    doc = with_value(doc, ("eks-hybrid:credentials", "iamRolesAnywhere", "certificateAuthorityPem"), value)
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE)
    assert [p.path for p in caught.value.problems] == [
        "eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPem",
        "eks-hybrid:palette.apiKey",
    ]
    assert all("must be text" in p.rule for p in caught.value.problems)
    assert SECRET not in str(caught.value)
    assert "12345678" not in str(caught.value)


def test_wrong_typed_preshared_key_is_not_echoed():
    doc = with_value(
        site_with_psk("[secret]"),
        ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "tunnels", 0),
        {"presharedKey": [SECRET]},
    )
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE)
    [problem] = caught.value.problems
    assert problem.path == "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[0].presharedKey"
    assert SECRET not in str(caught.value)


def test_a_secret_top_level_value_of_the_wrong_shape_is_not_echoed():
    # `pulumi config set --secret eks-hybrid:palette <key>`: Pulumi decrypts it and hands over a string.
    doc = with_value(hub_doc(), ("eks-hybrid:palette",), SECRET)
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE, {"eks-hybrid:palette"})
    [problem] = caught.value.problems
    assert problem.path == "eks-hybrid:palette"
    assert_says(problem, "must be a mapping of keys to values")
    assert SECRET not in str(caught.value)


def test_a_secret_under_an_unknown_key_is_not_echoed():
    doc = with_value(hub_doc(), ("eks-hybrid:palette",), palette_block() | {"apiKy": SECRET})
    found = problems(doc)
    assert [p.path for p in found] == ["eks-hybrid:palette.apiKy"]
    assert_says(found[0], "did you mean 'apiKey'?")
    assert SECRET not in str(ConfigError(found))


def test_a_differently_cased_key_at_least_lists_the_allowed_keys():
    doc = with_value(hub_doc(), ("eks-hybrid:sites", "dallas", "podCIDR"), "x")
    single(doc, "eks-hybrid:sites.dallas.podCIDR", "unknown key 'podCIDR'", "podCidr")


# --- what a message may echo --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "value"),
    [
        (("eks-hybrid:palette",), SECRET),  # an API key pasted where the palette mapping belongs
        (("eks-hybrid:credentials", "iamRolesAnywhere"), SECRET),  # a PEM where its settings belong
        (("eks-hybrid:credentials",), SECRET),
        (("eks-hybrid:site", "connectivity", "siteToSiteVpn", "tunnels"), SECRET),  # a PSK for the list
        (("eks-hybrid:site", "connectivity", "siteToSiteVpn", "tunnels", 0), SECRET),
    ],
)
def test_a_block_that_holds_credentials_given_as_plain_text_is_not_echoed(block, value):
    # Was `must be a mapping of keys to values (got 's3cr3t-...')`.
    base = site_doc() if block[0] == "eks-hybrid:site" else hub_with_secrets("[secret]", "[secret]")
    if block[-1] == 0:
        base = site_with_psk("[secret]")
    with pytest.raises(ConfigError) as caught:
        validate_stack(with_value(base, block, value), FILE)
    assert dotted(block) in [p.path for p in caught.value.problems]
    assert SECRET not in str(caught.value)


def test_a_long_value_is_echoed_cut_short_with_its_length():
    value = "x" * 200_000
    doc = with_value(site_doc(), ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "attachTo"), value)
    [problem] = problems(doc)
    assert f"(got '{'x' * 59}…' (200000 characters))" in problem.rule
    assert len(str(problem)) < 400


@pytest.mark.parametrize(
    "path",
    [
        ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "attachTo"),  # echoed as `got ...`
        ("eks-hybrid:site", "name"),  # echoed by a rule's own template
        ("eks-hybrid:site", "nodePools", 0, "labels", "eks-hybrid/site"),  # echoed by a cross-key rule
    ],
)
def test_terminal_escapes_in_a_value_are_shown_escaped(path):
    value = "\x1b[2J\x1b[31mred\x1b]0;title\x07\u202e"
    found = problems(with_value(site_doc(), path, value))
    text = str(ConfigError(found))
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert all("\\x1b[31mred" in str(problem) for problem in found)


def test_terminal_escapes_in_a_key_are_shown_escaped():
    doc = with_value(site_doc(), ("eks-hybrid:site", "na\x1b[8mme"), "x")
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE)
    [problem] = caught.value.problems
    assert "\x1b" not in str(problem) and "unknown key 'na\\x1b[8mme'" in str(problem)


def test_a_report_of_thousands_of_problems_is_capped():
    doc = with_value(site_doc(), ("eks-hybrid:site", "nodePools"), [{"name": f"P{i}"} for i in range(1500)])
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE)
    text = str(caught.value)
    assert f"({len(caught.value.problems)} problems)" in text
    assert text.count("\n  - ") == 200 and f"... and {len(caught.value.problems) - 200} more" in text


def test_a_plaintext_key_beside_a_secure_sibling_is_a_problem_when_the_paths_are_known():
    # tunnels[0] comes from `secure:`, tunnels[1] is typed in; Pulumi marks the whole top-level
    # key secret, so only `plan`, which sees each `secure:` value, can tell them apart.
    doc = with_value(
        site_with_psk(SECRET),
        ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "tunnels", 0),
        {"insideCidr": "169.254.10.0/30", "presharedKey": "[secret]"},
    )
    secure = ["eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[0].presharedKey"]
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE, {"eks-hybrid:site"}, secret_paths=secure)
    [problem] = caught.value.problems
    assert_plaintext(problem, "eks-hybrid:site.connectivity.siteToSiteVpn.tunnels[1].presharedKey")
    # Under `pulumi up` only the top-level key's secrecy is known: the sibling cannot be told apart.
    validate_stack(doc, FILE, {"eks-hybrid:site"})
