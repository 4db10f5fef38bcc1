"""`python -m palette_emulator [--port 8765] [--api-key KEY] [--project NAME=UID] [--fault SPEC] ...`.

Only `--api-key` passes (default: `PALETTE_API_KEY`, else a random key printed at start-up). Requests must
name a known project (`ProjectUid`): the seeded `Default` project, or those given with `--project`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import sys

import uvicorn

from .app import create_app
from .catalog import default_catalog, vertex_catalog
from .faults import Faults, parse_fault, parse_rate_limit
from .ratelimit import PaletteRateLimits
from .state import DEFAULT_PROJECTS
from .timing import Timing, parse_timing_override


def _project(text: str) -> tuple[str, str]:
    name, sep, uid = text.partition("=")
    if not sep or not name or len(uid) != 24 or any(c not in "0123456789abcdef" for c in uid):
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=UID with a 24-hex-digit uid")
    return uid, name


def _fault(text: str) -> object:
    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _rate(text: str) -> tuple[str, float, float]:
    try:
        return parse_rate_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _timing(text: str) -> tuple[str, float]:
    try:
        return parse_timing_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


CATALOGS = {"saas": default_catalog, "vertex": vertex_catalog}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="palette_emulator", description="A local Palette API emulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--api-key", help="the only API key accepted (default: $PALETTE_API_KEY, else random)")
    p.add_argument(
        "--project",
        action="append",
        type=_project,
        default=[],
        metavar="NAME=UID",
        help="a project requests may name in ProjectUid (repeatable; Default=6491d4a94c39ad82d3cc30ae"
        " is seeded)",
    )
    p.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        metavar="SPEC",
        help="inject a fault from start-up, e.g. kind=status,path=/v1/edgehosts,status=503,times=2",
    )
    p.add_argument(
        "--rate-limit",
        action="append",
        type=_rate,
        default=[],
        metavar="PREFIX=BURST:PER_SECOND",
        help="a 429 token bucket per path prefix, e.g. /v1/edgehosts=5:10",
    )
    p.add_argument(
        "--palette-rate-limits",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="answer 429 TooManyRequests past Palette's documented limits, per source address and endpoint"
        " prefix (default: on)",
    )
    p.add_argument(
        "--rate-limit-speed",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="multiply every documented rate by FACTOR (burst sizes unchanged), e.g. 100 for fast tests",
    )
    p.add_argument(
        "--rate-limit-retry-after",
        metavar="SECONDS",
        help="send Retry-After with each rate-limit 429 (Palette's docs name none: default none)",
    )
    p.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="divide every duration of Palette's background work by FACTOR (default 1: Palette's own, e.g."
        " a pool takes 15 minutes and a repave an hour); 60 makes minutes seconds",
    )
    p.add_argument(
        "--timing",
        action="append",
        type=_timing,
        default=[],
        metavar="NAME=SECONDS",
        help="set one duration, before --time-scale applies (repeatable): "
        + ", ".join(f"{n} (default {getattr(Timing(), n):g})" for n in Timing.names()),
    )
    p.add_argument("--region", default="us-west-2", help="the region imported clusters report")
    p.add_argument(
        "--bad-key-status",
        type=int,
        choices=(401, 404),
        default=401,
        help="how a wrong ApiKey is answered: 401, or 404 ResourceNotFound quoting the key, as Palette"
        " answers some bad keys (palette-sdk-go#209) (default: 401)",
    )
    p.add_argument(
        "--tenant",
        choices=sorted(CATALOGS),
        default="saas",
        help="the registries the tenant has: saas (Public Repo, a pack registry) or vertex (only the OCI"
        " Palette Registry FIPS)",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.rate_limit_speed <= 0:
        parser().error("--rate-limit-speed must be positive")
    if args.time_scale <= 0:
        parser().error("--time-scale must be positive")
    api_key = args.api_key or os.environ.get("PALETTE_API_KEY") or ""
    if not api_key:
        api_key = secrets.token_hex(16)
        print(
            f"palette_emulator: no --api-key given; this run accepts only ApiKey {api_key}", file=sys.stderr
        )
    faults = Faults()
    for rule in args.fault:
        faults.add(rule)
    for prefix, burst, per_second in args.rate_limit:
        faults.rate_limit(prefix, burst, per_second)
    limits = (
        PaletteRateLimits(speed=args.rate_limit_speed, retry_after=args.rate_limit_retry_after)
        if args.palette_rate_limits
        else None
    )
    app = create_app(
        faults=faults,
        rate_limits=limits,
        api_key=api_key,
        projects={**DEFAULT_PROJECTS, **dict(args.project)},
        timing=dataclasses.replace(Timing(), **dict(args.timing)).scaled(args.time_scale),
        region=args.region,
        bad_key_status=args.bad_key_status,
        catalog=CATALOGS[args.tenant](),
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
