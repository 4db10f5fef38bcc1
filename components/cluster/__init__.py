"""The EKS cluster hybrid nodes join: remote networks, security group rules, cloud node group, provider."""

from ..sites import RemoteNetworkAggregates, SiteCidrs
from .component import (
    HYBRID_CLUSTER,
    CloudNodeGroup,
    HybridCluster,
    HybridClusterArgs,
    existing_facts,
    hybrid_node_access_entry,
    read_existing_cluster,
)
from .planning import (
    CLOUD_CAPACITY_LABEL,
    CLOUD_NODE_LABELS,
    WEBHOOK_PORTS,
    ExistingCluster,
    RemoteNetworks,
    SecurityGroupRule,
    ami_type_for,
    existing_cluster_problems,
    instance_type_problem,
    public_endpoint_problem,
    remote_networks,
    security_group_rules,
)

__all__ = [
    "CLOUD_CAPACITY_LABEL",
    "CLOUD_NODE_LABELS",
    "HYBRID_CLUSTER",
    "WEBHOOK_PORTS",
    "CloudNodeGroup",
    "ExistingCluster",
    "HybridCluster",
    "HybridClusterArgs",
    "RemoteNetworkAggregates",
    "RemoteNetworks",
    "SecurityGroupRule",
    "SiteCidrs",
    "ami_type_for",
    "existing_cluster_problems",
    "existing_facts",
    "hybrid_node_access_entry",
    "instance_type_problem",
    "public_endpoint_problem",
    "read_existing_cluster",
    "remote_networks",
    "security_group_rules",
]
