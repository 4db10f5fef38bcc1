"""The emulator's in-memory Palette: projects, registries, clusters, cloud configs, profiles, pools, hosts.

One module per resource kind, each a mixin over `store.Store` (the records and settings): `edge_hosts`,
`profiles` (and their packs), `pools` (hybrid pools), `edge_native` (a pool's cloud config and machines),
`clusters`, `hybrid` (hybrid mode and config); `EmulatorState` is their sum.

Internal records (`records`) are plain dataclasses; what goes over the wire is rendered by the view methods
in the spec's shapes only (the app checks every answer against the spec's response definition). Everything
is per project: a lookup from another project is a 404, as in Palette. Palette's background work takes the
time `timing.Timing` gives, read from the state's clock (`tick()` runs before each answer):

- imported cluster: `Pending` -> `Running`/`Healthy` after `import_ready`;
- cluster delete: `Deleting` for `cluster_delete`, then gone (kept only as a soft-deleted record that a
  search without `isDeleted=false` still finds, as Palette's does);
- hybrid pool: linked to its child cluster after `pool_link`; `Provisioning` -> `Running` after
  `pool_ready`; a host added provisions for `host_join`; a deleted pool is `Deleting` for `pool_delete`;
- profile swap on a pool's cluster: `spcApply.canBeApplied` false -> true after `profile_download`, then the
  machines repave one after another for `repave`, after which the cluster's packs name the new profile;
- edge host: `ready` -> `in-use` when pooled, back to `ready` when its machine or pool goes.

What Palette refuses, the emulator refuses: see the `ApiError`s (a status and a Palette error code).
Where Palette's exact code is not public the choice is marked [I] (inferred). What a source says a client
should not send, but no source says Palette refuses, is accepted and recorded in `flagged` (tests fail on
any entry). docs/guides/palette-emulator.md, "Behaviour and source", lists each with its source.
"""

from __future__ import annotations

import copy
from typing import Any

from .clusters import Clusters
from .edge_native import EdgeNativePools
from .errors import ApiError, bad_request, not_found
from .hybrid import HybridConfigs
from .store import DEFAULT_PROJECTS

__all__ = ["DEFAULT_PROJECTS", "ApiError", "EmulatorState", "bad_request", "not_found"]


class EmulatorState(Clusters, HybridConfigs, EdgeNativePools):
    """The whole emulated Palette; built with the fields of `store.Store`."""

    # --- inspection -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "projects": dict(self.projects),
                "clusters": {u: self._cluster_view(c) for u, c in self.clusters.items() if not c.deleted},
                "profiles": {u: f"{p.name}@{p.version}" for u, p in self.profiles.items()},
                "pools": {
                    f"{c}/{n}": {"uid": p.uid, "clusterUid": p.cluster_uid, "state": p.state}
                    for (c, n), p in self.pools.items()
                },
                "edgeHosts": copy.deepcopy(self.edge_hosts),
            }
