"""The public API: each public module's `__all__`, pinned, complete and resolvable (as httpx's
tests/test_exported_members.py guards its own); the component API; and the deprecated aliases of names that
were public in 0.2.0, which still work for one minor version and warn.

The public surface (CHANGELOG, "Public API"): the area packages' components with their Args and outputs and
the few helpers a library user needs beside them, `errors`, `sites`, `postdeploy`, the stack-file contract
(`config`: its models and `validate_stack`), the stack-file programs (`composition`) and the provider
(`eks_hybrid.provider`). Everything else (the areas' submodules, `domain`, `config`'s private modules) is
internal: importable, but free to change in any release.
"""

from __future__ import annotations

import importlib
import inspect
import types

import pulumi
import pytest

# Each public module and its `__all__`: adding a name is a decision, removing one a deprecation.
PUBLIC_API: dict[str, set[str]] = {
    "eks_hybrid.components.network": {
        "DirectConnect",
        "RemoteNetworkAggregates",
        "SITE_CONNECTIVITY",
        "STRONG_PROPOSALS",
        "SiteCidrs",
        "SiteConnectivity",
        "SiteConnectivityArgs",
        "SiteRoutes",
        "SiteToSiteVpn",
        "SoftwareVpn",
        "TRANSIT_GATEWAY_HUB",
        "TransitGatewayHub",
        "TransitGatewayHubArgs",
        "TunnelProposals",
        "VIRTUAL_PRIVATE_GATEWAY",
        "VirtualPrivateGateway",
        "VirtualPrivateGatewayArgs",
        "VpcRoute",
        "VpnTunnel",
        "hub_vpc_routes",
        "site_routes",
        "tunnel_arguments",
    },
    "eks_hybrid.components.cluster": {
        "CLOUD_CAPACITY_LABEL",
        "CLOUD_NODE_LABELS",
        "ApiAccess",
        "CloudNodeGroup",
        "HYBRID_CLUSTER",
        "HybridCluster",
        "HybridClusterArgs",
        "RemoteNetworkAggregates",
        "SiteCidrs",
        "WEBHOOK_PORTS",
        "hybrid_node_access_entry",
    },
    "eks_hybrid.components.identity": {
        "IamRolesAnywhere",
        "NODE_IDENTITY",
        "NodeIdentity",
        "NodeIdentityArgs",
        "SsmActivation",
        "iam_roles_anywhere_trust_policy",
        "managed_policies",
        "node_policy",
        "role_max_session_seconds",
        "ssm_trust_policy",
    },
    "eks_hybrid.components.cni": {
        "CILIUM",
        "CILIUM_BGP_PEERING",
        "CILIUM_SITE_POOLS",
        "Cilium",
        "CiliumArgs",
        "CiliumBgpPeer",
        "CiliumBgpPeering",
        "CiliumBgpPeeringArgs",
        "CiliumSitePools",
        "CiliumSitePoolsArgs",
        "HYBRID_CONFIG",
        "HybridConfig",
        "HybridConfigArgs",
        "SiteCidrs",
    },
    "eks_hybrid.components.palette": {
        "EdgeHost",
        "HUB_TYPE",
        "HybridIdentity",
        "NODE_POOLS_TYPE",
        "NodePool",
        "NodeTaint",
        "PaletteApi",
        "PaletteClient",
        "PaletteCredentials",
        "PaletteCredentialsError",
        "PaletteHub",
        "PaletteHubArgs",
        "PaletteIamRolesAnywhere",
        "PaletteNodePools",
        "PaletteNodePoolsArgs",
        "PaletteProfile",
        "PaletteProfileCni",
        "PaletteProfileKubernetes",
        "PaletteProfileOs",
        "PaletteSsmActivation",
        "RetryPolicy",
        "iam_roles_anywhere_of",
        "resolve_credentials",
        "ssm_activation_of",
    },
    "eks_hybrid.components.config": {
        "BgpPeerConfig",
        "CiliumConfig",
        "ClusterConfig",
        "ConfigModel",
        "ConnectivityConfig",
        "CredentialsConfig",
        "CustomerGatewayConfig",
        "DirectConnectConfig",
        "EdgeHostConfig",
        "HubConfig",
        "IamRolesAnywhereConfig",
        "KUBERNETES_VERSIONS",
        "KubernetesVersion",
        "MAX_REMOTE_NETWORKS",
        "NodeGroupConfig",
        "NodePoolConfig",
        "PaletteConfig",
        "PaletteProfileConfig",
        "QuotasConfig",
        "RemoteNetworksConfig",
        "SECRET_PLACEHOLDER",
        "SiteConfig",
        "SiteInventoryEntry",
        "SitePaletteConfig",
        "SiteSpec",
        "SiteToSiteVpnConfig",
        "SoftwareVpnConfig",
        "SsmConfig",
        "StackConfig",
        "TaintConfig",
        "TransitGatewayConfig",
        "TunnelConfig",
        "VirtualPrivateGatewayConfig",
        "validate_stack",
    },
    "eks_hybrid.components.composition": {
        "build_current_stack",
        "build_hub",
        "build_site",
    },
    "eks_hybrid.components.nodeconfig": {
        "API_VERSION",
        "ClusterDetails",
        "Credentials",
        "DEFAULT_CERTIFICATE_PATH",
        "DEFAULT_PRIVATE_KEY_PATH",
        "IamRolesAnywhereCredentials",
        "MAX_NODE_NAME",
        "SsmCredentials",
        "credentials_from_exports",
        "node_config",
        "node_config_from_exports",
        "node_config_problems",
        "node_config_yaml",
    },
    "eks_hybrid.components.onprem": {
        "CiliumBgpPeering",
        "ClusterEndpoint",
        "EdgeHost",
        "NodeIdentity",
        "OnPremSite",
        "Placeholder",
        "RenderedFile",
        "SiteBundle",
        "Tunnel",
        "VpnLink",
        "render_site",
    },
    "eks_hybrid.components.errors": {
        "ArgumentsError",
        "ConfigError",
        "EksHybridError",
        "MAX_SHOWN_PROBLEMS",
        "PaletteAuthError",
        "PaletteConflictError",
        "PaletteError",
        "PaletteForbiddenError",
        "PaletteNotFoundError",
        "PaletteRateLimitedError",
        "PaletteScopeError",
        "PaletteStatusError",
        "PaletteTransportError",
        "PaletteValidationError",
        "PaletteWaitError",
        "PlanError",
        "Problem",
        "ProblemsError",
        "Reason",
        "RuleError",
        "key_path",
        "printable",
        "printable_lines",
        "shown",
    },
    "eks_hybrid.components.codes": {
        "AREAS",
        "Code",
        "markdown_table",
    },
    "eks_hybrid.components.sites": {
        "RemoteNetworkAggregates",
        "SiteCidrs",
    },
    "eks_hybrid.components.postdeploy": {
        "HUB_OUTPUTS_ENV",
        "OUTPUTS_ENV",
        "POST_DEPLOY_VERIFY",
        "PROJECT_VIRTUALENV",
        "PostDeployVerify",
        "PostDeployVerifyArgs",
        "SECRET_OUTPUTS",
        "STACKS_DIR",
        "VERIFY_EXECUTABLE",
        "verify_command",
    },
    "eks_hybrid.provider": {
        "COMPONENTS",
        "main",
        "schema",
    },
}


PACKAGES = sorted(n for n in PUBLIC_API if importlib.import_module(n).__file__.endswith("__init__.py"))
MODULES = sorted(set(PUBLIC_API) - set(PACKAGES))


@pytest.mark.parametrize("name", sorted(PUBLIC_API))
def test_the_public_api_is_pinned(name: str) -> None:
    module = importlib.import_module(name)
    assert len(module.__all__) == len(set(module.__all__))
    assert set(module.__all__) == PUBLIC_API[name]
    assert [member for member in module.__all__ if not hasattr(module, member)] == []


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_exposes_exactly_its_all(name: str) -> None:
    module = importlib.import_module(name)
    exposed = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", None) not in ("typing", "__future__")
    }
    assert sorted(exposed - set(module.__all__)) == []


@pytest.mark.parametrize("name", MODULES)
def test_what_a_module_defines_is_exported_or_private(name: str) -> None:
    module = importlib.import_module(name)
    defined = {
        member
        for member, value in vars(module).items()
        if (inspect.isclass(value) or inspect.isfunction(value)) and getattr(value, "__module__", "") == name
    }
    assert sorted(m for m in defined if not m.startswith("_") and m not in module.__all__) == []


# Names public in 0.2.0 that moved or became internal in 0.3.0: each still resolves, with a warning, until
# 0.4.0 (CHANGELOG, "Unreleased").
DEPRECATED_NAMES = {
    "eks_hybrid.components.network": ["check_site_against_hub", "site_kind", "site_problems"],
    "eks_hybrid.components.cluster": [
        "ExistingCluster",
        "RemoteNetworks",
        "SecurityGroupRule",
        "ami_type_for",
        "existing_cluster_problems",
        "existing_facts",
        "instance_type_problem",
        "public_endpoint_problem",
        "read_existing_cluster",
        "remote_networks",
        "security_group_rules",
    ],
    "eks_hybrid.components.cni": [
        "SitePodPool",
        "chart_source",
        "cilium_values",
        "hybrid_config_data",
        "pod_traffic_source",
        "site_pod_pools",
    ],
}
DEPRECATED_MODULES = {
    "eks_hybrid.components.stack_args": "eks_hybrid.components.config._stack_args",
    "eks_hybrid.components.eks_hub": "eks_hybrid.components.config._eks_hub",
}


@pytest.mark.parametrize(
    ("package", "name"), [(package, name) for package, names in DEPRECATED_NAMES.items() for name in names]
)
def test_a_deprecated_name_still_resolves_and_warns(package: str, name: str) -> None:
    module = importlib.import_module(package)
    assert name not in module.__all__
    with pytest.warns(
        DeprecationWarning, match=rf"{package}\.{name} is deprecated and goes in eks-hybrid 0\.4\.0"
    ):
        value = getattr(module, name)
    assert value is not None
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED_MODULES.items()))
def test_a_deprecated_module_still_imports_and_warns(old: str, new: str) -> None:
    import sys

    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=rf"{old} is deprecated and goes in eks-hybrid 0\.4\.0"):
        module = importlib.import_module(old)
    target = importlib.import_module(new)
    assert module.__all__ == target.__all__
    assert all(getattr(module, name) is getattr(target, name) for name in target.__all__)


def test_nothing_but_these_tests_uses_the_deprecated_aliases() -> None:
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    old = [*DEPRECATED_MODULES, *(f"{p} import {n}" for p, names in DEPRECATED_NAMES.items() for n in names)]
    users = []
    for path in [
        *repo.glob("tests/**/*.py"),
        *repo.glob("eks_hybrid/*.py"),
        *repo.glob("eks_hybrid/[!c]*/**/*.py"),
    ]:
        if path.name == "test_exported_members.py":
            continue
        text = path.read_text()
        users += [f"{path.relative_to(repo)}: {name}" for name in old if name in text]
    assert users == []


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
