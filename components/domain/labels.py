"""Kubernetes labels eks-hybrid itself puts on nodes, shared by the config rules, the sites and Cilium."""

# Every node of a site's Palette pools carries it (value: the site's name); Cilium's per-site
# CiliumNodeConfig selects the site's pod pool by it.
SITE_LABEL = "eks-hybrid/site"

# The cloud node group's nodes (the Palette agent, CoreDNS, webhooks; the Cilium operator with multi-pool).
CLOUD_CAPACITY_LABEL = "eks-hybrid/capacity"
CLOUD_CAPACITY_VALUE = "cloud"

# The Kubernetes group of the identity `router/pod-routes.sh` reads CiliumNodes with, and the ClusterRole
# bound to it (get/list/watch on ciliumnodes.cilium.io, nothing else). An EKS access entry of type STANDARD
# maps the router's IAM principal to the group (EKS user guide, "Create an access entry using Kubernetes
# groups with the AWS CLI", create-k8s-group-access-entry.html; EKS API CreateAccessEntry, kubernetesGroups:
# "the value for name that you've specified for kind: Group as a subject in a ... ClusterRoleBinding").
# Kept clear of the `system:` and `eks:` prefixes Kubernetes and EKS use for their own groups (inferred).
POD_ROUTES_GROUP = "eks-hybrid:pod-routes"
POD_ROUTES_CLUSTER_ROLE = "eks-hybrid-pod-routes"
