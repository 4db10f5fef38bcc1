"""Every stable code an eks-hybrid error or problem carries, with what it means.

A code names a kind of problem the way pydantic's error `type` does (`ErrorDetails.type`, pydantic-core):
it stays the same when a message's wording changes, so scripts, tests and people key on it. Codes are
kebab-case slugs (`unknown-key`), so they never read as one of pydantic's snake_case types. The CLI shows a
problem's code at the end of its line (`Pulumi.dev.yaml: eks-hybrid:cluster.serviceCidr: ... [cidr-prefix]`)
and as `"code"` in JSON error documents. `python -m eks_hybrid.components.codes --markdown` writes the
reference table (docs/reference/problem-codes.md).

Codes are only ever added; a code a release has shipped keeps its meaning.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum

__all__ = ["AREAS", "Code", "markdown_table"]

AREAS = {
    "error": "Errors: the kind of each exception class (a problem's own code is more specific)",
    "stack file": "Reading a stack file (ConfigError)",
    "config": "Stack file rules (ConfigError)",
    "plan": "Planning against the hub and the AWS account (PlanError)",
    "arguments": "Component arguments (ArgumentsError)",
    "render": "`eks-hybrid render` inputs (PlanError)",
    "palette": "Palette (PaletteError)",
    "verify": "`eks-hybrid verify` inputs (ConfigError)",
    "cli": "Command-line use",
}
"""Each code's area, in the order the reference page lists them."""


class Code(StrEnum):
    """A stable problem code: its value is the slug (`Code.UNKNOWN_KEY == "unknown-key"`); `area` and
    `meaning` say where it arises and what it means."""

    area: str
    meaning: str

    def __new__(cls, slug: str, area: str, meaning: str) -> Code:
        member = str.__new__(cls, slug)
        member._value_ = slug
        member.area = area
        member.meaning = meaning
        return member

    @classmethod
    def of(cls, slug: str) -> Code:
        """The catalogued code spelled `slug` (a `Code` as it is); ValueError for any other text."""
        try:
            return _BY_SLUG[slug]
        except KeyError:
            raise ValueError(
                f"{slug!r} is not in eks-hybrid's code catalogue (eks_hybrid.components.codes)"
            ) from None

    # --- the error classes ---------------------------------------------------------------------------
    ERROR = "error", "error", "An eks-hybrid error with no more specific code."
    INVALID_INPUT = "invalid-input", "error", "One or more problems with the input (ProblemsError)."
    INVALID_CONFIG = "invalid-config", "error", "A stack file breaks the config contract (ConfigError)."
    CANNOT_PLAN = (
        "cannot-plan",
        "error",
        "A valid stack cannot be planned against what it depends on (PlanError).",
    )
    INVALID_ARGUMENTS = "invalid-arguments", "error", "A component's arguments break a rule (ArgumentsError)."
    HUB_NOT_PLANNED = "hub-not-planned", "error", "A site was skipped: its hub stack could not be planned."
    DUPLICATE_RESOURCE = (
        "duplicate-resource",
        "error",
        "The offline engine saw two resources with one URN (two children with one name).",
    )
    PULUMI_SDK_CHANGED = (
        "pulumi-sdk-changed",
        "error",
        "The installed Pulumi SDK lacks a private name eks-hybrid relies on.",
    )
    USER_DATA = "user-data", "error", "A cloud-init user-data file cannot take eks-hybrid's settings."
    EDGEFORGE = "edgeforge", "error", "The EdgeForge (CanvOS) build inputs cannot be written."
    PACK_RESOLUTION = "pack-resolution", "error", "A Palette profile layer's pack cannot be resolved."
    CIDR_RULE = "cidr-rule", "error", "A CIDR or address breaks a rule (the problem's code says which)."
    GRAPHVIZ_MISSING = "graphviz-missing", "error", "Graphviz's `dot` is not installed (plan --format svg)."
    READ_ONLY_VIOLATION = "read-only-violation", "error", "verify refused an AWS call that is not a read."
    PALETTE_KEY_MISSING = (
        "palette-key-missing",
        "error",
        "No Palette API key was found (argument, stack config or environment).",
    )
    PLAN_SOURCE = (
        "plan-source",
        "error",
        "`eks-hybrid diff` cannot read one side (file, directory or revision).",
    )
    PLAN_DOCUMENT = (
        "plan-document",
        "error",
        "A plan JSON file given to `eks-hybrid diff` is not the shape `plan --format json` writes.",
    )
    YAML_REFUSED = "yaml-refused", "error", "A YAML document holds something a stack file may not."

    # --- reading a stack file ------------------------------------------------------------------------
    FILE_UNREADABLE = (
        "file-unreadable",
        "stack file",
        "A file cannot be read (missing, a directory, no permission).",
    )
    NO_SUCH_STACK = "no-such-stack", "stack file", "No `Pulumi.<stack>.yaml` for the stack named."
    STACK_FILE_NAME = "stack-file-name", "stack file", "A stack file's name is not `Pulumi.<stack>.yaml`."
    PROGRAM_DIR = (
        "program-dir",
        "stack file",
        "`plan --program DIR`: DIR is not a Pulumi Python program (no `Pulumi.yaml`, project name or"
        " `__main__.py`).",
    )
    CONFIG_MAPPING_MISSING = (
        "config-mapping-missing",
        "stack file",
        "The file has no top-level `config:` mapping.",
    )
    YAML_ENCODING = "yaml-encoding", "stack file", "The file is not UTF-8 (or BOM-marked UTF-16) text."
    YAML_SYNTAX = "yaml-syntax", "stack file", "The file is not valid YAML."
    YAML_TOO_LARGE = (
        "yaml-too-large",
        "stack file",
        "The file is too big, nests too deep, or holds (or expands through aliases to) too many values.",
    )
    YAML_TAG = (
        "yaml-tag",
        "stack file",
        "A value has a YAML tag a stack file may not hold (Python objects, !!binary, ...).",
    )
    YAML_LONG_NUMBER = (
        "yaml-long-number",
        "stack file",
        "A number has so many digits it is surely text: quote it.",
    )
    YAML_KEY_NOT_TEXT = "yaml-key-not-text", "stack file", "A mapping key is a list or a mapping."
    YAML_DUPLICATE_KEY = "yaml-duplicate-key", "stack file", "A mapping gives the same key twice."
    YAML_RECURSIVE_ALIAS = (
        "yaml-recursive-alias",
        "stack file",
        "A YAML alias refers to a value that contains it.",
    )

    # --- stack file rules (pydantic's error types map to the first group) ------------------------------
    MISSING_KEY = "missing-key", "config", "A required key is missing (pydantic `missing`)."
    UNKNOWN_KEY = "unknown-key", "config", "A key the schema does not have (pydantic `extra_forbidden`)."
    NOT_BOOLEAN = "not-boolean", "config", "Must be true or false (pydantic `bool_type`, `bool_parsing`)."
    NOT_WHOLE_NUMBER = (
        "not-whole-number",
        "config",
        "Must be a whole number (pydantic `int_type`, `int_parsing`, ...).",
    )
    NOT_NUMBER = "not-number", "config", "Must be a number (pydantic `float_type`, `float_parsing`)."
    NOT_TEXT = "not-text", "config", "Must be text (pydantic `string_type`)."
    NOT_LIST = "not-list", "config", "Must be a list (pydantic `list_type`, `tuple_type`)."
    NOT_MAPPING = (
        "not-mapping",
        "config",
        "Must be a mapping of keys to values (pydantic `dict_type`, `model_type`).",
    )
    NOT_ALLOWED = "not-allowed", "config", "Not one of the allowed values (pydantic `literal_error`, `enum`)."
    TOO_LONG = "too-long", "config", "Too many entries (pydantic `too_long`)."
    TOO_SHORT = "too-short", "config", "Too few entries: at least one is needed (pydantic `too_short`)."
    TOO_SMALL = (
        "too-small",
        "config",
        "Below the allowed minimum (pydantic `greater_than`, `greater_than_equal`).",
    )
    TOO_LARGE = "too-large", "config", "Above the allowed maximum (pydantic `less_than`, `less_than_equal`)."
    PATTERN_MISMATCH = (
        "pattern-mismatch",
        "config",
        "Does not match the required pattern (pydantic `string_pattern_mismatch`).",
    )
    INVALID_VALUE = (
        "invalid-value",
        "config",
        "A value breaks a rule that has no more specific code (any other pydantic type).",
    )
    INVALID_ROLE = "invalid-role", "config", "`eks-hybrid:role` is missing or not hub or site."
    ROLE_MISMATCH = (
        "role-mismatch",
        "config",
        "The role says hub but the file holds a site's keys, or the other way round.",
    )
    PLAINTEXT_SECRET = (
        "plaintext-secret",
        "config",
        "A credential is written in plain text instead of as a Pulumi secret.",
    )
    SECRET_MISSING = (
        "secret-missing",
        "config",
        "A secret a real run needs is set nowhere (stack config or environment).",
    )
    SETTINGS_REQUIRED = (
        "settings-required",
        "config",
        "The chosen kind (credentials provider, connectivity type) needs its settings block.",
    )
    NOT_A_CIDR = "not-a-cidr", "config", "Not an IPv4 network in CIDR notation."
    CIDR_HOST_BITS = (
        "cidr-host-bits",
        "config",
        "A CIDR has host bits set (the message suggests the network meant).",
    )
    CIDR_PREFIX = "cidr-prefix", "config", "A CIDR's prefix length is outside what the field allows."
    CIDR_NOT_PRIVATE = (
        "cidr-not-private",
        "config",
        "A CIDR is not inside RFC 1918 (the service CIDR must be).",
    )
    CIDR_NOT_REMOTE_RANGE = (
        "cidr-not-remote-range",
        "config",
        "A remote node or pod CIDR is outside RFC 1918 and CGNAT.",
    )
    CIDR_OVERLAP = "cidr-overlap", "config", "Node, pod, VPC and service CIDRs overlap."
    NOT_AN_IPV4_ADDRESS = "not-an-ipv4-address", "config", "Not an IPv4 address."
    ADDRESS_NOT_PUBLIC = (
        "address-not-public",
        "config",
        "A customer gateway address is not a public IPv4 address.",
    )
    TUNNEL_CIDR_RANGE = (
        "tunnel-cidr-range",
        "config",
        "A tunnel inside CIDR is not a /30 inside 169.254.0.0/16.",
    )
    TUNNEL_CIDR_RESERVED = "tunnel-cidr-reserved", "config", "A tunnel inside CIDR is one AWS reserves."
    TUNNEL_CIDR_DUPLICATE = (
        "tunnel-cidr-duplicate",
        "config",
        "Two tunnels share an inside CIDR (unique per gateway, per connection).",
    )
    TOO_MANY_TUNNELS = "too-many-tunnels", "config", "A VPN connection has two tunnels, not more."
    OUTSIDE_AGGREGATE = (
        "outside-aggregate",
        "config",
        "A site's CIDR is outside every remote network aggregate.",
    )
    TOO_MANY_REMOTE_NETWORKS = (
        "too-many-remote-networks",
        "config",
        "More than EKS's 15 remote node (or pod) networks.",
    )
    AGGREGATE_OVERLAP = (
        "aggregate-overlap",
        "config",
        "Remote network aggregates overlap each other, the VPC or the service CIDR.",
    )
    DUPLICATE_ITEM = "duplicate-item", "config", "A list names the same item twice."
    NOT_A_VPC_ID = "not-a-vpc-id", "config", "Not a VPC id (vpc-...)."
    NOT_A_SUBNET_ID = "not-a-subnet-id", "config", "Not a subnet id (subnet-...)."
    NOT_A_ROUTE_TABLE_ID = "not-a-route-table-id", "config", "Not a route table id (rtb-...)."
    NOT_AN_ENI_ID = "not-an-eni-id", "config", "Not a network interface id (eni-...)."
    NOT_A_SECURITY_GROUP_ID = "not-a-security-group-id", "config", "Not a security group id (sg-...)."
    INVALID_NAME = "invalid-name", "config", "Not a lowercase name of letters, digits and '-' (at most 63)."
    INVALID_CLUSTER_NAME = "invalid-cluster-name", "config", "Not an EKS cluster name."
    INVALID_STACK_REFERENCE = (
        "invalid-stack-reference",
        "config",
        "Not a Pulumi stack reference (stack, project/stack or org/project/stack).",
    )
    INVALID_TAG_KEY = "invalid-tag-key", "config", "Not an AWS tag key."
    INVALID_TAG_VALUE = "invalid-tag-value", "config", "Not an AWS tag value."
    RESERVED_TAG_KEY = (
        "reserved-tag-key",
        "config",
        "A tag key starts with `aws:`, which AWS keeps for itself.",
    )
    INVALID_LABEL_KEY = "invalid-label-key", "config", "Not a Kubernetes label key."
    INVALID_LABEL_VALUE = "invalid-label-value", "config", "Not a Kubernetes label value."
    SITE_LABEL_CONFLICT = (
        "site-label-conflict",
        "config",
        "A pool sets `eks-hybrid/site` to another site's name.",
    )
    DUPLICATE_POOL_NAME = "duplicate-pool-name", "config", "Two node pools of a site share a name."
    EDGE_HOST_IN_TWO_POOLS = (
        "edge-host-in-two-pools",
        "config",
        "An edge host is listed in more than one pool.",
    )
    INVALID_EDGE_HOST_NAME = (
        "invalid-edge-host-name",
        "config",
        "An edge host name is not a lowercase RFC 1123 label (at most 63 letters, digits and '-').",
    )
    DUPLICATE_EDGE_HOST_NAME = (
        "duplicate-edge-host-name",
        "config",
        "Two edge hosts of a site share a name (a host without one is named by its uid).",
    )
    INVALID_NTP_SERVER = "invalid-ntp-server", "config", "An NTP server is not a hostname or an IP address."
    INVALID_NIC_NAME = "invalid-nic-name", "config", "Not a Linux network interface name."
    INVALID_PACK_NAME = "invalid-pack-name", "config", "Not a Palette pack name."
    INVALID_PACK_TAG = "invalid-pack-tag", "config", "Not a Palette pack tag."
    INVALID_REGISTRY_NAME = "invalid-registry-name", "config", "Not a Palette registry name."
    INVALID_PROVIDER_IMAGE = (
        "invalid-provider-image",
        "config",
        "A provider image is not named the CanvOS way, so `render` cannot write its `.arg` lines.",
    )
    NODE_GROUP_SIZES = (
        "node-group-sizes",
        "config",
        "Node group sizes break minSize <= desiredSize <= maxSize.",
    )
    KUBERNETES_VERSION_UNKNOWN = (
        "kubernetes-version-unknown",
        "config",
        "A Kubernetes version that is not in eks-hybrid's EKS version table.",
    )
    KUBERNETES_VERSION_UNRELEASED = (
        "kubernetes-version-unreleased",
        "config",
        "A Kubernetes version EKS has not released yet.",
    )
    KUBERNETES_VERSION_RETIRED = (
        "kubernetes-version-retired",
        "config",
        "A Kubernetes version past the end of EKS extended support.",
    )
    CONTROL_PLANE_MINOR_SKIP = (
        "control-plane-minor-skip",
        "plan",
        "The cluster's Kubernetes version is more than one minor above the version the hub has deployed"
        " (EKS updates one minor version at a time).",
    )
    CONTROL_PLANE_DOWNGRADE = (
        "control-plane-downgrade",
        "plan",
        "The cluster's Kubernetes version is older than the version the hub has deployed (EKS cannot"
        " downgrade a cluster).",
    )
    NODE_GROUP_VERSION_SKEW = (
        "node-group-version-skew",
        "config",
        "The cloud node group's Kubernetes version is newer than the cluster's, or more than three minor"
        " versions older.",
    )
    KUBERNETES_LAYER_MISMATCH = (
        "kubernetes-layer-mismatch",
        "config",
        "Palette's Kubernetes layer is newer than the cluster's Kubernetes version, or more than three minor"
        " versions behind it.",
    )
    CREDENTIALS_FILE_WITH_PALETTE = (
        "credentials-file-with-palette",
        "config",
        "enableCredentialsFile is asked of hybrid nodes Palette's nodeadm provider configures without it.",
    )
    EDGEFORGE_IMAGE_MISMATCH = (
        "edgeforge-image-mismatch",
        "config",
        "The EdgeForge provider image is built for another Kubernetes version.",
    )
    ENDPOINT_ACCESS = "endpoint-access", "config", "Endpoint access is not private or public."
    PUBLIC_ACCESS_CIDRS_REQUIRED = (
        "public-access-cidrs-required",
        "config",
        "A public endpoint without publicAccessCidrs.",
    )
    PUBLIC_ACCESS_CIDRS_UNUSED = (
        "public-access-cidrs-unused",
        "config",
        "publicAccessCidrs with a private endpoint.",
    )
    CLOUD_EGRESS_REQUIRED = (
        "cloud-egress-required",
        "config",
        "A public endpoint limited to some ranges without cloudEgressCidrs, the cloud nodes' egress"
        " addresses.",
    )
    CLOUD_EGRESS_OUTSIDE = (
        "cloud-egress-outside",
        "config",
        "The cloud nodes' egress (cloudEgressCidrs) is outside the public endpoint's publicAccessCidrs.",
    )
    API_ACCESS_REQUIRED = (
        "api-access-required",
        "config",
        "A private endpoint without apiAccess: nothing admits the deployer to the API server.",
    )
    API_ACCESS_UNUSED = (
        "api-access-unused",
        "config",
        "apiAccess with a public endpoint, which the cluster security group does not guard.",
    )
    AUTHENTICATION_MODE = (
        "authentication-mode",
        "config",
        "An authentication mode hybrid nodes reject (not API or API_AND_CONFIG_MAP).",
    )
    HELM_LOCATION = "helm-location", "config", "Not an OCI location or a Helm repository URL."
    REGISTRY_AMBIGUOUS = (
        "registry-ambiguous",
        "config",
        "A profile layer names both registryName and registryUid.",
    )
    CILIUM_UNSUPPORTED = (
        "cilium-unsupported",
        "config",
        "A Cilium line AWS does not support for hybrid nodes.",
    )
    CILIUM_ROUTING_MODE = (
        "cilium-routing-mode",
        "config",
        "`eks-hybrid:cilium.routingMode` names a routing mode the Cilium line and IPAM mode do not run"
        " (multi-pool on 1.17 routes natively only; cluster-pool keeps the chart's VXLAN tunnel).",
    )
    CILIUM_ROUTING_MODE_FLIP = (
        "cilium-routing-mode-flip",
        "plan",
        "A chart or setting change would switch the routing mode of the hub's running Cilium (native <->"
        " tunnel): refused unless `eks-hybrid:cilium.routingMode` asks for the migration.",
    )
    CILIUM_ROUTING_MODE_MIGRATION = (
        "cilium-routing-mode-migration",
        "plan",
        "A note, not an error: `eks-hybrid:cilium.routingMode` switches the routing mode of the hub's running"
        " Cilium; cross-node pod traffic breaks until every node at every site has rolled.",
    )
    CILIUM_LINE_JUMP = (
        "cilium-line-jump",
        "plan",
        "The Cilium chart moves more than one minor line from the one the hub deployed (Cilium upgrades and"
        " rolls back one minor line at a time).",
    )
    POD_CIDR_MASK_SIZE = (
        "pod-cidr-mask-size",
        "config",
        "Cilium's per-node block size does not fit a site's pod CIDR.",
    )
    CLUSTER_POOL_NEEDS_BGP = (
        "cluster-pool-needs-bgp",
        "config",
        "Cluster-pool IPAM over several sites without BGP end to end.",
    )
    BGP_CONTROL_PLANE_OFF = (
        "bgp-control-plane-off",
        "config",
        "A site has bgpPeer while Cilium's BGP control plane is off.",
    )
    ASN_RESERVED = "asn-reserved", "config", "A reserved ASN (documentation, AS_TRANS, IANA-reserved)."
    ASN_NOT_ACCEPTED = "asn-not-accepted", "config", "An ASN outside what AWS accepts for a customer gateway."
    AMAZON_ASN_NOT_PRIVATE = (
        "amazon-asn-not-private",
        "config",
        "An Amazon-side ASN that is not a private ASN.",
    )
    ASN_CLASH = "asn-clash", "config", "Both ends of an eBGP session have the same ASN."
    POLICY_BASED_SELECTORS = (
        "policy-based-selectors",
        "config",
        "A policy-based tunnel needs one selector pair: node and pod CIDRs that make one network, and one"
        " network on the AWS side (AWS allows one SA pair per tunnel).",
    )
    POLICY_BASED_WITH_BGP = (
        "policy-based-with-bgp",
        "config",
        "policyBased with routing: bgp (BGP runs over route-based tunnels).",
    )
    CLUSTER_ASN_IS_AMAZON_SIDE = (
        "cluster-asn-is-amazon-side",
        "config",
        "Cilium's cluster ASN is a hub gateway's Amazon-side ASN, so the gateway drops the nodes' routes.",
    )
    PEER_OUTSIDE_NODE_CIDR = (
        "peer-outside-node-cidr",
        "config",
        "A BGP peer's address is outside the site's node CIDR.",
    )
    PEER_NOT_A_HOST = (
        "peer-not-a-host",
        "config",
        "A BGP peer's address is the node CIDR's network or broadcast address.",
    )
    CA_SOURCE_COUNT = "ca-source-count", "config", "The trust anchor needs exactly one CA source."
    CA_KEY_WITHOUT_CERTIFICATE = (
        "ca-key-without-certificate",
        "config",
        "A CA private key given without its certificate.",
    )
    CA_KEY_REQUIRED = "ca-key-required", "config", "Palette needs the supplied CA's private key."
    ACM_PCA_WITH_PALETTE = (
        "acm-pca-with-palette",
        "config",
        "An ACM Private CA cannot serve Palette (it never exports its key).",
    )

    # --- planning ----------------------------------------------------------------------------------------
    SITE_EGRESS_OUTSIDE = (
        "site-egress-outside",
        "plan",
        "The site's internet egress is outside its hub's publicAccessCidrs, so its nodes cannot reach the"
        " public endpoint.",
    )
    SITE_EGRESS_REQUIRED = (
        "site-egress-required",
        "plan",
        "The hub's public endpoint is limited to some ranges and the site has no customer gateway to take its"
        " egress address from: egressCidrs is needed.",
    )
    SITE_NOT_IN_HUB = "site-not-in-hub", "plan", "The site is not in its hub's `eks-hybrid:sites` inventory."
    HUB_NOT_A_HUB = "hub-not-a-hub", "plan", "A site's `eks-hybrid:hub` names no hub stack file."
    SITE_CLAIMED_TWICE = (
        "site-claimed-twice",
        "plan",
        "Two site stacks planned together claim one site of one hub (`eks-hybrid:site.name`): both refused.",
    )
    POOL_NAME_TAKEN = (
        "pool-name-taken",
        "plan",
        "Two site stacks of one hub planned together name a node pool alike: the hub's Palette pools are"
        " addressed by name, so both are refused.",
    )
    SITE_WITHOUT_STACK = (
        "site-without-stack",
        "plan",
        "A note, not an error: `plan --all` found a site of a hub's inventory that no site stack claims.",
    )
    SITES_UNREACHABLE_GATEWAYS = (
        "sites-unreachable-gateways",
        "plan",
        "A note: a site on the virtual private gateway and a site on the transit gateway (or a software VPN)"
        " cannot reach each other through AWS: the VGW routes only its own VPN and Direct Connect prefixes"
        " and the VPC CIDR.",
    )
    SITES_UNREACHABLE_DIRECT_CONNECT = (
        "sites-unreachable-direct-connect",
        "plan",
        "A note: a Direct Connect site (a Direct Connect gateway on the VGW) learns only the VPC CIDR, so no"
        " other site reaches it through AWS; a Direct Connect gateway on the transit gateway would.",
    )
    SITES_UNREACHABLE_CLOUDHUB = (
        "sites-unreachable-cloudhub",
        "plan",
        "A note: two VPN sites on the VGW reach each other only through VPN CloudHub (BGP on both, a"
        " customer gateway ASN each), and these do not qualify.",
    )
    SITES_UNREACHABLE_SAME_ASN = (
        "sites-unreachable-same-asn",
        "plan",
        "A note: two BGP sites on the transit gateway share a customer gateway ASN, so each router drops the"
        " other's routes (AS-path loop detection).",
    )
    SITES_REACH_UNKNOWN = (
        "sites-reach-unknown",
        "plan",
        "A note: whether two sites reach each other through AWS is not known (a software VPN appliance, or"
        " a `routeVia: site` site with no stack planned).",
    )
    HUB_OUTPUTS_MISSING = (
        "hub-outputs-missing",
        "plan",
        "The hub stack does not export what this version reads: `pulumi up` the hub first.",
    )
    HUB_WITHOUT_PALETTE = (
        "hub-without-palette",
        "plan",
        "The site has node pools but its hub manages no Palette cluster.",
    )
    PROFILE_KEEP_VERSION = (
        "profile-keep-version",
        "config",
        "A hybrid profile version the hub keeps must be older than its current version.",
    )
    PROFILE_VERSION_NOT_PUBLISHED = (
        "profile-version-not-published",
        "plan",
        "The site pins a hybrid profile version its hub does not publish.",
    )
    REGION_MISMATCH = "region-mismatch", "plan", "The site's region is not its hub's."
    CILIUM_OUTSIDE_AWS_SUPPORT = (
        "cilium-outside-aws-support",
        "plan",
        "A note, not an error: the hub's Cilium runs outside AWS's support for hybrid nodes (Cilium on"
        " cloud nodes, or multi-pool IPAM).",
    )
    OPERATOR_PLACEMENT = (
        "operator-placement",
        "config",
        "`eks-hybrid:cilium.operatorPlacement: hybrid` with multi-pool IPAM: the hub declares the pools"
        " before any hybrid node joins, so the operator must run on the cloud node group.",
    )
    CILIUM_BGP_IN_SITES = (
        "cilium-bgp-in-sites",
        "plan",
        "A note, not an error: with Cilium's operator on hybrid nodes, each BGP site's own stack declares its"
        " Cilium BGP objects; a site without a stack has none.",
    )
    POD_ROUTES_IDENTITY = (
        "pod-routes-identity",
        "plan",
        "A note, not an error: sites route pod blocks with router/pod-routes.sh but the hub names no IAM"
        " principal for it (`eks-hybrid:cilium.podRoutesPrincipalArn`).",
    )
    CRDS_NOT_ESTABLISHED = (
        "crds-not-established",
        "plan",
        "During `pulumi up`: Cilium's CRDs were not Established in time, so its custom resources were not"
        " created (the operator that registers them is not running).",
    )
    ROUTE_VIA_MISMATCH = (
        "route-via-mismatch",
        "plan",
        "The hub's `routeVia` for the site does not match the site's connectivity.",
    )
    VPN_GATEWAY_MISSING = (
        "vpn-gateway-missing",
        "plan",
        "The site needs the hub's virtual private gateway, and the hub has none.",
    )
    ROUTE_PROPAGATION_IN_HUB = (
        "route-propagation-in-hub",
        "plan",
        "Route propagation is the hub's (its virtual private gateway's) to set.",
    )
    ASN_MISMATCH = "asn-mismatch", "plan", "Two ASNs that must be the same router's differ."
    VPN_SERVER_ADDRESS = (
        "vpn-server-address",
        "plan",
        "An edge host's VPN server address is inside the pod, VPC or service CIDR.",
    )
    ALLOWED_PREFIX_NARROW = (
        "allowed-prefix-narrow",
        "plan",
        "A Direct Connect allowed prefix does not contain the VPC CIDR.",
    )
    TUNNEL_CIDR_NOT_RECORDED = (
        "tunnel-cidr-not-recorded",
        "plan",
        "A tunnel inside CIDR the hub's inventory does not record.",
    )
    OVER_QUOTA = "over-quota", "plan", "The hub would use more than an AWS quota allows."
    TOO_MANY_ROUTES_TO_AWS = (
        "too-many-routes-to-aws",
        "plan",
        "A site's router would advertise more routes to its VPN than AWS accepts (100).",
    )
    ATTACHMENT_SUBNET_VPC = (
        "attachment-subnet-vpc",
        "plan",
        "A transit gateway attachment subnet is in another VPC.",
    )
    ATTACHMENT_SUBNETS_SAME_ZONE = (
        "attachment-subnets-same-zone",
        "plan",
        "Two attachment subnets in one Availability Zone.",
    )
    ATTACHMENT_ZONE_MISSING = (
        "attachment-zone-missing",
        "plan",
        "An Availability Zone of the cluster has no attachment subnet.",
    )
    INVALID_INSTANCE_TYPE = "invalid-instance-type", "plan", "Not an EC2 instance type."
    INSTANCE_TYPE_TOO_SMALL = (
        "instance-type-too-small",
        "plan",
        "The cloud node group's instance type is too small for the Palette agent.",
    )
    EXISTING_CLUSTER_AUTH_MODE = (
        "existing-cluster-auth-mode",
        "plan",
        "The adopted cluster's authentication mode rejects hybrid nodes.",
    )
    EXISTING_CLUSTER_NETWORKS = (
        "existing-cluster-networks",
        "plan",
        "The adopted cluster's remote networks do not contain the sites'.",
    )
    EXISTING_CLUSTER_SERVICE_CIDR = (
        "existing-cluster-service-cidr",
        "plan",
        "The service CIDR is not the adopted cluster's.",
    )
    NOT_A_PEM_BUNDLE = "not-a-pem-bundle", "plan", "Not a PEM certificate bundle."
    NOT_A_PEM_KEY = "not-a-pem-key", "plan", "Not a PEM private key."
    CA_KEY_ENCRYPTED = (
        "ca-key-encrypted",
        "plan",
        "The CA private key is encrypted; Palette needs it unencrypted.",
    )
    CA_KEY_SEVERAL_BLOCKS = (
        "ca-key-several-blocks",
        "plan",
        "The CA private key holds more than one PEM block.",
    )
    INVALID_REGION = "invalid-region", "plan", "Not an AWS region (NodeConfig)."
    INVALID_ACTIVATION_CODE = "invalid-activation-code", "plan", "Not an SSM activation code (NodeConfig)."
    INVALID_ACTIVATION_ID = "invalid-activation-id", "plan", "Not an SSM activation id (NodeConfig)."
    NODE_NAME_TOO_LONG = (
        "node-name-too-long",
        "plan",
        "A node name longer than a role session name may be (NodeConfig).",
    )
    INVALID_ARN = "invalid-arn", "plan", "Not an ARN of the kind needed (NodeConfig)."
    NOT_AN_ABSOLUTE_PATH = "not-an-absolute-path", "plan", "A path that must be absolute is not (NodeConfig)."
    HOSTNAME_OVERRIDE = (
        "hostname-override",
        "plan",
        "`--hostname-override`, which hybrid nodes reject (NodeConfig).",
    )

    # --- component arguments -------------------------------------------------------------------------------
    VALUE_REQUIRED = "value-required", "arguments", "A required value is missing or empty."
    ONE_OF_REQUIRED = "one-of-required", "arguments", "Exactly one of several arguments must be given."
    NOT_PLAIN = "not-plain", "arguments", "Must be a plain value written in the program, not an Output."
    INVALID_KEY = "invalid-key", "arguments", "A mapping key cannot name a child resource."
    DUPLICATE_NAME = "duplicate-name", "arguments", "Two child resources would have one name."
    NOT_POSITIVE = "not-positive", "arguments", "Not a positive whole number."
    OUT_OF_RANGE = "out-of-range", "arguments", "A number outside its allowed range."
    INVALID_ASN = "invalid-asn", "arguments", "Not an ASN (1 to 4294967294)."
    INVALID_CHART_VERSION = "invalid-chart-version", "arguments", "Not a chart version (major.minor.patch)."
    ROUTE_TABLES_UNUSED = (
        "route-tables-unused",
        "arguments",
        "Route tables given where another component routes the VPC.",
    )
    INVALID_PALETTE_ENDPOINT = "invalid-palette-endpoint", "arguments", "Not a Palette endpoint URL."
    INVALID_PALETTE_PROJECT = "invalid-palette-project", "arguments", "Not a Palette project uid."
    IDENTITY_OUTPUT_MISSING = (
        "identity-output-missing",
        "arguments",
        "NodeIdentity does not make an output Palette needs.",
    )

    # --- render ---------------------------------------------------------------------------------------------
    RENDER_NEEDS_SITE = (
        "render-needs-site",
        "render",
        "`render` was given a hub stack: it writes a site's files.",
    )
    OUTPUTS_NOT_JSON = "outputs-not-json", "render", "A stack outputs file is not JSON."
    OUTPUTS_NOT_OBJECT = "outputs-not-object", "render", "A stack outputs file is not a JSON object."
    OUTPUT_IS_SECRET = (
        "output-is-secret",
        "render",
        "An output is `[secret]`: save the outputs with --show-secrets.",
    )
    OUTPUTS_MISMATCH = (
        "outputs-mismatch",
        "render",
        "The outputs are of another site, hub or deployment than the stack files.",
    )
    OUTPUTS_INCOMPLETE = "outputs-incomplete", "render", "The outputs lack a tunnel or a tunnel's key."
    OUTPUT_INVALID = (
        "output-invalid",
        "render",
        "An output `render` reads has the wrong type or shape (a CIDR that is not a CIDR, an ASN out of"
        " range...).",
    )
    INPUT_NOT_REGULAR_FILE = (
        "input-not-regular-file",
        "render",
        "An input file (--outputs, --hub-outputs, --user-data) is a directory, FIFO or device.",
    )
    INPUT_TOO_LARGE = (
        "input-too-large",
        "render",
        "An input file (--outputs, --hub-outputs, --user-data) is larger than a stack file may be.",
    )
    INVALID_INVENTORY_ENTRY = (
        "invalid-inventory-entry",
        "render",
        "A hub output's site entry is not a site inventory entry.",
    )
    ROUTE_BASED_WITHOUT_VPN = (
        "route-based-without-vpn",
        "render",
        "--route-based for a site without a Site-to-Site VPN.",
    )
    ROUTE_BASED_WITH_POLICY_BASED = (
        "route-based-with-policy-based",
        "render",
        "--route-based for a site whose stack file asks for policy-based tunnels (policyBased).",
    )
    KUBERNETES_VERSION_UNSUPPORTED = (
        "kubernetes-version-unsupported",
        "render",
        "A Kubernetes version nodeadm hybrid nodes do not support.",
    )
    USER_DATA_CONFLICT = (
        "user-data-conflict",
        "render",
        "The user-data sets a key eks-hybrid needs to another value or type.",
    )
    USER_DATA_NOT_YAML = "user-data-not-yaml", "render", "The user-data file is not valid YAML."
    USER_DATA_NOT_MAPPING = "user-data-not-mapping", "render", "The user-data file is not a YAML mapping."
    PSK_CHARACTERS = "psk-characters", "render", "A pre-shared key holds quotes, backslashes or line breaks."
    RENDER_REFUSED = (
        "render-refused",
        "render",
        "The site's files cannot be written from these inputs (the message says why).",
    )
    RENDER_PATH_UNSAFE = (
        "render-path-unsafe",
        "render",
        "A file `render` would write has a path that leaves --out or is not a plain relative path (an edge"
        " host's name becomes a file name).",
    )
    RENDER_PATH_CLASH = (
        "render-path-clash",
        "render",
        "Two files `render` would write share one path (two edge hosts with one name), or one is the other's"
        " directory.",
    )
    OUT_DIR_FOREIGN = (
        "out-dir-foreign",
        "render",
        "--out is not empty and `render` did not write it (no manifest), or holds files its manifest does not"
        " list.",
    )
    OUT_DIR_SYMLINK = (
        "out-dir-symlink",
        "render",
        "A symbolic link inside --out: `render` follows none.",
    )
    OUT_DIR_UNWRITABLE = (
        "out-dir-unwritable",
        "render",
        "--out or a file in it cannot be created or written (permissions, a file where a directory goes).",
    )

    # --- verify ---------------------------------------------------------------------------------------------
    PULUMI_CLI_MISSING = (
        "pulumi-cli-missing",
        "verify",
        "Stack outputs are needed and the Pulumi CLI is not on PATH.",
    )
    PULUMI_CLI_FAILED = "pulumi-cli-failed", "verify", "`pulumi stack output --json` failed."

    # --- palette ---------------------------------------------------------------------------------------
    PALETTE_ERROR = "palette-error", "palette", "Something went wrong talking to Palette."
    PALETTE_CREDENTIALS = (
        "palette-credentials",
        "palette",
        "The Palette endpoint, project or API key is missing or malformed.",
    )
    PALETTE_SCOPE = "palette-scope", "palette", "The API key works but cannot see the configured project."
    PALETTE_WAIT = "palette-wait", "palette", "A wait ended in a terminal bad state, or timed out."
    PALETTE_TRANSPORT = (
        "palette-transport",
        "palette",
        "No usable HTTP response: connection reset, timeout, deadline, or a body that is not JSON.",
    )
    PALETTE_STATUS = "palette-status", "palette", "Palette answered with an error status."
    PALETTE_AUTH = "palette-auth", "palette", "Palette rejected the API key (401, or 404 on the key check)."
    PALETTE_FORBIDDEN = "palette-forbidden", "palette", "The key's user may not do this in the project (403)."
    PALETTE_NOT_FOUND = "palette-not-found", "palette", "The object is not in Palette (404 ResourceNotFound)."
    PALETTE_CONFLICT = (
        "palette-conflict",
        "palette",
        "The object exists already (409, or a duplicate as 400).",
    )
    PALETTE_RATE_LIMITED = "palette-rate-limited", "palette", "Palette kept answering 429 after the retries."
    PALETTE_VALIDATION = "palette-validation", "palette", "The request did not match Palette's API (400)."
    PALETTE_KEY_MALFORMED = (
        "palette-key-malformed",
        "palette",
        "The Palette API key has whitespace, control or non-ASCII characters.",
    )
    PALETTE_PROJECT_MISSING = "palette-project-missing", "palette", "No Palette project uid is configured."
    PALETTE_CLUSTER_AMBIGUOUS = (
        "palette-cluster-ambiguous",
        "palette",
        "Several Palette clusters have the name eks-hybrid looks up.",
    )
    PALETTE_CLUSTER_NOT_IMPORTED = (
        "palette-cluster-not-imported",
        "palette",
        "The Palette cluster of the hub's name is not an imported EKS cluster (another cloud type, or not an"
        " import): the hub does not adopt it.",
    )
    PACK_VALUES_NOT_MAPPING = (
        "pack-values-not-mapping",
        "palette",
        "A pack's default values are not a YAML mapping.",
    )
    PACK_REGISTRY_NOT_FOUND = (
        "pack-registry-not-found",
        "palette",
        "No pack registry has the configured name or uid.",
    )
    PACK_REGISTRY_AMBIGUOUS = (
        "pack-registry-ambiguous",
        "palette",
        "Several pack registries have the configured name.",
    )
    PACK_NOT_FOUND = "pack-not-found", "palette", "The registry has no pack of the configured name."
    PACK_VERSION_NOT_FOUND = (
        "pack-version-not-found",
        "palette",
        "The pack has no version of the configured tag.",
    )
    PACK_LAYER_MISMATCH = "pack-layer-mismatch", "palette", "The pack is for another profile layer."
    PROFILE_IN_USE = (
        "profile-in-use",
        "palette",
        "A cluster profile cannot be deleted: site pools still use it, or Palette refused the delete.",
    )
    PROFILE_VERSION_TAKEN = (
        "profile-version-taken",
        "palette",
        "The profile version is already published with other layers: bump the version.",
    )
    EDGE_HOST_UNUSABLE = (
        "edge-host-unusable",
        "palette",
        "An edge host cannot join the pool (missing, in use, not ready or healthy, wrong architecture, or"
        " registered in Agent Mode, which the Appliance-Mode hybrid profile does not serve).",
    )
    POOL_OF_ANOTHER_SITE = (
        "pool-of-another-site",
        "palette",
        "The hub's Palette pool of that name is labelled for another site (`eks-hybrid/site`): it is neither"
        " adopted, changed nor deleted.",
    )

    # --- command-line use -----------------------------------------------------------------------------------
    INTERNAL_ERROR = (
        "internal-error",
        "cli",
        "eks-hybrid itself failed (a bug to report): the message, and the traceback with --debug, say where.",
    )
    USAGE = "usage", "cli", "The command line is not usable as given (an option, a path, a stacks directory)."


_BY_SLUG: dict[str, Code] = {code.value: code for code in Code}


def markdown_table(codes: Sequence[Code] = tuple(Code)) -> str:
    """The catalogue as Markdown: one section per area, a table of code and meaning in each."""
    lines = [
        "# Problem codes",
        "",
        "<!-- Generated by `python -m eks_hybrid.components.codes --markdown`: do not edit by hand. -->",
        "",
        "Every error eks-hybrid raises on purpose, and every problem it reports, carries one of these stable",
        "codes. The CLI prints a problem's code at the end of its line, in brackets, and writes it as",
        '`"code"` in JSON error documents; library users read `error.code` and `problem.code`. Key',
        "scripts and tests on codes, not on the wording of messages: wording may improve, a code keeps",
        "its meaning.",
    ]
    for area, title in AREAS.items():
        members = [code for code in codes if code.area == area]
        if not members:
            continue
        lines += ["", f"## {title}", "", "| Code | Meaning |", "| --- | --- |"]
        lines += [f"| `{code.value}` | {_cell(code.meaning)} |" for code in members]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _main(argv: Sequence[str] | None = None) -> int:
    if list(sys.argv[1:] if argv is None else argv) != ["--markdown"]:
        print("usage: python -m eks_hybrid.components.codes --markdown", file=sys.stderr)
        return 2
    sys.stdout.write(markdown_table())
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
