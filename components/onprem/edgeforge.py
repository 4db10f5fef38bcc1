"""EdgeForge (CanvOS) `.arg` lines for the edge hosts' provider images: pure.

Palette's EKS Hybrid Nodes docs ("Build Provider Images with Specific Arguments", spectrocloud/librarium
`docs/docs-content/clusters/public-cloud/aws/eks-hybrid-nodes/`) require `K8S_DISTRIBUTION=nodeadm` and
`K8S_VERSION=<major.minor.patch>` in the `.arg` file, and name the image
`$IMAGE_REGISTRY/$IMAGE_REPO:$K8S_DISTRIBUTION-$K8S_VERSION-$PE_VERSION-$CUSTOM_TAG` (CanvOS `Earthfile`,
`IMAGE_PATH`), so the hub's `palette.profile.os.providerImage` tells the registry, repository and custom
tag the build must use for the cluster profile to find the image.
"""

from __future__ import annotations

from ..codes import Code
from ..domain.palette import ProviderImage as ProviderImage
from ..domain.palette import parse_provider_image as parse_provider_image
from ..domain.patterns import PATTERN_WORDS, PROVIDER_IMAGE
from ..domain.versions import CANVOS_NODEADM_VERSIONS, creatable_versions, node_skew_problem, today_utc
from ..errors import EksHybridError

K8S_DISTRIBUTION = "nodeadm"


class EdgeForgeError(EksHybridError, ValueError):
    """The hub's Kubernetes version or provider image cannot make a nodeadm provider image."""

    code = Code.EDGEFORGE


def supported_kubernetes_versions() -> tuple[str, ...]:
    """The minor versions hybrid nodes may run today: those EKS still creates, from the version table
    (`components/domain/versions.py`, AWS's EKS release calendar). The one place `render` asks."""
    return tuple(creatable_versions(today_utc()))


def edgeforge_kubernetes_version(minor: str, profile_version: str | None = None) -> str:
    """`K8S_VERSION` for the hub's `cluster.kubernetesVersion` (`1.31` -> `1.31.0`), or the Palette profile's
    Kubernetes layer version: the nodes' version, within AWS's skew policy of the cluster's
    (`versions.node_skew_problem`: up to three minors behind, never newer) and one hybrid nodes support."""
    node_minor = minor if profile_version is None else profile_version.rsplit(".", 1)[0]
    for version in dict.fromkeys((minor, node_minor)):
        if version not in supported_kubernetes_versions():
            raise EdgeForgeError(
                f"Kubernetes {version} is not a version nodeadm hybrid nodes support"
                f" (supported: {', '.join(supported_kubernetes_versions())})",
                code=Code.KUBERNETES_VERSION_UNSUPPORTED,
            )
    if profile_version is None:
        return f"{minor}.0"
    skew = node_skew_problem(minor, profile_version)
    if skew is not None:
        raise EdgeForgeError(
            f"the Palette profile's Kubernetes layer is {skew}: the provider image and the profile carry the"
            " nodes' version",
            code=Code.KUBERNETES_LAYER_MISMATCH,
        )
    return profile_version


def edgeforge_arg(
    site: str, kubernetes_version: str, architecture: str, provider_image: str | None = None
) -> str:
    """The `.arg` lines for one architecture's provider image (merge them into your CanvOS `.arg`)."""
    parsed = parse_provider_image(provider_image) if provider_image else None
    if provider_image and parsed is None:
        # The stack-file model refuses such a name (`domain.palette.ProviderImageName`), the same parse.
        raise EdgeForgeError(
            f"palette.profile.os.providerImage must be {PATTERN_WORDS[PROVIDER_IMAGE]}",
            code=Code.INVALID_PROVIDER_IMAGE,
        )
    if parsed is not None and (
        parsed.distribution != K8S_DISTRIBUTION or parsed.kubernetes_version != kubernetes_version
    ):
        raise EdgeForgeError(
            f"palette.profile.os.providerImage {provider_image} is a {parsed.distribution}"
            f" {parsed.kubernetes_version} image: the cluster needs {K8S_DISTRIBUTION} {kubernetes_version}",
            code=Code.EDGEFORGE_IMAGE_MISMATCH,
        )
    lines = [
        f"# EdgeForge (CanvOS) build arguments for eks-hybrid site {site}, {architecture} hosts.",
        "# Merge these into the .arg file of your CanvOS checkout, then build the provider image.",
        f"K8S_DISTRIBUTION={K8S_DISTRIBUTION}",
        f"K8S_VERSION={kubernetes_version}",
        f"ARCH={architecture}",
    ]
    if parsed is not None:
        lines += [
            f"# Names the image {provider_image} (the profile's providerImage; PE_VERSION"
            f" {parsed.pe_version} comes from CanvOS).",
            f"IMAGE_REGISTRY={parsed.registry}",
            f"IMAGE_REPO={parsed.repository}",
        ]
        if parsed.custom_tag:
            lines.append(f"CUSTOM_TAG={parsed.custom_tag}")
    return "\n".join(lines) + "\n"


def canvos_warning(kubernetes_version: str) -> str | None:
    if kubernetes_version in CANVOS_NODEADM_VERSIONS:
        return None
    return (
        f"K8S_VERSION={kubernetes_version} is not in CanvOS's nodeadm list as last checked"
        f" ({', '.join(CANVOS_NODEADM_VERSIONS)}): make sure your CanvOS checkout's k8s_version.json has it"
    )
