"""Fixtures for the on-prem renderers: deployed-output documents, a render helper, and the netns lab."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eks_hybrid.cli.app import app
from eks_hybrid.components.domain.hub_outputs import site_inventory_text
from tests.conftest import STACKS

from .lab import Lab, unavailable_reason

# What `pulumi stack output --json --show-secrets` prints for deployed sites and hubs (values made up, in
# documentation and benchmarking ranges; keys shaped as AWS generates them: letters, digits, . and _).
ROLES_ANYWHERE = "arn:aws:rolesanywhere:us-west-2:111122223333"
DALLAS_OUTPUTS: dict[str, Any] = {
    "site": "dallas",
    "nodeCidr": "10.200.0.0/16",
    "podCidr": "192.168.0.0/16",
    "kind": "transitGatewayVpn",
    "vpnConnectionId": "vpn-0a1b2c3d4e5f60708",
    "customerGatewayId": "cgw-0a1b2c3d4e5f60708",
    "transitGatewayAttachmentId": "tgw-attach-0a1b2c3d4e5f6070",
    "tunnels": [
        {
            "outsideAddress": "198.18.10.1",
            "customerInsideAddress": "169.254.10.2",
            "awsInsideAddress": "169.254.10.1",
        },
        {
            "outsideAddress": "198.18.10.2",
            "customerInsideAddress": "169.254.10.6",
            "awsInsideAddress": "169.254.10.5",
        },
    ],
    "tunnelPresharedKeys": ["dallas.tunnel_one.Kq83hZ2", "dallas.tunnel_two.Wm55pR7"],
}
HUB_OUTPUTS: dict[str, Any] = {
    "region": "us-west-2",
    "vpcCidr": "10.100.0.0/16",
    "serviceCidr": "172.20.0.0/16",
    "amazonSideAsn": 64512,
    "vpnGatewayAsn": 64513,
    "clusterName": "edge-prod",
    "clusterEndpoint": "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-west-2.eks.amazonaws.com",
    "clusterCertificateAuthority": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t",
    "credentialsProvider": "iamRolesAnywhere",
    "hybridNodeRoleArn": "arn:aws:iam::111122223333:role/edge-prod-hybrid-nodes",
    "trustAnchorArn": f"{ROLES_ANYWHERE}:trust-anchor/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    "profileArn": f"{ROLES_ANYWHERE}:profile/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809",
    "sites": {
        "chicago": {
            "nodeCidr": "10.201.0.0/16",
            "podCidr": "172.18.0.0/16",
            "routeVia": "site",
            "tunnelInsideCidrs": [],
        },
        "dallas": {
            "nodeCidr": "10.200.0.0/16",
            "podCidr": "192.168.0.0/16",
            "routeVia": "transitGateway",
            "tunnelInsideCidrs": ["169.254.10.0/30", "169.254.10.4/30"],
        },
        "denver": {
            "nodeCidr": "10.202.0.0/16",
            "podCidr": "172.19.0.0/16",
            "routeVia": "site",
            "tunnelInsideCidrs": [],
            "bgpPeer": {"address": "10.202.0.1", "asn": 65040},
        },
    },
    "kubernetesVersion": "1.35",
    "ciliumIpamMode": "multiPool",
    "ciliumChartVersion": "1.18.5-0",
    "ciliumPodCidrMaskSize": 25,
    "ciliumBgpControlPlane": True,
    "ciliumClusterAsn": 65100,
}
AUSTIN_OUTPUTS: dict[str, Any] = {
    "site": "austin",
    "nodeCidr": "10.60.0.0/16",
    "podCidr": "192.168.0.0/17",
    "kind": "transitGatewayVpn",
    "tunnels": [
        {
            "outsideAddress": "198.18.30.1",
            "customerInsideAddress": "169.254.30.2",
            "awsInsideAddress": "169.254.30.1",
        },
        {
            "outsideAddress": "198.18.30.2",
            "customerInsideAddress": "169.254.30.6",
            "awsInsideAddress": "169.254.30.5",
        },
    ],
    "tunnelPresharedKeys": ["austin.tunnel_one.Xa71kQ", "austin.tunnel_two.Pz92mT"],
}
HUB_SSM_OUTPUTS: dict[str, Any] = {
    "region": "us-east-2",
    "vpcCidr": "10.50.0.0/16",
    "serviceCidr": "172.21.0.0/16",
    "amazonSideAsn": 64520,
    "clusterName": "edge-lab",
    "credentialsProvider": "ssm",
    "hybridNodeRoleArn": "arn:aws:iam::111122223333:role/edge-lab-hybrid-nodes",
    "ssmActivationId": "4f3e2d1c-0b9a-4887-a6f5-e4d3c2b1a098",
    "ssmActivationCode": "Ab3dEf5hIj7lMn9pQr1tUv3x",
    "sites": {
        "austin": {
            "nodeCidr": "10.60.0.0/16",
            "podCidr": "192.168.0.0/17",
            "routeVia": "transitGateway",
            "tunnelInsideCidrs": ["169.254.30.0/30", "169.254.30.4/30"],
            "bgpPeer": {"address": "10.60.0.1", "asn": 65030},
        },
        "seattle": {
            "nodeCidr": "10.61.0.0/16",
            "podCidr": "172.24.0.0/16",
            "routeVia": "transitGateway",
            "tunnelInsideCidrs": [],
            "bgpPeer": {"address": "10.61.0.1", "asn": 65031},
        },
    },
    "kubernetesVersion": "1.35",
    "ciliumIpamMode": "clusterPool",
    "ciliumChartVersion": "1.17.13-1",
    "ciliumPodCidrMaskSize": 24,
    "ciliumBgpControlPlane": True,
    "ciliumClusterAsn": 65100,
}


@pytest.fixture(scope="session")
def netns_unavailable() -> str | None:
    return unavailable_reason()


@pytest.fixture
def lab(netns_unavailable: str | None) -> Iterator[Lab]:
    if netns_unavailable:
        pytest.skip(netns_unavailable)
    instance = Lab()
    try:
        yield instance
    finally:
        instance.close()


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document))
    return path


def render(tmp_path: Path, stack: str, *args: str, stacks_dir: Path = STACKS) -> tuple[Any, Path]:
    """Run `eks-hybrid render` into `tmp_path/out`; returns the CliRunner result and the out dir."""
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["render", "--stack", stack, "--out", str(out), "--stacks-dir", str(stacks_dir), *args]
    )
    return result, out


def render_deployed(tmp_path: Path, stack: str, site: dict, hub: dict, *args: str, **kwargs: Any) -> Path:
    """Render with deployed outputs; fails the test unless render succeeds."""
    site_file = write_json(tmp_path / f"{stack}-outputs.json", site)
    hub_file = write_json(tmp_path / "hub-outputs.json", hub)
    result, out = render(
        tmp_path, stack, "--outputs", str(site_file), "--hub-outputs", str(hub_file), *args, **kwargs
    )
    assert result.exit_code == 0, result.output
    return out


def exported_inventory(sites: dict[str, Any]) -> dict[str, Any]:
    """A hub's inventory outputs as it exports them: one JSON text and the count."""
    return {"siteInventory": site_inventory_text(sites), "siteCount": len(sites)}


# The fixtures above list `sites` for readability; a hub exports them as `siteInventory`.
HUB_SITES: dict[str, Any] = HUB_OUTPUTS.pop("sites")
HUB_OUTPUTS.update(exported_inventory(HUB_SITES))
HUB_SSM_SITES: dict[str, Any] = HUB_SSM_OUTPUTS.pop("sites")
HUB_SSM_OUTPUTS.update(exported_inventory(HUB_SSM_SITES))
