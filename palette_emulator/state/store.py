"""The records the emulator keeps, its settings, and the look-ups every resource kind shares.

`Store` is the one dataclass: the resource kinds (`edge_hosts`, `profiles`, `pools`, `edge_native`,
`clusters`, `hybrid`) are mixins over it, and `EmulatorState` is their sum.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..catalog import Catalog, default_catalog
from ..timing import Clock, Timing
from .errors import ApiError, not_found
from .records import AwsConfig, Cluster, Pool, Profile

# Spectro's docs use this uid for the Default project in their examples.
DEFAULT_PROJECTS = {"6491d4a94c39ad82d3cc30ae": "Default"}


@dataclass
class Store:
    """Settings, records and counters; `timing` is how long Palette's background work takes, read from
    `clock` (seconds)."""

    api_keys: frozenset[str]
    projects: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PROJECTS))
    region: str = "us-west-2"
    base_url: str = "http://127.0.0.1:8765"
    timing: Timing = field(default_factory=Timing)
    clock: Clock = field(default=time.monotonic, repr=False)
    # How a wrong key is answered: 401, or 404 ResourceNotFound quoting the key, which is how Palette answers
    # some bad keys (palette-sdk-go#209 redacts keys from exactly those errors).
    bad_key_status: int = 401
    catalog: Catalog = field(default_factory=default_catalog)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    aws_configs: dict[str, AwsConfig] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    pools: dict[tuple[str, str], Pool] = field(default_factory=dict)
    edge_hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    operations: list[tuple[str, str]] = field(default_factory=list)
    contract_violations: list[str] = field(default_factory=list)
    # Requests accepted although a source says Palette expects otherwise, where no source says it refuses
    # them (e.g. a `spectro` pack from an OCI registry): the emulator is no stricter than Palette, and tests
    # fail on any entry.
    flagged: list[str] = field(default_factory=list)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def now(self) -> float:
        return self.clock()

    def new_uid(self) -> str:
        return f"{next(self._counter):08x}{secrets.token_hex(8)}"

    # --- projects -------------------------------------------------------------------------------

    # Project scope is the `ProjectUid` header (SPEC; the SDK's `WithScope`) [I: 403 for a wrong one].
    def check_project(self, project: str, *, required: bool) -> None:
        """A `ProjectUid` the key cannot see is 403; project-scoped operations need one."""
        if not project:
            if required:
                raise ApiError(
                    403,
                    "Forbidden",
                    "this operation is project scoped: send a ProjectUid header (the emulator has no"
                    " tenant-scoped clusters, profiles or edge hosts)",
                )
            return
        if project not in self.projects:
            raise ApiError(403, "Forbidden", f"project '{project}' does not exist or is not accessible")

    def project_list(self, name: str | None) -> list[dict[str, Any]]:
        return [
            {"metadata": {"name": n, "uid": u}}
            for u, n in sorted(self.projects.items())
            if name in (None, "", n)
        ]

    # --- look-ups in a project, shared by the resource kinds ------------------------------------

    def _cluster(self, uid: str, project: str) -> Cluster:
        cluster = self.clusters.get(uid)
        if cluster is None or cluster.project != project or cluster.deleted:
            raise not_found("SpectroCluster", uid)
        return cluster

    def _aws_config(self, config_uid: str, project: str) -> AwsConfig:
        cloud = self.aws_configs.get(config_uid)
        if cloud is None or cloud.project != project or self.clusters[cloud.cluster_uid].deleted:
            raise not_found("CloudConfig", config_uid)
        return cloud

    def _pools_of(self, aws_config_uid: str) -> list[Pool]:
        return [p for (c, _), p in sorted(self.pools.items()) if c == aws_config_uid]

    def _pool_of(self, cluster_uid: str) -> Pool | None:
        return next((p for p in self.pools.values() if p.cluster_uid == cluster_uid), None)
