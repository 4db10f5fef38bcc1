"""`eks-hybrid render`: every example site, deployed outputs, secrets only in 0600 files, exit codes."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
import yaml

import eks_hybrid.components.onprem.bundle as render_bundle
from eks_hybrid.components.onprem.model import placeholders_in
from tests.conftest import STACKS, copy_examples
from tests.onprem.conftest import (
    AUSTIN_OUTPUTS,
    DALLAS_OUTPUTS,
    HUB_OUTPUTS,
    HUB_SITES,
    HUB_SSM_OUTPUTS,
    HUB_SSM_SITES,
    exported_inventory,
    render,
    render_deployed,
    write_json,
)

SITES = sorted(
    p.name[len("Pulumi.") : -len(".yaml")]
    for p in STACKS.glob("Pulumi.example-*.yaml")
    if "eks-hybrid:role: site" in p.read_text()
)
SECRETS = [
    *DALLAS_OUTPUTS["tunnelPresharedKeys"],
    *AUSTIN_OUTPUTS["tunnelPresharedKeys"],
    HUB_SSM_OUTPUTS["ssmActivationCode"],
]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_examples_cover_every_kind_of_site():
    assert {"example-dallas", "example-chicago", "example-denver", "example-austin"} <= set(SITES)


@pytest.mark.parametrize("stack", SITES)
def test_every_example_site_renders_from_the_offline_plan(tmp_path, stack):
    result, out = render(tmp_path, stack)
    assert result.exit_code == 0, result.output
    manifest = (out / ".eks-hybrid-render").read_text().split()
    assert manifest[0] == "README.md"
    for path in manifest:
        assert (out / path).is_file()
    assert any(p.startswith("edge/edgeforge-") for p in manifest) and "edge/user-data.yaml" in manifest
    assert any(p.startswith("edge/nodeconfig/") for p in manifest)
    readme = (out / "README.md").read_text()
    for token in {t for path in manifest for t in placeholders_in((out / path).read_text())}:
        assert f"| `{token}` |" in readme, f"{token} is not explained in the README"


def test_what_each_example_site_gets(tmp_path):
    expected = {
        "example-dallas": {"router/swanctl.conf", "router/pod-routes.sh"},
        "example-chicago": {"router/swanctl.conf", "router/pod-routes.sh", "edge/edgeforge-arm64.arg"},
        "example-denver": {"router/frr.conf", "cluster/cilium-bgp.yaml"},  # Cilium BGP, no VPN
        "example-austin": {
            "router/swanctl.conf",
            "router/strongswan.d/eks-hybrid.conf",
            "router/frr.conf",
            "cluster/cilium-bgp.yaml",
            "edge/edgeforge-amd64.arg",
            "edge/edgeforge-arm64.arg",
        },
    }
    for stack, paths in expected.items():
        result, out = render(tmp_path / stack, stack)
        assert result.exit_code == 0, result.output
        written = set((out / ".eks-hybrid-render").read_text().split())
        assert paths <= written, stack
    denver = set((tmp_path / "example-denver/out/.eks-hybrid-render").read_text().split())
    assert "router/swanctl.conf" not in denver and "router/pod-routes.sh" not in denver


def test_deployed_outputs_fill_every_placeholder_and_keys_stay_in_0600_files(tmp_path):
    out = render_deployed(tmp_path, "example-dallas", DALLAS_OUTPUTS, HUB_OUTPUTS)
    swanctl = out / "router/swanctl.conf"
    assert _mode(swanctl) == 0o600
    text = swanctl.read_text()
    assert all(key in text for key in DALLAS_OUTPUTS["tunnelPresharedKeys"])
    assert "remote_addrs = 198.18.10.1" in text and "remote_addrs = 198.18.10.2" in text
    for path in out.rglob("*"):
        if path.is_file():
            assert not placeholders_in(path.read_text()), path
            if path != swanctl:
                assert not any(key in path.read_text() for key in SECRETS), path
    node = yaml.safe_load((out / "edge/nodeconfig/dallas-01.yaml").read_text())
    assert node["spec"]["hybrid"]["iamRolesAnywhere"]["trustAnchorArn"] == HUB_OUTPUTS["trustAnchorArn"]
    assert node["spec"]["cluster"]["apiServerEndpoint"] == HUB_OUTPUTS["clusterEndpoint"]
    assert _mode(out / "router/pod-routes.sh") == 0o755
    assert _mode(out / "README.md") == 0o644


def test_keys_never_reach_stdout_or_stderr(tmp_path, capfd):
    site = write_json(tmp_path / "site.json", AUSTIN_OUTPUTS)
    hub = write_json(tmp_path / "hub.json", HUB_SSM_OUTPUTS)
    result, out = render(
        tmp_path,
        "example-austin",
        "--outputs",
        str(site),
        "--hub-outputs",
        str(hub),
    )
    assert result.exit_code == 0, result.output
    captured = capfd.readouterr()
    for secret in SECRETS:
        assert secret not in result.output and secret not in captured.out and secret not in captured.err
    assert "600  router/swanctl.conf" in result.output
    for host in ("austin-01", "austin-02", "austin-arm-01"):
        assert _mode(out / f"edge/nodeconfig/{host}.yaml") == 0o600  # the SSM activation code
    assert HUB_SSM_OUTPUTS["ssmActivationCode"] in (out / "edge/nodeconfig/austin-01.yaml").read_text()


def test_outputs_written_without_show_secrets_are_refused(tmp_path):
    site = write_json(tmp_path / "site.json", {**DALLAS_OUTPUTS, "tunnelPresharedKeys": "[secret]"})
    result, out = render(tmp_path, "example-dallas", "--outputs", str(site))
    assert result.exit_code == 2
    assert (
        "tunnelPresharedKeys: is `[secret]`: write the file with `pulumi stack output --json --show-secrets`"
        in result.output
    )
    assert not out.exists()


def test_outputs_of_another_site_are_refused(tmp_path):
    site = write_json(tmp_path / "site.json", DALLAS_OUTPUTS)
    result, _ = render(tmp_path, "example-chicago", "--outputs", str(site))
    assert result.exit_code == 2
    assert "site: is not 'chicago' as the stack files say" in result.output
    hub = write_json(tmp_path / "hub.json", HUB_SSM_OUTPUTS)
    result, _ = render(tmp_path, "example-dallas", "--hub-outputs", str(hub))
    assert result.exit_code == 2
    assert "clusterName: is not 'edge-prod', the cluster the hub stack file names" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stack", "example-hub"], "render writes a site's files: name a site stack"),
        (["--stack", "example-nowhere"], "no such stack file"),
        (
            ["--stack", "example-austin", "--router-address", "10.60.0.1"],
            "--router-address: replaced by the hub stack key eks-hybrid:sites.<site>.bgpPeer.address",
        ),
        (["--stack", "example-austin", "--cluster-asn", "65030"], "key eks-hybrid:cilium.clusterAsn"),
        (["--stack", "example-denver", "--router-asn", "65040"], "key eks-hybrid:sites.<site>.bgpPeer.asn"),
        (["--stack", "example-denver", "--route-based"], "the site has no Site-to-Site VPN"),
    ],
)
def test_bad_input_exits_2_with_the_reason(tmp_path, args, message):
    from typer.testing import CliRunner

    from eks_hybrid.cli.app import app

    result = CliRunner().invoke(
        app, ["render", "--out", str(tmp_path / "out"), "--stacks-dir", str(STACKS), *args]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_malformed_outputs_file_exits_2(tmp_path):
    broken = tmp_path / "site.json"
    broken.write_text("{not json")
    result, _ = render(tmp_path, "example-dallas", "--outputs", str(broken))
    assert result.exit_code == 2 and "is not JSON (line 1)" in result.output


def test_user_data_is_merged_and_a_broken_file_is_reported(tmp_path):
    mine = tmp_path / "user-data.yaml"
    mine.write_text("#cloud-config\nstylus:\n  site:\n    edgeHostToken: t-42\ninstall:\n  reboot: true\n")
    result, out = render(tmp_path, "example-dallas", "--user-data", str(mine))
    assert result.exit_code == 0, result.output
    merged = out / "edge/user-data.yaml"
    assert _mode(merged) == 0o600
    document = yaml.safe_load(merged.read_text())
    assert document["stylus"]["site"]["edgeHostToken"] == "t-42" and document["install"]["reboot"] is True
    assert "/eks-hybrid" in document["install"]["extra-dirs-rootfs"]
    mine.write_text("install:\n  bind_mounts: /etc/aws\n")
    result, _ = render(tmp_path / "again", "example-dallas", "--user-data", str(mine))
    assert result.exit_code == 2 and "install.bind_mounts: must be a list" in result.output


def test_rendering_again_removes_files_the_site_no_longer_gets(tmp_path):
    stacks = tmp_path / "stacks"
    shutil.copytree(STACKS, stacks)
    result, out = render(tmp_path, "example-austin", stacks_dir=stacks)
    assert result.exit_code == 0 and (out / "cluster/cilium-bgp.yaml").exists()

    def without_bgp(config: dict) -> None:
        # Without Cilium's BGP control plane the hub needs one pod pool per site (multi-pool).
        config["eks-hybrid:cilium"] |= {"bgpControlPlane": False, "ipam": "multiPool"}
        for entry in config["eks-hybrid:sites"].values():
            entry.pop("bgpPeer", None)

    copy_examples(tmp_path / "edited", {"example-hub-ssm": without_bgp})
    shutil.copy(tmp_path / "edited/stacks/Pulumi.example-hub-ssm.yaml", stacks)
    (out / "notes.txt").write_text("mine")
    result, out = render(tmp_path, "example-austin", stacks_dir=stacks)
    assert result.exit_code == 2 and "'notes.txt'" in result.output, result.output  # not render's: refused
    assert (out / "notes.txt").read_text() == "mine" and (out / "cluster/cilium-bgp.yaml").exists()
    (out / "notes.txt").unlink()
    result, out = render(tmp_path, "example-austin", stacks_dir=stacks)
    assert result.exit_code == 0, result.output
    assert not (out / "cluster/cilium-bgp.yaml").exists() and (out / "router/pod-routes.sh").exists()
    assert not (out / "cluster").exists()  # emptied, so removed with its last file


def test_an_unexpected_failure_exits_1_without_a_traceback(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(render_bundle, "render_site", broken)  # the command loads it when it runs
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 1
    assert "example-dallas: render failed: RuntimeError: boom" in result.output
    assert "Traceback" not in result.output


def test_render_is_listed_in_help():
    from typer.testing import CliRunner

    from eks_hybrid.cli.app import app

    result = CliRunner().invoke(app, ["--help"])
    assert "render" in result.output


def test_the_outputs_fixtures_have_the_shape_the_stacks_export(example_plans):
    # `pulumi stack output --json` prints one object of every export: compare with the offline plan's.
    for stack, fixture in (("example-dallas", DALLAS_OUTPUTS), ("example-austin", AUSTIN_OUTPUTS)):
        planned = example_plans[stack].run.outputs
        assert set(fixture) <= set(planned), stack
        assert set(fixture["tunnels"][0]) == set(planned["tunnels"][0])
        assert {k: planned[k] for k in ("site", "nodeCidr", "podCidr", "kind")} == {
            k: fixture[k] for k in ("site", "nodeCidr", "podCidr", "kind")
        }
    for hub, fixture in (("example-hub", HUB_OUTPUTS), ("example-hub-ssm", HUB_SSM_OUTPUTS)):
        planned = example_plans[hub].run.outputs
        assert set(fixture) <= set(planned), hub
        # What render reads of the hub's configured facts is exactly what the plan exports.
        configured = ("sites", "vpcCidr", "serviceCidr", "amazonSideAsn", "vpnGatewayAsn", "region")
        for key in fixture:
            if key in configured or key.startswith(("cilium", "kubernetes")):
                assert fixture[key] == planned[key], (hub, key)
    json.dumps(DALLAS_OUTPUTS)


def test_hub_outputs_of_another_identity_provider_and_a_file_as_out_dir_exit_2(tmp_path):
    hub = write_json(tmp_path / "hub.json", {**HUB_OUTPUTS, "credentialsProvider": "ssm"})
    result, _ = render(tmp_path, "example-dallas", "--hub-outputs", str(hub))
    assert result.exit_code == 2
    expected = "credentialsProvider: is not 'iamRolesAnywhere', the provider the hub stack file says"
    assert expected in result.output
    (tmp_path / "out").write_text("")
    result, _ = render(tmp_path, "example-dallas")
    assert result.exit_code == 2 and "exists and is not a directory" in result.output


def test_cilium_bgp_values_come_from_the_hubs_outputs_when_given(tmp_path):
    # The deployed hub applied these objects: the router must match them, not a stack file edited since.
    sites = {name: dict(entry) for name, entry in HUB_SSM_SITES.items()}
    sites["austin"]["bgpPeer"] = {"address": "10.60.0.254", "asn": 65030}
    hub = {**HUB_SSM_OUTPUTS, **exported_inventory(sites)}
    hub |= {"ciliumClusterAsn": 65200, "ciliumPodCidrMaskSize": 26}
    out = render_deployed(tmp_path, "example-austin", AUSTIN_OUTPUTS, hub)
    frr = (out / "router/frr.conf").read_text()
    assert " neighbor CILIUM remote-as 65200" in frr
    assert "permit 192.168.0.0/17 ge 26 le 26" in frr and "permit 172.24.0.0/16 ge 26 le 26" in frr
    cluster = list(yaml.safe_load_all((out / "cluster/cilium-bgp.yaml").read_text()))[-1]
    [instance] = cluster["spec"]["bgpInstances"]
    assert instance["localASN"] == 65200 and instance["peers"][0]["peerAddress"] == "10.60.0.254"
    assert "dial `10.60.0.254`" in (out / "README.md").read_text()


def test_a_hub_deployed_before_these_outputs_existed_falls_back_to_its_stack_file(tmp_path):
    older = {
        key: value
        for key, value in HUB_SSM_OUTPUTS.items()
        if not key.startswith(("cilium", "kubernetes")) and key not in ("siteInventory", "siteCount")
    }
    out = render_deployed(tmp_path, "example-austin", AUSTIN_OUTPUTS, older)
    frr = (out / "router/frr.conf").read_text()
    assert " neighbor CILIUM remote-as 65100" in frr and "permit 192.168.0.0/17 ge 24 le 24" in frr
    assert "K8S_VERSION=1.32.0" in (out / "edge/edgeforge-amd64.arg").read_text()


def test_a_hub_that_deployed_no_peer_for_the_site_gets_static_pod_routes(tmp_path):
    sites = {name: {k: v for k, v in entry.items() if k != "bgpPeer"} for name, entry in HUB_SITES.items()}
    out = render_deployed(
        tmp_path,
        "example-denver",
        {"site": "denver", "nodeCidr": "10.202.0.0/16", "podCidr": "172.19.0.0/16", "kind": "directConnect"},
        {**HUB_OUTPUTS, **exported_inventory(sites)},
    )
    assert (out / "router/pod-routes.sh").exists()
    # The private VIF still runs BGP with AWS: no listen range for nodes, and the router's ASN is the VIF's.
    frr = (out / "router/frr.conf").read_text()
    assert "listen range" not in frr and "router bgp <DX_CUSTOMER_ASN>" in frr
    assert " neighbor AWS remote-as <DX_GATEWAY_ASN>" in frr


def test_hub_outputs_with_a_broken_site_entry_exit_2(tmp_path):
    sites = {**HUB_SSM_SITES, "austin": {"bgpPeer": {"address": "10.60.0.1", "asn": 65030}}}
    hub = write_json(tmp_path / "hub.json", {**HUB_SSM_OUTPUTS, **exported_inventory(sites)})
    result, _ = render(tmp_path, "example-austin", "--hub-outputs", str(hub))
    assert result.exit_code == 2
    assert "siteInventory.austin: is not a site inventory entry" in result.output


def test_deployed_values_that_cannot_peer_exit_2_naming_the_outputs_key(tmp_path):
    sites = {name: dict(entry) for name, entry in HUB_SSM_SITES.items()}
    sites["austin"]["bgpPeer"] = {"address": "10.9.0.1", "asn": 65031}
    hub = write_json(tmp_path / "hub.json", {**HUB_SSM_OUTPUTS, **exported_inventory(sites)})
    result, _ = render(tmp_path, "example-austin", "--hub-outputs", str(hub))
    assert result.exit_code == 2
    peer = "siteInventory.austin.bgpPeer"
    assert f"{peer}.address: 10.9.0.1 is not in the site's node CIDR 10.60.0.0/16" in result.output
    assert f"{peer}.asn: 65031 differs from the customer gateway's bgpAsn 65030" in result.output


@pytest.mark.parametrize(
    ("inventory", "key"),
    [
        ({"siteInventory": '{"austin":{}}', "siteCount": 1}, "siteInventory"),
        ({"sites": {"austin": {}}}, "sites"),  # a hub planned with eks-hybrid 0.2
    ],
)
def test_hub_outputs_without_the_site_in_either_inventory_shape_exit_2(tmp_path, inventory, key):
    outputs = {k: v for k, v in HUB_OUTPUTS.items() if k not in ("siteInventory", "siteCount")}
    hub = write_json(tmp_path / "hub.json", {**outputs, **inventory})
    result, _ = render(tmp_path, "example-dallas", "--hub-outputs", str(hub))
    assert result.exit_code == 2
    assert f"{key}: has no site 'dallas': these are another hub's outputs" in result.output


def _policy_stacks(tmp_path, node="10.210.0.0/16", pod="10.211.0.0/16"):
    from tests.conftest import copy_examples

    def hub_edit(config):
        config["eks-hybrid:sites"]["dallas"] |= {"nodeCidr": node, "podCidr": pod}

    def site_edit(config):
        config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["policyBased"] = True

    return copy_examples(tmp_path, {"example-hub": hub_edit, "example-dallas": site_edit})


def _render(stacks, out, *args):
    from typer.testing import CliRunner

    from eks_hybrid.cli.app import app

    return CliRunner().invoke(
        app, ["render", "--stack", "example-dallas", "--out", str(out), "--stacks-dir", str(stacks), *args]
    )


def test_route_based_is_the_default_and_the_old_flag_is_deprecated(tmp_path):
    plain = _render(STACKS, tmp_path / "plain")
    flagged = _render(STACKS, tmp_path / "flagged", "--route-based")
    assert plain.exit_code == flagged.exit_code == 0, plain.output + flagged.output
    assert "--route-based is deprecated" in flagged.output and "deprecated" not in plain.output
    for path in ("router/swanctl.conf", "router/router-setup.sh", "router/eks-hybrid-updown.sh"):
        assert (tmp_path / "plain" / path).read_text() == (tmp_path / "flagged" / path).read_text()
    assert "local_ts = 0.0.0.0/0" in (tmp_path / "plain/router/swanctl.conf").read_text()


def test_a_policy_based_site_renders_its_one_selector_pair_and_refuses_route_based(tmp_path):
    stacks = _policy_stacks(tmp_path)
    result = _render(stacks, tmp_path / "out")
    assert result.exit_code == 0, result.output
    swanctl = (tmp_path / "out/router/swanctl.conf").read_text()
    assert swanctl.count("local_ts = 10.210.0.0/15") == 2 and swanctl.count("remote_ts = 10.100.0.0/16") == 2
    refused = _render(stacks, tmp_path / "again", "--route-based")
    assert refused.exit_code == 2 and "asks for policy-based tunnels" in refused.output
    assert "[route-based-with-policy-based]" in refused.output


def test_a_policy_based_site_whose_cidrs_are_not_one_network_is_refused(tmp_path):
    result = _render(_policy_stacks(tmp_path, pod="10.212.0.0/16"), tmp_path / "out")
    assert result.exit_code == 2
    assert "siteToSiteVpn.policyBased" in result.output and "[policy-based-selectors]" in result.output


def test_render_refuses_policy_based_tunnels_to_more_than_one_aws_network():
    from dataclasses import replace

    from eks_hybrid.components.errors import PlanError
    from eks_hybrid.render import _check_policy_based
    from tests.onprem.sites import policy_site

    _check_policy_based(policy_site(), "stacks/Pulumi.example-dallas.yaml")
    with pytest.raises(PlanError, match="more than one network") as raised:
        _check_policy_based(
            replace(policy_site(), other_site_networks=("10.61.0.0/16",)), "stacks/Pulumi.example-dallas.yaml"
        )
    assert raised.value.problems[0].path == "eks-hybrid:site.connectivity.siteToSiteVpn.policyBased"


def test_render_takes_a_stack_files_path_as_plan_does(tmp_path):
    from typer.testing import CliRunner

    from eks_hybrid.cli.app import app

    by_path = CliRunner().invoke(
        app, ["render", "--stack", str(STACKS / "Pulumi.example-dallas.yaml"), "--out", str(tmp_path / "p")]
    )
    by_name = _render(STACKS, tmp_path / "n")
    assert by_path.exit_code == by_name.exit_code == 0, by_path.output
    assert sorted(p.name for p in (tmp_path / "p").rglob("*")) == sorted(
        p.name for p in (tmp_path / "n").rglob("*")
    )
    wrong = CliRunner().invoke(app, ["render", "--stack", "stacks/dallas.yaml", "--out", str(tmp_path / "w")])
    assert wrong.exit_code == 2 and "stack files are named Pulumi.<stack>.yaml" in wrong.output


def test_render_help_shows_the_stack_file_name_pattern():
    from typer.testing import CliRunner

    from eks_hybrid.cli.app import app

    text = " ".join(CliRunner().invoke(app, ["render", "--help"], terminal_width=200).output.split())
    assert "Pulumi.<stack>.yaml" in text and "Pulumi..yaml" not in text
