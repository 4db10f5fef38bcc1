"""A thin, read-only Palette adapter over our client (`components.palette`): GETs only, each one a
`PaletteApi` method, so every request verify sends is an operation of the vendored spec subset
(`tests/test_reference_data.py` checks `PaletteApi`'s; `tests/verify/test_palette.py` checks this file calls
nothing else).

The API key is found the way the providers find it: the stack's config first (`eks-hybrid:palette.apiKey`,
decrypted by the Pulumi CLI, as `pulumi up` decrypts it for the providers), then `PALETTE_API_KEY`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from eks_hybrid.components.codes import Code
from eks_hybrid.components.config.secrets import PALETTE_API_KEY_ENV, PALETTE_API_KEY_PATH
from eks_hybrid.components.errors import EksHybridError
from eks_hybrid.components.palette import PaletteApi, PaletteClient

from .checks.palette import HubState, PoolsState, pack_key
from .intent import PaletteHubIntent, PalettePoolsIntent

__all__ = ["PaletteKeyError", "PaletteReader", "palette_api_key"]


class PaletteKeyError(EksHybridError, RuntimeError):
    """No Palette API key could be found; the message says where to put one (never a value)."""

    code = Code.PALETTE_KEY_MISSING


def palette_api_key(
    stack: str, key_in_config: bool, environ: Mapping[str, str] | None = None, pulumi: str | None = None
) -> str:
    """The stack's own key when its config holds one (via `pulumi config get`), else PALETTE_API_KEY."""
    environ = os.environ if environ is None else environ
    tried = []
    if key_in_config:
        executable = pulumi or shutil.which("pulumi")
        if executable is not None:
            done = subprocess.run(
                [executable, "config", "get", "--path", PALETTE_API_KEY_PATH, "--stack", stack],
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            if done.returncode == 0 and done.stdout.strip():
                return done.stdout.strip()
            tried.append(f"`pulumi config get --path {PALETTE_API_KEY_PATH}` failed")
        else:
            tried.append("the stack's config holds it, but the Pulumi CLI is not on PATH to decrypt it")
    key = environ.get(PALETTE_API_KEY_ENV, "").strip()
    if key:
        return key
    tried.append(f"{PALETTE_API_KEY_ENV} is not set")
    raise PaletteKeyError(f"no Palette API key ({'; '.join(tried)})")


class PaletteReader:
    def __init__(self, api: PaletteApi) -> None:
        self.api = api

    @classmethod
    def connect(cls, endpoint: str, project_uid: str, api_key: str, **client_options: Any) -> PaletteReader:
        return cls(PaletteApi(PaletteClient(endpoint, api_key, project_uid, **client_options)))

    def close(self) -> None:
        self.api.client.close()

    def hub_state(self, intent: PaletteHubIntent) -> HubState:
        cluster = self.api.get_cluster(intent.cluster_uid)
        overview = self.api.cluster_overview(intent.cluster_uid) if cluster else None
        profile = self.api.get_profile(intent.profile_uid) if intent.profile_uid else None
        packs: dict[tuple[str, str], dict[str, Any] | None] = {}
        for pack in ((profile or {}).get("spec") or {}).get("published", {}).get("packs") or []:
            name, registry = pack_key(pack)
            if name and registry and (name, registry) not in packs:
                packs[(name, registry)] = self.api.pack_versions(name, registry)
        return HubState(
            cluster=cluster,
            overview=overview,
            cloud_config=self.api.get_aws_cloud_config(intent.cloud_config_uid),
            profile=profile,
            packs=packs,
        )

    def pools_state(self, intent: PalettePoolsIntent) -> PoolsState:
        pools = {name: self.api.get_pool(intent.cloud_config_uid, name) for name, _ in intent.pools}
        statuses = self.api.hybrid_pools(intent.cluster_uid) if intent.cluster_uid else []
        hosts = {uid: self.api.get_edge_host(uid) for _, uids in intent.pools for uid in uids}
        return PoolsState(pools=pools, statuses=statuses, hosts=hosts)
