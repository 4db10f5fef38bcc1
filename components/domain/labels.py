"""Kubernetes labels eks-hybrid itself puts on nodes, shared by the config rules, the sites and Cilium."""

# Every node of a site's Palette pools carries it (value: the site's name); Cilium's per-site
# CiliumNodeConfig selects the site's pod pool by it.
SITE_LABEL = "eks-hybrid/site"

# The cloud node group's nodes (the Palette agent, CoreDNS, webhooks; the Cilium operator with multi-pool).
CLOUD_CAPACITY_LABEL = "eks-hybrid/capacity"
CLOUD_CAPACITY_VALUE = "cloud"
