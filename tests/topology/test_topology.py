"""The topology picture of the example stacks: Mermaid for GitHub, SVG through Graphviz for everyone else."""

from __future__ import annotations

import copy
import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.diff.sources import plan_directory
from eks_hybrid.topology import build_topology, merge
from eks_hybrid.topology.graphviz import to_dot
from eks_hybrid.topology.mermaid import to_mermaid

from ..conftest import STACKS

SITES = ("dallas", "chicago", "denver", "austin", "seattle")
runner = CliRunner()


@pytest.fixture(scope="module")
def documents() -> list[dict]:
    return list(plan_directory(STACKS).stacks.values())


def test_the_model_holds_hubs_gateways_sites_pools_and_hosts(documents) -> None:
    topology = build_topology(documents)
    for text in (
        "hub example-hub",
        "VPC vpc-0123456789abcdef0",
        "EKS edge-prod",
        "Transit gateway",
        "ASN 64512",
        "Virtual private gateway",
        "pool dallas-workers",
        "dallas-01",
        "nodes 10.200.0.0/16",
        "pods 192.168.0.0/16",
        "in the hub's inventory, no site stack planned",  # seattle
    ):
        assert topology.labelled(text), text
    labels = {link.source: link.lines for link in topology.links}
    assert labels["edge_example_hub_dallas"][0] == "Site-to-Site VPN, static routes"
    assert labels["edge_example_hub_denver"][0] == "Direct Connect, BGP"
    assert labels["edge_example_hub_ssm_austin"][0] == "Site-to-Site VPN, BGP"
    targets = {link.source: link.target for link in topology.links}
    assert targets["edge_example_hub_dallas"] == "tgw_example_hub"
    assert targets["edge_example_hub_chicago"] == "vgw_example_hub"


def test_mermaid_names_every_site(documents) -> None:
    mermaid = to_mermaid(build_topology(documents))
    assert mermaid.startswith("flowchart LR\n")
    for site in SITES:
        assert f"site {site}" in mermaid
    assert mermaid.count("subgraph ") == mermaid.count("\n  end") + sum(
        1 for line in mermaid.splitlines() if line.strip() == "end" and not line.startswith("  end")
    )
    assert "classDef" not in mermaid  # a plan marks nothing


def test_a_diff_marks_added_and_removed_parts(documents) -> None:
    base = build_topology(documents)
    without_denver = copy.deepcopy([d for d in documents if d["stack"] != "example-denver"])
    hub = next(d for d in without_denver if d["stack"] == "example-hub")
    inventory = json.loads(hub["outputs"]["siteInventory"])
    del inventory["denver"]  # out of the hub's inventory too
    hub["outputs"]["siteInventory"] = json.dumps(inventory)
    head = build_topology(without_denver)
    merged = merge(base, head)
    statuses = {e.id: e.status for e in merged.elements}
    assert statuses["site_example_hub_denver"] == "removed"
    assert statuses["site_example_hub_dallas"] == "same"
    mermaid = to_mermaid(merged)
    assert '"- site denver' in mermaid and "class " in mermaid and "removed;" in mermaid
    assert 'color="#cf222e", style=dashed' in to_dot(merged)


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (.ci/run installs it)"
)
def test_svg_parses_and_names_every_site(tmp_path) -> None:
    result = runner.invoke(
        app, ["plan", "--all", "--offline-secrets", "--format", "svg", "--stacks-dir", str(STACKS)]
    )
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for site in SITES:
        assert f"site {site}" in texts
    assert "EKS edge-prod" in texts and "Transit gateway" in texts


def test_plan_markdown_carries_the_picture_and_the_policy() -> None:
    result = runner.invoke(
        app, ["plan", "--all", "--offline-secrets", "--format", "markdown", "--stacks-dir", str(STACKS)]
    )
    assert result.exit_code == 0, result.output
    assert "```mermaid\nflowchart LR\n" in result.stdout
    assert "### example-dallas (site):" in result.stdout
    assert "Policy: every rule passes." in result.stdout
    json_result = runner.invoke(
        app,
        [
            "plan",
            "--stack",
            "example-hub",
            "--offline-secrets",
            "--format",
            "json",
            "--stacks-dir",
            str(STACKS),
        ],
    )
    assert json.loads(json_result.stdout)["policy"] == {"checked": True, "violations": [], "mandatory": 0}
