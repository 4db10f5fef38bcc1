"""The text patterns stack-file values must match, each with the words an error says instead of the regex.

A value that does not match is told what it must be ("must be a Direct Connect gateway id, the UUID AWS
shows for the gateway, e.g. 5f2b9c1e-0000-0000-0000-000000000000"), never a regular expression
(`config/messages.py` looks the words up by the pattern).
"""

from __future__ import annotations

__all__ = [
    "ACM_PCA_ARN",
    "AWS_REGION",
    "CHART_VERSION",
    "DX_GATEWAY_ID",
    "EDGE_HOST_NAME",
    "EDGE_HOST_UID",
    "HOSTNAME",
    "IAM_PRINCIPAL_ARN",
    "INSTANCE_TYPE",
    "KUBERNETES_MINOR",
    "NIC_NAME",
    "PACK_NAME",
    "PACK_TAG",
    "PALETTE_UID",
    "PATTERN_WORDS",
    "PROVIDER_IMAGE",
    "REGISTRY_NAME",
    "SEMVER",
    "described",
]

PATTERN_WORDS: dict[str, str] = {}
"""Each registered pattern's words: what a value of it is, with an example."""


def described(pattern: str, words: str) -> str:
    """Register `words` for `pattern` and return the pattern (for `Field(pattern=...)`)."""
    PATTERN_WORDS[pattern] = words
    return pattern


AWS_REGION = described(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", "an AWS Region code, e.g. us-west-2")
DX_GATEWAY_ID = described(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "a Direct Connect gateway id: the UUID AWS shows for the gateway (lowercase, 8-4-4-4-12 hex digits),"
    " e.g. 5f2b9c1e-0000-0000-0000-000000000000",
)
PALETTE_UID = described(
    r"^[0-9a-f]{24}$", "a Palette uid: 24 lowercase hex digits, e.g. 6491d4a94c39ad82d3cc30ae"
)
SEMVER = described(r"^\d+\.\d+\.\d+$", "a version x.y.z, e.g. 1.0.0")
KUBERNETES_MINOR = described(r"^\d+\.\d+$", 'a Kubernetes minor version x.y, quoted, e.g. "1.35"')
CHART_VERSION = described(
    r"^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$", "a chart version x.y.z with an optional -suffix, e.g. 1.18.5-0"
)
ACM_PCA_ARN = described(
    r"^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:.+$",
    "an AWS Private CA ARN, e.g. arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/<id>",
)
IAM_PRINCIPAL_ARN = described(
    r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$",
    "an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/deployer",
)
EDGE_HOST_UID = described(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    "an edge host uid as Palette shows it: letters, digits, '.', '_' and '-', starting with a letter or"
    " digit",
)

# Edge host names are the Kubernetes node names of the hosts (`onprem.model.EdgeHost.node_name`), the hosts'
# hostnames and the names of the files `render` writes for them: a lowercase RFC 1123 label, as Kubernetes
# names nodes ("Object Names and IDs", DNS label names). Palette's edge host id (`stylus.site.name`, "Edge
# Installer Configuration Reference") becomes the host's hostname; Spectro documents no pattern of its own,
# so the label rule is inferred from that use. A label has no '/', '.' or NUL: safe as a file name.
EDGE_HOST_NAME = described(
    r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
    "an edge host name: a lowercase RFC 1123 label of letters, digits and '-', at most 63, starting and"
    " ending with a letter or digit, e.g. dallas-01",
)

# A hostname as RFC 1123 section 2.1 allows it (RFC 952 labels that may start with a digit): labels of 1 to
# 63 letters, digits and '-', not starting or ending with '-', joined by '.', at most 253 in all. The
# validator (`fields.NtpServer`) also takes IP addresses, and refuses dotted digits that are no IPv4 address.
HOSTNAME = described(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
    "a hostname or an IP address: labels of letters, digits and '-' joined by '.', each at most 63 and"
    " not starting or ending with '-', at most 253 in all (RFC 1123), e.g. pool.ntp.org or 10.0.0.1",
)

# Linux's `dev_valid_name` (net/core/dev.c) takes a name shorter than IFNAMSIZ (16), not "." or "..", with
# no '/', ':' or whitespace; eks-hybrid narrows the rest to the characters interface names use (udev's
# predictable names enp1s0, VLANs eth0.100, bridges br-lan, bonds bond_0), so no shell or YAML
# metacharacter reaches the host's configuration.
NIC_NAME = described(
    r"^(?!\.\.?$)[A-Za-z0-9_.-]{1,15}$",
    "a Linux network interface name: 1 to 15 letters, digits, '.', '_' or '-', not '.' or '..' (the"
    " kernel's dev_valid_name, IFNAMSIZ 16), e.g. eth0 or enp1s0",
)

# EC2 instance types are `<family>.<size>` ("Amazon EC2 instance type naming conventions", EC2 User Guide:
# series, generation, options, then size after the period), e.g. m6i.large, u-6tb1.56xlarge, m7i-flex.large,
# m7i.metal-24xl; `cluster.planning` reads the family and size from the groups.
INSTANCE_TYPE = described(
    r"^(?P<family>[a-z][a-z0-9-]{0,30})\.(?P<size>[a-z0-9][a-z0-9-]{0,30})$",
    "an EC2 instance type: family, '.', size, in lowercase letters, digits and '-', e.g. m6i.large",
)

# Palette documents no pattern for pack names or tags (palette-sdk-go and the Terraform provider take any
# string): inferred from the packs Spectro Cloud publishes (`edge-native-byoi`, `cni-custom`,
# `edge-nodeadm`; tags `2.1.0`, `1.0.x`, `1.28.0-rc.1`), names at most 128 and tags at most 64.
PACK_NAME = described(
    r"^[a-z0-9]([a-z0-9-]{0,126}[a-z0-9])?$",
    "a Palette pack name: lowercase letters, digits and '-', at most 128, starting and ending with a letter"
    " or digit, e.g. edge-native-byoi",
)
PACK_TAG = described(
    r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$",
    "a Palette pack tag: a version of letters, digits, '.', '_', '+' and '-', at most 64, starting with a"
    " letter or digit, e.g. 2.1.0",
)

# Palette documents no pattern for registry names either, and its own are words with spaces ("Public Repo",
# "Palette Community Registry"): inferred, printable text of at most 128 characters without control
# characters or surrounding spaces (the name is sent in a query to find the registry's uid).
REGISTRY_NAME = described(
    r"^[^\x00-\x20\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]{0,126}[^\x00-\x20\x7f-\x9f])?$",
    "a Palette registry name: printable text of at most 128 characters, no control characters and no"
    " spaces at either end, e.g. Public Repo",
)

# A provider image as CanvOS names it (`Earthfile`, IMAGE_PATH:
# `$IMAGE_REGISTRY/$IMAGE_REPO:$K8S_DISTRIBUTION-$K8S_VERSION-$PE_VERSION-$CUSTOM_TAG`), each part in the
# grammar of an image reference (distribution/reference `regexp.go`: a domain with an optional port, path
# components of lowercase letters and digits joined by '.', '_', '__' or '-'; a tag of at most 128 word
# characters, '.' and '-'). `domain.palette.parse_provider_image` splits it; the name before the tag is at
# most 255 characters (reference.NameTotalLengthMax).
_DOMAIN_PART = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
PROVIDER_IMAGE = described(
    rf"^(?P<registry>{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?(?:/{_PATH_PART})*)"
    rf"/(?P<repo>{_PATH_PART})"
    r":(?=[A-Za-z0-9_.-]{1,128}$)(?P<distribution>[a-z0-9-]+?)-(?P<version>[0-9]+\.[0-9]+\.[0-9]+)"
    r"-(?P<pe_version>v[0-9]+\.[0-9]+\.[0-9]+)(?:-(?P<custom_tag>[A-Za-z0-9_.-]+))?$",
    "a provider image named the CanvOS way, registry/repository:distribution-version-PE version"
    "[-custom tag], e.g. registry.example.com/edge/ubuntu:nodeadm-1.32.0-v4.5.21-eks-hybrid",
)
