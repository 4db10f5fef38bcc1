"""Replacements cascade: a replaced resource's id, ARN and id-derived outputs are unknown to its readers."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.diff.cascade import UNKNOWN, chain, describe, holds, label, substitute
from eks_hybrid.diff.danger import cascade_dangers, find_dangers
from eks_hybrid.diff.engine import PlanSet, ResourceDiff, diff_plans, renewed_values
from eks_hybrid.diff.values import Change
from eks_hybrid.offline.mocks import mock_id, mock_state, replaced_values

CGW_TYPE = "aws:ec2/customerGateway:CustomerGateway"
VPN_TYPE = "aws:ec2/vpnConnection:VpnConnection"
TGW_TYPE = "aws:ec2transitgateway/transitGateway:TransitGateway"
RTB_TYPE = "aws:ec2transitgateway/routeTable:RouteTable"
ROUTE_TYPE = "aws:ec2transitgateway/route:Route"
ASSOCIATION_TYPE = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
EC2_ROUTE_TYPE = "aws:ec2/route:Route"


def urn(stack: str, type_token: str, name: str) -> str:
    return f"urn:pulumi:{stack}::eks-hybrid::eks-hybrid:network:Site${type_token}::{name}"


def resource(
    stack: str, type_token: str, name: str, inputs: dict[str, Any], **options: Any
) -> dict[str, Any]:
    return {
        "urn": urn(stack, type_token, name),
        "type": type_token,
        "name": name,
        "parent": None,
        "custom": True,
        "inputs": inputs,
        "options": {"protect": False, **options},
        "provider": None,
        "dependsOn": [],
    }


def doc(stack: str, role: str, *resources: dict[str, Any], **outputs: Any) -> dict[str, Any]:
    return {"stack": stack, "role": role, "resources": list(resources), "outputs": outputs}


CGW_ID = mock_id(CGW_TYPE, "dallas-cgw")
TGW_ID = mock_id(TGW_TYPE, "hub-tgw")
VPN_INPUTS = {"customerGatewayId": CGW_ID, "transitGatewayId": TGW_ID, "tunnel1InsideCidr": "169.254.10.0/30"}
VPN_ATTACHMENT = mock_state(VPN_TYPE, "dallas-vpn", VPN_INPUTS, "us-west-2", mock_id(VPN_TYPE, "dallas-vpn"))[
    "transitGatewayAttachmentId"
]
RTB_ID = mock_id(RTB_TYPE, "hub-rtb")


def site(cgw_ip: str = "203.0.113.10", tunnel_cidr: str = "169.254.10.0/30") -> dict[str, Any]:
    return doc(
        "site",
        "site",
        resource("site", CGW_TYPE, "dallas-cgw", {"bgpAsn": "65010", "ipAddress": cgw_ip, "type": "ipsec.1"}),
        resource("site", VPN_TYPE, "dallas-vpn", {**VPN_INPUTS, "tunnel1InsideCidr": tunnel_cidr}),
        resource(
            "site",
            ROUTE_TYPE,
            "dallas-route",
            {
                "destinationCidrBlock": "10.200.0.0/16",
                "transitGatewayAttachmentId": VPN_ATTACHMENT,
                "transitGatewayRouteTableId": RTB_ID,
            },
        ),
        customerGatewayId=CGW_ID,
    )


def hub(asn: int = 64512) -> dict[str, Any]:
    return doc(
        "hub",
        "hub",
        resource("hub", TGW_TYPE, "hub-tgw", {"amazonSideAsn": asn}),
        resource("hub", RTB_TYPE, "hub-rtb", {"transitGatewayId": TGW_ID}),
        resource(
            "hub",
            EC2_ROUTE_TYPE,
            "hub-vpc-route",
            {
                "routeTableId": "rtb-0a1b2c3d4e5f60001",
                "destinationCidrBlock": "10.200.0.0/16",
                "transitGatewayId": TGW_ID,
            },
        ),
        region="us-west-2",
        transitGatewayId=TGW_ID,
    )


def plans(label_: str, **docs: dict[str, Any]) -> PlanSet:
    return PlanSet(label_, stacks=dict(docs))


def actions(stacks: list[Any]) -> dict[str, str]:
    return {r.name: r.action for s in stacks for r in s.resources}


# --- pure helpers -----------------------------------------------------------------------------------------


def test_replaced_values_are_the_id_the_arn_and_what_the_mocks_derive_from_the_id():
    values = replaced_values(VPN_TYPE, "dallas-vpn", VPN_INPUTS, "us-west-2")
    resource_id = mock_id(VPN_TYPE, "dallas-vpn")
    assert resource_id in values
    assert f"arn:aws:ec2:us-west-2:123456789012:vpnconnection/{resource_id}" in values
    assert VPN_ATTACHMENT in values
    # From the inputs, not the id: the gateway ids it reads, its inside CIDR and the addresses in it.
    assert not {CGW_ID, TGW_ID, "169.254.10.0/30", "169.254.10.1", "169.254.10.2"} & values


def test_an_iam_role_arn_is_named_not_numbered_and_still_new():
    values = replaced_values("aws:iam/role:Role", "node-role", {"name": "node-role"}, "us-west-2")
    assert "arn:aws:iam::123456789012:role/node-role" in values


def test_holds_whole_values_and_long_ones_embedded():
    assert holds("192.0.2.1", "192.0.2.1")
    assert not holds("192.0.2.14", "192.0.2.1")  # short values count only whole
    assert holds(f"arn:aws:ec2:us-west-2:1:transitgateway/{TGW_ID}", TGW_ID)
    assert not holds("tgw-0", TGW_ID)


def test_substitute_makes_held_values_unknown_down_to_documents_in_strings():
    policy = '{"Statement": [{"Resource": "arn:aws:iam::1:role/r", "Action": "x"}]}'
    inputs = {"a": TGW_ID, "b": [CGW_ID, "keep"], "policy": policy, "n": 3, "other": "keep"}
    found: set[str] = set()
    out = substitute(inputs, {TGW_ID: "tgw-urn", "arn:aws:iam::1:role/r": "role-urn"}, found)
    assert out == {
        "a": UNKNOWN,
        "b": [CGW_ID, "keep"],
        "policy": {"Statement": [{"Resource": UNKNOWN, "Action": "x"}]},
        "n": 3,
        "other": "keep",
    }
    assert found == {"tgw-urn", "role-urn"}
    nothing: set[str] = set()
    assert substitute(inputs, {"absent-value-1234567": "u"}, nothing) == inputs and not nothing


def test_labels_and_descriptions():
    assert label(VPN_TYPE) == "VPN connection"
    assert label("aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment") == "vpn gateway attachment"
    assert label("aws:eks/accessEntry:AccessEntry") == "access entry"
    assert describe(urn("site", CGW_TYPE, "dallas-cgw")) == "customer gateway dallas-cgw (site)"


def test_chain_follows_each_resource_under_the_one_that_reached_it_first():
    names = {"a": "A replaced", "b": "B updated (x)", "c": "C replaced", "d": "D replaced"}
    assert (
        chain("a", {"a": ["b"], "b": ["c", "d"]}, names)
        == "A replaced -> B updated (x) -> (C replaced; D replaced)"
    )
    assert chain("c", {"a": ["b"]}, names) == "C replaced"


def test_renewed_values_of_an_update_only_for_the_inputs_the_rule_names():
    old = resource("site", VPN_TYPE, "dallas-vpn", VPN_INPUTS)
    moved = ResourceDiff(
        "update",
        old["urn"],
        VPN_TYPE,
        "dallas-vpn",
        old["urn"],
        changes=[Change("transitGatewayId", "changed", TGW_ID, UNKNOWN)],
    )
    assert renewed_values(moved, old, "us-west-2") == {VPN_ATTACHMENT}
    new_customer = ResourceDiff(
        "update",
        old["urn"],
        VPN_TYPE,
        "dallas-vpn",
        old["urn"],
        changes=[Change("customerGatewayId", "changed", CGW_ID, UNKNOWN)],
    )
    assert renewed_values(new_customer, old, "us-west-2") == set()


# --- the cascade ------------------------------------------------------------------------------------------


def test_nothing_replaced_changes_nothing_more():
    stacks = diff_plans(plans("b", hub=hub(), site=site()), plans("h", hub=hub(), site=site()))
    assert all(s.status == "unchanged" and not s.resources for s in stacks)
    tagged = site()
    tagged["resources"][1]["inputs"]["tags"] = {"Name": "dallas-vpn"}
    stacks = diff_plans(plans("b", site=site()), plans("h", site=tagged))
    assert actions(stacks) == {"dallas-vpn": "update"}
    assert cascade_dangers(stacks) == [] and find_dangers(stacks, plans("b"), plans("h")) == []


def test_a_customer_gateway_replaced_moves_its_vpn_connection_in_place():
    base, head = plans("b", hub=hub(), site=site()), plans("h", hub=hub(), site=site(cgw_ip="203.0.113.20"))
    stacks = diff_plans(base, head)
    assert actions(stacks) == {"dallas-cgw": "replace", "dallas-vpn": "update"}
    [site_diff] = [s for s in stacks if s.stack == "site"]
    vpn = next(r for r in site_diff.resources if r.name == "dallas-vpn")
    assert [c.to_json() for c in vpn.changes] == [
        {"path": "customerGatewayId", "kind": "changed", "old": CGW_ID, "new": UNKNOWN}
    ]
    assert vpn.cascade_from == [urn("site", CGW_TYPE, "dallas-cgw")]
    assert vpn.to_json()["cascadeFrom"] == vpn.cascade_from
    assert "customerGatewayId known after apply: new id of customer gateway dallas-cgw (site)" in vpn.notes
    # The stack output that held the old id is unknown too.
    assert [c.path for c in site_diff.outputs] == ["customerGatewayId"]
    kinds = {d.kind: d.message for d in find_dangers(stacks, base, head)}
    assert kinds["replacement-cascade"].startswith(
        "customer gateway dallas-cgw replaced -> VPN connection dallas-vpn updated (customerGatewayId)"
    )
    assert "both tunnels are down" in kinds["vpn-gateway-change"]
    assert "customer gateway (customerGatewayId)" in kinds["vpn-gateway-change"]


def test_a_transit_gateway_replaced_cascades_across_stacks_to_a_fixpoint():
    base, head = plans("b", hub=hub(), site=site()), plans("h", hub=hub(asn=64514), site=site())
    stacks = diff_plans(base, head)
    assert actions(stacks) == {
        "hub-tgw": "replace",
        "hub-rtb": "replace",  # transitGatewayId is ForceNew
        "hub-vpc-route": "update",  # ReplaceRoute changes the target in place
        "dallas-vpn": "update",  # ModifyVpnConnection: a new attachment
        "dallas-route": "replace",  # through the new route table and the new attachment
    }
    route = next(r for s in stacks for r in s.resources if r.name == "dallas-route")
    assert route.replace_reasons == ["transitGatewayAttachmentId", "transitGatewayRouteTableId"]
    [cascade] = [d for d in find_dangers(stacks, base, head) if d.kind == "replacement-cascade"]
    assert cascade.stack == "hub"
    # dallas-route reads both the new route table and the new attachment: it hangs under the first found.
    assert route.cascade_from == [urn("hub", RTB_TYPE, "hub-rtb"), urn("site", VPN_TYPE, "dallas-vpn")]
    assert cascade.message == (
        "transit gateway hub-tgw replaced -> (route hub-vpc-route updated (transitGatewayId); transit gateway"
        " route table hub-rtb replaced -> transit gateway route dallas-route (site) replaced; VPN connection"
        " dallas-vpn (site) updated (transitGatewayId)): each reads the new id or ARN of the one before it"
    )


def test_a_replaced_vpn_connection_is_dangerous_and_replaces_its_routes():
    base, head = plans("b", site=site()), plans("h", site=site(tunnel_cidr="169.254.20.0/30"))
    stacks = diff_plans(base, head)
    assert actions(stacks) == {"dallas-vpn": "replace", "dallas-route": "replace"}
    dangers = {d.kind: d.message for d in find_dangers(stacks, base, head)}
    assert "new tunnel outside addresses" in dangers["vpn-replacement"]
    assert dangers["replacement-cascade"].startswith(
        "VPN connection dallas-vpn replaced -> transit gateway route dallas-route replaced"
    )


def test_ignored_inputs_and_components_do_not_cascade():
    ignoring = resource("site", VPN_TYPE, "dallas-vpn", VPN_INPUTS, ignoreChanges=["customerGatewayId"])
    component = {**resource("site", "eks-hybrid:network:Site", "dallas", {"cgw": CGW_ID}), "custom": False}
    base_site = doc("site", "site", site()["resources"][0], ignoring, component)
    head_site = doc("site", "site", site(cgw_ip="203.0.113.20")["resources"][0], ignoring, component)
    stacks = diff_plans(plans("b", site=base_site), plans("h", site=head_site))
    assert actions(stacks) == {"dallas-cgw": "replace"}


def test_a_replaced_kubernetes_provider_replaces_what_it_manages_through_the_cascade():
    kubeconfig = (
        '{"clusters": [{"name": "c", "cluster": {"server": "https://X"}}], "contexts": [{"name": "c",'
        ' "context": {"cluster": "c"}}], "current-context": "c"}'
    )
    cluster_id = mock_id("aws:eks/cluster:Cluster", "eks")
    endpoint = mock_state("aws:eks/cluster:Cluster", "eks", {}, "us-west-2", cluster_id)["endpoint"]
    provider = resource(
        "s", "pulumi:providers:kubernetes", "k8s", {"kubeconfig": kubeconfig.replace("https://X", endpoint)}
    )
    release = {
        **resource("s", "kubernetes:helm.sh/v3:Release", "cilium", {"name": "cilium"}),
        "provider": provider["urn"],
    }

    def stack(cidr: str) -> dict[str, Any]:
        cluster = resource(
            "s", "aws:eks/cluster:Cluster", "eks", {"kubernetesNetworkConfig": {"serviceIpv4Cidr": cidr}}
        )
        return doc("s", "hub", cluster, provider, release, region="us-west-2")

    stacks = diff_plans(plans("b", s=stack("172.20.0.0/16")), plans("h", s=stack("172.21.0.0/16")))
    assert actions(stacks) == {"eks": "replace", "k8s": "replace", "cilium": "replace"}
    cilium = next(r for s in stacks for r in s.resources if r.name == "cilium")
    assert cilium.replace_reasons == ["(provider k8s is replaced)"]
    assert cilium.cascade_from == [provider["urn"]]


@pytest.mark.parametrize("region", ["eu-central-1", "ap-southeast-2"])
def test_an_arn_in_a_policy_document_cascades_in_any_region(region: str):
    role = resource("hub", "aws:rolesanywhere/trustAnchor:TrustAnchor", "anchor", {"name": "anchor"})
    arn = mock_state(role["type"], "anchor", {"name": "anchor"}, region, mock_id(role["type"], "anchor"))[
        "arn"
    ]
    assert f":{region}:" in arn
    profile = resource(
        "hub",
        "aws:iam/rolePolicy:RolePolicy",
        "reader",
        {"name": "reader", "role": "r", "policy": f'{{"Resource": "{arn}"}}'},
    )

    def stack(notifications: list[Any]) -> dict[str, Any]:
        anchor = {**role, "inputs": {"name": "anchor", "notificationSettings": notifications}}
        return doc("hub", "hub", anchor, profile, region=region)

    stacks = diff_plans(plans("b", hub=stack([])), plans("h", hub=stack([{"event": "x"}])))
    assert actions(stacks) == {"anchor": "replace", "reader": "update"}
