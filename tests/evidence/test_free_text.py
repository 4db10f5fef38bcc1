"""Free text in stack files takes the shape the real service accepts, and counts are whole numbers.

NTP servers and NIC names used to take `pool.ntp.org; reboot`, newlines, NUL and 10,000 characters; pack
names and tags empty text, NUL and 100,000 characters; `instanceType: nonsense` and `minSize: true` (read as
1) passed; a provider image `render` could not split dropped its lines from the `.arg` file; an edge host
name became a file name (`../../../x`), and two hosts with one name shared a file. Every hostile value below
goes through the real CLI (`eks-hybrid plan`) and must be refused with exit 2, naming the stack file, the key
and the rule's code, with no traceback.
"""

from __future__ import annotations

import copy
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app

from ..conftest import STACKS
from .conftest import record

SUITE = "free text"
Doc = dict[str, Any]
HUB, SITE = "example-hub", "example-dallas"
runner = CliRunner()

# Generated hostile text: a shell command after a good value, line breaks, NUL, control characters, very
# long values, empty and blank text, a path, non-ASCII.
HOSTILE_TEXT = [
    "pool.ntp.org; reboot",
    "eth0; reboot",
    "a\nb",
    "a\r\nb",
    "x\x00",
    "\x00",
    "a\tb",
    "\x1b[2J",
    "x" * 10_000,
    "y" * 100_000,
    "",
    "   ",
    "../../../x",
    "/etc/passwd",
    "$(reboot)",
    "`reboot`",
    "é",
    "Ω-01",
]
NOT_WHOLE_NUMBERS: list[Any] = [True, False, "3", 3.5, None]


def _config(stack: str) -> Doc:
    config: Doc = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    return config


def _set(config: Doc, path: tuple[str | int, ...], value: Any) -> Doc:
    edited = copy.deepcopy(config)
    target: Any = edited
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return edited


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))


POOL = ("eks-hybrid:site", "nodePools", 0)
HOST = (*POOL, "edgeHosts", 0)
OS = ("eks-hybrid:palette", "profile", "os")
NODE_GROUP = ("eks-hybrid:cluster", "nodeGroup")
REGISTRY = (*OS, "registryName")
# (stack, key path, the code a hostile value gets, the values to try beyond HOSTILE_TEXT)
TEXT_FIELDS: list[tuple[str, tuple[str | int, ...], str, list[str]]] = [
    (SITE, (*POOL, "ntpServers", 0), "invalid-ntp-server", ["999.1.1.1", "fe80::1%eth0; reboot", "-a.b"]),
    (SITE, (*HOST, "nicName"), "invalid-nic-name", [".", "..", "eth0:1", "a/b", "e" * 16, "eth%0", "eth0;x"]),
    (SITE, (*HOST, "name"), "invalid-edge-host-name", ["Dallas-01", "a.b", "-a", "a_b", "a" * 64]),
    (HUB, (*NODE_GROUP, "instanceType"), "invalid-instance-type", ["nonsense", "M6I.large", "m6i."]),
    (HUB, (*OS, "pack"), "invalid-pack-name", ["Edge-Native", "-x", "a" * 129]),
    (HUB, (*OS, "tag"), "invalid-pack-tag", ["-1", "1 .0", "1" * 65]),
    (
        HUB,
        (*OS, "providerImage"),
        "invalid-provider-image",
        [
            "registry.example.com/edge/custom:latest",
            "registry.example.com/edge/ubuntu:nodeadm-1.32.0",
            "registry.example.com/edge/ubuntu:nodeadm-1.32.0-v4.5.21-x; reboot",
            "registry.example.com/edge/Ubuntu:nodeadm-1.32.0-v4.5.21",
        ],
    ),
]
# Blank or empty text is refused as empty where the models strip it first; any code will do for those.
BLANK = {"", "   "}
INT_FIELDS: list[tuple[str, tuple[str | int, ...]]] = [
    (HUB, (*NODE_GROUP, "minSize")),
    (HUB, (*NODE_GROUP, "maxSize")),
    (HUB, (*NODE_GROUP, "desiredSize")),
    (HUB, (*NODE_GROUP, "diskSizeGib")),
    (HUB, ("eks-hybrid:cilium", "podCidrMaskSize")),
    (HUB, ("eks-hybrid:cilium", "clusterAsn")),
    (HUB, ("eks-hybrid:quotas", "securityGroupRules")),
    (HUB, ("eks-hybrid:transitGateway", "amazonSideAsn")),
    (HUB, ("eks-hybrid:credentials", "iamRolesAnywhere", "sessionDurationSeconds")),
    (SITE, ("eks-hybrid:site", "ciliumCrdWaitMinutes")),
    (SITE, ("eks-hybrid:site", "connectivity", "siteToSiteVpn", "customerGateway", "bgpAsn")),
]


def _cases() -> Iterator[tuple[str, str, Doc, str, str | None]]:
    """(family, stack, config, key, code or None for any code)."""
    for stack, path, code, extra in TEXT_FIELDS:
        for value in [*HOSTILE_TEXT, *extra]:
            blank = value in BLANK or (path[-1] == "tag" and value.strip() == "")
            yield "text", stack, _set(_config(stack), path, value), _dotted(path), None if blank else code
    for stack, path in INT_FIELDS:
        for number in NOT_WHOLE_NUMBERS:
            config = _config(stack)
            parent: Any = config
            for part in path[:-1]:
                parent = parent.setdefault(part, {}) if isinstance(part, str) else parent[part]
            parent[path[-1]] = number
            yield "whole number", stack, config, _dotted(path), None
    # Registry names are words with spaces ("Public Repo"): only control characters, blank names and
    # length are refused (the name goes into the query that finds the registry).
    for value in [
        "x\x00",
        "a\nb",
        "a\tb",
        "\x1b[2J",
        "r" * 129,
        "y" * 100_000,
        "",
        "   ",
    ]:
        code = None if value in BLANK else "invalid-registry-name"
        yield "text", HUB, _set(_config(HUB), REGISTRY, value), _dotted(REGISTRY), code
    # Two hosts of a site with one name (one pool, two pools, a name equal to another host's uid).
    site = _config(SITE)
    pools = site["eks-hybrid:site"]["nodePools"]
    hosts = pools[0]["edgeHosts"]
    same_pool = _set(site, (*POOL, "edgeHosts", 1, "name"), hosts[0]["name"])
    yield "unique name", SITE, same_pool, _dotted((*POOL, "edgeHosts", 1, "name")), "duplicate-edge-host-name"
    other_pool = copy.deepcopy(site)
    other_pool["eks-hybrid:site"]["nodePools"].append(
        {"name": "dallas-more", "edgeHosts": [{"uid": "edge-00000001", "name": hosts[0]["name"]}]}
    )
    path = ("eks-hybrid:site", "nodePools", len(pools), "edgeHosts", 0, "name")
    yield "unique name", SITE, other_pool, _dotted(path), "duplicate-edge-host-name"
    as_uid = _set(site, (*POOL, "edgeHosts", 0, "name"), hosts[1]["uid"])  # host 1, unnamed, is its uid
    del as_uid["eks-hybrid:site"]["nodePools"][0]["edgeHosts"][1]["name"]
    yield "unique name", SITE, as_uid, _dotted((*POOL, "edgeHosts", 1, "uid")), "duplicate-edge-host-name"


CASES = list(_cases())


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("free-text") / "stacks"
    shutil.copytree(STACKS, target)
    return target


COUNTER = itertools.count()


@pytest.mark.parametrize(("family", "stack", "config", "key", "code"), CASES)
def test_hostile_free_text_is_refused_by_plan(
    directory: Path, family: str, stack: str, config: Doc, key: str, code: str | None
) -> None:
    name = f"case-{next(COUNTER)}"
    if stack == SITE:
        config = {**config, "eks-hybrid:hub": "example-hub"}
    (directory / f"Pulumi.{name}.yaml").write_text(
        yaml.safe_dump({"config": config}, sort_keys=False, allow_unicode=True)
    )
    result = runner.invoke(
        app, ["plan", "--stack", name, "--stacks-dir", str(directory), "--offline-secrets"]
    )
    record(SUITE, **{f"{family} cases": 1})
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2, result.output
    label = str(directory / f"Pulumi.{name}.yaml")
    assert f"{label}: {key}" in result.stderr, result.stderr
    if code is not None:
        assert f"[{code}]" in result.stderr, result.stderr
    if code not in (None, "duplicate-edge-host-name"):
        assert "e.g. " in result.stderr, result.stderr  # the pattern in words, with an example
    record(SUITE, refused=1)


def test_the_examples_still_plan(directory: Path) -> None:
    for stack in (HUB, SITE):
        result = runner.invoke(
            app, ["plan", "--stack", stack, "--stacks-dir", str(directory), "--offline-secrets"]
        )
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("value", ["Public Repo", "Palette Community Registry", "spectro-packs", "Équipe 1"])
def test_registry_names_palette_uses_are_taken(value: str) -> None:
    from eks_hybrid.components.domain.palette import ProfileLayer

    assert ProfileLayer.model_validate({"registryName": value}).registry_name == value
