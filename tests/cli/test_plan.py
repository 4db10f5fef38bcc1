"""`eks-hybrid plan` on the example stacks and on broken ones: output, exit codes, messages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eks_hybrid.cli import app
from eks_hybrid.components.codes import Code

from ..conftest import STACKS, copy_examples

runner = CliRunner()
EXAMPLES = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in STACKS.glob("Pulumi.example-*.yaml"))
SITES = [
    name
    for name in EXAMPLES
    if yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())["config"]["eks-hybrid:role"] == "site"
]


def plan(*args: str):
    return runner.invoke(app, ["plan", *args])


def plan_json(stack: str, stacks_dir: Path = STACKS) -> dict:
    result = plan("--stack", stack, "--stacks-dir", str(stacks_dir), "--format", "json", "--offline-secrets")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_there_are_example_hubs_and_sites():
    assert "example-hub" in EXAMPLES
    assert {"example-dallas", "example-chicago", "example-denver"} <= set(SITES)


@pytest.mark.parametrize("stack", EXAMPLES)
def test_json_document_shape(stack):
    document = plan_json(stack)
    assert set(document) == {
        "stack",
        "role",
        "resources",
        "outputs",
        "secrets",
        "environments",
        "configSecrets",
        "policy",
    }
    assert document["stack"] == stack
    assert document["role"] == ("site" if stack in SITES else "hub")
    assert document["resources"]
    for resource in document["resources"]:
        # A dynamic resource says what it is (`kind`); every other resource's type says it.
        dynamic = resource["type"] == "pulumi-python:dynamic:Resource"
        assert set(resource) == {
            "urn",
            "type",
            "name",
            "parent",
            "custom",
            "protect",
            "inputs",
            "dependsOn",
            "provider",
            "options",
            *(("kind",) if dynamic else ()),
        }
        if dynamic:
            assert resource["kind"]["token"].startswith(("palette:", "cilium:")), resource["name"]
            assert resource["kind"]["description"].startswith(("Palette ", "Cilium ")), resource["name"]
        assert resource["options"]["protect"] == resource["protect"]
        assert resource["urn"].startswith(f"urn:pulumi:{stack}::eks-hybrid::")


def test_inputs_use_wire_names_and_hide_secrets(tmp_path):
    def with_psk(config: dict) -> None:
        tunnels = config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
        tunnels[0]["presharedKey"] = {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dA=="}

    stacks = copy_examples(tmp_path, {"example-dallas": with_psk})
    document = plan_json("example-dallas", stacks)
    vpn = next(r for r in document["resources"] if r["name"] == "dallas-vpn")
    assert vpn["inputs"]["staticRoutesOnly"] is True
    assert vpn["inputs"]["tunnel1PresharedKey"] == "[secret]"
    assert "tunnel2PresharedKey" not in vpn["inputs"]  # AWS generates it
    assert document["outputs"]["tunnelPresharedKeys"] == "[secret]"
    assert "static_routes_only" not in json.dumps(document)


def test_site_plan_reads_the_hubs_outputs():
    hub = plan_json("example-hub")
    site = plan_json("example-dallas")
    reference = next(r for r in site["resources"] if r["type"] == "pulumi:pulumi:StackReference")
    assert reference["name"] == "example-hub"
    vpn = next(r for r in site["resources"] if r["name"] == "dallas-vpn")
    assert vpn["inputs"]["transitGatewayId"] == hub["outputs"]["transitGatewayId"]


def test_hub_exports_everything_sites_need():
    from eks_hybrid.components.domain.hub_outputs import HUB_INVENTORY_OUTPUTS

    outputs = plan_json("example-hub")["outputs"]
    assert set(HUB_INVENTORY_OUTPUTS) <= set(outputs)
    # The inventory is one JSON text (a StackReference hands every site all of it: text costs one value).
    sites = json.loads(outputs["siteInventory"])
    assert outputs["siteCount"] == len(sites) == 3
    assert sites["chicago"] == {
        "nodeCidr": "10.201.0.0/16",
        "podCidr": "172.18.0.0/16",
        "routeVia": "site",
        "tunnelInsideCidrs": [],
    }
    assert sites["dallas"]["tunnelInsideCidrs"] == ["169.254.10.0/30", "169.254.10.4/30"]
    assert outputs["ciliumIpamMode"] == "multiPool"


def test_text_tree_shows_components_resources_and_inputs():
    result = plan("--stack", "example-dallas", "--stacks-dir", str(STACKS), "--offline-secrets")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("example-dallas (site stack, ")
    assert "dallas (eks-hybrid:network:SiteConnectivity)" in text
    assert "dallas-vpn (aws:ec2/vpnConnection:VpnConnection)" in text
    assert "destinationCidrBlock = 192.168.0.0/16" in text
    assert "tunnelPresharedKeys = [secret]" in text
    assert "outputs" in text


def test_all_plans_every_example_hubs_first():
    result = plan("--all", "--stacks-dir", str(STACKS), "--offline-secrets")
    assert result.exit_code == 0, result.output
    headers = [
        line.split(" ")[0] for line in result.stdout.splitlines() if "stack, " in line and line[0] != " "
    ]
    assert sorted(headers) == EXAMPLES
    roles = ["hub" if h not in SITES else "site" for h in headers]
    assert roles == sorted(roles)  # "hub" < "site"


def test_secure_values_never_leak(tmp_path):
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS, stacks)
    for stack in EXAMPLES:
        text = plan("--stack", stack, "--stacks-dir", str(stacks), "--offline-secrets").stdout
        assert "secure" not in text
        for ciphertext in ("ZmFrZS1", "v1:QmFz", "v1:Jx2k", "v1:8QmH"):
            assert ciphertext not in text


def write_stack(directory: Path, name: str, config: dict) -> None:
    (directory / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump({"config": config}))


def example_config(name: str) -> dict:
    return yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())["config"]


def test_config_errors_exit_2_with_every_problem_and_no_traceback(tmp_path):
    hub = example_config("example-hub")
    hub["eks-hybrid:cluster"]["authenticationMode"] = "CONFIG_MAP"
    hub["eks-hybrid:sites"]["dallas"]["podCidr"] = "10.100.0.0/24"
    write_stack(tmp_path, "bad-hub", hub)
    result = plan("--stack", "bad-hub", "--stacks-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "invalid stack configuration (2 problems):" in result.stderr
    # The file is named where --stacks-dir found it, not as `stacks/...` whatever the directory.
    assert f"{tmp_path}/Pulumi.bad-hub.yaml: eks-hybrid:cluster.authenticationMode:" in result.stderr
    assert f"{tmp_path}/Pulumi.bad-hub.yaml: eks-hybrid:sites.dallas.podCidr:" in result.stderr
    assert result.stdout == ""


def test_site_problems_against_the_hub_exit_2(tmp_path):
    write_stack(tmp_path, "example-hub", example_config("example-hub"))
    site = example_config("example-dallas")
    site["eks-hybrid:site"]["name"] = "austin"
    write_stack(tmp_path, "austin", site)
    result = plan("--stack", "austin", "--stacks-dir", str(tmp_path), "--offline-secrets")
    assert result.exit_code == 2
    assert "cannot plan this stack (1 problem):" in result.stderr
    # Checked by the program itself against the hub's outputs, still naming the file where it is.
    assert (
        f"{tmp_path}/Pulumi.austin.yaml: eks-hybrid:site.name: site 'austin' is not in hub example-hub"
        in result.stderr
    )


def test_site_whose_hub_is_missing(tmp_path):
    write_stack(tmp_path, "dallas", example_config("example-dallas"))
    result = plan("--stack", "dallas", "--stacks-dir", str(tmp_path), "--offline-secrets")
    assert result.exit_code == 2
    assert "eks-hybrid:hub: example-hub has no stack file" in result.stderr


def test_unknown_stack(tmp_path):
    result = plan("--stack", "nope", "--stacks-dir", str(STACKS))
    assert result.exit_code == 2
    assert "no such stack file" in result.stderr
    assert "[no-such-stack]" in result.stderr  # each problem ends with its code


def test_a_stack_that_cannot_be_planned_is_a_json_error_document(broken_hub):
    result = plan(
        "--stack", "example-hub", "--stacks-dir", str(broken_hub), "--format", "json", "--offline-secrets"
    )
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["stack"] == "example-hub"
    assert document["error"]["kind"] == "problems"
    assert document["error"]["code"] == "invalid-config"
    [problem] = document["error"]["problems"]
    assert problem["path"] == "eks-hybrid:cluster.authenticationMode"
    assert problem["code"] == "authentication-mode"
    usage = plan("--stack", "x", "--stacks-dir", "no-such-dir", "--format", "json")
    assert usage.exit_code == 2
    assert json.loads(usage.stdout) == {
        "error": {"kind": "usage", "code": "usage", "message": "no-such-dir: no such stacks directory"}
    }
    unknown = plan("--stack", "nope", "--stacks-dir", str(STACKS), "--format", "json")
    assert unknown.exit_code == 2
    assert json.loads(unknown.stdout)["error"]["code"] == "invalid-config"


def test_json_of_all_stacks_is_one_document_with_their_errors():
    """Without the Palette key (and no --offline-secrets) the hubs fail: still one JSON document, exit 2."""
    result = plan("--all", "--format", "json", "--stacks-dir", str(STACKS))
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["format"] == "eks-hybrid/plans/v1"
    assert document["errors"]["example-hub"]["kind"] == "problems"
    [problem] = document["errors"]["example-hub"]["problems"]
    assert problem["path"] == "eks-hybrid:palette.apiKey"
    assert problem["code"] == "secret-missing"
    assert document["errors"]["example-hub"]["code"] == "invalid-config"
    assert all(Code.of(error["code"]) for error in document["errors"].values())
    assert set(document["errors"]) == set(EXAMPLES) and document["stacks"] == []


def test_no_stack_named():
    result = plan("--stacks-dir", str(STACKS))
    assert result.exit_code == 2
    assert "--stack STACK" in result.stderr


def test_warnings_go_to_stderr_and_leave_the_plan_as_it_is(tmp_path):
    # An endpoint open to the internet is planned when written out, and every plan says so.
    hub = yaml.safe_load((STACKS / "Pulumi.example-hub-ssm.yaml").read_text())["config"]
    hub["eks-hybrid:cluster"]["publicAccessCidrs"] = ["0.0.0.0/0"]
    write_stack(tmp_path, "open-hub", hub)
    result = plan(
        "--stack", "open-hub", "--stacks-dir", str(tmp_path), "--format", "json", "--offline-secrets"
    )
    assert result.exit_code == 0, result.output
    assert "warning: open-hub: the cluster's public endpoint is open to 0.0.0.0/0" in result.stderr
    cluster = next(r for r in json.loads(result.stdout)["resources"] if r["name"] == "edge-lab-eks")
    assert cluster["inputs"]["vpcConfig"]["publicAccessCidrs"] == ["0.0.0.0/0"]
    # The examples plan without a warning, but for their Kubernetes version's support window, which depends
    # on the day (test_an_example_hub_in_extended_support_says_so_in_its_plan checks those), and the
    # notes of Cilium configurations outside AWS's support (tests/cni/test_support_and_pod_routes.py) and of
    # the sites that declare their own BGP objects (tests/cni/test_site_bgp.py).
    stderr = plan("--all", "--stacks-dir", str(STACKS), "--offline-secrets").stderr
    notes = tuple(f"[{code}]" for code in (Code.CILIUM_OUTSIDE_AWS_SUPPORT, Code.CILIUM_BGP_IN_SITES))
    warnings = [line for line in stderr.splitlines() if "warning" in line and not line.endswith(notes)]
    assert all(": Kubernetes 1." in line and "support" in line for line in warnings), warnings


HUBS = [name for name in EXAMPLES if name not in SITES]


@pytest.mark.parametrize("hub", HUBS)
def test_an_example_hub_in_extended_support_says_so_in_its_plan(hub, monkeypatch):
    # A version past the end of standard support is billed at EKS's extended support rate every cluster
    # hour (AWS, "Understand the Kubernetes version lifecycle on EKS"): the plan warns on every such day.
    from eks_hybrid.components.cluster import component as cluster_component
    from eks_hybrid.components.domain.versions import kubernetes_version, today_utc

    version = example_config(hub)["eks-hybrid:cluster"]["kubernetesVersion"]
    row = kubernetes_version(version)
    assert row is not None
    says = f"warning: {hub}: Kubernetes {version} is past the end of EKS standard support"

    def plan_text() -> tuple[str, str]:
        result = plan("--stack", hub, "--stacks-dir", str(STACKS), "--offline-secrets")
        assert result.exit_code == 0, result.output
        return result.stdout, result.stderr

    # Today, the example as committed: the warning exactly when its version is in extended support.
    today, today_warnings = plan_text()
    assert (says in today_warnings) is (row.support(today_utc()) == "extended")
    # On the day its standard support ends, the same stack file warns, and plans the same resources.
    monkeypatch.setattr(cluster_component, "today_utc", lambda: row.end_of_standard_support)
    extended, extended_warnings = plan_text()
    assert says in extended_warnings
    assert "extended support, billed per cluster hour" in extended_warnings
    assert extended == today


def test_a_quota_the_plan_would_exceed_exits_2_naming_file_key_and_quota(tmp_path):
    hub = example_config("example-hub-ssm")
    hub["eks-hybrid:cilium"]["ipam"] = "multiPool"
    hub["eks-hybrid:sites"] = {
        f"store{i:02d}": {"nodeCidr": f"10.{128 + i}.0.0/16", "podCidr": f"192.168.{i * 8}.0/21"}
        for i in range(15)
    }
    # 15 sites fit AWS's defaults (the DNS rules in a group of their own); an account whose quota is 30
    # takes the DNS group's 30 rules, not the cluster security group's 31 (443 from 15 + 15, EKS's own).
    hub["eks-hybrid:quotas"] = {"securityGroupRules": 30}
    write_stack(tmp_path, "big-hub", hub)
    result = plan("--stack", "big-hub", "--stacks-dir", str(tmp_path), "--offline-secrets")
    assert result.exit_code == 2, result.output
    assert (
        f"{tmp_path}/Pulumi.big-hub.yaml: eks-hybrid:sites: 31 inbound rules of the cluster security group,"
        " over AWS's quota of 30"
    ) in result.stderr
    assert "Traceback" not in result.output


def test_quiet_prints_only_problems_and_counts(tmp_path):
    from typer.testing import CliRunner

    from eks_hybrid.cli.app import app
    from tests.conftest import copy_examples

    stacks = copy_examples(
        tmp_path, {"example-chicago": lambda c: c["eks-hybrid:site"].update(name="Chicago!")}
    )
    result = CliRunner().invoke(
        app, ["plan", "--all", "--offline-secrets", "-q", "--stacks-dir", str(stacks)]
    )
    lines = result.stdout.splitlines()
    assert "ok example-hub: 81 resources" in lines and "ok example-dallas: 9 resources" in lines
    assert lines[-1].startswith("6 stack(s): 5 planned (") and lines[-1].endswith(
        "1 refused or skipped; 0 policy violation(s)"
    )
    assert not any("└──" in line or "├──" in line for line in lines)  # no tree
    assert "eks-hybrid:site.name" in result.output  # the refusal itself is still shown
    assert result.exit_code == 2
