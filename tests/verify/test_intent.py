"""The intent: what the example stacks say should exist, from their configs and their outputs (the outputs
of offline plans of the same stacks: the shape `pulumi stack output --json` prints)."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.planner import Planner
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import Target, hub_intent, site_intent
from eks_hybrid.verify.outputs import HubOutputs, SiteOutputs

from ..conftest import STACKS
from .conftest import hub_config, site_config


@pytest.fixture(scope="module")
def planned() -> dict[str, dict[str, Any]]:
    planner = Planner(STACKS, offline_secrets=True)
    return {name: dict(planner.plan(name).run.outputs) for name in ("example-hub", "example-dallas")}


def test_the_hub_expects_every_sites_cidrs_in_every_table(planned: dict[str, Any]) -> None:
    outputs = planned["example-hub"]
    intent = hub_intent("example-hub", hub_config(), HubOutputs.model_validate(outputs))
    assert intent.unchecked == ()
    assert len(intent.routes) == 2 * 3 * 2
    dallas = [r for r in intent.routes if r.site == "dallas"]
    assert {r.targets for r in dallas} == {(Target("transitGateway", outputs["transitGatewayId"]),)}
    chicago = [r for r in intent.routes if r.site == "chicago"]
    assert {(r.targets, r.owner) for r in chicago} == {((), "site chicago's stack (routeVia: site)")}
    assert [(t.site, t.cidr, t.attachment_id) for t in intent.tgw_routes] == [
        ("vpc", "10.100.0.0/16", outputs["vpcAttachmentId"]),
        ("dallas", "10.200.0.0/16", None),
        ("dallas", "192.168.0.0/16", None),
    ]
    assert intent.eks is not None and intent.eks.node_cidrs == (
        "10.200.0.0/16",
        "10.201.0.0/16",
        "10.202.0.0/16",
    )
    assert intent.identity is not None and intent.identity.trust_anchor_arn == outputs["trustAnchorArn"]
    assert intent.palette_hub is not None and intent.palette_hub.cluster_uid == outputs["paletteClusterUid"]
    assert intent.quotas is not None
    # The planner the program declares rules with: 443 in from node and pod; 10250 + 5 webhook ports out.
    assert (intent.quotas.ingress_rules_per_site, intent.quotas.egress_rules_per_site) == (2, 6)


def test_outputs_the_hub_does_not_export_are_reported_not_guessed() -> None:
    intent = hub_intent("example-hub", hub_config(), HubOutputs())
    assert intent.routes == () and intent.tgw_routes == ()
    assert all(f.status is Status.error for f in intent.unchecked)
    assert [f.detail for f in intent.unchecked] == [
        "stack example-hub exports no transitGatewayId",
        "stack example-hub exports no transitGatewayRouteTableId",
        "stack example-hub exports no hybridNodeRoleArn",
        "stack example-hub exports no clusterSecurityGroupId",
        "stack example-hub exports no trustAnchorArn",
        "stack example-hub exports no paletteClusterUid",
    ]


def test_a_tgw_vpn_site_expects_its_attachment_and_its_pools(planned: dict[str, Any]) -> None:
    site_outputs = planned["example-dallas"]
    intent = site_intent(
        "example-dallas",
        site_config("example-dallas"),
        SiteOutputs.model_validate(site_outputs),
        planned["example-hub"],
    )
    assert {(r.cidr, r.targets[0].kind, r.owner) for r in intent.routes} == {
        ("10.200.0.0/16", "transitGateway", "the hub stack"),
        ("192.168.0.0/16", "transitGateway", "the hub stack"),
    }
    assert {t.attachment_id for t in intent.tgw_routes} == {site_outputs["transitGatewayAttachmentId"]}
    [vpn] = intent.vpns
    assert (vpn.connection_id, vpn.on, vpn.static_routes) == (
        site_outputs["vpnConnectionId"],
        "transitGateway",
        (),
    )
    assert intent.palette_pools is not None
    assert intent.palette_pools.pools == (("dallas-workers", ("edge-8f3a2b1c", "edge-8f3a2b1d")),)
    assert intent.kubernetes is not None
    assert (intent.kubernetes.only_site, intent.kubernetes.expected_nodes) == ("dallas", 2)


def test_a_vgw_vpn_site_relying_on_propagation_expects_propagated_routes_and_static_vpn_routes(
    planned: dict[str, Any],
) -> None:
    hub = planned["example-hub"]
    outputs = SiteOutputs(vpn_connection_id="vpn-0a1b2c3d4e5f60001")
    intent = site_intent("example-chicago", site_config("example-chicago"), outputs, hub)
    assert {r.targets for r in intent.routes} == {(Target("vpnGateway", hub["vpnGatewayId"]),)}
    assert all("propagation" in r.owner for r in intent.routes)
    assert intent.vpns[0].static_routes == ("10.201.0.0/16", "172.18.0.0/16")
    assert intent.tgw_routes == ()


def test_a_direct_connect_site_routes_its_own_cidrs_to_the_vgw(planned: dict[str, Any]) -> None:
    hub = planned["example-hub"]
    intent = site_intent("example-denver", site_config("example-denver"), SiteOutputs(), hub)
    assert {(r.targets, r.owner) for r in intent.routes} == {
        ((Target("vpnGateway", hub["vpnGatewayId"]),), "this site stack")
    }
    assert intent.vpns == () and intent.unchecked == ()


def test_a_site_missing_from_the_hubs_inventory_is_refused(planned: dict[str, Any]) -> None:
    hub = {**planned["example-hub"], "sites": {}}
    with pytest.raises(ValueError, match="site 'dallas' is not in hub stack example-hub's inventory"):
        site_intent("example-dallas", site_config("example-dallas"), SiteOutputs(), hub)
