"""The documentation's sample `eks-hybrid verify` report (docs/guides/verify.md), generated rather than
written by hand.

The example dallas site as planned offline (its outputs and its hub's), with the real state behind it:
AWS answers given to a real `AwsReader` through botocore's Stubber (which checks every response against the
service model), Palette as the emulator over HTTP after the hub's and the site's providers' calls, and
Kubernetes as documents validated against the Kubernetes and Cilium schemas. The state: the second VPC route
table lost dallas's pod CIDR route, one tunnel is down, and dallas-02 drew pod addresses from chicago's
pool. `tests/verify/test_sample_report.py` checks the page shows exactly what this prints; to refresh it
after a change of wording, run `.venv/bin/python -m tests.verify.sample_report --write`.
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any

from botocore.stub import Stubber
from rich.console import Console

from eks_hybrid.components.composition.site import labelled_pools
from eks_hybrid.components.config.hub import PaletteProfileConfig
from eks_hybrid.components.domain.hub_outputs import hub_sites
from eks_hybrid.components.palette import PaletteApi, payloads
from eks_hybrid.components.palette.providers import resolve_packs
from eks_hybrid.planner import Planner
from eks_hybrid.verify import Finding, run_checks, site_intent
from eks_hybrid.verify.aws import AwsReader
from eks_hybrid.verify.checks.kubernetes import ClusterState
from eks_hybrid.verify.intent import Intent, KubernetesIntent
from eks_hybrid.verify.outputs import SiteOutputs
from eks_hybrid.verify.palette import PaletteReader
from eks_hybrid.verify.report import report_table, summary_line
from eks_hybrid.verify.runner import Sources
from palette_emulator import EmulatorState, LiveServer, create_app
from palette_emulator.timing import Timing

from ..conftest import REPO, STACKS
from ..palette.conftest import API_KEY, PROJECT, make_client
from .conftest import hub_config, site_config, vgw_telemetry
from .test_kubernetes import agent, cilium_node, node, validated

COMMAND = "$ eks-hybrid verify --stack example-dallas --outputs dallas.json --hub-outputs hub.json"
WIDTH = 110
PAGE = REPO / "docs" / "guides" / "verify.md"
TUNNELS = (("52.12.4.20", "UP"), ("52.12.4.21", "DOWN"))


def _palette(hub: dict[str, Any]) -> tuple[LiveServer, dict[str, Any]]:
    """The emulator holding what the hub's and dallas's providers create; the hub's Palette outputs."""
    app = create_app(api_key=API_KEY, timing=Timing.instant())
    state: EmulatorState = app.state.emulator
    server = LiveServer(app).start()
    site = site_config("example-dallas")
    for pool in site.site.node_pools:
        for host in pool.edge_hosts:
            state.register_edge_host(host.uid, project=PROJECT, arch=pool.architecture, state="ready")
    with make_client(server.url) as client:
        api = PaletteApi(client)
        cluster = api.import_aws_cluster(payloads.cluster_import_body(hub["clusterName"]))
        state.mark_cluster_running(cluster, "Healthy")
        config = str((api.get_cluster(cluster) or {})["spec"]["cloudConfigRef"]["uid"])
        api.set_hybrid_settings(cluster, payloads.hybrid_settings_body(True))
        identity = payloads.HybridIdentity(
            "iamRolesAnywhere",
            role_arn=hub["hybridNodeRoleArn"],
            trust_anchor_arn=hub["trustAnchorArn"],
            profile_arn=hub["profileArn"],
            root_ca_certificate=hub["rootCaCertificate"],
            root_ca_private_key="(the generated CA's key: a secret, not in the planned outputs)",
        )
        cidrs = [(e["nodeCidr"], e["podCidr"]) for e in hub_sites(hub).values()]
        api.put_hybrid_config(
            config,
            payloads.hybrid_config_body(
                hub["vpcCidr"], [n for n, _ in cidrs], [p for _, p in cidrs], identity
            ),
        )
        layers = _hub_profile()
        profile = api.create_profile(payloads.cluster_profile_body(layers, resolve_packs(api, layers)))
        api.publish_profile(profile)
        for pool in labelled_pools(site, "stacks/Pulumi.example-dallas.yaml"):
            api.create_pool(config, payloads.pool_create_body(pool, profile))
            api.get_pool(config, pool.name)  # the pool provider waits for it: the emulator provisions it
    outputs = {
        "paletteEndpoint": server.url,
        "paletteProjectUid": PROJECT,
        "paletteClusterUid": cluster,
        "paletteCloudConfigUid": config,
        "paletteProfileUid": profile,
    }
    return server, outputs


def _hub_profile() -> PaletteProfileConfig:
    palette = hub_config().palette
    assert palette is not None
    return palette.profile


def _aws(intent: Intent, hub: dict[str, Any], site: dict[str, Any]) -> tuple[AwsReader, Stubber]:
    """The reader, its EC2 client answering what the runner asks, in order."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "sample")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "sample")
    reader = AwsReader(intent.region)
    stub = Stubber(reader.client("ec2"))
    tgw, attachment = hub["transitGatewayId"], site["transitGatewayAttachmentId"]
    first, second = hub["routeTableIds"]
    local = {"DestinationCidrBlock": hub["vpcCidr"], "GatewayId": "local", "Origin": "CreateRouteTable"}

    def to_tgw(cidr: str) -> dict[str, Any]:
        route = {"DestinationCidrBlock": cidr, "TransitGatewayId": tgw, "Origin": "CreateRoute"}
        return {**route, "State": "active"}

    tables = [
        {"RouteTableId": first, "VpcId": hub["vpcId"], "Routes": [{**local, "State": "active"}]},
        {"RouteTableId": second, "VpcId": hub["vpcId"], "Routes": [{**local, "State": "active"}]},
    ]
    tables[0]["Routes"] += [to_tgw("10.200.0.0/16"), to_tgw("192.168.0.0/16")]
    tables[1]["Routes"] += [to_tgw("10.200.0.0/16")]  # the pod CIDR's route is gone
    stub.add_response("describe_route_tables", {"RouteTables": tables})
    table = hub["transitGatewayRouteTableId"]
    stub.add_response(
        "describe_transit_gateway_route_tables",
        {"TransitGatewayRouteTables": [{"TransitGatewayRouteTableId": table, "State": "available"}]},
    )
    vpn = site["vpnConnectionId"]
    routes = [
        {
            "DestinationCidrBlock": cidr,
            "TransitGatewayAttachments": [
                {"ResourceId": vpn, "TransitGatewayAttachmentId": attachment, "ResourceType": "vpn"}
            ],
            "Type": "static",
            "State": "active",
        }
        for cidr in ("10.200.0.0/16", "192.168.0.0/16")
    ]
    stub.add_response("search_transit_gateway_routes", {"Routes": routes, "AdditionalRoutesAvailable": False})
    connection = {
        "CustomerGatewayId": site["customerGatewayId"],
        "Category": "VPN",
        "State": "available",
        "Type": "ipsec.1",
        "VpnConnectionId": vpn,
        "TransitGatewayId": tgw,
        "Options": {"StaticRoutesOnly": True, "TunnelInsideIpVersion": "ipv4"},
        "Routes": [],
        "VgwTelemetry": vgw_telemetry(TUNNELS),
    }
    stub.add_response("describe_vpn_connections", {"VpnConnections": [connection]})
    stub.activate()
    return reader, stub


class _Cluster:
    """dallas's two hybrid nodes: both Ready with their agents; dallas-02 drew from chicago's pool."""

    def state(self) -> ClusterState:
        return validated(
            [
                node("dallas-01", "10.200.0.11", site="dallas"),
                node("dallas-02", "10.200.0.12", site="dallas"),
            ],
            [agent("dallas-01"), agent("dallas-02")],
            [
                cilium_node("dallas-01", ["192.168.0.0/25"], pool="eks-hybrid-dallas"),
                cilium_node("dallas-02", ["172.18.0.128/25"], pool="eks-hybrid-chicago"),
            ],
        )

    def close(self) -> None:
        pass


def findings() -> tuple[Intent, list[Finding]]:
    planner = Planner(STACKS, offline_secrets=True)
    hub = dict(planner.plan("example-hub").run.outputs)
    site = dict(planner.plan("example-dallas").run.outputs)
    server, palette = _palette(hub)
    try:
        hub.update(palette)
        intent = site_intent(
            "example-dallas", site_config("example-dallas"), SiteOutputs.model_validate(site), hub
        )
        reader, stub = _aws(intent, hub, site)

        def connect(endpoint: str, project: str) -> PaletteReader:
            return PaletteReader.connect(endpoint, project, API_KEY)

        def kubernetes(_: KubernetesIntent) -> Any:
            return _Cluster()

        results = run_checks(intent, Sources(aws=lambda: reader, palette=connect, kubernetes=kubernetes))
        stub.assert_no_pending_responses()
        return intent, results
    finally:
        server.stop()


def render() -> str:
    """The console block the page shows: the command, then what `eks-hybrid verify` prints."""
    intent, results = findings()
    stream = io.StringIO()
    console = Console(file=stream, width=WIDTH, color_system=None, legacy_windows=False)
    console.print(report_table(intent.stack, intent.role, results))
    console.print(summary_line(results))
    lines = [line.rstrip() for line in stream.getvalue().splitlines()]
    return "\n".join([COMMAND, *lines]) + "\n"


def page_block(page: str) -> tuple[int, int]:
    """Where the sample sits in the page: from its command line (followed by the report) to the fence."""
    start = page.index(f"```console\n{COMMAND}\neks-hybrid verify: ") + len("```console\n")
    return start, page.index("```", start)


def main(argv: list[str]) -> int:
    text = render()
    if "--write" not in argv:
        sys.stdout.write(text)
        return 0
    page = PAGE.read_text()
    start, end = page_block(page)
    PAGE.write_text(page[:start] + text + page[end:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
