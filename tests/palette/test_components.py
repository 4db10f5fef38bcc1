"""PaletteHub and PaletteNodePools under Pulumi's mock engine: resources, names, parents, inputs, secrets."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from eks_hybrid.components.composition.hub import palette_exports
from eks_hybrid.components.palette import (
    HUB_TYPE,
    NODE_POOLS_TYPE,
    EdgeHost,
    NodePool,
    PaletteHub,
    PaletteHubArgs,
    PaletteIamRolesAnywhere,
    PaletteNodePools,
    PaletteNodePoolsArgs,
    PaletteSsmActivation,
)

from .conftest import PROJECT

DYNAMIC = "pulumi-python:dynamic:Resource"


def hub_args(credentials: str = "ssm", **extra: Any) -> PaletteHubArgs:
    args = PaletteHubArgs(
        cluster_name="edge-prod",
        vpc_cidr="10.100.0.0/16",
        node_cidrs=["10.201.0.0/16", "10.200.0.0/16"],
        pod_cidrs=["192.168.0.0/16"],
        profile={"os": {"provider_image": "r/x:1"}, "kubernetes": {"version": "1.31.0"}},
        project_uid=PROJECT,
        **extra,
    )
    if credentials == "ssm":
        args["ssm"] = PaletteSsmActivation(
            activation_id="act-id", activation_code=pulumi.Output.secret("act-code")
        )
    else:
        args["iam_roles_anywhere"] = PaletteIamRolesAnywhere(
            role_arn="arn:aws:iam::1:role/r",
            trust_anchor_arn="arn:ta",
            profile_arn="arn:p",
            root_ca_certificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            root_ca_private_key="-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
        )
    return args


def _hub(credentials: str = "ssm", **extra: Any) -> Any:
    def program() -> None:
        k8s_provider = k8s.Provider("k8s", kubeconfig="{}")
        hub = PaletteHub(
            "palette", hub_args(credentials, **extra), pulumi.ResourceOptions(providers=[k8s_provider])
        )
        for key, value in palette_exports(hub).items():
            pulumi.export(key, value)

    return program


def test_hub_declares_its_children(mock_engine: Any) -> None:
    run = mock_engine.run(_hub())
    hub = run.by_type(HUB_TYPE)[0]
    children = {r.name: r for r in run.children_of(hub)}
    assert set(children) == {
        "palette-import",
        "palette-import-manifest",
        "palette-ready",
        "palette-hybrid",
        "palette-profile",
    }
    assert children["palette-import"].type == DYNAMIC
    assert children["palette-import"].inputs["clusterName"] == "edge-prod"
    assert children["palette-import"].inputs["projectUid"] == PROJECT
    hybrid = children["palette-hybrid"].inputs
    assert hybrid["nodeCidrs"] == ["10.200.0.0/16", "10.201.0.0/16"]
    assert hybrid["identity"]["activationCode"] == "[secret]"
    assert hybrid["identity"]["activationId"] == "act-id"
    assert children["palette-profile"].inputs["profile"]["kubernetes"]["version"] == "1.31.0"
    assert children["palette-import-manifest"].type == "kubernetes:yaml/v2:ConfigGroup"
    assert set(run.outputs) == {
        "paletteClusterUid",
        "paletteCloudConfigUid",
        "paletteProfileUid",
        "paletteProfileVersions",
        "paletteEndpoint",
        "paletteProjectUid",
    }
    assert run.outputs["paletteProjectUid"] == PROJECT
    # The versions it publishes: its one version so far, under the uid it exports as the current one.
    assert run.outputs["paletteProfileVersions"] == {"1.0.0": run.outputs["paletteProfileUid"]}


def test_no_input_carries_an_api_key(mock_engine: Any) -> None:
    run = mock_engine.run(_hub("iamRolesAnywhere"))
    for resource in run.by_type(DYNAMIC):
        assert "apiKey" not in str(resource.inputs)
    assert run.named("palette-hybrid").inputs["identity"]["provider"] == "iamRolesAnywhere"


def test_palette_gets_the_root_ca_and_its_key_as_a_secret(mock_engine: Any) -> None:
    identity = mock_engine.run(_hub("iamRolesAnywhere")).named("palette-hybrid").inputs["identity"]
    assert identity["rootCaCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert identity["rootCaPrivateKey"] == "[secret]"
    assert "MIIE" not in str(identity)


def test_the_hybrid_settings_state_keeps_the_identity_secret(mock_engine: Any, monkeypatch: Any) -> None:
    # The provider's outputs echo the identity (CA key included): `additional_secret_outputs` keeps it
    # secret in the state.
    seen: dict[str, Any] = {}
    original = pulumi.dynamic.Resource.__init__

    def capture(self: Any, provider: Any, name: str, props: Any, opts: Any = None, *args: Any) -> None:
        seen[name] = opts
        original(self, provider, name, props, opts, *args)

    monkeypatch.setattr(pulumi.dynamic.Resource, "__init__", capture)
    mock_engine.run(_hub("iamRolesAnywhere"))
    assert seen["palette-hybrid"].additional_secret_outputs == ["apiKey", "identity"]


def test_the_example_hub_sends_palette_the_ca_its_trust_anchor_trusts(example_plans: Any) -> None:
    run = example_plans["example-hub"].run  # the offline plan of stacks/Pulumi.example-hub.yaml
    identity = run.named("edge-prod-hybrid").inputs["identity"]
    anchor = run.named("edge-prod-node-identity-trust-anchor").inputs["source"]["sourceData"]
    assert identity["rootCaCertificate"] == anchor["x509CertificateData"]
    assert identity["rootCaCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert identity["rootCaPrivateKey"] == "[secret]"


def test_node_pools_are_named_by_pool(mock_engine: Any) -> None:
    pools = {
        "b-pool": NodePool(edge_hosts=[EdgeHost(uid="edge-2")]),
        "a-pool": NodePool(
            architecture="arm64", edge_hosts=[EdgeHost(uid="edge-1", vpn_server_ip="10.0.0.1")]
        ),
    }

    def program() -> None:
        PaletteNodePools(
            "dallas-palette",
            PaletteNodePoolsArgs(
                site="dallas",
                pools=pools,
                endpoint="https://api.spectrocloud.com",
                project_uid=PROJECT,
                cloud_config_uid="cfg",
                profile_uid="prof",
            ),
        )

    run = mock_engine.run(program)
    parent = run.by_type(NODE_POOLS_TYPE)[0]
    names = sorted(r.name for r in run.children_of(parent))
    assert names == ["dallas-palette-a-pool", "dallas-palette-b-pool"]
    inputs = run.named("dallas-palette-a-pool").inputs
    assert inputs["pool"]["edgeHosts"] == [{"uid": "edge-1", "vpnServerIp": "10.0.0.1"}]
    # Every pool's nodes carry the site label Cilium's per-site pod pool selects them by.
    assert inputs["pool"]["labels"] == {"eks-hybrid/site": "dallas"}
    assert inputs["pool"]["name"] == "a-pool" and inputs["pool"]["architecture"] == "arm64"
    assert inputs["cloudConfigUid"] == "cfg" and inputs["profileUid"] == "prof" and inputs["site"] == "dallas"
