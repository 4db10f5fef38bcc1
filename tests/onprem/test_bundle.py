"""Which files a site gets, which hold secrets, and how placeholders are flagged."""

from __future__ import annotations

from dataclasses import replace

import jsonschema
import yaml

from eks_hybrid.components.onprem.bundle import render_site
from eks_hybrid.components.onprem.model import EdgeHost, NodeIdentity, Placeholder, placeholders_in
from tests.nodeconfig.test_nodeconfig import validator  # noqa: F401  (the CRD schema fixture)

from .sites import PSK1, PSK2, bgp_site, cilium, policy_site, static_site


def test_a_static_vpn_site_gets_route_based_ipsec_router_setup_pod_routes_and_edge_files():
    bundle = render_site(static_site())
    assert bundle.paths == (
        "README.md",
        "router/swanctl.conf",
        "router/eks-hybrid-updown.sh",
        "router/strongswan.d/eks-hybrid.conf",
        "router/sysctl.d/90-eks-hybrid.conf",
        "router/router-setup.sh",
        "router/pod-routes.sh",
        "edge/edgeforge-amd64.arg",
        "edge/user-data.yaml",
        "edge/nodeconfig/dallas-01.yaml",
        "edge/nodeconfig/edge-2.yaml",
    )
    assert [f.path for f in bundle.files if f.secret] == ["router/swanctl.conf"]
    assert [f.path for f in bundle.files if f.executable] == [
        "router/eks-hybrid-updown.sh",
        "router/router-setup.sh",
        "router/pod-routes.sh",
    ]
    assert bundle.placeholders == ()


def test_a_policy_based_site_gets_neither_tunnel_interfaces_nor_the_updown_hook():
    bundle = render_site(policy_site())
    assert "router/swanctl.conf" in bundle.paths and "router/router-setup.sh" in bundle.paths
    for path in ("router/eks-hybrid-updown.sh", "router/strongswan.d/eks-hybrid.conf"):
        assert path not in bundle.paths
    readme = bundle.file("README.md").content
    assert "Policy-based tunnels (`policyBased`)" in readme and "table 220" in readme
    assert "-m policy --pol ipsec" in bundle.file("router/router-setup.sh").content


def test_every_router_variant_gets_the_sysctls_and_each_tunnel_variant_the_mss_clamp():
    variants = {
        "static route-based": static_site(),
        "static policy-based": policy_site(),
        "bgp": bgp_site(cilium_bgp=cilium()),
        "direct connect": static_site(vpn=None, connectivity="directConnect"),
        "software vpn": static_site(vpn=None, connectivity="softwareVpn"),
    }
    for name, site in variants.items():
        bundle = render_site(site)
        sysctls = bundle.file("router/sysctl.d/90-eks-hybrid.conf").content
        assert "net.ipv4.ip_forward = 1" in sysctls and "net.ipv4.conf.all.rp_filter = 2" in sysctls, name
        setup = bundle.file("router/router-setup.sh").content
        assert "sysctl -qw net.ipv4.ip_forward=1" in setup, name
        assert ("TCPMSS --set-mss 1379" in setup) == (site.vpn is not None), name
        assert ("mtu 1419" in setup) == (site.vpn is not None and site.vpn.route_based), name
        readme = bundle.file("README.md").content
        assert "**Router setup.**" in readme and "loose reverse-path filtering" in readme, name


def test_a_bgp_site_with_cilium_bgp_gets_frr_and_the_cilium_objects_instead_of_pod_routes():
    bundle = render_site(bgp_site(cilium_bgp=cilium()))
    assert {
        "router/swanctl.conf",
        "router/strongswan.d/eks-hybrid.conf",
        "router/frr.conf",
        "cluster/cilium-bgp.yaml",
    } <= set(bundle.paths)
    assert "router/pod-routes.sh" not in bundle.paths
    objects = list(yaml.safe_load_all(bundle.file("cluster/cilium-bgp.yaml").content))
    cluster = objects[-1]
    assert cluster["apiVersion"] == "cilium.io/v2"
    assert cluster["spec"]["bgpInstances"][0]["peers"][0]["peerASN"] == 65010  # the customer gateway's ASN
    assert cluster["spec"]["bgpInstances"][0]["peers"][0]["peerAddress"] == "10.200.0.1"


def test_direct_connect_and_software_vpn_sites_get_no_ipsec():
    for kind in ("directConnect", "softwareVpn"):
        bundle = render_site(static_site(vpn=None, connectivity=kind))
        assert not any(path.startswith("router/swanctl") for path in bundle.paths)
        assert "router/frr.conf" not in bundle.paths
        assert "renders no IPsec" in bundle.file("README.md").content


def test_pre_shared_keys_appear_only_in_the_secret_file():
    bundle = render_site(bgp_site(cilium_bgp=cilium()))
    for rendered in bundle.files:
        holds = PSK1 in rendered.content or PSK2 in rendered.content
        assert holds == (rendered.path == "router/swanctl.conf"), rendered.path
    assert PSK1 not in repr(bundle)


def test_one_arg_file_per_architecture_of_the_site():
    hosts = (
        EdgeHost("a", "edge-1", "a-01", "amd64"),
        EdgeHost("b", "edge-2", "b-01", "arm64"),
    )
    bundle = render_site(static_site(edge_hosts=hosts))
    assert "edge/edgeforge-amd64.arg" in bundle.paths and "edge/edgeforge-arm64.arg" in bundle.paths


def test_node_configs_are_valid_and_carry_the_pool_and_site_labels(validator):  # noqa: F811
    bundle = render_site(static_site())
    document = yaml.safe_load(bundle.file("edge/nodeconfig/dallas-01.yaml").content)
    validator.validate(document)
    assert document["spec"]["hybrid"]["iamRolesAnywhere"]["nodeName"] == "dallas-01"
    assert document["spec"]["kubelet"]["flags"] == ["--node-labels=eks-hybrid/site=dallas,site=dallas"]
    unnamed = yaml.safe_load(bundle.file("edge/nodeconfig/edge-2.yaml").content)
    assert unnamed["spec"]["hybrid"]["iamRolesAnywhere"]["nodeName"] == "edge-2"  # the uid, no name given


def test_ssm_node_configs_hold_the_activation_code_and_are_secret(validator):  # noqa: F811
    identity = NodeIdentity("ssm", "4f3e2d1c-0b9a-4887-a6f5-e4d3c2b1a098", "Ab3dEf5hIj7lMn9pQr1tUv3x")
    bundle = render_site(static_site(identity=identity))
    rendered = bundle.file("edge/nodeconfig/dallas-01.yaml")
    assert rendered.secret
    validator.validate(yaml.safe_load(rendered.content))


def test_files_with_placeholders_say_so_at_the_top_and_the_readme_explains_every_token():
    placeholder = Placeholder("<TUNNEL1_OUTSIDE_ADDRESS>", "AWS outside address of tunnel 1", "site output")
    arn = Placeholder("<TRUST_ANCHOR_ARN>", "the trust anchor", "hub output")
    site = static_site(placeholders=(placeholder, arn))
    assert site.vpn is not None
    tunnel = replace(site.vpn.tunnels[0], outside_address=placeholder.token)
    identity = replace(site.identity, trust_anchor_arn=arn.token)
    site = replace(site, vpn=replace(site.vpn, tunnels=(tunnel, site.vpn.tunnels[1])), identity=identity)
    bundle = render_site(site)
    swanctl = bundle.file("router/swanctl.conf").content
    assert swanctl.splitlines()[0].startswith("# NOT READY: replace <TUNNEL1_OUTSIDE_ADDRESS>")
    node = bundle.file("edge/nodeconfig/dallas-01.yaml").content
    assert yaml.safe_load(node)["spec"]["hybrid"]["iamRolesAnywhere"]["trustAnchorArn"] == arn.token
    assert bundle.placeholders == (placeholder, arn)
    readme = bundle.file("README.md").content
    assert "| `<TUNNEL1_OUTSIDE_ADDRESS>` | AWS outside address of tunnel 1 |" in readme
    assert not placeholders_in(bundle.file("edge/edgeforge-amd64.arg").content)


def test_a_user_data_file_is_merged_and_kept_secret():
    bundle = render_site(static_site(), user_data={"stylus": {"site": {"edgeHostToken": "t-1"}}})
    rendered = bundle.file("edge/user-data.yaml")
    assert rendered.secret
    assert rendered.content.startswith("#cloud-config\n")
    document = yaml.safe_load(rendered.content)
    assert document["stylus"] == {"site": {"edgeHostToken": "t-1"}}
    assert "/var/lib/amazon" in document["install"]["bind_mounts"]
    assert not render_site(static_site()).file("edge/user-data.yaml").secret


def test_the_readme_lists_every_file_and_the_order_to_apply_them():
    bundle = render_site(bgp_site(cilium_bgp=cilium()))
    readme = bundle.file("README.md").content
    for path in bundle.paths[1:]:
        assert f"`{path}`" in readme
    order = readme.split("## In this order", 1)[1]
    steps = [
        "**Hub.**",
        "**Provider image.**",
        "**Edge hosts.**",
        "**Site.**",
        "**IPsec",
        "**BGP",
        "**Pod routes.**",
    ]
    positions = [order.index(step) for step in steps]
    assert positions == sorted(positions)


def test_the_readme_of_a_static_site_says_which_routes_the_router_needs():
    readme = render_site(static_site()).file("README.md").content
    assert "kubectl get ciliumnodes -l eks-hybrid/site=dallas" in readme
    assert "| `router/pod-routes.sh` | keeps one route per node pod block" in readme
    assert "| 0755 |" in readme and "| 0600 (secrets) |" in readme
    assert "spec.ipam.podCIDRs" in readme and "InternalIP" in readme
    assert "ip route replace <block> via <node InternalIP>" in readme


def test_jsonschema_is_what_the_validator_fixture_uses():
    assert jsonschema.Draft7Validator  # keeps the import honest for the fixture above


def test_route_based_static_tunnels_get_the_charon_snippet_and_every_aws_route_in_the_readme():
    bundle = render_site(static_site(other_site_networks=("10.61.0.0/16",)))
    assert "router/strongswan.d/eks-hybrid.conf" in bundle.paths and "router/frr.conf" not in bundle.paths
    readme = bundle.file("README.md").content
    assert "ip route replace 10.100.0.0/16 dev xfrm-aws1 metric 100" in readme
    assert "ip route replace 10.61.0.0/16 dev xfrm-aws2 metric 200" in readme
    assert "`/etc/swanctl/eks-hybrid-updown.sh` routes `10.100.0.0/16`, `10.61.0.0/16`" in readme
    assert "table 220" not in readme
    setup = bundle.file("router/router-setup.sh").content
    assert "ip link add xfrm-aws1 type xfrm" in setup and "ip route" not in setup


def test_the_readme_of_a_cilium_bgp_site_names_the_routers_address_and_who_applies_the_objects():
    readme = render_site(bgp_site(cilium_bgp=cilium())).file("README.md").content
    assert (
        "The hub applies the objects" in readme and "dial `10.200.0.1` (ASN 65010) from ASN 65100" in readme
    )
    assert "it never passes them on to AWS" in readme and "kubectl apply" not in readme
    shared = render_site(bgp_site(cilium_bgp=cilium(shared_pod_cidrs=("172.18.0.0/16",))))
    text = shared.file("README.md").content
    assert (
        "of the other sites' pod CIDRs (`172.18.0.0/16`)" in text
        and "passes the node blocks on to AWS" in text
    )
    objects = shared.file("cluster/cilium-bgp.yaml").content
    assert (
        objects.startswith("# Cilium BGP control plane objects")
        and "Hub stack example-hub applies them" in objects
    )
