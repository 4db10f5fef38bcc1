"""The CLI's surface: flags as flags, help that keeps "[secret]", --version, stack paths, refused
combinations, a broken hub reported once, and messages in the config's own words."""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
from typer.testing import CliRunner

from eks_hybrid.cli import app

from ..conftest import STACKS, copy_examples

runner = CliRunner()


def cli(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={"COLUMNS": "120", **(env or {})})


def options_panel(text: str) -> dict[str, str]:
    """`--option` -> the rest of its first help row (metavar column and help)."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"^│ (--[a-z-]+)\s+(?:-[a-z]\s+)?(.*?)\s*│$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


# --- --all is a flag -----------------------------------------------------------------------------------


def test_flags_show_no_value_placeholder_in_help():
    rows = options_panel(cli("plan", "--help").stdout)
    for flag in ("--all", "--offline-secrets", "--debug", "--help"):
        assert rows[flag].startswith(("Plan", "Show")), rows[flag]
        assert "<bool>" not in rows[flag]
    assert rows["--stack"].startswith("STACK ")
    assert "<bool>" not in cli("--help").stdout


def test_all_takes_no_value():
    result = cli("plan", "--all", "true", "--stacks-dir", str(STACKS))
    assert result.exit_code == 2
    assert "unexpected extra argument" in result.stderr


# --- help keeps [secret] -------------------------------------------------------------------------------


def test_help_shows_secret_placeholder_literally():
    text = cli("plan", "--help").stdout
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())
    assert "they show as [secret]." in words
    assert "it stands in as [secret] and is listed as missing" in words
    assert "Pulumi.<stack>.yaml" in words


# --- --version -------------------------------------------------------------------------------------------


def test_version():
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"eks-hybrid {version('eks-hybrid')}\n"


# --- --stack takes a stack file's path ------------------------------------------------------------------


def test_stack_by_path(monkeypatch):
    monkeypatch.chdir(STACKS.parent)
    result = cli("plan", "--stack", "stacks/Pulumi.example-hub.yaml", "--offline-secrets")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("example-hub (hub stack, ")


def test_site_by_path_finds_its_hub_beside_it(tmp_path):
    elsewhere = copy_examples(tmp_path)
    result = cli("plan", "-s", str(elsewhere / "Pulumi.example-dallas.yaml"), "--offline-secrets")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("example-dallas (site stack, ")


def test_a_path_that_is_not_a_stack_file(tmp_path):
    result = cli("plan", "--stack", str(tmp_path / "hub.yaml"))
    assert result.exit_code == 2
    assert "stack files are named Pulumi.<stack>.yaml" in result.stderr


def test_a_stack_path_that_does_not_exist(tmp_path):
    result = cli("plan", "--stack", str(tmp_path / "Pulumi.nope.yaml"))
    assert result.exit_code == 2
    assert "no such stack file" in result.stderr


# --- --all with --stack is refused ----------------------------------------------------------------------


def test_all_and_stack_together_are_refused():
    result = cli("plan", "--all", "--stack", "example-hub", "--stacks-dir", str(STACKS))
    assert result.exit_code == 2
    assert "give either --all or --stack" in result.stderr
    assert result.stdout == ""


# --- a broken hub is reported once, its sites named as skipped -------------------------------------------


def test_all_with_a_broken_hub(broken_hub):
    result = cli("plan", "--all", "--offline-secrets", "--stacks-dir", str(broken_hub))
    assert result.exit_code == 2
    errors = result.stderr
    assert errors.count("eks-hybrid:cluster.authenticationMode") == 1
    assert errors.count("✗ example-hub\n") == 1
    assert (
        "skipped sites example-chicago, example-dallas, example-denver: hub stack example-hub could not be"
        " planned (see above)" in " ".join(errors.split())
    )
    # The other hub and nothing else still plans.
    planned = [line.split(" (")[0] for line in result.stdout.splitlines() if " stack, " in line]
    assert planned == ["example-hub-ssm", "example-austin"]


def test_one_site_with_a_broken_hub_names_the_hub(broken_hub):
    result = cli("plan", "-s", "example-dallas", "--offline-secrets", "--stacks-dir", str(broken_hub))
    assert result.exit_code == 2
    assert result.stderr.startswith("✗ example-hub\ninvalid stack configuration (1 problem):")
    assert "skipped site example-dallas: hub stack example-hub" in result.stderr


def test_a_program_failure_exits_1_and_the_run_goes_on(monkeypatch):
    import eks_hybrid.planner as planner

    real = planner.Planner._plan

    def broken(self, stack):
        if stack.name == "example-hub-ssm":
            raise RuntimeError("boom")
        return real(self, stack)

    monkeypatch.setattr(planner.Planner, "_plan", broken)
    result = cli("plan", "--all", "--offline-secrets", "--stacks-dir", str(STACKS))
    assert result.exit_code == 1
    assert "✗ example-hub-ssm\nplanning failed: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout.count(" stack, ") == 4


# --- messages in the config's own words ------------------------------------------------------------------


def _site_with(tmp_path, change) -> str:
    stacks = copy_examples(
        tmp_path, {"example-dallas": lambda c: change(c["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"])}
    )
    result = cli("plan", "-s", "example-dallas", "--offline-secrets", "--stacks-dir", str(stacks))
    assert result.exit_code == 2
    return " ".join(result.stderr.split())


VPN = "stacks/Pulumi.example-dallas.yaml: eks-hybrid:site.connectivity.siteToSiteVpn"


def test_a_choice_names_the_allowed_values(tmp_path):
    errors = _site_with(tmp_path, lambda vpn: vpn.update(routing="ospf"))
    assert f"{VPN}.routing: must be static or bgp (got 'ospf')" in errors
    assert "Input should" not in errors


def test_too_many_tunnels_does_not_hide_each_tunnels_problems(tmp_path):
    def three_bad_tunnels(vpn):
        vpn["tunnels"] = [{"insideCidr": "10.0.0.0/30"}, {"insideCidr": "169.254.169.252/30"}, {}]

    errors = _site_with(tmp_path, three_bad_tunnels)
    assert (
        f"{VPN}.tunnels: a VPN connection has two tunnels, so this takes at most 2 entries (got 3)" in errors
    )
    assert f"{VPN}.tunnels[0].insideCidr:" in errors
    assert f"{VPN}.tunnels[1].insideCidr:" in errors
    assert "List should" not in errors


def test_an_out_of_range_asn_is_reported_once(tmp_path):
    errors = _site_with(tmp_path, lambda vpn: vpn["customerGateway"].update(bgpAsn=4294967295))
    assert "invalid stack configuration (1 problem)" in errors
    assert f"{VPN}.customerGateway.bgpAsn: must be at most 4294967294 (got 4294967295)" in errors


@pytest.mark.parametrize("address", ["10.1.2.3", "192.168.0.10", "172.20.1.1", "100.64.0.1", "127.0.0.1"])
def test_a_private_customer_gateway_address_is_refused(tmp_path, address):
    errors = _site_with(tmp_path, lambda vpn: vpn["customerGateway"].update(ipAddress=address))
    assert f"{VPN}.customerGateway.ipAddress: {address} is a " in errors
    assert "the customer gateway is the on-prem router's public IPv4 address" in errors


def test_the_routing_owner_problem_points_at_attach_to(tmp_path):
    errors = _site_with(tmp_path, lambda vpn: vpn.update(attachTo="virtualPrivateGateway"))
    assert (
        f"{VPN}.attachTo: a Site-to-Site VPN on the virtual private gateway does not reach the VPC" in errors
    )
    assert "connectivity.type:" not in errors
