"""The runner: a fetch that fails becomes a "could not check" finding for its area, with a remedy, and
never leaks a secret; the other areas still run."""

from __future__ import annotations

from typing import Any

import pytest

from eks_hybrid.components.errors import PaletteAuthError
from eks_hybrid.verify.findings import Status, exit_code
from eks_hybrid.verify.intent import (
    Intent,
    KubernetesIntent,
    PaletteHubIntent,
    RouteIntent,
    Target,
)
from eks_hybrid.verify.palette import PaletteKeyError
from eks_hybrid.verify.runner import Sources, run_checks

from .conftest import hub_config, only

TABLE = "rtb-0a1b2c3d4e5f60001"
ROUTE = RouteIntent(
    TABLE, "dallas", "node", "10.200.0.0/16", (Target("transitGateway", "tgw-0a1"),), "the hub stack"
)
PALETTE = PaletteHubIntent(
    "https://api.spectrocloud.com", "6491d4a94c39ad82d3cc30ae", "c", "cc", None, "", (), ()
)
KUBE = KubernetesIntent("edge-prod", None, None, "us-west-2", hub_config().sites)


def unreachable(*_: Any) -> Any:
    raise AssertionError("a skipped area asked for its credentials")


def test_access_denied_is_could_not_check_naming_the_policy(stubbed: Any) -> None:
    stubbed("ec2").add_client_error(
        "describe_route_tables",
        "UnauthorizedOperation",
        "You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/ci",
    )
    intent = Intent("example-hub", "hub", "us-west-2", routes=(ROUTE,))
    sources = Sources(aws=lambda: stubbed.reader, palette=unreachable, kubernetes=unreachable)
    [finding] = run_checks(intent, sources)
    assert (finding.area, finding.status) == ("routes", Status.error)
    assert finding.detail.startswith("AWS refused: An error occurred (UnauthorizedOperation)")
    assert finding.remedy == "allow this identity the read-only actions in docs/aws-verify-policy.json"
    assert exit_code([finding]) == 2


def test_each_area_fails_on_its_own_and_secrets_are_redacted() -> None:
    key = "palette-key-0123456789"

    def palette(endpoint: str, project: str) -> Any:
        raise PaletteAuthError(401, "Unauthorized", f"invalid api key {key}")

    def kubernetes(target: KubernetesIntent) -> Any:
        raise ValueError(
            "the hub exports no clusterEndpoint/clusterCertificateAuthority: pass --kubeconfig FILE"
        )

    intent = Intent("example-hub", "hub", "us-west-2", palette_hub=PALETTE, kubernetes=KUBE)
    results = run_checks(
        intent, Sources(aws=unreachable, palette=palette, kubernetes=kubernetes, secrets=[key])
    )
    denied = only(results, "Palette")
    assert denied.detail == "Palette rejected the API key (401 Unauthorized)"
    assert key not in denied.detail + denied.remedy
    cluster = only(results, "hybrid nodes")
    assert cluster.detail.startswith(
        "cannot read the cluster: ValueError: the hub exports no clusterEndpoint"
    )
    assert "--kubeconfig FILE" in cluster.remedy


def test_a_missing_palette_key_says_where_to_put_one() -> None:
    def palette(endpoint: str, project: str) -> Any:
        raise PaletteKeyError("no Palette API key (PALETTE_API_KEY is not set)")

    intent = Intent("example-hub", "hub", "us-west-2", palette_hub=PALETTE)
    [finding] = run_checks(intent, Sources(aws=unreachable, palette=palette, kubernetes=unreachable))
    assert finding.status is Status.error
    assert finding.remedy.startswith("export PALETTE_API_KEY")


def test_skipped_areas_are_not_checked_and_debug_raises() -> None:
    intent = Intent("example-hub", "hub", "us-west-2", routes=(ROUTE,), palette_hub=PALETTE, kubernetes=KUBE)
    sources = Sources(aws=unreachable, palette=unreachable, kubernetes=unreachable)
    assert run_checks(intent, sources, skip=["routes", "palette", "kubernetes"]) == []
    with pytest.raises(AssertionError, match="asked for its credentials"):
        run_checks(intent, sources, skip=["palette", "kubernetes"], debug=True)
