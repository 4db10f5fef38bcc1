"""`NodeIdentity`: the IAM role hybrid nodes act as, and how they get its credentials (IRA or SSM)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pulumi
import pulumi_aws as aws
import pulumi_tls as tls
import pulumiverse_time as time

from ..cluster.component import stack_file
from ..cluster.planning import managed_policy_arn, partition_for
from ..config import SECRET_PLACEHOLDER
from ..config.hub import CredentialsConfig, HubConfig, IamRolesAnywhereConfig
from ..errors import PlanError, Problem
from . import ca, policies

NODE_IDENTITY = "eks-hybrid:identity:NodeIdentity"


@dataclass(frozen=True)
class NodeIdentityArgs:
    credentials: CredentialsConfig
    cluster_name: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    region: str
    tags: Mapping[str, str] = field(default_factory=dict)
    # When the activation's lifetime starts. Default: the moment `pulumi up` first creates it (a
    # `time:index/offset:Offset` keeps that moment in the stack's state): a plan never depends on the clock.
    now: datetime | None = None

    @classmethod
    def from_config(
        cls, hub: HubConfig, cluster_name: pulumi.Input[str], cluster_arn: pulumi.Input[str]
    ) -> NodeIdentityArgs:
        return cls(
            credentials=hub.credentials,
            cluster_name=cluster_name,
            cluster_arn=cluster_arn,
            region=hub.region,
            tags=hub.tags,
        )


class NodeIdentity(pulumi.ComponentResource):
    """The hybrid node role, its policies, and either a Roles Anywhere trust anchor and profile or an SSM
    hybrid activation. Identity outputs that do not apply to the chosen provider are None."""

    provider: policies.Provider
    role: aws.iam.Role
    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    trust_anchor_arn: pulumi.Output[str] | None = None
    profile_arn: pulumi.Output[str] | None = None
    root_ca_certificate: pulumi.Output[str] | None = None
    """IAM Roles Anywhere: the trust anchor's CA certificate (PEM), generated or supplied; None for an
    ACM Private CA (no exportable key) and for SSM."""
    root_ca_private_key: pulumi.Output[str] | None = None
    """Its private key (PEM, a Pulumi secret): what Palette needs to issue the edge hosts' certificates."""
    activation_id: pulumi.Output[str] | None = None
    activation_code: pulumi.Output[str] | None = None

    def __init__(self, name: str, args: NodeIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NODE_IDENTITY, name, None, opts)
        problems = identity_problems(args.credentials, stack_file())
        if problems:
            raise PlanError(problems)
        self.provider = args.credentials.provider
        partition = partition_for(args.region)
        tags = dict(args.tags)
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        anchor: aws.rolesanywhere.TrustAnchor | None = None
        if self.provider == "iamRolesAnywhere":
            anchor = self._trust_anchor(name, args, tags)
            assume_role_policy = anchor.arn.apply(
                lambda arn: json.dumps(policies.iam_roles_anywhere_trust_policy(arn))
            )
            duration = self._ira_config(args).session_duration_seconds
            max_session: int | None = policies.role_max_session_seconds(duration)
        else:
            assume_role_policy = account_id.apply(
                lambda account: json.dumps(policies.ssm_trust_policy(partition, args.region, account))
            )
            max_session = None

        self.role = aws.iam.Role(
            f"{name}-role",
            description=f"EKS hybrid nodes ({self.provider})",
            assume_role_policy=assume_role_policy,
            max_session_duration=max_session,
            force_detach_policies=True,
            tags=tags,
            opts=child,
        )
        self.role_arn = self.role.arn
        self.role_name = self.role.name

        inline = aws.iam.RolePolicy(
            f"{name}-node-policy",
            role=self.role.name,
            policy=pulumi.Output.all(args.cluster_arn, account_id).apply(
                lambda values: json.dumps(
                    policies.node_policy(
                        self.provider,
                        str(values[0]),
                        partition=partition,
                        region=args.region,
                        account_id=str(values[1]),
                        pod_identity=args.credentials.enable_credentials_file,
                    )
                )
            ),
            opts=child,
        )
        attachments: list[pulumi.Resource] = [inline]
        for policy in policies.managed_policies(self.provider):
            attachments.append(
                aws.iam.RolePolicyAttachment(
                    f"{name}-{policy}",
                    role=self.role.name,
                    policy_arn=managed_policy_arn(partition, policy),
                    opts=child,
                )
            )

        outputs: dict[str, pulumi.Input[str]] = {"roleArn": self.role.arn}
        if anchor is not None:
            profile = aws.rolesanywhere.Profile(
                f"{name}-profile",
                name=f"{name}-hybrid-nodes",
                enabled=True,
                role_arns=[self.role.arn],
                # nodeadm passes --role-session-name <nodeName>; the trust policy pins it to the CN.
                accept_role_session_name=True,
                duration_seconds=self._ira_config(args).session_duration_seconds,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
            )
            self.trust_anchor_arn = anchor.arn
            self.profile_arn = profile.arn
            outputs |= {"trustAnchorArn": anchor.arn, "profileArn": profile.arn}
            if self.root_ca_certificate is not None:
                outputs["rootCaCertificate"] = self.root_ca_certificate
        else:
            activation = self._activation(name, args, tags, attachments)
            self.activation_id = activation.id
            self.activation_code = pulumi.Output.secret(activation.activation_code)
            outputs |= {"activationId": activation.id, "activationCode": self.activation_code}
        self.register_outputs(outputs)

    @staticmethod
    def _ira_config(args: NodeIdentityArgs) -> IamRolesAnywhereConfig:
        ira = args.credentials.iam_roles_anywhere
        if ira is None:  # the config rules already require it; a programmatic caller may not
            raise ValueError("credentials.provider is iamRolesAnywhere, but iamRolesAnywhere is not set")
        return ira

    def _trust_anchor(
        self, name: str, args: NodeIdentityArgs, tags: dict[str, str]
    ) -> aws.rolesanywhere.TrustAnchor:
        ira = self._ira_config(args)
        source = policies.trust_anchor_source(ira.acm_pca_arn is None, ira.acm_pca_arn)
        if source.acm_pca_arn is not None:
            source_data = aws.rolesanywhere.TrustAnchorSourceSourceDataArgs(acm_pca_arn=source.acm_pca_arn)
        else:
            certificate = self._certificate_authority(name, args, ira)
            source_data = aws.rolesanywhere.TrustAnchorSourceSourceDataArgs(x509_certificate_data=certificate)
        return aws.rolesanywhere.TrustAnchor(
            f"{name}-trust-anchor",
            name=f"{name}-hybrid-nodes",
            enabled=True,
            source=aws.rolesanywhere.TrustAnchorSourceArgs(
                source_type=source.source_type, source_data=source_data
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _certificate_authority(
        self, name: str, args: NodeIdentityArgs, ira: IamRolesAnywhereConfig
    ) -> pulumi.Output[str]:
        """The trust anchor's CA: generated with pulumi-tls (`generateCertificateAuthority`), or the PEM the
        user supplied. Sets `root_ca_certificate` and, when there is one, `root_ca_private_key` (secret)."""
        if ira.generate_certificate_authority:
            spec = ca.generated_ca(name, ira.certificate_authority_validity_days)
            key = tls.PrivateKey(
                f"{name}-ca-key",
                algorithm=spec.algorithm,
                rsa_bits=spec.rsa_bits,
                opts=pulumi.ResourceOptions(parent=self),
            )
            cert = tls.SelfSignedCert(
                f"{name}-ca",
                private_key_pem=key.private_key_pem,
                is_ca_certificate=True,
                allowed_uses=list(spec.allowed_uses),
                validity_period_hours=spec.validity_hours,
                set_subject_key_id=True,
                subject=tls.SelfSignedCertSubjectArgs(
                    common_name=spec.common_name, organization=spec.organization
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.root_ca_certificate = cert.cert_pem
            self.root_ca_private_key = pulumi.Output.secret(key.private_key_pem)
            return cert.cert_pem
        assert ira.certificate_authority_pem is not None  # the config rules require exactly one source
        pem = pulumi.Output.secret(ira.certificate_authority_pem.get_secret_value())
        self.root_ca_certificate = pem
        if ira.certificate_authority_private_key is not None:
            self.root_ca_private_key = pulumi.Output.secret(
                ira.certificate_authority_private_key.get_secret_value()
            )
        return pem

    def _activation(
        self, name: str, args: NodeIdentityArgs, tags: dict[str, str], attachments: list[pulumi.Resource]
    ) -> aws.ssm.Activation:
        ssm = args.credentials.ssm
        if ssm is None:
            raise ValueError("credentials.provider is ssm, but ssm is not set")
        expiry = time.Offset(
            f"{name}-activation-expiry",
            # terraform-provider-time `time_offset` (internal/provider/resource_time_offset.go): the base
            # defaults to the time of creation and is kept in state; a new `offsetDays` moves the expiry
            # from that same base. Renew with `pulumi up --replace <this offset's URN>`.
            offset_days=policies.activation_days(ssm.expiration_days),
            base_rfc3339=policies.rfc3339(args.now) if args.now else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.ssm.Activation(
            f"{name}-activation",
            name=f"{name}-hybrid-nodes",
            description="EKS hybrid nodes",
            iam_role=self.role.name,
            registration_limit=ssm.registration_limit,
            # Known at apply time only: plans show "(known after apply)", so they depend on config alone.
            expiration_date=expiry.rfc3339,
            # In the cluster's region, or nodes fail with InvalidActivation.
            region=args.region,
            tags={**tags, policies.ACTIVATION_TAG: args.cluster_arn},
            opts=pulumi.ResourceOptions(
                parent=self,
                # IAM is eventually consistent: "Nonexistent role or missing ssm service principal".
                depends_on=attachments,
                additional_secret_outputs=["activationCode"],
                # An activation has no update: every input, tags included, replaces it and invalidates its
                # code (terraform-provider-aws internal/service/ssm/activation.go has no Update and marks
                # `tagsUpdateForceNew`). A change of stack tags must not rotate the code, so tags are set at
                # creation only; a new expiry (see the offset above) does replace it, as renewal should.
                ignore_changes=["tags"],
            ),
        )


def identity_problems(credentials: CredentialsConfig, file: str) -> list[Problem]:
    """Everything `NodeIdentity` would refuse, without declaring anything."""
    ira = credentials.iam_roles_anywhere
    if credentials.provider != "iamRolesAnywhere" or ira is None:
        return []
    path = "eks-hybrid:credentials.iamRolesAnywhere"
    checks = (
        (ira.certificate_authority_pem, "certificateAuthorityPem", policies.certificate_bundle_problems),
        (ira.certificate_authority_private_key, "certificateAuthorityPrivateKey", ca.private_key_problems),
    )
    return [
        problem
        for value, key, check in checks
        if value is not None
        for problem in check(value.get_secret_value(), file, f"{path}.{key}", SECRET_PLACEHOLDER)
    ]
