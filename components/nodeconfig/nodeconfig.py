"""nodeadm's `NodeConfig` (`node.eks.aws/v1alpha1`) for one edge host, from the hub's outputs: pure.

The rules are nodeadm's own (aws/eks-hybrid `internal/node/hybrid/validator.go`), checked here so a bad
document fails at plan time instead of at `nodeadm init` on a host in a rack somewhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from ..codes import Code
from ..domain.hub_outputs import HubOutput
from ..errors import PlanError, Problem

API_VERSION = "node.eks.aws/v1alpha1"
KIND = "NodeConfig"
DEFAULT_CERTIFICATE_PATH = "/etc/iam/pki/server.pem"
DEFAULT_PRIVATE_KEY_PATH = "/etc/iam/pki/server.key"
MAX_NODE_NAME = 64

_ACTIVATION_CODE = re.compile(r"^.{20,250}$")
_ACTIVATION_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ARN = {
    "trustAnchorArn": re.compile(r"^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor/.+$"),
    "profileArn": re.compile(r"^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:\d{12}:profile/.+$"),
    "roleArn": re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"),
}
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


@dataclass(frozen=True)
class SsmCredentials:
    """From the hub's `ssmActivationId` and `ssmActivationCode` exports."""

    activation_id: str
    activation_code: str


@dataclass(frozen=True)
class IamRolesAnywhereCredentials:
    """From the hub's `trustAnchorArn`, `profileArn` and `hybridNodeRoleArn` exports, and the host's
    certificate: `node_name` must equal the certificate's CN (the role's trust policy pins the session name
    to it) and becomes the Kubernetes node name."""

    node_name: str
    trust_anchor_arn: str
    profile_arn: str
    role_arn: str
    certificate_path: str = DEFAULT_CERTIFICATE_PATH
    private_key_path: str = DEFAULT_PRIVATE_KEY_PATH


Credentials = SsmCredentials | IamRolesAnywhereCredentials


@dataclass(frozen=True)
class ClusterDetails:
    """Optional: with all three, nodeadm skips DescribeCluster on init."""

    api_server_endpoint: str
    certificate_authority: str  # base64, as EKS returns it
    service_cidr: str


def node_config_problems(
    cluster_name: str, region: str, credentials: Credentials, kubelet_flags: Sequence[str], source: str
) -> list[Problem]:
    """Every rule of nodeadm's validator the document would break."""
    problems: list[Problem] = []

    def bad(path: str, rule: str, code: Code) -> None:
        problems.append(Problem(source, path, rule, code))

    if not cluster_name:
        bad("spec.cluster.name", "is required", Code.VALUE_REQUIRED)
    if not _REGION.match(region):
        bad("spec.cluster.region", f"{region!r} is not an AWS region (like us-west-2)", Code.INVALID_REGION)
    if isinstance(credentials, SsmCredentials):
        if not _ACTIVATION_CODE.match(credentials.activation_code):
            bad(
                "spec.hybrid.ssm.activationCode",
                "must be 20 to 250 characters (the SSM activation's code)",
                Code.INVALID_ACTIVATION_CODE,
            )
        if not _ACTIVATION_ID.match(credentials.activation_id):
            bad(
                "spec.hybrid.ssm.activationId",
                f"{credentials.activation_id!r} is not an SSM activation id (a lowercase UUID)",
                Code.INVALID_ACTIVATION_ID,
            )
    else:
        name = credentials.node_name
        if not name:
            bad(
                "spec.hybrid.iamRolesAnywhere.nodeName",
                "is required: the certificate's CN",
                Code.VALUE_REQUIRED,
            )
        elif len(name) > MAX_NODE_NAME:
            bad(
                "spec.hybrid.iamRolesAnywhere.nodeName",
                f"{name!r} is {len(name)} characters: at most {MAX_NODE_NAME} (a role session name limit),"
                " so the certificate's CN must be that short too",
                Code.NODE_NAME_TOO_LONG,
            )
        for key, pattern in _ARN.items():
            value = getattr(credentials, _snake(key))
            if not pattern.match(value):
                bad(
                    f"spec.hybrid.iamRolesAnywhere.{key}",
                    f"{value!r} is not a {key[:-3]} ARN",
                    Code.INVALID_ARN,
                )
        for key in ("certificatePath", "privateKeyPath"):
            value = getattr(credentials, _snake(key))
            if not value.startswith("/"):
                bad(
                    f"spec.hybrid.iamRolesAnywhere.{key}",
                    f"{value!r} must be an absolute path",
                    Code.NOT_AN_ABSOLUTE_PATH,
                )
    for index, flag in enumerate(kubelet_flags):
        if flag.startswith("--hostname-override"):
            bad(
                f"spec.kubelet.flags[{index}]",
                "--hostname-override is rejected for hybrid nodes: the node name comes from the credentials",
                Code.HOSTNAME_OVERRIDE,
            )
    return problems


def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def node_config(
    cluster_name: str,
    region: str,
    credentials: Credentials,
    *,
    cluster: ClusterDetails | None = None,
    kubelet_flags: Sequence[str] = (),
    node_labels: Mapping[str, str] | None = None,
    enable_credentials_file: bool = False,
    source: str = "NodeConfig",
) -> dict[str, Any]:
    """The NodeConfig document for one host. Raises `PlanError` listing every broken rule at once.

    `node_labels` become a `--node-labels` kubelet flag (sorted, so the document is stable);
    `enable_credentials_file` is what EKS Pod Identity on hybrid nodes needs.
    """
    flags = list(kubelet_flags)
    if node_labels:
        flags.append("--node-labels=" + ",".join(f"{k}={v}" for k, v in sorted(node_labels.items())))
    problems = node_config_problems(cluster_name, region, credentials, flags, source)
    if problems:
        raise PlanError(problems)

    cluster_spec: dict[str, Any] = {"name": cluster_name, "region": region}
    if cluster is not None:
        cluster_spec |= {
            "apiServerEndpoint": cluster.api_server_endpoint,
            "certificateAuthority": cluster.certificate_authority,
            "cidr": cluster.service_cidr,
        }
    hybrid: dict[str, Any]
    if isinstance(credentials, SsmCredentials):
        hybrid = {
            "ssm": {
                "activationCode": credentials.activation_code,
                "activationId": credentials.activation_id,
            }
        }
    else:
        hybrid = {
            "iamRolesAnywhere": {
                "nodeName": credentials.node_name,
                "trustAnchorArn": credentials.trust_anchor_arn,
                "profileArn": credentials.profile_arn,
                "roleArn": credentials.role_arn,
                "certificatePath": credentials.certificate_path,
                "privateKeyPath": credentials.private_key_path,
            }
        }
    if enable_credentials_file:
        hybrid["enableCredentialsFile"] = True
    spec: dict[str, Any] = {"cluster": cluster_spec, "hybrid": hybrid}
    if flags:
        spec["kubelet"] = {"flags": flags}
    return {"apiVersion": API_VERSION, "kind": KIND, "spec": spec}


def node_config_yaml(document: Mapping[str, Any]) -> str:
    """The document as the file `nodeadm init -c file://nodeConfig.yaml` reads."""
    return yaml.safe_dump(dict(document), sort_keys=False, default_flow_style=False)


def credentials_from_exports(
    exports: Mapping[str, Any],
    *,
    node_name: str | None = None,
    certificate_path: str = DEFAULT_CERTIFICATE_PATH,
    private_key_path: str = DEFAULT_PRIVATE_KEY_PATH,
) -> Credentials:
    """Credentials from the hub's resolved exports (`credentialsProvider` says which kind)."""
    provider = exports.get(HubOutput.CREDENTIALS_PROVIDER)
    if provider == "ssm":
        return SsmCredentials(
            activation_id=str(exports[HubOutput.SSM_ACTIVATION_ID]),
            activation_code=str(exports[HubOutput.SSM_ACTIVATION_CODE]),
        )
    if provider == "iamRolesAnywhere":
        if node_name is None:
            raise ValueError("IAM Roles Anywhere needs the host's node name (its certificate's CN)")
        return IamRolesAnywhereCredentials(
            node_name=node_name,
            trust_anchor_arn=str(exports[HubOutput.TRUST_ANCHOR_ARN]),
            profile_arn=str(exports[HubOutput.PROFILE_ARN]),
            role_arn=str(exports[HubOutput.HYBRID_NODE_ROLE_ARN]),
            certificate_path=certificate_path,
            private_key_path=private_key_path,
        )
    raise ValueError(f"unknown credentialsProvider {provider!r}: expected ssm or iamRolesAnywhere")


def node_config_from_exports(
    exports: Mapping[str, Any],
    *,
    node_name: str | None = None,
    certificate_path: str = DEFAULT_CERTIFICATE_PATH,
    private_key_path: str = DEFAULT_PRIVATE_KEY_PATH,
    kubelet_flags: Sequence[str] = (),
    node_labels: Mapping[str, str] | None = None,
    source: str = "NodeConfig",
) -> dict[str, Any]:
    """A host's NodeConfig from the hub's resolved exports alone: cluster, region, credentials, and
    `enableCredentialsFile` exactly when the hub granted the node role `eks-auth:AssumeRoleForPodIdentity`
    (`eks-hybrid:credentials.enableCredentialsFile`), so the two can never disagree."""
    credentials = credentials_from_exports(
        exports, node_name=node_name, certificate_path=certificate_path, private_key_path=private_key_path
    )
    return node_config(
        str(exports[HubOutput.CLUSTER_NAME]),
        str(exports[HubOutput.REGION]),
        credentials,
        kubelet_flags=kubelet_flags,
        node_labels=node_labels,
        enable_credentials_file=bool(exports.get(HubOutput.ENABLE_CREDENTIALS_FILE, False)),
        source=source,
    )
