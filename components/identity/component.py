"""`NodeIdentity`: the IAM role hybrid nodes act as, and how they get its credentials (IRA or SSM).

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

import json
from collections.abc import Callable, Mapping
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_tls as tls
import pulumiverse_time as time

from .._inputs import Arguments, derive
from .._tokens import component_type
from ..cluster.component import managed_policy_arn
from ..cluster.planning import partition_for
from ..codes import Code
from ..domain._base import SECRET_PLACEHOLDER
from ..errors import Problem, Reason
from . import ca, policies

__all__ = ["NODE_IDENTITY", "IamRolesAnywhere", "NodeIdentity", "NodeIdentityArgs", "SsmActivation"]

NODE_IDENTITY = "eks-hybrid:identity:NodeIdentity"


class IamRolesAnywhere(TypedDict, total=False):
    """IAM Roles Anywhere: a trust anchor over exactly one CA (generated, given as PEM, or an ACM Private CA),
    a profile listing the role, and the role trusted by Roles Anywhere for that anchor only."""

    generate_certificate_authority: bool
    """Generate the CA here (pulumi-tls: an RSA 4096 key, encrypted in the state, and a self-signed
    certificate); its key is the `root_ca_private_key` output."""
    certificate_authority_validity_days: pulumi.Input[int]
    """A generated CA's validity (default 3650 days)."""
    certificate_authority_pem: pulumi.Input[str]
    """Your own CA's certificate bundle, PEM (secret)."""
    certificate_authority_private_key: pulumi.Input[str]
    """That CA's private key, one unencrypted PEM key (secret): Palette issues the edge hosts' certificates
    from it."""
    acm_pca_arn: pulumi.Input[str]
    """An ACM Private CA's ARN (not with Palette: its key never leaves ACM)."""
    session_duration_seconds: pulumi.Input[int]
    """The profile's session duration (default 3600; the role's maximum is an hour more, at most 12 h)."""


class SsmActivation(TypedDict, total=False):
    """SSM hybrid activations: one activation that registers the nodes as managed instances."""

    registration_limit: pulumi.Input[int]
    """How many nodes the activation may register (default 100)."""
    expiration_days: pulumi.Input[int]
    """How long the activation lasts, 1 to 30 days (default 7), counted from `start_time`. A new value
    replaces the activation (a new code) from the same start; `pulumi up --replace` on the
    `<name>-activation-expiry` offset renews it from now."""
    start_time: pulumi.Input[str]
    """The RFC 3339 moment the activation's lifetime counts from (default: when `pulumi up` first creates
    it, kept in the stack's state by a `time:index/offset:Offset`, so a plan never depends on the clock)."""


class NodeIdentityArgs(TypedDict):
    """The arguments of `NodeIdentity`: the cluster, and exactly one of `iam_roles_anywhere` and `ssm`."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster the nodes join (`HybridCluster.cluster_name`)."""
    cluster_arn: pulumi.Input[str]
    """Its ARN (`HybridCluster.cluster_arn`): the node role may describe only this cluster."""
    region: pulumi.Input[str]
    """The cluster's region (the SSM activation must be in it)."""
    iam_roles_anywhere: NotRequired[IamRolesAnywhere]
    """Credentials from IAM Roles Anywhere (X.509 certificates)."""
    ssm: NotRequired[SsmActivation]
    """Credentials from SSM hybrid activations."""
    enable_credentials_file: NotRequired[pulumi.Input[bool]]
    """The nodes write a credentials file for the EKS Pod Identity agent (nodeadm's
    `hybrid.enableCredentialsFile`): the role may then also `eks-auth:AssumeRoleForPodIdentity` on this
    cluster (default false)."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for every resource that takes them."""


class NodeIdentity(pulumi.ComponentResource):
    """The hybrid node IAM role and its policies, with either a Roles Anywhere trust anchor and profile or an
    SSM hybrid activation. Outputs that do not apply to the chosen provider resolve to nothing."""

    role_arn: pulumi.Output[str]
    """The hybrid node role's ARN: what the cluster's HYBRID_LINUX access entry names."""
    role_name: pulumi.Output[str]
    """The hybrid node role's name."""
    trust_anchor_arn: pulumi.Output[str | None]
    """IAM Roles Anywhere: the trust anchor's ARN."""
    profile_arn: pulumi.Output[str | None]
    """IAM Roles Anywhere: the profile's ARN."""
    root_ca_certificate: pulumi.Output[str | None]
    """IAM Roles Anywhere: the trust anchor's CA certificate (PEM), generated or given; none with an ACM
    Private CA."""
    root_ca_private_key: pulumi.Output[str | None]
    """IAM Roles Anywhere: that CA's private key (PEM, secret), what Palette needs to issue the edge hosts'
    certificates; none with an ACM Private CA."""
    activation_id: pulumi.Output[str | None]
    """SSM: the hybrid activation's id."""
    activation_code: pulumi.Output[str | None]
    """SSM: the hybrid activation's code (secret)."""

    def __init__(self, name: str, args: NodeIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(component_type(NODE_IDENTITY), name, None, opts)
        arguments = Arguments("NodeIdentity", name)
        ira, ssm = args.get("iam_roles_anywhere"), args.get("ssm")
        if (ira is None) == (ssm is None):
            arguments.problem(
                "iam_roles_anywhere", "give exactly one of iam_roles_anywhere and ssm", Code.ONE_OF_REQUIRED
            )
        provider: policies.Provider = "iamRolesAnywhere" if ira is not None else "ssm"
        checked = _checked_ira(arguments, ira) if ira is not None else None
        duration = arguments.check(
            "iam_roles_anywhere.session_duration_seconds",
            (ira or {}).get("session_duration_seconds", 3600),
            _session_duration,
        )
        if ssm is not None:
            checked_ssm = SsmActivation(
                registration_limit=arguments.check(
                    "ssm.registration_limit", ssm.get("registration_limit", 100), _within(1, 1000)
                ),
                expiration_days=arguments.check(
                    "ssm.expiration_days", ssm.get("expiration_days", 7), _within(1, 30)
                ),
            )
            if "start_time" in ssm:
                checked_ssm["start_time"] = ssm["start_time"]
            ssm = checked_ssm
        arguments.raise_problems()

        #: "iamRolesAnywhere" or "ssm" (Python only).
        self.provider: policies.Provider = provider
        region = args["region"]
        tags = args.get("tags") or {}
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        none: pulumi.Output[None] = pulumi.Output.from_input(None)
        self.trust_anchor_arn = self.profile_arn = self.root_ca_certificate = self.root_ca_private_key = none
        self.activation_id = self.activation_code = none

        anchor: aws.rolesanywhere.TrustAnchor | None = None
        if checked is not None:
            anchor = self._trust_anchor(name, checked, tags)
            assume_role_policy = anchor.arn.apply(
                lambda arn: json.dumps(policies.iam_roles_anywhere_trust_policy(arn))
            )
            max_session: pulumi.Input[int] | None = derive(duration, policies.role_max_session_seconds)
        else:
            assume_role_policy = pulumi.Output.all(region, account_id).apply(
                lambda values: json.dumps(
                    policies.ssm_trust_policy(partition_for(str(values[0])), str(values[0]), str(values[1]))
                )
            )
            max_session = None

        #: The hybrid node role (Python only).
        self.role: aws.iam.Role = aws.iam.Role(
            f"{name}-role",
            description=f"EKS hybrid nodes ({provider})",
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
            policy=pulumi.Output.all(
                args["cluster_arn"], account_id, region, args.get("enable_credentials_file", False)
            ).apply(
                lambda values: json.dumps(
                    policies.node_policy(
                        provider,
                        str(values[0]),
                        partition=partition_for(str(values[2])),
                        region=str(values[2]),
                        account_id=str(values[1]),
                        pod_identity=bool(values[3]),
                    )
                )
            ),
            opts=child,
        )
        attachments: list[pulumi.Resource] = [inline]
        for policy in policies.managed_policies(provider):
            attachments.append(
                aws.iam.RolePolicyAttachment(
                    f"{name}-{policy}",
                    role=self.role.name,
                    policy_arn=managed_policy_arn(region, policy),
                    opts=child,
                )
            )

        outputs: dict[str, pulumi.Input[str | None]] = {"roleArn": self.role.arn}
        if anchor is not None:
            profile = aws.rolesanywhere.Profile(
                f"{name}-profile",
                name=f"{name}-hybrid-nodes",
                enabled=True,
                role_arns=[self.role.arn],
                # nodeadm passes --role-session-name <nodeName>; the trust policy pins it to the CN.
                accept_role_session_name=True,
                duration_seconds=duration,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
            )
            self.trust_anchor_arn = anchor.arn
            self.profile_arn = profile.arn
            outputs |= {"trustAnchorArn": anchor.arn, "profileArn": profile.arn}
            if checked is not None and checked.get("acm_pca_arn") is None:
                outputs["rootCaCertificate"] = self.root_ca_certificate
        else:
            activation = self._activation(name, ssm or SsmActivation(), args, tags, attachments)
            self.activation_id = activation.id
            self.activation_code = pulumi.Output.secret(activation.activation_code)
            outputs |= {"activationId": activation.id, "activationCode": self.activation_code}
        self.register_outputs(outputs)

    def _trust_anchor(
        self, name: str, ira: IamRolesAnywhere, tags: pulumi.Input[Mapping[str, pulumi.Input[str]]]
    ) -> aws.rolesanywhere.TrustAnchor:
        acm = ira.get("acm_pca_arn")
        if acm is not None:
            source_type = "AWS_ACM_PCA"
            source_data = aws.rolesanywhere.TrustAnchorSourceSourceDataArgs(acm_pca_arn=acm)
        else:
            source_type = "CERTIFICATE_BUNDLE"
            certificate = self._certificate_authority(name, ira)
            source_data = aws.rolesanywhere.TrustAnchorSourceSourceDataArgs(x509_certificate_data=certificate)
        return aws.rolesanywhere.TrustAnchor(
            f"{name}-trust-anchor",
            name=f"{name}-hybrid-nodes",
            enabled=True,
            source=aws.rolesanywhere.TrustAnchorSourceArgs(source_type=source_type, source_data=source_data),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _certificate_authority(self, name: str, ira: IamRolesAnywhere) -> pulumi.Output[str]:
        """The trust anchor's CA: generated with pulumi-tls, or the PEM given. Sets `root_ca_certificate`
        and, when there is one, `root_ca_private_key` (secret)."""
        if ira.get("generate_certificate_authority"):
            days = ira.get("certificate_authority_validity_days", 3650)
            spec = ca.generated_ca(name, days if isinstance(days, int) else 0)
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
                validity_period_hours=derive(days, lambda d: ca.generated_ca(name, int(d)).validity_hours),
                set_subject_key_id=True,
                subject=tls.SelfSignedCertSubjectArgs(
                    common_name=spec.common_name, organization=spec.organization
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.root_ca_certificate = cert.cert_pem
            self.root_ca_private_key = pulumi.Output.secret(key.private_key_pem)
            return cert.cert_pem
        pem = pulumi.Output.secret(ira.get("certificate_authority_pem", ""))
        self.root_ca_certificate = pem
        private_key = ira.get("certificate_authority_private_key")
        if private_key is not None:
            self.root_ca_private_key = pulumi.Output.secret(private_key)
        return pem

    def _activation(
        self,
        name: str,
        ssm: SsmActivation,
        args: NodeIdentityArgs,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]],
        attachments: list[pulumi.Resource],
    ) -> aws.ssm.Activation:
        days = ssm.get("expiration_days", 7)
        expiry = time.Offset(
            f"{name}-activation-expiry",
            # terraform-provider-time `time_offset` (internal/provider/resource_time_offset.go): the base
            # defaults to the time of creation and is kept in state; a new `offsetDays` moves the expiry
            # from that same base. Renew with `pulumi up --replace <this offset's URN>`.
            offset_days=derive(days, lambda d: policies.activation_days(int(d))),
            base_rfc3339=ssm.get("start_time"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.ssm.Activation(
            f"{name}-activation",
            name=f"{name}-hybrid-nodes",
            description="EKS hybrid nodes",
            iam_role=self.role.name,
            registration_limit=ssm.get("registration_limit", 100),
            # Known at apply time only: plans show "(known after apply)", so they depend on config alone.
            expiration_date=expiry.rfc3339,
            # In the cluster's region, or nodes fail with InvalidActivation.
            region=args["region"],
            tags=pulumi.Output.all(pulumi.Output.from_input(tags), args["cluster_arn"]).apply(
                lambda values: {**values[0], policies.ACTIVATION_TAG: values[1]}
            ),
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


def _checked_ira(arguments: Arguments, ira: IamRolesAnywhere) -> IamRolesAnywhere:
    """`ira` with its CA arguments checked: exactly one source, a key only with a PEM, PEM shapes."""
    path = "iam_roles_anywhere"
    sources = [
        key
        for key in ("certificate_authority_pem", "generate_certificate_authority", "acm_pca_arn")
        if ira.get(key) not in (None, False)
    ]
    if len(sources) != 1:
        arguments.problem(
            path,
            "the trust anchor needs exactly one CA source: certificate_authority_pem,"
            f" generate_certificate_authority or acm_pca_arn (got {' and '.join(sources) or 'none'})",
            Code.CA_SOURCE_COUNT,
        )
    generate = arguments.plain(
        f"{path}.generate_certificate_authority", ira.get("generate_certificate_authority")
    )
    if (
        ira.get("certificate_authority_private_key") is not None
        and ira.get("certificate_authority_pem") is None
    ):
        arguments.problem(
            f"{path}.certificate_authority_private_key",
            "is the private key of certificate_authority_pem: give it only together with that certificate",
            Code.CA_KEY_WITHOUT_CERTIFICATE,
        )
    checked = IamRolesAnywhere(**ira)
    if generate:
        checked["certificate_authority_validity_days"] = arguments.check(
            f"{path}.certificate_authority_validity_days",
            ira.get("certificate_authority_validity_days", 3650),
            _validity_days,
        )
    for key, rule in (
        ("certificate_authority_pem", _bundle_rule),
        ("certificate_authority_private_key", _key_rule),
    ):
        value = ira.get(key)
        if value is not None:
            checked[key] = arguments.check(f"{path}.{key}", value, rule)  # type: ignore[literal-required]
    return checked


def _first_rule(problems: list[Problem]) -> Reason | None:
    return next((Reason(problem.code, problem.rule) for problem in problems), None)


def _bundle_rule(pem: str) -> Reason | None:
    return _first_rule(policies.certificate_bundle_problems(pem, "", "", SECRET_PLACEHOLDER))


def _key_rule(pem: str) -> Reason | None:
    return _first_rule(ca.private_key_problems(pem, "", "", SECRET_PLACEHOLDER))


def _within(low: int, high: int) -> Callable[[int], Reason | None]:
    def rule(value: int) -> Reason | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return Reason(Code.OUT_OF_RANGE, f"{value!r} is not a whole number from {low} to {high}")
        return None

    return rule


def _session_duration(seconds: int) -> Reason | None:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 900 <= seconds <= 43200:
        return Reason(
            Code.OUT_OF_RANGE,
            f"{seconds!r} is not a session duration Roles Anywhere takes (900 to 43200 seconds)",
        )
    return None


def _validity_days(days: int) -> Reason | None:
    if isinstance(days, bool) or not isinstance(days, int) or not 30 <= days <= 36500:
        return Reason(Code.OUT_OF_RANGE, f"{days!r} is not a validity between 30 and 36500 days")
    return None
