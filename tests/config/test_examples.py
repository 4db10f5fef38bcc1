"""The example stacks in `stacks/` are valid, as read the way `plan` reads them (secrets undecrypted)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from eks_hybrid.components.config import HubConfig, SiteConfig, validate_stack
from eks_hybrid.components.errors import ConfigError
from eks_hybrid.stack_files import list_stacks, read_stack_file

STACKS = Path(__file__).resolve().parents[2] / "stacks"
EXAMPLES = [name for name in list_stacks(STACKS) if name.startswith("example-")]


def load(name: str) -> HubConfig | SiteConfig:
    stack = read_stack_file(STACKS, name)
    return validate_stack(stack.document, f"stacks/Pulumi.{name}.yaml", stack.secret_keys)


def test_there_are_example_stacks_of_both_roles():
    roles = {read_stack_file(STACKS, name).role for name in EXAMPLES}
    assert roles == {"hub", "site"}


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_stack_validates(name):
    config = load(name)
    assert config.role == read_stack_file(STACKS, name).role


def test_hub_example_remote_networks():
    config = load("example-hub")
    assert isinstance(config, HubConfig)
    assert config.remote_node_cidrs == ["10.200.0.0/16", "10.201.0.0/16", "10.202.0.0/16"]
    assert config.remote_pod_cidrs == ["172.18.0.0/16", "172.19.0.0/16", "192.168.0.0/16"]
    assert {name: entry.route_via for name, entry in config.sites.items()} == {
        "dallas": "transitGateway",
        "chicago": "site",
        "denver": "site",
    }


def test_hub_examples_hold_no_palette_key():
    # A real run takes it from `pulumi config set --secret`, PALETTE_API_KEY or a Pulumi ESC environment.
    for name in ("example-hub", "example-hub-ssm"):
        config = load(name)
        assert isinstance(config, HubConfig) and config.palette is not None
        assert config.palette.api_key is None
        assert "eks-hybrid:palette" not in read_stack_file(STACKS, name).secret_keys


def test_hub_example_generates_its_roles_anywhere_ca():
    # Palette needs the CA's private key, so the example generates the CA instead of holding ciphertext.
    stack = read_stack_file(STACKS, "example-hub")
    assert "eks-hybrid:credentials" not in stack.secret_keys
    config = load("example-hub")
    assert isinstance(config, HubConfig) and config.credentials.iam_roles_anywhere is not None
    ira = config.credentials.iam_roles_anywhere
    assert ira.generate_certificate_authority and ira.certificate_authority_pem is None
    assert ira.acm_pca_arn is None


@pytest.mark.parametrize("name", [n for n in EXAMPLES if read_stack_file(STACKS, n).role == "site"])
def test_each_site_example_is_in_the_hub_inventory(name):
    site = load(name)
    assert isinstance(site, SiteConfig)
    hub = load(f"{site.hub_stack_name}")
    assert isinstance(hub, HubConfig)
    assert site.site.name in hub.sites
    # A site that does not reach the VPC through the transit gateway owns its routes (`routeVia: site`).
    through_tgw = site.site.connectivity.reaches_vpc_through_transit_gateway
    assert hub.sites[site.site.name].route_via == ("transitGateway" if through_tgw else "site")


def test_dallas_example_tunnels_leave_preshared_keys_to_aws():
    stack = read_stack_file(STACKS, "example-dallas")
    assert stack.secret_keys == frozenset()
    site = load("example-dallas")
    assert isinstance(site, SiteConfig)
    vpn = site.site.connectivity.site_to_site_vpn
    assert vpn is not None
    assert [t.inside_cidr for t in vpn.tunnels] == ["169.254.10.0/30", "169.254.10.4/30"]
    assert [t.preshared_key for t in vpn.tunnels] == [None, None]


def test_a_decrypted_example_secret_outside_a_secret_key_is_flagged():
    stack = read_stack_file(STACKS, "example-hub")
    document = copy.deepcopy(stack.document)
    document["eks-hybrid:palette"]["apiKey"] = "decrypted-api-key"
    with pytest.raises(ConfigError) as caught:
        validate_stack(document, "stacks/Pulumi.example-hub.yaml", stack.secret_keys - {"eks-hybrid:palette"})
    [problem] = caught.value.problems
    assert problem.path == "eks-hybrid:palette.apiKey"
    assert "decrypted-api-key" not in str(caught.value)
    assert str(problem).startswith("stacks/Pulumi.example-hub.yaml: eks-hybrid:palette.apiKey: ")


@pytest.mark.parametrize("name", [n for n in EXAMPLES if read_stack_file(STACKS, n).role == "hub"])
def test_example_hubs_run_a_current_version_with_no_support_warning(name):
    # Checked on the day the version table was (2026-11-29): 1.31 left extended support three days before,
    # 1.34 leaves standard support three days after; the examples run 1.35, their nodes nodeadm 1.32.0.
    from datetime import date

    from eks_hybrid.components.domain.versions import (
        CANVOS_NODEADM_VERSIONS,
        NODEADM_PACKS,
        node_skew_problem,
        version_problem,
        version_warnings,
    )

    hub = load(name)
    assert isinstance(hub, HubConfig)
    day = date(2026, 11, 29)
    assert version_problem(hub.cluster.kubernetes_version, day) is None
    assert version_warnings(hub.cluster.kubernetes_version, day) == []
    assert hub.palette is not None
    # The nodes run a nodeadm version public sources list, within AWS's skew of the cluster's.
    layer = hub.palette.profile.kubernetes.version
    assert layer in {p.version for p in NODEADM_PACKS} and layer in CANVOS_NODEADM_VERSIONS
    assert node_skew_problem(hub.cluster.kubernetes_version, layer) is None


def test_the_denver_example_advertises_the_whole_vpc_on_direct_connect():
    denver = load("example-denver")
    assert isinstance(denver, SiteConfig)
    dx = denver.site.connectivity.direct_connect
    assert dx is not None and dx.private_subnet_cidr in (None, "10.100.0.0/16")
