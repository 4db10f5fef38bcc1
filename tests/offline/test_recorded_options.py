"""The recording monitor keeps what a reviewer and a diff need: dependsOn, provider, resource options."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from eks_hybrid.offline.options import alias_urns, child_type, dynamic_provider, split_urn

STACK = "test"
COMPONENT = "eks-hybrid:test:Thing"


class Thing(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(COMPONENT, name, None, opts)
        self.register_outputs({})


def program() -> None:
    old = Thing("old")
    thing = Thing("thing", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-thing")]))
    gateway = aws.ec2transitgateway.TransitGateway(
        "gw",
        amazon_side_asn=64512,
        opts=pulumi.ResourceOptions(
            parent=thing,
            protect=True,
            ignore_changes=["description"],
            delete_before_replace=True,
            replace_on_changes=["description"],
            aliases=[pulumi.Alias(name="old-gw", parent=old)],
        ),
    )
    aws.ec2transitgateway.RouteTable(
        "rt", transit_gateway_id=gateway.id, opts=pulumi.ResourceOptions(depends_on=[gateway])
    )


def test_options_dependencies_and_aliases(mock_engine) -> None:
    run = mock_engine.run(program, stack=STACK)
    gateway = run.named("gw").to_json()
    assert gateway["options"] == {
        "protect": True,
        "ignoreChanges": ["description"],
        "deleteBeforeReplace": True,
        "replaceOnChanges": ["description"],
        "aliases": [
            "urn:pulumi:test::eks-hybrid::eks-hybrid:test:Thing$aws:ec2transitgateway/transitGateway:TransitGateway::old-gw"
        ],
    }
    assert gateway["provider"] is None
    thing = run.named("thing").to_json()
    assert thing["options"]["aliases"] == ["urn:pulumi:test::eks-hybrid::eks-hybrid:test:Thing::old-thing"]
    table = run.named("rt").to_json()
    assert table["dependsOn"] == [gateway["urn"]]


def test_urn_helpers() -> None:
    urn = "urn:pulumi:s::p::a:b:C$d:e:F::name::with::colons"
    assert split_urn(urn) == ("s", "p", "a:b:C$d:e:F", "name::with::colons")
    assert child_type("urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", "a:b:C") == "a:b:C"
    assert child_type("urn:pulumi:s::p::x:y:Z::n", "a:b:C") == "x:y:Z$a:b:C"


def test_dynamic_provider_is_read_from_the_pickle_without_unpickling() -> None:
    from pulumi.dynamic.dynamic import serialize_provider

    from eks_hybrid.components.palette.providers import NODE_POOL

    assert dynamic_provider({"__provider": serialize_provider(NODE_POOL)}) == (
        "eks_hybrid.components.palette.providers.NodePoolProvider"
    )
    assert dynamic_provider({"__provider": "not base64!"}) is None
    assert dynamic_provider({}) is None
    assert alias_urns(type("R", (), {"aliasURNs": [], "aliases": []})(), "urn:pulumi:s::p::t::n") == []
