"""The EKS cluster hybrid nodes join: remote networks, security group rules, cloud node group, provider.

Public: `HybridCluster`, its Args and outputs, the HYBRID_LINUX access entry, and the cloud nodes' labels
and the webhook ports a firewall must admit. How the cluster is planned (`planning`) is internal.
"""

from .._deprecated import moved as _moved
from ..sites import RemoteNetworkAggregates, SiteCidrs
from .component import (
    HYBRID_CLUSTER,
    ApiAccess,
    CloudNodeGroup,
    HybridCluster,
    HybridClusterArgs,
    hybrid_node_access_entry,
)
from .planning import (
    CLOUD_CAPACITY_LABEL,
    CLOUD_NODE_LABELS,
    WEBHOOK_PORTS,
)

__all__ = [
    "CLOUD_CAPACITY_LABEL",
    "CLOUD_NODE_LABELS",
    "HYBRID_CLUSTER",
    "WEBHOOK_PORTS",
    "ApiAccess",
    "CloudNodeGroup",
    "HybridCluster",
    "HybridClusterArgs",
    "RemoteNetworkAggregates",
    "SiteCidrs",
    "hybrid_node_access_entry",
]

# Public until 0.3.0, internal since (the cluster's planning, read by `HybridCluster` itself).
__getattr__ = _moved(
    __name__,
    {
        **{
            name: ("eks_hybrid.components.cluster.planning", "it is internal to HybridCluster's planning")
            for name in (
                "ExistingCluster",
                "RemoteNetworks",
                "SecurityGroupRule",
                "ami_type_for",
                "existing_cluster_problems",
                "instance_type_problem",
                "public_endpoint_problem",
                "remote_networks",
                "security_group_rules",
            )
        },
        **{
            name: ("eks_hybrid.components.cluster.component", "it is internal to HybridCluster")
            for name in ("existing_facts", "read_existing_cluster")
        },
    },
)
