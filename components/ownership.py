"""The tags that say which hub or site an AWS resource belongs to.

Every taggable resource a stack declares carries one of them (the policy pack's `owner-tagged` rule checks
it), so a console search or a cost report finds a site's or an environment's resources by tag.
"""

SITE_TAG = "eks-hybrid:site"
"""On a site stack's resources: the site's name."""
HUB_TAG = "eks-hybrid:hub"
"""On a hub stack's resources: the hub's cluster name (the environment it serves)."""
OWNER_TAGS = (SITE_TAG, HUB_TAG)
NODE_CIDR_TAG = "eks-hybrid:node-cidr"
"""On a site's VPN connection: the node network it carries (what its static routes must cover)."""
POD_CIDR_TAG = "eks-hybrid:pod-cidr"
"""On a site's VPN connection: the pod network it carries."""
