"""The renderers are pure: importing them (and the package) never loads pulumi; only `bundle` may."""

from __future__ import annotations

from pathlib import Path

import eks_hybrid.components.onprem
from tests.config.test_no_pulumi import imported_pulumi_modules

PACKAGE = Path(eks_hybrid.components.onprem.__file__).parent
COMPOSES_WITH_CILIUM = {"bundle"}  # imports eks_hybrid.components.cni.bgp, whose package loads pulumi
PURE = sorted(
    f"eks_hybrid.components.onprem.{path.stem}"
    for path in PACKAGE.glob("*.py")
    if path.stem != "__init__" and path.stem not in COMPOSES_WITH_CILIUM
)


def test_the_package_and_every_renderer_never_import_pulumi():
    assert {
        "eks_hybrid.components.onprem.strongswan",
        "eks_hybrid.components.onprem.frr",
        "eks_hybrid.components.onprem.model",
    } <= set(PURE)
    assert imported_pulumi_modules(["eks_hybrid.components.onprem", *PURE]) == []
