"""How `plan` scales with the number of sites, against raw pulumi-aws registrations (run: `make bench`).

For N in SITES: plan 1 hub + N generated sites (the hub once, its outputs reused by every site) and, as a
baseline, run the same number of mock-engine runs registering the same number of raw `aws.ec2.Route`s,
in the same mock engine. Each measurement runs in its own process so peak memory (max RSS) is its own.
Prints wall time, peak memory and the ratio ours/baseline, and the time per site.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
SITE_COUNTS = (1, 10, 100)


def generated_stacks(directory: Path, sites: int) -> list[str]:
    """A hub with `sites` inventory entries and one site stack each (a mix of all connectivity kinds)."""
    hub = yaml.safe_load((REPO / "stacks" / "Pulumi.example-hub.yaml").read_text())["config"]
    kinds = ("tgw", "vgw", "dx", "software")
    inventory = {}
    names = []
    for index in range(sites):
        name = f"site{index:03d}"
        kind = kinds[index % len(kinds)]
        inventory[name] = {
            "nodeCidr": f"10.{index // 2 + 1}.{(index % 2) * 128}.0/17",
            "podCidr": f"172.16.{index}.0/24",
            "routeVia": "transitGateway" if kind == "tgw" else "site",
        }
        connectivity: dict[str, Any] = {
            "tgw": {
                "type": "siteToSiteVpn",
                "siteToSiteVpn": {"customerGateway": {"ipAddress": "203.0.113.10"}},
            },
            "vgw": {
                "type": "siteToSiteVpn",
                "siteToSiteVpn": {
                    "attachTo": "virtualPrivateGateway",
                    "customerGateway": {"ipAddress": "203.0.113.11"},
                },
            },
            "dx": {
                "type": "directConnect",
                "directConnect": {"gatewayId": "5f2b9c1e-0000-0000-0000-000000000000"},
            },
            "software": {
                "type": "softwareVpn",
                "softwareVpn": {"networkInterfaceId": "eni-0a1b2c3d4e5f60001"},
            },
        }[kind]
        site = {
            "aws:region": hub["aws:region"],
            "eks-hybrid:role": "site",
            "eks-hybrid:hub": "bench-hub",
            "eks-hybrid:site": {
                "name": name,
                "connectivity": connectivity,
                "nodePools": [{"name": f"{name}-workers", "edgeHosts": [{"uid": f"edge-{name}"}]}],
            },
        }
        (directory / f"Pulumi.bench-{name}.yaml").write_text(yaml.safe_dump({"config": site}))
        names.append(f"bench-{name}")
    hub["eks-hybrid:sites"] = inventory
    # EKS takes 15 remote networks of each kind: the generated sites sit inside two aggregates. Three in
    # four sites route their own CIDRs in every VPC table (2 routes each), more than the default of 50
    # routes per table at 100 sites, so the generated account has that adjustable quota raised.
    hub["eks-hybrid:remoteNetworks"] = {"nodeCidrs": ["10.0.0.0/9"], "podCidrs": ["172.16.0.0/16"]}
    hub["eks-hybrid:quotas"] = {"routesPerRouteTable": 1000}
    hub["eks-hybrid:cluster"]["vpcCidr"] = "10.200.0.0/16"
    hub["eks-hybrid:cilium"]["podCidrMaskSize"] = 26
    (directory / "Pulumi.bench-hub.yaml").write_text(yaml.safe_dump({"config": hub}))
    return ["bench-hub", *names]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_ours(sites: int) -> dict[str, Any]:
    from eks_hybrid.planner import Planner

    with tempfile.TemporaryDirectory() as tmp:
        stacks = generated_stacks(Path(tmp), sites)
        planner = Planner(Path(tmp), offline_secrets=True)  # a preview: no Palette key here
        start = time.perf_counter()
        counts = [len(planner.plan(name).run.resources) for name in stacks]
        wall = time.perf_counter() - start
    return {"wall": wall, "peak_mib": _peak_mib(), "counts": counts}


def worker_baseline(counts: list[int]) -> dict[str, Any]:
    import pulumi_aws as aws

    from eks_hybrid.offline.engine import run_offline

    def program(count: int) -> None:
        for index in range(count):
            aws.ec2.Route(
                f"route-{index}",
                route_table_id="rtb-0a1b2c3d4e5f60001",
                destination_cidr_block=f"10.{index // 256}.{index % 256}.0/24",
                transit_gateway_id="tgw-0123456789abcdef0",
            )

    start = time.perf_counter()
    for stack, count in enumerate(counts):
        run_offline(functools.partial(program, count), stack=f"baseline-{stack}")
    return {"wall": time.perf_counter() - start, "peak_mib": _peak_mib()}


def _measure(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=REPO
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print(
        f"{'sites':>5} {'resources':>9} {'ours s':>8} {'base s':>8} {'ratio':>6} {'ms/site':>8}"
        f" {'ours MiB':>9} {'base MiB':>9}"
    )
    for sites in SITE_COUNTS:
        ours = _measure("--worker", "ours", "--sites", str(sites))
        base = _measure("--worker", "baseline", "--counts", json.dumps(ours["counts"]))
        per_site = 1000 * ours["wall"] / (sites + 1)
        print(
            f"{sites:>5} {sum(ours['counts']):>9} {ours['wall']:>8.2f} {base['wall']:>8.2f}"
            f" {ours['wall'] / base['wall']:>6.2f} {per_site:>8.1f}"
            f" {ours['peak_mib']:>9.0f} {base['peak_mib']:>9.0f}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=("ours", "baseline"))
    parser.add_argument("--sites", type=int, default=1)
    parser.add_argument("--counts", default="[]")
    options = parser.parse_args()
    if options.worker == "ours":
        print(json.dumps(worker_ours(options.sites)))
    elif options.worker == "baseline":
        print(json.dumps(worker_baseline(json.loads(options.counts))))
    else:
        main()
