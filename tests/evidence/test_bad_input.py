"""Bad input, property-based: generated stack files, valid and invalid, through `plan`.

Each example is one stack file, mutated from the bundled examples or written from scratch, with what must
happen to it:

- `plan`: a valid stack. Every one is read and validated as `plan` does; one in `FULL_PLAN_EVERY` is
  planned in full (the real program under the mock engine, its hub's outputs reused).
- `refuse`: exit status 2 from the real CLI, no traceback, and the message names the file and the key
  (one of `paths`; any key when `paths` is empty).
- `either`: random damage that may or may not leave a valid file: exit status 0 or 2, never a traceback.

Hostile YAML (aliases that expand hugely, deep nesting, big files) is also read under `tracemalloc`, and
its peak must stay small. Counts go to the evidence figures (see conftest).
"""

from __future__ import annotations

import contextlib
import copy
import ipaddress
import itertools
import json
import re
import shutil
import string
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.domain.versions import (
    KUBERNETES_VERSIONS,
    cilium_problem,
    creatable_versions,
    today_utc,
)
from eks_hybrid.components.errors import ProblemsError
from eks_hybrid.planner import Planner
from eks_hybrid.stack_files import read_stack_file

from ..conftest import STACKS
from .conftest import examples, record, record_max

# 1,050 inputs over three properties, some planned in full: 5 to 10 s each on 2 cores.
pytestmark = pytest.mark.slow

SUITE = "bad input"
# The documented limits of stack files (eks_hybrid/safe_yaml.py, docs/concepts/configuration.md): a file
# expands to at most 250,000 values through its aliases and nests at most 64 levels.
MAX_NODES = 250_000
MAX_DEPTH = 64
# Full plans (about a second each) per property: (one in every N valid examples, at most M).
FULL_PLANS = {"valid": (8, 16), "invalid": (1, 0), "hostile": (4, 8)}
YAML_PEAK_BYTES = 64 * 1024 * 1024
runner = CliRunner()

Doc = dict[str, Any]
EXAMPLES = {path.name[len("Pulumi.") : -len(".yaml")]: path for path in sorted(STACKS.glob("Pulumi.*.yaml"))}
CONFIGS: dict[str, Doc] = {
    name: yaml.safe_load(path.read_text())["config"] for name, path in EXAMPLES.items()
}
TEXTS = {name: path.read_text() for name, path in EXAMPLES.items()}
HUBS = [name for name, config in CONFIGS.items() if config["eks-hybrid:role"] == "hub"]
SITES = [name for name, config in CONFIGS.items() if config["eks-hybrid:role"] == "site"]
VPN = ("eks-hybrid:site", "connectivity", "siteToSiteVpn")
SELF = "{SELF}"  # replaced by the stack's own name when the file is written


@dataclass(frozen=True)
class Case:
    family: str
    content: bytes
    expect: str  # "plan" | "refuse" | "either"
    paths: tuple[str, ...] = ()
    hostile_yaml: bool = False


def dump(config: Doc) -> bytes:
    return yaml.safe_dump({"config": config}, sort_keys=False, allow_unicode=True).encode()


def edited(name: str, *edits: tuple[tuple[str | int, ...], Any]) -> Doc:
    """A deep copy of example `name`'s config with each (key path, value) set; value `...` deletes it."""
    config = copy.deepcopy(CONFIGS[name])
    for path, value in edits:
        target: Any = config
        for part in path[:-1]:
            target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
        if value is ...:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return config


def dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


def refuse(family: str, config: Doc, *paths: tuple[str | int, ...]) -> Case:
    return Case(family, dump(config), "refuse", tuple(dotted(p) for p in paths))


# --- building blocks ----------------------------------------------------------------------------------------

slugs = st.from_regex(r"[a-z][a-z0-9-]{0,14}[a-z0-9]", fullmatch=True)
host_uids = st.from_regex(r"edge-[0-9a-f]{8}", fullmatch=True)
# Unicode letters, digits, spaces and AWS's tag symbols (surrogates and unassigned code points left out).
tag_text = st.text(
    alphabet=st.one_of(
        st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Zs")), st.sampled_from(list("_.:/=+-@"))
    ),
    max_size=40,
)
tags = st.dictionaries(
    tag_text.filter(lambda k: k and not k.lower().startswith("aws:")), tag_text, max_size=4
)
label_names = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?", fullmatch=True)
PUBLIC_FIRST_OCTETS = [n for n in range(1, 224) if n not in (10, 100, 127, 169, 172, 192)]
TODAY = today_utc()
USABLE_VERSIONS = [v for v in creatable_versions(TODAY) if cilium_problem("1.18.5-0", v) is None]
RETIRED_VERSIONS = [row.version for row in KUBERNETES_VERSIONS if row.end_of_extended_support <= TODAY]


def with_version(config: Doc, version: str) -> Doc:
    """The hub at `version`, its Palette profile (Kubernetes layer and EdgeForge image tag) following."""
    config["eks-hybrid:cluster"]["kubernetesVersion"] = version
    profile = config.get("eks-hybrid:palette", {}).get("profile")
    if profile:
        profile["kubernetes"]["version"] = f"{version}.0"
        image = profile["os"]["providerImage"]
        profile["os"]["providerImage"] = re.sub(r"nodeadm-\d+\.\d+\.\d+", f"nodeadm-{version}.0", image)
    return config


# --- valid stacks -------------------------------------------------------------------------------------------


@st.composite
def valid_hubs(draw: st.DrawFn) -> Case:
    hub = draw(st.sampled_from(HUBS))
    count = draw(st.integers(1, 8))
    names = draw(st.lists(slugs, min_size=count, max_size=count, unique=True))
    # Node CIDRs 10.N.0.0/x, never inside the hub's VPC CIDR (10.50.0.0/16 in one example hub).
    vpc = ipaddress.IPv4Network(CONFIGS[hub]["eks-hybrid:cluster"]["vpcCidr"])
    free = [n for n in range(1, 100) if not ipaddress.IPv4Network(f"10.{n}.0.0/16").overlaps(vpc)]
    nodes = draw(st.lists(st.sampled_from(free), min_size=count, max_size=count, unique=True))
    # Pod CIDRs from CGNAT (100.64.0.0/10) or 172.22-31 (the examples' service CIDRs are 172.20 and 172.21).
    pods = draw(st.lists(st.integers(0, 63 + 10), min_size=count, max_size=count, unique=True))
    sites = {}
    for name, node, pod in zip(names, nodes, pods, strict=True):
        prefix = draw(st.integers(16, 24))
        pod_cidr = f"100.{64 + pod}.0.0/16" if pod < 64 else f"172.{22 + pod - 64}.0.0/16"
        entry = {"nodeCidr": f"10.{node}.0.0/{prefix}", "podCidr": pod_cidr}
        if draw(st.booleans()):
            entry["routeVia"] = draw(st.sampled_from(["transitGateway", "site"]))
        sites[name] = entry
    config = edited(hub, (("eks-hybrid:sites",), sites), (("eks-hybrid:tags",), draw(tags)))
    with_version(config, draw(st.sampled_from(USABLE_VERSIONS)))
    config.get("eks-hybrid:cilium", {}).pop("ipam", None)
    return Case("valid hub", dump(config), "plan")


@st.composite
def valid_sites(draw: st.DrawFn) -> Case:
    pool_count = draw(st.integers(1, 3))
    names = draw(st.lists(slugs, min_size=pool_count, max_size=pool_count, unique=True))
    hosts = iter(draw(st.lists(host_uids, min_size=3 * pool_count, max_size=3 * pool_count, unique=True)))
    pools = []
    for name in names:
        pool: Doc = {
            "name": name,
            "architecture": draw(st.sampled_from(["amd64", "arm64"])),
            "edgeHosts": [{"uid": next(hosts)} for _ in range(draw(st.integers(1, 3)))],
            "labels": draw(st.dictionaries(label_names, label_names | st.just(""), max_size=3)),
        }
        if draw(st.booleans()):
            pool["taints"] = [
                {
                    "key": draw(label_names),
                    "value": draw(label_names),
                    "effect": draw(st.sampled_from(["NoSchedule", "NoExecute"])),
                }
            ]
        pools.append(pool)
    asn = draw(
        st.one_of(st.integers(64512, 65534), st.integers(4200000000, 4294967294), st.integers(1, 23455))
    )
    octets = [draw(st.sampled_from([n for n in PUBLIC_FIRST_OCTETS if n != 100]))]
    octets += [draw(st.integers(0, 255)), draw(st.integers(0, 255)), draw(st.integers(1, 254))]
    ip = ".".join(map(str, octets))
    config = edited(
        "example-dallas",
        (("eks-hybrid:site", "nodePools"), pools),
        ((*VPN, "customerGateway"), {"ipAddress": ip, "bgpAsn": asn}),
        (("eks-hybrid:tags",), draw(tags)),
    )
    return Case("valid site", dump(config), "plan")


# --- invalid stacks, each refused at a known key ------------------------------------------------------------


@st.composite
def overlapping(draw: st.DrawFn) -> Case:
    hub = draw(st.sampled_from(HUBS))
    sites = list(CONFIGS[hub]["eks-hybrid:sites"])
    a, b = draw(st.permutations(sites))[:2]
    key = draw(st.sampled_from(["nodeCidr", "podCidr"]))
    source = draw(st.sampled_from([("eks-hybrid:sites", a, "nodeCidr"), ("eks-hybrid:cluster", "vpcCidr")]))
    target: Any = CONFIGS[hub]
    for part in source:
        target = target[part]
    base, length = str(target).split("/")
    prefix = int(length) + draw(st.integers(0, 4))
    config = edited(hub, (("eks-hybrid:sites", b, key), f"{base}/{prefix}"))
    return refuse("overlapping CIDRs", config, ("eks-hybrid:sites", b, key), source)


@st.composite
def outside_the_ranges(draw: st.DrawFn) -> Case:
    hub = draw(st.sampled_from(HUBS))
    if draw(st.booleans()):  # CGNAT is fine for remote networks, never for the service CIDR
        config = edited(
            hub, (("eks-hybrid:cluster", "serviceCidr"), f"100.{draw(st.integers(64, 127))}.0.0/16")
        )
        return refuse("public and CGNAT CIDRs", config, ("eks-hybrid:cluster", "serviceCidr"))
    site = draw(st.sampled_from(list(CONFIGS[hub]["eks-hybrid:sites"])))
    key = draw(st.sampled_from(["nodeCidr", "podCidr"]))
    first = draw(st.sampled_from([n for n in PUBLIC_FIRST_OCTETS if n != 100]))
    config = edited(hub, (("eks-hybrid:sites", site, key), f"{first}.{draw(st.integers(0, 255))}.0.0/16"))
    return refuse("public and CGNAT CIDRs", config, ("eks-hybrid:sites", site, key))


BAD_ASNS = [
    0,
    -1,
    23456,
    64496,
    64511,
    65535,
    65536,
    131071,
    2147483648,
    4294967295,
    2**40,
    "65000",
    True,
    1.5,
]


@st.composite
def bad_asns(draw: st.DrawFn) -> Case:
    asn = draw(st.sampled_from(BAD_ASNS) | st.integers(64496, 64511) | st.integers(65536, 131071))
    if draw(st.booleans()):
        path = (*VPN, "customerGateway", "bgpAsn")
        return refuse("bad ASNs", edited("example-dallas", (path, asn)), path)
    path = ("eks-hybrid:transitGateway", "amazonSideAsn")
    asn = draw(st.sampled_from([*BAD_ASNS, 65000 - 1000, 7224]))
    return refuse("bad ASNs", edited(draw(st.sampled_from(HUBS)), (path, asn)), path)


@st.composite
def bad_versions(draw: st.DrawFn) -> Case:
    version = draw(
        st.sampled_from(RETIRED_VERSIONS)
        | st.sampled_from(["1.99", "2.0", "latest", "v1.35", "1.35.0", "", "1.3"])
        | st.from_regex(r"1\.[4-9][0-9]", fullmatch=True)
    )
    path = ("eks-hybrid:cluster", "kubernetesVersion")
    return refuse("unknown and retired versions", edited(draw(st.sampled_from(HUBS)), (path, version)), path)


@st.composite
def duplicates(draw: st.DrawFn) -> Case:
    site = copy.deepcopy(CONFIGS["example-dallas"])
    pool = site["eks-hybrid:site"]["nodePools"][0]
    kind = draw(st.sampled_from(["pool", "host across pools", "host in a pool", "route table"]))
    if kind == "pool":
        site["eks-hybrid:site"]["nodePools"].append({**pool, "edgeHosts": [{"uid": "edge-00000001"}]})
        return refuse("duplicate pools and hosts", site, ("eks-hybrid:site", "nodePools", 1, "name"))
    if kind == "host across pools":
        site["eks-hybrid:site"]["nodePools"].append(
            {"name": draw(slugs.filter(lambda s: s != pool["name"])), "edgeHosts": [pool["edgeHosts"][0]]}
        )
        return refuse(
            "duplicate pools and hosts", site, ("eks-hybrid:site", "nodePools", 1, "edgeHosts", 0, "uid")
        )
    if kind == "host in a pool":
        pool["edgeHosts"].append(dict(pool["edgeHosts"][0]))
        index = len(pool["edgeHosts"]) - 1
        return refuse(
            "duplicate pools and hosts", site, ("eks-hybrid:site", "nodePools", 0, "edgeHosts", index, "uid")
        )
    hub = draw(st.sampled_from(HUBS))
    tables = CONFIGS[hub]["eks-hybrid:cluster"]["routeTableIds"]
    config = edited(hub, (("eks-hybrid:cluster", "routeTableIds"), [*tables, tables[0]]))
    return refuse("duplicate pools and hosts", config, ("eks-hybrid:cluster", "routeTableIds", len(tables)))


@st.composite
def missing_credentials(draw: st.DrawFn) -> Case:
    hub = draw(st.sampled_from(HUBS))
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return refuse(
            "missing credentials",
            edited(hub, (("eks-hybrid:credentials",), ...)),
            ("eks-hybrid:credentials",),
        )
    if choice == 1:
        config = edited(hub, (("eks-hybrid:credentials",), {"provider": "iamRolesAnywhere"}))
        return refuse("missing credentials", config, ("eks-hybrid:credentials", "iamRolesAnywhere"))
    if choice == 2:
        config = edited(hub, (("eks-hybrid:credentials",), {"provider": "ssm"}))
        return refuse("missing credentials", config, ("eks-hybrid:credentials", "ssm"))
    config = edited(hub, (("eks-hybrid:palette", "projectUid"), ...))
    return refuse("missing credentials", config, ("eks-hybrid:palette", "projectUid"))


WRONG_TYPES: list[tuple[str, tuple[str | int, ...], list[Any]]] = [
    ("example-hub", ("eks-hybrid:cluster", "subnetIds"), ["subnet-0a1b2c3d4e5f60001", 5, {"a": 1}]),
    ("example-hub", ("eks-hybrid:cluster", "nodeGroup", "desiredSize"), ["two", [2], {}, 2.5]),
    ("example-hub", ("eks-hybrid:cluster",), ["edge-prod", [], 7]),
    ("example-hub", ("eks-hybrid:sites",), [[], "dallas", 3]),
    ("example-hub", ("eks-hybrid:sites", "dallas", "nodeCidr"), [[], {}, 10, None]),
    ("example-hub", ("eks-hybrid:cilium", "bgpControlPlane"), ["maybe", [], {}]),
    ("example-hub", ("eks-hybrid:cilium", "podCidrMaskSize"), ["big", [25]]),
    ("example-hub", ("eks-hybrid:palette", "profile", "version"), [1.0, [], None]),
    ("example-hub-ssm", ("eks-hybrid:credentials", "ssm", "expirationDays"), ["week", -1, 99]),
    ("example-dallas", ("eks-hybrid:site", "nodePools"), [{}, "workers", 3]),
    ("example-dallas", (*VPN, "routing"), [5, [], "ospf"]),
    ("example-dallas", (*VPN, "tunnels"), ["two", {"a": 1}]),
    ("example-dallas", ("eks-hybrid:protect",), ["sometimes", [], {}]),
    ("example-dallas", ("eks-hybrid:site",), ["dallas", [], 5]),
    ("example-dallas", ("eks-hybrid:site", "nodePools", 0, "edgeHosts"), ["edge-1", [], {}]),
    ("example-chicago", ("eks-hybrid:site", "connectivity", "type"), ["vpn", 1, None]),
    ("example-denver", ("eks-hybrid:site", "connectivity", "directConnect", "gatewayId"), [7, "gw", []]),
]


@st.composite
def wrong_types(draw: st.DrawFn) -> Case:
    name, path, values = draw(st.sampled_from(WRONG_TYPES))
    return refuse("wrong types", edited(name, (path, draw(st.sampled_from(values)))), path)


def _not_a_slug(text: str) -> bool:
    return not (0 < len(text) <= 63 and set(text) <= set(string.ascii_lowercase + string.digits + "-"))


@st.composite
def long_and_unicode_strings(draw: st.DrawFn) -> Case:
    text = draw(
        st.text(min_size=1, max_size=80) | st.text(min_size=300, max_size=2000).map(lambda t: t * 100)
    )
    kind = draw(st.integers(0, 5))
    if kind == 0:
        path: tuple[str | int, ...] = ("eks-hybrid:site", "nodePools", 0, "name")
        return refuse("unicode and very long strings", edited("example-dallas", (path, text + "É")), path)
    if kind == 1:
        path = ("eks-hybrid:cluster", "name")
        value = draw(st.sampled_from(["x" * 101, "é" + text, "-" + text]))
        return refuse(
            "unicode and very long strings", edited(draw(st.sampled_from(HUBS)), (path, value)), path
        )
    if kind == 2:
        path = ("eks-hybrid:hub",)
        value = draw(st.sampled_from(["h" * 101, "o/p/" + "h" * 300, text + " hub", "ä"]))
        return refuse("unicode and very long strings", edited("example-dallas", (path, value)), path)
    if kind == 3:
        path = ("eks-hybrid:tags", "team")
        return refuse(
            "unicode and very long strings", edited("example-dallas", (path, "v" * 257 + text)), path
        )
    if kind == 4:
        path = ("eks-hybrid:site", "nodePools", 0, "labels", "zone")
        value = draw(st.sampled_from(["z" * 64, "a b", "ünï"]))
        return refuse("unicode and very long strings", edited("example-dallas", (path, value)), path)
    path = ("eks-hybrid:sites",)
    hub = draw(st.sampled_from(HUBS))
    sites = dict(CONFIGS[hub]["eks-hybrid:sites"])
    bad = draw(st.text(min_size=1, max_size=100).filter(_not_a_slug))
    sites[bad] = sites.pop(next(iter(sites)))
    config = edited(hub, (path, sites))
    return Case("unicode and very long strings", dump(config), "refuse", ("eks-hybrid:sites.",))


@st.composite
def hub_references(draw: st.DrawFn) -> Case:
    kind = draw(st.sampled_from(["names itself", "missing", "hub names a hub", "not a hub"]))
    site = draw(st.sampled_from(SITES))
    if kind == "names itself":
        return refuse(
            "a hub that names itself", edited(site, (("eks-hybrid:hub",), SELF)), ("eks-hybrid:hub",)
        )
    if kind == "missing":
        missing = draw(slugs.filter(lambda s: s not in EXAMPLES))
        return refuse(
            "a site whose hub is missing", edited(site, (("eks-hybrid:hub",), missing)), ("eks-hybrid:hub",)
        )
    if kind == "not a hub":
        other = draw(st.sampled_from(SITES))
        return refuse(
            "a site whose hub is missing", edited(site, (("eks-hybrid:hub",), other)), ("eks-hybrid:hub",)
        )
    hub = draw(st.sampled_from(HUBS))
    return refuse("a hub that names itself", edited(hub, (("eks-hybrid:hub",), SELF)), ("eks-hybrid:hub",))


@st.composite
def customer_gateway_addresses(draw: st.DrawFn) -> Case:
    ip = draw(
        st.sampled_from(["0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255", "10.0.0.1", "192.168.1.1"])
        | st.builds("100.{}.{}.{}".format, st.integers(64, 127), st.integers(0, 255), st.integers(0, 255))
    )
    path = (*VPN, "customerGateway", "ipAddress")
    return refuse("customer gateway addresses", edited("example-dallas", (path, ip)), path)


@st.composite
def plaintext_secrets(draw: st.DrawFn) -> Case:
    secret = draw(st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=40))
    if draw(st.booleans()):
        tunnels = [
            {"insideCidr": "169.254.10.0/30", "presharedKey": {"secure": "v1:c2VjcmV0"}},
            {"insideCidr": "169.254.10.4/30", "presharedKey": secret},
        ]
        path: tuple[str | int, ...] = (*VPN, "tunnels", 1, "presharedKey")
        return refuse("plain-text credentials", edited("example-dallas", ((*VPN, "tunnels"), tunnels)), path)
    path = ("eks-hybrid:palette", "apiKey")
    return refuse(
        "plain-text credentials", edited(draw(st.sampled_from([*HUBS, *SITES])), (path, secret)), path
    )


@st.composite
def swapped_roles(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(list(EXAMPLES)))
    other = "site" if CONFIGS[name]["eks-hybrid:role"] == "hub" else "hub"
    return refuse("swapped roles", edited(name, (("eks-hybrid:role",), other)), ("eks-hybrid:role",))


INVALID = st.one_of(
    overlapping(),
    outside_the_ranges(),
    bad_asns(),
    bad_versions(),
    duplicates(),
    missing_credentials(),
    wrong_types(),
    long_and_unicode_strings(),
    hub_references(),
    customer_gateway_addresses(),
    plaintext_secrets(),
    swapped_roles(),
)


# --- hostile files ------------------------------------------------------------------------------------------


def _expanded_size(fan: int, depth: int) -> list[int]:
    """Values each anchor a0, a1, ... stands for: `fan` scalars in a list, then lists of `fan` aliases."""
    sizes = [1 + fan]
    for _ in range(1, depth):
        sizes.append(1 + fan * sizes[-1])
    return sizes


@st.composite
def alias_bombs(draw: st.DrawFn) -> Case:
    fan, depth = draw(st.integers(2, 12)), draw(st.integers(1, 10))
    lines = [f"  other:a0: &a0 [{', '.join(['x'] * fan)}]"]
    lines += [f"  other:a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan)}]" for i in range(1, depth)]
    text = TEXTS["example-dallas"].replace("config:\n", "config:\n" + "\n".join(lines) + "\n", 1)
    sizes = _expanded_size(fan, depth)
    # The whole file counts: the first anchor whose own expansion, or the document's, goes over the limit.
    over = next((i for i, size in enumerate(sizes) if size > MAX_NODES), None)
    if over is None and sum(sizes) + 200 < MAX_NODES:
        return Case("YAML aliases that expand hugely", text.encode(), "plan", hostile_yaml=True)
    if over is None:  # near the limit by the document's total: refused naming the file, or planned
        return Case("YAML aliases that expand hugely", text.encode(), "either", hostile_yaml=True)
    return Case(
        "YAML aliases that expand hugely", text.encode(), "refuse", (f"other:a{over}",), hostile_yaml=True
    )


@st.composite
def deep_nesting(draw: st.DrawFn) -> Case:
    depth = draw(st.integers(1, 200))
    flow = draw(st.booleans())
    value = "[" * depth + "]" * depth if flow else "{a: " * depth + "1" + "}" * depth
    text = TEXTS["example-hub-ssm"].replace("config:\n", f"config:\n  other:deep: {value}\n", 1)
    # The root mapping and `config:` are two levels; a flow mapping's innermost value is one more.
    levels = 2 + depth + (0 if flow else 1)
    expect = "refuse" if levels > MAX_DEPTH else "plan"
    paths = ("other:deep", "(file)") if expect == "refuse" else ()
    return Case("deep nesting", text.encode(), expect, paths, hostile_yaml=True)


def _json_with_duplicate(value: Any, path: tuple[str | int, ...]) -> str:
    """`value` as JSON (valid YAML), the mapping at `path[:-1]` giving key `path[-1]` twice."""
    if not path:
        return json.dumps(value)
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        items = [_json_with_duplicate(v, rest) if i == head else json.dumps(v) for i, v in enumerate(value)]
        return "[" + ", ".join(items) + "]"
    pairs = [
        f"{json.dumps(k)}: {_json_with_duplicate(v, rest) if k == head else json.dumps(v)}"
        for k, v in value.items()
    ]
    if not rest:
        pairs.append(f"{json.dumps(head)}: {json.dumps(value[head])}")
    return "{" + ", ".join(pairs) + "}"


def _key_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*path, key))
            found += _key_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _key_paths(item, (*path, index))
    return found


@st.composite
def duplicate_keys(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(list(EXAMPLES)))
    document = {"config": CONFIGS[name]}
    path = draw(st.sampled_from(_key_paths(document)))
    text = _json_with_duplicate(document, path)
    expected = dotted(path[1:]) if len(path) > 1 else "config"
    return Case("duplicate keys", text.encode(), "refuse", (expected,), hostile_yaml=True)


@st.composite
def odd_files(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(list(EXAMPLES)))
    text = TEXTS[name]
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return Case(
            "empty and binary files",
            draw(st.sampled_from([b"", b"\n", b"   \n\n", b"# nothing\n"])),
            "refuse",
            ("config",),
        )
    if kind == 1:
        return Case(
            "empty and binary files", draw(st.binary(min_size=1, max_size=3000)), "refuse", hostile_yaml=True
        )
    if kind == 2:
        return Case("encodings", text.encode("utf-16"), "plan", hostile_yaml=True)
    if kind == 3:
        return Case("encodings", "\ufeff".encode() + text.encode(), "plan", hostile_yaml=True)
    if kind == 4:
        return Case("encodings", text.encode("utf-32"), "refuse", ("(file)",), hostile_yaml=True)
    if kind == 5:
        accented = draw(st.sampled_from("éüñçøåß"))
        damaged = text.replace("# ", f"# {accented} ", 1).encode("latin-1")
        return Case("encodings", damaged, "refuse", ("(file)",), hostile_yaml=True)
    if kind == 6:  # refused before it is read (the 250,000-value file is in test_bounds: slow to build)
        return Case("big files", b"#" * (4 * 1024 * 1024 + 1), "refuse", ("(file)",), hostile_yaml=True)
    return Case(
        "other programs' YAML",
        text.replace("config:\n", draw(_other_programs_yaml()), 1).encode(),
        "either",
        hostile_yaml=True,
    )


@st.composite
def _other_programs_yaml(draw: st.DrawFn) -> str:
    value = draw(
        st.sampled_from(
            [
                "2026-11-29",
                "2026-11-29T10:00:00Z",
                "!!binary aGVsbG8=",
                "!!set {a, b}",
                "!!omap [a: 1]",
                "!Ref Thing",
                "yes",
                "0o17",
                "~",
                "{1: a, true: b}",
                "&x [1, *x]",
                "!!python/name:os.system",
                "*undefined",
            ]
        )
    )
    return f"config:\n  other:value: {value}\n"


@st.composite
def damaged_files(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(list(EXAMPLES)))
    text = TEXTS[name]
    at = draw(st.integers(0, len(text)))
    insert = draw(
        st.text(max_size=20)
        | st.sampled_from(["\t", ": ", "- ", "{", "[", "&a ", "*a", "!!", "%TAG", "\x00", "\x1b[31m"])
    )
    cut = draw(st.integers(0, 5))
    return Case("random damage", (text[:at] + insert + text[at + cut :]).encode(), "either")


HOSTILE = st.one_of(alias_bombs(), deep_nesting(), duplicate_keys(), odd_files(), damaged_files())
VALID = st.one_of(valid_hubs(), valid_sites())


# --- running a case -----------------------------------------------------------------------------------------


@dataclass
class Workspace:
    """The examples in one directory, one planner for the session (its hub outputs reused by every site)."""

    directory: Path
    planner: Planner = field(repr=False)
    counter: itertools.count = field(repr=False)
    valid: Counter[str] = field(default_factory=Counter)
    full_plans: Counter[str] = field(default_factory=Counter)

    def write(self, case: Case) -> str:
        name = f"case-{next(self.counter)}"
        content = case.content.replace(SELF.encode(), name.encode())
        (self.directory / f"Pulumi.{name}.yaml").write_bytes(content)
        return name

    def remove(self, name: str) -> None:
        (self.directory / f"Pulumi.{name}.yaml").unlink()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    directory = tmp_path_factory.mktemp("evidence") / "stacks"
    shutil.copytree(STACKS, directory)
    return Workspace(directory, Planner(directory, offline_secrets=True), itertools.count())


def _cli(workspace: Workspace, name: str) -> Any:
    return runner.invoke(
        app, ["plan", "--stack", name, "--stacks-dir", str(workspace.directory), "--offline-secrets"]
    )


def _measure_yaml(workspace: Workspace, name: str) -> None:
    """Read the file alone under tracemalloc: whatever it holds, reading it stays small."""
    tracemalloc.start()
    try:
        with contextlib.suppress(ProblemsError):
            read_stack_file(workspace.directory, name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    record(SUITE, **{"hostile YAML files read under tracemalloc": 1})
    record_max(SUITE, "peak KiB reading one hostile YAML file", peak // 1024)
    assert peak < YAML_PEAK_BYTES, f"reading the file peaked at {peak / 2**20:.0f} MiB"


def check(workspace: Workspace, case: Case, budget: str) -> None:
    name = workspace.write(case)
    label = str(workspace.directory / f"Pulumi.{name}.yaml")
    try:
        if case.hostile_yaml:
            _measure_yaml(workspace, name)
        if case.expect == "plan" or (case.expect == "either" and _valid(workspace, name)):
            _check_valid(workspace, name, budget)
            return
        result = _cli(workspace, name)
        output = result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), output
        assert "Traceback" not in output, output
        if case.expect == "either":
            assert result.exit_code in (0, 2), output
        else:
            assert result.exit_code == 2, output
        if result.exit_code == 2:
            assert f"{label}: " in result.stderr, result.stderr
            if case.paths:
                assert any(f"{label}: {path}" in result.stderr for path in case.paths), (
                    case.paths,
                    result.stderr,
                )
            record(SUITE, **{"refused with exit 2": 1})
        else:
            record(SUITE, **{"planned (either)": 1})
    finally:
        workspace.remove(name)
        record(SUITE, **{"inputs tried": 1, f"family: {case.family}": 1})


def _valid(workspace: Workspace, name: str) -> bool:
    """Whether `plan` would accept the file (read and validated only; a refusal is the CLI's to show)."""
    try:
        stack = read_stack_file(workspace.directory, name)
        validate_stack(stack.document, stack.label, stack.secret_keys, secret_paths=stack.secret_paths)
    except ProblemsError:
        return False
    return True


def _check_valid(workspace: Workspace, name: str, budget: str) -> None:
    workspace.valid[budget] += 1
    every, most = FULL_PLANS[budget]
    if workspace.full_plans[budget] < most and workspace.valid[budget] % every == 1:
        workspace.full_plans[budget] += 1
        plan = workspace.planner.plan(name)  # any exception fails the example, traceback and all
        assert plan.run.resources
        record(SUITE, **{"valid, planned in full": 1})
        return
    stack = read_stack_file(workspace.directory, name)
    config = validate_stack(stack.document, stack.label, stack.secret_keys, secret_paths=stack.secret_paths)
    if config.role == "site":
        assert (workspace.directory / f"Pulumi.{config.hub_stack_name}.yaml").is_file()
    record(SUITE, **{"valid, validated": 1})


# --- the properties -----------------------------------------------------------------------------------------


@examples(150)
@given(case=VALID)
def test_every_valid_stack_plans(workspace: Workspace, case: Case) -> None:
    check(workspace, case, "valid")


@examples(500)
@given(case=INVALID)
def test_every_invalid_stack_is_refused_with_exit_2_naming_the_file_and_key(
    workspace: Workspace, case: Case
) -> None:
    check(workspace, case, "invalid")


@examples(400)
@given(case=HOSTILE)
def test_no_file_hangs_blows_up_or_gives_a_traceback(workspace: Workspace, case: Case) -> None:
    check(workspace, case, "hostile")
