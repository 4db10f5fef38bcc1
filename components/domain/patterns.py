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
    "EDGE_HOST_UID",
    "IAM_PRINCIPAL_ARN",
    "KUBERNETES_MINOR",
    "PALETTE_UID",
    "PATTERN_WORDS",
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
