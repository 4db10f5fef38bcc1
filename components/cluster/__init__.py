"""The EKS cluster hybrid nodes join: remote networks, security group rules, cloud node group, provider."""

from .component import (
    HYBRID_CLUSTER,
    HybridCluster,
    HybridClusterArgs,
    cluster_problems,
    existing_facts,
    hybrid_node_access_entry,
)
from .planning import (
    CLOUD_CAPACITY_LABEL,
    WEBHOOK_PORTS,
    ExistingCluster,
    NodeGroupPlan,
    RemoteNetworks,
    SecurityGroupRule,
    existing_cluster_problems,
    node_group_plan,
    remote_networks,
    security_group_rules,
)

__all__ = [
    "CLOUD_CAPACITY_LABEL",
    "HYBRID_CLUSTER",
    "WEBHOOK_PORTS",
    "ExistingCluster",
    "HybridCluster",
    "HybridClusterArgs",
    "NodeGroupPlan",
    "RemoteNetworks",
    "SecurityGroupRule",
    "cluster_problems",
    "existing_cluster_problems",
    "existing_facts",
    "hybrid_node_access_entry",
    "node_group_plan",
    "remote_networks",
    "security_group_rules",
]
