"""The hybrid node role's IAM documents, statement by statement."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eks_hybrid.components.identity import policies

ANCHOR = "arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/0f0e0d0c-0000-1111-2222-333344445555"
CLUSTER = "arn:aws:eks:us-west-2:123456789012:cluster/edge-prod"


# --- IAM Roles Anywhere trust ---------------------------------------------------------------------------


def test_ira_trust_has_exactly_two_statements_for_rolesanywhere() -> None:
    document = policies.iam_roles_anywhere_trust_policy(ANCHOR)
    assert document["Version"] == "2012-10-17"
    assert [s["Principal"] for s in document["Statement"]] == [
        {"Service": "rolesanywhere.amazonaws.com"},
        {"Service": "rolesanywhere.amazonaws.com"},
    ]
    assert all(s["Effect"] == "Allow" for s in document["Statement"])


def test_ira_tag_session_and_source_identity_only_from_our_trust_anchor() -> None:
    tag = policies.iam_roles_anywhere_trust_policy(ANCHOR)["Statement"][0]
    assert tag["Action"] == ["sts:TagSession", "sts:SetSourceIdentity"]
    assert tag["Condition"] == {"ArnEquals": {"aws:SourceArn": ANCHOR}}


def test_ira_assume_role_pins_the_session_name_to_the_certificate_cn() -> None:
    assume = policies.iam_roles_anywhere_trust_policy(ANCHOR)["Statement"][1]
    assert assume["Action"] == "sts:AssumeRole"
    assert assume["Condition"] == {
        "ArnEquals": {"aws:SourceArn": ANCHOR},
        "StringEquals": {"sts:RoleSessionName": "${aws:PrincipalTag/x509Subject/CN}"},
    }


def test_ira_trust_never_names_an_intermediate_role() -> None:
    text = json.dumps(policies.iam_roles_anywhere_trust_policy(ANCHOR))
    assert '"AWS"' not in text and ":role/" not in text


# --- SSM trust ------------------------------------------------------------------------------------------


def test_ssm_trust_is_limited_to_this_account_and_region() -> None:
    [statement] = policies.ssm_trust_policy("aws", "us-east-2", "123456789012")["Statement"]
    assert statement["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnEquals": {"aws:SourceArn": "arn:aws:ssm:us-east-2:123456789012:*"},
    }


def test_ssm_trust_uses_the_partition() -> None:
    [statement] = policies.ssm_trust_policy("aws-us-gov", "us-gov-west-1", "123456789012")["Statement"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"].startswith(
        "arn:aws-us-gov:ssm:us-gov-west-1:"
    )


# --- node policy ----------------------------------------------------------------------------------------


def node_policy(provider: policies.Provider, pod_identity: bool = False) -> list[dict[str, object]]:
    document = policies.node_policy(
        provider,
        CLUSTER,
        partition="aws",
        region="us-west-2",
        account_id="123456789012",
        pod_identity=pod_identity,
    )
    assert document["Version"] == "2012-10-17"
    statements: list[dict[str, object]] = document["Statement"]
    return statements


@pytest.mark.parametrize("provider", ["iamRolesAnywhere", "ssm"])
def test_both_providers_describe_the_cluster_and_list_its_access_entries(provider: policies.Provider) -> None:
    eks = node_policy(provider)[0]
    assert eks == {
        "Sid": "DescribeEksCluster",
        "Effect": "Allow",
        "Action": ["eks:DescribeCluster", "eks:ListAccessEntries"],
        "Resource": CLUSTER,
    }


def test_ira_node_policy_has_nothing_else() -> None:
    assert len(node_policy("iamRolesAnywhere")) == 1


def test_ssm_node_policy_may_deregister_only_this_clusters_managed_instances() -> None:
    # AWS's hybrid-ssm-cfn.yaml: DeregisterManagedInstance only where ssm:resourceTag/EKSClusterARN is the
    # cluster's ARN (the activation carries that tag, so the instances it registers do). Before, any node
    # could deregister any managed instance of the account and region.
    statements = {s["Sid"]: s for s in node_policy("ssm")}
    assert set(statements) == {"DescribeEksCluster", "AllowDeregisterOwnInstance", "AllowDescribeInstances"}
    instances = "arn:aws:ssm:us-west-2:123456789012:managed-instance/*"
    assert statements["AllowDeregisterOwnInstance"] == {
        "Sid": "AllowDeregisterOwnInstance",
        "Effect": "Allow",
        "Action": "ssm:DeregisterManagedInstance",
        "Resource": instances,
        "Condition": {"StringEquals": {"ssm:resourceTag/EKSClusterARN": CLUSTER}},
    }
    own = {"ArnLike": {"ssm:SourceInstanceARN": instances}}
    assert statements["AllowDescribeInstances"] == {
        "Sid": "AllowDescribeInstances",
        "Effect": "Allow",
        "Action": "ssm:DescribeInstanceInformation",
        "Resource": "*",
        "Condition": own,
    }


def test_the_deregister_tag_is_the_one_the_activation_carries() -> None:
    [deregister] = [s for s in node_policy("ssm") if s["Action"] == "ssm:DeregisterManagedInstance"]
    [key] = deregister["Condition"]["StringEquals"]
    assert key == f"ssm:resourceTag/{policies.ACTIVATION_TAG}"


@pytest.mark.parametrize("provider", ["iamRolesAnywhere", "ssm"])
def test_pod_identity_adds_assume_role_for_pod_identity_on_this_cluster(provider: policies.Provider) -> None:
    # nodeadm's enableCredentialsFile is for the EKS Pod Identity agent, which calls
    # eks-auth:AssumeRoleForPodIdentity with the node's credentials (resource type: cluster).
    without = node_policy(provider)
    with_pod_identity = node_policy(provider, pod_identity=True)
    assert not [s for s in without if s["Action"] == "eks-auth:AssumeRoleForPodIdentity"]
    [statement] = [s for s in with_pod_identity if s["Action"] == "eks-auth:AssumeRoleForPodIdentity"]
    assert statement == {
        "Sid": "AssumeRoleForPodIdentity",
        "Effect": "Allow",
        "Action": "eks-auth:AssumeRoleForPodIdentity",
        "Resource": CLUSTER,
    }
    assert with_pod_identity[: len(without)] == without


def test_no_statement_grants_a_wildcard_action() -> None:
    providers: tuple[policies.Provider, ...] = ("iamRolesAnywhere", "ssm")
    for provider in providers:
        for statement in node_policy(provider):
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert not [a for a in actions if "*" in str(a)]


def test_managed_policies() -> None:
    assert policies.managed_policies("iamRolesAnywhere") == ("AmazonEC2ContainerRegistryPullOnly",)
    assert policies.managed_policies("ssm") == (
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonSSMManagedInstanceCore",
    )


# --- session durations, activation expiry, trust anchor source ------------------------------------------


@given(st.integers(900, 43200))
def test_role_max_session_is_above_the_profile_duration(duration: int) -> None:
    role = policies.role_max_session_seconds(duration)
    assert 3600 <= role <= 43200
    assert role > duration or role == duration == 43200


@pytest.mark.parametrize(("duration", "role"), [(900, 4500), (3600, 7200), (39600, 43200), (43200, 43200)])
def test_role_max_session_examples(duration: int, role: int) -> None:
    assert policies.role_max_session_seconds(duration) == role


def test_activation_expiration_is_days_after_now_in_rfc3339() -> None:
    now = datetime(2026, 1, 30, 10, 11, 12, 999, tzinfo=UTC)
    assert policies.activation_expiration(now, 7) == "2026-02-06T10:11:12Z"


@pytest.mark.parametrize("days", [0, 31])
def test_activation_expiration_bounds(days: int) -> None:
    with pytest.raises(ValueError, match="1 to 30 days"):
        policies.activation_expiration(datetime.now(UTC), days)


def test_trust_anchor_source() -> None:
    assert policies.trust_anchor_source(True, None) == policies.TrustAnchorSource("CERTIFICATE_BUNDLE")
    pca = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/x"
    assert policies.trust_anchor_source(False, pca) == policies.TrustAnchorSource("AWS_ACM_PCA", pca)
    for pem, arn in ((True, pca), (False, None)):
        with pytest.raises(ValueError, match="exactly one"):
            policies.trust_anchor_source(pem, arn)


def test_certificate_bundle_problems() -> None:
    pem = f"{policies.PEM_BEGIN}\nMIIB\n{policies.PEM_END}\n"
    assert policies.certificate_bundle_problems(pem, "f", "p", "[secret]") == []
    assert policies.certificate_bundle_problems("[secret]", "f", "p", "[secret]") == []
    [problem] = policies.certificate_bundle_problems("-----BEGIN PRIVATE KEY-----", "f", "p", "[secret]")
    assert problem.path == "p" and "PEM certificate bundle" in problem.rule


def test_rfc3339_is_utc_whole_seconds() -> None:
    eastern = datetime(2026, 1, 30, 5, 11, 12, 999, tzinfo=timezone(timedelta(hours=-5)))
    assert policies.rfc3339(eastern) == "2026-01-30T10:11:12Z"
