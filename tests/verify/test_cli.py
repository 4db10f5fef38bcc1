"""`eks-hybrid verify` end to end: stack files, outputs from a file, standard input, the environment or the
Pulumi CLI, AWS on moto, the report, the JSON document and the exit status."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from rich.console import Console
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.planner import StackPlan
from eks_hybrid.verify.findings import fail
from eks_hybrid.verify.report import report_table

from ..conftest import copy_examples
from .conftest import REGION

ONLY_ROUTES = ["--skip", "transit-gateway", "--skip", "eks", "--skip", "identity", "--skip", "palette"]
ONLY_ROUTES += ["--skip", "kubernetes", "--skip", "quotas", "--skip", "vpn"]


@pytest.fixture(scope="module")
def planned(example_plans: Mapping[str, StackPlan]) -> dict[str, dict[str, Any]]:
    return {name: dict(example_plans[name].run.outputs) for name in ("example-hub", "example-dallas")}


class Deployed:
    """The example hub's VPC in moto, its stack file pointing at moto's route tables, its outputs saved."""

    def __init__(self, tmp_path: Path, planned: dict[str, Any]) -> None:
        self.ec2 = boto3.client("ec2", region_name=REGION)
        vpc = self.ec2.create_vpc(CidrBlock="10.100.0.0/16")["Vpc"]["VpcId"]
        self.tables = [self.ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _ in range(2)]
        self.tgw = self.ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
        self.vgw = self.ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]

        def point_at_moto(config: dict[str, Any]) -> None:
            config["eks-hybrid:cluster"]["routeTableIds"] = self.tables

        self.stacks = copy_examples(tmp_path, {"example-hub": point_at_moto})
        self.outputs = {**planned["example-hub"], "transitGatewayId": self.tgw, "routeTableIds": self.tables}
        self.outputs["vpnGatewayId"] = self.vgw
        self.file = tmp_path / "hub-outputs.json"
        self.file.write_text(json.dumps(self.outputs))

    def args(self) -> list[str]:
        """The hub, its stack files and its outputs, every area but routes skipped."""
        return [
            "--stack",
            "example-hub",
            "--stacks-dir",
            str(self.stacks),
            "--outputs",
            str(self.file),
            *ONLY_ROUTES,
        ]

    def route_everything(self) -> None:
        for table in self.tables:
            for cidr in ("10.200.0.0/16", "192.168.0.0/16"):
                self.ec2.create_route(
                    RouteTableId=table, DestinationCidrBlock=cidr, TransitGatewayId=self.tgw
                )
            for cidr in ("10.201.0.0/16", "172.18.0.0/16", "10.202.0.0/16", "172.19.0.0/16"):
                self.ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr, GatewayId=self.vgw)


@pytest.fixture
def deployed(aws: Any, tmp_path: Path, planned: dict[str, Any]) -> Iterator[Deployed]:
    yield Deployed(tmp_path, planned)


def verify(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["verify", *args], input=input, env=env)


def test_a_hub_whose_routes_are_all_in_place_exits_0(deployed: Deployed) -> None:
    deployed.route_everything()
    result = verify(
        *deployed.args(),
    )
    assert result.exit_code == 0, result.output
    assert "eks-hybrid verify: example-hub (hub stack)" in result.output
    assert f"{deployed.tables[0]}: 10.200.0.0/16 (dallas node)" in result.output
    assert result.output.rstrip().endswith("12 ok, 0 warning(s), 0 failed, 0 could not be checked")


def test_a_missing_route_exits_1_and_says_what_to_do(deployed: Deployed) -> None:
    deployed.route_everything()
    deployed.ec2.delete_route(RouteTableId=deployed.tables[1], DestinationCidrBlock="192.168.0.0/16")
    result = verify(
        *deployed.args(),
        "--format",
        "json",
    )
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    assert (document["stack"], document["role"], document["exitCode"]) == ("example-hub", "hub", 1)
    assert document["summary"] == {"ok": 11, "warn": 0, "fail": 1, "error": 0}
    [failed] = [c for c in document["checks"] if c["status"] == "fail"]
    assert failed == {
        "area": "routes",
        "check": f"{deployed.tables[1]}: 192.168.0.0/16 (dallas pod)",
        "status": "fail",
        "detail": "no route serves dallas's pod CIDR 192.168.0.0/16",
        "remedy": f"add a route to the transit gateway {deployed.tgw}: the hub stack declares it: run"
        " `pulumi up` there (after `pulumi refresh` if it was changed outside Pulumi)",
    }


def test_outputs_from_standard_input_and_the_environment(deployed: Deployed) -> None:
    deployed.route_everything()
    args = ["--stack", "example-hub", "--stacks-dir", str(deployed.stacks), *ONLY_ROUTES]
    piped = verify(*args, "--outputs", "-", input=json.dumps(deployed.outputs))
    assert piped.exit_code == 0, piped.output
    from_env = verify(*args, env={"EKS_HYBRID_OUTPUTS": json.dumps(deployed.outputs)})
    assert from_env.exit_code == 0, from_env.output


def test_without_outputs_it_asks_the_pulumi_cli(deployed: Deployed, tmp_path: Path, monkeypatch: Any) -> None:
    deployed.route_everything()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pulumi = bin_dir / "pulumi"
    pulumi.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/argv\ncat {deployed.file}\n')
    pulumi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    result = verify("--stack", "example-hub", "--stacks-dir", str(deployed.stacks), *ONLY_ROUTES)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "argv").read_text().split() == ["stack", "output", "--json", "--stack", "example-hub"]


def test_a_site_reads_its_hubs_outputs_and_a_missing_vpn_fails(aws: Any, planned: dict[str, Any]) -> None:
    areas = ("routes", "transit-gateway", "eks", "identity", "palette", "kubernetes", "quotas")
    only_vpn = [word for area in areas for word in ("--skip", area)]
    result = verify(
        "--stack",
        "example-dallas",
        "--outputs",
        "-",
        *only_vpn,
        input=json.dumps(planned["example-dallas"]),
        env={"EKS_HYBRID_HUB_OUTPUTS": json.dumps(planned["example-hub"])},
    )
    assert result.exit_code == 1, result.output
    vpn = planned["example-dallas"]["vpnConnectionId"]
    assert f"VPN connection {vpn} does not exist" in result.output
    assert "site dallas's stack declares it" in result.output


def test_no_aws_credentials_exits_2(tmp_path: Path, planned: dict[str, Any], monkeypatch: Any) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask an instance metadata service
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(planned["example-hub"]))
    result = verify("--stack", "example-hub", "--outputs", str(outputs), *ONLY_ROUTES)
    assert result.exit_code == 2, result.output
    assert "no AWS credentials found" in result.output
    assert "AWS_PROFILE" in result.output


def test_bad_input_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    missing = verify("--stack", "example-hub", "--outputs", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2
    assert f"{tmp_path / 'nope.json'}: (outputs): no such file" in missing.output
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not json")
    bad = verify("--stack", "example-hub", "--outputs", str(garbage))
    assert bad.exit_code == 2
    assert "is not JSON (expected `pulumi stack output --json` of example-hub)" in bad.output
    unknown = verify("--stack", "example-hub", "--skip", "dns")
    assert unknown.exit_code == 2
    assert "--skip takes routes, transit-gateway" in unknown.output
    both = verify("--stack", "example-dallas", "--outputs", "-", "--hub-outputs", "-")
    assert both.exit_code == 2
    assert "only one of --outputs and --hub-outputs can read standard input" in both.output


def test_an_invalid_stack_file_exits_2(tmp_path: Path) -> None:
    def break_it(config: dict[str, Any]) -> None:
        config["eks-hybrid:cluster"]["authenticationMode"] = "CONFIG_MAP"

    stacks = copy_examples(tmp_path, {"example-hub": break_it})
    result = verify("--stack", "example-hub", "--stacks-dir", str(stacks), "--outputs", "-", input="{}")
    assert result.exit_code == 2
    assert "eks-hybrid:cluster.authenticationMode: authentication mode must be API or API_AND_CONFIG_MAP" in (
        result.output
    )


def test_the_report_stays_ascii_on_a_console_that_is_not_utf8() -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    console = Console(file=stream, width=100, color_system=None)
    finding = fail("routes", "rtb-1: 10.200.0.0/16", "no route", "add one")
    console.print(report_table("example-hub", "hub", [finding], unicode=False))
    stream.flush()
    text = stream.buffer.getvalue().decode("ascii")
    assert "| FAIL | routes" in text and "-> add one" in text
