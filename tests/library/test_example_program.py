"""`examples/library` is a Pulumi program of its own that builds an estate from the components: it runs
under the mock engine, its Outputs flow from component to component, its children are named by the keys
it wrote, and `mypy --strict` accepts it against the py.typed package."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys

import pytest
import yaml

from eks_hybrid.offline.engine import OfflineRun, run_offline
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "library"
PROJECT = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["name"]
CONFIG = {
    f"{PROJECT}:{k.split(':', 1)[1]}" if k.startswith(PROJECT) else k: v
    for k, v in yaml.safe_load((EXAMPLE / "Pulumi.dev.yaml").read_text())["config"].items()
}


def run_example(**extra_config: str) -> OfflineRun:
    config = {**CONFIG, **extra_config}
    secret = [key for key in extra_config if key.endswith("paletteApiKey")]
    return run_offline(
        lambda: runpy.run_path(str(EXAMPLE / "__main__.py")) and None,
        stack="dev",
        project=PROJECT,
        config=config,
        secret_keys=secret,
    )


@pytest.fixture(scope="module")
def run() -> OfflineRun:
    return run_example()


def test_it_is_a_separate_program_installing_this_project():
    assert PROJECT == "edge-estate"
    assert yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text())["runtime"]["name"] == "python"
    requirements = [
        line for line in (EXAMPLE / "requirements.txt").read_text().splitlines() if line[:1] != "#"
    ]
    assert requirements == ["../.."]


def test_children_are_named_by_the_keys_the_program_wrote(run: OfflineRun):
    names = {r.name for r in run.resources}
    assert {
        "edge-route-private-a-dallas-node",
        "edge-route-private-b-dallas-pod",
        "edge-tgw-route-vpc",
        "chicago-route-private-a-node",
        "chicago-vpn-route-pod",
        "dallas-tgw-route-node",
        "edge-ingress-443-from-node-chicago",
        "edge-cilium-pools-dallas-pool",
        "dallas-workers",
    } <= names
    # Never a value's text: an Output in a name would read "Calling __str__ on an Output[T]...".
    assert not [n for n in names if "Output" in n or " " in n or "rtb-" in n or "/" in n]


def test_the_programs_own_network_flows_into_the_components(run: OfflineRun):
    [vpc] = run.by_type("aws:ec2/vpc:Vpc")
    tables = {r.name: r for r in run.by_type("aws:ec2/routeTable:RouteTable")}
    routes = {r.name: r.inputs for r in run.by_type("aws:ec2/route:Route")}
    table_id = routes["edge-route-private-a-dallas-node"]["routeTableId"]
    assert (
        table_id.startswith("routetable-")
        and table_id != routes["edge-route-private-b-dallas-node"]["routeTableId"]
    )
    assert len(tables) == 2
    attachment = run.named("edge-vpc-attachment").inputs
    vpc_id = next(r.inputs["vpcId"] for r in run.by_type("aws:ec2/subnet:Subnet"))
    assert vpc.name == "edge" and attachment["vpcId"] == vpc_id and len(attachment["subnetIds"]) == 2
    assert run.named("edge-tgw-route-vpc").inputs["destinationCidrBlock"] == "10.100.0.0/16"


def test_hub_outputs_flow_into_the_sites(run: OfflineRun):
    tgw_id = run.named("edge-route-table").inputs["transitGatewayId"]
    assert run.named("dallas-vpn").inputs["transitGatewayId"] == tgw_id
    vgw = run.named("edge-vgw-attachment").inputs["vpnGatewayId"]
    assert run.named("chicago-vpn").inputs["vpnGatewayId"] == vgw
    assert {
        r["gatewayId"]
        for n, r in (
            (r.name, r.inputs) for r in run.by_type("aws:ec2/route:Route") if r.name.startswith("chicago-")
        )
    } == {vgw}
    assert run.outputs["transitGatewayId"] == tgw_id
    assert run.outputs["dallasTunnelKeys"] == "[secret]"


def test_cluster_identity_cilium_and_palette_are_wired(run: OfflineRun):
    cluster = run.named("edge-eks").inputs
    assert cluster["remoteNetworkConfig"]["remotePodNetworks"]["cidrs"] == ["172.18.0.0/16", "192.168.0.0/16"]
    anchor = run.named("edge-nodes-trust-anchor").inputs["source"]["sourceData"]["x509CertificateData"]
    identity = run.named("edge-hybrid").inputs["identity"]
    assert identity["rootCaCertificate"] == anchor and identity["rootCaPrivateKey"] == "[secret]"
    assert run.named("edge-import").inputs["clusterName"] == "edge-estate"
    assert run.named("dallas-workers").inputs["pool"]["labels"] == {"eks-hybrid/site": "dallas"}
    assert all("apiKey" not in r.inputs for r in run.by_type("pulumi-python:dynamic:Resource"))


def test_a_palette_api_key_from_the_programs_config_is_a_secret_input():
    run = run_example(**{f"{PROJECT}:paletteApiKey": "key-from-config"})
    palette = [r for r in run.by_type("pulumi-python:dynamic:Resource") if r.name.startswith("edge-")]
    assert palette and all(r.inputs["apiKey"] == "[secret]" for r in palette)


@pytest.mark.slow
def test_mypy_strict_accepts_it_against_the_typed_package():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(EXAMPLE / "__main__.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MYPY_CACHE_DIR": "/dev/null"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_library_guides_program_runs_as_written():
    page = REPO / "docs" / "guides" / "library.md"
    match = re.search(r"```python\n(.*?)```", page.read_text(), re.S)
    assert match is not None
    code = compile(match.group(1), str(page.relative_to(REPO)), "exec")
    run = run_offline(lambda: exec(code, {}), stack="readme", config={"aws:region": "us-west-2"})
    names = {r.name for r in run.resources}
    assert {"edge-route-private-dallas-node", "edge-route-private-dallas-pod", "dallas-vpn"} <= names
    assert (
        run.named("dallas-vpn").inputs["transitGatewayId"]
        == run.named("edge-route-table").inputs["transitGatewayId"]
    )
    assert len(run.outputs["tunnels"]) == 2


@pytest.mark.slow
def test_a_users_strict_mypy_sees_the_editable_install(tmp_path):
    # A program outside the repository, checked against this environment's editable install (`make` installs
    # it in setuptools' compat mode: mypy cannot follow the default mode's import hook).
    (tmp_path / "user.py").write_text(
        "from eks_hybrid.components.network import SiteCidrs\n\n"
        'dallas: SiteCidrs = SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="192.168.0.0/16")\n'
        'wrong: int = SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="192.168.0.0/16")\n'
    )
    result = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--python-executable", sys.executable, "user.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "MYPY_CACHE_DIR": "/dev/null"},
    )
    # The package is found and read: the one error is the deliberate one, a SiteCidrs is not an int.
    assert "import-not-found" not in result.stdout, result.stdout
    assert result.stdout.splitlines() == [
        'user.py:4: error: Incompatible types in assignment (expression has type "SiteCidrs", variable has '
        'type "int")  [assignment]',
        "Found 1 error in 1 file (checked 1 source file)",
    ]
