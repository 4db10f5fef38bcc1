"""`NodeIdentity` under the mock engine: role, trust, policies, trust anchor and profile, SSM activation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

import pulumi
import pytest

from eks_hybrid.components.config import SECRET_PLACEHOLDER
from eks_hybrid.components.config._stack_args import node_identity_args
from eks_hybrid.components.errors import ArgumentsError
from eks_hybrid.components.identity import NodeIdentity, policies
from eks_hybrid.offline.engine import OfflineRun
from tests.cluster.hubs import PEM, hub_config
from tests.conftest import MockEngine

CLUSTER_ARN = "arn:aws:eks:us-west-2:123456789012:cluster/edge-prod"
NOW = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def run_identity(
    engine: MockEngine, credentials: Mapping[str, object], region: str = "us-west-2"
) -> OfflineRun:
    """`NodeIdentity` with the Args a hub stack with these credentials builds (`eks-hybrid:tags` are
    `environment: test`); an activation's lifetime counts from NOW (its `start_time`)."""
    args = node_identity_args(hub_config(credentials=credentials), "edge-prod", CLUSTER_ARN)
    args["region"] = region
    if "ssm" in args:
        args["ssm"] = {**args["ssm"], "start_time": policies.rfc3339(NOW)}

    def program() -> None:
        identity = NodeIdentity("nodes", args)
        pulumi.export("roleArn", identity.role_arn)
        for key in ("trust_anchor_arn", "profile_arn", "activation_id", "activation_code"):
            value = getattr(identity, key)
            pulumi.export(key, value.apply(lambda v: "none" if v is None else v))

    return engine.run(program, stack="identity")


IRA = {
    "provider": "iamRolesAnywhere",
    "iamRolesAnywhere": {"certificateAuthorityPem": PEM, "sessionDurationSeconds": 7200},
}
SSM = {"provider": "ssm", "ssm": {"registrationLimit": 25, "expirationDays": 10}}


def test_ira_trust_anchor_from_a_ca_bundle(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, IRA)
    anchor = run.named("nodes-trust-anchor")
    assert anchor.inputs["enabled"] is True
    assert anchor.inputs["source"] == {
        "sourceType": "CERTIFICATE_BUNDLE",
        "sourceData": {"x509CertificateData": "[secret]"},
    }


def test_ira_trust_anchor_from_acm_pca(mock_engine: MockEngine) -> None:
    pca = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555"
    run = run_identity(mock_engine, {"provider": "iamRolesAnywhere", "iamRolesAnywhere": {"acmPcaArn": pca}})
    assert run.named("nodes-trust-anchor").inputs["source"] == {
        "sourceType": "AWS_ACM_PCA",
        "sourceData": {"acmPcaArn": pca},
    }


def test_ira_profile_accepts_the_session_name_and_lists_the_role(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, IRA)
    profile = run.named("nodes-profile").inputs
    role_arn = run.outputs["roleArn"]
    assert profile["acceptRoleSessionName"] is True
    assert profile["enabled"] is True
    assert profile["roleArns"] == [role_arn]
    assert profile["durationSeconds"] == 7200
    assert run.outputs["profile_arn"].startswith("arn:aws:rolesanywhere:us-west-2:123456789012:profile/")


def test_ira_role_trust_and_session_duration(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, IRA)
    role = run.named("nodes-role").inputs
    trust = json.loads(role["assumeRolePolicy"])
    anchor_arn = run.outputs["trust_anchor_arn"]
    assert anchor_arn.startswith("arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/")
    assert [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in trust["Statement"]] == [
        anchor_arn,
        anchor_arn,
    ]
    assert trust["Statement"][1]["Condition"]["StringEquals"] == {
        "sts:RoleSessionName": "${aws:PrincipalTag/x509Subject/CN}"
    }
    assert role["maxSessionDuration"] == 10800
    assert role["maxSessionDuration"] > run.named("nodes-profile").inputs["durationSeconds"]


def test_ira_policies(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, IRA)
    inline = json.loads(run.named("nodes-node-policy").inputs["policy"])
    assert inline["Statement"] == [
        {
            "Sid": "DescribeEksCluster",
            "Effect": "Allow",
            "Action": ["eks:DescribeCluster", "eks:ListAccessEntries"],
            "Resource": CLUSTER_ARN,
        }
    ]
    attached = [
        r.inputs["policyArn"] for r in run.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    ]
    assert attached == ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"]
    assert run.by_type("aws:ssm/activation:Activation") == []
    assert run.outputs["activation_id"] == "none"


def test_a_ca_bundle_that_is_not_pem_is_refused(mock_engine: MockEngine) -> None:
    bad = {
        "provider": "iamRolesAnywhere",
        "iamRolesAnywhere": {"certificateAuthorityPem": "not a certificate"},
    }
    with pytest.raises(
        ArgumentsError,
        match=r"NodeIdentity 'nodes': iam_roles_anywhere\.certificate_authority_pem: is not a PEM",
    ):
        run_identity(mock_engine, bad)


def test_the_offline_placeholder_is_accepted(mock_engine: MockEngine) -> None:
    placeholder = {
        "provider": "iamRolesAnywhere",
        "iamRolesAnywhere": {"certificateAuthorityPem": SECRET_PLACEHOLDER},
    }
    run = run_identity(mock_engine, placeholder)
    assert run.named("nodes-trust-anchor").inputs["source"]["sourceData"] == {
        "x509CertificateData": "[secret]"
    }


def test_ssm_role_trust(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, SSM, region="us-east-2")
    role = run.named("nodes-role").inputs
    [statement] = json.loads(role["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnEquals": {"aws:SourceArn": "arn:aws:ssm:us-east-2:123456789012:*"},
    }
    assert "maxSessionDuration" not in role


def test_ssm_policies(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, SSM)
    inline = json.loads(run.named("nodes-node-policy").inputs["policy"])
    assert [s["Sid"] for s in inline["Statement"]] == [
        "DescribeEksCluster",
        "AllowDeregisterOwnInstance",
        "AllowDescribeInstances",
    ]
    attached = sorted(
        r.inputs["policyArn"] for r in run.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]
    assert run.by_type("aws:rolesanywhere/trustAnchor:TrustAnchor") == []


def test_ssm_activation(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, SSM, region="us-east-2")
    activation = run.named("nodes-activation")
    assert activation.inputs["iamRole"] == "nodes-role"
    assert activation.inputs["registrationLimit"] == 25
    assert activation.inputs["expirationDate"] == "2026-03-11T08:00:00Z"
    assert activation.inputs["region"] == "us-east-2"
    assert activation.inputs["tags"]["EKSClusterARN"] == CLUSTER_ARN


def test_ssm_activation_waits_for_the_role_policies(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, SSM)
    needed = {
        run.named(name).urn
        for name in (
            "nodes-node-policy",
            "nodes-AmazonEC2ContainerRegistryPullOnly",
            "nodes-AmazonSSMManagedInstanceCore",
        )
    }
    assert needed <= set(run.named("nodes-activation").dependencies)


def test_ssm_activation_code_is_secret(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, SSM)
    assert "activation_code" in run.secret_outputs
    assert run.outputs["activation_code"] == "[secret]"
    assert len(run.raw_outputs["activation_code"]) >= 20
    assert run.outputs["trust_anchor_arn"] == "none"


def test_children_are_parented_and_named(mock_engine: MockEngine) -> None:
    for credentials in (IRA, SSM):
        run = run_identity(mock_engine, credentials)
        component = run.named("nodes")
        assert component.type == "eks-hybrid:identity:NodeIdentity"
        children = [r for r in run.resources if r is not component]
        assert {r.parent for r in children} == {component.urn}
        assert all(r.name.startswith("nodes-") for r in children)
