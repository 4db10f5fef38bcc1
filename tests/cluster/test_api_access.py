"""The deployer's access to a private endpoint (`eks-hybrid:cluster.apiAccess`, `api_access`): EKS user
guide, cluster-endpoint.html, "Accessing a private only API server": the control plane security group must
allow ingress on 443 from the bastion host or the connected network."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.cluster import planning
from eks_hybrid.components.codes import Code
from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.config._eks_hub import cluster_problems
from eks_hybrid.components.config._quotas import hub_quota_uses
from tests.cluster.hubs import hub_config
from tests.config.builders import hub_doc, problems, with_value, without

GROUP = "sg-0123456789abcdef0"
INBOUND = "inbound rules of the cluster security group"


def cluster(**changes: Any) -> dict[str, Any]:
    return {**hub_config().cluster.model_dump(by_alias=True, exclude_none=True), **changes}


def test_rules_are_named_by_their_source_whatever_the_order() -> None:
    rules = planning.api_access_rules(["10.100.9.0/24", "10.100.8.0/24"], [GROUP, "sg-0a1b2c3d"])
    assert [r.key for r in rules] == [
        "ingress-443-from-api-10.100.8.0-24",
        "ingress-443-from-api-10.100.9.0-24",
        "ingress-443-from-api-sg-0123456789abcdef0",
        "ingress-443-from-api-sg-0a1b2c3d",
    ]
    assert {(r.port, r.protocol, r.direction) for r in rules} == {(443, "tcp", "ingress")}
    assert planning.api_access_rules(["10.100.8.0/24"], []) == planning.api_access_rules(
        ["10.100.8.0/24", "10.100.8.0/24"], []
    )
    with pytest.raises(ValueError, match="exactly one source"):
        planning.ApiAccessRule(cidr="10.0.0.0/8", security_group_id=GROUP)


def test_a_private_endpoint_without_api_access_is_refused_saying_why_and_how() -> None:
    doc = without(hub_doc(), ("eks-hybrid:cluster", "apiAccess"))
    [problem] = [p for p in problems(doc) if p.code is Code.API_ACCESS_REQUIRED]
    assert problem.path == "eks-hybrid:cluster.apiAccess"
    assert "admits nothing else on 443" in problem.rule and "cidrs and/or securityGroupIds" in problem.rule
    empty = with_value(hub_doc(), ("eks-hybrid:cluster", "apiAccess"), {"cidrs": [], "securityGroupIds": []})
    assert Code.API_ACCESS_REQUIRED in {p.code for p in problems(empty)}
    hub = hub_config(cluster=cluster(apiAccess=None))
    assert [p.code for p in cluster_problems(hub, "Pulumi.x.yaml")] == [Code.API_ACCESS_REQUIRED]


def test_a_security_group_alone_is_enough() -> None:
    doc = with_value(hub_doc(), ("eks-hybrid:cluster", "apiAccess"), {"securityGroupIds": [GROUP]})
    hub = validate_stack(doc, "Pulumi.x.yaml")
    assert hub.cluster.api_access is not None and hub.cluster.api_access.security_group_ids == [GROUP]


def test_a_public_endpoint_refuses_api_access_it_could_not_use() -> None:
    doc = with_value(hub_doc(), ("eks-hybrid:cluster", "endpointAccess"), "public")
    doc = with_value(doc, ("eks-hybrid:cluster", "publicAccessCidrs"), ["203.0.113.0/24"])
    doc = with_value(doc, ("eks-hybrid:cluster", "cloudEgressCidrs"), ["203.0.113.10/32"])
    [problem] = problems(doc)
    assert (problem.path, problem.code) == ("eks-hybrid:cluster.apiAccess", Code.API_ACCESS_UNUSED)
    assert "publicAccessCidrs" in problem.rule


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("securityGroupIds", ["sg-12345"], Code.NOT_A_SECURITY_GROUP_ID),
        ("securityGroupIds", ["sg-0123456789abcdef"], Code.NOT_A_SECURITY_GROUP_ID),
        ("securityGroupIds", [GROUP, GROUP], Code.DUPLICATE_ITEM),
        ("cidrs", ["10.100.8.0/24", "10.100.8.0/24"], Code.DUPLICATE_ITEM),
        ("cidrs", ["10.100.8.1/24"], Code.CIDR_HOST_BITS),
    ],
)
def test_sources_are_checked(key: str, value: list[str], code: Code) -> None:
    doc = with_value(hub_doc(), ("eks-hybrid:cluster", "apiAccess", key), value)
    assert code in {p.code for p in problems(doc)}


def test_each_source_is_one_more_inbound_rule_in_the_quota_check() -> None:
    one = {u.quota: u.used for u in hub_quota_uses(hub_config())}[INBOUND]
    three = hub_config(
        cluster=cluster(apiAccess={"cidrs": ["10.100.8.0/24", "10.50.0.0/16"], "securityGroupIds": [GROUP]})
    )
    assert {u.quota: u.used for u in hub_quota_uses(three)}[INBOUND] == one + 2
