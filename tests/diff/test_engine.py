"""Matching by URN and aliases, and what makes a change a replacement."""

from __future__ import annotations

from typing import Any

from eks_hybrid.diff.engine import PlanSet, diff_plans, diff_resources, match_resources

STACK = "urn:pulumi:s::eks-hybrid::"


def resource(qualified_type: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    type_token = qualified_type.rsplit("$", 1)[-1]
    parent_type = qualified_type.rsplit("$", 1)[0] if "$" in qualified_type else None
    return {
        "urn": f"{STACK}{qualified_type}::{name}",
        "type": type_token,
        "name": name,
        "parent": extra.pop("parent", None)
        or (f"{STACK}{parent_type}::{name.split('-')[0]}" if parent_type else None),
        "custom": not type_token.startswith("eks-hybrid:"),
        "inputs": inputs,
        "options": extra.pop("options", {"protect": False}),
        "provider": extra.pop("provider", None),
        **extra,
    }


def doc(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"stack": "s", "role": "hub", "resources": list(resources), "outputs": {}}


TGW = "eks-hybrid:network:TransitGatewayHub$aws:ec2transitgateway/transitGateway:TransitGateway"


def test_an_update_in_place_and_a_replacement_from_the_table():
    base = doc(resource(TGW, "hub-tgw", {"amazonSideAsn": 64512, "description": "a"}))
    head = doc(resource(TGW, "hub-tgw", {"amazonSideAsn": 64512, "description": "b"}))
    [update] = diff_resources(base, head)
    assert (update.action, update.replace_reasons) == ("update", [])
    head = doc(resource(TGW, "hub-tgw", {"amazonSideAsn": 64514, "description": "a"}))
    [replace] = diff_resources(base, head)
    assert (replace.action, replace.replace_reasons) == ("replace", ["amazonSideAsn"])


def test_conditional_replacement_disable_to_enable_only():
    base = doc(resource(TGW, "hub-tgw", {"defaultRouteTableAssociation": "disable"}))
    head = doc(resource(TGW, "hub-tgw", {"defaultRouteTableAssociation": "enable"}))
    [change] = diff_resources(base, head)
    assert change.action == "replace"
    [change] = diff_resources(head, base)
    assert change.action == "update"


def test_an_aliased_rename_is_the_same_resource_and_so_are_its_children():
    """A component renamed with aliases, its children with it, must read as no change at all."""
    old_parent = resource("eks-hybrid:network:TransitGatewayHub", "hub", {})
    old_child = resource(TGW, "hub-tgw", {"amazonSideAsn": 64512}, parent=old_parent["urn"])
    new_parent = resource(
        "eks-hybrid:network:Hub", "hub", {}, options={"protect": False, "aliases": [old_parent["urn"]]}
    )
    new_child = resource(
        "eks-hybrid:network:Hub$aws:ec2transitgateway/transitGateway:TransitGateway",
        "hub-tgw",
        {"amazonSideAsn": 64512},
        parent=new_parent["urn"],
    )
    base, head = doc(old_parent, old_child), doc(new_parent, new_child)
    assert match_resources(
        {r["urn"]: r for r in base["resources"]}, {r["urn"]: r for r in head["resources"]}
    ) == {
        new_parent["urn"]: old_parent["urn"],
        new_child["urn"]: old_child["urn"],
    }
    assert diff_resources(base, head) == []


def test_without_an_alias_a_rename_is_a_delete_and_a_create():
    base = doc(resource(TGW, "hub-tgw", {"amazonSideAsn": 64512}))
    head = doc(resource(TGW, "hub-gateway", {"amazonSideAsn": 64512}))
    assert sorted(d.action for d in diff_resources(base, head)) == ["create", "delete"]


def test_a_replaced_provider_replaces_what_it_manages_and_protect_is_noted():
    kubeconfig = (
        '{"clusters": [{"name": "c", "cluster": {"server": "https://%s"}}], "contexts": [],'
        ' "current-context": ""}'
    )
    provider_type = "eks-hybrid:cluster:HybridCluster$pulumi:providers:kubernetes"
    old_provider = resource(provider_type, "hub-k8s", {"kubeconfig": kubeconfig % "a"})
    new_provider = resource(provider_type, "hub-k8s", {"kubeconfig": kubeconfig % "b"})
    release = "eks-hybrid:cni:Cilium$kubernetes:helm.sh/v3:Release"
    old_release = resource(release, "hub-cilium", {"name": "cilium"}, provider=old_provider["urn"])
    new_release = resource(release, "hub-cilium", {"name": "cilium"}, provider=new_provider["urn"])
    changes = {
        d.name: d for d in diff_resources(doc(old_provider, old_release), doc(new_provider, new_release))
    }
    assert changes["hub-k8s"].action == "replace"
    assert changes["hub-cilium"].action == "replace"
    assert changes["hub-cilium"].replace_reasons == ["(provider hub-k8s is replaced)"]
    cluster = "eks-hybrid:cluster:HybridCluster$aws:eks/cluster:Cluster"
    protected = {"protect": True}
    base = doc(resource(cluster, "hub-eks", {"name": "a"}, options=protected))
    [change] = diff_resources(base, doc(resource(cluster, "hub-eks", {"name": "b"}, options=protected)))
    assert change.action == "replace" and any("protected" in n for n in change.notes)
    [gone] = diff_resources(base, doc())
    assert gone.action == "delete" and any("protected" in n for n in gone.notes)


def test_replace_on_changes_option_and_dynamic_providers():
    pool_type = "eks-hybrid:palette:PaletteNodePools$pulumi-python:dynamic:Resource"
    options = {
        "protect": False,
        "dynamicProvider": "eks_hybrid.components.palette.providers.NodePoolProvider",
    }
    base = doc(resource(pool_type, "d-pool", {"pool": {"name": "a", "edgeHosts": []}}, options=options))
    head = doc(
        resource(pool_type, "d-pool", {"pool": {"name": "a", "edgeHosts": [{"uid": "h"}]}}, options=options)
    )
    [update] = diff_resources(base, head)
    assert update.action == "update"
    renamed = doc(resource(pool_type, "d-pool", {"pool": {"name": "b", "edgeHosts": []}}, options=options))
    [replace] = diff_resources(base, renamed)
    assert replace.replace_reasons == ["pool.name"]
    forced = {"protect": False, "replaceOnChanges": ["description"]}
    old = doc(resource(TGW, "t", {"description": "a"}, options=forced))
    [change] = diff_resources(old, doc(resource(TGW, "t", {"description": "b"}, options=forced)))
    assert change.action == "replace"


def test_ignore_changes_properties_are_not_changes():
    options = {"protect": False, "ignoreChanges": ["tags"]}
    activation = "eks-hybrid:identity:NodeIdentity$aws:ssm/activation:Activation"
    base = doc(resource(activation, "a", {"tags": {"x": "1"}, "registrationLimit": 5}, options=options))
    assert (
        diff_resources(
            base,
            doc(resource(activation, "a", {"tags": {"x": "2"}, "registrationLimit": 5}, options=options)),
        )
        == []
    )
    [change] = diff_resources(
        base, doc(resource(activation, "a", {"tags": {"x": "2"}, "registrationLimit": 6}, options=options))
    )
    assert (change.action, change.replace_reasons) == ("replace", ["registrationLimit"])


def test_plans_from_before_options_were_recorded_compare_cleanly():
    """A base revision planned by an older eks-hybrid has `protect` but no `options` and no `provider`."""
    options = {"protect": True, "ignoreChanges": ["description"]}
    new = resource(TGW, "hub-tgw", {"amazonSideAsn": 64512}, options=options, provider="urn:p")
    old = {k: v for k, v in new.items() if k not in ("options", "provider")} | {"protect": True}
    assert diff_resources(doc(old), doc(new)) == []
    unprotected = {**old, "protect": False}
    [change] = diff_resources(doc(unprotected), doc(new))
    assert [(c.path, c.old, c.new) for c in change.changes] == [("(options).protect", False, True)]


def test_stacks_added_removed_failed_and_unchanged():
    plan = doc(resource(TGW, "hub-tgw", {"amazonSideAsn": 64512}))
    base = PlanSet("base", {"same": {**plan, "stack": "same"}, "gone": {**plan, "stack": "gone"}})
    head = PlanSet(
        "head", {"same": {**plan, "stack": "same"}, "new": {**plan, "stack": "new"}}, {"broken": "x"}
    )
    statuses = {s.stack: s.status for s in diff_plans(base, head)}
    assert statuses == {"same": "unchanged", "gone": "removed", "new": "added", "broken": "failed"}
