"""A refresh soak under Palette's documented rate limits (run: `make bench`, or alone with its options).

300 sites' hybrid node pools live under one hub in the Palette emulator over real HTTP on 127.0.0.1. Then 8
processes (8 site stacks refreshed at once from one runner: one source address) read every pool through
the node pool's dynamic provider, each pool once, with the provider's own retry policy. The emulator
enforces Palette's documented limits (`palette_emulator/ratelimit.py`: per source address and endpoint
prefix; 10 requests a second with a burst queue of 5 on `/v1/dashboard`, 50 with 5 on `/v1/cloudconfigs`)
and answers 429 TooManyRequests past them.

Printed: the failures (0 when every refresh got through), the requests Palette received (answered and
refused with 429) and the wall time. `--per-call-key-check` makes every provider call check the key again,
as each did before the check was kept per process, for comparison.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO, REPO / "benchmarks"):  # the package, and the benchmarks' shared `_palette_hub`
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


from _palette_hub import PROJECT, hybrid_hub, provider  # noqa: E402

from eks_hybrid.components.palette import providers as p  # noqa: E402
from eks_hybrid.components.palette._client import CHECKED_KEYS  # noqa: E402
from palette_emulator import EmulatorState, LiveServer, PaletteRateLimits, create_app  # noqa: E402
from palette_emulator.timing import Timing  # noqa: E402

API_KEY = "soak-key-0123456789"
SITES = 300
PROCESSES = 8
KEY_CHECK = "/v1/dashboard/projects/metadata"


def _provider(cls: type[p.PaletteProvider], url: str) -> p.PaletteProvider:
    return provider(cls, url, API_KEY)


def seed(url: str, state: EmulatorState, sites: int) -> list[dict[str, Any]]:
    """A hub and `sites` one-host pools, each labelled with its site: the pools' state outputs."""
    where = {"endpoint": url, "projectUid": PROJECT, "pollSeconds": 0}
    identity = {"provider": "ssm", "activationId": "id", "activationCode": "code"}
    profile = {
        "name": "eks-hybrid-nodes",
        "version": "1.0.0",
        "os": {"providerImage": "registry.example.com/edge/ubuntu:nodeadm-1.31.0-v4.5.21"},
        "kubernetes": {"version": "1.31.0"},
    }
    cloud, profile_uid, _cluster = hybrid_hub(url, API_KEY, "soak", identity, profile)
    pools = _provider(p.NodePoolProvider, url)
    outs: list[dict[str, Any]] = []
    for index in range(sites):
        site, host = f"site-{index:03d}", f"edge-soak-{index:03d}"
        state.register_edge_host(host, project=PROJECT, arch="amd64")
        created = pools.create(
            {
                **where,
                "cloudConfigUid": cloud,
                "profileUid": profile_uid,
                "pool": {
                    "name": f"{site}-workers",
                    "architecture": "amd64",
                    "edgeHosts": [{"uid": host}],
                    "labels": {"eks-hybrid/site": site},
                },
            }
        ).outs
        assert created is not None
        outs.append(created)
    return outs


def refresh(
    url: str, pools: list[dict[str, Any]], per_call_key_check: bool, ready: Any, start: Any
) -> tuple[int, list[str]]:
    """One process: read each of `pools` (as `pulumi refresh` does), with the provider's retry policy."""
    provider = _provider(p.NodePoolProvider, url)
    failures: list[str] = []
    ready.put(1)
    start.wait()
    for props in pools:
        if per_call_key_check:
            CHECKED_KEYS.clear()
        try:
            result = provider.read(props["poolUid"], props)
            if not result.id:
                failures.append(f"{props['pool']['name']}: read as gone")
        except Exception as exc:  # a figure of the benchmark: printed, not raised
            failures.append(f"{props['pool']['name']}: {type(exc).__name__}: {exc}")
    return len(pools), failures


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--sites", type=int, default=SITES)
    args.add_argument("--processes", type=int, default=PROCESSES)
    args.add_argument("--per-call-key-check", action="store_true")
    options = args.parse_args(argv)
    limits = PaletteRateLimits()
    # The estate is seeded with Palette's background work instant: the soak measures refreshes, not creates.
    app = create_app(api_key=API_KEY, rate_limits=limits, timing=Timing.instant())
    state: EmulatorState = app.state.emulator
    context = multiprocessing.get_context("spawn")
    with LiveServer(app) as server:
        limits.enabled = False  # the estate is set up first, unlimited
        pools = seed(server.url, state, options.sites)
        limits.enabled = True
        limits.reset()
        shares = [pools[i :: options.processes] for i in range(options.processes)]
        manager = context.Manager()
        ready, start = manager.Queue(), manager.Event()
        with context.Pool(options.processes) as workers:
            pending = [
                workers.apply_async(refresh, (server.url, share, options.per_call_key_check, ready, start))
                for share in shares
            ]
            for _ in shares:  # every process started and imported: the clock starts with all of them
                ready.get()
            before = len(state.operations)
            began = time.perf_counter()
            start.set()
            results = [job.get() for job in pending]
            seconds = time.perf_counter() - began
        manager.shutdown()
    answered = state.operations[before:]
    checks = sum(1 for _m, path in answered if path == KEY_CHECK)
    failures = [line for _count, lines in results for line in lines]
    read = sum(count for count, _lines in results)
    mode = (
        "a key check per provider call" if options.per_call_key_check else "the key checked once per process"
    )
    print(
        f"Refresh soak: {read} pools of {options.sites} sites read by {options.processes} processes from one"
        f" address, Palette's documented rate limits on ({mode})"
    )
    print(
        f"failures {len(failures)}; requests {len(answered) + limits.refused} ({len(answered)} answered,"
        f" {limits.refused} refused with 429; {checks} key checks); {seconds:.1f} s"
    )
    for line in failures[:20]:
        print(f"  {line}")
    if state.contract_violations:
        raise SystemExit(
            "the emulator answered outside the Palette spec:\n" + "\n".join(state.contract_violations)
        )


if __name__ == "__main__":
    main()
