"""The offline engine's ARNs and endpoints are in the stack's region, whatever it is."""

from __future__ import annotations

import pytest

from eks_hybrid.offline.mocks import COMPUTED, mock_id, mock_state

REGIONS = ["us-east-2", "eu-central-1", "ap-southeast-2"]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(
    "type_token",
    [
        "aws:eks/cluster:Cluster",
        "aws:rolesanywhere/trustAnchor:TrustAnchor",
        "aws:rolesanywhere/profile:Profile",
        "aws:ec2/vpnConnection:VpnConnection",
        "aws:ec2transitgateway/transitGateway:TransitGateway",
        "aws:ec2/customerGateway:CustomerGateway",
    ],
)
def test_every_arn_and_endpoint_names_the_stack_region(type_token: str, region: str) -> None:
    state = mock_state(type_token, "x", {}, region, mock_id(type_token, "x"))
    regional = [v for k, v in state.items() if k in ("arn", "endpoint")]
    assert regional and all(f"{region}" in str(v) for v in regional)
    assert not any(other in str(state) for other in {"us-west-2", *REGIONS} - {region})


def test_every_computed_output_is_given_the_region() -> None:
    """A computed function that ignored its region argument would pin one region again."""
    for type_token, computed in COMPUTED.items():
        inputs = {"clusterName": "c"} if type_token.startswith("pulumi-python") else {}
        west = computed("x", "id-1", dict(inputs), "us-west-2")
        assert "eu-north-1" not in str(west)
        north = computed("x", "id-1", dict(inputs), "eu-north-1")
        assert "us-west-2" not in str(north), type_token
