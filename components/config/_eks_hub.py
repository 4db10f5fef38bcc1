"""The EKS side of a hub stack: cluster, node identity, access entry, cloud nodes, Cilium and hybrid-config.

The hub composition calls `declare_eks_side(name, hub)` and merges `EksSide.exports()` with the network's.
This is the config layer: it checks the stack (naming its keys), then builds each component's Args.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from ..cluster import HybridCluster, hybrid_node_access_entry
from ..cluster import planning as cluster_planning
from ..cluster.component import read_existing_cluster
from ..cni import Cilium, CiliumBgpPeering, CiliumSitePools, HybridConfig
from ..cni.crd_wait import CiliumCrdsEstablished
from ..cni.crds import bgp_crds, pool_crds
from ..cni.pod_routes_access import PodRoutesAccess, access_entry_command, declare_pod_routes_access
from ..cni.values import bgp_in_sites_note
from ..codes import Code
from ..domain._base import SECRET_PLACEHOLDER
from ..domain.cilium_upgrade import CiliumUpgrade, cilium_upgrade, deployed_cilium
from ..domain.hub_outputs import EKS_OUTPUTS, HubOutput
from ..domain.labels import POD_ROUTES_GROUP
from ..domain.versions import control_plane_change_problem
from ..errors import PlanError, Problem
from ..identity import NodeIdentity, ca, policies
from ._stack_args import (
    cilium_args,
    cilium_bgp_peering_args,
    cilium_site_pools_args,
    hybrid_cluster_args,
    hybrid_config_args,
    node_identity_args,
)
from .hub import CredentialsConfig, HubConfig
from .source import stack_file_label

__all__ = [
    "EKS_EXPORTS",
    "EksSide",
    "check_cilium_upgrade",
    "check_eks_side",
    "cilium_upgrade_problems",
    "cluster_problems",
    "control_plane_problems",
    "declare_eks_side",
    "eks_side_problems",
    "hub_cilium_upgrade",
    "identity_problems",
]

EKS_EXPORTS = EKS_OUTPUTS
"""Every name `EksSide.exports()` may return (`HubOutput`'s names, listed in `EKS_OUTPUTS`)."""


@dataclass
class EksSide:
    """What the EKS side declared, for the composition and for its exports."""

    credentials_provider: str
    enable_credentials_file: bool
    cilium_ipam: str
    cilium_routing_mode: str
    cilium_installed_version: str
    cluster: HybridCluster
    identity: NodeIdentity
    cilium: Cilium
    site_pools: CiliumSitePools | None
    bgp_peering: CiliumBgpPeering | None
    hybrid_config: HybridConfig
    pod_routes: PodRoutesAccess | None
    k8s_provider: k8s.Provider
    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    trust_anchor_arn: pulumi.Output[str | None]
    profile_arn: pulumi.Output[str | None]
    activation_id: pulumi.Output[str | None]
    activation_code: pulumi.Output[str | None]
    root_ca_certificate: pulumi.Output[str | None]
    root_ca_private_key: pulumi.Output[str | None]
    generated_ca: bool = False
    acm_pca: bool = False

    def exports(self) -> dict[str, pulumi.Input[object]]:
        """Stack exports, camelCase. The SSM activation code is a secret."""
        out: dict[str, pulumi.Input[object]] = {
            HubOutput.CLUSTER_NAME: self.cluster_name,
            HubOutput.CLUSTER_ARN: self.cluster_arn,
            HubOutput.CLUSTER_ENDPOINT: self.cluster.endpoint,
            HubOutput.CLUSTER_CERTIFICATE_AUTHORITY: self.cluster.certificate_authority,
            HubOutput.CLUSTER_SECURITY_GROUP_ID: self.cluster.cluster_security_group_id,
            HubOutput.DNS_SECURITY_GROUP_ID: self.cluster.dns_security_group_id,
            HubOutput.HYBRID_NODE_ROLE_ARN: self.role_arn,
            HubOutput.CREDENTIALS_PROVIDER: self.credentials_provider,
            # What each host's NodeConfig sets as hybrid.enableCredentialsFile (node_config_from_exports).
            HubOutput.ENABLE_CREDENTIALS_FILE: self.enable_credentials_file,
            # Sites check cluster-pool's BGP requirement against it.
            HubOutput.CILIUM_IPAM_MODE: self.cilium_ipam,
            # What the next update judges a Cilium upgrade against (`domain.cilium_upgrade`).
            HubOutput.CILIUM_ROUTING_MODE: self.cilium_routing_mode,
            HubOutput.CILIUM_INSTALLED_VERSION: self.cilium_installed_version,
        }
        if self.credentials_provider == "iamRolesAnywhere":
            out |= {
                HubOutput.TRUST_ANCHOR_ARN: self.trust_anchor_arn,
                HubOutput.PROFILE_ARN: self.profile_arn,
            }
            if not self.acm_pca:
                out[HubOutput.ROOT_CA_CERTIFICATE] = self.root_ca_certificate
            if self.generated_ca:
                # Only a CA generated here: the user has no other copy of its key (to sign node
                # certificates without Palette). A supplied key is already the user's.
                out[HubOutput.ROOT_CA_PRIVATE_KEY] = pulumi.Output.secret(cast(Any, self.root_ca_private_key))
        else:
            code: pulumi.Output[Any] = pulumi.Output.secret(cast(Any, self.activation_code))
            out |= {HubOutput.SSM_ACTIVATION_ID: self.activation_id, HubOutput.SSM_ACTIVATION_CODE: code}
        return out


def eks_side_problems(
    hub: HubConfig, file: str | None = None, previous: Mapping[str, Any] | None = None
) -> list[Problem]:
    """Every reason the EKS side cannot be planned, found without declaring anything, naming the stack
    file's keys. In `mode: existing` this reads the cluster (an `aws.eks.get_cluster` invoke). `previous`:
    the hub's outputs from its previous update (`composition.previous_outputs`; none: a first deploy)."""
    file = file or stack_file_label(pulumi.get_stack())
    upgrade = hub_cilium_upgrade(hub, previous or {})
    return (
        cluster_problems(hub, file)
        + identity_problems(hub.credentials, file)
        + cilium_upgrade_problems(upgrade, file)
    )


def hub_cilium_upgrade(hub: HubConfig, previous: Mapping[str, Any]) -> CiliumUpgrade:
    """The hub's Cilium after this update, judged against what its previous update deployed (`previous`,
    its earlier outputs; `{}` on a first deploy): `domain.cilium_upgrade.cilium_upgrade`."""
    return cilium_upgrade(
        chart_version=hub.cilium.chart_version,
        ipam=hub.cilium_ipam,
        routing_mode=hub.cilium.routing_mode,
        deployed=deployed_cilium(previous, hub.cilium_ipam),
    )


def cilium_upgrade_problems(upgrade: CiliumUpgrade, file: str) -> list[Problem]:
    """The upgrade's refusals, each on the `eks-hybrid:cilium` key it is about."""
    return [Problem.of(file, f"eks-hybrid:cilium.{field}", reason) for field, reason in upgrade.problems]


def check_cilium_upgrade(hub: HubConfig, file: str, previous: Mapping[str, Any]) -> None:
    """Raise `PlanError` with the refusals of `hub_cilium_upgrade` (judged against `previous`)."""
    problems = cilium_upgrade_problems(hub_cilium_upgrade(hub, previous), file)
    if problems:
        raise PlanError(problems)


def cluster_problems(hub: HubConfig, file: str) -> list[Problem]:
    """What `HybridCluster` would refuse, in the stack's terms (reads an adopted cluster)."""
    cluster = hub.cluster
    problems: list[Problem] = []
    instance_type = cluster_planning.instance_type_problem(cluster.node_group.instance_type)
    if instance_type:
        problems.append(Problem.of(file, "eks-hybrid:cluster.nodeGroup.instanceType", instance_type))
    endpoint = cluster_planning.public_endpoint_problem(cluster.endpoint_access, cluster.public_access_cidrs)
    if endpoint:
        problems.append(Problem.of(file, "eks-hybrid:cluster.publicAccessCidrs", endpoint))
    api = cluster.api_access
    api_access = cluster_planning.api_access_problem(
        cluster.endpoint_access, api.cidrs if api else None, api.security_group_ids if api else None
    )
    if api_access:
        problems.append(Problem.of(file, "eks-hybrid:cluster.apiAccess", api_access))
    if cluster.mode == "existing":
        existing = read_existing_cluster(cluster.name, hub.region)
        node_networks, pod_networks = hub.remote_networks_by_key()
        networks = cluster_planning.remote_networks(node_networks.values(), pod_networks.values())
        paths = {
            "name": "eks-hybrid:cluster.name",
            "sites": "eks-hybrid:sites",
            "service_cidr": "eks-hybrid:cluster.serviceCidr",
        }
        problems += [
            Problem.of(file, paths[what], reason)
            for what, reason in cluster_planning.existing_cluster_problems(
                existing.facts, networks, cluster.service_cidr
            )
        ]
    return problems


def control_plane_problems(hub: HubConfig, file: str, deployed: Mapping[str, Any]) -> list[Problem]:
    """The control plane's change from the version the hub last deployed (its `kubernetesVersion`
    output in `deployed`; none on a first deploy): one minor up at most, never down
    (`versions.control_plane_change_problem`). An adopted cluster is never updated by eks-hybrid."""
    if hub.cluster.mode == "existing":
        return []
    before = deployed.get(HubOutput.KUBERNETES_VERSION)
    reason = control_plane_change_problem(
        before if isinstance(before, str) else None, hub.cluster.kubernetes_version
    )
    return [Problem.of(file, "eks-hybrid:cluster.kubernetesVersion", reason)] if reason else []


def identity_problems(credentials: CredentialsConfig, file: str) -> list[Problem]:
    """What `NodeIdentity` would refuse of the CA the stack supplies (its values are never quoted)."""
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


def check_eks_side(
    hub: HubConfig, file: str | None = None, previous: Mapping[str, Any] | None = None
) -> None:
    """Raise `PlanError` with every problem of `eks_side_problems`. Call it before declaring any resource of
    the hub (network included), so that a plan that cannot succeed creates nothing."""
    problems = eks_side_problems(hub, file, previous)
    if problems:
        raise PlanError(problems)


def pod_routes_identity_note(hub: HubConfig) -> str:
    """What a hub whose sites run router/pod-routes.sh, but that names no principal for it, tells its user."""
    return (
        f"site(s) {', '.join(hub.pod_routes_sites)} keep pod routes with router/pod-routes.sh, which reads"
        f" CiliumNodes as the Kubernetes group {POD_ROUTES_GROUP} (the hub binds it to get/list/watch on"
        " ciliumnodes); set eks-hybrid:cilium.podRoutesPrincipalArn to the router's IAM role or user, or map"
        f" one yourself: {access_entry_command(hub.cluster.name, hub.region)} [{Code.POD_ROUTES_IDENTITY}]"
    )


def declare_eks_side(
    name: str,
    hub: HubConfig,
    opts: pulumi.ResourceOptions | None = None,
    previous: Mapping[str, Any] | None = None,
) -> EksSide:
    """Declare everything hybrid nodes need on the EKS side of the hub `hub`.

    Order: the cluster (created, or adopted and checked), the node identity scoped to its ARN, the
    HYBRID_LINUX access entry for the identity's role, then Cilium (with multi-pool its per-site pools, with
    the BGP control plane each site's peering with its router) and `kube-system/hybrid-config` through
    the cluster's Kubernetes provider. Raises `PlanError` before declaring anything if the config cannot
    be planned (an adopted cluster that does not fit, a node group too small, a malformed CA bundle, a
    Cilium upgrade `previous`, the hub's outputs from its previous update, forbids).
    """
    check_eks_side(hub, previous=previous)
    upgrade = hub_cilium_upgrade(hub, previous or {})
    cluster = HybridCluster(name, hybrid_cluster_args(hub), opts)
    identity = NodeIdentity(
        f"{name}-node-identity", node_identity_args(hub, cluster.cluster_name, cluster.cluster_arn), opts
    )
    hybrid_node_access_entry(name, cluster, identity.role_arn, dict(hub.tags))
    ipam = hub.cilium_ipam
    in_cluster = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[cluster.k8s_provider]))
    # multi-pool runs the operator on the cloud node group (it registers the pools' CRDs before any hybrid
    # node joins), and so does cluster-pool with `operatorPlacement: cloud` (eks-hybrid 0.2's layout, the
    # hub declaring the BGP objects). With the operator on hybrid nodes, AWS's supported placement, each
    # site stack declares its own BGP objects once its nodes exist (composition/site_cilium.py).
    placement = hub.cilium_operator_placement
    on_cloud = pulumi.ResourceOptions(depends_on=[cluster.node_group] if placement == "cloud" else [])
    cilium = Cilium(
        f"{name}-cilium", cilium_args(hub, upgrade), pulumi.ResourceOptions.merge(in_cluster, on_cloud)
    )
    for note in upgrade.notes:
        pulumi.log.warn(note, resource=cilium)
    # The pools and BGP objects are instances of CRDs the operator registers once it runs: they wait for
    # those CRDs to be Established (crd_wait.py), not for the release alone.
    peers_in_hub = hub.bgp_peers_in_hub
    crds = {
        **(pool_crds() if ipam == "multiPool" else {}),
        **(bgp_crds(hub.cilium.chart_version) if peers_in_hub else {}),
    }
    after_crds = in_cluster
    if crds:
        wait = CiliumCrdsEstablished(
            f"{name}-cilium-crds",
            kubeconfig=cluster.kubeconfig,
            crds=dict(sorted(crds.items())),
            operator_placement=placement,
            opts=pulumi.ResourceOptions(parent=cilium, depends_on=[cilium.release]),
        )
        after_crds = pulumi.ResourceOptions.merge(
            in_cluster, pulumi.ResourceOptions(depends_on=[cilium.release, wait])
        )
    if hub.bgp_peers and not peers_in_hub:
        pulumi.log.warn(bgp_in_sites_note(list(hub.bgp_peers)), resource=cilium)
    site_pools = None
    if ipam == "multiPool":
        site_pools = CiliumSitePools(f"{name}-cilium-pools", cilium_site_pools_args(hub), after_crds)
    bgp_peering = None
    if peers_in_hub:
        bgp_peering = CiliumBgpPeering(f"{name}-cilium-bgp", cilium_bgp_peering_args(hub), after_crds)
    hybrid_config = HybridConfig(f"{name}-hybrid-config", hybrid_config_args(hub), in_cluster)
    pod_routes = None
    if hub.pod_routes_sites:
        # The routers of these sites run router/pod-routes.sh, which reads CiliumNodes (pod_routes_access).
        principal = hub.cilium.pod_routes_principal_arn
        pod_routes = declare_pod_routes_access(
            name,
            cluster_name=cluster.cluster_name,
            principal_arn=principal,
            tags=dict(hub.tags),
            in_cluster=pulumi.ResourceOptions.merge(in_cluster, pulumi.ResourceOptions(parent=cilium)),
            on_aws=pulumi.ResourceOptions(parent=cluster),
        )
        if principal is None:
            pulumi.log.warn(pod_routes_identity_note(hub), resource=cilium)
    ira = hub.credentials.iam_roles_anywhere
    return EksSide(
        credentials_provider=hub.credentials.provider,
        enable_credentials_file=hub.credentials.enable_credentials_file,
        cilium_ipam=ipam,
        cilium_routing_mode=upgrade.routing_mode,
        cilium_installed_version=upgrade.installed_version,
        cluster=cluster,
        identity=identity,
        cilium=cilium,
        site_pools=site_pools,
        bgp_peering=bgp_peering,
        hybrid_config=hybrid_config,
        pod_routes=pod_routes,
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
        generated_ca=bool(ira and ira.generate_certificate_authority),
        acm_pca=bool(ira and ira.acm_pca_arn),
    )
