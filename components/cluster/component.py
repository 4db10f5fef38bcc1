"""`HybridCluster`: the EKS cluster hybrid nodes join (created or adopted by name) and what they need.

Thin: `planning` decides remote networks, security group rules, the node group's AMI and whether an
adopted cluster fits; this module only checks the arguments and declares resources.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .._inputs import (
    Arguments,
    any_cidr,
    checked_aggregates,
    checked_sites,
    derive,
    is_known,
    name_tagged,
    positive_int,
    service_cidr,
)
from .._tokens import component_type
from ..codes import Code
from ..domain import defaults
from ..domain.cluster_rules import (
    api_access_problem,
    authentication_mode_problem,
    public_endpoint_problem,
    security_group_id_problem,
)
from ..domain.versions import node_group_skew_problem, today_utc, version_warnings
from ..sites import RemoteNetworkAggregates, SiteCidrs
from . import planning
from .planning import (
    CLOUD_NODE_LABELS,
    CLUSTER_POLICIES,
    HYBRID_ACCESS_ENTRY_TYPE,
    NODE_GROUP_POLICIES,
    ExistingCluster,
)

__all__ = [
    "HYBRID_CLUSTER",
    "ApiAccess",
    "CloudNodeGroup",
    "HybridCluster",
    "HybridClusterArgs",
    "create_role_with_policies",
    "existing_facts",
    "hybrid_node_access_entry",
    "managed_policy_arn",
    "read_existing_cluster",
]

HYBRID_CLUSTER = "eks-hybrid:cluster:HybridCluster"
ADOPTION_NOTE = (
    "adopting EKS cluster {cluster}: eks-hybrid manages its security group rules for the hybrid CIDRs, the"
    " HYBRID_LINUX access entry, the cloud node group, Cilium and kube-system/hybrid-config; it does not"
    " change the cluster's remote networks, endpoint access, authentication mode, version or add-ons"
)


class CloudNodeGroup(TypedDict, total=False):
    """The cloud node group: always-on AWS capacity for the Palette agent, CoreDNS and webhooks."""

    instance_type: pulumi.Input[str]
    """An xlarge size or larger (the Palette agent needs 4 vCPU and 16 GiB; default t3.xlarge); Graviton
    types get the arm64 AMI."""
    disk_size_gib: pulumi.Input[int]
    """Each node's disk (default 50; the Palette agent needs 40 or more)."""
    desired_size: pulumi.Input[int]
    """Nodes wanted (default 2)."""
    min_size: pulumi.Input[int]
    """At least this many nodes (default 1)."""
    max_size: pulumi.Input[int]
    """At most this many nodes (default 3)."""
    kubernetes_version: pulumi.Input[str]
    """The nodes' Kubernetes minor, for example "1.34" (default: the cluster's, so the group follows the
    control plane, updated after it): at most three minors behind the cluster, never newer."""


class ApiAccess(TypedDict, total=False):
    """Who may reach a private endpoint's API server: each source gets a rule on TCP 443 in the cluster
    security group, named by it (so both lists must be plain strings in the program)."""

    cidrs: Sequence[str]
    """IPv4 networks, such as a CI runner's or bastion's subnet in the VPC or a network connected over VPN
    or Direct Connect."""
    security_group_ids: Sequence[str]
    """Security groups whose members may connect, such as a bastion's or a CI runner's (sg-...)."""


class HybridClusterArgs(TypedDict):
    """The arguments of `HybridCluster`."""

    cluster_name: pulumi.Input[str]
    """The EKS cluster's name (with `adopt_existing`, the running cluster to adopt: a plain string)."""
    kubernetes_version: pulumi.Input[str]
    """The Kubernetes version, for example "1.35" (a created cluster's; an adopted one is only compared)."""
    region: pulumi.Input[str]
    """The cluster's AWS region (the kubeconfig's `aws eks get-token --region`, the IAM partition)."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """The cluster's subnets, also the cloud node group's."""
    sites: Mapping[str, SiteCidrs]
    """Every site's node and pod CIDR by site name: the cluster's remote networks (unless aggregates stand
    for them) and the sources of the security group rules, which are named by these keys."""
    remote_network_aggregates: NotRequired[RemoteNetworkAggregates]
    """Aggregates that are the remote networks of their kind instead of the sites' CIDRs (at most 15)."""
    adopt_existing: NotRequired[bool]
    """Adopt the running cluster named `cluster_name` instead of creating one: it is read, checked to fit
    the sites, and never changed (default false)."""
    vpc_id: NotRequired[pulumi.Input[str]]
    """The VPC, only compared with an adopted cluster's (a warning when they differ)."""
    endpoint_access: NotRequired[str]
    """`private` (default) or `public`, never both: with both, the endpoint resolves to public addresses off
    the VPC and hybrid nodes fail to join."""
    public_access_cidrs: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    """With a public endpoint, the networks allowed to reach it (required then: EKS's default is
    0.0.0.0/0)."""
    api_access: NotRequired[ApiAccess]
    """With a private endpoint, who runs `pulumi up` and other Kubernetes clients: the cluster security
    group EKS creates admits only itself, so nothing else reaches the API server (without it, a warning:
    admit them with your own rule on `cluster_security_group_id`). Refused with a public endpoint, which
    the cluster security group does not guard."""
    service_cidr: NotRequired[pulumi.Input[str]]
    """The Kubernetes service CIDR (default 172.20.0.0/16, inside RFC 1918)."""
    authentication_mode: NotRequired[pulumi.Input[str]]
    """`API_AND_CONFIG_MAP` (default) or `API`: hybrid nodes need access entries."""
    core_dns: NotRequired[str]
    """Where CoreDNS runs: `cloud` (default: DNS from hybrid pods is let in) or `hybrid`."""
    pod_traffic_source: NotRequired[str]
    """The address hybrid pods' traffic reaches the VPC from: `pod` (default: the CNI does not masquerade,
    as Cilium multi-pool) or `node` (it does, as Cilium cluster-pool)."""
    node_group: NotRequired[CloudNodeGroup]
    """The cloud node group's size and type."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for every resource that takes them (each also gets a `Name`)."""
    protect: NotRequired[bool]
    """Pulumi `protect` on a created cluster (an adopted one is never deleted by this program; default
    true)."""


class HybridCluster(pulumi.ComponentResource):
    """An EKS cluster ready for hybrid nodes. Created: the cluster (remote node and pod networks, one
    endpoint, the service CIDR, API or API_AND_CONFIG_MAP authentication) and its IAM role. Adopted: a
    running cluster read by name, checked to host the sites' nodes, and never changed. Either way, the
    cluster security group's inbound rules for the hybrid networks, the cloud nodes' DNS security group,
    the cloud node group with its role and launch template, and a Kubernetes provider for everything
    in-cluster."""

    cluster_name: pulumi.Output[str]
    """The EKS cluster's name."""
    cluster_arn: pulumi.Output[str]
    """The EKS cluster's ARN (what `NodeIdentity` scopes the node role's permissions to)."""
    endpoint: pulumi.Output[str]
    """The Kubernetes API endpoint."""
    certificate_authority: pulumi.Output[str]
    """The cluster's certificate authority data (base64)."""
    cluster_security_group_id: pulumi.Output[str]
    """The cluster security group EKS created, which the hybrid rules are in."""
    kubeconfig: pulumi.Output[str]
    """A kubeconfig (JSON) for the cluster that gets tokens from `aws eks get-token` (AWS CLI v2 on PATH):
    give it to a `kubernetes` provider for `Cilium`, `CiliumSitePools`, `HybridConfig` and `PaletteHub`."""
    remote_node_cidrs: pulumi.Output[list[str]]
    """The cluster's remote node networks, ordered by address."""
    remote_pod_cidrs: pulumi.Output[list[str]]
    """The cluster's remote pod networks, ordered by address."""

    def __init__(
        self, name: str, args: HybridClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(HYBRID_CLUSTER), name, None, opts)
        arguments = Arguments("HybridCluster", name)
        adopt = bool(arguments.plain("adopt_existing", args.get("adopt_existing", False), (True, False)))
        access = arguments.plain(
            "endpoint_access",
            args.get("endpoint_access", defaults.ENDPOINT_ACCESS),
            defaults.ENDPOINT_ACCESS_VALUES,
        )
        core_dns = arguments.plain(
            "core_dns", args.get("core_dns", defaults.CORE_DNS), defaults.CORE_DNS_PLACEMENTS
        )
        source = arguments.plain("pod_traffic_source", args.get("pod_traffic_source", "pod"), ("node", "pod"))
        protect = bool(arguments.plain("protect", args.get("protect", True), (True, False)))
        sites = checked_sites(arguments, args.get("sites"))
        if not sites:
            arguments.problem("sites", "needs at least one site", Code.TOO_SHORT)
        node_aggregates, pod_aggregates = checked_aggregates(arguments, args.get("remote_network_aggregates"))
        services = arguments.check(
            "service_cidr", args.get("service_cidr", defaults.SERVICE_CIDR), service_cidr
        )
        mode = arguments.check(
            "authentication_mode",
            args.get("authentication_mode", defaults.AUTHENTICATION_MODE),
            authentication_mode_problem,
        )
        public_cidrs = args.get("public_access_cidrs")
        if is_known(public_cidrs) and access is not None:
            problem = public_endpoint_problem(
                str(access),
                public_cidrs,  # type: ignore[arg-type]
                key="public_access_cidrs",
            )
            if problem:
                arguments.problem("public_access_cidrs", problem.text, problem.code)
        api_cidrs, api_groups = _checked_api_access(arguments, args.get("api_access"))
        api_problem = (
            api_access_problem(str(access), api_cidrs, api_groups, key="api_access")
            if access is not None
            else None
        )
        # A program may admit its deployer itself (a rule on `cluster_security_group_id`), so the component
        # only warns when a private endpoint has no api_access; the stack files, whose whole program is
        # ours, refuse it.
        if api_problem is not None and api_problem.code is not Code.API_ACCESS_REQUIRED:
            arguments.problem("api_access", api_problem.text, api_problem.code)
        group = args.get("node_group") or CloudNodeGroup()
        instance_type = arguments.check(
            "node_group.instance_type",
            group.get("instance_type", defaults.CLOUD_INSTANCE_TYPE),
            planning.instance_type_problem,
        )
        sizes: dict[str, pulumi.Input[int]] = {
            key: arguments.check(f"node_group.{key}", cast(Any, group).get(key, default), positive_int)
            for key, default in (
                ("disk_size_gib", defaults.CLOUD_DISK_SIZE_GIB),
                ("desired_size", defaults.CLOUD_DESIRED_SIZE),
                ("min_size", defaults.CLOUD_MIN_SIZE),
                ("max_size", defaults.CLOUD_MAX_SIZE),
            )
        }
        group_version = group.get("kubernetes_version")
        cluster_version = args["kubernetes_version"]
        if isinstance(group_version, str) and isinstance(cluster_version, str):
            skew = node_group_skew_problem(cluster_version, group_version)
            if skew is not None:
                arguments.problem("node_group.kubernetes_version", skew, Code.NODE_GROUP_VERSION_SKEW)
        node_cidrs = node_aggregates or {key: site["node_cidr"] for key, site in sites.items()}
        pod_cidrs = pod_aggregates or {key: site["pod_cidr"] for key, site in sites.items()}
        existing = self._adopted(arguments, args, node_cidrs, pod_cidrs, services) if adopt else None
        rules = planning.security_group_rules(
            sorted(node_cidrs),
            sorted(pod_cidrs),
            pod_traffic_source=source or "pod",
            core_dns=core_dns or "cloud",
        )
        api_rules = planning.api_access_rules(api_cidrs, api_groups)
        # Every problem is found before anything is declared: a failed plan must create nothing.
        arguments.raise_problems()

        version = args["kubernetes_version"]
        if isinstance(version, str):
            for warning in version_warnings(version, today_utc()):
                pulumi.log.warn(warning, resource=self)
        if api_problem is not None and api_problem.code is Code.API_ACCESS_REQUIRED:
            pulumi.log.warn(
                f"{api_problem.text}; or add such a rule to cluster_security_group_id yourself", resource=self
            )
        if is_known(public_cidrs):
            for warning in planning.public_endpoint_warnings(str(access), public_cidrs):  # type: ignore[arg-type]
                pulumi.log.warn(warning, resource=self)

        region = args["region"]
        tags = args.get("tags")
        cluster_dependency: list[pulumi.Resource] = []
        if existing is None:
            cluster = self._create(name, args, str(access), mode, services, node_cidrs, pod_cidrs, protect)
            self.cluster_name = cluster.name
            self.cluster_arn = cluster.arn
            self.endpoint = cluster.endpoint
            self.certificate_authority = cluster.certificate_authority.apply(lambda ca: ca.data or "")
            self.cluster_security_group_id = cluster.vpc_config.apply(
                lambda vpc: vpc.cluster_security_group_id or ""
            )
            vpc: pulumi.Input[str] = cluster.vpc_config.apply(lambda config: config.vpc_id or "")
            cluster_dependency = [cluster]
        else:
            vpc_id = args.get("vpc_id")
            for warning in planning.existing_cluster_warnings(
                existing.facts,
                vpc_id if isinstance(vpc_id, str) else "",
                version if isinstance(version, str) else "",
            ):
                pulumi.log.warn(warning, resource=self)
            pulumi.log.info(ADOPTION_NOTE.format(cluster=existing.facts.name), resource=self)
            self.cluster_name = pulumi.Output.from_input(existing.facts.name)
            self.cluster_arn = pulumi.Output.from_input(existing.arn)
            self.endpoint = pulumi.Output.from_input(existing.endpoint)
            self.certificate_authority = pulumi.Output.from_input(existing.certificate_authority)
            self.cluster_security_group_id = pulumi.Output.from_input(existing.security_group_id)
            vpc = existing.facts.vpc_id
        self.remote_node_cidrs = _sorted_networks(node_cidrs)
        self.remote_pod_cidrs = _sorted_networks(pod_cidrs)

        # The DNS rules go in a group of their own that the cloud node group carries (`planning.dns_rules`);
        # the cluster security group keeps them too while they fit (`cluster_group_keeps_dns_rules`).
        # Python only (not in the package schema), as `node_group` below.
        self.dns_security_group_id: pulumi.Output[str] = self._dns_group(
            name, args, vpc, node_cidrs, pod_cidrs, rules
        )
        keep_dns = planning.cluster_group_keeps_dns_rules(rules, api_rules)
        for rule in rules:
            if rule.port == planning.DNS and not keep_dns:
                continue
            cidr = (node_cidrs if rule.role == "node" else pod_cidrs)[rule.source]
            old = f"{name}-{rule.legacy_key(cidr)}" if isinstance(cidr, str) else None
            legacy = [pulumi.Alias(name=old)] if old is not None and old != f"{name}-{rule.key}" else []
            rule_args: dict[str, Any] = {
                "security_group_id": self.cluster_security_group_id,
                "cidr_ipv4": cidr,
                "ip_protocol": rule.protocol,
                "from_port": rule.port,
                "to_port": rule.port,
                "description": derive(cidr, rule.description),
                # The Name tag reads as before (by CIDR); the resource is named by the site's key.
                "tags": _tagged_by(tags, cidr, lambda c, rule=rule: f"{name}-{rule.legacy_key(c)}"),
                "opts": pulumi.ResourceOptions(parent=self, aliases=legacy),
            }
            if rule.direction == "ingress":
                aws.vpc.SecurityGroupIngressRule(f"{name}-{rule.key}", **rule_args)
            else:
                aws.vpc.SecurityGroupEgressRule(f"{name}-{rule.key}", **rule_args)

        for api_rule in api_rules:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-{api_rule.key}",
                security_group_id=self.cluster_security_group_id,
                cidr_ipv4=api_rule.cidr,
                referenced_security_group_id=api_rule.security_group_id,
                ip_protocol=api_rule.protocol,
                from_port=api_rule.port,
                to_port=api_rule.port,
                description=api_rule.description,
                tags=name_tagged(tags, f"{name}-{api_rule.key}"),
                opts=pulumi.ResourceOptions(parent=self),
            )

        # Python only (not in the package schema): with Cilium multi-pool, the operator runs on these nodes.
        # The node group's Kubernetes version: the one given, else the cluster's (an adopted cluster's as it
        # runs). It depends on the cluster, so `pulumi up` updates it only once the control plane's update
        # is done, as EKS's "Update existing cluster to new Kubernetes version" orders them (step 3 the
        # control plane, step 4 the nodes).
        node_version: pulumi.Input[str] = group_version or (
            version if existing is None else existing.facts.version or version
        )
        self.node_group: aws.eks.NodeGroup = self._node_group(
            name, args, instance_type, sizes, node_version, cluster_dependency
        )
        self.kubeconfig = pulumi.Output.all(
            self.cluster_name, self.endpoint, self.certificate_authority, region
        ).apply(
            lambda values: json.dumps(
                planning.kubeconfig(str(values[0]), str(values[1]), str(values[2]), str(values[3]))
            )
        )
        # Python only (not in the package schema): other languages build a provider from `kubeconfig`.
        self.k8s_provider: k8s.Provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=cluster_dependency),
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "clusterArn": self.cluster_arn,
                "clusterEndpoint": self.endpoint,
                "clusterSecurityGroupId": self.cluster_security_group_id,
                "remoteNodeCidrs": self.remote_node_cidrs,
                "remotePodCidrs": self.remote_pod_cidrs,
            }
        )

    @staticmethod
    def _adopted(
        arguments: Arguments,
        args: HybridClusterArgs,
        node_cidrs: Mapping[str, pulumi.Input[str]],
        pod_cidrs: Mapping[str, pulumi.Input[str]],
        services: pulumi.Input[str],
    ) -> "_Existing | None":
        """The adopted cluster, read now (a plain invoke, so problems surface before anything is declared),
        with every way it does not fit noted."""
        name, region = args["cluster_name"], args["region"]
        if not isinstance(name, str) or not isinstance(region, str):
            arguments.problem(
                "cluster_name",
                "adopt_existing reads the cluster before declaring anything: give cluster_name"
                " and region as plain strings",
                Code.NOT_PLAIN,
            )
            return None
        existing = read_existing_cluster(name, region)
        known = [*node_cidrs.values(), *pod_cidrs.values(), services]
        if all(isinstance(value, str) for value in known):
            networks = planning.remote_networks(
                [str(c) for c in node_cidrs.values()], [str(c) for c in pod_cidrs.values()]
            )
            for what, reason in planning.existing_cluster_problems(existing.facts, networks, str(services)):
                arguments.problem({"name": "cluster_name"}.get(what, what), reason.text, reason.code)
        return existing

    def _create(
        self,
        name: str,
        args: HybridClusterArgs,
        access: str,
        mode: pulumi.Input[str],
        services: pulumi.Input[str],
        node_cidrs: Mapping[str, pulumi.Input[str]],
        pod_cidrs: Mapping[str, pulumi.Input[str]],
        protect: bool,
    ) -> aws.eks.Cluster:
        tags = args.get("tags")
        role, attachments = create_role_with_policies(
            f"{name}-cluster",
            description=derive(args["cluster_name"], lambda cluster: f"EKS cluster role of {cluster}"),
            trust_policy=planning.cluster_trust_policy(),
            policies=CLUSTER_POLICIES,
            region=args["region"],
            tags=tags,
            parent=self,
        )
        private, public = planning.endpoint_flags(access)
        public_cidrs = args.get("public_access_cidrs")
        return aws.eks.Cluster(
            f"{name}-eks",
            name=args["cluster_name"],
            version=args["kubernetes_version"],
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args["subnet_ids"],
                endpoint_private_access=private,
                endpoint_public_access=public,
                # Only with a public endpoint, and only what the caller names (EKS's default is 0.0.0.0/0).
                public_access_cidrs=public_cidrs if public else None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode=mode,
                # The deployer keeps cluster-admin, so this program can install Cilium. ForceNew: fixed.
                bootstrap_cluster_creator_admin_permissions=True,
            ),
            kubernetes_network_config=aws.eks.ClusterKubernetesNetworkConfigArgs(
                service_ipv4_cidr=services, ip_family="ipv4"
            ),
            remote_network_config=aws.eks.ClusterRemoteNetworkConfigArgs(
                remote_node_networks=aws.eks.ClusterRemoteNetworkConfigRemoteNodeNetworksArgs(
                    cidrs=_sorted_networks(node_cidrs)
                ),
                remote_pod_networks=aws.eks.ClusterRemoteNetworkConfigRemotePodNetworksArgs(
                    cidrs=_sorted_networks(pod_cidrs)
                ),
            ),
            tags=_tagged_by(tags, args["cluster_name"], str),
            opts=pulumi.ResourceOptions(parent=self, depends_on=attachments, protect=protect),
        )

    def _dns_group(
        self,
        name: str,
        args: HybridClusterArgs,
        vpc: pulumi.Input[str],
        node_cidrs: Mapping[str, pulumi.Input[str]],
        pod_cidrs: Mapping[str, pulumi.Input[str]],
        rules: Sequence[planning.SecurityGroupRule],
    ) -> pulumi.Output[str]:
        """The security group of the DNS rules, carried by the cloud nodes only (where CoreDNS runs with
        `core_dns: cloud`; empty with `hybrid`, so switching never replaces the node group). No egress
        rule: the provider removes the one AWS adds to a new group, and the nodes' traffic leaves through
        the cluster security group's allow-all egress (a node's groups' rules add up)."""
        tags = args.get("tags")
        group = aws.ec2.SecurityGroup(
            f"{name}-dns",
            vpc_id=vpc,
            description="DNS from hybrid nodes and pods to CoreDNS on the cloud node group",
            tags=name_tagged(tags, f"{name}-dns"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        created = []
        for rule in planning.dns_rules(rules):
            cidr = (node_cidrs if rule.role == "node" else pod_cidrs)[rule.source]
            created.append(
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-dns-{rule.key}",
                    security_group_id=group.id,
                    cidr_ipv4=cidr,
                    ip_protocol=rule.protocol,
                    from_port=rule.port,
                    to_port=rule.port,
                    description=derive(cidr, rule.description),
                    tags=name_tagged(tags, f"{name}-dns-{rule.key}"),
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        # The group's id once its rules exist, so the launch template (and the nodes) wait for them.
        return pulumi.Output.all(group.id, *(rule.id for rule in created)).apply(lambda ids: str(ids[0]))

    def _node_group(
        self,
        name: str,
        args: HybridClusterArgs,
        instance_type: pulumi.Input[str],
        sizes: Mapping[str, pulumi.Input[int]],
        kubernetes_version: pulumi.Input[str],
        cluster_dependency: Sequence[pulumi.Resource],
    ) -> aws.eks.NodeGroup:
        tags = args.get("tags")
        role, attachments = create_role_with_policies(
            f"{name}-node",
            description=derive(
                args["cluster_name"], lambda cluster: f"Cloud node group of EKS cluster {cluster}"
            ),
            trust_policy=planning.node_trust_policy(),
            policies=NODE_GROUP_POLICIES,
            region=args["region"],
            tags=tags,
            parent=self,
        )
        # A launch template is the only way a managed node group's nodes take a security group besides the
        # cluster security group; with security groups in it, EKS no longer adds the cluster security group,
        # so it is listed too (EKS user guide, "Customize managed nodes with launch templates", "Using custom
        # security groups"; terraform-aws-eks `modules/eks-managed-node-group` does the same with
        # `attach_cluster_primary_security_group`). The disk size moves into it: EKS refuses a node group
        # `diskSize` beside a launch template (same page, prohibited settings). The root device of EKS's
        # AL2023 AMIs is /dev/xvda (terraform-aws-eks examples); gp3 is our choice (inferred, as
        # terraform-aws-eks's examples use). IMDSv2 with a hop limit of 2, as the same page asks of a
        # custom launch template (EKS sets it in the template it generates).
        template = aws.ec2.LaunchTemplate(
            planning.cloud_launch_template_name(name),
            description=derive(
                args["cluster_name"], lambda cluster: f"Cloud node group of EKS cluster {cluster}"
            ),
            vpc_security_group_ids=[self.cluster_security_group_id, self.dns_security_group_id],
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=sizes["disk_size_gib"], volume_type="gp3", delete_on_termination="true"
                    ),
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=2
            ),
            update_default_version=True,
            tags=name_tagged(tags, planning.cloud_launch_template_name(name)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.eks.NodeGroup(
            planning.cloud_node_group_name(name),
            cluster_name=self.cluster_name,
            node_role_arn=role.arn,
            subnet_ids=args["subnet_ids"],
            # Managed: a new version is a rolling update of the group's nodes (EKS user guide, "Update a
            # managed node group for your cluster"); the launch template names no AMI, so EKS picks the
            # EKS-optimized AMI of this version (same guide, "Customize managed nodes with launch templates").
            version=kubernetes_version,
            instance_types=[instance_type],
            ami_type=derive(instance_type, planning.ami_type_for),
            capacity_type="ON_DEMAND",
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                desired_size=sizes["desired_size"], min_size=sizes["min_size"], max_size=sizes["max_size"]
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels=dict(CLOUD_NODE_LABELS),
            tags=name_tagged(tags, planning.cloud_node_group_name(name)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*attachments, *cluster_dependency]),
        )


def _checked_api_access(arguments: Arguments, value: ApiAccess | None) -> tuple[list[str], list[str]]:
    """The deployer's CIDRs (normalised) and security group ids, each a plain, valid string: they name the
    rules."""
    given = value or ApiAccess()
    found: dict[str, list[str]] = {}
    for key, rule in (("cidrs", any_cidr), ("security_group_ids", security_group_id_problem)):
        found[key] = []
        items: list[object] = arguments.plain_list(f"api_access.{key}", cast(Any, given).get(key))
        for index, item in enumerate(items):
            path = f"api_access.{key}[{index}]"
            if not isinstance(item, str):
                arguments.problem(path, "must be a plain string (it names a rule)", Code.NOT_PLAIN)
                continue
            reason = rule(item)
            if reason is not None:
                arguments.problem(path, reason.text, reason.code)
                continue
            found[key].append(str(IPv4Network(item)) if key == "cidrs" else item)
    return found["cidrs"], found["security_group_ids"]


def _tagged_by(
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None, value: pulumi.Input[str], render: Any
) -> pulumi.Input[Any]:
    """The caller's tags with a `Name` rendered from `value` (which may be an Output)."""
    if isinstance(value, str):
        return name_tagged(tags, str(render(value)))
    return pulumi.Output.all(pulumi.Output.from_input(tags or {}), value).apply(
        lambda resolved: {**resolved[0], "Name": str(render(resolved[1]))}
    )


def _sorted_networks(cidrs: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[list[str]]:
    """The distinct CIDRs ordered by address (so adding a site appends and changes nothing else)."""
    return pulumi.Output.all(*cidrs.values()).apply(
        lambda values: planning.sorted_cidrs(str(v) for v in values)
    )


def hybrid_node_access_entry(
    name: str,
    cluster: HybridCluster,
    role_arn: pulumi.Input[str],
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
) -> aws.eks.AccessEntry:
    """The HYBRID_LINUX access entry that lets nodes with `role_arn` (`NodeIdentity.role_arn`) join as
    `system:node:<session name>`, a child of `cluster` named `<name>-hybrid-nodes`.

    No policy association, no Kubernetes groups, no username: EKS sets them for this type.
    """
    return aws.eks.AccessEntry(
        f"{name}-hybrid-nodes",
        cluster_name=cluster.cluster_name,
        principal_arn=role_arn,
        type=HYBRID_ACCESS_ENTRY_TYPE,
        tags=tags if tags is not None else {},
        opts=pulumi.ResourceOptions(parent=cluster),
    )


@dataclass(frozen=True)
class _Existing:
    facts: ExistingCluster
    arn: str
    endpoint: str
    certificate_authority: str
    security_group_id: str


def read_existing_cluster(cluster_name: str, region: str) -> _Existing:
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
    description: pulumi.Input[str],
    trust_policy: dict[str, Any],
    policies: Sequence[str],
    region: pulumi.Input[str],
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None,
    parent: pulumi.Resource,
) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
    """`{prefix}-role` and one `{prefix}-{policy}` attachment per AWS managed policy (in the region's
    partition)."""
    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{prefix}-role",
        description=description,
        assume_role_policy=json.dumps(trust_policy),
        tags=tags if tags is not None else {},
        opts=child,
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{prefix}-{policy}",
            role=role.name,
            policy_arn=managed_policy_arn(region, policy),
            opts=child,
        )
        for policy in policies
    ]
    return role, attachments


def managed_policy_arn(region: pulumi.Input[str], policy: str) -> pulumi.Input[str]:
    """The AWS managed policy's ARN in `region`'s partition (aws, aws-us-gov, aws-cn)."""
    return derive(region, lambda known: planning.managed_policy_arn(planning.partition_for(known), policy))
