"""The identity `router/pod-routes.sh` reads CiliumNodes with, on a site whose nodes do not advertise their
pod blocks over Cilium's BGP control plane.

Kubernetes RBAC ("Using RBAC Authorization", kubernetes.io/docs/reference/access-authn-authz/rbac/): a
ClusterRole allowing only `get`, `list` and `watch` on `ciliumnodes.cilium.io` (CiliumNodes are
cluster-scoped), bound by a ClusterRoleBinding to the group `eks-hybrid:pod-routes`. EKS maps an IAM
principal to that group with an access entry of type `STANDARD` whose `kubernetesGroups` name it and with no
access policy associated (EKS user guide, "Create an access entry using Kubernetes groups with the AWS
CLI", create-k8s-group-access-entry.html; "Grant IAM users access to Kubernetes with EKS access entries",
access-entries.html): Kubernetes RBAC then authorizes it, and nothing else does.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..domain.labels import POD_ROUTES_CLUSTER_ROLE, POD_ROUTES_GROUP

__all__ = [
    "ACCESS_ENTRY_TYPE",
    "POD_ROUTES_RULES",
    "PodRoutesAccess",
    "access_entry_command",
    "declare_pod_routes_access",
]

ACCESS_ENTRY_TYPE = "STANDARD"
POD_ROUTES_RULES: tuple[dict[str, Any], ...] = (
    {"apiGroups": ["cilium.io"], "resources": ["ciliumnodes"], "verbs": ["get", "list", "watch"]},
)
"""What the script may do: read CiliumNodes (`kubectl get ciliumnodes -l ...`), nothing else."""
RBAC_GROUP = "rbac.authorization.k8s.io"
ROUTER_PRINCIPAL = "<router principal ARN>"
MANAGED_BY = {"app.kubernetes.io/managed-by": "eks-hybrid"}


def access_entry_command(cluster_name: str, region: str, principal_arn: str = ROUTER_PRINCIPAL) -> str:
    """The AWS CLI command that maps a router's IAM principal to the group, for a hub that names none."""
    return (
        f"aws eks create-access-entry --region {shlex.quote(region)} --cluster-name"
        f" {shlex.quote(cluster_name)} --principal-arn {shlex.quote(principal_arn)} --type"
        f" {ACCESS_ENTRY_TYPE} --kubernetes-groups {shlex.quote(POD_ROUTES_GROUP)}"
    )


@dataclass
class PodRoutesAccess:
    cluster_role: k8s.rbac.v1.ClusterRole
    binding: k8s.rbac.v1.ClusterRoleBinding
    access_entry: aws.eks.AccessEntry | None


def declare_pod_routes_access(
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    principal_arn: pulumi.Input[str] | None,
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None,
    in_cluster: pulumi.ResourceOptions,
    on_aws: pulumi.ResourceOptions,
) -> PodRoutesAccess:
    """`<name>-pod-routes-role` and `<name>-pod-routes-binding` (with `in_cluster`: the cluster's Kubernetes
    provider), and with `principal_arn` the access entry `<name>-pod-routes` (with `on_aws`)."""
    metadata = k8s.meta.v1.ObjectMetaArgs(name=POD_ROUTES_CLUSTER_ROLE, labels=dict(MANAGED_BY))
    role = k8s.rbac.v1.ClusterRole(
        f"{name}-pod-routes-role",
        metadata=metadata,
        rules=[
            k8s.rbac.v1.PolicyRuleArgs(
                api_groups=list(rule["apiGroups"]),
                resources=list(rule["resources"]),
                verbs=list(rule["verbs"]),
            )
            for rule in POD_ROUTES_RULES
        ],
        opts=in_cluster,
    )
    binding = k8s.rbac.v1.ClusterRoleBinding(
        f"{name}-pod-routes-binding",
        metadata=metadata,
        role_ref=k8s.rbac.v1.RoleRefArgs(
            api_group=RBAC_GROUP, kind="ClusterRole", name=POD_ROUTES_CLUSTER_ROLE
        ),
        subjects=[k8s.rbac.v1.SubjectArgs(api_group=RBAC_GROUP, kind="Group", name=POD_ROUTES_GROUP)],
        opts=pulumi.ResourceOptions.merge(in_cluster, pulumi.ResourceOptions(depends_on=[role])),
    )
    entry = None
    if principal_arn is not None:
        entry = aws.eks.AccessEntry(
            f"{name}-pod-routes",
            cluster_name=cluster_name,
            principal_arn=principal_arn,
            type=ACCESS_ENTRY_TYPE,
            kubernetes_groups=[POD_ROUTES_GROUP],
            tags=tags if tags is not None else {},
            opts=on_aws,
        )
    return PodRoutesAccess(cluster_role=role, binding=binding, access_entry=entry)
