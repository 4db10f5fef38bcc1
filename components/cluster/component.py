"""`HybridCluster`: the EKS cluster hybrid nodes join (created or adopted by name) and what they need.

Thin: `planning` decides remote networks, security group rules, the node group's shape and whether an
adopted cluster fits; this module only declares resources from those plans.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..cni.values import pod_traffic_source
from ..config.hub import ClusterConfig, HubConfig, RemoteNetworksConfig, SiteInventoryEntry
from ..config.versions import today_utc, version_warnings
from ..errors import PlanError, Problem
from . import planning
from .planning import (
    CLUSTER_POLICIES,
    HYBRID_ACCESS_ENTRY_TYPE,
    NODE_GROUP_POLICIES,
    ExistingCluster,
    PodTrafficSource,
    RemoteNetworks,
)

HYBRID_CLUSTER = "eks-hybrid:cluster:HybridCluster"
ADOPTION_NOTE = (
    "adopting EKS cluster {cluster}: eks-hybrid manages its security group rules for the hybrid CIDRs, the"
    " HYBRID_LINUX access entry, the cloud node group, Cilium and kube-system/hybrid-config; it does not"
    " change the cluster's remote networks, endpoint access, authentication mode, version or add-ons"
)


def stack_file() -> str:
    """The file a user edits for this stack, for error messages (`stackConfigDir: stacks`)."""
    return f"stacks/Pulumi.{pulumi.get_stack()}.yaml"


@dataclass(frozen=True)
class HybridClusterArgs:
    cluster: ClusterConfig
    region: str
    sites: Mapping[str, SiteInventoryEntry]
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = True
    """Pulumi `protect` on a created EKS cluster (an adopted one is never deleted by this program)."""
    # Aggregates that stand for the sites' CIDRs in the remote networks and the security group rules.
    remote_networks: RemoteNetworksConfig | None = None
    # The address hybrid pods' traffic reaches the VPC from: `node` (the CNI masquerades) or `pod`.
    pod_traffic_source: PodTrafficSource = "pod"
    # The date support warnings are computed for (default: today, UTC). Warnings never change a resource.
    today: date | None = None

    @classmethod
    def from_config(cls, hub: HubConfig) -> HybridClusterArgs:
        return cls(
            cluster=hub.cluster,
            region=hub.region,
            sites=hub.sites,
            tags=hub.tags,
            remote_networks=hub.remote_networks,
            pod_traffic_source=pod_traffic_source(hub.cilium_ipam),
            protect=hub.protect,
        )

    def networks(self) -> RemoteNetworks:
        return planning.remote_networks(self.sites, self.remote_networks)

    def security_group_rules(self) -> list[planning.SecurityGroupRule]:
        return planning.security_group_rules(
            self.networks(), pod_traffic_source=self.pod_traffic_source, core_dns=self.cluster.core_dns
        )

    def warnings(self) -> list[str]:
        """What every plan of this cluster should say, whatever it declares."""
        config = self.cluster
        return version_warnings(
            config.kubernetes_version, self.today or today_utc()
        ) + planning.public_endpoint_warnings(config.endpoint_access, config.public_access_cidrs)


class HybridCluster(pulumi.ComponentResource):
    """An EKS cluster ready for hybrid nodes.

    `mode: create` declares the cluster (remote networks = the sites' CIDRs, one endpoint, the service
    CIDR, API or API_AND_CONFIG_MAP authentication) and its IAM role. `mode: existing` reads a running
    cluster by name, checks that it can host the sites' nodes, and changes nothing about it.
    Either way it declares the cluster security group rules for the hybrid CIDRs, the cloud node group with
    its role, and a Kubernetes provider for everything in-cluster.
    """

    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    certificate_authority: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    service_cidr: str
    remote_networks: RemoteNetworks
    node_group: aws.eks.NodeGroup
    k8s_provider: k8s.Provider

    def __init__(
        self, name: str, args: HybridClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(HYBRID_CLUSTER, name, None, opts)
        config = args.cluster
        file = stack_file()
        networks = args.networks()
        problems = planning.node_group_problems(config.node_group, file, "eks-hybrid:cluster.nodeGroup")
        problems += planning.public_endpoint_problems(
            config.endpoint_access, config.public_access_cidrs, file
        )
        partition = planning.partition_for(args.region)
        tags = dict(args.tags)

        # Every problem is found before anything is declared: a failed plan must create nothing.
        existing = _read_existing(config.name, args.region) if config.mode == "existing" else None
        if existing is not None:
            problems += planning.existing_cluster_problems(
                existing.facts, networks, config.service_cidr, file
            )
        if problems:
            raise PlanError(problems)

        for warning in args.warnings():
            pulumi.log.warn(warning, resource=self)

        if existing is None:
            cluster = self._create(name, args, networks, partition)
            self.cluster_name = cluster.name
            self.cluster_arn = cluster.arn
            self.endpoint = cluster.endpoint
            self.certificate_authority = cluster.certificate_authority.apply(lambda ca: ca.data or "")
            self.cluster_security_group_id = cluster.vpc_config.apply(
                lambda vpc: vpc.cluster_security_group_id or ""
            )
            cluster_dependency: list[pulumi.Resource] = [cluster]
        else:
            for warning in planning.existing_cluster_warnings(
                existing.facts, config.vpc_id, config.kubernetes_version
            ):
                pulumi.log.warn(warning, resource=self)
            pulumi.log.info(ADOPTION_NOTE.format(cluster=config.name), resource=self)
            self.cluster_name = pulumi.Output.from_input(existing.facts.name)
            self.cluster_arn = pulumi.Output.from_input(existing.arn)
            self.endpoint = pulumi.Output.from_input(existing.endpoint)
            self.certificate_authority = pulumi.Output.from_input(existing.certificate_authority)
            self.cluster_security_group_id = pulumi.Output.from_input(existing.security_group_id)
            cluster_dependency = []

        self.service_cidr = config.service_cidr
        self.remote_networks = networks
        child = pulumi.ResourceOptions(parent=self)

        for rule in args.security_group_rules():
            rule_args: dict[str, Any] = {
                "security_group_id": self.cluster_security_group_id,
                "cidr_ipv4": rule.cidr,
                "ip_protocol": rule.protocol,
                "from_port": rule.port,
                "to_port": rule.port,
                "description": rule.description,
                "tags": {**tags, "Name": f"{name}-{rule.key}"},
                "opts": child,
            }
            if rule.direction == "ingress":
                aws.vpc.SecurityGroupIngressRule(f"{name}-{rule.key}", **rule_args)
            else:
                aws.vpc.SecurityGroupEgressRule(f"{name}-{rule.key}", **rule_args)

        self.node_group = self._node_group(name, args, partition, cluster_dependency)
        self.k8s_provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=pulumi.Output.all(self.cluster_name, self.endpoint, self.certificate_authority).apply(
                lambda values: json.dumps(
                    planning.kubeconfig(str(values[0]), str(values[1]), str(values[2]), args.region)
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=cluster_dependency),
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "clusterArn": self.cluster_arn,
                "clusterEndpoint": self.endpoint,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "remoteNodeCidrs": list(networks.node_cidrs),
                "remotePodCidrs": list(networks.pod_cidrs),
            }
        )

    def _create(
        self, name: str, args: HybridClusterArgs, networks: RemoteNetworks, partition: str
    ) -> aws.eks.Cluster:
        config = args.cluster
        tags = dict(args.tags)
        role, attachments = create_role_with_policies(
            f"{name}-cluster",
            description=f"EKS cluster role of {config.name}",
            trust_policy=planning.cluster_trust_policy(),
            policies=CLUSTER_POLICIES,
            partition=partition,
            tags=tags,
            parent=self,
        )
        private, public = planning.endpoint_flags(config.endpoint_access)
        remote = networks.as_inputs()
        return aws.eks.Cluster(
            f"{name}-eks",
            name=config.name,
            version=config.kubernetes_version,
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(config.subnet_ids),
                endpoint_private_access=private,
                endpoint_public_access=public,
                # Only with a public endpoint, and only what the stack names (EKS's default is 0.0.0.0/0).
                public_access_cidrs=list(config.public_access_cidrs or []) if public else None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode=config.authentication_mode,
                # The deployer keeps cluster-admin, so this program can install Cilium. ForceNew: fixed.
                bootstrap_cluster_creator_admin_permissions=True,
            ),
            kubernetes_network_config=aws.eks.ClusterKubernetesNetworkConfigArgs(
                service_ipv4_cidr=config.service_cidr,
                ip_family="ipv4",
            ),
            remote_network_config=aws.eks.ClusterRemoteNetworkConfigArgs(
                remote_node_networks=aws.eks.ClusterRemoteNetworkConfigRemoteNodeNetworksArgs(
                    cidrs=remote["remote_node_networks"]["cidrs"]
                ),
                remote_pod_networks=aws.eks.ClusterRemoteNetworkConfigRemotePodNetworksArgs(
                    cidrs=remote["remote_pod_networks"]["cidrs"]
                ),
            ),
            tags={**tags, "Name": config.name},
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments, protect=args.protect),
        )

    def _node_group(
        self,
        name: str,
        args: HybridClusterArgs,
        partition: str,
        cluster_dependency: Sequence[pulumi.Resource],
    ) -> aws.eks.NodeGroup:
        plan = planning.node_group_plan(args.cluster.node_group)
        tags = dict(args.tags)
        role, attachments = create_role_with_policies(
            f"{name}-node",
            description=f"Cloud node group of EKS cluster {args.cluster.name}",
            trust_policy=planning.node_trust_policy(),
            policies=NODE_GROUP_POLICIES,
            partition=partition,
            tags=tags,
            parent=self,
        )
        return aws.eks.NodeGroup(
            f"{name}-cloud-nodes",
            cluster_name=self.cluster_name,
            node_role_arn=role.arn,
            subnet_ids=list(args.cluster.subnet_ids),
            instance_types=list(plan.instance_types),
            ami_type=plan.ami_type,
            capacity_type="ON_DEMAND",
            disk_size=plan.disk_size_gib,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                desired_size=plan.desired_size, min_size=plan.min_size, max_size=plan.max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels=dict(plan.labels),
            tags={**tags, "Name": f"{name}-cloud-nodes"},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*attachments, *cluster_dependency]),
        )


def hybrid_node_access_entry(
    name: str, cluster: HybridCluster, role_arn: pulumi.Input[str], tags: Mapping[str, str] | None = None
) -> aws.eks.AccessEntry:
    """The HYBRID_LINUX access entry that lets nodes with `role_arn` join as `system:node:<session name>`.

    No policy association, no Kubernetes groups, no username: EKS sets them for this type.
    """
    return aws.eks.AccessEntry(
        f"{name}-hybrid-nodes",
        cluster_name=cluster.cluster_name,
        principal_arn=role_arn,
        type=HYBRID_ACCESS_ENTRY_TYPE,
        tags=dict(tags or {}),
        opts=pulumi.ResourceOptions(parent=cluster),
    )


@dataclass(frozen=True)
class _Existing:
    facts: ExistingCluster
    arn: str
    endpoint: str
    certificate_authority: str
    security_group_id: str


def cluster_problems(args: HybridClusterArgs, file: str) -> list[Problem]:
    """Everything `HybridCluster` would refuse, without declaring anything (reads an adopted cluster)."""
    config = args.cluster
    problems = planning.node_group_problems(config.node_group, file, "eks-hybrid:cluster.nodeGroup")
    problems += planning.public_endpoint_problems(config.endpoint_access, config.public_access_cidrs, file)
    if config.mode == "existing":
        existing = _read_existing(config.name, args.region)
        problems += planning.existing_cluster_problems(
            existing.facts, args.networks(), config.service_cidr, file
        )
    return problems


def _read_existing(cluster_name: str, region: str) -> _Existing:
    """Read a running cluster by name (a plain invoke, so problems surface before anything is declared)."""
    result = aws.eks.get_cluster(name=cluster_name, region=region)
    authorities = result.certificate_authorities or []
    return _Existing(
        facts=existing_facts(result),
        arn=result.arn,
        endpoint=result.endpoint,
        certificate_authority=authorities[0].data if authorities else "",
        security_group_id=result.vpc_config.cluster_security_group_id,
    )


def existing_facts(result: Any) -> ExistingCluster:
    """`aws.eks.get_cluster`'s result reduced to `ExistingCluster` (tolerating absent optional blocks)."""
    access = result.access_configs[0].authentication_mode if result.access_configs else "CONFIG_MAP"
    network = result.kubernetes_network_configs[0] if result.kubernetes_network_configs else None
    node_cidrs: list[str] = []
    pod_cidrs: list[str] = []
    for remote in result.remote_network_configs or []:
        for nodes in remote.remote_node_networks or []:
            node_cidrs.extend(nodes.cidrs or [])
        for pods in remote.remote_pod_networks or []:
            pod_cidrs.extend(pods.cidrs or [])
    vpc = result.vpc_config
    return ExistingCluster(
        name=result.name,
        authentication_mode=access,
        endpoint_private_access=bool(vpc.endpoint_private_access),
        endpoint_public_access=bool(vpc.endpoint_public_access),
        service_cidr=network.service_ipv4_cidr if network else None,
        vpc_id=vpc.vpc_id or "",
        remote_node_cidrs=tuple(node_cidrs),
        remote_pod_cidrs=tuple(pod_cidrs),
        version=result.version or "",
    )


def create_role_with_policies(
    prefix: str,
    *,
    description: str,
    trust_policy: dict[str, Any],
    policies: Sequence[str],
    partition: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
    """`{prefix}-role` and one `{prefix}-{policy}` attachment per AWS managed policy."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{prefix}-role",
        description=description,
        assume_role_policy=json.dumps(trust_policy),
        tags=tags,
        opts=child,
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{prefix}-{policy}",
            role=role.name,
            policy_arn=planning.managed_policy_arn(partition, policy),
            opts=child,
        )
        for policy in policies
    ]
    return role, attachments
