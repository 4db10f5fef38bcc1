"""Each default and allowed value is written once, in `components/domain/defaults.py`: the stack files'
models default to it, and the components' Args docstrings (the package schema's descriptions, which
`python -m eks_hybrid.provider --schema` generates from them) quote it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eks_hybrid.components.config import CiliumConfig, ClusterConfig, NodeGroupConfig
from eks_hybrid.components.config.hub import TransitGatewayConfig, VirtualPrivateGatewayConfig
from eks_hybrid.components.domain import defaults

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "package" / "schema.json").read_text())

# (resource or type, property, the text its description must hold)
DOCUMENTED = [
    ("resources", "HybridCluster", "serviceCidr", f"default {defaults.SERVICE_CIDR}"),
    ("resources", "HybridCluster", "authenticationMode", f"`{defaults.AUTHENTICATION_MODE}` (default)"),
    ("resources", "HybridCluster", "endpointAccess", f"`{defaults.ENDPOINT_ACCESS}` (default)"),
    ("resources", "HybridCluster", "coreDns", f"`{defaults.CORE_DNS}` (default"),
    (
        "resources",
        "HybridCluster",
        "publicAccessCidrs",
        f"EKS's default is\n    {defaults.OPEN_TO_THE_INTERNET}",
    ),
    ("types", "CloudNodeGroup", "instanceType", f"default {defaults.CLOUD_INSTANCE_TYPE}"),
    ("types", "CloudNodeGroup", "diskSizeGib", f"default {defaults.CLOUD_DISK_SIZE_GIB}"),
    ("types", "CloudNodeGroup", "desiredSize", f"default {defaults.CLOUD_DESIRED_SIZE}"),
    ("types", "CloudNodeGroup", "minSize", f"default {defaults.CLOUD_MIN_SIZE}"),
    ("types", "CloudNodeGroup", "maxSize", f"default {defaults.CLOUD_MAX_SIZE}"),
    ("resources", "Cilium", "chartVersion", f"default {defaults.CILIUM_CHART_VERSION}"),
    ("resources", "Cilium", "repository", f"default {defaults.CILIUM_REPOSITORY}"),
    ("resources", "Cilium", "podCidrMaskSize", f"/{defaults.POD_CIDR_MASK_SIZE} (default)"),
    ("resources", "CiliumSitePools", "podCidrMaskSize", f"default /{defaults.POD_CIDR_MASK_SIZE}"),
    ("resources", "CiliumBgpPeering", "chartVersion", f"default {defaults.CILIUM_CHART_VERSION}"),
    ("resources", "TransitGatewayHub", "amazonSideAsn", f"default {defaults.TRANSIT_GATEWAY_ASN}"),
    ("resources", "VirtualPrivateGateway", "amazonSideAsn", f"default {defaults.VPN_GATEWAY_ASN}"),
]


@pytest.mark.parametrize(("kind", "name", "prop", "text"), DOCUMENTED, ids=lambda v: str(v)[:40])
def test_the_components_docstrings_quote_the_defaults(kind: str, name: str, prop: str, text: str):
    entry = SCHEMA[kind][f"eks-hybrid:index:{name}"]
    description = (entry.get("inputProperties") or entry["properties"])[prop]["description"]
    assert text in description


def test_the_stack_file_models_default_to_the_same_values():
    cluster = ClusterConfig.model_fields
    assert cluster["service_cidr"].default == defaults.SERVICE_CIDR
    assert cluster["authentication_mode"].default == defaults.AUTHENTICATION_MODE
    assert cluster["endpoint_access"].default == defaults.ENDPOINT_ACCESS
    assert cluster["core_dns"].default == defaults.CORE_DNS
    group = NodeGroupConfig()
    assert (group.instance_type, group.disk_size_gib) == (
        defaults.CLOUD_INSTANCE_TYPE,
        defaults.CLOUD_DISK_SIZE_GIB,
    )
    assert (group.desired_size, group.min_size, group.max_size) == (
        defaults.CLOUD_DESIRED_SIZE,
        defaults.CLOUD_MIN_SIZE,
        defaults.CLOUD_MAX_SIZE,
    )
    cilium = CiliumConfig()
    assert (cilium.chart_version, cilium.repository) == (
        defaults.CILIUM_CHART_VERSION,
        defaults.CILIUM_REPOSITORY,
    )
    assert (cilium.pod_cidr_mask_size, cilium.cluster_asn) == (
        defaults.POD_CIDR_MASK_SIZE,
        defaults.CILIUM_CLUSTER_ASN,
    )
    mask = {type(m).__name__: m for m in CiliumConfig.model_fields["pod_cidr_mask_size"].metadata}
    assert (mask["Ge"].ge, mask["Le"].le) == (
        defaults.POD_CIDR_MASK_SIZE_MIN,
        defaults.POD_CIDR_MASK_SIZE_MAX,
    )
    assert TransitGatewayConfig().amazon_side_asn == defaults.TRANSIT_GATEWAY_ASN
    assert VirtualPrivateGatewayConfig.model_fields["amazon_side_asn"].default == defaults.VPN_GATEWAY_ASN
