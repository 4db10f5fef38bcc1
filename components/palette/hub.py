"""`PaletteHub`: import the EKS cluster into Palette, wait for health, enable hybrid mode, add a profile.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi_kubernetes as k8s

from .._inputs import Arguments, derive
from .._tokens import component_type
from ..codes import Code
from ..domain.palette import DEFAULT_PROFILE_VERSION, published_versions
from ..errors import ArgumentsError, Problem
from ..identity import NodeIdentity
from ._credentials import DEFAULT_ENDPOINT
from ._resources import ClusterImport, ClusterReadiness, HybridProfile, HybridSettings
from ._wire import camel_keys, palette_settings

__all__ = [
    "HUB_TYPE",
    "PaletteHub",
    "PaletteHubArgs",
    "PaletteIamRolesAnywhere",
    "PaletteProfile",
    "PaletteProfileCni",
    "PaletteProfileKubernetes",
    "PaletteProfileOs",
    "PaletteSsmActivation",
    "iam_roles_anywhere_of",
    "ssm_activation_of",
]

HUB_TYPE = "eks-hybrid:palette:PaletteHub"


class PaletteProfileOs(TypedDict):
    """The OS layer: the EdgeForge provider image hybrid hosts boot (BYOI)."""

    provider_image: pulumi.Input[str]
    """The provider image (registry/repository:tag) built with EdgeForge for nodeadm."""
    pack: NotRequired[pulumi.Input[str]]
    """The OS pack (default edge-native-byoi)."""
    tag: NotRequired[pulumi.Input[str]]
    """The pack's version (default 2.1.0)."""
    registry_name: NotRequired[pulumi.Input[str]]
    """The pack registry by name (default: Spectro Cloud's public registry)."""
    registry_uid: NotRequired[pulumi.Input[str]]
    """The pack registry by uid (instead of by name)."""
    values: NotRequired[pulumi.Input[Mapping[str, Any]]]
    """Values merged over the pack's own defaults."""


class PaletteProfileKubernetes(TypedDict):
    """The Kubernetes layer: nodeadm with the EKS-D version of the cluster."""

    version: pulumi.Input[str]
    """The Kubernetes version as the pack names it (major.minor.patch, as 1.35.0)."""
    pack: NotRequired[pulumi.Input[str]]
    """The Kubernetes pack (default edge-nodeadm)."""
    registry_name: NotRequired[pulumi.Input[str]]
    """The pack registry by name (default: Spectro Cloud's public registry)."""
    registry_uid: NotRequired[pulumi.Input[str]]
    """The pack registry by uid (instead of by name)."""
    values: NotRequired[pulumi.Input[Mapping[str, Any]]]
    """Values merged over the pack's own defaults."""


class PaletteProfileCni(TypedDict, total=False):
    """The CNI layer of hybrid pools: a placeholder (the cluster's CNI is Cilium on EKS)."""

    pack: pulumi.Input[str]
    """The CNI pack (default cni-custom)."""
    tag: pulumi.Input[str]
    """The pack's version (default 0.1.0)."""
    registry_name: pulumi.Input[str]
    """The pack registry by name (default: Spectro Cloud's public registry)."""
    registry_uid: pulumi.Input[str]
    """The pack registry by uid (instead of by name)."""
    values: pulumi.Input[Mapping[str, Any]]
    """Values merged over the pack's own defaults."""


class PaletteProfile(TypedDict):
    """The hybrid pools' cluster profile: immutable versions grouped by name (a new version is cloned, the
    old one kept while pools use it)."""

    os: PaletteProfileOs
    """The OS layer."""
    kubernetes: PaletteProfileKubernetes
    """The Kubernetes layer."""
    name: NotRequired[pulumi.Input[str]]
    """The profile's name (default eks-hybrid-nodes)."""
    version: NotRequired[pulumi.Input[str]]
    """The profile's version, major.minor.patch (default 1.0.0); bump it to change the layers."""
    cni: NotRequired[PaletteProfileCni]
    """The CNI layer."""


class PaletteIamRolesAnywhere(TypedDict):
    """How hybrid hosts get AWS credentials with IAM Roles Anywhere (from `NodeIdentity`)."""

    role_arn: pulumi.Input[str]
    """The hybrid node role (`NodeIdentity.role_arn`)."""
    trust_anchor_arn: pulumi.Input[str]
    """The trust anchor (`NodeIdentity.trust_anchor_arn`)."""
    profile_arn: pulumi.Input[str]
    """The Roles Anywhere profile (`NodeIdentity.profile_arn`)."""
    root_ca_certificate: pulumi.Input[str]
    """The trust anchor's CA certificate, PEM (`NodeIdentity.root_ca_certificate`)."""
    root_ca_private_key: pulumi.Input[str]
    """That CA's private key, PEM (secret; `NodeIdentity.root_ca_private_key`): Palette issues each edge
    host's certificate from it."""


class PaletteSsmActivation(TypedDict):
    """How hybrid hosts get AWS credentials with an SSM hybrid activation (from `NodeIdentity`)."""

    activation_id: pulumi.Input[str]
    """The activation's id (`NodeIdentity.activation_id`)."""
    activation_code: pulumi.Input[str]
    """The activation's code (secret; `NodeIdentity.activation_code`)."""


def iam_roles_anywhere_of(identity: NodeIdentity) -> PaletteIamRolesAnywhere:
    """`PaletteHubArgs.iam_roles_anywhere` from a `NodeIdentity` with IAM Roles Anywhere and a CA Palette can
    issue from (generated, or given with its key)."""
    return PaletteIamRolesAnywhere(
        role_arn=identity.role_arn,
        trust_anchor_arn=_present(identity.trust_anchor_arn, "trust_anchor_arn"),
        profile_arn=_present(identity.profile_arn, "profile_arn"),
        root_ca_certificate=_present(identity.root_ca_certificate, "root_ca_certificate"),
        root_ca_private_key=_present(identity.root_ca_private_key, "root_ca_private_key"),
    )


def ssm_activation_of(identity: NodeIdentity) -> PaletteSsmActivation:
    """`PaletteHubArgs.ssm` from a `NodeIdentity` with an SSM hybrid activation."""
    return PaletteSsmActivation(
        activation_id=_present(identity.activation_id, "activation_id"),
        activation_code=_present(identity.activation_code, "activation_code"),
    )


def _present(value: pulumi.Output[str | None], output: str) -> pulumi.Output[str]:
    def required(resolved: str | None) -> str:
        if resolved is None:
            rule = f"has no {output}: its credentials provider or CA source does not make one for Palette"
            raise ArgumentsError([Problem("NodeIdentity", output, rule, Code.IDENTITY_OUTPUT_MISSING)])
        return resolved

    return value.apply(required)


class PaletteHubArgs(TypedDict):
    """The arguments of `PaletteHub`. The import manifest is applied with the Kubernetes provider given in
    the options (`pulumi.ResourceOptions(providers=[k8s_provider])`)."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster to import (`HybridCluster.cluster_name`)."""
    vpc_cidr: pulumi.Input[str]
    """The VPC CIDR, for Palette's hybrid config."""
    node_cidrs: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The cluster's remote node networks (`HybridCluster.remote_node_cidrs`)."""
    pod_cidrs: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The cluster's remote pod networks (`HybridCluster.remote_pod_cidrs`)."""
    profile: PaletteProfile
    """The hybrid pools' cluster profile."""
    keep_profile_versions: NotRequired[Sequence[str]]
    """Older versions of the profile to keep published (site stacks may pin them), besides those kept
    while site pools use them; each must be one this hub published before."""
    project_uid: pulumi.Input[str]
    """The Palette project (24 hex characters)."""
    iam_roles_anywhere: NotRequired[PaletteIamRolesAnywhere]
    """Hybrid hosts' credentials from IAM Roles Anywhere (exactly one of this and `ssm`)."""
    ssm: NotRequired[PaletteSsmActivation]
    """Hybrid hosts' credentials from an SSM hybrid activation."""
    endpoint: NotRequired[pulumi.Input[str]]
    """Palette's API endpoint (default https://api.spectrocloud.com)."""
    api_key: NotRequired[pulumi.Input[str]]
    """A Palette API key (secret: kept a secret in the state and never logged). Without it, the Palette
    calls take the key from the PALETTE_API_KEY environment variable of `pulumi up`."""
    readiness_timeout_seconds: NotRequired[pulumi.Input[float]]
    """How long the imported cluster may take to become Running and Healthy (default 1800)."""
    readiness_poll_seconds: NotRequired[pulumi.Input[float]]
    """How often its state is read meanwhile (default 15)."""


class PaletteHub(pulumi.ComponentResource):
    """The EKS cluster in Palette, ready for hybrid node pools: the cluster import (`-import`), its manifest
    applied in the cluster (`-import-manifest`), a wait until Palette sees it Running and Healthy
    (`-ready`), hybrid mode with the VPC and remote networks and the hosts' credentials (`-hybrid`), and the
    hybrid pools' cluster profile (`-profile`)."""

    cluster_uid: pulumi.Output[str]
    """The imported cluster's uid in Palette."""
    cloud_config_uid: pulumi.Output[str]
    """Its AWS cloud config, where hybrid pools live (`PaletteNodePools.cloud_config_uid`)."""
    profile_uid: pulumi.Output[str]
    """The current version of the hybrid pools' profile (`PaletteNodePools.profile_uid`)."""
    profile_versions: pulumi.Output[dict[str, str]]
    """Every version of the profile the hub publishes, version to uid: the current one and those kept
    because site pools still use them (a site may pin one)."""
    endpoint: pulumi.Output[str]
    """The Palette endpoint used."""
    project_uid: pulumi.Output[str]
    """The Palette project used."""

    def __init__(self, name: str, args: PaletteHubArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(component_type(HUB_TYPE), name, None, opts)
        arguments = Arguments("PaletteHub", name)
        where = palette_settings(arguments, args.get("endpoint", DEFAULT_ENDPOINT), args["project_uid"])
        identity = _identity(arguments, args.get("iam_roles_anywhere"), args.get("ssm"))
        profile = args.get("profile")
        if not isinstance(profile, Mapping) or "os" not in profile or "kubernetes" not in profile:
            arguments.problem("profile", "needs its os and kubernetes layers", Code.VALUE_REQUIRED)
        arguments.raise_problems()
        secret_key = _api_key(args.get("api_key"))

        child = pulumi.ResourceOptions(parent=self)
        imported = ClusterImport(
            f"{name}-import", {**where, **secret_key, "clusterName": args["cluster_name"]}, child
        )
        # The Palette agent the import manifest installs is applied once (the provider keeps the manifest
        # fetched at create: a refresh does not re-fetch it) and is Palette's to remove: Spectro's docs
        # (clusters/imported-clusters/imported-clusters.md, "Delete Imported Cluster") say Palette's delete
        # "removes all Palette dependencies that were installed on the cluster during the import process",
        # which it does through that agent [I: no source says the delete works without it]. So the objects
        # are deleted with the import (`deleted_with`, which Pulumi applies to the ConfigGroup's children
        # too: pulumi/docs#18681), never before it; the Terraform provider never applies the manifest at all
        # (`resource_cluster_brownfield.go` exposes only its URL).
        manifest = k8s.yaml.v2.ConfigGroup(
            f"{name}-import-manifest",
            yaml=imported.importManifest,
            opts=pulumi.ResourceOptions(parent=self, deleted_with=imported),
        )
        ready = ClusterReadiness(
            f"{name}-ready",
            {
                **where,
                **secret_key,
                "clusterUid": imported.clusterUid,
                "timeoutSeconds": args.get("readiness_timeout_seconds", 1800.0),
                "pollSeconds": args.get("readiness_poll_seconds", 15.0),
            },
            pulumi.ResourceOptions(parent=self, depends_on=[manifest]),
        )
        HybridSettings(
            f"{name}-hybrid",
            {
                **where,
                **secret_key,
                "clusterUid": imported.clusterUid,
                "cloudConfigUid": imported.cloudConfigUid,
                "vpcCidr": args["vpc_cidr"],
                "nodeCidrs": derive(args["node_cidrs"], _distinct_sorted),
                "podCidrs": derive(args["pod_cidrs"], _distinct_sorted),
                "identity": identity,
            },
            pulumi.ResourceOptions(parent=self, depends_on=[ready]),
        )
        keep = (
            {"keepVersions": list(args["keep_profile_versions"])} if args.get("keep_profile_versions") else {}
        )
        hybrid_profile = HybridProfile(
            f"{name}-profile",
            {**where, **secret_key, "profile": camel_keys(profile, keep_none=True), **keep},
            child,
        )
        self.cluster_uid = imported.clusterUid
        self.cloud_config_uid = imported.cloudConfigUid
        self.profile_uid = hybrid_profile.profileUid
        self.profile_versions = pulumi.Output.all(
            pulumi.Output.from_input(cast(Any, profile)),
            hybrid_profile.profileUid,
            hybrid_profile.retainedVersions,
        ).apply(
            lambda v: published_versions(str(v[0].get("version") or DEFAULT_PROFILE_VERSION), str(v[1]), v[2])
        )
        self.endpoint = pulumi.Output.from_input(where["endpoint"])
        self.project_uid = pulumi.Output.from_input(where["projectUid"])
        self.register_outputs(
            {
                "clusterUid": self.cluster_uid,
                "cloudConfigUid": self.cloud_config_uid,
                "profileUid": self.profile_uid,
                "profileVersions": self.profile_versions,
                "endpoint": self.endpoint,
                "projectUid": self.project_uid,
            }
        )


def _distinct_sorted(cidrs: Sequence[str]) -> list[str]:
    return sorted(set(cidrs))


def _api_key(api_key: pulumi.Input[str] | None) -> dict[str, pulumi.Input[str]]:
    """The `apiKey` input of each Palette resource: a secret, or nothing (then the environment's)."""
    return {} if api_key is None else {"apiKey": pulumi.Output.secret(api_key)}


def _identity(
    arguments: Arguments, ira: PaletteIamRolesAnywhere | None, ssm: PaletteSsmActivation | None
) -> dict[str, pulumi.Input[str] | None]:
    """The `identity` input: the hosts' credentials, the CA key and the activation code as secrets."""
    if (ira is None) == (ssm is None):
        arguments.problem(
            "iam_roles_anywhere", "give exactly one of iam_roles_anywhere and ssm", Code.ONE_OF_REQUIRED
        )
        return {}
    if ssm is not None:
        return {
            "provider": "ssm",
            "activationId": ssm["activation_id"],
            "activationCode": pulumi.Output.secret(ssm["activation_code"]),
        }
    assert ira is not None
    return {
        "provider": "iamRolesAnywhere",
        "roleArn": ira["role_arn"],
        "trustAnchorArn": ira["trust_anchor_arn"],
        "profileArn": ira["profile_arn"],
        "rootCaCertificate": ira["root_ca_certificate"],
        "rootCaPrivateKey": pulumi.Output.secret(ira["root_ca_private_key"]),
    }
