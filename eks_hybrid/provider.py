"""The eks-hybrid component package: the components served to Pulumi programs in any language.

`package/` in the repository is the plugin (`PulumiPlugin.yaml`, runtime python); its `__main__.py` runs
`main()`, which hosts `COMPONENTS` with `pulumi.provider.experimental.component_provider_host`. Pulumi
infers the package's schema from the components' typed Args and Output annotations and their docstrings
(`pulumi/provider/experimental/analyzer.py`); `schema()` runs the same analyzer offline, and
`python -m eks_hybrid.provider --schema` prints it (committed as `package/schema.json`).

Every component is in the schema's `index` module (`eks-hybrid:index:TransitGatewayHub`); hosted here,
each registers under that token (see `components._tokens`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pulumi
from pulumi.provider.experimental import component_provider_host
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.schema import generate_schema

from . import __version__
from .components._tokens import PACKAGE, host_as_package
from .components.cluster import HybridCluster
from .components.cni import Cilium, CiliumBgpPeering, CiliumSitePools, HybridConfig
from .components.identity import NodeIdentity
from .components.network import SiteConnectivity, TransitGatewayHub, VirtualPrivateGateway
from .components.palette import PaletteHub, PaletteNodePools

__all__ = ["COMPONENTS", "main", "schema"]

COMPONENTS: list[type[pulumi.ComponentResource]] = [
    TransitGatewayHub,
    VirtualPrivateGateway,
    SiteConnectivity,
    HybridCluster,
    NodeIdentity,
    Cilium,
    CiliumSitePools,
    CiliumBgpPeering,
    HybridConfig,
    PaletteHub,
    PaletteNodePools,
]


def schema() -> dict[str, Any]:
    """The package schema Pulumi infers for `COMPONENTS`, as the provider serves it (no engine needed)."""
    analysis = Analyzer(PACKAGE).analyze(COMPONENTS)
    dependencies = sorted(analysis["dependencies"], key=lambda d: f"{d.name}{d.version}")
    spec = generate_schema(
        PACKAGE,
        __version__,
        None,
        analysis["component_definitions"],
        analysis["type_definitions"],
        dependencies,
    )
    document: dict[str, Any] = spec.to_json()
    return document


def main() -> None:
    """Serve the components (what the plugin's `__main__.py` runs; Pulumi starts it)."""
    if sys.argv[1:] == ["--schema"]:
        print(json.dumps(schema(), indent=2, sort_keys=True))
        return
    host_as_package()
    component_provider_host(COMPONENTS, name=PACKAGE, version=__version__)


if __name__ == "__main__":
    main()
