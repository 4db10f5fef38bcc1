"""The runbook "Upgrade an estate from 1.34 to 1.36" (docs/guides/upgrade.md), played on stack files: a hub
and three sites, each step a config change planned offline and diffed as a reviewer reads it in the pull
request. At every step: the control plane moves at most one minor from what the hub runs, the estate is
within AWS's skew policy (hybrid nodes at most three minors behind the control plane, the cloud node group
too), the diff changes exactly what the step says (a site step changes that site's pools and nothing else),
and nothing is flagged dangerous. The guide's numbered steps are `RUNBOOK`'s, in order (the last test).

The Palette side of the same sequence (repaves waited for, old versions deleted once unused) is
tests/palette/test_upgrade_sequence.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eks_hybrid.components.domain.versions import (
    control_plane_change_problem,
    node_group_skew_problem,
    node_skew_problem,
)
from eks_hybrid.diff.engine import PlanSet
from eks_hybrid.diff.report import compare
from eks_hybrid.diff.sources import plan_directory

from .conftest import STACKS

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "guides" / "upgrade.md"
HUB = "example-hub"
SITES = {"example-dallas": "dallas", "example-chicago": "chicago", "example-denver": "denver"}
IMAGE = "registry.example.com/edge/ubuntu:nodeadm-{nodeadm}-v4.5.21-eks-hybrid"

Config = dict[str, Any]


@dataclass(frozen=True)
class Step:
    title: str
    edits: dict[str, Callable[[Config], None]]
    changes: dict[str, set[str]]  # stack -> the names of the resources the diff changes


def _hub(edit: Callable[[Config], None]) -> dict[str, Callable[[Config], None]]:
    return {HUB: edit}


def control_plane(version: str, hold_nodes_at: str) -> Callable[[Config], None]:
    def edit(config: Config) -> None:
        config["eks-hybrid:cluster"]["kubernetesVersion"] = version
        config["eks-hybrid:cluster"]["nodeGroup"]["kubernetesVersion"] = hold_nodes_at

    return edit


def release_cloud_nodes(config: Config) -> None:
    config["eks-hybrid:cluster"]["nodeGroup"].pop("kubernetesVersion", None)


def publish(version: str, nodeadm: str, keep: list[str]) -> Callable[[Config], None]:
    def edit(config: Config) -> None:
        profile = config["eks-hybrid:palette"]["profile"]
        profile["version"] = version
        profile["kubernetes"]["version"] = nodeadm
        profile["os"]["providerImage"] = IMAGE.format(nodeadm=nodeadm)
        config["eks-hybrid:palette"]["keepProfileVersions"] = keep

    return edit


def pin(version: str) -> Callable[[Config], None]:
    def edit(config: Config) -> None:
        config["eks-hybrid:site"]["paletteProfileVersion"] = version

    return edit


CLUSTER = {"edge-prod-eks"}
NODE_GROUP = {"edge-prod-cloud-nodes"}
PROFILE = {"edge-prod-profile"}


def _pool(stack: str) -> set[str]:
    site = SITES[stack]
    return {f"{site}-workers"}


def _moves(version: str) -> list[Step]:
    return [
        Step(f"Move {SITES[stack]} to profile {version}", {stack: pin(version)}, {stack: _pool(stack)})
        for stack in SITES
    ]


RUNBOOK: list[Step] = [
    Step("Move the control plane to 1.35", _hub(control_plane("1.35", "1.34")), {HUB: CLUSTER}),
    Step("Move the cloud nodes to 1.35", _hub(release_cloud_nodes), {HUB: NODE_GROUP}),
    Step(
        "Publish profile 1.1.0 (nodeadm 1.35.0)", _hub(publish("1.1.0", "1.35.0", ["1.0.0"])), {HUB: PROFILE}
    ),
    *_moves("1.1.0"),
    Step("Retire profile 1.0.0", _hub(publish("1.1.0", "1.35.0", [])), {HUB: PROFILE}),
    Step("Move the control plane to 1.36", _hub(control_plane("1.36", "1.35")), {HUB: CLUSTER}),
    Step("Move the cloud nodes to 1.36", _hub(release_cloud_nodes), {HUB: NODE_GROUP}),
    Step(
        "Publish profile 1.2.0 (nodeadm 1.36.0)", _hub(publish("1.2.0", "1.36.0", ["1.1.0"])), {HUB: PROFILE}
    ),
    *_moves("1.2.0"),
    Step("Retire profile 1.1.0", _hub(publish("1.2.0", "1.36.0", [])), {HUB: PROFILE}),
]


def _start(stacks: Path) -> None:
    """The estate before the runbook: a 1.34 control plane, nodes on nodeadm 1.32.0 (profile 1.0.0)."""
    for name in (HUB, *SITES):
        shutil.copy(STACKS / f"Pulumi.{name}.yaml", stacks / f"Pulumi.{name}.yaml")
    _edit(stacks, HUB, control_plane("1.34", "1.34"))
    _edit(stacks, HUB, release_cloud_nodes)
    _edit(stacks, HUB, publish("1.0.0", "1.32.0", []))
    for stack in SITES:
        _edit(stacks, stack, pin("1.0.0"))


def _edit(stacks: Path, name: str, edit: Callable[[Config], None]) -> None:
    path = stacks / f"Pulumi.{name}.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document["config"])
    path.write_text(yaml.safe_dump(document))


def _config(stacks: Path, name: str) -> Config:
    config: Config = yaml.safe_load((stacks / f"Pulumi.{name}.yaml").read_text())["config"]
    return config


def _estate(stacks: Path) -> tuple[str, str, dict[str, str]]:
    """(control plane, cloud node group, each site's nodes' Kubernetes version)."""
    hub = _config(stacks, HUB)
    cluster = hub["eks-hybrid:cluster"]
    plane = str(cluster["kubernetesVersion"])
    group = str(cluster["nodeGroup"].get("kubernetesVersion") or plane)
    palette = hub["eks-hybrid:palette"]
    # What each published profile version's Kubernetes layer is: the current one, and the kept ones as the
    # runbook published them.
    layers = {str(palette["profile"]["version"]): str(palette["profile"]["kubernetes"]["version"])}
    layers.update(PUBLISHED)
    nodes = {
        SITES[s]: layers[str(_config(stacks, s)["eks-hybrid:site"]["paletteProfileVersion"])] for s in SITES
    }
    return plane, group, nodes


PUBLISHED = {"1.0.0": "1.32.0", "1.1.0": "1.35.0", "1.2.0": "1.36.0"}


def test_an_estate_upgraded_from_1_34_to_1_36_step_by_step(tmp_path: Path) -> None:
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    _start(stacks)
    before: PlanSet = plan_directory(stacks, label="start")
    assert before.errors == {}
    for step in RUNBOOK:
        deployed = _estate(stacks)[0]
        for name, edit in step.edits.items():
            _edit(stacks, name, edit)
        plane, group, nodes = _estate(stacks)
        assert control_plane_change_problem(deployed, plane) is None, step.title
        assert node_group_skew_problem(plane, group) is None, step.title
        assert {s: node_skew_problem(plane, v) for s, v in nodes.items()} == dict.fromkeys(nodes), step.title
        after = plan_directory(stacks, label=step.title)
        assert after.errors == {}, f"{step.title}: {after.errors}"
        report = compare(before, after)
        changed = {
            diff.stack: {r.name for r in diff.resources if r.action != "same"}
            for diff in report.stacks
            if diff.resources
        }
        assert changed == step.changes, step.title
        assert report.dangers == (), f"{step.title}: {[d.kind for d in report.dangers]}"
        before = after
    assert _estate(stacks) == ("1.36", "1.36", dict.fromkeys(SITES.values(), "1.36.0"))


def test_skipping_a_minor_or_the_nodes_order_is_what_the_runbook_avoids() -> None:
    # The control plane two minors at once, or past the nodes' skew, is refused (EKS; AWS's skew policy).
    assert control_plane_change_problem("1.34", "1.36") is not None
    assert node_skew_problem("1.36", "1.32.0") is not None  # profile 1.0.0's nodes under a 1.36 plane


def test_the_guide_lists_the_runbooks_steps_in_order() -> None:
    text = GUIDE.read_text()
    section = text[text.index("## Upgrade an estate from 1.34 to 1.36") :]
    section = section[: section.find("\n## ", 4) if "\n## " in section[4:] else len(section)]
    titles = re.findall(r"^\d+\. \*\*(.+?)\.\*\*", section, flags=re.M)
    assert titles == [step.title for step in RUNBOOK]
