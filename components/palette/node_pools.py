"""`PaletteNodePools`: one hybrid node pool per site pool, each named by its pool name.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast

import pulumi

from .._inputs import Arguments, is_known
from .._tokens import component_type
from ..codes import Code
from ..domain.labels import SITE_LABEL
from ..errors import Reason
from ._credentials import DEFAULT_ENDPOINT
from ._resources import HybridNodePool
from ._wire import camel_keys, palette_settings
from .providers import POOL_TIMEOUT, REPAVE_TIMEOUT

__all__ = [
    "NODE_POOLS_TYPE",
    "EdgeHost",
    "NodePool",
    "NodeTaint",
    "PaletteNodePools",
    "PaletteNodePoolsArgs",
    "pool_input",
]

NODE_POOLS_TYPE = "eks-hybrid:palette:PaletteNodePools"


class EdgeHost(TypedDict):
    """An edge host registered in Palette, placed in a pool."""

    uid: pulumi.Input[str]
    """The edge host's uid in Palette."""
    name: NotRequired[pulumi.Input[str]]
    """The node name the host gets (default: Palette's)."""
    vpn_server_ip: NotRequired[pulumi.Input[str]]
    """The host's address on the site's VPN, when it reaches the VPC through a VPN server on the host."""
    nic_name: NotRequired[pulumi.Input[str]]
    """The network interface the host uses for the cluster."""


class NodeTaint(TypedDict):
    """A Kubernetes taint on every node of a pool."""

    key: pulumi.Input[str]
    """The taint's key."""
    effect: pulumi.Input[str]
    """`NoSchedule`, `PreferNoSchedule` or `NoExecute`."""
    value: NotRequired[pulumi.Input[str]]
    """The taint's value (default empty)."""


class NodePool(TypedDict):
    """A hybrid node pool of the site's edge hosts."""

    edge_hosts: Sequence[EdgeHost]
    """The pool's edge hosts (at least one)."""
    architecture: NotRequired[pulumi.Input[str]]
    """`amd64` (default) or `arm64`; every host must match."""
    labels: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Kubernetes labels on the pool's nodes (`eks-hybrid/site=<site>` is always added: Cilium's per-site
    pod pool selects the site's nodes by it)."""
    taints: NotRequired[Sequence[NodeTaint]]
    """Taints on the pool's nodes."""
    ntp_servers: NotRequired[Sequence[pulumi.Input[str]]]
    """NTP servers of the pool's hosts."""


class PaletteNodePoolsArgs(TypedDict):
    """The arguments of `PaletteNodePools`: the site's pools and where they go in Palette (the hub's
    `PaletteHub` outputs)."""

    site: pulumi.Input[str]
    """The site's name: every pool's nodes get the label `eks-hybrid/site=<site>`."""
    pools: Mapping[str, NodePool]
    """The site's pools by pool name (a lowercase name): each is a child named `<name>-<pool>`."""
    project_uid: pulumi.Input[str]
    """The Palette project (`PaletteHub.project_uid`)."""
    cloud_config_uid: pulumi.Input[str]
    """The hub cluster's cloud config (`PaletteHub.cloud_config_uid`)."""
    profile_uid: pulumi.Input[str]
    """The hybrid pools' profile version (`PaletteHub.profile_uid`, or one of
    `PaletteHub.profile_versions`)."""
    keep_running_profile: NotRequired[bool]
    """True: each pool keeps the profile version it runs, and `profile_uid` applies to new pools only
    (Pulumi `ignore_changes`), so a hub's new version never repaves the site's nodes until the site moves;
    default False: pools follow `profile_uid`."""
    cluster_uid: NotRequired[pulumi.Input[str]]
    """The hub's cluster in Palette (`PaletteHub.cluster_uid`): the pools' waits read each pool's state,
    uid and cluster where the hub lists them (`hybridPools/metadata`). Without it they read the pool and
    its cluster one by one."""
    endpoint: NotRequired[pulumi.Input[str]]
    """Palette's API endpoint (default https://api.spectrocloud.com; `PaletteHub.endpoint`)."""
    api_key: NotRequired[pulumi.Input[str]]
    """A Palette API key (secret: kept a secret in the state and never logged). Without it, the Palette
    calls take the key from the PALETTE_API_KEY environment variable of `pulumi up`."""
    wait_timeout_seconds: NotRequired[pulumi.Input[float]]
    """How long a pool may take to reach Running with every host ready (default 1800; Spectro's docs: up
    to 15 minutes)."""
    repave_timeout_seconds: NotRequired[pulumi.Input[float]]
    """How long a pool's move to a new profile version may take, download and repave (default 5400;
    Spectro's docs: a repave can take up to an hour)."""
    poll_seconds: NotRequired[pulumi.Input[float]]
    """How often a pool's state is read meanwhile (default 15)."""


class PaletteNodePools(pulumi.ComponentResource):
    """The site's hybrid node pools in the hub's Palette cluster, one child per pool named by the pool's
    name; each waits until its pool runs."""

    pool_uids: pulumi.Output[dict[str, str]]
    """Each pool's uid in Palette, by pool name."""

    def __init__(
        self, name: str, args: PaletteNodePoolsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(NODE_POOLS_TYPE), name, None, opts)
        arguments = Arguments("PaletteNodePools", name)
        where = palette_settings(arguments, args.get("endpoint", DEFAULT_ENDPOINT), args["project_uid"])
        pools = arguments.plain_mapping("pools", args.get("pools"))
        site = args["site"]
        for pool_name, pool in pools.items():
            _check_pool(arguments, f"pools.{pool_name}", pool, site)
        arguments.raise_problems()
        secret_key = {} if args.get("api_key") is None else {"apiKey": pulumi.Output.secret(args["api_key"])}

        #: The pools' dynamic resources by pool name (Python only).
        self.pools: dict[str, HybridNodePool] = {
            pool_name: HybridNodePool(
                pool_resource_name(name, pool_name),
                {
                    **where,
                    **secret_key,
                    "cloudConfigUid": args["cloud_config_uid"],
                    "profileUid": args["profile_uid"],
                    **({"clusterUid": args["cluster_uid"]} if args.get("cluster_uid") is not None else {}),
                    "site": site,
                    "pool": pool_input(pool_name, pool, site),
                    "waitTimeoutSeconds": args.get("wait_timeout_seconds", POOL_TIMEOUT),
                    "repaveTimeoutSeconds": args.get("repave_timeout_seconds", REPAVE_TIMEOUT),
                    "pollSeconds": args.get("poll_seconds", 15.0),
                },
                pulumi.ResourceOptions(
                    parent=self,
                    ignore_changes=["profileUid"] if args.get("keep_running_profile") else None,
                    aliases=_earlier_names(name, pool_name),
                ),
            )
            for pool_name, pool in pools.items()
        }
        uids = {pool_name: pool.poolUid for pool_name, pool in self.pools.items()}
        self.pool_uids = pulumi.Output.from_input(cast(Any, uids))
        self.register_outputs({"poolUids": uids})


def pool_resource_name(name: str, pool_name: str) -> str:
    """A pool's child name: `<component>-<pool>`, without saying the site twice when the pool's name
    already starts with the component's (`dallas-workers` under `dallas`, not `dallas-dallas-workers`)."""
    return pool_name if pool_name.startswith(f"{name}-") else f"{name}-{pool_name}"


def _earlier_names(name: str, pool_name: str) -> list[pulumi.Input[str | pulumi.Alias]] | None:
    """The alias to the name eks-hybrid 0.2 and earlier gave the pool (`<component>-<pool>` always)."""
    earlier = f"{name}-{pool_name}"
    return [pulumi.Alias(name=earlier)] if earlier != pool_resource_name(name, pool_name) else None


def pool_input(pool_name: str, pool: NodePool, site: pulumi.Input[str]) -> dict[str, object]:
    """The `pool` input: the pool as the stack files spell it (camelCase, no empty optionals), with its
    name and the site label."""
    labels = {**(pool.get("labels") or {}), SITE_LABEL: site}
    wire: dict[str, object] = camel_keys({"name": pool_name, **pool, "labels": labels}, keep_none=False)
    return wire


def _check_pool(arguments: Arguments, path: str, pool: NodePool, site: pulumi.Input[str]) -> None:
    hosts = arguments.plain_list(f"{path}.edge_hosts", pool.get("edge_hosts"))
    if not hosts:
        arguments.problem(f"{path}.edge_hosts", "needs at least one edge host", Code.TOO_SHORT)
    arguments.check(f"{path}.architecture", pool.get("architecture"), _one_of("amd64", "arm64"))
    for index, taint in enumerate(arguments.plain_list(f"{path}.taints", pool.get("taints"))):
        arguments.check(
            f"{path}.taints[{index}].effect",
            taint.get("effect"),
            _one_of("NoSchedule", "PreferNoSchedule", "NoExecute"),
        )
    label = (pool.get("labels") or {}).get(SITE_LABEL)
    if label is not None and is_known(label) and is_known(site) and label != site:
        arguments.problem(
            f"{path}.labels.{SITE_LABEL}",
            f"is set by eks-hybrid to the site's name ({site}): Cilium's per-site pod pool selects the site's"
            " nodes by it",
            Code.SITE_LABEL_CONFLICT,
        )


def _one_of(*allowed: str) -> Callable[[str], Reason | None]:
    def rule(value: str) -> Reason | None:
        return (
            None
            if value in allowed
            else Reason(Code.NOT_ALLOWED, f"{value!r} is not one of {', '.join(allowed)}")
        )

    return rule
