"""The emulator's internal records: plain dataclasses, never sent as they are (the state's view methods
render what goes over the wire in the spec's shapes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now() -> str:
    """A timestamp as Palette writes them (`creationTimestamp`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Cluster:
    uid: str
    name: str
    project: str
    cloud_type: str  # "aws" for the imported EKS cluster, "edge-native" for a hybrid pool's cluster
    config_uid: str
    labels: dict[str, str]
    created: str
    state: str = "Pending"
    health: str = "Unknown"
    conditions: list[dict[str, Any]] = field(default_factory=list)
    ready_at: float = 0.0  # an imported cluster: when it turns Running/Healthy
    gone_at: float | None = None  # a deleting cluster: when it is gone
    deleted: bool = False
    hybrid_enabled: bool = False
    parent_uid: str = ""
    profile_uids: list[str] = field(default_factory=list)
    spc_apply: dict[str, Any] | None = None
    apply_at: float = 0.0  # a profile swap: when `spcApply.canBeApplied` turns true


@dataclass
class AwsConfig:
    uid: str
    cluster_uid: str
    project: str
    hybrid_config: dict[str, Any] | None = None


@dataclass
class Machine:
    uid: str
    name: str
    host_uid: str
    ready_at: float = 0.0  # when it has joined: Provisioning before, Running and ready after


@dataclass
class Pool:
    """A hybrid pool and its edge-native child: cluster, cloud config and machines."""

    uid: str
    name: str
    project: str
    aws_config_uid: str
    parent_uid: str
    cluster_uid: str
    config_uid: str
    pool_config: dict[str, Any]
    arch: str
    edge_hosts: list[dict[str, Any]]
    cluster_config: dict[str, Any]
    machines: dict[str, Machine] = field(default_factory=dict)
    state: str = "Provisioning"  # set by a test hook (a failed pool); otherwise derived from the times
    linked_at: float = 0.0  # when the pool's child cluster reference is filled in
    ready_at: float = 0.0  # when the new pool's cluster turns Running
    gone_at: float | None = None  # a deleting pool: when it is gone
    repave: Repave | None = None


@dataclass
class Repave:
    """A profile swap on a pool's cluster: downloaded at `applied_at`, its machines repaved one after
    another until `done_at`, when the cluster's packs report `profile_uid`."""

    profile_uid: str
    previous_uid: str
    applied_at: float
    done_at: float


@dataclass
class Profile:
    uid: str
    name: str
    version: str
    project: str
    labels: dict[str, str]
    annotations: dict[str, str]
    created: str
    draft: dict[str, Any] | None
    published: dict[str, Any] | None = None
