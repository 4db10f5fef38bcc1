"""The example stacks end to end against the emulator: hub (import -> readiness -> hybrid -> profile),
then every site's pools, then teardown in reverse, with nothing left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.config import SECRET_PLACEHOLDER, HubConfig, SiteConfig, validate_stack
from components.palette import providers as p
from components.palette.node_pools import pool_input
from palette_emulator import EmulatorState, LiveServer

from .conftest import ProviderFactory

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def _placeholders(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {k: _placeholders(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v) for v in value]
    return value


def _load(name: str) -> Any:
    path = STACKS / f"Pulumi.{name}.yaml"
    return validate_stack(_placeholders(yaml.safe_load(path.read_text())["config"]), str(path))


def test_example_stacks_lifecycle(provider: ProviderFactory, live: LiveServer, state: EmulatorState) -> None:
    hub = _load("example-hub")
    assert isinstance(hub, HubConfig) and hub.palette is not None
    sites = [_load(f"example-{n}") for n in ("dallas", "chicago", "denver")]
    where = {"endpoint": live.url, "projectUid": hub.palette.project_uid}

    imported = provider(p.ClusterImportProvider).create({**where, "clusterName": hub.cluster.name})
    assert imported.outs is not None
    ready = provider(p.ClusterReadinessProvider).create(
        {**where, "clusterUid": imported.id, "pollSeconds": 0}
    )
    assert ready.outs and (ready.outs["state"], ready.outs["health"]) == ("Running", "Healthy")
    cloud = imported.outs["cloudConfigUid"]
    provider(p.HybridSettingsProvider).create(
        {
            **where,
            "clusterUid": imported.id,
            "cloudConfigUid": cloud,
            "vpcCidr": hub.cluster.vpc_cidr,
            "nodeCidrs": hub.remote_node_cidrs,
            "podCidrs": hub.remote_pod_cidrs,
            "identity": {
                "provider": "iamRolesAnywhere",
                "roleArn": "r",
                "trustAnchorArn": "t",
                "profileArn": "p",
            },
        }
    )
    profile = provider(p.ProfileProvider).create(
        {**where, "profile": hub.palette.profile.model_dump(by_alias=True, mode="json")}
    )
    hybrid = state.cloud_configs[cloud]["spec"]["clusterConfig"]["hybridConfig"]
    assert hybrid["remoteNodeCidrs"] == ["10.200.0.0/16", "10.201.0.0/16", "10.202.0.0/16"]

    pools = []
    for site in sites:
        assert isinstance(site, SiteConfig)
        for pool in site.site.node_pools:
            for host in pool.edge_hosts:
                state.register_edge_host(host.uid, project=hub.palette.project_uid, arch=pool.architecture)
            props = {**where, "cloudConfigUid": cloud, "profileUid": profile.id, "pool": pool_input(pool)}
            pools.append((provider(p.NodePoolProvider).create(props), props))
    assert sorted(name for _, name in state.pools) == ["chicago-workers", "dallas-workers", "denver-workers"]
    assert {h["status"]["state"] for h in state.edge_hosts.values()} == {"in-use"}
    for created, props in pools:
        read = provider(p.NodePoolProvider).read(created.id, created.outs or {})
        assert read.outs and provider(p.NodePoolProvider).diff(created.id, read.outs, props).changes is False

    for created, props in reversed(pools):
        provider(p.NodePoolProvider).delete(created.id, props)
    provider(p.ProfileProvider).delete(profile.id, where)
    provider(p.HybridSettingsProvider).delete(cloud, {**where, "clusterUid": imported.id})
    provider(p.ClusterImportProvider).delete(imported.id, where)
    assert (state.pools, state.profiles, state.clusters) == ({}, {}, {})
    assert {h["status"]["state"] for h in state.edge_hosts.values()} == {"ready"}
