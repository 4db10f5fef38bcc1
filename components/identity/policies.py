"""The hybrid node role's IAM documents and settings: pure functions, no Pulumi.

Two credential providers, exactly one per hub:

- IAM Roles Anywhere, the single-role model of AWS's `hybrid-ira-cfn.yaml` (nodeadm signs in as the node
  role itself, `--role-session-name <nodeName>`), not terraform-aws-eks's intermediate-role design that
  nodeadm dropped in aws/eks-hybrid#45.
- SSM hybrid activations, as AWS's `hybrid-ssm-cfn.yaml`: a node may deregister only managed instances
  tagged with this cluster's ARN (the activation carries that tag, so its instances do).

Both roles may describe the cluster and list its access entries (nodeadm checks the access entry since
aws/eks-hybrid#721), scoped to the cluster's ARN.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from ..codes import Code
from ..errors import Problem

Provider = Literal["iamRolesAnywhere", "ssm"]

ROLESANYWHERE = "rolesanywhere.amazonaws.com"
SSM = "ssm.amazonaws.com"
# The certificate attribute the session name must equal; nodeadm's nodeName is the certificate's CN.
SESSION_NAME_ATTRIBUTE = "${aws:PrincipalTag/x509Subject/CN}"
MAX_ROLE_SESSION_SECONDS = 43200
ACTIVATION_TAG = "EKSClusterARN"

COMMON_MANAGED_POLICIES = ("AmazonEC2ContainerRegistryPullOnly",)
SSM_MANAGED_POLICIES = ("AmazonSSMManagedInstanceCore",)


def managed_policies(provider: Provider) -> tuple[str, ...]:
    """Managed policy names attached to the node role (ECR pulls; SSM's agent core for SSM)."""
    if provider == "ssm":
        return COMMON_MANAGED_POLICIES + SSM_MANAGED_POLICIES
    return COMMON_MANAGED_POLICIES


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def iam_roles_anywhere_trust_policy(trust_anchor_arn: str) -> dict[str, Any]:
    """Roles Anywhere may assume the role only through our trust anchor, and only with a session named
    after the certificate's CN (the node's name), so one node cannot pose as another."""
    source = {"ArnEquals": {"aws:SourceArn": trust_anchor_arn}}
    return _document(
        {
            "Sid": "TagSessionFromTrustAnchor",
            "Effect": "Allow",
            "Principal": {"Service": ROLESANYWHERE},
            "Action": ["sts:TagSession", "sts:SetSourceIdentity"],
            "Condition": source,
        },
        {
            "Sid": "AssumeRoleAsCertificateCN",
            "Effect": "Allow",
            "Principal": {"Service": ROLESANYWHERE},
            "Action": "sts:AssumeRole",
            "Condition": {
                **source,
                "StringEquals": {"sts:RoleSessionName": SESSION_NAME_ATTRIBUTE},
            },
        },
    )


def ssm_trust_policy(partition: str, region: str, account_id: str) -> dict[str, Any]:
    """SSM may assume the role for activations of this account and region only (confused deputy guard)."""
    return _document(
        {
            "Sid": "SsmHybridActivations",
            "Effect": "Allow",
            "Principal": {"Service": SSM},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnEquals": {"aws:SourceArn": f"arn:{partition}:ssm:{region}:{account_id}:*"},
            },
        }
    )


def node_policy(
    provider: Provider,
    cluster_arn: str,
    *,
    partition: str,
    region: str,
    account_id: str,
    pod_identity: bool = False,
) -> dict[str, Any]:
    """The inline policy of the node role.

    Always: `eks:DescribeCluster` and `eks:ListAccessEntries` on this cluster only (nodeadm init reads the
    cluster and checks the node's access entry).

    SSM also (`nodeadm uninstall` deregisters the node): `ssm:DeregisterManagedInstance` only on managed
    instances tagged `EKSClusterARN` = this cluster's ARN, as AWS's `hybrid-ssm-cfn.yaml` scopes it
    (`SSMDeregisterConditionTagKey`/`Value`, EKS user guide `hybrid-nodes-creds.adoc`); instances registered
    through the activation inherit its tags. `ssm:DescribeInstanceInformation` has no resource type, so it
    stays limited to callers that are managed instances (terraform-aws-eks#3620).

    `pod_identity` (the NodeConfig's `enableCredentialsFile`): `eks-auth:AssumeRoleForPodIdentity` for the
    EKS Pod Identity agent on hybrid nodes, on this cluster (the action's resource type is `cluster`).
    """
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DescribeEksCluster",
            "Effect": "Allow",
            "Action": ["eks:DescribeCluster", "eks:ListAccessEntries"],
            "Resource": cluster_arn,
        }
    ]
    if provider == "ssm":
        managed_instances = f"arn:{partition}:ssm:{region}:{account_id}:managed-instance/*"
        statements += [
            {
                "Sid": "AllowDeregisterOwnInstance",
                "Effect": "Allow",
                "Action": "ssm:DeregisterManagedInstance",
                "Resource": managed_instances,
                "Condition": {"StringEquals": {f"ssm:resourceTag/{ACTIVATION_TAG}": cluster_arn}},
            },
            {
                "Sid": "AllowDescribeInstances",
                "Effect": "Allow",
                "Action": "ssm:DescribeInstanceInformation",
                "Resource": "*",
                "Condition": {"ArnLike": {"ssm:SourceInstanceARN": managed_instances}},
            },
        ]
    if pod_identity:
        statements.append(
            {
                "Sid": "AssumeRoleForPodIdentity",
                "Effect": "Allow",
                "Action": "eks-auth:AssumeRoleForPodIdentity",
                "Resource": cluster_arn,
            }
        )
    return _document(*statements)


def role_max_session_seconds(profile_duration_seconds: int) -> int:
    """The role's MaxSessionDuration: above the Roles Anywhere profile's session duration (an hour more),
    within IAM's 1 h to 12 h. At the 12 h ceiling it can only equal the profile's duration."""
    return max(3600, min(MAX_ROLE_SESSION_SECONDS, profile_duration_seconds + 3600))


SSM_ACTIVATION_MAX_DAYS = 30  # SSM CreateActivation: ExpirationDate at most 30 days ahead


def activation_days(days: int) -> int:
    """The activation's lifetime in days, checked against SSM's 1 to 30."""
    if not 1 <= days <= SSM_ACTIVATION_MAX_DAYS:
        raise ValueError(f"an SSM activation lasts 1 to {SSM_ACTIVATION_MAX_DAYS} days, got {days}")
    return days


def rfc3339(moment: datetime) -> str:
    """`moment` in UTC as RFC 3339 with whole seconds, the form SSM and `time_offset` take."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def activation_expiration(now: datetime, days: int) -> str:
    """RFC 3339 expiry `days` after `now`: what the offset resolves to at apply time."""
    return rfc3339(now + timedelta(days=activation_days(days)))


PEM_BEGIN = "-----BEGIN CERTIFICATE-----"
PEM_END = "-----END CERTIFICATE-----"


def certificate_bundle_problems(pem: str, file: str, path: str, placeholder: str) -> list[Problem]:
    """A trust anchor's CA bundle must be PEM certificates. The offline placeholder passes unseen."""
    if pem == placeholder:
        return []
    text = pem.strip()
    if not (text.startswith(PEM_BEGIN) and text.endswith(PEM_END)):
        return [
            Problem(
                file,
                path,
                "is not a PEM certificate bundle (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----):"
                " give the private CA's certificate, never a key, and not a public CA",
                Code.NOT_A_PEM_BUNDLE,
            )
        ]
    return []


@dataclass(frozen=True)
class TrustAnchorSource:
    """Where the trust anchor's CA comes from: a PEM bundle or an ACM Private CA."""

    source_type: Literal["CERTIFICATE_BUNDLE", "AWS_ACM_PCA"]
    acm_pca_arn: str | None = None


def trust_anchor_source(certificate_authority_pem: bool, acm_pca_arn: str | None) -> TrustAnchorSource:
    if certificate_authority_pem == (acm_pca_arn is not None):
        raise ValueError("a trust anchor needs exactly one of certificateAuthorityPem and acmPcaArn")
    if acm_pca_arn is not None:
        return TrustAnchorSource("AWS_ACM_PCA", acm_pca_arn)
    return TrustAnchorSource("CERTIFICATE_BUNDLE")
