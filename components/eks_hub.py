"""The EKS side of a hub: cluster, node identity, access entry, cloud nodes, Cilium and hybrid-config.

The hub composition calls `declare_eks_side(name, hub)` and merges `EksSide.exports()` with the network's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from .cluster import HybridCluster, HybridClusterArgs, hybrid_node_access_entry
from .cluster.component import cluster_problems, stack_file
from .cni import (
    Cilium,
    CiliumArgs,
    CiliumSitePools,
    CiliumSitePoolsArgs,
    HybridConfig,
    HybridConfigArgs,
    site_pod_pools,
)
from .config.hub import HubConfig
from .errors import PlanError, Problem
from .identity import NodeIdentity, NodeIdentityArgs
from .identity.component import identity_problems

__all__ = ["EKS_EXPORTS", "EksSide", "check_eks_side", "declare_eks_side", "eks_side_problems"]

# Every name `EksSide.exports()` may return; identity exports depend on the credentials provider.
EKS_EXPORTS = (
    "clusterName",
    "clusterArn",
    "clusterEndpoint",
    "clusterCertificateAuthority",
    "clusterSecurityGroupId",
    "hybridNodeRoleArn",
    "credentialsProvider",
    "enableCredentialsFile",
    "ciliumIpamMode",
    "trustAnchorArn",
    "profileArn",
    "rootCaCertificate",
    "rootCaPrivateKey",
    "ssmActivationId",
    "ssmActivationCode",
)


@dataclass
class EksSide:
    """What the EKS side declared, for the composition and for its exports."""

    credentials_provider: str
    enable_credentials_file: bool
    cilium_ipam: str
    cluster: HybridCluster
    identity: NodeIdentity
    cilium: Cilium
    site_pools: CiliumSitePools | None
    hybrid_config: HybridConfig
    k8s_provider: k8s.Provider
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    trust_anchor_arn: pulumi.Output[str] | None
    profile_arn: pulumi.Output[str] | None
    activation_id: pulumi.Output[str] | None
    activation_code: pulumi.Output[str] | None
    root_ca_certificate: pulumi.Output[str] | None = None
    root_ca_private_key: pulumi.Output[str] | None = None
    generated_ca: bool = False

    def exports(self) -> dict[str, pulumi.Input]:
        """Stack exports, camelCase. The SSM activation code is a secret."""
        out: dict[str, pulumi.Input] = {
            "clusterName": self.cluster_name,
            "clusterArn": self.cluster_arn,
            "clusterEndpoint": self.cluster.endpoint,
            "clusterCertificateAuthority": self.cluster.certificate_authority,
            "clusterSecurityGroupId": self.cluster.cluster_security_group_id,
            "hybridNodeRoleArn": self.role_arn,
            "credentialsProvider": self.credentials_provider,
            # What each host's NodeConfig sets as hybrid.enableCredentialsFile (node_config_from_exports).
            "enableCredentialsFile": self.enable_credentials_file,
            # Sites check cluster-pool's BGP requirement against it.
            "ciliumIpamMode": self.cilium_ipam,
        }
        if self.trust_anchor_arn is not None and self.profile_arn is not None:
            out |= {"trustAnchorArn": self.trust_anchor_arn, "profileArn": self.profile_arn}
        if self.root_ca_certificate is not None:
            out["rootCaCertificate"] = self.root_ca_certificate
        if self.generated_ca and self.root_ca_private_key is not None:
            # Only a CA generated here: the user has no other copy of its key (to sign node certificates
            # without Palette). A supplied key is already the user's.
            out["rootCaPrivateKey"] = pulumi.Output.secret(self.root_ca_private_key)
        if self.activation_id is not None and self.activation_code is not None:
            code: pulumi.Output[str] = pulumi.Output.secret(self.activation_code)
            out |= {"ssmActivationId": self.activation_id, "ssmActivationCode": code}
        return out


def eks_side_problems(hub: HubConfig, file: str | None = None) -> list[Problem]:
    """Every reason the EKS side cannot be planned, found without declaring anything. In `mode: existing`
    this reads the cluster (an `aws.eks.get_cluster` invoke)."""
    file = file or stack_file()
    return cluster_problems(HybridClusterArgs.from_config(hub), file) + identity_problems(
        hub.credentials, file
    )


def check_eks_side(hub: HubConfig, file: str | None = None) -> None:
    """Raise `PlanError` with every problem of `eks_side_problems`. Call it before declaring any resource of
    the hub (network included), so that a plan that cannot succeed creates nothing."""
    problems = eks_side_problems(hub, file)
    if problems:
        raise PlanError(problems)


def declare_eks_side(name: str, hub: HubConfig, opts: pulumi.ResourceOptions | None = None) -> EksSide:
    """Declare everything hybrid nodes need on the EKS side of the hub `hub`.

    Order: the cluster (created, or adopted and checked), the node identity scoped to its ARN, the
    HYBRID_LINUX access entry for the identity's role, then Cilium and `kube-system/hybrid-config` through
    the cluster's Kubernetes provider. Raises `PlanError` before declaring anything if the config cannot
    be planned (an adopted cluster that does not fit, a node group too small, a malformed CA bundle).
    """
    check_eks_side(hub)
    cluster = HybridCluster(name, HybridClusterArgs.from_config(hub), opts)
    identity = NodeIdentity(
        f"{name}-node-identity",
        NodeIdentityArgs.from_config(hub, cluster.cluster_name, cluster.cluster_arn),
        opts,
    )
    hybrid_node_access_entry(name, cluster, identity.role_arn, hub.tags)
    ipam = hub.cilium_ipam
    cilium = Cilium(
        f"{name}-cilium",
        CiliumArgs(
            config=hub.cilium,
            # cluster-pool: the sites' pod CIDRs in the inventory's order, so a site added at the end only
            # appends to clusterPoolIPv4PodCIDRList (Cilium forbids changing existing elements).
            pod_cidrs=list(dict.fromkeys(entry.pod_cidr for entry in hub.sites.values())),
            k8s_provider=cluster.k8s_provider,
            ipam=ipam,
            # multi-pool runs the operator on the cloud node group (it registers the CRDs of the pools).
            depends_on=[cluster.node_group] if ipam == "multiPool" else [],
        ),
        opts,
    )
    site_pools = None
    if ipam == "multiPool":
        site_pools = CiliumSitePools(
            f"{name}-cilium-pools",
            CiliumSitePoolsArgs(
                pools=site_pod_pools(hub.sites, hub.cilium.pod_cidr_mask_size),
                k8s_provider=cluster.k8s_provider,
                release=cilium.release,
            ),
            opts,
        )
    hybrid_config = HybridConfig(
        f"{name}-hybrid-config",
        HybridConfigArgs(
            service_cidr=hub.cluster.service_cidr,
            vpc_cidr=hub.cluster.vpc_cidr,
            k8s_provider=cluster.k8s_provider,
        ),
        opts,
    )
    return EksSide(
        credentials_provider=hub.credentials.provider,
        enable_credentials_file=hub.credentials.enable_credentials_file,
        cilium_ipam=ipam,
        cluster=cluster,
        identity=identity,
        cilium=cilium,
        site_pools=site_pools,
        hybrid_config=hybrid_config,
        k8s_provider=cluster.k8s_provider,
        cluster_name=cluster.cluster_name,
        cluster_arn=cluster.cluster_arn,
        role_arn=identity.role_arn,
        trust_anchor_arn=identity.trust_anchor_arn,
        profile_arn=identity.profile_arn,
        activation_id=identity.activation_id,
        activation_code=identity.activation_code,
        root_ca_certificate=identity.root_ca_certificate,
        root_ca_private_key=identity.root_ca_private_key,
        generated_ca=bool(
            hub.credentials.iam_roles_anywhere
            and hub.credentials.iam_roles_anywhere.generate_certificate_authority
        ),
    )
