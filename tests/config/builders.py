"""Minimal valid hub and site documents, and helpers to mutate one key and read back the problems."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest

from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.errors import ConfigError, Problem

FILE = "stacks/Pulumi.test.yaml"
SECRET = "s3cr3t-Do-Not-Echo-7f1c"  # recognisable, so a test can assert it never shows up in a message

Path = tuple[str | int, ...]


def hub_doc() -> dict[str, Any]:
    """The smallest hub the contract accepts (SSM credentials, two sites, no Palette)."""
    return {
        "aws:region": "us-west-2",
        "eks-hybrid:role": "hub",
        "eks-hybrid:cluster": {
            "name": "edge-test",
            "kubernetesVersion": "1.35",
            "vpcId": "vpc-0123456789abcdef0",
            "vpcCidr": "10.100.0.0/16",
            "subnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
            "routeTableIds": ["rtb-0a1b2c3d4e5f60001"],
            "apiAccess": {"cidrs": ["10.100.8.0/24"]},
        },
        "eks-hybrid:sites": {
            "dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"},
            "chicago": {"nodeCidr": "10.201.0.0/16", "podCidr": "172.18.0.0/16", "routeVia": "site"},
        },
        "eks-hybrid:credentials": {"provider": "ssm", "ssm": {}},
    }


def palette_block() -> dict[str, Any]:
    return {
        "projectUid": "6491d4a94c39ad82d3cc30ae",
        "profile": {
            "os": {"providerImage": "registry.example.com/edge/ubuntu:nodeadm-1.35.0-v4.5.21-eks-hybrid"},
            "kubernetes": {"version": "1.35.0"},
        },
    }


def site_doc() -> dict[str, Any]:
    """The smallest site with a TGW Site-to-Site VPN and two pools."""
    return {
        "aws:region": "us-west-2",
        "eks-hybrid:role": "site",
        "eks-hybrid:hub": "example-hub",
        "eks-hybrid:site": {
            "name": "dallas",
            "connectivity": {
                "type": "siteToSiteVpn",
                "siteToSiteVpn": {"customerGateway": {"ipAddress": "203.0.113.10", "bgpAsn": 65010}},
            },
            "nodePools": [
                {"name": "workers", "edgeHosts": [{"uid": "edge-0001"}, {"uid": "edge-0002"}]},
                {"name": "gpu", "edgeHosts": [{"uid": "edge-0003", "vpnServerIp": "10.200.0.1"}]},
            ],
        },
    }


def with_value(doc: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A deep copy of `doc` with the value at `path` set (intermediate mappings are created)."""
    doc = copy.deepcopy(doc)
    target: Any = doc
    for part in path[:-1]:
        target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
    target[path[-1]] = value
    return doc


def without(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    target: Any = doc
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return doc


def problems(
    doc: dict[str, Any], secret_keys: Iterable[str] = (), today: date | None = None
) -> list[Problem]:
    with pytest.raises(ConfigError) as caught:
        validate_stack(doc, FILE, secret_keys, today=today)
    found = list(caught.value.problems)
    assert found == sorted(found, key=lambda p: p.path), "problems are reported sorted by key path"
    assert all(p.file == FILE and str(p).startswith(f"{FILE}: {p.path}: ") for p in found)
    return found


def paths(doc: dict[str, Any], secret_keys: Iterable[str] = ()) -> list[str]:
    return [p.path for p in problems(doc, secret_keys)]


def single(
    doc: dict[str, Any], path: str, *phrases: str, secret_keys: Iterable[str] = (), today: date | None = None
) -> Problem:
    """The document has exactly one problem, at `path`, whose rule says every one of `phrases`."""
    found = problems(doc, secret_keys, today)
    assert [p.path for p in found] == [path], found
    return assert_says(found[0], *phrases)


def assert_says(problem: Problem, *phrases: str) -> Problem:
    for phrase in phrases:
        assert phrase in problem.rule, f"{phrase!r} not in {problem.rule!r}"
    return problem


def at(doc: dict[str, Any], path: str, secret_keys: Iterable[str] = ()) -> list[Problem]:
    """The problems at `path` (there must be some), ignoring the consequences elsewhere."""
    found = [p for p in problems(doc, secret_keys) if p.path == path]
    assert found, f"no problem at {path}"
    return found
