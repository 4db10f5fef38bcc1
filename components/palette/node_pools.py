"""`PaletteNodePools`: one hybrid node pool per site pool, each named by its pool name."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from ..config.site import NodePoolConfig
from ._resources import HybridNodePool

__all__ = ["NODE_POOLS_TYPE", "PaletteNodePools", "PaletteNodePoolsArgs", "pool_input"]

NODE_POOLS_TYPE = "eks-hybrid:palette:PaletteNodePools"


@dataclass
class PaletteNodePoolsArgs:
    pools: list[NodePoolConfig]
    site_name: str
    endpoint: pulumi.Input[str]
    project_uid: pulumi.Input[str]
    cloud_config_uid: pulumi.Input[str]
    profile_uid: pulumi.Input[str]
    wait_timeout_seconds: float = 1800.0
    """How long a pool may take to reach Running (Spectro's docs: up to 15 minutes)."""
    poll_seconds: float = 15.0


def pool_input(pool: NodePoolConfig) -> dict[str, object]:
    """The `pool` input: the config model as the stack file spells it (camelCase, no empty optionals)."""
    return pool.model_dump(by_alias=True, mode="json", exclude_none=True)


class PaletteNodePools(pulumi.ComponentResource):
    pools: dict[str, HybridNodePool]

    def __init__(
        self, name: str, args: PaletteNodePoolsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(NODE_POOLS_TYPE, name, None, opts)
        self.pools = {
            pool.name: HybridNodePool(
                f"{name}-{pool.name}",
                {
                    "endpoint": args.endpoint,
                    "projectUid": args.project_uid,
                    "cloudConfigUid": args.cloud_config_uid,
                    "profileUid": args.profile_uid,
                    "site": args.site_name,
                    "pool": pool_input(pool),
                    "waitTimeoutSeconds": args.wait_timeout_seconds,
                    "pollSeconds": args.poll_seconds,
                },
                pulumi.ResourceOptions(parent=self),
            )
            for pool in args.pools
        }
        self.register_outputs(
            {"poolUids": {pool_name: pool.poolUid for pool_name, pool in self.pools.items()}}
        )
