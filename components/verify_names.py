"""The names `eks-hybrid verify` and `PostDeployVerify` share: the areas verify checks and the environment
variables that carry a stack's outputs to it.

Plain constants with no imports of Pulumi or pydantic, so that the CLI can word its help from them without
loading either (`eks-hybrid --help` stays quick; `tests/speed` checks it).
"""

from typing import Literal

__all__ = ["HUB_OUTPUTS_ENV", "OUTPUTS_ENV", "VERIFY_AREAS", "VerifyArea"]

# What `eks-hybrid verify` checks, in report order: `eks-hybrid:verify.skip` and `PostDeployVerify`'s `skip`
# take these names.
VerifyArea = Literal["routes", "transit-gateway", "vpn", "eks", "identity", "palette", "kubernetes", "quotas"]
VERIFY_AREAS: tuple[VerifyArea, ...] = (
    "routes",
    "transit-gateway",
    "vpn",
    "eks",
    "identity",
    "palette",
    "kubernetes",
    "quotas",
)

# A stack's outputs (and a site's hub's) as JSON, in the environment of the post-deploy command.
OUTPUTS_ENV = "EKS_HYBRID_OUTPUTS"
HUB_OUTPUTS_ENV = "EKS_HYBRID_HUB_OUTPUTS"
