"""What the Palette benchmarks share: a dynamic provider configured as Pulumi configures it, and a hybrid hub
(an imported cluster, ready, in hybrid mode, with one published profile) in the emulator to put pools under.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pulumi.dynamic import ConfigureRequest  # noqa: E402
from pulumi.dynamic.config import Config  # noqa: E402

from eks_hybrid.components.palette import providers as p  # noqa: E402
from palette_emulator.timing import VirtualClock  # noqa: E402

PROJECT = "6491d4a94c39ad82d3cc30ae"


def provider(
    cls: type[p.PaletteProvider], url: str, api_key: str, clock: VirtualClock | None = None
) -> p.PaletteProvider:
    """`cls` configured with the endpoint, project and key, reporting nothing; its waits sleep on `clock`
    (the emulator's virtual time) or, without one, not at all."""
    instance = cls()
    raw = {"eks-hybrid:palette": json.dumps({"endpoint": url, "projectUid": PROJECT, "apiKey": api_key})}
    instance.configure(ConfigureRequest(Config(raw, "eks-hybrid")))
    instance.poll_sleep = clock.sleep if clock is not None else (lambda _s: None)
    if clock is not None:
        instance.clock = clock.now
    instance.report = lambda _line: None
    return instance


def hybrid_hub(
    url: str,
    api_key: str,
    name: str,
    identity: Mapping[str, Any],
    profile: Mapping[str, Any],
    clock: VirtualClock | None = None,
) -> tuple[str, str, str]:
    """Import cluster `name`, wait for it, turn hybrid mode on with `identity`, publish `profile`: the hub's
    (cloud config uid, profile uid, cluster uid)."""
    where = {"endpoint": url, "projectUid": PROJECT, "pollSeconds": 15}
    imported = provider(p.ClusterImportProvider, url, api_key, clock).create({**where, "clusterName": name})
    assert imported.outs is not None
    cloud = str(imported.outs["cloudConfigUid"])
    provider(p.ClusterReadinessProvider, url, api_key, clock).create({**where, "clusterUid": imported.id})
    provider(p.HybridSettingsProvider, url, api_key).create(
        {
            **where,
            "clusterUid": imported.id,
            "cloudConfigUid": cloud,
            "vpcCidr": "10.200.0.0/16",
            "nodeCidrs": ["10.0.0.0/9"],
            "podCidrs": ["100.64.0.0/10"],
            "identity": dict(identity),
        }
    )
    published = provider(p.ProfileProvider, url, api_key).create({**where, "profile": dict(profile)})
    assert published.outs is not None
    return cloud, str(published.outs["profileUid"]), str(imported.id)
