"""`__all__` is the public API of each public module, complete and resolvable (as httpx's
tests/test_exported_members.py guards its own), and the component API is pinned."""

from __future__ import annotations

import importlib
import inspect
import types

import pulumi
import pytest

# Facades: packages whose `__all__` is exactly what they expose.
FACADES = [
    "eks_hybrid.components.network",
    "eks_hybrid.components.cluster",
    "eks_hybrid.components.identity",
    "eks_hybrid.components.cni",
    "eks_hybrid.components.palette",
    "eks_hybrid.components.config",
    "eks_hybrid.components.composition",
    "eks_hybrid.components.nodeconfig",
    "eks_hybrid.components.onprem",
]
# Modules: every class and function they define is in `__all__` or private.
MODULES = [
    "eks_hybrid.components.sites",
    "eks_hybrid.components.codes",
    "eks_hybrid.components.errors",
    "eks_hybrid.components.stack_args",
    "eks_hybrid.components.eks_hub",
    "eks_hybrid.components.network.hub",
    "eks_hybrid.components.network.site",
    "eks_hybrid.components.cluster.component",
    "eks_hybrid.components.identity.component",
    "eks_hybrid.components.cni.component",
    "eks_hybrid.components.cni.bgp_peering",
    "eks_hybrid.components.cni.bgp",
    "eks_hybrid.components.palette.hub",
    "eks_hybrid.components.palette.node_pools",
    "eks_hybrid.components.postdeploy",
    "eks_hybrid.components.config.verify",
    "eks_hybrid.provider",
]


@pytest.mark.parametrize("name", FACADES)
def test_a_facade_exports_exactly_what_it_exposes(name: str) -> None:
    module = importlib.import_module(name)
    exposed = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", None) not in ("typing", "__future__")
    }
    assert sorted(exposed - set(module.__all__)) == []


@pytest.mark.parametrize("name", FACADES + MODULES)
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert len(module.__all__) == len(set(module.__all__))
    assert [member for member in module.__all__ if not hasattr(module, member)] == []


@pytest.mark.parametrize("name", MODULES)
def test_what_a_module_defines_is_exported_or_private(name: str) -> None:
    module = importlib.import_module(name)
    defined = {
        member
        for member, value in vars(module).items()
        if (inspect.isclass(value) or inspect.isfunction(value)) and getattr(value, "__module__", "") == name
    }
    assert sorted(m for m in defined if not m.startswith("_") and m not in module.__all__) == []


# The component API: each component and its Args class from its area's package, as README documents them.
COMPONENT_API = {
    "eks_hybrid.components.network": {
        "TransitGatewayHub": "TransitGatewayHubArgs",
        "VirtualPrivateGateway": "VirtualPrivateGatewayArgs",
        "SiteConnectivity": "SiteConnectivityArgs",
    },
    "eks_hybrid.components.cluster": {"HybridCluster": "HybridClusterArgs"},
    "eks_hybrid.components.identity": {"NodeIdentity": "NodeIdentityArgs"},
    "eks_hybrid.components.cni": {
        "Cilium": "CiliumArgs",
        "CiliumSitePools": "CiliumSitePoolsArgs",
        "CiliumBgpPeering": "CiliumBgpPeeringArgs",
        "HybridConfig": "HybridConfigArgs",
    },
    "eks_hybrid.components.palette": {
        "PaletteHub": "PaletteHubArgs",
        "PaletteNodePools": "PaletteNodePoolsArgs",
    },
}


@pytest.mark.parametrize("name", sorted(COMPONENT_API))
def test_each_component_and_its_args_are_exported_from_its_area(name: str) -> None:
    module = importlib.import_module(name)
    exported_components = {
        member
        for member in module.__all__
        if inspect.isclass(getattr(module, member))
        and issubclass(getattr(module, member), pulumi.ComponentResource)
    }
    assert exported_components == set(COMPONENT_API[name])
    for component, args in COMPONENT_API[name].items():
        assert args in module.__all__
        annotation = inspect.signature(getattr(module, component).__init__).parameters["args"].annotation
        assert annotation is getattr(module, args)
        assert getattr(module, args).__required_keys__ <= set(getattr(module, args).__annotations__)


def test_the_library_ships_its_type_information() -> None:
    import eks_hybrid

    assert (inspect.getfile(eks_hybrid).rsplit("/", 1)[0] + "/py.typed") and importlib.resources.files(
        "eks_hybrid"
    ).joinpath("py.typed").is_file()
