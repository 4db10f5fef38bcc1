"""Property-level differences: nested keys, list elements, documents inside strings, secrets."""

from __future__ import annotations

import json

from eks_hybrid.diff.values import (
    MISSING,
    Change,
    as_document,
    diff_values,
    is_reordering_or_removal,
    strip_indexes,
)


def test_nested_keys_and_full_values():
    old = {"values": {"ipam": {"mode": "cluster-pool"}, "k": 1}, "tags": {"eks-hybrid:site": "dallas"}}
    new = {"values": {"ipam": {"mode": "multi-pool"}, "k": 1}, "tags": {"eks-hybrid:site": "reno"}}
    assert diff_values(old, new) == [
        Change('tags["eks-hybrid:site"]', "changed", "dallas", "reno"),
        Change("values.ipam.mode", "changed", "cluster-pool", "multi-pool"),
    ]


def test_an_element_inserted_in_the_middle_is_one_insertion():
    old = ["10.0.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]
    new = ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]
    assert diff_values(old, new, "cidrs") == [Change("cidrs[1]", "added", new="10.1.0.0/16")]


def test_list_removal_and_nested_element_change():
    old = [{"name": "a", "uid": "1"}, {"name": "b", "uid": "2"}, {"name": "c", "uid": "3"}]
    new = [{"name": "a", "uid": "1"}, {"name": "b2", "uid": "2"}]
    changes = diff_values(old, new, "hosts")
    assert Change("hosts[1].name", "changed", "b", "b2") in changes
    assert Change("hosts[2]", "removed", old={"name": "c", "uid": "3"}) in changes


def test_json_strings_compare_as_documents():
    old = json.dumps({"Statement": [{"Action": ["eks:DescribeCluster"], "Effect": "Allow"}]})
    new = json.dumps(
        {"Statement": [{"Action": ["eks:DescribeCluster", "eks:ListAccessEntries"], "Effect": "Allow"}]}
    )
    assert diff_values({"policy": old}, {"policy": new}) == [
        Change("policy.Statement[0].Action[1]", "added", new="eks:ListAccessEntries")
    ]


def test_yaml_strings_compare_as_documents():
    old = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n"
    new = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n"
    assert diff_values({"yaml": old}, {"yaml": new}) == [Change("yaml.metadata.name", "changed", "a", "b")]
    assert as_document("plain: words") == "plain: words"  # one line is a value, not a document


def test_secrets_compare_by_presence_only():
    assert diff_values({"psk": "[secret]"}, {"psk": "[secret]"}) == []
    assert diff_values({}, {"psk": "[secret]"}) == [Change("psk", "added", new="[secret]")]
    assert diff_values({"psk": "[secret]"}, {}) == [Change("psk", "removed", old="[secret]")]


def test_long_values_are_never_cut():
    long = "x" * 5000
    [change] = diff_values({"a": "short"}, {"a": long})
    assert change.new == long and change.to_json()["new"] == long
    assert Change("p", "added", new=1).to_json() == {"path": "p", "kind": "added", "new": 1}
    assert Change("p", "removed", old=MISSING, new=MISSING).to_json() == {"path": "p", "kind": "removed"}


def test_strip_indexes_and_pool_order():
    assert strip_indexes("spec.ipv4.cidrs[2]") == "spec.ipv4.cidrs"
    assert not is_reordering_or_removal(["a", "b"], ["a", "b", "c"])
    assert is_reordering_or_removal(["a", "b"], ["a", "c", "b"])
    assert is_reordering_or_removal(["a", "b"], ["b", "a"])
    assert is_reordering_or_removal(["a", "b"], ["a"])
