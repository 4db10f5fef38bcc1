"""A hub whose public endpoint admits only some ranges must admit every node: its cloud nodes' NAT egress
(the hub's own check) and each site's internet egress (the site's check, against the hub's outputs
`endpointAccess` and `publicAccessCidrs`). EKS user guide, "Cluster API server endpoint": the allowed CIDR
blocks must include the addresses nodes reach the public endpoint from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from eks_hybrid.cli import app

from ..conftest import copy_examples

runner = CliRunner()
CLOUD = ["192.0.2.10/32", "192.0.2.11/32"]


def plan(*args: str):
    return runner.invoke(app, ["plan", *args, "--offline-secrets"])


def office_only(config: dict[str, Any]) -> None:
    """example-hub-ssm as it was: the office and the cloud nodes' egress, not austin's router."""
    config["eks-hybrid:cluster"]["publicAccessCidrs"] = ["203.0.113.0/24", *CLOUD]
    config["eks-hybrid:cluster"]["cloudEgressCidrs"] = CLOUD


def test_plan_all_refuses_a_site_whose_egress_the_hub_does_not_admit_naming_both_keys(tmp_path: Path) -> None:
    stacks = copy_examples(tmp_path, {"example-hub-ssm": office_only})
    result = plan("--all", "--stacks-dir", str(stacks))
    assert result.exit_code == 2, result.output
    assert "✗ example-austin" in result.stderr and "✗ example-hub-ssm" not in result.stderr
    expected = (
        f"{stacks}/Pulumi.example-austin.yaml: eks-hybrid:site.egressCidrs: 198.51.100.30/32"
        " (eks-hybrid:site.egressCidrs (by default the customer gateway's ipAddress)) is outside"
        f" 203.0.113.0/24, 192.0.2.10/32, 192.0.2.11/32 ({stacks}/Pulumi.example-hub-ssm.yaml:"
        " eks-hybrid:cluster.publicAccessCidrs)"
    )
    assert expected in " ".join(result.stderr.split()), result.stderr
    assert "[site-egress-outside]" in result.stderr


def test_an_explicit_site_egress_inside_the_hub_ranges_plans(tmp_path: Path) -> None:
    def egress_via_office(config: dict[str, Any]) -> None:
        config["eks-hybrid:site"]["egressCidrs"] = ["203.0.113.64/26"]

    stacks = copy_examples(tmp_path, {"example-hub-ssm": office_only, "example-austin": egress_via_office})
    result = plan("--stack", "example-austin", "--stacks-dir", str(stacks))
    assert result.exit_code == 0, result.output


def test_the_example_hub_admits_its_cloud_nodes_and_austin(tmp_path: Path) -> None:
    result = plan("--stack", "example-austin", "--stacks-dir", str(copy_examples(tmp_path)))
    assert result.exit_code == 0, result.output


def test_a_site_without_a_customer_gateway_must_name_its_egress(tmp_path: Path) -> None:
    # denver reaches the VPC over Direct Connect: no customer gateway address to default to.
    def with_denver(config: dict[str, Any]) -> None:
        config["eks-hybrid:sites"]["denver"] = {
            "nodeCidr": "10.62.0.0/16",
            "podCidr": "172.25.0.0/16",
            "routeVia": "site",
        }
        config["eks-hybrid:virtualPrivateGateway"] = {}
        config["eks-hybrid:cilium"]["ipam"] = "multiPool"  # denver is not on BGP

    def on_the_lab_hub(config: dict[str, Any]) -> None:
        config["aws:region"] = "us-east-2"
        config["eks-hybrid:hub"] = "example-hub-ssm"

    stacks = copy_examples(tmp_path, {"example-hub-ssm": with_denver, "example-denver": on_the_lab_hub})
    result = plan("--stack", "example-denver", "--stacks-dir", str(stacks))
    assert result.exit_code == 2, result.output
    text = " ".join(result.stderr.split())
    assert f"{stacks}/Pulumi.example-denver.yaml: eks-hybrid:site.egressCidrs: hub example-hub-ssm's" in text
    assert f"({stacks}/Pulumi.example-hub-ssm.yaml: eks-hybrid:cluster.publicAccessCidrs)" in text
    assert "[site-egress-required]" in text
