"""snake_case keys in stack files: one spelling per key, so no cross-key rule can be skipped by spelling.

The config models take their Python field names too (`populate_by_name`, so code can build them by name),
while the raw-document rules (components/config/rules.py) read the camelCase the docs use. A stack file
that spelt a key in snake_case used to validate through the model and pass every rule reading that key
unread. Each case below is refused in camelCase by its rule, and must be refused in snake_case too, as an
unknown key that names the camelCase spelling. The sweep renames every key of every example stack.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic.alias_generators import to_snake

from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.errors import ConfigError
from eks_hybrid.stack_files import read_stack_file

from ..conftest import STACKS
from .conftest import record

SUITE = "snake case"
Doc = dict[str, Any]
HUB, SITE = "example-hub", "example-austin"
EXAMPLES = sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in STACKS.glob("Pulumi.*.yaml"))


def _document(stack: str) -> Doc:
    return copy.deepcopy(read_stack_file(STACKS, stack).document)


def _problems(stack: str, document: Doc) -> list[str] | None:
    """Each problem as `path: rule`, or None when the document validates."""
    secret_keys = read_stack_file(STACKS, stack).secret_keys
    try:
        validate_stack(document, f"Pulumi.{stack}.yaml", secret_keys)
    except ConfigError as exc:
        return [f"{p.path}: {p.rule}" for p in exc.problems]
    return None


def _set(block: Doc, key: str, value: object, snake: bool) -> None:
    """`block[key] = value`, the key spelt in snake_case when `snake` (its camelCase spelling removed)."""
    block.pop(key, None)
    block[to_snake(key) if snake else key] = value


def _sites(document: Doc) -> Doc:
    sites: Doc = document["eks-hybrid:sites"]
    return sites


def site_cidr_is_vpc_cidr(document: Doc, snake: bool) -> None:
    _set(_sites(document)["dallas"], "nodeCidr", document["eks-hybrid:cluster"]["vpcCidr"], snake)


def pod_cidr_below_mask(document: Doc, snake: bool) -> None:
    _set(_sites(document)["dallas"], "podCidr", "192.168.0.0/26", snake)  # the mask is /25


def tunnel_cidr_in_two_sites(document: Doc, snake: bool) -> None:
    _set(_sites(document)["chicago"], "tunnelInsideCidrs", ["169.254.10.0/30"], snake)  # dallas's


def cluster_pool_with_site_route(document: Doc, snake: bool) -> None:
    document["eks-hybrid:cilium"]["ipam"] = "clusterPool"  # BGP control plane on, every site with a peer
    sites = _sites(document)
    del sites["chicago"]
    sites["dallas"]["bgpPeer"] = {"address": "10.200.0.1", "asn": 65010}
    _set(sites["denver"], "routeVia", "site", snake)


def bgp_peer_outside_node_cidr(document: Doc, snake: bool) -> None:
    _set(_sites(document)["denver"], "bgpPeer", {"address": "10.99.0.1", "asn": 65040}, snake)


def palette_layer_not_cluster_release(document: Doc, snake: bool) -> None:
    profile = document["eks-hybrid:palette"]["profile"]
    profile["kubernetes"]["version"] = "1.36.0"  # newer than the cluster's 1.35
    profile["os"]["providerImage"] = "registry.example.com/edge/ubuntu:nodeadm-1.36.0-v4.5.21-eks-hybrid"
    _set(document["eks-hybrid:cluster"], "kubernetesVersion", "1.35", snake)


def edge_host_in_two_pools(document: Doc, snake: bool) -> None:
    pools = document["eks-hybrid:site"]["nodePools"]
    _set(pools[1], "edgeHosts", [{"uid": pools[0]["edgeHosts"][0]["uid"], "name": "austin-arm-01"}], snake)


def subnet_listed_twice(document: Doc, snake: bool) -> None:
    cluster = document["eks-hybrid:cluster"]
    _set(cluster, "subnetIds", [cluster["subnetIds"][0]] * 2, snake)


# (stack, mutation, the camelCase key the mutation spells in snake_case, the rule's path when camelCase)
CASES: list[tuple[str, Callable[[Doc, bool], None], str, str]] = [
    (HUB, site_cidr_is_vpc_cidr, "nodeCidr", "eks-hybrid:sites.dallas.nodeCidr"),
    (HUB, pod_cidr_below_mask, "podCidr", "eks-hybrid:cilium.podCidrMaskSize"),
    (HUB, tunnel_cidr_in_two_sites, "tunnelInsideCidrs", "eks-hybrid:sites.chicago.tunnelInsideCidrs[0]"),
    (HUB, cluster_pool_with_site_route, "routeVia", "eks-hybrid:cilium.ipam"),
    (HUB, bgp_peer_outside_node_cidr, "bgpPeer", "eks-hybrid:sites.denver.bgpPeer.address"),
    (
        HUB,
        palette_layer_not_cluster_release,
        "kubernetesVersion",
        "eks-hybrid:palette.profile.kubernetes.version",
    ),
    (SITE, edge_host_in_two_pools, "edgeHosts", "eks-hybrid:site.nodePools[1].edgeHosts[0].uid"),
    (HUB, subnet_listed_twice, "subnetIds", "eks-hybrid:cluster.subnetIds[1]"),
]


@pytest.mark.parametrize(("stack", "mutate", "key", "rule_path"), CASES, ids=[c[1].__name__ for c in CASES])
def test_a_rule_refuses_camel_case_and_snake_case_is_an_unknown_key(
    stack: str, mutate: Callable[[Doc, bool], None], key: str, rule_path: str
) -> None:
    camel, snake = _document(stack), _document(stack)
    mutate(camel, False)
    mutate(snake, True)
    refused = _problems(stack, camel)
    assert refused is not None and any(p.startswith(f"{rule_path}: ") for p in refused), refused
    problems = _problems(stack, snake)
    assert problems is not None, f"{to_snake(key)} got past the rule at {rule_path}"
    message = f"unknown key '{to_snake(key)}'; did you mean '{key}'?"
    assert any(p.endswith(f".{to_snake(key)}: {message}") for p in problems), problems
    record(SUITE, **{"rule cases refused": 1})


def _snake(key: str) -> str:
    """A key in snake_case; a top-level key keeps its `namespace:` as Pulumi writes it."""
    namespace, colon, name = key.rpartition(":")
    return f"{namespace}{colon}{to_snake(name)}"


def _keys(node: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path of the enclosing mapping, key) for every mapping key of a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key
            yield from _keys(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _keys(item, (*path, index))


def _renamed(document: Doc, path: tuple[str | int, ...], key: str, new: str) -> Doc:
    renamed = copy.deepcopy(document)
    block: Any = renamed
    for part in path:
        block = block[part]
    block[new] = block.pop(key)
    return renamed


@pytest.mark.parametrize("stack", EXAMPLES)
def test_every_key_of_the_examples_is_refused_in_snake_case(stack: str) -> None:
    document = _document(stack)
    assert _problems(stack, document) is None
    tried = 0
    for path, key in _keys(document):
        snake = _snake(key)
        if snake == key:
            continue
        tried += 1
        problems = _problems(stack, _renamed(document, path, key, snake))
        assert problems is not None, f"{stack}: {'.'.join(map(str, (*path, snake)))} was accepted"
        assert any(f"unknown key '{snake}'; did you mean '{key}'?" in p for p in problems), (path, problems)
    assert tried > 0
    record(SUITE, **{"example keys refused in snake_case": tried})
